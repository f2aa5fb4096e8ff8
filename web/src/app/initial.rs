//! The session the page starts with: a shared link (the `#session=` fragment), else the copy saved in
//! localStorage (replayed under the crash marker), else a fresh cluster with the example manifest.

use super::browser::window;
use crate::hooks::{share, storage};
use crate::panic_banner;
use crate::state::{Playground, Session, EXAMPLE_MANIFEST};

/// The session to start with: a shared link first, then the saved copy, else a fresh cluster.
pub fn initial() -> (Playground, Option<String>) {
    // Reloaded from the crash banner: restore or start fresh first (panic_banner.rs).
    if let Some(done) = panic_banner::recovery_from_url() {
        let (p, why) = from_storage();
        return (p, Some(why.map_or(done.clone(), |why| format!("{done} {why}"))));
    }
    let fragment = window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if let Some(found) = share::decode(&fragment) {
        // The link is read once; the session is then saved like any other.
        if let Some(h) = window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(" "));
        }
        match found {
            Ok(session) => return (Playground::from_session(session), None),
            Err(why) => return (Playground::new(1, EXAMPLE_MANIFEST.to_string()), Some(why)),
        }
    }
    from_storage()
}

/// The saved session, replayed; the marker around the replay tells a crash in it apart.
fn from_storage() -> (Playground, Option<String>) {
    let replay = |session: Session| {
        storage::mark_replaying();
        Playground::from_session(session)
    };
    match storage::load() {
        storage::Loaded::Session(session) => (replay(session), None),
        storage::Loaded::Corrupt(why, Some(previous)) => (replay(previous), Some(why)),
        storage::Loaded::Corrupt(why, None) => (Playground::new(1, EXAMPLE_MANIFEST.to_string()), Some(why)),
        storage::Loaded::Nothing => {
            // The editor text of the first version of the page, if any.
            let old = storage::get_pref("kubeplay.editor").filter(|s| !s.trim().is_empty());
            (Playground::new(1, old.unwrap_or_else(|| EXAMPLE_MANIFEST.to_string())), None)
        }
    }
}
