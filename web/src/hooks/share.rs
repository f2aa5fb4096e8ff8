//! Sessions carried in the URL fragment, and exported or imported as a file. The fragment never
//! reaches a server; it is size-bounded and parsed as data only.
//!
//! A link is `#session=z1.<base64url of the session's JSON, DEFLATE-compressed>`: manifests and
//! command lines repeat themselves, so DEFLATE (raw, RFC 1951, by `miniz_oxide`, pure Rust) makes a
//! typical session's link about a quarter as long. Links from before compression,
//! `#session=<base64url of the JSON>`, are still read: `.` is not a base64url character, so the
//! `z1.` version prefix cannot be mistaken for old data. Inflating is bounded by the session's own
//! size limit, so a small link cannot expand into gigabytes.

use crate::state::{Session, MAX_SESSION_BYTES};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The longest fragment the page writes or reads (browsers keep far more; links get unwieldy).
pub const MAX_FRAGMENT: usize = 64 * 1024;
const PREFIX: &str = "#session=";
/// The compressed format's version prefix.
const DEFLATE_V1: &str = "z1.";
/// miniz's level 9: the smallest output; a session is small, so the time is negligible.
const LEVEL: u8 = 9;

pub fn encode(session: &Session) -> Result<String, String> {
    let mut s = session.clone();
    s.cursor = None;
    let packed = miniz_oxide::deflate::compress_to_vec(s.to_json().as_bytes(), LEVEL);
    let fragment = format!("{PREFIX}{DEFLATE_V1}{}", URL_SAFE_NO_PAD.encode(packed));
    if fragment.len() > MAX_FRAGMENT {
        return Err(format!("This session needs a {} byte link; at most {MAX_FRAGMENT} fit. Use Export instead.", fragment.len()));
    }
    Ok(fragment)
}

/// The session in a fragment, if it carries one.
pub fn decode(fragment: &str) -> Option<Result<Session, String>> {
    let data = fragment.strip_prefix(PREFIX)?;
    if data.len() > MAX_FRAGMENT {
        return Some(Err("The link's session is too large.".into()));
    }
    let damaged = || "The link's session is damaged.".to_string();
    let json = match data.strip_prefix(DEFLATE_V1) {
        Some(packed) => URL_SAFE_NO_PAD.decode(packed).map_err(|_| damaged()).and_then(|bytes| {
            miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_SESSION_BYTES).map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => "The link's session is too large.".to_string(),
                _ => damaged(),
            })
        }),
        // A link written before compression: the JSON itself.
        None => URL_SAFE_NO_PAD.decode(data).map_err(|_| damaged()),
    };
    Some(json.and_then(|bytes| String::from_utf8(bytes).map_err(|_| damaged())).and_then(|text| Session::from_json(&text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let mut s = Session::new(3, "kind: Pod".into());
        s.inputs.push(crate::state::Input { line: "kubectl apply -f -".into(), stdin: Some("x: <script>".into()) });
        s
    }

    #[test]
    fn a_link_round_trips_and_garbage_is_refused() {
        let s = session();
        let link = encode(&s).unwrap();
        assert!(link.starts_with("#session=z1."), "{link}");
        assert_eq!(decode(&link).unwrap().unwrap(), s);
        assert!(decode("#other").is_none());
        assert!(decode("#session=!!!").unwrap().is_err());
        assert!(decode("#session=z1.AAAA").unwrap().is_err());
        assert!(decode(&format!("#session={}", "A".repeat(MAX_FRAGMENT + 1))).unwrap().is_err());
    }

    #[test]
    fn links_from_before_compression_still_open() {
        let s = session();
        let old = format!("#session={}", URL_SAFE_NO_PAD.encode(s.to_json()));
        assert_eq!(decode(&old).unwrap().unwrap(), s);
    }

    #[test]
    fn compression_shortens_a_real_session_and_inflating_is_bounded() {
        let mut s = session();
        let manifest = crate::state::EXAMPLE_MANIFEST.to_string();
        for _ in 0..20 {
            s.inputs.push(crate::state::Input { line: "kubectl apply -f -".into(), stdin: Some(manifest.clone()) });
        }
        let plain = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(s.to_json()));
        let link = encode(&s).unwrap();
        assert!(link.len() * 4 < plain.len(), "compressed {} vs plain {}", link.len(), plain.len());
        // A bomb: 8 MiB of zeros deflate to a few kilobytes, but inflating stops at the limit.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 8 * 1024 * 1024], LEVEL);
        let link = format!("{PREFIX}{DEFLATE_V1}{}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(link.len() < MAX_FRAGMENT, "the bomb fits in a link ({} bytes)", link.len());
        assert_eq!(decode(&link).unwrap().unwrap_err(), "The link's session is too large.");
    }
}
