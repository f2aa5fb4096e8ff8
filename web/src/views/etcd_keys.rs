//! The etcd browser: every key under `/registry` at the cursor's revision with its create and mod
//! revisions, version and lease, newest writes first (what the last command changed is on top), a
//! count per resource type, and a filter by key substring. Clicking a key opens its value and
//! history in the object tab.

use crate::i18n::{tr, Lang, T};
use crate::state::KeyRow;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EtcdKeysProps {
    pub keys: Vec<KeyRow>,
    pub revision: i64,
    /// Keys written at or after this revision are highlighted (the last command's writes).
    pub changed_since: i64,
    pub lang: Lang,
    pub on_select: Callback<String>,
}

/// Rows drawn at once; the filter reaches the rest.
const MAX_ROWS: usize = 400;

/// `/registry/pods/default/web` → `pods`; the resource segment of a key.
fn resource_of(key: &str) -> &str {
    let rest = key.strip_prefix("/registry/").unwrap_or(key);
    match rest.split('/').next() {
        // Groups with their own folder (`/registry/apiregistration.k8s.io/...`) count by the next.
        Some(g) if g.contains('.') => rest.split('/').nth(1).unwrap_or(g),
        Some(r) => r,
        None => rest,
    }
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
    // Counts per resource type, like the folders of a key tree.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for k in &props.keys {
        let r = resource_of(&k.key);
        match counts.iter_mut().find(|(name, _)| *name == r) {
            Some((_, n)) => *n += 1,
            None => counts.push((r, 1)),
        }
    }
    counts.sort();
    let folders = counts.into_iter().map(|(r, n)| {
        let filter = filter.clone();
        let prefix = format!("/registry/{r}/");
        html! { <button class="folder" onclick={Callback::from(move |_: MouseEvent| filter.set(prefix.clone()))}>{ format!("{r} {n}") }</button> }
    });
    let hidden = shown.saturating_sub(MAX_ROWS);
    let rows = keys.into_iter().take(MAX_ROWS).map(|k| {
        let class = classes!("etcd-key", (k.mod_revision >= props.changed_since).then_some("fresh"));
        let onclick = {
            let on_select = props.on_select.clone();
            let key = k.key.clone();
            Callback::from(move |_: MouseEvent| on_select.emit(key.clone()))
        };
        html! {
            <tr class={class} {onclick} data-key={k.key.clone()} data-create-revision={k.create_revision.to_string()} data-mod-revision={k.mod_revision.to_string()}>
                <td class="key">{ &k.key }</td>
                <td class="num">{ k.create_revision }</td>
                <td class="num">{ k.mod_revision }</td>
                <td class="num">{ k.version }</td>
                <td class="num">{ if k.lease == 0 { String::from("-") } else { format!("{:x}", k.lease) } }</td>
                <td class="num">{ k.value_bytes }</td>
            </tr>
        }
    });
    html! {
        <div class="etcd">
            <div class="etcd-tools">
                <input id="etcd-filter" type="search" placeholder={tr(props.lang, T::EtcdFilter)} aria-label="Filter etcd keys" value={(*filter).clone()} {oninput} />
                <span class="count">{ format!("{shown} / {} {}", props.keys.len(), tr(props.lang, T::KeysNewestFirst)) }</span>
            </div>
            <div class="folders">{ for folders }</div>
            <div class="table-scroll">
                <table id="etcd-keys">
                    <thead><tr>
                        <th>{ "key" }</th>
                        <th title="create_revision">{ "created" }</th>
                        <th title="mod_revision">{ "modified" }</th>
                        <th title="version">{ "ver" }</th>
                        <th title="lease">{ "lease" }</th>
                        <th title="value size in bytes">{ "bytes" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                if hidden > 0 { <p class="hint">{ format!("+{hidden} … (filter)") }</p> }
            </div>
        </div>
    }
}
