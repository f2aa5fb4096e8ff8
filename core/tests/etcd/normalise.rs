//! What the conformance harness normalises before comparing, and why: each of these differs
//! between two runs of the same real etcd, so no implementation could match it byte for byte.

/// `25 kB` and the like (go-humanize sizes) become `<db> kB`.
pub fn replace_kb(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split(" kB").enumerate() {
        if i > 0 {
            out.push_str(" kB");
        }
        let digits = part.chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.').count();
        if digits > 0 && i + 1 < s.split(" kB").count() {
            out.push_str(&part[..part.len() - digits]);
            out.push_str("<db>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// etcd lists a lease's keys from a Go map, in random order; sort them on both sides.
pub fn sort_lease_keys(s: &str) -> String {
    let mut out = s.to_string();
    for (open, close, sep) in [("attached keys([", "])", " "), ("\"keys\":[", "]", ",")] {
        if let Some(a) = out.find(open) {
            let start = a + open.len();
            if let Some(len) = out[start..].find(close) {
                let mut items: Vec<&str> = out[start..start + len].split(sep).collect();
                items.sort_unstable();
                let joined = items.join(sep);
                out.replace_range(start..start + len, &joined);
            }
        }
    }
    out
}

pub fn replace_number_after(s: &str, prefix: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find(prefix) {
        out.push_str(&rest[..p + prefix.len()]);
        rest = &rest[p + prefix.len()..];
        let n = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 && rest[..n] != *"0" {
            out.push_str(with);
            rest = &rest[n..];
        }
    }
    out + rest
}

/// Replaces in `ours` each number after `prefix` with the real one when they differ by ≤ 1 s.
pub fn tolerate(real: &str, ours: &str, prefix: &str) -> String {
    let nums = |s: &str| -> Vec<i64> {
        s.match_indices(prefix)
            .filter_map(|(i, _)| {
                let d: String = s[i + prefix.len()..].chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
                d.parse().ok()
            })
            .collect()
    };
    let (r, o) = (nums(real), nums(ours));
    let mut out = ours.to_string();
    for (a, b) in r.iter().zip(&o) {
        if a != b && (a - b).abs() <= 1 {
            out = out.replacen(&format!("{prefix}{b}"), &format!("{prefix}{a}"), 1);
        }
    }
    out
}

pub fn strip_client_logs(s: &str) -> String {
    s.split_inclusive('\n').filter(|l| !l.starts_with("{\"level\":")).collect()
}


/// A snapshot's hash is over bbolt's file pages, which only bbolt can reproduce.
pub fn hide_snapshot_hash(s: &str) -> String {
    let s = replace_number_after(s, "\"hash\":", "<hash>");
    s.split_inclusive('\n')
        .map(|line| match line.split_once(", ") {
            Some((first, rest)) if line.matches(", ").count() == 3 && first.chars().all(|c| c.is_ascii_hexdigit()) => {
                format!("<hash>, {rest}")
            }
            _ => line.to_string(),
        })
        .collect()
}

/// `-w table` pads every column to its widest cell, and the member ID is random: printed as `%x`,
/// it has 15 hex digits instead of 16 one time in sixteen, which narrows its column. Table lines
/// (`+---+`, `| a |`) are compared with runs of dashes and of spaces collapsed to one.
pub fn collapse_table_padding(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        if !(line.starts_with('+') || line.starts_with('|')) {
            out.push_str(line);
            continue;
        }
        let mut last = '\0';
        for c in line.chars() {
            if (c == '-' || c == ' ') && c == last {
                continue;
            }
            out.push(c);
            last = c;
        }
    }
    out
}

#[test]
fn a_narrower_id_column_compares_equal() {
    let wide = "+------------------+\n|        ID        |\n| <member_id> |\n+------------------+\n";
    let narrow = "+-----------------+\n|       ID        |\n| <member_id> |\n+-----------------+\n";
    assert_eq!(collapse_table_padding(wide), collapse_table_padding(narrow));
    assert_eq!(collapse_table_padding("a  b\n"), "a  b\n");
}
