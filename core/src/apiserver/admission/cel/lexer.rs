//! CEL's lexical grammar (cel-spec `langdef.md`, the tokens of cel-go's `CEL.g4`): identifiers,
//! int/uint/double literals, the four string quotings (with `r` raw prefix) and the operators.
//! Each token keeps its byte offset so errors can point at a column as cel-go does.

use super::CompileError;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(String),
    /// One of the punctuation or keyword operators, as written (`&&`, `in`, `.?`, `[?`).
    Op(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset in the expression.
    pub at: usize,
}

const OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", ".?", "[?", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "[", "]",
    "(", ")", "{", "}",
];

pub fn tokenize(src: &str) -> Result<Vec<Token>, CompileError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // `//` comments run to the end of the line.
        if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        let at = i;
        let raw = (c == b'r' || c == b'R') && matches!(bytes.get(i + 1), Some(b'\'' | b'"'));
        if raw || c == b'\'' || c == b'"' {
            let start = if raw { i + 1 } else { i };
            let (s, end) = string(src, start, raw)?;
            out.push(Token { tok: Tok::Str(s), at });
            i = end;
        } else if c == b'b' && matches!(bytes.get(i + 1), Some(b'\'' | b'"')) {
            return Err(CompileError::syntax(at, "bytes literals are not supported"));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let end = src[i..].find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).map_or(bytes.len(), |n| i + n);
            let word = &src[i..end];
            out.push(Token { tok: if word == "in" { Tok::Op("in") } else { Tok::Ident(word.to_string()) }, at });
            i = end;
        } else if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (tok, end) = number(src, i)?;
            out.push(Token { tok, at });
            i = end;
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push(Token { tok: Tok::Op(op), at });
            i += op.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(CompileError::syntax(at, format!("token recognition error at: '{ch}'")));
        }
    }
    out.push(Token { tok: Tok::Eof, at: bytes.len() });
    Ok(out)
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), CompileError> {
    let bytes = src.as_bytes();
    let bad = || CompileError::syntax(start, "invalid number literal");
    if src[start..].starts_with("0x") || src[start..].starts_with("0X") {
        let end = src[start + 2..].find(|c: char| !c.is_ascii_hexdigit()).map_or(bytes.len(), |n| start + 2 + n);
        let digits = &src[start + 2..end];
        if bytes.get(end).is_some_and(|b| *b == b'u' || *b == b'U') {
            return Ok((Tok::Uint(u64::from_str_radix(digits, 16).map_err(|_| bad())?), end + 1));
        }
        return Ok((Tok::Int(i64::from_str_radix(digits, 16).map_err(|_| bad())?), end));
    }
    let mut end = start;
    let mut is_double = false;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end < bytes.len() && bytes[end] == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        is_double = true;
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut e = end + 1;
        if e < bytes.len() && (bytes[e] == b'+' || bytes[e] == b'-') {
            e += 1;
        }
        if e < bytes.len() && bytes[e].is_ascii_digit() {
            is_double = true;
            end = e;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
        }
    }
    let text = &src[start..end];
    if is_double {
        return Ok((Tok::Double(text.parse().map_err(|_| bad())?), end));
    }
    if bytes.get(end).is_some_and(|b| *b == b'u' || *b == b'U') {
        return Ok((Tok::Uint(text.parse().map_err(|_| bad())?), end + 1));
    }
    Ok((Tok::Int(text.parse().map_err(|_| bad())?), end))
}

/// A quoted string starting at `start` (the quote); returns the text and the offset after it.
fn string(src: &str, start: usize, raw: bool) -> Result<(String, usize), CompileError> {
    let rest = &src[start..];
    let quote = if rest.starts_with("'''") {
        "'''"
    } else if rest.starts_with("\"\"\"") {
        "\"\"\""
    } else if rest.starts_with('\'') {
        "'"
    } else {
        "\""
    };
    let triple = quote.len() == 3;
    let mut out = String::new();
    let mut chars = src[start + quote.len()..].char_indices();
    let base = start + quote.len();
    while let Some((off, ch)) = chars.next() {
        let here = base + off;
        if src[here..].starts_with(quote) {
            return Ok((out, here + quote.len()));
        }
        if ch == '\n' && !triple {
            break;
        }
        if ch == '\\' && !raw {
            let Some((_, esc)) = chars.next() else { break };
            match esc {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'v' => out.push('\u{b}'),
                '\\' | '\'' | '"' | '`' | '?' => out.push(esc),
                'x' | 'u' | 'U' => {
                    let n = match esc {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = chars.by_ref().take(n).map(|(_, c)| c).collect();
                    let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    out.push(code.ok_or_else(|| CompileError::syntax(here, "invalid escape sequence"))?);
                }
                _ => return Err(CompileError::syntax(here, format!("invalid escape sequence: \\{esc}"))),
            }
            continue;
        }
        out.push(ch);
    }
    Err(CompileError::syntax(start, "unterminated string literal"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).map(|t| t.into_iter().map(|t| t.tok).collect()).unwrap_or_default()
    }

    #[test]
    fn literals_and_operators() {
        assert_eq!(
            toks("a.b <= 5 && 'x\\n' in [1u, 2.5e1]"),
            vec![
                Tok::Ident("a".into()),
                Tok::Op("."),
                Tok::Ident("b".into()),
                Tok::Op("<="),
                Tok::Int(5),
                Tok::Op("&&"),
                Tok::Str("x\n".into()),
                Tok::Op("in"),
                Tok::Op("["),
                Tok::Uint(1),
                Tok::Op(","),
                Tok::Double(25.0),
                Tok::Op("]"),
                Tok::Eof
            ]
        );
        assert_eq!(toks("r'\\d+'"), vec![Tok::Str("\\d+".into()), Tok::Eof]);
        assert_eq!(toks("'''a'b'''"), vec![Tok::Str("a'b".into()), Tok::Eof]);
        assert!(tokenize("'open").is_err());
        assert!(tokenize("a # b").is_err());
        assert!(tokenize("99999999999999999999").is_err());
    }
}
