//! What a container's process does, decided from its image, `command`, `args` and `env`: the lines
//! it writes (with the virtual instant of each) and whether it runs on or exits, after how long and
//! with which code. This is the simulated application behind the container runtime.
//!
//! - Well-known server images run until stopped and write their real start-up lines (nginx's
//!   `/docker-entrypoint.sh: ...`, Apache's `AH00094`, Redis's `Ready to accept connections`);
//!   `mysql` and `postgres` exit 1 with their entrypoint's error when no password is configured.
//! - Shell commands (`sh -c "echo hello; sleep 5; exit 1"`) are interpreted: `echo`, `printf`,
//!   `sleep`, `exit`, `true`, `false`, `date`, `hostname`, `env`, `while true`/`for` loops,
//!   `&&`/`||`, `$VAR` and `$(date)`. BusyBox applets the simulation does not model succeed silently.
//! - `perl -Mbignum=bpi -wle 'print bpi(2000)'` prints pi to 2000 digits.
//! - Anything else is taken to be the image's own server and runs until stopped, writing nothing.
//!
//! The shell interpreter is [`super::shell`], the images' own entrypoints [`super::entrypoints`].
//!
//! The kubelet expands `$(VAR)` in `command` and `args` from the container's env before starting
//! it (`kubecontainer.ExpandContainerCommandAndArgs`), so that happens here too.

use super::entrypoints::image_default;
use super::images::ImageRef;
use super::files::Files;
use super::shell::Shell;
use crate::sim::Time;
use std::collections::BTreeMap;

/// Lines one program may produce ahead (a `while true` loop stops being unrolled there).
pub(super) const MAX_PROGRAM_LINES: usize = 2_000;
/// How far ahead a loop is unrolled, in virtual ms (one day).
pub(super) const MAX_PROGRAM_MS: u64 = 86_400_000;
/// A process that exits "at once" still lives this long (a fork, an exec, a write).
pub(super) const MIN_RUN_MS: u64 = 1_000;
/// Statements one program may execute while unrolling loops.
pub(super) const MAX_STATEMENTS: usize = 20_000;

/// Virtual time 0 is 2026-01-01T00:00:00Z.
pub(super) const EPOCH_UNIX_SECS: u64 = 1_767_225_600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Runs until the kubelet stops it.
    Runs,
    /// Exits by itself `after_ms` after it started.
    Exits { after_ms: u64, code: i32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Each line with its offset from the start, in ms.
    pub lines: Vec<(u64, String)>,
    pub end: End,
    /// The paths its script created and removed, and when (exec probes read them).
    pub files: Files,
}

/// What the kubelet hands the runtime to start one container.
pub struct Launch<'a> {
    pub image: &'a str,
    pub command: &'a [String],
    pub args: &'a [String],
    pub env: &'a BTreeMap<String, String>,
    /// The pod's hostname (its name).
    pub hostname: &'a str,
    pub started: Time,
}

pub fn launch(l: &Launch) -> Program {
    let image = ImageRef::parse(l.image);
    let expand = |v: &[String]| v.iter().map(|s| expand_kubernetes_vars(s, l.env)).collect::<Vec<_>>();
    let (command, args) = (expand(l.command), expand(l.args));
    let argv: Vec<String> = command.iter().chain(args.iter()).cloned().collect();
    let mut sh = Shell::new(l);
    // A binary the image itself provides (`/usr/local/bin/etcd` in the etcd image) is the image's
    // server, not a command the shell fails to find.
    let interpreted = match argv.first() {
        Some(first) if is_known(first) => sh.exec(&argv),
        Some(_) if !command.is_empty() && !super::serving::serves(&image) => sh.exec(&argv),
        _ => false,
    };
    if !interpreted {
        return image_default(&image, l);
    }
    sh.finish()
}

/// `$(VAR)` from the env; `$$(VAR)` escapes; unknown references stay as written.
fn expand_kubernetes_vars(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        if rest[..i].ends_with('$') {
            out.push_str(&rest[..i]);
            out.push('(');
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) if env.contains_key(&after[..j]) => {
                out.push_str(env.get(&after[..j]).map_or("", String::as_str));
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str("$(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn base(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Whether the container's process is a shell script or command the simulation interprets (which
/// ignores SIGTERM as PID 1), rather than the image's own server.
pub fn interpreted(image: &str, command: &[String], args: &[String]) -> bool {
    match command.first().or(args.first()) {
        Some(first) if is_known(first) => true,
        Some(_) => !command.is_empty() && !super::serving::serves(&ImageRef::parse(image)),
        None => false,
    }
}

/// Commands the simulation interprets rather than treating as the image's server.
fn is_known(cmd: &str) -> bool {
    matches!(
        base(cmd),
        "sh" | "bash" | "ash" | "dash" | "echo" | "printf" | "sleep" | "exit" | "true" | "false" | ":" | "date" | "hostname" | "env" | "printenv" | "perl" | "tail"
    )
}

/// The BusyBox applets and tools a script may call that succeed without output here.
pub(super) fn is_silent_tool(cmd: &str) -> bool {
    matches!(
        base(cmd),
        "cat" | "ls" | "mkdir" | "touch" | "rm" | "cp" | "mv" | "chmod" | "chown" | "wget" | "curl" | "nslookup" | "ping" | "nc" | "head" | "grep"
            | "export" | "cd" | "test" | "[" | "trap" | "wait" | "kill" | "ln" | "sync" | "mount" | "umount" | "apk" | "apt-get" | "tee" | "sed" | "awk" | "wc" | "set"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(image: &str, command: &[&str], args: &[&str], env: &[(&str, &str)]) -> Program {
        let command: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let env: BTreeMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        launch(&Launch { image, command: &command, args: &args, env: &env, hostname: "pod-1", started: Time(60_000) })
    }

    fn text(p: &Program) -> Vec<&str> {
        p.lines.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn shell_scripts_print_sleep_and_exit() {
        let p = run("busybox:1.36", &["sh", "-c", "echo hello; sleep 5; exit 1"], &[], &[]);
        assert_eq!(text(&p), vec!["hello"]);
        assert_eq!(p.end, End::Exits { after_ms: 5_000, code: 1 });
        let p = run("busybox", &["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"], &[], &[]);
        assert_eq!(text(&p), vec!["Thu Jan  1 00:01:00 UTC 2026", "Hello from the Kubernetes cluster"]);
        assert_eq!(p.end, End::Exits { after_ms: 1_000, code: 0 });
        assert_eq!(run("busybox", &["false"], &[], &[]).end, End::Exits { after_ms: 1_000, code: 1 });
        assert_eq!(run("busybox", &["sh", "-c", "false || exit 3"], &[], &[]).end, End::Exits { after_ms: 1_000, code: 3 });
        assert_eq!(run("busybox", &["sh", "-c", "true && echo ok"], &[], &[]).lines.len(), 1);
        assert_eq!(run("busybox", &[], &["sleep", "3600"], &[]).end, End::Exits { after_ms: 3_600_000, code: 0 });
        assert_eq!(run("busybox", &["sleep", "infinity"], &[], &[]).end, End::Runs);
        let p = run("busybox", &["sh", "-c", "echo $GREETING $(hostname)"], &[], &[("GREETING", "hi")]);
        assert_eq!(text(&p), vec!["hi pod-1"]);
        let p = run("busybox", &["sh", "-c", "nosuch"], &[], &[]);
        assert_eq!((text(&p), p.end), (vec!["sh: nosuch: not found"], End::Exits { after_ms: 1_000, code: 127 }));
    }

    #[test]
    fn loops_unroll_in_virtual_time() {
        let p = run("busybox", &["sh", "-c", "while true; do echo tick; sleep 10; done"], &[], &[]);
        assert_eq!(p.end, End::Runs);
        assert_eq!(p.lines[1], (10_000, "tick".to_string()));
        let p = run("busybox", &["sh", "-c", "for i in 1 2 3; do echo $i; done"], &[], &[]);
        assert_eq!(text(&p), vec!["1", "2", "3"]);
        // A loop runs the words it kept of a statement with nothing to expand again, and expands
        // the others at every turn; redirections hold at every turn either way.
        let p = run("busybox", &["sh", "-c", "for i in a b; do echo at $i > /tmp/$i; echo \"turn $i\"; echo same; date >> /tmp/log; done"], &[], &[]);
        assert_eq!(text(&p), vec!["turn a", "same", "turn b", "same"]);
        assert!(p.files.exists("/tmp/a", 0) && p.files.exists("/tmp/b", 0) && p.files.exists("/tmp/log", 0));
        let p = run("busybox", &["sh", "-c", "while true; do date >> /tmp/log; echo tick; sleep 1; done"], &[], &[]);
        assert_eq!((p.lines[0].1.as_str(), p.lines[2].0, p.lines.len()), ("tick", 2_000, MAX_PROGRAM_LINES));
    }

    #[test]
    fn images_do_what_their_entrypoints_do() {
        let nginx = run("nginx:1.27", &[], &[], &[]);
        assert_eq!(nginx.end, End::Runs);
        assert!(text(&nginx)[0].starts_with("/docker-entrypoint.sh: "));
        assert!(text(&nginx).contains(&"2026/01/01 00:01:00 [notice] 1#1: nginx/1.27.3"));
        let mysql = run("mysql:8.4", &[], &[], &[]);
        assert_eq!(mysql.end, End::Exits { after_ms: 1_000, code: 1 });
        assert!(text(&mysql).iter().any(|l| l.contains("Database is uninitialized and password option is not specified")));
        assert_eq!(run("mysql:8.4", &[], &[], &[("MYSQL_ROOT_PASSWORD", "x")]).end, End::Runs);
        assert_eq!(run("postgres:17", &[], &[], &[]).end, End::Exits { after_ms: 1_000, code: 1 });
        assert_eq!(run("registry.k8s.io/pause:3.10", &[], &[], &[]).end, End::Runs);
        assert_eq!(run("busybox:1.36", &[], &[], &[]).end, End::Exits { after_ms: 1_000, code: 0 });
        let pi = run("perl:5.34.0", &["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], &[], &[]);
        assert_eq!(pi.end, End::Exits { after_ms: 5_000, code: 0 });
        assert!(text(&pi)[0].starts_with("3.14159265358979"));
    }

    #[test]
    fn scripts_record_the_files_they_create_and_remove() {
        let p = run("busybox", &["sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; echo ok > /tmp/ready; mkdir -p /data/x; sleep 600"], &[], &[]);
        assert!(p.files.exists("/tmp/healthy", 29_999));
        assert!(!p.files.exists("/tmp/healthy", 30_000));
        assert!(p.files.exists("/tmp/ready", 30_000) && !p.files.exists("/tmp/ready", 29_000));
        assert!(p.files.exists("/data/x", 30_000));
        assert!(p.lines.is_empty(), "the redirected echo writes no log line");
    }

    #[test]
    fn a_serving_images_own_binary_runs_as_its_server() {
        // grpc-liveness.yaml: `command: [/usr/local/bin/etcd, ...]` in the etcd image.
        let etcd = run("registry.k8s.io/etcd:3.5.1-0", &["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd"], &[], &[]);
        assert_eq!(etcd.end, End::Runs);
        assert!(!interpreted("registry.k8s.io/etcd:3.5.1-0", &["/usr/local/bin/etcd".into()], &[]));
        assert!(interpreted("busybox", &["sh".into(), "-c".into(), "sleep 1".into()], &[]));
        assert_eq!(run("busybox", &["nosuch"], &[], &[]).end, End::Exits { after_ms: 1_000, code: 127 });
    }

    #[test]
    fn kubernetes_expands_dollar_parens_from_env() {
        let env: BTreeMap<String, String> = [("MSG".to_string(), "hi".to_string())].into();
        assert_eq!(expand_kubernetes_vars("echo $(MSG) $(NOPE) $$(MSG)", &env), "echo hi $(NOPE) $(MSG)");
    }
}
