//! The terminal: every command of the session with what it printed (identical to the native CLI's
//! output), and a prompt for kubectl, etcdctl and the simulation's own commands (`run 30s`,
//! `trace`). Up and Down walk the command history; Tab completes commands, resource types,
//! object names and flags. While a `kubectl get -w` is open the prompt is busy, as a terminal's
//! is: its entry grows as rows arrive, and Ctrl+C (or the stop button) ends it.

use crate::i18n::{tr, Lang, T};
use crate::state::{complete, KeyRow};
use kubeplay::cli::Output;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandOutputProps {
    /// Shared with the page's state: passing it is a pointer copy.
    pub transcript: std::rc::Rc<Vec<(String, Output)>>,
    /// Earlier command lines, oldest first, for Up and Down.
    pub history: Vec<String>,
    pub keys: std::rc::Rc<Vec<KeyRow>>,
    pub lang: Lang,
    pub on_run: Callback<String>,
    /// A `kubectl get -w` is open: the prompt takes only Ctrl+C.
    #[prop_or_default]
    pub busy: bool,
    #[prop_or_default]
    pub on_interrupt: Callback<()>,
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
        // A growing `get -w` entry keeps its newest row in view too.
        let len = (props.transcript.len(), props.transcript.last().map_or(0, |(_, o)| o.stdout.len()));
        // Reading the height lays the page out: done in the next frame, which lays it out anyway
        // (a newer entry cancels the frame asked for an older one).
        use_effect_with(len, move |_| {
            let frame = gloo::render::request_animation_frame(move |_| {
                if let Some(el) = scroll.cast::<web_sys::Element>() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
            move || drop(frame)
        });
    }
    let onkeydown = {
        let on_run = props.on_run.clone();
        let history = props.history.clone();
        let keys = props.keys.clone();
        let position = position.clone();
        let suggestions = suggestions.clone();
        let busy = props.busy;
        let on_interrupt = props.on_interrupt.clone();
        Callback::from(move |e: KeyboardEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if busy {
                if e.key() == "c" && e.ctrl_key() {
                    e.prevent_default();
                    on_interrupt.emit(());
                }
                return;
            }
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
            <div class="transcript" style={super::CONTAINED} ref={scroll}>{ for hint }{ for entries }</div>
            if !suggestions.is_empty() {
                <div class="suggestions" id="suggestions">{ suggestions.join("  ") }</div>
            }
            <div class="prompt-line">
                <span class="prompt">{ "$" }</span>
                <input id="terminal-input" type="text" spellcheck="false" autocomplete="off"
                    class={classes!(props.busy.then_some("busy"))} readonly={props.busy} aria-busy={props.busy.to_string()}
                    placeholder={if props.busy { "" } else { "kubectl get all -A" }} aria-label="Terminal command" {onkeydown} />
                if props.busy {
                    <button id="terminal-interrupt" class="small" type="button" title="Ctrl+C"
                        onclick={let i = props.on_interrupt.clone(); Callback::from(move |_: MouseEvent| i.emit(()))}>{ "Ctrl+C" }</button>
                }
            </div>
        </section>
    }
}
