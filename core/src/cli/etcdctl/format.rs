//! Byte and number formatting as Go prints it: base64 for `[]byte` in JSON, `%q` quoting,
//! JSON string escapes, and go-humanize's byte sizes.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as Go's `encoding/json` writes a `[]byte`.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A JSON string literal as Go's `encoding/json` writes it (HTML-safe escapes included).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%q` (`strconv.Quote`) of a byte string.
pub fn go_quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut rest = bytes;
    while !rest.is_empty() {
        let (c, len) = match std::str::from_utf8(&rest[..rest.len().min(4)]) {
            Ok(s) => first_char(s),
            Err(e) if e.valid_up_to() > 0 => {
                // Only the prefix is valid UTF-8; take its first character.
                first_char(std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or(""))
            }
            Err(_) => (None, 1),
        };
        match c {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\x07') => out.push_str("\\a"),
            Some('\x08') => out.push_str("\\b"),
            Some('\x0c') => out.push_str("\\f"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some('\x0b') => out.push_str("\\v"),
            Some(c) if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            Some(c) if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            Some(c) => out.push(c),
            None => out.push_str(&format!("\\x{:02x}", rest[0])),
        }
        rest = &rest[len.max(1)..];
    }
    out.push('"');
    out
}

fn first_char(s: &str) -> (Option<char>, usize) {
    match s.chars().next() {
        Some(c) => (Some(c), c.len_utf8()),
        None => (None, 1),
    }
}

/// go-humanize's `Bytes`: SI units, one decimal below 10 ("1.5 kB"), none above ("20 kB").
pub fn humanize_bytes(n: u64) -> String {
    if n < 10 {
        return format!("{n} B");
    }
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let nf = n as f64;
    let e = (nf.ln() / 1000f64.ln()).floor();
    let unit = units.get(e as usize).copied().unwrap_or("EB");
    let val = (nf / 1000f64.powf(e) * 10.0 + 0.5).floor() / 10.0;
    if val < 10.0 {
        format!("{val:.1} {unit}")
    } else {
        format!("{val:.0} {unit}")
    }
}

/// A JSON object written field by field, in the order Go's struct fields are declared.
pub struct Obj {
    buf: String,
    empty: bool,
}

impl Obj {
    pub fn new() -> Self {
        Obj { buf: String::from("{"), empty: true }
    }

    /// A field with an already encoded JSON value.
    pub fn raw(mut self, name: &str, value: &str) -> Self {
        if !self.empty {
            self.buf.push(',');
        }
        self.empty = false;
        self.buf.push_str(&json_string(name));
        self.buf.push(':');
        self.buf.push_str(value);
        self
    }

    /// A number, left out when zero (`omitempty`).
    pub fn num_omit(self, name: &str, v: impl Into<i128>) -> Self {
        let v = v.into();
        if v == 0 { self } else { self.raw(name, &v.to_string()) }
    }

    pub fn num(self, name: &str, v: impl Into<i128>) -> Self {
        let v = v.into();
        self.raw(name, &v.to_string())
    }

    pub fn bytes_omit(self, name: &str, b: &[u8]) -> Self {
        if b.is_empty() { self } else { self.raw(name, &json_string(&base64(b))) }
    }

    pub fn bool_omit(self, name: &str, v: bool) -> Self {
        if v { self.raw(name, "true") } else { self }
    }

    pub fn bool(self, name: &str, v: bool) -> Self {
        self.raw(name, if v { "true" } else { "false" })
    }

    pub fn str(self, name: &str, s: &str) -> Self {
        self.raw(name, &json_string(s))
    }

    /// An array field, left out when empty (`omitempty`).
    pub fn list_omit(self, name: &str, items: &[String]) -> Self {
        if items.is_empty() { self } else { self.raw(name, &format!("[{}]", items.join(","))) }
    }

    pub fn end(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go() {
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"k1"), "azE=");
        assert_eq!(base64(b"x"), "eA==");
        assert_eq!(go_quote(b"a\"b\n\x01"), "\"a\\\"b\\n\\x01\"");
        assert_eq!(humanize_bytes(20480), "20 kB");
        assert_eq!(humanize_bytes(1500), "1.5 kB");
    }
}
