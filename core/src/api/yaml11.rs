//! YAML 1.1 plain scalars, respelled so that serde_yaml reads them as kubectl does.
//!
//! kubectl turns YAML into JSON with sigs.k8s.io/yaml, which resolves plain (unquoted) scalars by
//! go-yaml v2's YAML 1.1 rules (`resolve.go`); serde_yaml follows YAML 1.2. The two disagree on
//! a handful of spellings, and a learner meets them on a real cluster:
//!
//! ```text
//!   written        go-yaml v2 (kubectl)    serde_yaml        respelled as
//!   0644           int 420 (octal)         string "0644"     420
//!   yes, On, n     bool true / false       string            true, false
//!   1_000          int 1000                string            1000
//!   0X1F, 0O17     int 31, 15              string            31, 15
//!   0800, 1_0.5    float 800, 10.5         string            800, 10.5
//! ```
//!
//! Spellings both read alike (`0x1F`, `0o17`, `0b101`, `.inf`, `-.Inf`, `.NaN`, `1e3`) are left
//! as written. go-yaml v2 has no sexagesimal (`1:30` is a string in both), and it keeps
//! timestamps as strings when decoding into `interface{}`, so neither needs a respelling.
//!
//! Only plain scalars are touched: quoted ones (`'0644'`, `"yes"`) are strings in both, and block
//! scalars (`|`, `>`) hold text such as an embedded config file with `mode: 0644` in it. Finding
//! them needs a real YAML parser, so this walks libyaml's events (the parser serde_yaml itself
//! runs) and rewrites only the byte spans of the plain scalars that differ.
//!
//! Mapping keys are left alone: go-yaml would turn a key `on:` into the boolean true (and then
//! sigs.k8s.io/yaml into the JSON key "true"), which no Kubernetes manifest relies on, while
//! respelling keys could only surprise. A rewrite never adds or removes a line break, so line
//! numbers in diagnostics stay right; columns after a respelled token on the same line may shift.

use std::borrow::Cow;

/// Returns `text` with every plain mapping value and sequence item that YAML 1.1 resolves
/// differently from serde_yaml respelled in the form serde_yaml reads as go-yaml's value.
/// Borrows when nothing changes, which is the common case; if the text is not valid YAML it is
/// returned unchanged, so serde_yaml reports the syntax error with its own position.
pub fn to_yaml12(text: &str) -> Cow<'_, str> {
    // Every scalar that needs a respelling is a single token of [0-9A-Za-z_.+-] bounded by
    // whitespace, a flow indicator or a `:`. Checking tokens first keeps the parser off the
    // common manifest, and can only err towards parsing (a token in a comment or quoted string).
    let is_boundary = |c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}' | ':');
    if !text.split(is_boundary).any(|token| respell(token).is_some()) {
        return Cow::Borrowed(text);
    }
    let Some(edits) = plain_value_edits(text) else { return Cow::Borrowed(text) };
    if edits.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8 * edits.len());
    let mut copied = 0;
    for (range, spelling) in edits {
        if range.start < copied {
            continue; // Spans come in input order and never overlap; this only guards the slice.
        }
        out.push_str(&text[copied..range.start]);
        out.push_str(&spelling);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The byte ranges of plain values to respell, in input order, or None on a syntax error.
fn plain_value_edits(text: &str) -> Option<Vec<(std::ops::Range<usize>, String)>> {
    // Whether the next node of each open mapping is a key; sequences push None.
    let mut open: Vec<Option<bool>> = Vec::new();
    let mut edits = Vec::new();
    let mut parser = libyaml::Parser::new(text)?;
    loop {
        let event = parser.next()?;
        let is_key = match &event {
            libyaml::Event::Scalar(_) | libyaml::Event::Alias | libyaml::Event::Start { .. } => match open.last_mut() {
                Some(Some(key_next)) => std::mem::replace(key_next, !*key_next),
                _ => false,
            },
            _ => false,
        };
        match event {
            libyaml::Event::StreamEnd => return Some(edits),
            libyaml::Event::Start { mapping } => open.push(mapping.then_some(true)),
            libyaml::Event::End => {
                open.pop();
            }
            libyaml::Event::Scalar(Some(plain)) if !is_key => {
                // The event's span starts at its anchor, if any, and ends after the scalar; the
                // value is the span's tail when the scalar is written on one line as it reads.
                // Anything else (a scalar folded over lines) reads as a string in both anyway.
                let span = text.get(plain.start..plain.end).unwrap_or("");
                let value_start = plain.end.saturating_sub(plain.value.len());
                if span.ends_with(plain.value.as_str()) && text.is_char_boundary(value_start) {
                    if let Some(spelling) = respell(&plain.value) {
                        edits.push((value_start..plain.end, spelling));
                    }
                }
            }
            _ => {}
        }
    }
}

/// How one untagged plain scalar reads. Ints are kept exactly (u64 and i64 both fit an i128).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reading {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str,
    /// serde_yaml's u128 range beyond i128, which go-yaml reads as a float.
    Huge,
}

/// The serde_yaml spelling of `plain`'s go-yaml v2 value, if serde_yaml would read it otherwise.
fn respell(plain: &str) -> Option<String> {
    // Every spelling that differs starts with one of these; most tokens stop here.
    if !plain.starts_with(|c: char| c.is_ascii_digit() || "+-.yYnNoO".contains(c)) {
        return None;
    }
    let go = go_yaml_v2(plain);
    let same = match (go, serde_yaml_09(plain)) {
        (Reading::Float(a), Reading::Float(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
        (a, b) => a == b,
    };
    if same {
        return None;
    }
    let spelling = match go {
        Reading::Bool(b) => b.to_string(),
        Reading::Int(i) => i.to_string(),
        Reading::Float(f) if f.is_nan() => ".nan".into(),
        Reading::Float(f) if f.is_infinite() => if f > 0.0 { ".inf" } else { "-.inf" }.into(),
        // Go's encoding/json writes an integral float below 1e21 without a fraction (`0800` goes
        // to the server as 800), so a Go int32 field takes it; the integer spelling does the same
        // for serde's typed decode.
        Reading::Float(f) if f.fract() == 0.0 && f.abs() < 1e21 => (f as i128).to_string(),
        Reading::Float(f) => format!("{f:?}"),
        // go-yaml reads these as a string or null, and serde_yaml reads every such spelling the
        // same way; quoting would be the answer if that ever changed.
        Reading::Null | Reading::Str | Reading::Huge => return None,
    };
    // A huge integer go-yaml reads as a float can come out spelled as written.
    (spelling != plain).then_some(spelling)
}

/// go-yaml v2's `resolve` for an untagged plain scalar, as sigs.k8s.io/yaml sees it.
fn go_yaml_v2(s: &str) -> Reading {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Reading::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Reading::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Reading::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Reading::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match s.as_bytes()[0] {
        // strconv.ParseFloat; a float that starts with a dot has no base prefix.
        b'.' => go_float(s).map_or(Reading::Str, Reading::Float),
        b'0'..=b'9' | b'+' | b'-' => {
            let plain = if s.contains('_') { Cow::Owned(s.replace('_', "")) } else { Cow::Borrowed(s) };
            if let Some(i) = go_parse_int(&plain) {
                return Reading::Int(i);
            }
            if let Some(f) = go_float(&plain) {
                return Reading::Float(f);
            }
            // resolve.go's own binary fallback after ParseInt(plain, 0, 64), which lets a sign
            // follow the prefix (`0b-101` is -5).
            let binary = match plain.strip_prefix("0b") {
                Some(rest) => i64::from_str_radix(rest, 2).ok(),
                None => plain
                    .strip_prefix("-0b")
                    .filter(|r| !r.starts_with(['+', '-']))
                    .and_then(|r| i64::from_str_radix(&format!("-{r}"), 2).ok()),
            };
            binary.map_or(Reading::Str, |i| Reading::Int(i.into()))
        }
        _ => Reading::Str,
    }
}

/// `strconv.ParseInt(s, 0, 64)`, then `strconv.ParseUint(s, 0, 64)`: an optional sign, then
/// `0x`, `0o`, `0b` (either case), a leading `0` for octal, or decimal.
fn go_parse_int(s: &str) -> Option<i128> {
    let (negative, signed, body) = match s.as_bytes().first()? {
        b'-' => (true, true, &s[1..]),
        b'+' => (false, true, &s[1..]),
        _ => (false, false, s),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -i128::try_from(magnitude).ok()? } else { i128::try_from(magnitude).ok()? };
    let fits = if signed { i64::try_from(value).is_ok() } else { u64::try_from(value).is_ok() };
    fits.then_some(value)
}

/// resolve.go's `yamlStyleFloat` (`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`) and
/// then `strconv.ParseFloat`, which fails on overflow.
fn go_float(s: &str) -> Option<f64> {
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && digits(frac) == frac.len(),
        Some((int, frac)) => digits(int) == int.len() && digits(frac) == frac.len(),
        None => !mantissa.is_empty() && digits(mantissa) == mantissa.len(),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e) == e.len()
    });
    let f: f64 = (mantissa_ok && exponent_ok).then(|| s.parse().ok())??;
    f.is_finite().then_some(f)
}

/// serde_yaml 0.9's `visit_untagged_scalar` (de.rs): null, bool, int, float, else string.
fn serde_yaml_09(s: &str) -> Reading {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        "true" | "True" | "TRUE" => return Reading::Bool(true),
        "false" | "False" | "FALSE" => return Reading::Bool(false),
        _ => {}
    }
    if let Some(i) = serde_unsigned(s, u64::from_str_radix) {
        return Reading::Int(i.into());
    }
    if let Some(i) = serde_negative(s, i64::from_str_radix) {
        return Reading::Int(i.into());
    }
    if let Some(i) = serde_unsigned(s, u128::from_str_radix) {
        return i128::try_from(i).map_or(Reading::Huge, Reading::Int);
    }
    if let Some(i) = serde_negative(s, i128::from_str_radix) {
        return Reading::Int(i);
    }
    if digits_but_not_number(s) {
        return Reading::Str;
    }
    let unpositive = match s.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return Reading::Str,
        Some(rest) => rest,
        None => s,
    };
    match unpositive {
        ".inf" | ".Inf" | ".INF" => return Reading::Float(f64::INFINITY),
        _ => {}
    }
    match s {
        "-.inf" | "-.Inf" | "-.INF" => return Reading::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        _ => {}
    }
    match unpositive.parse::<f64>() {
        Ok(f) if f.is_finite() => Reading::Float(f),
        _ => Reading::Str,
    }
}

/// serde_yaml's `parse_unsigned_int`: lowercase `0x`/`0o`/`0b` prefixes, no sign after them,
/// and no leading zero on a decimal.
fn serde_unsigned<T>(s: &str, from_str_radix: fn(&str, u32) -> Result<T, std::num::ParseIntError>) -> Option<T> {
    let unpositive = s.strip_prefix('+').unwrap_or(s);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(i) = from_str_radix(rest, radix) {
                return Some(i);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(s) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

/// serde_yaml's `parse_negative_int`.
fn serde_negative<T>(s: &str, from_str_radix: fn(&str, u32) -> Result<T, std::num::ParseIntError>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            if let Ok(i) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(i);
            }
        }
    }
    if digits_but_not_number(s) {
        return None;
    }
    from_str_radix(s, 10).ok()
}

/// serde_yaml's YAML 1.2 rule: leading zeros followed by digits make a string.
fn digits_but_not_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The only unsafe code of the crate: a minimal, owning wrapper over unsafe-libyaml's event
/// parser (the same parser, and so the same syntax, as serde_yaml).
mod libyaml {
    use std::marker::PhantomData;
    use std::mem::MaybeUninit;
    use unsafe_libyaml as unsafe_sys;

    /// The longest plain value worth copying out: every respelled spelling is shorter.
    const MAX_CANDIDATE_BYTES: usize = 64;

    pub struct Plain {
        /// Byte offsets of the node in the input, anchor and tag included.
        pub start: usize,
        pub end: usize,
        pub value: String,
    }

    pub enum Event {
        /// A mapping (`mapping: true`) or sequence starts.
        Start {
            mapping: bool,
        },
        End,
        /// A scalar; its contents only when it is plain, untagged and short.
        Scalar(Option<Plain>),
        Alias,
        StreamEnd,
        /// Stream and document boundaries.
        Other,
    }

    pub struct Parser<'input> {
        sys: Box<MaybeUninit<unsafe_sys::yaml_parser_t>>,
        /// The parser reads the input through a raw pointer; this keeps it borrowed.
        input: PhantomData<&'input str>,
    }

    impl<'input> Parser<'input> {
        pub fn new(input: &'input str) -> Option<Self> {
            let mut sys = Box::new(MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit());
            // SAFETY: the pointer is to a live, writable allocation that never moves (it is
            // boxed). yaml_parser_initialize zeroes and fills it; if it fails it has freed what it
            // allocated, so we return without a Parser and Drop never runs on it. On success the
            // parser keeps a pointer to `input`, which outlives it through the PhantomData borrow.
            unsafe {
                let parser = sys.as_mut_ptr();
                if unsafe_sys::yaml_parser_initialize(parser).fail {
                    return None;
                }
                unsafe_sys::yaml_parser_set_encoding(parser, unsafe_sys::YAML_UTF8_ENCODING);
                unsafe_sys::yaml_parser_set_input_string(parser, input.as_ptr(), input.len() as _);
            }
            Some(Parser { sys, input: PhantomData })
        }

        /// The next event, or None on a syntax error. libyaml answers success with no event
        /// once it has failed or ended, so the caller stops at the first None or StreamEnd.
        pub fn next(&mut self) -> Option<Event> {
            let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::zeroed();
            // SAFETY: the parser was initialised in `new` and is not deleted until Drop. On
            // failure yaml_parser_parse leaves the event zeroed (it owns nothing, so there is
            // nothing to free). On success the event is initialised and owns its anchor, tag and
            // value; `convert` only reads them (copying what it keeps, without panicking) and the
            // event is deleted right after, on the one path out.
            unsafe {
                let parser = self.sys.as_mut_ptr();
                if unsafe_sys::yaml_parser_parse(parser, event.as_mut_ptr()).fail {
                    return None;
                }
                let converted = convert(&*event.as_ptr());
                unsafe_sys::yaml_event_delete(event.as_mut_ptr());
                Some(converted)
            }
        }
    }

    /// Copies what the walk needs out of a libyaml event.
    ///
    /// # Safety
    /// `event` must be an initialised event returned by yaml_parser_parse and not yet deleted.
    unsafe fn convert(event: &unsafe_sys::yaml_event_t) -> Event {
        match event.type_ {
            unsafe_sys::YAML_MAPPING_START_EVENT => Event::Start { mapping: true },
            unsafe_sys::YAML_SEQUENCE_START_EVENT => Event::Start { mapping: false },
            unsafe_sys::YAML_MAPPING_END_EVENT | unsafe_sys::YAML_SEQUENCE_END_EVENT => Event::End,
            unsafe_sys::YAML_ALIAS_EVENT => Event::Alias,
            unsafe_sys::YAML_STREAM_END_EVENT => Event::StreamEnd,
            unsafe_sys::YAML_SCALAR_EVENT => {
                // SAFETY: the event is a scalar, so `data.scalar` is the active union field, and
                // its `value` points to `length` initialised bytes owned by the event.
                let scalar = unsafe { event.data.scalar };
                let length = scalar.length as usize;
                if scalar.style != unsafe_sys::YAML_PLAIN_SCALAR_STYLE
                    || !scalar.tag.is_null()
                    || scalar.value.is_null()
                    || length > MAX_CANDIDATE_BYTES
                {
                    return Event::Scalar(None);
                }
                // SAFETY: as above; the bytes are copied before the event is deleted.
                let bytes = unsafe { std::slice::from_raw_parts(scalar.value, length) };
                let plain = std::str::from_utf8(bytes).ok().map(|value| Plain {
                    start: event.start_mark.index as usize,
                    end: event.end_mark.index as usize,
                    value: value.to_owned(),
                });
                Event::Scalar(plain)
            }
            _ => Event::Other,
        }
    }

    impl Drop for Parser<'_> {
        fn drop(&mut self) {
            // SAFETY: a Parser exists only after yaml_parser_initialize succeeded, and this is the
            // only place it is deleted; yaml_parser_delete frees the parser's buffers and stacks,
            // whether or not parsing stopped on an error.
            unsafe { unsafe_sys::yaml_parser_delete(self.sys.as_mut_ptr()) }
        }
    }
}

#[cfg(test)]
mod tests;
