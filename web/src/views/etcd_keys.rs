//! The etcd browser, first cut: every key with its create and mod revisions and version.

use crate::state::KeyRow;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EtcdKeysProps {
    pub keys: Vec<KeyRow>,
    pub revision: i64,
}

#[component]
pub fn EtcdKeys(props: &EtcdKeysProps) -> Html {
    let rows = props.keys.iter().map(|k| {
        html! {
            <tr class="etcd-key" data-key={k.key.clone()} data-mod-revision={k.mod_revision.to_string()}>
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
