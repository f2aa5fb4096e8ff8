//! The non-interactive `etcdctl txn` input: compares, a blank line, success ops, a blank line,
//! failure ops, a blank line. Mirrors `etcdctl/ctlv3/command/txn_command.go`.
//!
//! ```text
//! mod("key") = "5"
//! value("other") != "x"
//!
//! put key new
//! get other
//!
//! del key
//!
//! ```
//!
//! Input that ends before the last blank line fails with `Error: EOF`, as it does in etcdctl.

use crate::store::{Compare, CompareResult, CompareTarget, RequestOp};

/// A txn input problem, printed after `Error: ` with exit code 3 (`ExitInvalidInput`); a text
/// that already holds its own `Error: ` line (after a usage block) is printed as it is.
pub type InputError = String;

/// Splits stdin into lines the way `bufio.Reader.ReadString('\n')` sees them.
pub struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Lines<'a> {
    pub fn new(input: &'a str) -> Self {
        Lines { rest: input }
    }

    /// The next line without its newline, or `EOF` if no complete line is left.
    fn next_line(&mut self) -> Result<&'a str, InputError> {
        let Some(pos) = self.rest.find('\n') else { return Err("EOF".into()) };
        let line = &self.rest[..pos];
        self.rest = &self.rest[pos + 1..];
        Ok(line.trim())
    }
}

/// Reads compares up to the first blank line.
pub fn read_compares(lines: &mut Lines<'_>) -> Result<Vec<Compare>, InputError> {
    let mut out = Vec::new();
    loop {
        let line = lines.next_line()?;
        if line.is_empty() {
            return Ok(out);
        }
        out.push(parse_compare(line)?);
    }
}

/// Reads ops up to the next blank line; `parse_op` turns one line's words into a request or
/// gives the text to print before the error (cobra's usage, or nothing).
pub fn read_ops(
    lines: &mut Lines<'_>,
    parse_op: &dyn Fn(&[String]) -> Result<RequestOp, String>,
) -> Result<Vec<RequestOp>, InputError> {
    let mut out = Vec::new();
    loop {
        let line = lines.next_line()?;
        if line.is_empty() {
            return Ok(out);
        }
        let words = argify(line);
        if words.len() < 2 {
            return Err(format!("invalid txn compare request: {line}"));
        }
        out.push(parse_op(&words).map_err(|usage| format!("{usage}Error: invalid txn request: {line}"))?);
    }
}

/// etcdctl's `argify`: words split on spaces, double-quoted words unquoted Go-style.
pub fn argify(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => word.push('\n'),
                        Some('t') => word.push('\t'),
                        Some(o) => word.push(o),
                        None => {}
                    },
                    c => word.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word);
    }
    out
}

/// Reads a Go `%q` string at the start of `s`, returning it and the rest.
fn quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut it = body.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => match it.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                o => out.push(o),
            },
            c => out.push(c),
        }
    }
    None
}

/// `target("key") op "value"`, e.g. `mod("a") > "3"` or `value("a") = "x"`.
pub fn parse_compare(line: &str) -> Result<Compare, InputError> {
    let malformed = || format!("malformed comparison: {line}");
    let (target, rest) = line.split_once('(').ok_or_else(malformed)?;
    let (key, rest) = quoted(rest).ok_or_else(malformed)?;
    let rest = rest.strip_prefix(')').ok_or_else(malformed)?.trim_start();
    let (op, rest) = rest.split_once(' ').ok_or_else(malformed)?;
    let (val, _) = quoted(rest.trim_start()).ok_or_else(malformed)?;
    let result = match op {
        "=" => CompareResult::Equal,
        "!=" => CompareResult::NotEqual,
        ">" => CompareResult::Greater,
        "<" => CompareResult::Less,
        _ => return Err(malformed()),
    };
    let num = || val.parse::<i64>().map_err(|_| format!("invalid txn compare request: {line}"));
    let target = match target {
        "ver" | "version" => CompareTarget::Version(num()?),
        "c" | "create" => CompareTarget::Create(num()?),
        "m" | "mod" => CompareTarget::Mod(num()?),
        "val" | "value" => CompareTarget::Value(val.clone().into_bytes()),
        "lease" => CompareTarget::Lease(num()?),
        _ => return Err(format!("malformed comparison: {line} (unknown target {target})")),
    };
    Ok(Compare { key: key.into_bytes(), range_end: Vec::new(), result, target })
}
