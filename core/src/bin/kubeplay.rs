//! The native `kubeplay` CLI: one simulated cluster driven by kubectl and etcdctl command lines
//! read from a script file or standard input. It prints exactly what those tools would print.
//!
//! This is the only place in the `kubeplay` package that touches the outside world: it reads the
//! script and the files that `-f` names, and writes the commands' output.

use kubeplay::cli::Files;
use kubeplay::{Cluster, Config};
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: kubeplay [--seed N] [--echo] [--etcd-only] [SCRIPT]

Runs one simulated Kubernetes cluster and executes kubectl and etcdctl commands, one per line, from
SCRIPT or standard input. Lines starting with # are comments.

  --seed N      seed of the simulation's random choices (default 1)
  --echo        print \"$ <command>\" before each command's output
  --etcd-only   start a bare etcd with no cluster around it
  --trace       print the trace of the run on standard error at the end
";

/// Files relative to the working directory; `-` is standard input (read once, when first asked).
struct DiskFiles {
    stdin: std::cell::OnceCell<Vec<u8>>,
}

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        if path == "-" {
            return Ok(self
                .stdin
                .get_or_init(|| {
                    let mut buf = Vec::new();
                    let _ = std::io::stdin().read_to_end(&mut buf);
                    buf
                })
                .clone());
        }
        std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("the path \"{path}\" does not exist"),
            _ => format!("open {path}: {e}"),
        })
    }
}

struct Options {
    seed: u64,
    echo: bool,
    etcd_only: bool,
    trace: bool,
    script: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options { seed: 1, echo: false, etcd_only: false, trace: false, script: None };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => {
                let v = args.next().ok_or("--seed needs a number")?;
                o.seed = v.parse().map_err(|_| format!("--seed: not a number: {v}"))?;
            }
            s if s.starts_with("--seed=") => {
                o.seed = s[7..].parse().map_err(|_| format!("--seed: not a number: {}", &s[7..]))?;
            }
            "--echo" => o.echo = true,
            "--etcd-only" => o.etcd_only = true,
            "--trace" => o.trace = true,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown flag: {s}")),
            s => {
                if o.script.replace(s.to_string()).is_some() {
                    return Err("only one SCRIPT may be given".into());
                }
            }
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("kubeplay: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let lines: Vec<String> = match &opts.script {
        Some(path) if path != "-" => match std::fs::read_to_string(path) {
            Ok(s) => s.lines().map(str::to_string).collect(),
            Err(e) => {
                eprintln!("kubeplay: {path}: {e}");
                return ExitCode::from(2);
            }
        },
        _ => std::io::stdin().lock().lines().map_while(Result::ok).collect(),
    };
    let config = Config { seed: opts.seed, ..Config::default() };
    let mut cluster = if opts.etcd_only { Cluster::etcd_only(config) } else { Cluster::new(config) };
    let files = DiskFiles { stdin: Default::default() };
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    let mut failed = false;
    for line in &lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if opts.echo {
            let _ = writeln!(stdout, "$ {trimmed}");
        }
        let out = cluster.execute(trimmed, &files);
        let _ = stdout.write_all(out.stdout.as_bytes());
        let _ = stdout.flush();
        // With --echo both streams go to stdout so a transcript keeps them in order.
        if opts.echo {
            let _ = stdout.write_all(out.stderr.as_bytes());
        } else {
            let _ = stderr.write_all(out.stderr.as_bytes());
        }
        failed |= !out.success();
    }
    if opts.trace {
        let _ = stderr.write_all(cluster.trace().render().as_bytes());
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
