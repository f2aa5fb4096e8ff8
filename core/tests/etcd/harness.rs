//! The conformance harness: runs one scenario script line by line through a real `etcdctl`
//! against a real etcd, and through `kubeplay::cli::etcdctl` against our store, and reports
//! every difference.
//!
//! Script lines:
//! - `etcdctl <args>`: a command; `<<EOF` … `EOF` after it feeds the lines between as stdin.
//! - `etcdctl watch <args> &`: a streaming watch; its whole output is compared at the end.
//! - `sleep <N>s` or `sleep <N>ms`: real sleep for etcd, virtual time for ours.
//! - `# …` and blank lines are ignored.
//!
//! `$L1`, `$L2`, … name the leases granted so far (each side's own IDs); `$TMP` is a temporary
//! directory; `{{repeat:x:N}}` is `x` N times (for requests too large to write out). Normalised before comparing, because they are not ours to choose: cluster and
//! member IDs, the raft term, lease IDs, remaining lease TTLs within one second, and the
//! client's JSON log lines on stderr (`{"level":…}`, printed by the gRPC client, not etcdctl).

use crate::normalise::{collapse_table_padding, hide_snapshot_hash, replace_kb, replace_number_after, sort_lease_keys, strip_client_logs, tolerate};
use kubeplay::cli::etcdctl::Etcdctl;
use kubeplay::cli::{split_words, Output};
use kubeplay::store::Store;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ETCD: &str = "/usr/bin/etcd";
pub const ETCDCTL: &str = "/usr/bin/etcdctl";

/// Two distinct free ports (client, peer), never handed out before in this process. Both
/// listeners are held until both ports are known, so the two differ; the set keeps parallel
/// workers apart. Another process can still take a port between here and etcd's bind: `start`
/// retries with fresh ports when etcd reports `address already in use`.
fn free_ports() -> (u16, u16) {
    static GIVEN: Mutex<std::collections::BTreeSet<u16>> = Mutex::new(std::collections::BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let mut held = Vec::new();
    let mut ports = Vec::new();
    while ports.len() < 2 && held.len() < 64 {
        let Ok(l) = TcpListener::bind("127.0.0.1:0") else { break };
        let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
        held.push(l);
        if port != 0 && given.insert(port) {
            ports.push(port);
        }
    }
    (ports.first().copied().unwrap_or(0), ports.get(1).copied().unwrap_or(0))
}

/// A real etcd on free ports with its own data dir; stopped by PID and cleaned up on drop.
pub struct RealEtcd {
    child: Child,
    pub dir: PathBuf,
    pub endpoint: String,
}

impl RealEtcd {
    pub fn start(name: &str) -> Result<RealEtcd, String> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match RealEtcd::start_once(name) {
                Err(e) if attempt < 5 && e.contains("address already in use") => continue,
                other => return other,
            }
        }
    }

    fn start_once(name: &str) -> Result<RealEtcd, String> {
        let dir = std::env::temp_dir().join(format!("kubeplay-etcd-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (client, peer) = free_ports();
        let endpoint = format!("127.0.0.1:{client}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let log = std::fs::File::create(dir.join("etcd.log")).map_err(|e| e.to_string())?;
        let child = Command::new(ETCD)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--listen-client-urls", &format!("http://{endpoint}")])
            .args(["--advertise-client-urls", &format!("http://{endpoint}")])
            .args(["--listen-peer-urls", &peer_url, "--initial-advertise-peer-urls", &peer_url])
            .args(["--initial-cluster", &format!("default={peer_url}")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {ETCD}: {e} (install it: apt-get install etcd-server etcd-client)"))?;
        let mut etcd = RealEtcd { child, dir, endpoint };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let ok = Command::new(ETCDCTL)
                .arg(format!("--endpoints={}", etcd.endpoint))
                .args(["endpoint", "health"])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            if ok {
                return Ok(etcd);
            }
            if let Ok(Some(status)) = etcd.child.try_wait() {
                let log = std::fs::read_to_string(etcd.dir.join("etcd.log")).unwrap_or_default();
                return Err(format!("etcd exited with {status}; log tail:\n{}", tail(&log, 15)));
            }
            if Instant::now() > deadline {
                return Err(format!("etcd on {} did not become healthy within 15 s", etcd.endpoint));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl RealEtcd {
    /// The cluster and member IDs, read with `endpoint status` (a read: no raft entry).
    pub fn ids(&self) -> Option<(u64, u64)> {
        let out = Command::new(ETCDCTL)
            .arg(format!("--endpoints={}", self.endpoint))
            .args(["endpoint", "status", "-w", "json"])
            .output()
            .ok()?;
        find_ids(&String::from_utf8_lossy(&out.stdout))
    }
}

impl Drop for RealEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A background `etcdctl watch` whose output is collected until it is stopped.
struct BgWatch {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Drop for BgWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(mut r: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let b = buf.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = r.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock().map(|mut v| v.extend_from_slice(&chunk[..n])).ok();
        }
    });
    buf
}

/// One scenario step.
enum Step {
    Cmd { line: usize, words: Vec<String>, stdin: String, background: bool },
    Sleep { ms: u64 },
}

fn parse_script(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, raw)) = lines.next() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(d) = line.strip_prefix("sleep ") {
            let ms = if let Some(v) = d.strip_suffix("ms") { v.parse::<u64>() } else { d.trim_end_matches('s').parse::<u64>().map(|s| s * 1000) };
            steps.push(Step::Sleep { ms: ms.map_err(|e| format!("line {}: bad sleep: {e}", n + 1))? });
            continue;
        }
        let (mut cmd, heredoc) = match line.split_once("<<EOF") {
            Some((c, _)) => (c.trim().to_string(), true),
            None => (line.to_string(), false),
        };
        let background = cmd.ends_with(" &");
        if background {
            cmd.truncate(cmd.len() - 2);
        }
        let mut stdin = String::new();
        if heredoc {
            loop {
                let Some((_, l)) = lines.next() else { return Err(format!("line {}: unterminated <<EOF", n + 1)) };
                if l.trim_end() == "EOF" {
                    break;
                }
                stdin.push_str(l);
                stdin.push('\n');
            }
        }
        let stdin = expand_repeat(&stdin);
        let words = split_words(&expand_repeat(&cmd)).map_err(|e| format!("line {}: {e:?}", n + 1))?;
        if words.first().map(String::as_str) != Some("etcdctl") {
            return Err(format!("line {}: expected `etcdctl …`, `sleep …` or a comment", n + 1));
        }
        steps.push(Step::Cmd { line: n + 1, words: words[1..].to_vec(), stdin, background });
    }
    Ok(steps)
}

/// Expands every `{{repeat:x:N}}`.
fn expand_repeat(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(a) = rest.find("{{repeat:") {
        out.push_str(&rest[..a]);
        let body = &rest[a + 9..];
        let Some(end) = body.find("}}") else { break };
        let spec = &body[..end];
        if let Some((text, n)) = spec.rsplit_once(':') {
            out.push_str(&text.repeat(n.parse().unwrap_or(0)));
        }
        rest = &body[end + 2..];
    }
    out + rest
}

/// Per-side state: lease IDs seen so far, in grant order.
#[derive(Default)]
struct Side {
    leases: Vec<i64>,
}

impl Side {
    fn expand(&self, w: &str, tmp: &Path) -> String {
        let mut s = w.replace("$TMP", &tmp.display().to_string());
        for (i, id) in self.leases.iter().enumerate().rev() {
            s = s.replace(&format!("$L{}", i + 1), &format!("{id:x}"));
        }
        s
    }

    /// Remembers the lease a `lease grant` printed, in any output format.
    fn learn(&mut self, words: &[String], stdout: &str) {
        if words.iter().filter(|w| !w.starts_with('-')).take(2).map(String::as_str).ne(["lease", "grant"]) {
            return;
        }
        for line in stdout.lines() {
            if let Some(n) = line.strip_prefix("\"ID\" : ").and_then(|d| d.parse::<i64>().ok()) {
                self.leases.push(n);
            }
            if let Some(rest) = line.strip_prefix("lease ") {
                if let Some((hex, _)) = rest.split_once(" granted with TTL(") {
                    if let Ok(id) = i64::from_str_radix(hex, 16) {
                        self.leases.push(id);
                    }
                }
            }
            if let Some(p) = line.find("\"ID\":") {
                let digits: String = line[p + 5..].chars().take_while(|c| c.is_ascii_digit()).collect();
                if let Ok(id) = digits.parse::<i64>() {
                    self.leases.push(id);
                }
            }
        }
    }

    fn normalise(&self, s: &str, cluster: u64, member: u64) -> String {
        let mut s = s.replace(&cluster.to_string(), "<cluster_id>").replace(&member.to_string(), "<member_id>");
        s = s.replace(&format!("{member:x}"), "<member_id>");
        for (i, id) in self.leases.iter().enumerate() {
            s = s.replace(&format!("{id:016x}"), &format!("<L{}>", i + 1)).replace(&id.to_string(), &format!("<L{}>", i + 1));
        }
        for p in ["\"raft_term\":", "\"raftTerm\":", "\"RaftTerm\" : "] {
            s = replace_number_after(&s, p, "<term>");
        }
        // bbolt's file size depends on when its batch commit fired: not deterministic.
        for p in ["\"dbSize\":", "\"dbSizeInUse\":", "\"DBSize\" : ", "\"totalSize\":"] {
            s = replace_number_after(&s, p, "<db_size>");
        }
        s = replace_kb(&s);
        s = hide_snapshot_hash(&s);
        s = collapse_table_padding(&s);
        sort_lease_keys(&s)
    }
}

/// What the real etcdctl printed for one step, already normalised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    pub line: usize,
    pub stdout: String,
    pub stderr: String,
    /// `None` for a watch we stopped ourselves.
    pub exit: Option<i32>,
}

/// A scenario's real outputs, so it can be replayed against our side without an etcd.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recording {
    pub endpoint: String,
    pub tmp: String,
    pub steps: Vec<Recorded>,
}

impl Recording {
    pub fn to_json(&self) -> String {
        let steps: Vec<serde_json::Value> = self
            .steps
            .iter()
            .map(|r| serde_json::json!({"line": r.line, "stdout": r.stdout, "stderr": r.stderr, "exit": r.exit}))
            .collect();
        let v = serde_json::json!({"etcd": "3.4.23", "endpoint": self.endpoint, "tmp": self.tmp, "steps": steps});
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }

    pub fn from_json(text: &str) -> Result<Recording, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        let steps = v["steps"]
            .as_array()
            .ok_or("no steps")?
            .iter()
            .map(|r| Recorded {
                line: r["line"].as_u64().unwrap_or(0) as usize,
                stdout: s(r, "stdout"),
                stderr: s(r, "stderr"),
                exit: r["exit"].as_i64().map(|c| c as i32),
            })
            .collect();
        Ok(Recording { endpoint: s(&v, "endpoint"), tmp: s(&v, "tmp"), steps })
    }
}

/// Where the real side's outputs come from.
pub enum Oracle {
    /// A fresh real etcd and the real etcdctl.
    Live,
    /// Outputs recorded from a live run (`ETCD_RECORD=1`).
    Replay(Recording),
}

/// The real side of one run.
enum Real {
    /// `_etcd` is held only to stop it (by PID, on drop) when the run ends.
    Live { _etcd: RealEtcd, side: Side, ids: Option<(u64, u64)>, bg: Vec<(usize, BgWatch)> },
    Replay { steps: std::vec::IntoIter<Recorded> },
}

impl Real {
    /// Runs one command on the real side (or reads what it printed) and normalises it.
    fn command(&mut self, line: usize, words: &[String], stdin: &str, ep: &str, tmp: &Path) -> Result<Recorded, String> {
        let Real::Live { side, ids, .. } = self else { return self.next(line) };
        let args: Vec<String> = words.iter().map(|w| side.expand(w, tmp)).collect();
        let out = Command::new(ETCDCTL)
            .arg(ep)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                if let Some(mut i) = c.stdin.take() {
                    i.write_all(stdin.as_bytes())?;
                }
                c.wait_with_output()
            })
            .map_err(|e| e.to_string())?;
        let (rs, re) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
        if ids.is_none() {
            *ids = find_ids(&rs);
        }
        side.learn(words, &rs);
        let (c, m) = ids.unwrap_or((u64::MAX, u64::MAX));
        Ok(Recorded { line, stdout: side.normalise(&rs, c, m), stderr: strip_client_logs(&re), exit: out.status.code() })
    }

    fn start_watch(&mut self, line: usize, words: &[String], ep: &str, tmp: &Path) -> Result<(), String> {
        let Real::Live { side, bg, .. } = self else { return Ok(()) };
        let args: Vec<String> = words.iter().map(|w| side.expand(w, tmp)).collect();
        let mut child = Command::new(ETCDCTL)
            .arg(ep)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let stdout = collect(child.stdout.take().ok_or("no stdout")?);
        let stderr = collect(child.stderr.take().ok_or("no stderr")?);
        bg.push((line, BgWatch { child, stdout, stderr }));
        // Give the real watch time to register and replay before the next write.
        std::thread::sleep(Duration::from_millis(400));
        Ok(())
    }

    fn sleep(&self, ms: u64) {
        if let Real::Live { .. } = self {
            std::thread::sleep(Duration::from_millis(ms));
        }
    }

    /// Stops the real watches and returns what each printed, in the order they were started.
    fn finish_watches(&mut self, watch_lines: &[usize]) -> Result<Vec<Recorded>, String> {
        let Real::Live { side, ids, bg, .. } = self else {
            return watch_lines.iter().map(|l| self.next(*l)).collect();
        };
        if !bg.is_empty() {
            // Let the real watches see the last events first.
            std::thread::sleep(Duration::from_millis(400));
        }
        let mut out = Vec::new();
        for (line, mut w) in bg.drain(..) {
            let exited = w.child.try_wait().ok().flatten().and_then(|s| s.code());
            let _ = w.child.kill();
            let _ = w.child.wait();
            std::thread::sleep(Duration::from_millis(20));
            let rs = String::from_utf8_lossy(&w.stdout.lock().map(|v| v.clone()).unwrap_or_default()).into_owned();
            let re = String::from_utf8_lossy(&w.stderr.lock().map(|v| v.clone()).unwrap_or_default()).into_owned();
            let (c, m) = ids.or_else(|| find_ids(&rs)).unwrap_or((u64::MAX, u64::MAX));
            out.push(Recorded { line, stdout: side.normalise(&rs, c, m), stderr: strip_client_logs(&re), exit: exited });
        }
        Ok(out)
    }

    fn next(&mut self, line: usize) -> Result<Recorded, String> {
        match self {
            Real::Replay { steps } => match steps.next() {
                // Recordings made before table padding was normalised keep the padded table.
                Some(r) if r.line == line => Ok(Recorded { stdout: collapse_table_padding(&r.stdout), ..r }),
                Some(r) => Err(format!("recording is stale: expected line {line}, found {} (ETCD_RECORD=1 to refresh)", r.line)),
                None => Err(format!("recording ends before line {line} (ETCD_RECORD=1 to refresh)")),
            },
            Real::Live { .. } => Err("not a replay".into()),
        }
    }
}

/// Runs a script on both sides; returns the differences (empty when they agree) and the real
/// side's normalised outputs.
pub fn run_scenario(name: &str, text: &str, oracle: Oracle) -> Result<(Vec<String>, Recording), String> {
    let steps = parse_script(text)?;
    let (mut real, endpoint, tmp) = match oracle {
        Oracle::Live => {
            let etcd = RealEtcd::start(name)?;
            let (endpoint, tmp) = (etcd.endpoint.clone(), etcd.dir.clone());
            let ids = etcd.ids();
            (Real::Live { _etcd: etcd, side: Side::default(), ids, bg: Vec::new() }, endpoint, tmp)
        }
        Oracle::Replay(rec) => {
            let (endpoint, tmp) = (rec.endpoint.clone(), PathBuf::from(&rec.tmp));
            (Real::Replay { steps: rec.steps.into_iter() }, endpoint, tmp)
        }
    };
    let ep = format!("--endpoints={endpoint}");
    let mut recording = Recording { endpoint, tmp: tmp.display().to_string(), steps: Vec::new() };
    let mut store = Store::new();
    let mut session = Etcdctl::new();
    let mut our_side = Side::default();
    let (our_cluster, our_member) = (store.config().cluster_id, store.config().member_id);
    // Our output per background watch, indexed by the session's watch number.
    let mut our_watch_out: Vec<Output> = Vec::new();
    let mut watch_lines = Vec::new();
    let mut diffs = Vec::new();

    let absorb = |session: &mut Etcdctl, store: &mut Store, acc: &mut Vec<Output>| {
        for (n, o) in session.poll_watches(store) {
            if let Some(a) = acc.get_mut(n) {
                a.stdout.push_str(&o.stdout);
                a.stderr.push_str(&o.stderr);
                a.exit_code = o.exit_code;
            }
        }
    };

    for step in &steps {
        match step {
            Step::Sleep { ms } => {
                real.sleep(*ms);
                let now = store.now_ms() + ms;
                store.advance_to(now);
                absorb(&mut session, &mut store, &mut our_watch_out);
            }
            Step::Cmd { line, words, stdin, background } => {
                let our_args: Vec<String> =
                    std::iter::once(ep.clone()).chain(words.iter().map(|w| our_side.expand(w, &tmp))).collect();
                if *background {
                    real.start_watch(*line, words, &ep, &tmp)?;
                    watch_lines.push(*line);
                    our_watch_out.push(session.run(&our_args, "", &mut store));
                    continue;
                }
                let r = real.command(*line, words, stdin, &ep, &tmp)?;
                let ours = session.run(&our_args, stdin, &mut store);
                absorb(&mut session, &mut store, &mut our_watch_out);
                our_side.learn(words, &ours.stdout);
                let mut our_out = our_side.normalise(&ours.stdout, our_cluster, our_member);
                for p in ["remaining(", "\"ttl\":", "\"TTL\" : "] {
                    our_out = tolerate(&r.stdout, &our_out, p);
                }
                if r.stdout != our_out || r.stderr != ours.stderr || r.exit != Some(ours.exit_code) {
                    diffs.push(format!(
                        "{name}:{line}: etcdctl {}\n  real  (exit {:?}): {:?} {:?}\n  ours  (exit {}): {our_out:?} {:?}",
                        words.join(" "),
                        r.exit,
                        r.stdout,
                        r.stderr,
                        ours.exit_code,
                        ours.stderr
                    ));
                }
                recording.steps.push(r);
            }
        }
    }
    absorb(&mut session, &mut store, &mut our_watch_out);
    for (i, r) in real.finish_watches(&watch_lines)?.into_iter().enumerate() {
        let ours = our_watch_out.get(i).cloned().unwrap_or_default();
        let our_out = our_side.normalise(&ours.stdout, our_cluster, our_member);
        let code_differs = r.exit.is_some_and(|c| c != ours.exit_code);
        if r.stdout != our_out || r.stderr != ours.stderr || code_differs {
            diffs.push(format!(
                "{name}:{}: watch stream\n  real  (exit {:?}): {:?} {:?}\n  ours  (exit {}): {our_out:?} {:?}",
                r.line, r.exit, r.stdout, r.stderr, ours.exit_code, ours.stderr
            ));
        }
        recording.steps.push(r);
    }
    Ok((diffs, recording))
}

/// The cluster and member IDs from a real response header, once one has been printed.
fn find_ids(s: &str) -> Option<(u64, u64)> {
    let num = |key: &str| -> Option<u64> {
        let p = s.find(key)? + key.len();
        s[p..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().ok()
    };
    Some((num("\"cluster_id\":").or(num("\"ClusterID\" : "))?, num("\"member_id\":").or(num("\"MemberID\" : "))?))
}
