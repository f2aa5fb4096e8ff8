//! `kubectl diff -f`: what `apply` would change, shown as kubectl shows it. kubectl runs the
//! apply as a server-side dry run (`--dry-run=server`: every stage runs, nothing is stored),
//! writes the live and the merged object as YAML into two temporary directories, `LIVE-<n>` and
//! `MERGED-<n>`, one file per object named `group.version.Kind.namespace.name`, and runs
//! `diff -u -N` on them (`pkg/cmd/diff`). `metadata.managedFields` is left out unless
//! `--show-managed-fields`, and a Secret's values are masked (`***`, or `*** (before)` and
//! `*** (after)` where they differ). Exit status 1 means differences were found.

use crate::api::KindInfo;
use serde_json::Value;

/// Lines of a file compared at most; past it a file counts as wholly replaced (the line table of
/// the comparison grows with the product of both sides).
const MAX_DIFF_LINES: usize = 2_000;
/// Lines of context around each change (`diff -u`).
const CONTEXT: usize = 3;

/// One object's two sides.
pub struct Pair {
    pub kind: &'static KindInfo,
    pub namespace: String,
    pub name: String,
    pub live: Option<Value>,
    pub merged: Value,
}

/// What `kubectl diff` collects while the dry-run apply runs.
pub struct Diff {
    pub show_managed_fields: bool,
    pub pairs: Vec<Pair>,
    /// The two temporary directories' numbers (`os.MkdirTemp`'s random suffix).
    pub dirs: (u32, u32),
    /// The files' modification time, `2026-01-01 00:00:03.000000000 +0000`.
    pub mtime: String,
}

impl Diff {
    /// A diff started at `now`: the directories' numbers come from the clock and the store's
    /// revision, so the same run prints the same names without drawing on the run's RNG.
    pub fn new(show_managed_fields: bool, now: crate::sim::Time, revision: i64) -> Self {
        let seed = now.as_ms().wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (revision as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let dirs = ((seed >> 32) as u32 % 4_000_000_000, (seed as u32) % 4_000_000_000);
        let epoch = 1_767_225_600 + now.as_ms() / 1000;
        let (days, secs) = (epoch / 86_400, epoch % 86_400);
        let (y, m, d) = crate::sim::civil_from_days(days as i64);
        let mtime = format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}000000 +0000", secs / 3600, secs % 3600 / 60, secs % 60, now.as_ms() % 1000);
        Diff { show_managed_fields, pairs: Vec::new(), dirs, mtime }
    }

    /// The whole output: one `diff -u -N` section per object that differs, in file-name order.
    /// `None` when nothing differs.
    pub fn render(&self) -> Option<String> {
        let mut files: Vec<(String, String, String, bool)> = self
            .pairs
            .iter()
            .map(|p| {
                let (live, merged) = self.yaml_pair(p);
                (file_name(p), live, merged, p.live.is_some())
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for (name, live, merged, existed) in files {
            if live == merged {
                continue;
            }
            let (a, b) = (format!("/tmp/LIVE-{}/{name}", self.dirs.0), format!("/tmp/MERGED-{}/{name}", self.dirs.1));
            // `diff -N` reads a missing file as empty, and dates it at the epoch.
            let live_time = if existed { self.mtime.as_str() } else { "1970-01-01 00:00:00.000000000 +0000" };
            out.push_str(&format!("diff -u -N {a} {b}\n--- {a}\t{live_time}\n+++ {b}\t{}\n", self.mtime));
            out.push_str(&unified(&live, &merged));
        }
        (!out.is_empty()).then_some(out)
    }

    /// Both sides as the YAML printer writes them, managed fields out and Secrets masked.
    fn yaml_pair(&self, p: &Pair) -> (String, String) {
        let strip = |v: &Value| crate::cli::printers::omit_managed_fields(v, self.show_managed_fields);
        let mut live = p.live.as_ref().map(strip);
        let mut merged = strip(&p.merged);
        if p.kind.group.is_empty() && p.kind.kind == "Secret" {
            mask_secret(live.as_mut(), &mut merged);
        }
        let yaml = |v: &Value| crate::cli::printers::to_yaml(v);
        (live.as_ref().map(yaml).unwrap_or_default(), yaml(&merged))
    }
}

/// `InfoObject.Name`: `apps.v1.Deployment.default.web`, `v1.Namespace..shop`.
fn file_name(p: &Pair) -> String {
    let group = if p.kind.group.is_empty() { String::new() } else { format!("{}.", p.kind.group) };
    format!("{group}{}.{}.{}.{}", p.kind.version, p.kind.kind, p.namespace, p.name)
}

/// kubectl's `Masker` for Secrets: every value of `data` and `stringData` hidden, marked when
/// it changed.
fn mask_secret(live: Option<&mut Value>, merged: &mut Value) {
    for field in ["data", "stringData"] {
        let before: Option<Value> = live.as_ref().map(|l| l[field].clone());
        if let Some(after) = merged.get_mut(field).and_then(Value::as_object_mut) {
            for (k, v) in after.iter_mut() {
                let same = before.as_ref().is_some_and(|b| b.get(k) == Some(v));
                *v = Value::from(if same || before.as_ref().is_none_or(|b| b.get(k).is_none()) { "***" } else { "*** (after)" });
            }
        }
    }
    let Some(live) = live else { return };
    for field in ["data", "stringData"] {
        let after: Value = merged[field].clone();
        if let Some(before) = live.get_mut(field).and_then(Value::as_object_mut) {
            for (k, v) in before.iter_mut() {
                let changed = after.get(k).is_some_and(|a| a == "*** (after)");
                *v = Value::from(if changed { "*** (before)" } else { "***" });
            }
        }
    }
}

/// What one line of the comparison is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// The hunks of `diff -u` between two texts.
pub fn unified(a: &str, b: &str) -> String {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let ops = edit_script(&a, &b);
    // Each op with the line numbers (1-based) it reads in a and b.
    let mut rows: Vec<(Op, usize, usize)> = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    for op in ops {
        rows.push((op, i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Del => i += 1,
            Op::Add => j += 1,
        }
    }
    let changes: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| r.0 != Op::Same).map(|(k, _)| k).collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changes.len() {
        let start = changes[k].saturating_sub(CONTEXT);
        let mut end = (changes[k] + CONTEXT + 1).min(rows.len());
        k += 1;
        while k < changes.len() && changes[k] <= end + CONTEXT {
            end = (changes[k] + CONTEXT + 1).min(rows.len());
            k += 1;
        }
        let hunk = &rows[start..end];
        let a_len = hunk.iter().filter(|r| r.0 != Op::Add).count();
        let b_len = hunk.iter().filter(|r| r.0 != Op::Del).count();
        let (a_start, b_start) = (hunk.first().map_or(0, |r| r.1), hunk.first().map_or(0, |r| r.2));
        out.push_str(&format!("@@ -{} +{} @@\n", range(a_start, a_len), range(b_start, b_len)));
        for (op, ai, bj) in hunk {
            match op {
                Op::Same => out.push_str(&format!(" {}\n", a.get(*ai).copied().unwrap_or(""))),
                Op::Del => out.push_str(&format!("-{}\n", a.get(*ai).copied().unwrap_or(""))),
                Op::Add => out.push_str(&format!("+{}\n", b.get(*bj).copied().unwrap_or(""))),
            }
        }
    }
    out
}

/// `-6,7`, `-3` for one line, `-0,0` for none (the line before, 0-based there).
fn range(start0: usize, len: usize) -> String {
    match len {
        0 => format!("{start0},0"),
        1 => format!("{}", start0 + 1),
        n => format!("{},{n}", start0 + 1),
    }
}

/// A shortest edit script by the longest common subsequence, deletions before insertions in
/// each changed run, as `diff` prints them.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    if a.len() > MAX_DIFF_LINES || b.len() > MAX_DIFF_LINES {
        return a.iter().map(|_| Op::Del).chain(b.iter().map(|_| Op::Add)).collect();
    }
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the common subsequence of a[i..] and b[j..], in one flat table.
    let mut lcs = vec![0u16; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] { lcs[at(i + 1, j + 1)] + 1 } else { lcs[at(i + 1, j)].max(lcs[at(i, j + 1)]) };
        }
    }
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same);
            i += 1;
            j += 1;
        } else if j >= m || (i < n && lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            ops.push(Op::Del);
            i += 1;
        } else {
            ops.push(Op::Add);
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_hunks_read_as_gnu_diff_prints_them() {
        let a = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let b = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assert_eq!(unified(a, b), "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n");
        assert_eq!(unified("", "x\ny\n"), "@@ -0,0 +1,2 @@\n+x\n+y\n");
        assert_eq!(unified("x\n", "y\n"), "@@ -1 +1 @@\n-x\n+y\n");
        // Changes far apart make two hunks; near ones, one.
        let long_a: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let long_b = long_a.replace("2\n", "two\n").replace("19\n", "nineteen\n");
        assert_eq!(unified(&long_a, &long_b).matches("@@ -").count(), 2);
        let near_b = long_a.replace("5\n", "five\n").replace("9\n", "nine\n");
        assert_eq!(unified(&long_a, &near_b).matches("@@ -").count(), 1);
    }

    #[test]
    fn secrets_are_masked_and_marked_where_they_changed() {
        let mut live = serde_json::json!({"data": {"a": "eA==", "b": "eQ=="}});
        let mut merged = serde_json::json!({"data": {"a": "eA==", "b": "eg==", "c": "dw=="}});
        mask_secret(Some(&mut live), &mut merged);
        assert_eq!(live["data"], serde_json::json!({"a": "***", "b": "*** (before)"}));
        assert_eq!(merged["data"], serde_json::json!({"a": "***", "b": "*** (after)", "c": "***"}));
    }
}
