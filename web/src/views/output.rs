//! The terminal: every command of the session with what it printed, and a prompt to type
//! kubectl or etcdctl commands (`-f -` reads the editor).

use kubeplay::cli::Output;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandOutputProps {
    pub transcript: Vec<(String, Output)>,
    pub on_run: Callback<String>,
}

#[component]
pub fn CommandOutput(props: &CommandOutputProps) -> Html {
    let scroll = use_node_ref();
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
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                on_run.emit(input.value());
                input.set_value("");
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
        <span class="hint">{ "Press Apply (Ctrl+Enter), or type a command below: kubectl get pods -A, etcdctl get /registry --prefix --keys-only" }</span>
    });
    html! {
        <section class="panel terminal" id="output">
            <div class="transcript" ref={scroll}>{ for hint }{ for entries }</div>
            <div class="prompt-line">
                <span class="prompt">{ "$" }</span>
                <input id="terminal-input" type="text" spellcheck="false" autocomplete="off"
                    placeholder="kubectl get all -A" aria-label="Terminal command" {onkeydown} />
            </div>
        </section>
    }
}
