//! The page's keyboard shortcuts (the help dialog lists them): arrows step the trace, Shift+arrows
//! jump requests, End goes live, Space plays, 1-3 pick the inspector's tab, t the theme, l the
//! language, / the terminal. Ignored while typing in a field or with a modifier held.

use super::browser::window;
use crate::i18n::Lang;
use crate::state::{Action, Playground};
use crate::views::Tab;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Listens for the shortcuts on the document for the page's lifetime.
#[hook]
pub fn use_shortcuts(
    state: UseReducerHandle<Playground>,
    playing: UseStateHandle<bool>,
    help: UseStateHandle<bool>,
    tab: UseStateHandle<Tab>,
    dark: UseStateHandle<bool>,
    lang: UseStateHandle<Lang>,
) {
    // The handler reads these values as of the render that registered it, so it is registered
    // again whenever one changes (once, it kept the first render's: `t` toggled the theme once).
    let deps = (state.cursor, state.first_seq, *playing, *help, *dark, *lang);
    use_effect_with(deps, move |_| {
        let listener = window().and_then(|w| w.document()).map(|doc| {
            EventListener::new(&doc, "keydown", move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlElement>().ok())
                    .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
                if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let handled = match e.key().as_str() {
                    "ArrowLeft" if e.shift_key() => {
                        state.dispatch(Action::PrevRequest);
                        true
                    }
                    "ArrowRight" if e.shift_key() => {
                        state.dispatch(Action::NextRequest);
                        true
                    }
                    "ArrowLeft" => {
                        state.dispatch(Action::StepBack);
                        true
                    }
                    "ArrowRight" => {
                        state.dispatch(Action::StepForward);
                        true
                    }
                    "End" => {
                        state.dispatch(Action::Live);
                        true
                    }
                    " " => {
                        if !*playing && state.cursor.is_none() {
                            state.dispatch(Action::Seek(state.first_seq));
                        }
                        playing.set(!*playing);
                        true
                    }
                    "?" => {
                        help.set(!*help);
                        true
                    }
                    "Escape" => {
                        help.set(false);
                        true
                    }
                    "1" => {
                        tab.set(Tab::Request);
                        true
                    }
                    "2" => {
                        tab.set(Tab::Etcd);
                        true
                    }
                    "3" => {
                        tab.set(Tab::Object);
                        true
                    }
                    "t" => {
                        dark.set(!*dark);
                        true
                    }
                    "l" => {
                        lang.set(if *lang == Lang::Ko { Lang::En } else { Lang::Ko });
                        true
                    }
                    "/" => {
                        if let Some(el) = window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("terminal-input")) {
                            let _ = el.unchecked_into::<HtmlElement>().focus();
                        }
                        true
                    }
                    _ => false,
                };
                if handled {
                    e.prevent_default();
                }
            })
        });
        move || drop(listener)
    });
}
