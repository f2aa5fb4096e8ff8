//! The terminal: every command of the session with what it printed (identical to the native CLI's
//! output), and a prompt for kubectl, etcdctl and the simulation's own commands (`run 30s`,
//! `trace`). Up and Down walk the command history; Tab completes commands, resource types,
//! object names and flags.

use crate::i18n::{tr, Lang, T};
use crate::state::{complete, KeyRow};
use kubeplay::cli::Output;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandOutputProps {
    pub transcript: Vec<(String, Output)>,
    /// Earlier command lines, oldest first, for Up and Down.
    pub history: Vec<String>,
    pub keys: Vec<KeyRow>,
    pub lang: Lang,
    pub on_run: Callback<String>,
}

#[component]
pub fn CommandOutput(props: &CommandOutputProps) -> Html {
    let scroll = use_node_ref();
    // Position in the history while browsing it with the arrows (history.len() = a fresh line).
    let position = use_mut_ref(|| usize::MAX);
    let suggestions = use_state(Vec::<String>::new);
    {
        // Keep the newest output in view.
        let scroll = scroll.clone();
        let len = props.transcript.len();
        use_effect_with(len, move |_| {
            if let Some(el) = scroll.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onkeydown = {
        let on_run = props.on_run.clone();
        let history = props.history.clone();
        let keys = props.keys.clone();
        let position = position.clone();
        let suggestions = suggestions.clone();
        Callback::from(move |e: KeyboardEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            match e.key().as_str() {
                "Enter" => {
                    on_run.emit(input.value());
                    input.set_value("");
                    *position.borrow_mut() = usize::MAX;
                    suggestions.set(Vec::new());
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    if history.is_empty() {
                        return;
                    }
                    let mut p = position.borrow_mut();
                    let current = (*p).min(history.len());
                    let next = if e.key() == "ArrowUp" { current.saturating_sub(1) } else { (current + 1).min(history.len()) };
                    *p = next;
                    input.set_value(history.get(next).map_or("", String::as_str));
                }
                "Tab" => {
                    e.prevent_default();
                    let (line, options) = complete(&input.value(), &keys);
                    input.set_value(&line);
                    suggestions.set(if options.len() > 1 { options } else { Vec::new() });
                }
                "c" if e.ctrl_key() => {
                    input.set_value("");
                    suggestions.set(Vec::new());
                }
                _ => {}
            }
        })
    };
    let entries = props.transcript.iter().map(|(line, out)| {
        html! {
            <div class="entry">
                <div class="prompt">{ format!("$ {line}") }</div>
                <pre class="stdout">{ &out.stdout }</pre>
                <pre class="stderr">{ &out.stderr }</pre>
            </div>
        }
    });
    let hint = props.transcript.is_empty().then(|| html! {
        <span class="hint">{ tr(props.lang, T::TerminalPlaceholder) }</span>
    });
    html! {
        <section class="panel terminal" id="output">
            <div class="transcript" ref={scroll}>{ for hint }{ for entries }</div>
            if !suggestions.is_empty() {
                <div class="suggestions" id="suggestions">{ suggestions.join("  ") }</div>
            }
            <div class="prompt-line">
                <span class="prompt">{ "$" }</span>
                <input id="terminal-input" type="text" spellcheck="false" autocomplete="off"
                    placeholder="kubectl get all -A" aria-label="Terminal command" {onkeydown} />
            </div>
        </section>
    }
}
