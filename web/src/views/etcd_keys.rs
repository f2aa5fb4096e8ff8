//! The etcd browser, first cut: every key with its create and mod revisions and version, newest
//! writes first (what the last command changed is on top), with a filter by key substring.

use crate::state::KeyRow;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EtcdKeysProps {
    pub keys: Vec<KeyRow>,
    pub revision: i64,
    /// Keys written at or after this revision are highlighted (the last command's writes).
    pub changed_since: i64,
}

#[component]
pub fn EtcdKeys(props: &EtcdKeysProps) -> Html {
    let filter = use_state(String::new);
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            filter.set(input.value());
        })
    };
    let mut keys: Vec<&KeyRow> = props.keys.iter().filter(|k| filter.is_empty() || k.key.contains(filter.as_str())).collect();
    keys.sort_by(|a, b| b.mod_revision.cmp(&a.mod_revision).then_with(|| a.key.cmp(&b.key)));
    let shown = keys.len();
    let rows = keys.into_iter().map(|k| {
        let class = classes!("etcd-key", (k.mod_revision >= props.changed_since).then_some("fresh"));
        html! {
            <tr class={class} data-key={k.key.clone()} data-create-revision={k.create_revision.to_string()} data-mod-revision={k.mod_revision.to_string()}>
                <td class="key">{ &k.key }</td>
                <td class="num">{ k.create_revision }</td>
                <td class="num">{ k.mod_revision }</td>
                <td class="num">{ k.version }</td>
                <td class="num">{ k.value_bytes }</td>
            </tr>
        }
    });
    html! {
        <section class="panel etcd">
            <h2>{ "etcd" }<span class="revision" id="revision">{ format!("revision {}", props.revision) }</span></h2>
            <div class="etcd-tools">
                <input id="etcd-filter" type="search" placeholder="filter keys, e.g. /registry/pods" aria-label="Filter etcd keys" {oninput} />
                <span class="count">{ format!("{shown} of {} keys, newest first", props.keys.len()) }</span>
            </div>
            <div class="table-scroll">
                <table id="etcd-keys">
                    <thead><tr>
                        <th>{ "key" }</th>
                        <th title="create_revision">{ "created" }</th>
                        <th title="mod_revision">{ "modified" }</th>
                        <th title="version">{ "ver" }</th>
                        <th title="value size in bytes">{ "bytes" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </section>
    }
}
