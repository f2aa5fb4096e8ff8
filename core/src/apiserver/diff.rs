//! What a stage changed, as a short list of JSON paths, for the trace and the pipeline stepper.

use serde_json::Value;

/// Paths added, changed or removed between `before` and `after`, as `+a.b=1`, `~a.b: 1 -> 2`,
/// `-a.b`. Objects are walked; lists and scalars compare whole. At most `max` entries, then `…`.
pub fn changes(before: &Value, after: &Value, max: usize) -> Vec<String> {
    let mut out = Capped::new(max);
    walk(before, after, &mut String::new(), &mut out, false);
    out.finish()
}

/// [`changes`] of a `before` whose `metadata.managedFields` `after` left out but did not
/// change: what [`changes`] lists when `after` has them as `before` has.
pub fn changes_but_managed_fields(before: &Value, after: &Value, max: usize) -> Vec<String> {
    let mut out = Capped::new(max);
    walk(before, after, &mut String::new(), &mut out, true);
    out.finish()
}

/// The first `max` entries of a walk, spelled, and a count of the rest, which are not: a pod's
/// defaults list more changes than the trace shows, and each was spelled (its value serialised)
/// only to be cut. Ends as `… and N more` when there were more.
struct Capped {
    list: Vec<String>,
    max: usize,
    more: usize,
}

impl Capped {
    fn new(max: usize) -> Self {
        Capped { list: Vec::new(), max, more: 0 }
    }

    fn push(&mut self, entry: impl FnOnce() -> String) {
        if self.list.len() < self.max {
            self.list.push(entry());
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.more > 0 {
            self.list.push(format!("… and {} more", self.more));
        }
        self.list
    }
}

/// [`changes`] of two objects that differ at most in their top-level field `key` (`before` and
/// `after` are that field, `None` when absent): the walk of the whole objects would list only it.
pub fn changes_at(key: &str, before: Option<&Value>, after: Option<&Value>, max: usize) -> Vec<String> {
    let mut out = Capped::new(max);
    match (before, after) {
        (None, Some(a)) => out.push(|| format!("+{key}={}", short(a))),
        (Some(b), Some(a)) => walk(b, a, &mut key.to_string(), &mut out, false),
        (Some(_), None) => out.push(|| format!("-{key}")),
        (None, None) => {}
    }
    out.finish()
}

/// A value's JSON, cut to 57 characters and `...` when longer than 60.
fn short(v: &Value) -> String {
    // Only the start is shown, so only the start is written: the writer keeps the first 60
    // characters and stops the serialisation at the 61st, which is enough to know the text is
    // longer than 60. A whole container list was serialised for its first 57 characters, and
    // then 256 bytes of it were.
    let mut w = Short { buf: Vec::with_capacity(64), chars: 0, cut: false };
    let _ = serde_json::to_writer(&mut w, v);
    let s = String::from_utf8_lossy(&w.buf);
    if w.cut {
        let end = s.char_indices().nth(57).map_or(s.len(), |(i, _)| i);
        let mut out = String::with_capacity(end + 3);
        out.push_str(&s[..end]);
        out.push_str("...");
        out
    } else {
        s.into_owned()
    }
}

/// Characters [`short`] keeps: past them the text is cut.
const SHORT_CHARS: usize = 60;

/// A writer that keeps the first [`SHORT_CHARS`] characters and refuses the rest, ending the
/// serialisation (`cut`: there was more). Characters are counted by their first bytes, so a
/// character split across two writes counts once.
struct Short {
    buf: Vec<u8>,
    chars: usize,
    cut: bool,
}

impl std::io::Write for Short {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        for (i, b) in data.iter().enumerate() {
            // A UTF-8 continuation byte (10xxxxxx) does not start a character.
            if b & 0xC0 != 0x80 {
                if self.chars == SHORT_CHARS {
                    self.buf.extend_from_slice(&data[..i]);
                    self.cut = true;
                    return Err(std::io::Error::other("enough for a short value"));
                }
                self.chars += 1;
            }
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `but_managed_fields`: `metadata.managedFields` missing from `after` is not a removal.
fn walk(before: &Value, after: &Value, path: &mut String, out: &mut Capped, but_managed_fields: bool) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, av) in a {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match b.get(k) {
                    None => out.push(|| format!("+{path}={}", short(av))),
                    // An equal subtree lists nothing; comparing it is cheaper than walking it.
                    Some(bv) if bv == av => {}
                    Some(bv) => walk(bv, av, path, out, but_managed_fields && path == "metadata"),
                }
                path.truncate(len);
            }
            let skipped = |k: &str| but_managed_fields && k == "managedFields" && path == "metadata";
            for k in b.keys().filter(|k| !a.contains_key(*k) && !skipped(k)) {
                out.push(|| if path.is_empty() { format!("-{k}") } else { format!("-{path}.{k}") });
            }
        }
        (b, a) if b != a => out.push(|| format!("~{path}: {} -> {}", short(b), short(a))),
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

    /// Leaving `metadata.managedFields` out of `after` lists what keeping them unchanged did.
    #[test]
    fn managed_fields_left_out_are_unchanged() {
        let mf = json!([{"manager": "m", "fieldsV1": {"f:spec": {}}}]);
        let bodies = [
            json!({"metadata": {"name": "a", "managedFields": mf.clone()}, "spec": {"x": 1}}),
            json!({"metadata": {"name": "a", "managedFields": mf.clone(), "labels": {"k": "v"}}, "spec": {"x": 1}}),
            json!({"metadata": {"managedFields": mf.clone()}}),
            json!({"metadata": {"name": "a"}, "spec": {"x": 1}}),
            json!({"metadata": "odd", "managedFields": 1}),
            json!({"spec": {"metadata": {"managedFields": 1}}}),
        ];
        let edits: [fn(&mut Value); 4] = [
            |_| {},
            |v| v["spec"]["y"] = json!(2),
            |v| {
                if let Some(m) = v["metadata"].as_object_mut() {
                    m.remove("name");
                    m.insert("uid".into(), json!("u"));
                }
            },
            |v| {
                if let Some(m) = v["metadata"].as_object_mut() {
                    m.insert("labels".into(), json!({"k": "w"}));
                }
            },
        ];
        for body in &bodies {
            for edit in edits {
                let mut kept = body.clone();
                edit(&mut kept);
                let mut left_out = kept.clone();
                if let Some(m) = left_out.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("managedFields");
                }
                assert_eq!(changes_but_managed_fields(body, &left_out, 12), changes(body, &kept, 12), "{body} -> {kept}");
            }
        }
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
