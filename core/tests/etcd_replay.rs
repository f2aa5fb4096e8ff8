//! The conformance scenarios replayed against the real etcd's recorded outputs
//! (`etcd/recorded/*.json`, written by `ETCD_RECORD=1 cargo test --test etcd_conformance`), so
//! machines without etcd still check every line, in well under a second and without sleeping.

#[path = "etcd/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "etcd/normalise.rs"]
mod normalise;

use std::path::Path;

#[test]
fn etcdctl_matches_recorded_real_etcd() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/etcd");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("core/tests/etcd exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "expected at least 40 scenarios, found {}", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let script = std::fs::read_to_string(dir.join(format!("{name}.txt"))).expect("readable scenario");
        let recorded = dir.join("recorded").join(format!("{name}.json"));
        let Ok(json) = std::fs::read_to_string(&recorded) else {
            failures.push(format!("{name}: no recording at {} (ETCD_RECORD=1 cargo test --test etcd_conformance)", recorded.display()));
            continue;
        };
        let result = harness::Recording::from_json(&json)
            .and_then(|rec| harness::run_scenario(name, &script, harness::Oracle::Replay(rec)));
        match result {
            Ok((diffs, _)) => failures.extend(diffs),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} difference(s) from recorded etcd:\n\n{}", failures.len(), failures.join("\n\n"));
}
