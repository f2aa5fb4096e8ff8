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
    // Each process's name is shown once, on its first stream, as a tree.
    let mut previous = String::new();
    let api = streams.api.iter().map(|w| {
        let on_revision = ctx.on_revision.clone();
        let last = match &w.last {
            Some(l) => {
                let revision = l.revision;
                let goto = Callback::from(move |_: MouseEvent| on_revision.emit(revision));
                let key = l.key.strip_prefix("/registry/").unwrap_or(&l.key);
                html! {
                    <button class="link" onclick={goto} title={format!("{} · #{}", l.key, l.record)}>
                        { format!("{} {key} @{}", l.event.name(), l.revision) }
                    </button>
                }
            }
            None => html! { <span class="hint">{ tr(lang, T::NoEventYet) }</span> },
        };
        let first = previous != w.process;
        previous.clone_from(&w.process);
        let scope = match &w.namespace {
            Some(ns) => format!(" -n {ns}"),
            None => String::new(),
        };
        html! {
            <tr class={classes!("api-watch", first.then_some("first"))} data-process={w.process.clone()} data-resource={w.resource.clone()}>
                <td class="process">{ if first { w.process.as_str() } else { "" } }</td>
                <td>
                    { format!("{}{scope}", w.resource) } if !w.selector.is_empty() { <span class="selector">{ format!(" {}", w.selector) }</span> }
                    <div class="last-event">{ last }</div>
                </td>
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
            <table id="api-watches">
                <thead><tr>
                    <th>{ "process" }</th>
                    <th title="resource, field selector; below, the last event it got">{ "watches · last event" }</th>
                </tr></thead>
                <tbody>{ for api }</tbody>
            </table>
            <p class="hint">{ tr(lang, T::WatchesEtcd) }</p>
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
    }
}
