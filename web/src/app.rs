//! The page: header, the editor on the left, the etcd keys on the right, output below.

use crate::state::{Action, Playground, EXAMPLES, EXAMPLE_MANIFEST};
use gloo::storage::{LocalStorage, Storage};
use web_sys::HtmlSelectElement;
use crate::views::{ClusterMap, CommandOutput, Editor, EtcdKeys, Pipeline};
use yew::prelude::*;

/// Where the editor's text is kept between visits.
const STORAGE_KEY: &str = "kubeplay.editor";

#[component]
pub fn App() -> Html {
    // The learner's manifest survives a reload: it is kept in localStorage (the only side effect,
    // here at the edge, never in the state).
    let state = use_reducer(|| {
        let saved: Option<String> = LocalStorage::get(STORAGE_KEY).ok();
        Playground::new(1, saved.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| EXAMPLE_MANIFEST.to_string()))
    });
    {
        let text = state.editor.clone();
        use_effect_with(text, |text| {
            let _ = LocalStorage::set(STORAGE_KEY, text.as_str());
        });
    }
    let explanation = use_state(|| EXAMPLES[0].1.to_string());
    let chosen = use_state(|| 0usize);
    let on_example = {
        let state = state.clone();
        let explanation = explanation.clone();
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(i) = select.value().parse::<usize>().ok().filter(|i| *i < EXAMPLES.len()) {
                let (_, why, text) = EXAMPLES[i];
                chosen.set(i);
                explanation.set(why.to_string());
                state.dispatch(Action::Edit(text.to_string()));
            }
        })
    };
    let on_dry_run = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::DryRun))
    };
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
                        <select id="examples" onchange={on_example} title="Load an example into the editor">
                            { for EXAMPLES.iter().enumerate().map(|(i, (title, _, _))| html! { <option value={i.to_string()} selected={i == *chosen}>{ *title }</option> }) }
                        </select>
                        <button id="dry-run" onclick={on_dry_run} title="kubectl apply -f - --dry-run=server: every stage but the write">{ "Dry run" }</button>
                        <button id="apply" class="primary" {onclick} title="kubectl apply -f - (Ctrl+Enter)">{ "Apply" }</button>
                        { status }
                    </div>
                    <p class="explanation">{ (*explanation).clone() }</p>
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
