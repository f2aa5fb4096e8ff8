//! Every real manifest of `../shared/corpus` through `kubectl apply -f`, each in a fresh cluster.
//!
//! `corpus-outcomes.txt` records, per file, the exit status and the first line kubectl printed on
//! stderr; the test compares the whole list, so any change of outcome is seen and reviewed
//! (`UPDATE_CORPUS=1` rewrites it on purpose). The corpus lives beside the repository, in the
//! shared folder CI provides; without it the test fails under CI and only warns elsewhere.

use kubeplay::cli::Files;
use kubeplay::{Cluster, Config};
use std::path::{Path, PathBuf};

struct Disk;

impl Files for Disk {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| format!("open {path}: {e}"))
    }
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            manifests(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_outcomes() {
    let root = corpus_root();
    if !root.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing at {}", root.display());
        eprintln!("warning: no corpus at {}; skipping", root.display());
        return;
    }
    let mut files = Vec::new();
    manifests(&root, &mut files);
    assert!(files.len() > 600, "the corpus has {} files", files.len());
    let mut outcomes = String::new();
    let (mut ok, mut failed) = (0, 0);
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let mut cluster = Cluster::new(Config::default());
        let out = cluster.execute(&format!("kubectl apply -f '{}'", path.display()), &Disk);
        let first = out.stderr.lines().next().unwrap_or("").replace(&format!("{}/", root.display()), "");
        let first: String = first.chars().take(200).collect();
        outcomes.push_str(&format!("{} {rel} | {first}\n", out.exit_code));
        if out.success() {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-outcomes.txt");
    let header = format!("# {} files: {ok} applied, {failed} failed\n", files.len());
    let actual = header + &outcomes;
    if std::env::var_os("UPDATE_CORPUS").is_some() {
        std::fs::write(&golden, &actual).expect("write corpus-outcomes.txt");
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(e, a)| e != a)
            .take(20)
            .map(|(e, a)| format!("- {e}\n+ {a}"))
            .collect();
        panic!("corpus outcomes changed (UPDATE_CORPUS=1 rewrites after review):\n{}", diff.join("\n"));
    }
}

/// The files the corpus README names as broken fail the way kubectl fails.
#[test]
fn known_broken_files_fail_as_kubectl_does() {
    let root = corpus_root().join("kubernetes-website-examples");
    if !root.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing");
        return;
    }
    let cases = [
        ("controllers/job-pod-failure-policy-ignore.yaml", "yaml: line 24: found a tab character that violates indentation"),
        ("pods/inject/pod-multiple-secret-env-variable.yaml", "found a tab character"),
        ("pods/inject/envars-file-container.yaml", "found unknown escape character"),
        ("pods/inject/pod-single-secret-env-variable.yaml", "Object 'apiVersion' is missing"),
        ("pods/pod-with-node-affinity.yaml", "json: cannot unmarshal array into Go struct field"),
        ("application/job/cronjob.yaml", "no matches for kind \"CronJob\" in version \"batch/v1beta1\""),
    ];
    for (file, needle) in cases {
        let mut cluster = Cluster::new(Config::default());
        let out = cluster.execute(&format!("kubectl apply -f '{}'", root.join(file).display()), &Disk);
        assert_eq!(out.exit_code, 1, "{file} must fail");
        assert!(out.stderr.contains(needle), "{file}: {}", out.stderr);
    }
}
