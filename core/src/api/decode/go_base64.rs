//! A `[]byte` field as kube-apiserver's JSON decoder reads it: Go's `base64.StdEncoding`
//! (encoding/json decodes `[]byte` with it), which is not what k8s-openapi's base64 engine accepts.
//!
//! Go's decoder skips `\n` and `\r` anywhere, so base64 pasted as `base64` prints it (wrapped at
//! 76 columns, in a `|` block) is accepted, and it ignores the unused bits of the last character
//! (`QR==` decodes). Its failures name one byte offset, `illegal base64 data at input byte N`,
//! which is where `decodeQuantum` stopped: a character outside the alphabet, a misplaced or missing
//! `=`, input that ends inside a quantum (`CRT` fails at 0, not with "Invalid padding").

use serde_json::Value;

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn skip_newlines(src: &[u8], mut si: usize) -> usize {
    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
        si += 1;
    }
    si
}

/// `base64.StdEncoding.DecodeString`: the bytes, or the offset Go's `CorruptInputError` names.
pub(super) fn decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        // One quantum: up to four sextets, newlines skipped, `=` ending the input.
        let mut buf = [0u8; 4];
        let mut len = 4;
        let mut trailing = None;
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // StdEncoding pads: input that ends inside a quantum is corrupt.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = sextet(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(si - 1);
            }
            if j == 2 {
                // `==` expected; the first is read.
                si = skip_newlines(src, si);
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
            }
            si = skip_newlines(src, si);
            if si < src.len() {
                trailing = Some(si);
            }
            len = j;
            break;
        }
        let val = (u32::from(buf[0]) << 18) | (u32::from(buf[1]) << 12) | (u32::from(buf[2]) << 6) | u32::from(buf[3]);
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(at) = trailing {
            return Err(at);
        }
    }
    Ok(out)
}

/// Whether serde's message is the base64 engine's refusal of a `[]byte` field.
pub(super) fn is_engine_error(message: &str) -> bool {
    ["Invalid symbol ", "Invalid last symbol ", "Invalid padding", "Invalid input length", "Invalid byte "]
        .iter()
        .any(|p| message.starts_with(p))
}

/// The canonical encoding of what Go decodes from `value`, when Go accepts it.
pub(super) fn canonical(value: &Value) -> Option<Value> {
    let bytes = decode(value.as_str()?.as_bytes()).ok()?;
    serde_json::to_value(k8s_openapi::ByteString(bytes)).ok()
}

/// Go's words for a value it refuses.
pub(super) fn go_error(value: &Value) -> Option<String> {
    let offset = decode(value.as_str()?.as_bytes()).err()?;
    Some(format!("illegal base64 data at input byte {offset}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_go_std_encoding() {
        assert_eq!(decode(b"aGVsbG8="), Ok(b"hello".to_vec()));
        assert_eq!(decode(b""), Ok(vec![]));
        // Newlines anywhere are skipped: `base64` output wrapped at 76 columns.
        assert_eq!(decode(b"aGVs\nbG8=\n"), Ok(b"hello".to_vec()));
        assert_eq!(decode(b"aG\r\nVsbA=\n="), Ok(b"hell".to_vec()));
        // Unused bits of the last character are ignored (StdEncoding is not Strict).
        assert_eq!(decode(b"QR=="), Ok(b"A".to_vec()));
    }

    #[test]
    fn failures_name_go_s_offsets() {
        // Input ends inside a quantum.
        assert_eq!(decode(b"CRT"), Err(0));
        assert_eq!(decode(b"aGVsbG8"), Err(4));
        // Outside the alphabet, a space included.
        assert_eq!(decode(b"YWJj ZGVm"), Err(4));
        assert_eq!(decode(b"<x>"), Err(0));
        // Padding too early, one `=` where two belong, data after the padding.
        assert_eq!(decode(b"a==="), Err(1));
        assert_eq!(decode(b"aG="), Err(3));
        assert_eq!(decode(b"aG=x"), Err(2));
        assert_eq!(decode(b"aGVsbA==aGVs"), Err(8));
        assert_eq!(go_error(&Value::from("CRT")).as_deref(), Some("illegal base64 data at input byte 0"));
        assert_eq!(canonical(&Value::from("QR==")), Some(Value::from("QQ==")));
    }
}
