//! An exec probe's command run inside the simulated container, as the kubelet's exec prober runs
//! it through the CRI (`ExecSync`): the exit code decides the result (0 is success) and the
//! combined output is what the `Unhealthy` event quotes (`pkg/kubelet/prober/prober.go`).
//!
//! The command is answered against the container's filesystem timeline ([`super::files`]):
//! `cat FILE`, `ls FILE`, `test -f FILE` / `[ -e FILE ]` (with `!`), `true`, `false`, `exit N`,
//! `echo`, alone or in an `sh -c` script joined by `;`, `&&` and `||`. BusyBox images (busybox,
//! alpine) word their errors as BusyBox does (`cat: can't open '/tmp/healthy': No such file or
//! directory`), others as GNU coreutils (`cat: /tmp/healthy: No such file or directory`).
//!
//! Any other command (`redis-cli ping`, `pg_isready`, `grpc_health_probe`, `curl`) succeeds with
//! no output: the simulation takes the tool to be in the image and the application it asks to
//! be healthy, which is what a probe written for a working image answers.

use super::files::Files;
use super::images::ImageRef;
use super::process::base;
use super::shell::{split_statements, Sep};

/// Statements one probe script runs at most.
const MAX_PROBE_STATEMENTS: usize = 64;

/// The exit code and output of `argv` run `at_ms` after the container started.
pub fn run(argv: &[String], image: &str, files: &Files, at_ms: u64) -> (i32, String) {
    let short = ImageRef::parse(image);
    let busybox = matches!(short.short_name(), "busybox" | "alpine");
    let mut out: Vec<String> = Vec::new();
    let code = match argv.first().map(|c| base(c)) {
        Some("sh" | "bash" | "ash" | "dash") => {
            let script = argv.iter().position(|a| a.starts_with('-') && a.contains('c')).and_then(|i| argv.get(i + 1)).cloned().unwrap_or_default();
            let mut status = 0;
            for (sep, stmt) in split_statements(&script).into_iter().take(MAX_PROBE_STATEMENTS) {
                let go = match sep {
                    Sep::Seq => true,
                    Sep::And => status == 0,
                    Sep::Or => status != 0,
                };
                if !go {
                    continue;
                }
                let words = crate::cli::split_words(&stmt).unwrap_or_default();
                if words.first().map(String::as_str) == Some("exit") {
                    status = words.get(1).and_then(|c| c.parse::<i32>().ok()).map_or(status, |c| c & 0xff);
                    break;
                }
                status = command(&words, busybox, files, at_ms, &mut out);
            }
            status
        }
        _ => command(argv, busybox, files, at_ms, &mut out),
    };
    (code, out.join("\n"))
}

/// One command; its lines go to `out`.
fn command(argv: &[String], busybox: bool, files: &Files, at_ms: u64, out: &mut Vec<String>) -> i32 {
    // Redirections only move the output; the probe's result is the exit code.
    let words: Vec<&str> = argv.iter().map(String::as_str).filter(|w| !w.starts_with('>') && !w.starts_with("1>") && !w.starts_with("2>")).collect();
    let Some(cmd) = words.first().map(|c| base(c)) else { return 0 };
    let operands: Vec<&str> = words.iter().skip(1).copied().filter(|w| !w.starts_with('-')).collect();
    let exists = |p: &str| files.exists(p, at_ms);
    match cmd {
        "cat" | "ls" | "stat" => {
            let mut code = 0;
            for p in operands.iter().filter(|p| !exists(p)) {
                out.push(match (cmd, busybox) {
                    ("cat", true) => format!("cat: can't open '{p}': No such file or directory"),
                    ("ls", false) => format!("ls: cannot access '{p}': No such file or directory"),
                    _ => format!("{cmd}: {p}: No such file or directory"),
                });
                code = if cmd == "ls" && !busybox { 2 } else { 1 };
            }
            code
        }
        "test" | "[" | "[[" => {
            let mut args: Vec<&str> = words.iter().skip(1).copied().filter(|w| !matches!(*w, "]" | "]]")).collect();
            let negate = args.first() == Some(&"!");
            if negate {
                args.remove(0);
            }
            let truth = match args.as_slice() {
                [flag, path] if matches!(*flag, "-f" | "-e" | "-d" | "-s" | "-r" | "-w" | "-x" | "-L" | "-h") => exists(path),
                ["-z", s] => s.is_empty(),
                ["-n", s] | [s] => !s.is_empty(),
                [a, "=" | "==", b] => a == b,
                [a, "!=", b] => a != b,
                _ => true,
            };
            i32::from(truth == negate)
        }
        "false" => 1,
        "exit" => words.get(1).and_then(|c| c.parse::<i32>().ok()).map_or(0, |c| c & 0xff),
        "echo" => {
            out.push(words.iter().skip(1).copied().collect::<Vec<_>>().join(" "));
            0
        }
        // `true`, and every tool the simulation does not model: the image has it, the app is fine.
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn healthy_for_30s() -> Files {
        let mut f = Files::default();
        f.record(0, "/tmp/healthy", true);
        f.record(30_000, "/tmp/healthy", false);
        f
    }

    #[test]
    fn cat_answers_from_the_files_timeline_in_busybox_words() {
        let f = healthy_for_30s();
        let image = "registry.k8s.io/busybox:1.27.2";
        assert_eq!(run(&argv(&["cat", "/tmp/healthy"]), image, &f, 5_000), (0, String::new()));
        assert_eq!(run(&argv(&["cat", "/tmp/healthy"]), image, &f, 35_000), (1, "cat: can't open '/tmp/healthy': No such file or directory".to_string()));
        assert_eq!(run(&argv(&["cat", "/tmp/healthy"]), "debian:12", &f, 35_000).1, "cat: /tmp/healthy: No such file or directory");
        assert_eq!(run(&argv(&["ls", "/tmp/healthy"]), "ubuntu", &f, 35_000), (2, "ls: cannot access '/tmp/healthy': No such file or directory".to_string()));
    }

    #[test]
    fn test_and_scripts_combine_exit_codes() {
        let f = healthy_for_30s();
        assert_eq!(run(&argv(&["test", "-f", "/tmp/healthy"]), "busybox", &f, 1_000).0, 0);
        assert_eq!(run(&argv(&["test", "-f", "/tmp/healthy"]), "busybox", &f, 31_000).0, 1);
        assert_eq!(run(&argv(&["sh", "-c", "[ ! -e /tmp/healthy ] && exit 3 || true"]), "busybox", &f, 31_000).0, 3);
        assert_eq!(run(&argv(&["sh", "-c", "[ -e /tmp/healthy ] && echo ok"]), "busybox", &f, 1_000), (0, "ok".to_string()));
        assert_eq!(run(&argv(&["/bin/sh", "-c", "cat /tmp/ready > /dev/null"]), "busybox", &f, 1_000).0, 1, "nothing created /tmp/ready");
    }

    #[test]
    fn unknown_tools_succeed() {
        assert_eq!(run(&argv(&["redis-cli", "ping"]), "redis:7", &Files::default(), 0), (0, String::new()));
        assert_eq!(run(&argv(&["false"]), "busybox", &Files::default(), 0).0, 1);
    }
}
