//! What the page does when the wasm code panics: a bug in kubeplay must not leave a frozen page.
//!
//! A panic in wasm aborts the instance, so Yew can never render again. The panic hook therefore
//! builds a banner with plain DOM calls (no Yew), logs the panic to the console, and offers two
//! ways out that need no more wasm from the dead instance: links that reload the page with
//! `?restore` (the last good saved state) or `?fresh` (a new session, the old one set aside). The
//! freshly started page reads that query in [`recovery_from_url`] and asks `hooks/storage.rs` to
//! act. The message is shown as text (`textContent`), never parsed as HTML: it can quote a
//! learner's manifest.
//!
//! The banner speaks the page's language; the hook cannot reach Yew's state, so the page tells it
//! the language with [`set_lang`] whenever it changes.

use crate::hooks::storage;
use crate::i18n::Lang;
use std::sync::atomic::{AtomicBool, Ordering};
use web_sys::{Document, Element};

/// The terminal command that panics on purpose, so the end-to-end suite can check this banner
/// (tests/tests/security.rs). It changes nothing: it is not recorded in the session.
pub const DEBUG_PANIC: &str = "kubeplay-debug panic";

/// The longest panic message shown, in characters (the console has all of it).
const MAX_MESSAGE_CHARS: usize = 2000;

static KOREAN: AtomicBool = AtomicBool::new(false);

/// The page's language, for a banner shown after Yew is gone.
pub fn set_lang(lang: Lang) {
    KOREAN.store(lang == Lang::Ko, Ordering::Relaxed);
}

fn lang() -> Lang {
    if KOREAN.load(Ordering::Relaxed) {
        Lang::Ko
    } else {
        Lang::En
    }
}

/// The banner's sentences in English and Korean.
#[derive(Clone, Copy)]
enum Text {
    Title,
    Body,
    Message,
    Restore,
    RestoreTitle,
    Fresh,
    FreshTitle,
}

fn text(lang: Lang, t: Text) -> &'static str {
    let (en, ko) = match t {
        Text::Title => ("kubeplay stopped because of an internal error", "kubeplay가 내부 오류로 멈췄습니다"),
        Text::Body => (
            "This is a bug in kubeplay, not a problem with your manifest. The page cannot go on, but your work up to the last command that finished is saved.",
            "매니페스트 문제가 아니라 kubeplay의 버그입니다. 페이지를 계속 쓸 수는 없지만, 마지막으로 끝난 명령까지의 작업은 저장되어 있습니다.",
        ),
        Text::Message => ("Error message (also in the browser console):", "오류 메시지 (브라우저 콘솔에도 있습니다):"),
        Text::Restore => ("Restore last good state", "마지막 정상 상태로 복원"),
        Text::RestoreTitle => (
            "Reload the page with the session as last saved (if replaying it crashes, the copy saved one action earlier)",
            "마지막으로 저장된 세션으로 페이지를 다시 엽니다 (그 세션을 다시 실행하다 멈추면 한 동작 전에 저장된 세션으로)",
        ),
        Text::Fresh => ("Start fresh", "새로 시작"),
        Text::FreshTitle => (
            "Reload with a new, empty session; the current one is kept aside in the browser's storage",
            "비어 있는 새 세션으로 다시 엽니다. 지금 세션은 브라우저 저장소에 따로 보관됩니다",
        ),
    };
    if lang == Lang::Ko {
        ko
    } else {
        en
    }
}

/// Installs the hook; called before the page is rendered (Yew then keeps it).
pub fn install() {
    if let Some(l) = storage::get_pref("kubeplay.lang") {
        set_lang(Lang::from_tag(&l));
    } else if let Some(l) = web_sys::window().and_then(|w| w.navigator().language()) {
        set_lang(Lang::from_tag(&l));
    }
    yew::set_custom_panic_hook(Box::new(|info| hook(&info.to_string())));
}

fn hook(message: &str) {
    // The console gets the whole message and a stack (a JS Error carries one).
    web_sys::console::error_1(&js_sys::Error::new(message).into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id("panic-banner").is_some() {
        return; // a later panic of the dead instance: the first message is the useful one
    }
    let shown: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let _ = show(&document, lang(), &shown);
}

fn el(document: &Document, tag: &str, id: Option<&str>, class: Option<&str>, text: Option<&str>) -> Result<Element, wasm_bindgen::JsValue> {
    let e = document.create_element(tag)?;
    if let Some(id) = id {
        e.set_id(id);
    }
    if let Some(class) = class {
        e.set_class_name(class);
    }
    if let Some(text) = text {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

fn show(document: &Document, lang: Lang, message: &str) -> Result<(), wasm_bindgen::JsValue> {
    let body = document.body().ok_or(wasm_bindgen::JsValue::NULL)?;
    let backdrop = el(document, "div", Some("panic-banner"), Some("panic-backdrop"), None)?;
    backdrop.set_attribute("role", "alertdialog")?;
    backdrop.set_attribute("aria-labelledby", "panic-title")?;
    backdrop.set_attribute("lang", lang.code())?;
    let card = el(document, "div", None, Some("panic-card"), None)?;
    for part in [
        el(document, "h2", Some("panic-title"), None, Some(text(lang, Text::Title)))?,
        el(document, "p", None, None, Some(text(lang, Text::Body)))?,
        el(document, "p", None, Some("panic-label"), Some(text(lang, Text::Message)))?,
        el(document, "pre", Some("panic-message"), None, Some(message))?,
    ] {
        card.append_child(&part)?;
    }
    let actions = el(document, "div", None, Some("panic-actions"), None)?;
    // Links, not buttons with wasm handlers: following them needs nothing from the dead instance.
    let restore = el(document, "a", Some("panic-restore"), Some("panic-button primary"), Some(text(lang, Text::Restore)))?;
    restore.set_attribute("href", "?restore")?;
    restore.set_attribute("title", text(lang, Text::RestoreTitle))?;
    let fresh = el(document, "a", Some("panic-fresh"), Some("panic-button"), Some(text(lang, Text::Fresh)))?;
    fresh.set_attribute("href", "?fresh")?;
    fresh.set_attribute("title", text(lang, Text::FreshTitle))?;
    actions.append_child(&restore)?;
    actions.append_child(&fresh)?;
    card.append_child(&actions)?;
    backdrop.append_child(&card)?;
    body.append_child(&backdrop)?;
    Ok(())
}

/// At start: when the page was reloaded from the banner, restores or starts fresh and returns a
/// sentence to show; the query is then dropped from the address so a later reload is ordinary.
pub fn recovery_from_url() -> Option<String> {
    let window = web_sys::window()?;
    let search = window.location().search().ok()?;
    let done = match search.as_str() {
        "?restore" => storage::restore_after_crash(),
        "?fresh" => storage::start_fresh(),
        _ => return None,
    };
    if let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sentence_has_both_languages() {
        for t in [Text::Title, Text::Body, Text::Message, Text::Restore, Text::RestoreTitle, Text::Fresh, Text::FreshTitle] {
            assert!(!text(Lang::En, t).is_empty());
            assert_ne!(text(Lang::En, t), text(Lang::Ko, t));
        }
    }
}
