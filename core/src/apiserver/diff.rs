//! What a stage changed, as a short list of JSON paths, for the trace and the pipeline stepper.

use serde_json::Value;

/// Paths added, changed or removed between `before` and `after`, as `+a.b=1`, `~a.b: 1 -> 2`,
/// `-a.b`. Objects are walked; lists and scalars compare whole. At most `max` entries, then `…`.
pub fn changes(before: &Value, after: &Value, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    walk(before, after, &mut String::new(), &mut out);
    if out.len() > max {
        let more = out.len() - max;
        out.truncate(max);
        out.push(format!("… and {more} more"));
    }
    out
}

/// [`changes`] of two objects that differ at most in their top-level field `key` (`before` and
/// `after` are that field, `None` when absent): the walk of the whole objects would list only it.
pub fn changes_at(key: &str, before: Option<&Value>, after: Option<&Value>, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    match (before, after) {
        (None, Some(a)) => out.push(format!("+{key}={}", short(a))),
        (Some(b), Some(a)) => walk(b, a, &mut key.to_string(), &mut out),
        (Some(_), None) => out.push(format!("-{key}")),
        (None, None) => {}
    }
    if out.len() > max {
        let more = out.len() - max;
        out.truncate(max);
        out.push(format!("… and {more} more"));
    }
    out
}

/// A value's JSON, cut to 57 characters and `...` when longer than 60.
fn short(v: &Value) -> String {
    // Only the start is shown, so only the start is written: past `CAP` bytes the text has more
    // than 60 characters (a character is at most 4 bytes), and its first 57 are whole within
    // the first 228 bytes. A whole container list was serialised for its first 57 characters.
    const CAP: usize = 256;
    let mut w = Capped { buf: Vec::with_capacity(64), cap: CAP, cut: false };
    let _ = serde_json::to_writer(&mut w, v);
    let s = String::from_utf8_lossy(&w.buf);
    if w.cut || s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s.into_owned()
    }
}

/// A writer that keeps the first `cap` bytes and then refuses, ending the serialisation.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
    cut: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.cap.saturating_sub(self.buf.len());
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.cut = true;
            return Err(std::io::Error::other("enough for a short value"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn walk(before: &Value, after: &Value, path: &mut String, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, av) in a {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match b.get(k) {
                    None => out.push(format!("+{path}={}", short(av))),
                    // An equal subtree lists nothing; comparing it is cheaper than walking it.
                    Some(bv) if bv == av => {}
                    Some(bv) => walk(bv, av, path, out),
                }
                path.truncate(len);
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                out.push(format!("-{p}"));
            }
        }
        (b, a) if b != a => out.push(format!("~{path}: {} -> {}", short(b), short(a))),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_changes() {
        let b = json!({"spec": {"replicas": 1, "x": 1}});
        let a = json!({"spec": {"replicas": 3, "strategy": {"type": "RollingUpdate"}}});
        assert_eq!(changes(&b, &a, 10), ["~spec.replicas: 1 -> 3", "+spec.strategy={\"type\":\"RollingUpdate\"}", "-spec.x"]);
        assert_eq!(changes(&b, &a, 1).len(), 2);
    }

    /// The capped serialisation shows what cutting the whole text did, at every length and
    /// with multi-byte characters on either side of the cut.
    #[test]
    fn short_values_are_cut_as_the_whole_text_was() {
        let whole = |v: &Value| {
            let s = serde_json::to_string(v).unwrap_or_default();
            if s.chars().count() > 60 {
                format!("{}...", s.chars().take(57).collect::<String>())
            } else {
                s
            }
        };
        for n in 0..300 {
            for unit in ["a", "é", "€", "𝄞"] {
                let text = unit.repeat(n);
                for v in [json!(text), json!([text, 1]), json!({"k": text, "z": [1, 2, {"y": null}]})] {
                    assert_eq!(short(&v), whole(&v), "{n} x {unit}");
                }
            }
        }
    }
}
