//! `-o yaml` as kubectl writes it: sigs.k8s.io/yaml over go-yaml v2. Keys sorted, block style,
//! sequences not indented under their key, strings quoted with double quotes when YAML 1.1 would
//! read them as something else (`"7"`, `"true"`, timestamps), single quotes when they cannot be
//! plain (leading indicators, `: `, ` #`), and multi-line strings as literal blocks.

use serde_json::Value;

/// The whole document, ending in a newline.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => mapping(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => sequence(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

fn mapping(m: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&pad(indent));
        out.push_str(&string(k, indent));
        out.push(':');
        value_after_key(v, indent, out);
    }
}

/// What follows `key:`: a nested block on the next lines, or ` scalar`.
fn value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            mapping(m, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            sequence(a, indent, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 2));
            out.push('\n');
        }
    }
}

fn sequence(a: &[Value], indent: usize, out: &mut String) {
    for item in a {
        out.push_str(&pad(indent));
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => {
                // The first key shares the dash's line; the rest align under it.
                let mut first = true;
                for (k, v) in m {
                    if !first {
                        out.push_str(&pad(indent + 2));
                    }
                    first = false;
                    out.push_str(&string(k, indent + 2));
                    out.push(':');
                    value_after_key(v, indent + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(inner, indent + 2, out);
            }
            other => {
                out.push_str(&scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, indent),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// True when go-yaml v2's resolver would read the plain text as something other than a string.
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
        "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
        "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if s.is_empty() || SPECIAL.contains(&s) {
        return true;
    }
    let plain = s.replace('_', "");
    let digits = plain.trim_start_matches(['+', '-']);
    let is_int = !digits.is_empty()
        && (digits.chars().all(|c| c.is_ascii_digit())
            || digits.strip_prefix("0x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || digits.strip_prefix("0b").is_some_and(|b| !b.is_empty() && b.chars().all(|c| c == '0' || c == '1')));
    let is_float = {
        let (mantissa, exp) = match digits.find(['e', 'E']) {
            Some(i) => (&digits[..i], Some(&digits[i + 1..])),
            None => (digits, None),
        };
        let m_ok = match mantissa.split_once('.') {
            Some((a, b)) => a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit()) && !(a.is_empty() && b.is_empty()),
            None => !mantissa.is_empty() && mantissa.chars().all(|c| c.is_ascii_digit()),
        };
        let e_ok = exp.is_none_or(|e| {
            let e = e.trim_start_matches(['+', '-']);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        });
        m_ok && e_ok && !digits.is_empty()
    };
    let is_timestamp = {
        let b = s.as_bytes();
        b.len() >= 8 && b[0..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && s[5..].split(['-', 'T', 't', ' ']).next().is_some_and(|m| !m.is_empty() && m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()))
    };
    is_int || is_float || is_timestamp
}

/// Whether libyaml's emitter allows the text as a plain scalar in block context.
fn plain_allowed(s: &str) -> bool {
    if s.is_empty() || s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-`, `?` and `:` may start a plain scalar only when followed by a non-space.
        let second = s.chars().nth(1);
        if !(matches!(first, '-' | '?' | ':') && second.is_some_and(|c| c != ' ')) {
            return false;
        }
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return false;
    }
    s.chars().all(|c| !c.is_control())
}

fn string(s: &str, indent: usize) -> String {
    if s.contains('\n') {
        let chomp = if s.ends_with('\n') { "" } else { "-" };
        let body = s.strip_suffix('\n').unwrap_or(s);
        let lead_space = body.starts_with(' ');
        let hint = if lead_space { "2" } else { "" };
        let mut out = format!("|{hint}{chomp}");
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad(indent));
                out.push_str(line);
            }
        }
        return out;
    }
    if resolves_to_non_string(s) {
        return format!("{s:?}");
    }
    if plain_allowed(s) {
        return s.to_string();
    }
    if s.chars().any(|c| c.is_control()) {
        return format!("{s:?}");
    }
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_like_kubectl() {
        let v = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "resourceVersion": "7", "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {}, "annotations": {"a": "{\"x\":1}\n"}},
            "spec": {"containers": [{"name": "nginx", "ports": [{"containerPort": 80}], "args": ["-c", "echo hi; sleep 1", "*", ""]}], "enableServiceLinks": true},
        });
        let expected = "apiVersion: v1
kind: Pod
metadata:
  annotations:
    a: |
      {\"x\":1}
  creationTimestamp: \"2026-01-01T00:00:00Z\"
  labels: {}
  name: web
  resourceVersion: \"7\"
spec:
  containers:
  - args:
    - -c
    - echo hi; sleep 1
    - '*'
    - \"\"
    name: nginx
    ports:
    - containerPort: 80
  enableServiceLinks: true
";
        assert_eq!(to_yaml(&v), expected);
    }

    #[test]
    fn quoting_rules() {
        for (s, want) in [("true", "\"true\""), ("yes", "\"yes\""), ("10.96.0.1", "10.96.0.1"), ("1.5", "\"1.5\""), ("25%", "25%"), ("a: b", "'a: b'"), ("", "\"\""), ("0644", "\"0644\""), ("nginx:1.27", "nginx:1.27")] {
            assert_eq!(string(s, 0), want, "{s}");
        }
    }
}
