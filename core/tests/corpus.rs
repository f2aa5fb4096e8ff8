//! Every real manifest of `../shared/corpus` through `kubectl apply -f`, each in a fresh cluster,
//! checked against `corpus-expected.tsv`: the outcome real kubectl and kube-apiserver give.
//!
//! The table was worked out from the manifests, `../shared/reference/kubernetes-facts.md` and the
//! Kubernetes source (kubectl's `apply.go` and `helpers.go`, cli-runtime's builder visitors and
//! mapper, apimachinery's YAML reader and strict decoder, the API validation code), never from this
//! code's output; each row says why in its last column. One row per file: exit status, what kubectl
//! prints on stdout (a `created` line per applied object) and on stderr (every error, in the order
//! kubectl prints them), with `\n` for newlines. `Warning:` lines are left out of the comparison
//! (server warnings are not part of the table yet).
//!
//! A disagreement is a bug in the code or in the table: decide by the Kubernetes source and fix
//! whichever is wrong, never by copying our output into the table. `CORPUS_ACTUAL=<file>` writes
//! what this code printed, in the table's format, to help reading the disagreements.
//!
//! The corpus lives beside the repository, in the shared folder CI provides; without it the test
//! fails under CI and only warns elsewhere.

use kubeplay::{Cluster, Config};
use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{corpus_root, manifests, Corpus};

/// One file's outcome: exit status, stdout and stderr (without `Warning:` lines).
#[derive(Debug, PartialEq, Eq, Clone)]
struct Outcome {
    exit: i32,
    stdout: String,
    stderr: String,
}

fn escape(s: &str) -> String {
    s.trim_end_matches('\n').replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn without_warnings(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.starts_with("Warning: ")).collect();
    lines.join("\n")
}

/// The table: path -> expected outcome.
fn expected_table() -> BTreeMap<String, Outcome> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-expected.tsv");
    let text = std::fs::read_to_string(&path).expect("read corpus-expected.tsv");
    let mut table = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() == 5, "corpus-expected.tsv line {}: {} columns, want 5", n + 1, cols.len());
        let exit = cols[1].parse().unwrap_or_else(|_| panic!("line {}: exit {:?}", n + 1, cols[1]));
        let outcome = Outcome { exit, stdout: unescape(cols[2]), stderr: unescape(cols[3]) };
        assert!(!cols[4].trim().is_empty(), "line {}: every row says why", n + 1);
        assert!(table.insert(cols[0].to_string(), outcome).is_none(), "line {}: {} twice", n + 1, cols[0]);
    }
    table
}

fn apply(root: &Path, rel: &str) -> Outcome {
    let mut cluster = Cluster::new(Config::default());
    let out = cluster.execute(&format!("kubectl apply -f '{rel}'"), &Corpus(root.to_path_buf()));
    Outcome {
        exit: out.exit_code,
        stdout: out.stdout.trim_end_matches('\n').to_string(),
        stderr: without_warnings(&out.stderr),
    }
}

#[test]
fn corpus_matches_the_expected_outcomes() {
    let root = corpus_root();
    if !root.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing at {}", root.display());
        eprintln!("warning: no corpus at {}; skipping", root.display());
        return;
    }
    let mut files = Vec::new();
    manifests(&root, &mut files);
    assert!(files.len() > 600, "the corpus has {} files", files.len());
    let expected = expected_table();
    let mut problems = Vec::new();
    let mut actual_rows = String::new();
    let (mut ok, mut failed) = (0, 0);
    let mut seen = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let actual = apply(&root, &rel);
        if actual.exit == 0 {
            ok += 1;
        } else {
            failed += 1;
        }
        actual_rows.push_str(&format!(
            "{rel}\t{}\t{}\t{}\t-\n",
            actual.exit,
            escape(&actual.stdout),
            escape(&actual.stderr)
        ));
        match expected.get(&rel) {
            None => problems.push(format!("{rel}: no row in corpus-expected.tsv")),
            Some(want) if *want != actual => problems.push(format!(
                "{rel}:\n  want exit {} stdout {:?}\n       stderr {:?}\n  got  exit {} stdout {:?}\n       stderr {:?}",
                want.exit, want.stdout, want.stderr, actual.exit, actual.stdout, actual.stderr
            )),
            Some(_) => {}
        }
        seen.push(rel);
    }
    for rel in expected.keys() {
        if !seen.contains(rel) {
            problems.push(format!("{rel}: row for a file the corpus does not have"));
        }
    }
    if let Some(out) = std::env::var_os("CORPUS_ACTUAL") {
        std::fs::write(out, &actual_rows).expect("write CORPUS_ACTUAL");
    }
    eprintln!("{} files: {ok} applied, {failed} failed", files.len());
    assert!(problems.is_empty(), "{} of {} files disagree with corpus-expected.tsv:\n{}", problems.len(), files.len(), problems.join("\n"));
}

/// The files the corpus README names as broken fail the way kubectl fails.
#[test]
fn known_broken_files_fail_as_kubectl_does() {
    let root = corpus_root();
    if !root.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing");
        return;
    }
    let cases = [
        ("controllers/job-pod-failure-policy-ignore.yaml", "found a tab character that violates indentation"),
        ("pods/inject/pod-multiple-secret-env-variable.yaml", "found a tab character"),
        ("pods/inject/envars-file-container.yaml", "found unknown escape character"),
        ("pods/inject/pod-single-secret-env-variable.yaml", "error validating data: apiVersion not set"),
        ("pods/pod-with-node-affinity.yaml", "json: cannot unmarshal array into Go struct field"),
        ("application/job/cronjob.yaml", "no matches for kind \"CronJob\" in version \"batch/v1beta1\""),
    ];
    for (file, needle) in cases {
        let out = apply(&root, &format!("kubernetes-website-examples/{file}"));
        assert_eq!(out.exit, 1, "{file} must fail");
        assert!(out.stderr.contains(needle), "{file}: {}", out.stderr);
    }
}
