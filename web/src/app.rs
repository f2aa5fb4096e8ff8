//! The page: header, the editor on the left, the etcd keys on the right, output below.

use crate::state::{Action, Playground};
use crate::views::{ClusterMap, CommandOutput, Editor, EtcdKeys, Pipeline};
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    let state = use_reducer(Playground::default);
    let on_edit = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::Edit(text)))
    };
    let on_apply = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::Apply))
    };
    let on_run = {
        let state = state.clone();
        Callback::from(move |line: String| state.dispatch(Action::Run(line)))
    };
    let onclick = {
        let on_apply = on_apply.clone();
        Callback::from(move |_: MouseEvent| on_apply.emit(()))
    };
    let status = match &state.last {
        Some((_, out)) if out.success() => html! { <span class="status ok" id="status">{ "applied" }</span> },
        Some(_) => html! { <span class="status failed" id="status">{ "failed" }</span> },
        None => html! {},
    };
    html! {
        <div class="app">
            <header>
                <h1>{ "kubeplay" }</h1>
                <span class="tagline">{ "a Kubernetes control plane, simulated in your browser" }</span>
            </header>
            <main>
                <div class="left">
                <section class="panel editor-panel">
                    <div class="toolbar">
                        <h2>{ "manifest" }</h2>
                        <button id="apply" class="primary" {onclick} title="kubectl apply -f - (Ctrl+Enter)">{ "Apply" }</button>
                        { status }
                    </div>
                    <Editor text={state.editor.clone()} diagnostics={state.diagnostics().to_vec()} {on_edit} {on_apply} />
                </section>
                <Pipeline requests={state.requests.clone()} />
                </div>
                <div class="side">
                    <ClusterMap nodes={state.nodes.clone()} />
                    <EtcdKeys keys={state.keys.clone()} revision={state.revision} changed_since={state.revision_before_last} />
                    <CommandOutput transcript={state.transcript.clone()} {on_run} />
                </div>
            </main>
        </div>
    }
}
