//! Scenario transcripts: `tests/scenarios/*.txt` are scripts of commands with the output each one
//! must print, compared exactly. Run with `UPDATE_SCENARIOS=1` to rewrite them on purpose.
//!
//! Format: `file NAME <<EOF` ... `EOF` defines an in-memory file; `$ COMMAND` runs a command and is
//! followed by its expected output (stdout then stderr), then `[exit N]` when N is not 0. Lines
//! starting with `# ` before a command are comments and are kept. A `seed N` line sets the seed
//! (before the first command).
//!
//! `SCENARIO=name` (a file stem, or several separated by commas) runs and rewrites only those
//! files, so several people can regenerate their own transcripts side by side.

use kubeplay::cli::MemoryFiles;
use kubeplay::{Cluster, Config};
use std::path::Path;

/// `# text` or a bare `#`; trace records (`#1520 ...`) in expected output are not comments.
fn is_comment(line: &str) -> bool {
    line == "#" || line.starts_with("# ")
}

fn run_scenario(text: &str) -> String {
    let mut out = String::new();
    let mut files = MemoryFiles::new();
    let mut cluster: Option<Cluster> = None;
    let mut seed = 1;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("file ") {
            let name = rest.trim_end_matches("<<EOF").trim().to_string();
            out.push_str(line);
            out.push('\n');
            let mut body = String::new();
            for l in lines.by_ref() {
                out.push_str(l);
                out.push('\n');
                if l == "EOF" {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            files = files.with(&name, body);
        } else if let Some(rest) = line.strip_prefix("seed ") {
            seed = rest.trim().parse().expect("seed N");
            out.push_str(line);
            out.push('\n');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            let cluster = cluster.get_or_insert_with(|| Cluster::new(Config { seed, ..Config::default() }));
            let result = cluster.execute(cmd, &files);
            out.push_str(line);
            out.push('\n');
            out.push_str(&result.stdout);
            out.push_str(&result.stderr);
            if result.exit_code != 0 {
                out.push_str(&format!("[exit {}]\n", result.exit_code));
            }
            // Skip the expected output recorded in the file.
            while lines.peek().is_some_and(|l| !l.starts_with("$ ") && !l.starts_with("file ") && !is_comment(l)) {
                lines.next();
            }
        } else if is_comment(line) || line.trim().is_empty() {
            out.push_str(line);
            out.push('\n');
        } else {
            panic!("scenario line not understood: {line:?}");
        }
    }
    out
}

#[test]
fn scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut names: Vec<_> = std::fs::read_dir(&dir).expect("tests/scenarios").flatten().map(|e| e.path()).collect();
    names.sort();
    let update = std::env::var_os("UPDATE_SCENARIOS").is_some();
    let only: Vec<String> = std::env::var("SCENARIO").map(|s| s.split(',').map(|n| n.trim().to_string()).collect()).unwrap_or_default();
    let chosen = |p: &Path| only.is_empty() || p.file_stem().is_some_and(|s| only.iter().any(|n| s.to_string_lossy() == n.as_str()));
    let mut failures = Vec::new();
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "txt") && chosen(p)) {
        let expected = std::fs::read_to_string(path).expect("read scenario");
        let actual = run_scenario(&expected);
        if actual != expected {
            if update {
                std::fs::write(path, &actual).expect("rewrite scenario");
            } else {
                failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", path.display()));
            }
        }
    }
    assert!(names.len() >= 2, "scenario files are missing");
    assert!(failures.is_empty(), "{} scenario(s) differ (UPDATE_SCENARIOS=1 rewrites):\n{}", failures.len(), failures.join("\n"));
}
