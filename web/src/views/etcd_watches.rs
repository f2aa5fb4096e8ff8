//! The etcd browser's Watches tab: who is watching what. The API watches every process holds
//! (kube-controller-manager's shared informers, kube-scheduler's, each kubelet's and kube-proxy's,
//! the terminal's `kubectl get -w`), each with its field selector and the last event it was
//! delivered as of the cursor; below, the streams kube-apiserver's watch cache keeps open on etcd,
//! one per resource prefix, with the next revision each will deliver.

use super::etcd_keys::EtcdContext;
use crate::i18n::{tr, Lang, T};
use yew::prelude::*;

pub fn watches_view(ctx: &EtcdContext, lang: Lang) -> Html {
    let streams = ctx.watches.emit(());
    let api = streams.api.iter().map(|w| {
        let on_revision = ctx.on_revision.clone();
        let last = match &w.last {
            Some(l) => {
                let revision = l.revision;
                let goto = Callback::from(move |_: MouseEvent| on_revision.emit(revision));
                html! {
                    <button class="link" onclick={goto} title={format!("#{}", l.record)}>
                        { format!("{} {} @{}", l.event.name(), l.key, l.revision) }
                    </button>
                }
            }
            None => html! { <span class="hint">{ tr(lang, T::NoEventYet) }</span> },
        };
        html! {
            <tr class="api-watch" data-process={w.process.clone()} data-resource={w.resource.clone()}>
                <td>{ &w.process }</td>
                <td>{ &w.resource }</td>
                <td>{ w.namespace.clone().unwrap_or_else(|| "*".into()) }</td>
                <td class="key">{ &w.selector }</td>
                <td class="key">{ last }</td>
            </tr>
        }
    });
    let etcd = streams.etcd.iter().map(|w| {
        html! {
            <tr class="etcd-watch" data-watch-id={w.id.to_string()}>
                <td class="num">{ w.id }</td>
                <td class="key">{ &w.key }</td>
                <td class="num">{ w.next_revision }</td>
                <td>{ w.holder }</td>
            </tr>
        }
    });
    html! {
        <div class="watches" id="watches">
            <p class="hint">{ tr(lang, T::WatchesApi) }</p>
            <div class="table-scroll">
                <table id="api-watches">
                    <thead><tr>
                        <th>{ "process" }</th>
                        <th>{ "resource" }</th>
                        <th>{ "namespace" }</th>
                        <th>{ "fieldSelector" }</th>
                        <th>{ "last event" }</th>
                    </tr></thead>
                    <tbody>{ for api }</tbody>
                </table>
            </div>
            <p class="hint">{ tr(lang, T::WatchesEtcd) }</p>
            <div class="table-scroll">
                <table id="etcd-watches">
                    <thead><tr>
                        <th>{ "watch" }</th>
                        <th>{ "key prefix" }</th>
                        <th title="the next revision this stream will deliver">{ "next rev" }</th>
                        <th>{ "held by" }</th>
                    </tr></thead>
                    <tbody>{ for etcd }</tbody>
                </table>
            </div>
        </div>
    }
}
