//! Fuzz target: the page's session decoders, which read what a stranger can hand a learner — a
//! shared link's `#session=` fragment (`hooks::share::decode`: base64url, UTF-8, JSON) and a saved
//! or imported session file (`state::Session::from_json`). Built only with `--features web`,
//! because the web crate brings Yew along.
#![no_main]

use kubeplay_web::hooks::share;
use kubeplay_web::state::Session;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(Ok(session)) = share::decode(&text) {
        // What the page accepted it can write back as a link (or says why not, politely).
        let _ = share::encode(&session);
    }
    if let Ok(session) = Session::from_json(&text) {
        assert_eq!(Session::from_json(&session.to_json()).ok(), Some(session), "a session round-trips");
    }
});
