//! Conformance: every scenario in `core/tests/etcd/*.txt` runs line by line through the real
//! `etcdctl` against a real etcd 3.4 (Debian's `etcd-server`/`etcd-client`) and through our
//! `cli::etcdctl` against our store; every stdout, stderr and exit code must match, up to the
//! normalisations listed in `etcd/harness.rs`. Each scenario gets a fresh etcd on free ports;
//! scenarios run in parallel so the suite's sleeps overlap.
//!
//! The test fails, never skips, when etcd cannot be started. `ETCD_SCENARIO=name` runs one;
//! `ETCD_RECORD=1` also writes the real outputs to `etcd/recorded/<name>.json`, which
//! `etcd_replay.rs` checks our side against on machines without etcd.

#[path = "etcd/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "etcd/normalise.rs"]
mod normalise;

use std::path::Path;
use std::sync::Mutex;

#[test]
fn etcdctl_matches_real_etcd() {
    assert!(
        Path::new(harness::ETCD).exists() && Path::new(harness::ETCDCTL).exists(),
        "{} and {} are required: apt-get install etcd-server etcd-client",
        harness::ETCD,
        harness::ETCDCTL
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/etcd");
    let only = std::env::var("ETCD_SCENARIO").ok();
    let mut scenarios: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("core/tests/etcd exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            Some((name, std::fs::read_to_string(&p).ok()?))
        })
        .filter(|(n, _)| only.as_ref().is_none_or(|o| n.contains(o.as_str())))
        .collect();
    scenarios.sort();
    if only.is_none() {
        assert!(scenarios.len() >= 40, "expected at least 40 scenarios, found {}", scenarios.len());
    }
    let queue = Mutex::new(scenarios.clone());
    let failures = Mutex::new(Vec::<String>::new());
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(4).clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some((name, text)) = queue.lock().ok().and_then(|mut q| q.pop()) else { return };
                let result = harness::run_scenario(&name, &text, harness::Oracle::Live);
                let mut f = failures.lock().expect("no worker panics while holding the lock");
                match result {
                    Ok((diffs, recording)) => {
                        if std::env::var_os("ETCD_RECORD").is_some() {
                            let path = dir.join("recorded").join(format!("{name}.json"));
                            if let Err(e) = std::fs::write(&path, recording.to_json()) {
                                f.push(format!("{name}: cannot write {}: {e}", path.display()));
                            }
                        }
                        f.extend(diffs)
                    }
                    Err(e) => f.push(format!("{name}: could not run: {e}")),
                }
            });
        }
    });
    let failures = failures.into_inner().expect("workers are done");
    assert!(failures.is_empty(), "{} difference(s) from real etcd:\n\n{}", failures.len(), failures.join("\n\n"));
}
