//! The two text functions of kubectl explain's templates (`pkg/explain/v2/funcs.go`): `wrap`,
//! which is mitchellh/go-wordwrap's `WrapString` (v1.0.1) behind kubectl's `NewWordWrapWriter`,
//! and `indent`.

/// `wordwrap.WrapString(s, limit)`: breaks lines at whitespace so they fit in `limit`
/// characters where the words allow, keeps the text's own newlines, never splits a word (a word
/// longer than the limit gets a line of its own), and does not break at a non-breaking space.
pub fn wrap(s: &str, limit: usize) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 64);
    let mut current = 0usize;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for c in s.chars() {
        if c == '\n' {
            if word.is_empty() {
                // Trailing spaces that would overflow the line are dropped.
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
            }
            space.clear();
            word.clear();
            (space_len, word_len) = (0, 0);
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
                (space_len, word_len) = (0, 0);
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + word_len + space_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

/// `indent amount str`: the pad before the text and after every newline (so a trailing newline
/// leaves a line of spaces, as kubectl's output has before `FIELDS:`).
pub fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    let mut out = String::with_capacity(text.len() + amount * (1 + text.len() / 40));
    out.push_str(&pad);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from go-wordwrap's wordwrap_test.go.
    #[test]
    fn wraps_as_go_wordwrap_does() {
        let cases: &[(&str, &str, usize)] = &[
            ("foo", "foo", 4),
            ("foobarbaz", "foobarbaz", 4),
            ("foo bar baz", "foo\nbar\nbaz", 4),
            ("foo bars bazzes", "foo\nbars\nbazzes", 4),
            ("fo sop", "fo\nsop", 4),
            ("foo bar\u{a0}baz", "foo\nbar\u{a0}baz", 10),
            ("foo\nb\t r\n baz", "foo\nb\t r\n baz", 4),
            ("foo    \nb   ar   ", "foo\nb\nar", 4),
            ("foo bar baz\n", "foo\nbar\nbaz\n", 4),
            ("\nfoo bar\n\n\nbaz\n", "\nfoo\nbar\n\n\nbaz\n", 4),
            (" This is a list: \n\n\t* foo\n\t* bar\n\n\n\t* baz  \nBAM    ", " This\nis a\nlist: \n\n\t* foo\n\t* bar\n\n\n\t* baz\nBAM", 6),
            ("\u{2584} \u{2584} \u{2584} \u{2584} ", "\u{2584} \u{2584}\n\u{2584} \u{2584} ", 4),
        ];
        for (input, output, limit) in cases {
            assert_eq!(wrap(input, *limit), *output, "{input:?}");
        }
    }

    #[test]
    fn indents_after_every_newline() {
        assert_eq!(indent(4, "a\nb\n"), "    a\n    b\n    ");
        assert_eq!(indent(2, ""), "  ");
    }
}
