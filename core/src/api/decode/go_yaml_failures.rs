//! go-yaml v2 failures that libyaml (and so serde_yaml) words differently, as kubectl prints them
//! after `error converting YAML to JSON: yaml: `.
//!
//! - An alias to an anchor that is not defined: go-yaml's decoder fails with `unknown anchor
//!   'nope' referenced`, without a line (`decode.go`, `parser.alias` and `failf`).
//! - An alias inside the node its anchor names (`a: &x {b: *x}`): go-yaml registers an anchor when
//!   its node starts, so the alias resolves and the decoder then fails with `anchor 'x' value
//!   contains itself`; libyaml registers it when the node ends and reports an unknown anchor.
//! - Too many alias expansions (the billion laughs): go-yaml v2.4's ratio check fails with
//!   `document contains excessive aliasing` (the fix for CVE-2019-11253); serde_yaml's own bound
//!   says `repetition limit exceeded`.
//! - Nesting: go-yaml's scanner refuses a flow collection 10,001 deep with `exceeded max depth of
//!   10000` (`max_flow_level`, `yaml_parser_increase_flow_level`), naming the line as for any
//!   scanner error. serde_yaml stops far earlier, at 128 levels.

/// libyaml's problem text as go-yaml v2 spells it (its port keeps libyaml 0.1's "hexdecimal").
pub(super) fn spelled_as_go_yaml(message: &str) -> String {
    message.replace("expected hexadecimal number", "expected hexdecimal number")
}

/// go-yaml's `max_flow_level` (scannerc.go).
const MAX_FLOW_LEVEL: usize = 10_000;

/// What go-yaml would say instead of serde_yaml's `message` (the text before ` at line`), given
/// the document text serde_yaml read and the one-based line and column it pointed at. None when
/// serde_yaml's problem is worded as go-yaml words it already.
pub(super) fn reword(message: &str, text: &str, line: usize, column: usize) -> Option<String> {
    match message {
        "unknown anchor" => {
            let (at, name) = alias_at(text, line, column)?;
            let defined_before = text[..at].contains(&format!("&{name}"));
            Some(if defined_before {
                format!("anchor '{name}' value contains itself")
            } else {
                format!("unknown anchor '{name}' referenced")
            })
        }
        "repetition limit exceeded" => Some("document contains excessive aliasing".to_string()),
        // A reader error: go-yaml keeps no mark for it, so neither line nor position is named.
        m if m.starts_with("control characters are not allowed") => Some("control characters are not allowed".to_string()),
        "recursion limit exceeded" => too_deep_line(text).map(|zero_based| {
            // A scanner error: go-yaml adds one to a non-zero line and names none on the first.
            if zero_based == 0 {
                format!("exceeded max depth of {MAX_FLOW_LEVEL}")
            } else {
                format!("line {}: exceeded max depth of {MAX_FLOW_LEVEL}", zero_based + 1)
            }
        }),
        _ => None,
    }
}

/// The byte offset and name of the alias (`*name`) at a one-based line and column.
fn alias_at(text: &str, line: usize, column: usize) -> Option<(usize, String)> {
    let line_start: usize = text.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
    let line_text = text.get(line_start..)?.lines().next()?;
    let (col_byte, _) = line_text.char_indices().nth(column.checked_sub(1)?)?;
    let rest = line_text.get(col_byte..)?.strip_prefix('*')?;
    let name: String = rest.chars().take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c)).collect();
    (!name.is_empty()).then_some((line_start + col_byte, name))
}

/// The zero-based line on which flow collections first nest deeper than go-yaml allows, skipping
/// quoted scalars and comments; None when they never do.
fn too_deep_line(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 0usize;
    let mut chars = text.chars().peekable();
    let mut previous = '\n';
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '#' if previous.is_whitespace() => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' if chars.next() == Some('\n') => line += 1,
                        '\n' => line += 1,
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                        }
                        '\'' => break,
                        '\n' => line += 1,
                        _ => {}
                    }
                }
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_LEVEL {
                    return Some(line);
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_unknown_and_self_containing() {
        let text = "a: 1\nb: *nope\n";
        assert_eq!(reword("unknown anchor", text, 2, 4).as_deref(), Some("unknown anchor 'nope' referenced"));
        let text = "a: &x {b: *x}\n";
        assert_eq!(reword("unknown anchor", text, 1, 11).as_deref(), Some("anchor 'x' value contains itself"));
        // A position that holds no alias leaves serde_yaml's words alone.
        assert_eq!(reword("unknown anchor", text, 9, 1), None);
    }

    #[test]
    fn aliasing_and_depth() {
        assert_eq!(reword("repetition limit exceeded", "", 1, 1).as_deref(), Some("document contains excessive aliasing"));
        assert_eq!(reword("control characters are not allowed at position 62", "", 1, 1).as_deref(), Some("control characters are not allowed"));
        assert_eq!(spelled_as_go_yaml("did not find expected hexadecimal number"), "did not find expected hexdecimal number");
        let deep = format!("a: 1\nb: {}\n", "[".repeat(MAX_FLOW_LEVEL + 1));
        assert_eq!(reword("recursion limit exceeded", &deep, 2, 4).as_deref(), Some("line 2: exceeded max depth of 10000"));
        let first = "[".repeat(MAX_FLOW_LEVEL + 1);
        assert_eq!(reword("recursion limit exceeded", &first, 1, 1).as_deref(), Some("exceeded max depth of 10000"));
        // Brackets in quotes and comments do not count; 200 levels are within go-yaml's bound.
        let quoted = format!("a: '{}'\nb: \"{}\" # {}\n", "[".repeat(20_000), "{".repeat(20_000), "[".repeat(20_000));
        assert_eq!(too_deep_line(&quoted), None);
        assert_eq!(reword("recursion limit exceeded", &"[".repeat(200), 1, 1), None);
    }
}
