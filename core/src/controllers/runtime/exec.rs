//! A `kubectl exec` command in a running container: what the kubelet's `/exec` endpoint runs
//! through the CRI (`Exec`), answered from the container's simulated state: its environment as
//! it was created (`env`, `printenv`), the pod's name (`hostname`), the files the kubelet writes
//! into every container (`/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname`), and, for the rest,
//! the exec probe's commands over the container's filesystem timeline (`cat`, `ls`, `test`,
//! `echo`, `sh -c` scripts of those).
//!
//! Not simulated: the service environment variables of other Services in the namespace (only
//! the `kubernetes` Service's), and programs the simulation does not know (`curl`, `nslookup`,
//! a database client): they run and print nothing, and the caller says so.

use super::entrypoints::busybox_date;
use super::exec_probe;
use super::files::Files;
use super::process::{base, EPOCH_UNIX_SECS};
use std::collections::BTreeMap;

/// Where the command runs.
pub struct Session<'a> {
    pub pod_name: &'a str,
    pub namespace: &'a str,
    pub pod_ip: &'a str,
    pub image: &'a str,
    /// The container's environment as it was created.
    pub env: &'a BTreeMap<String, String>,
    pub files: &'a Files,
    /// Time since the container started.
    pub at_ms: u64,
    /// Virtual time now, in ms since the epoch of the simulation.
    pub now_ms: u64,
}

/// What the command did: its exit code, its output, and whether the simulation knew the program.
pub struct Ran {
    pub code: i32,
    pub output: String,
    pub known: bool,
}

/// The `kubernetes` Service's variables, which the kubelet puts in every container
/// (`getServiceEnvVarMap`, the master service of the `default` namespace).
const KUBERNETES_ENV: [(&str, &str); 8] = [
    ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
    ("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
    ("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
    ("KUBERNETES_PORT_443_TCP_PORT", "443"),
    ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
    ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
    ("KUBERNETES_SERVICE_PORT", "443"),
    ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
];

/// Runs `argv` in the container.
pub fn run(argv: &[String], s: &Session) -> Ran {
    let ok = |output: String| Ran { code: 0, output, known: true };
    let Some(cmd) = argv.first().map(|c| base(c)) else { return ok(String::new()) };
    let args = argv.get(1..).unwrap_or(&[]);
    let env = environment(s);
    match cmd {
        "env" | "printenv" if args.is_empty() => ok(env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()),
        "printenv" => {
            let found: Vec<&String> = args.iter().filter_map(|a| env.iter().find(|(k, _)| k == a).map(|(_, v)| v)).collect();
            let code = i32::from(found.len() != args.len());
            Ran { code, output: found.iter().map(|v| format!("{v}\n")).collect(), known: true }
        }
        "hostname" => ok(format!("{}\n", s.pod_name)),
        "whoami" => ok("root\n".into()),
        "id" => ok("uid=0(root) gid=0(root) groups=0(root)\n".into()),
        "pwd" => ok("/\n".into()),
        "date" if args.is_empty() => ok(format!("{}\n", busybox_date(EPOCH_UNIX_SECS + s.now_ms / 1000))),
        "cat" if args.len() == 1 && kubelet_file(&args[0], s).is_some() => ok(kubelet_file(&args[0], s).unwrap_or_default()),
        "ls" if args.is_empty() || args == ["/"] => ok(root_listing(s.image)),
        // A file the container's own script made: `ls` names it.
        "ls" if args.len() == 1 && in_scratch(&args[0]) && s.files.exists(&super::files::absolute(&args[0]), s.at_ms) => ok(format!("{}\n", args[0])),
        "ls" if args.len() == 1 && !in_scratch(&args[0]) => Ran { code: 0, output: String::new(), known: false },
        _ => {
            let known = matches!(cmd, "sh" | "bash" | "ash" | "dash" | "cat" | "ls" | "test" | "[" | "true" | "false" | "exit" | "echo");
            let (code, mut output) = exec_probe::run(argv, s.image, s.files, s.at_ms);
            // A probe's output is quoted in an event; a terminal shows it as lines.
            if !output.is_empty() && !output.ends_with('\n') {
                output.push('\n');
            }
            Ran { code, output, known }
        }
    }
}

/// The directories the container's own scripts start empty (`files.rs`), where what exists is known.
fn in_scratch(path: &str) -> bool {
    let p = super::files::absolute(path);
    ["/tmp/", "/run/", "/var/run/", "/dev/shm/"].iter().any(|d| p.starts_with(d))
}

/// `ls /` (one name a line, as `ls` writes to a pipe): BusyBox's root, or a Debian-based image's.
fn root_listing(image: &str) -> String {
    let busybox = matches!(super::images::ImageRef::parse(image).short_name(), "busybox" | "alpine");
    let names: &[&str] = if busybox {
        &["bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var"]
    } else {
        &["bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"]
    };
    names.iter().map(|n| format!("{n}\n")).collect()
}

/// The environment in the order a container's `env` prints it: `PATH` and `HOSTNAME` first,
/// then the container's own, the `kubernetes` Service's, and `HOME`.
fn environment(s: &Session) -> Vec<(String, String)> {
    let mut out = vec![
        ("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()),
        ("HOSTNAME".to_string(), s.pod_name.to_string()),
    ];
    out.extend(s.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    for (k, v) in KUBERNETES_ENV {
        if !s.env.contains_key(k) {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out.push(("HOME".to_string(), "/root".to_string()));
    out
}

/// The files the kubelet writes into each container (`/etc/hosts` from `ensureHostsFile`,
/// `/etc/resolv.conf` for the `ClusterFirst` DNS policy, `/etc/hostname`).
fn kubelet_file(path: &str, s: &Session) -> Option<String> {
    match path {
        "/etc/hostname" => Some(format!("{}\n", s.pod_name)),
        "/etc/resolv.conf" => Some(format!("search {}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", s.namespace)),
        "/etc/hosts" => Some(format!(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{}\t{}\n",
            s.pod_ip, s.pod_name
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_container_answers_from_its_simulated_state() {
        let env: BTreeMap<String, String> = [("COLOR".to_string(), "blue".to_string())].into();
        let files = Files::default();
        let s = Session { pod_name: "web-1", namespace: "shop", pod_ip: "10.244.1.5", image: "nginx:1.27", env: &env, files: &files, at_ms: 5_000, now_ms: 60_000 };
        let out = run(&words("env"), &s).output;
        assert!(out.starts_with("PATH=/usr/local/sbin"), "{out}");
        assert!(out.contains("HOSTNAME=web-1\nCOLOR=blue\nKUBERNETES_PORT=tcp://10.96.0.1:443\n"), "{out}");
        assert!(out.ends_with("HOME=/root\n"));
        let r = run(&words("printenv COLOR MISSING"), &s);
        assert_eq!((r.code, r.output.as_str()), (1, "blue\n"));
        assert_eq!(run(&words("hostname"), &s).output, "web-1\n");
        assert!(run(&words("cat /etc/resolv.conf"), &s).output.starts_with("search shop.svc.cluster.local svc.cluster.local cluster.local\n"));
        assert!(run(&words("cat /etc/hosts"), &s).output.ends_with("10.244.1.5\tweb-1\n"));
        assert_eq!(run(&words("date"), &s).output, "Thu Jan  1 00:01:00 UTC 2026\n");
        let missing = run(&words("cat /tmp/healthy"), &s);
        assert_eq!((missing.code, missing.output.as_str()), (1, "cat: /tmp/healthy: No such file or directory\n"));
        assert!(missing.known);
        let curl = run(&words("curl -s http://web"), &s);
        assert_eq!((curl.code, curl.output.as_str(), curl.known), (0, "", false));
    }
}
