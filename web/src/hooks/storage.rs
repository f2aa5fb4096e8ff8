//! The session in localStorage, written crash-safely: the new copy goes to the slot not in use,
//! then a pointer switches to it, so a crash or reload in the middle of a save leaves the previous
//! complete copy readable. A copy that cannot be read is moved aside (never deleted), the copy
//! before it is used instead, and both facts are reported.
//!
//! After a panic (see `panic_banner.rs`) the page reloads with `?restore` or `?fresh`:
//! [`restore_after_crash`] drops the saved copy only when replaying it is what crashed the page
//! (the `replaying` marker is still set), falling back to the copy saved one action earlier;
//! [`start_fresh`] sets the session aside and starts a new one. Nothing the learner did is ever
//! deleted: set-aside copies stay under `kubeplay.session.unreadable` and `kubeplay.session.crashed`.

use crate::state::Session;
use gloo::storage::{LocalStorage, Storage};

const SLOTS: [&str; 2] = ["kubeplay.session.a", "kubeplay.session.b"];
const POINTER: &str = "kubeplay.session.slot";
/// Where a copy that does not parse is kept.
pub const ASIDE: &str = "kubeplay.session.unreadable";
/// Where a copy that crashed the page when replayed, or that "Start fresh" left, is kept.
pub const CRASHED: &str = "kubeplay.session.crashed";
/// Set while the saved session is being replayed at start; still set after a panic means the
/// saved session itself crashes the page.
const REPLAYING: &str = "kubeplay.session.replaying";

/// What loading found.
pub enum Loaded {
    Nothing,
    Session(Session),
    /// The saved copy was unreadable and was set aside; the sentence says so. The copy saved
    /// before it, when readable, comes with it (at most the last action is lost).
    Corrupt(String, Option<Session>),
}

fn current_slot() -> usize {
    LocalStorage::raw().get_item(POINTER).ok().flatten().map_or(0, |s| usize::from(s == "b"))
}

fn point_at(slot: usize) -> Result<(), wasm_bindgen::JsValue> {
    LocalStorage::raw().set_item(POINTER, if slot == 1 { "b" } else { "a" })
}

pub fn load() -> Loaded {
    let storage = LocalStorage::raw();
    let slot = current_slot();
    let Ok(Some(text)) = storage.get_item(SLOTS[slot]) else { return Loaded::Nothing };
    match Session::from_json(&text) {
        Ok(s) => Loaded::Session(s),
        Err(why) => {
            // Kept aside before the slot is freed; when the browser refuses even that (storage
            // full), the slot stays as it is rather than lose the only copy.
            let kept = storage.set_item(ASIDE, &text).is_ok();
            if kept {
                let _ = storage.remove_item(SLOTS[slot]);
            }
            let previous = storage.get_item(SLOTS[1 - slot]).ok().flatten().and_then(|t| Session::from_json(&t).ok());
            if previous.is_some() {
                let _ = point_at(1 - slot);
            }
            let kept_note = if kept { format!("it is kept as {ASIDE} in this browser's storage") } else { "it was left in place".to_string() };
            let fallback = if previous.is_some() { "the copy saved one action earlier was loaded" } else { "a fresh session was started" };
            Loaded::Corrupt(format!("The saved session could not be read ({why}); {kept_note} and {fallback}."), previous)
        }
    }
}

/// Saves the session; returns a sentence when the browser refused (quota exceeded, storage off).
pub fn save(session: &Session) -> Result<(), String> {
    let storage = LocalStorage::raw();
    let next = 1 - current_slot();
    storage
        .set_item(SLOTS[next], &session.to_json())
        .map_err(|_| "The browser refused to save this session (storage full or disabled); use Export to keep it.".to_string())?;
    point_at(next).map_err(|_| "The browser refused to save this session.".to_string())
}

pub fn clear() {
    let storage = LocalStorage::raw();
    for s in SLOTS {
        let _ = storage.remove_item(s);
    }
    let _ = storage.remove_item(POINTER);
}

/// Called before the saved session is replayed at start.
pub fn mark_replaying() {
    let _ = LocalStorage::raw().set_item(REPLAYING, "1");
}

/// Called once the replayed session has rendered: it does not crash the page.
pub fn replayed() {
    let _ = LocalStorage::raw().remove_item(REPLAYING);
}

/// Chooses the last good state after a crash and says what was done. When the page died while
/// replaying the saved copy, that copy is the culprit: it is set aside and the pointer goes back
/// to the copy saved before it. Otherwise the saved copy is good (the page saves only between
/// commands that ran to their end, see `app.rs`) and is loaded as it is.
pub fn restore_after_crash() -> String {
    let storage = LocalStorage::raw();
    let replay_crashed = storage.get_item(REPLAYING).ok().flatten().is_some();
    let _ = storage.remove_item(REPLAYING);
    if !replay_crashed {
        return "Restored the session as last saved.".to_string();
    }
    let slot = current_slot();
    if let Ok(Some(text)) = storage.get_item(SLOTS[slot]) {
        if storage.set_item(CRASHED, &text).is_ok() {
            let _ = storage.remove_item(SLOTS[slot]);
        }
    }
    let _ = point_at(1 - slot);
    format!("Replaying the saved session crashed the page, so it was set aside ({CRASHED}) and the copy saved one action earlier was restored.")
}

/// Sets the saved session aside (kept under [`CRASHED`]) and starts with none.
pub fn start_fresh() -> String {
    let storage = LocalStorage::raw();
    let kept = match storage.get_item(SLOTS[current_slot()]) {
        Ok(Some(text)) => storage.set_item(CRASHED, &text).is_ok(),
        _ => true,
    };
    clear();
    let _ = storage.remove_item(REPLAYING);
    if kept {
        format!("Started a fresh session; the previous one is kept as {CRASHED} in this browser's storage.")
    } else {
        "Started a fresh session; the browser's storage was too full to keep the previous one.".to_string()
    }
}

/// A small preference (theme, language).
pub fn get_pref(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

pub fn set_pref(key: &str, value: &str) {
    let _ = LocalStorage::raw().set_item(key, value);
}
