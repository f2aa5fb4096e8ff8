//! What the last command printed, as a terminal shows it.

use kubeplay::cli::Output;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandOutputProps {
    pub last: Option<(String, Output)>,
}

#[component]
pub fn CommandOutput(props: &CommandOutputProps) -> Html {
    let body = match &props.last {
        None => html! { <span class="hint">{ "Press Apply (Ctrl+Enter) to send the manifest to the API server." }</span> },
        Some((line, out)) => html! {
            <>
                <div class="prompt">{ format!("$ {line}") }</div>
                <pre class="stdout">{ &out.stdout }</pre>
                <pre class="stderr" id="stderr">{ &out.stderr }</pre>
            </>
        },
    };
    html! { <section class="panel terminal" id="output">{ body }</section> }
}
