//! Sessions carried in the URL fragment (`#session=<base64url JSON>`), and exported or imported as
//! a file. The fragment never reaches a server; it is size-bounded and parsed as data only.

use crate::state::Session;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The longest fragment the page writes or reads (browsers keep far more; links get unwieldy).
pub const MAX_FRAGMENT: usize = 64 * 1024;
const PREFIX: &str = "#session=";

pub fn encode(session: &Session) -> Result<String, String> {
    let mut s = session.clone();
    s.cursor = None;
    let fragment = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(s.to_json()));
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
    Some(
        URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| "The link's session is damaged.".to_string())
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "The link's session is damaged.".to_string()))
            .and_then(|text| Session::from_json(&text)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_round_trips_and_garbage_is_refused() {
        let mut s = Session::new(3, "kind: Pod".into());
        s.inputs.push(crate::state::Input { line: "kubectl apply -f -".into(), stdin: Some("x: <script>".into()) });
        let link = encode(&s).unwrap();
        assert_eq!(decode(&link).unwrap().unwrap(), s);
        assert!(decode("#other").is_none());
        assert!(decode("#session=!!!").unwrap().is_err());
        assert!(decode(&format!("#session={}", "A".repeat(MAX_FRAGMENT + 1))).unwrap().is_err());
    }
}
