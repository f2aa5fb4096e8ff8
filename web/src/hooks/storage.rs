//! The session in localStorage, written crash-safely: the new copy goes to the slot not in use,
//! then a pointer switches to it, so a crash or reload in the middle of a save leaves the previous
//! complete copy readable. A copy that cannot be read is moved aside (never deleted) and reported.

use crate::state::Session;
use gloo::storage::{LocalStorage, Storage};

const SLOTS: [&str; 2] = ["kubeplay.session.a", "kubeplay.session.b"];
const POINTER: &str = "kubeplay.session.slot";
const ASIDE: &str = "kubeplay.session.unreadable";

/// What loading found.
pub enum Loaded {
    Nothing,
    Session(Session),
    /// The saved copy was unreadable; it was set aside under `kubeplay.session.unreadable`.
    Corrupt(String),
}

fn current_slot() -> usize {
    LocalStorage::raw().get_item(POINTER).ok().flatten().map_or(0, |s| usize::from(s == "b"))
}

pub fn load() -> Loaded {
    let storage = LocalStorage::raw();
    let slot = SLOTS[current_slot()];
    let Ok(Some(text)) = storage.get_item(slot) else { return Loaded::Nothing };
    match Session::from_json(&text) {
        Ok(s) => Loaded::Session(s),
        Err(why) => {
            let _ = storage.set_item(ASIDE, &text);
            let _ = storage.remove_item(slot);
            Loaded::Corrupt(why)
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
    storage.set_item(POINTER, if next == 1 { "b" } else { "a" }).map_err(|_| "The browser refused to save this session.".to_string())
}

pub fn clear() {
    let storage = LocalStorage::raw();
    for s in SLOTS {
        let _ = storage.remove_item(s);
    }
    let _ = storage.remove_item(POINTER);
}

/// A small preference (theme, language).
pub fn get_pref(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

pub fn set_pref(key: &str, value: &str) {
    let _ = LocalStorage::raw().set_item(key, value);
}
