//! YAML syntax colouring for the editor: each line split into spans with a class (key, string,
//! number, comment, ...). Line-based and forgiving: it colours what a learner is typing, however
//! broken, and never changes a character, so the coloured copy lines up with the textarea.

/// A piece of a line and how to colour it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub class: &'static str,
    pub text: String,
}

fn span(class: &'static str, text: &str) -> Span {
    Span { class, text: text.to_string() }
}

/// The class of a scalar value.
fn scalar_class(v: &str) -> &'static str {
    let t = v.trim();
    if t.starts_with('"') || t.starts_with('\'') {
        "str"
    } else if matches!(t, "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "True" | "False") {
        "bool"
    } else if !t.is_empty() && t.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit() || c == '.') && t.chars().any(|c| c.is_ascii_digit()) {
        "num"
    } else if t.starts_with('&') || t.starts_with('*') || t.starts_with('!') {
        "anchor"
    } else if t == "|" || t == ">" || t == "|-" || t == ">-" || t.starts_with('{') || t.starts_with('[') {
        "punct"
    } else {
        "val"
    }
}

/// Where a `# comment` starts, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (i == 0 || prev.is_whitespace()) => return Some(i),
            None => {}
        }
        prev = c;
    }
    None
}

/// Spans of one line; their texts joined give the line back exactly.
pub fn highlight_line(line: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let (code, comment) = match comment_start(line) {
        Some(i) => (&line[..i], Some(&line[i..])),
        None => (line, None),
    };
    if code.trim() == "---" || code.trim() == "..." {
        out.push(span("doc", code));
    } else {
        let indent = code.len() - code.trim_start().len();
        out.push(span("ws", &code[..indent]));
        let mut rest = &code[indent..];
        while let Some(r) = rest.strip_prefix("- ") {
            out.push(span("punct", "- "));
            rest = r;
        }
        if rest == "-" {
            out.push(span("punct", "-"));
            rest = "";
        }
        // `key: value` — the key ends at the first `: ` (or a trailing `:`) outside quotes.
        let key_end = if rest.starts_with('"') || rest.starts_with('\'') {
            None
        } else {
            rest.find(": ").or_else(|| rest.strip_suffix(':').map(|k| k.len()))
        };
        match key_end {
            Some(k) => {
                out.push(span("key", &rest[..k]));
                out.push(span("punct", ":"));
                let value = &rest[k + 1..];
                if !value.is_empty() {
                    out.push(span(scalar_class(value), value));
                }
            }
            None if !rest.is_empty() => out.push(span(scalar_class(rest), rest)),
            None => {}
        }
    }
    if let Some(c) = comment {
        out.push(span("comment", c));
    }
    out.retain(|s| !s.text.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(line: &str) -> Vec<(&'static str, String)> {
        let spans = highlight_line(line);
        assert_eq!(spans.iter().map(|s| s.text.as_str()).collect::<String>(), line, "spans rebuild the line");
        spans.into_iter().map(|s| (s.class, s.text)).collect()
    }

    #[test]
    fn colours_keys_values_and_comments() {
        assert_eq!(classes("  replicas: 3 # three"), [("ws", "  ".into()), ("key", "replicas".into()), ("punct", ":".into()), ("num", " 3 ".into()), ("comment", "# three".into())]);
        assert_eq!(classes("- name: web")[0], ("punct", "- ".into()));
        assert_eq!(classes("---"), [("doc", "---".into())]);
        assert_eq!(classes("image: \"nginx:1.27\"")[2].0, "str");
        assert_eq!(classes("metadata:"), [("key", "metadata".into()), ("punct", ":".into())]);
        assert_eq!(classes("url: http://x#y")[2], ("val", " http://x#y".into()));
        for weird in ["\t\tkey: v", "\"a: b\": c", "- - -", "#", ":", "é: ü", "key:value"] {
            classes(weird);
        }
    }
}
