//! The etcd browser: every key under `/registry` at the cursor's revision with its create and mod
//! revisions, version and lease, newest writes first (what the last command changed is on top), a
//! count per resource type, and a filter by key substring. Clicking a key opens its value and
//! history in the object tab.
//!
//! Above the keys, an "as of revision" control: moving it moves the page's cursor to the moment
//! etcd reached that revision, so the keys (and the map, and the objects) are the keyspace as of
//! it; the compaction point is marked, and below it etcd has nothing to show. Each key unfolds its
//! own history (create, updates, delete, with a diff of each write), and a WAL tab lists the
//! writes etcd keeps, one per `{main, sub}` revision, with key, operation and lease; a Watches
//! tab lists the watch streams open and who holds them (`etcd_watches.rs`).

use crate::i18n::{tr, Lang, T};
use crate::state::{KeyRevision, KeyRow, RaftLog, WalRow, WatchStreams};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the etcd browser needs beyond its props, provided by the app as a context (the inspector
/// that embeds the key list passes the keys only): etcd's history and a way to move the cursor.
#[derive(Clone, PartialEq)]
pub struct EtcdContext {
    /// The store's revision now: the end of the "as of" range.
    pub current: i64,
    /// The last compaction's revision, -1 when there was none.
    pub compacted: i64,
    pub raft: RaftLog,
    /// Moves the cursor to where the store reached this revision.
    pub on_revision: Callback<i64>,
    /// A key's writes up to the viewed revision, oldest first.
    pub history: Callback<String, Vec<KeyRevision>>,
    /// The writes etcd keeps up to the viewed revision, newest first.
    pub wal: Callback<(), Vec<WalRow>>,
    /// The watch streams open, with what each got as of the cursor (`etcd_watches.rs`).
    pub watches: Callback<(), WatchStreams>,
    /// Opens a key in the object tab with the diff between two of its revisions.
    pub on_compare: Callback<(String, i64, i64)>,
}

/// Writes listed in the WAL tab.
pub const MAX_WAL_ROWS: usize = 300;
/// Writes listed in one key's unfolded history.
pub const MAX_KEY_HISTORY: usize = 30;

fn lease_text(lease: i64) -> String {
    if lease == 0 {
        String::from("-")
    } else {
        format!("{lease:x}")
    }
}

/// The revision control: a slider over the store's whole history and the number beside it.
fn revision_control(ctx: &EtcdContext, revision: i64, lang: Lang) -> Html {
    let on_change = |ctx: &EtcdContext| {
        let on_revision = ctx.on_revision.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(r) = input.value().trim().parse::<i64>() {
                on_revision.emit(r.max(1));
            }
        })
    };
    let max = ctx.current.max(1);
    // The part of the track below the compaction point is shaded: etcd keeps nothing there.
    let shade = if ctx.compacted > 0 { (ctx.compacted.min(max) * 100 / max).clamp(0, 100) } else { 0 };
    html! {
        <div class="etcd-revision" id="etcd-revision">
            <label for="revision-slider">{ tr(lang, T::AsOfRevision) }</label>
            <input id="revision-slider" type="range" min="1" max={max.to_string()} value={revision.to_string()}
                style={format!("--compacted: {shade}%")} onchange={on_change(ctx)} />
            <input id="revision-number" type="number" min="1" max={max.to_string()} value={revision.to_string()} onchange={on_change(ctx)} />
            <span class="compaction" id="compaction">{
                if ctx.compacted > 0 { format!("{} {}", tr(lang, T::CompactedAt), ctx.compacted) } else { tr(lang, T::NeverCompacted).to_string() }
            }</span>
        </div>
    }
}

/// One key's writes, unfolded under its row.
fn key_history(ctx: &EtcdContext, key: &str, compacted: i64, lang: Lang) -> Html {
    let writes = ctx.history.emit(key.to_string());
    let items = writes.iter().enumerate().map(|(i, w)| {
        // The diff of a write is against the key's previous write (none for a create).
        let diff = (i > 0 && w.op != "create").then(|| {
            let on_compare = ctx.on_compare.clone();
            let pair = (key.to_string(), writes[i - 1].revision.main, w.revision.main);
            html! { <button class="small" onclick={Callback::from(move |_: MouseEvent| on_compare.emit(pair.clone()))}>{ "diff" }</button> }
        });
        html! {
            <li class={classes!("key-write", w.op)} data-revision={w.revision.main.to_string()} data-op={w.op}>
                <span class="rev">{ w.revision.to_string() }</span>
                <span class="op">{ w.op }</span>
                <span class="num">{ format!("v{}", w.version) }</span>
                <span class="num">{ format!("lease {}", lease_text(w.lease)) }</span>
                <span class="num">{ format!("{} B", w.value_bytes) }</span>
                { for diff }
            </li>
        }
    });
    html! {
        <tr class="key-history-row">
            <td colspan="7">
                <ol class="key-history" id="key-history">{ for items }</ol>
                if compacted > 0 { <p class="hint">{ format!("{} {compacted}", tr(lang, T::OlderCompacted)) }</p> }
            </td>
        </tr>
    }
}

/// The WAL tab: the raft log's size, then the writes etcd keeps, newest first.
fn wal_view(ctx: &EtcdContext, lang: Lang) -> Html {
    let rows = ctx.wal.emit(());
    let raft = ctx.raft;
    let rows = rows.iter().map(|w| {
        html! {
            <tr class={classes!("wal-row", w.op)} data-revision={w.revision.main.to_string()} data-key={w.key.clone()} data-op={w.op}>
                <td class="num">{ w.revision.to_string() }</td>
                <td class="key">{ &w.key }</td>
                <td>{ w.op }</td>
                <td class="num">{ lease_text(w.lease) }</td>
                <td class="num">{ w.value_bytes }</td>
            </tr>
        }
    });
    html! {
        <div class="wal" id="wal">
            <p class="hint" id="raft-log">{ format!(
                "{}: {} {} · index {} · term {} · {} {}",
                tr(lang, T::RaftLog), raft.entries, tr(lang, T::EntriesSinceSnapshot), raft.last_index, raft.term, raft.snapshots, tr(lang, T::Snapshots)
            ) }</p>
            <div class="table-scroll">
                <table id="wal-table">
                    <thead><tr>
                        <th title="main.sub revision">{ "revision" }</th>
                        <th>{ "key" }</th>
                        <th>{ "op" }</th>
                        <th>{ "lease" }</th>
                        <th title="value size in bytes">{ "bytes" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct EtcdKeysProps {
    pub keys: std::rc::Rc<Vec<KeyRow>>,
    pub revision: i64,
    /// Keys written at or after this revision are highlighted (the last command's writes).
    pub changed_since: i64,
    pub lang: Lang,
    pub on_select: Callback<String>,
}

/// The etcd browser's tabs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EtcdView {
    Keys,
    Wal,
    Watches,
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
    let context = use_context::<EtcdContext>();
    let unfolded = use_state(|| None::<String>);
    let view = use_state(|| EtcdView::Keys);
    let compacted = context.as_ref().map_or(-1, |c| c.compacted);
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
    for k in props.keys.iter() {
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
        // Keys last written before the compaction point have lost their earlier revisions.
        let class = classes!("etcd-key", (k.mod_revision >= props.changed_since).then_some("fresh"), (k.mod_revision < compacted).then_some("compacted"));
        let open = unfolded.as_deref() == Some(k.key.as_str());
        let toggle = {
            let unfolded = unfolded.clone();
            let key = k.key.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                unfolded.set(if open { None } else { Some(key.clone()) });
            })
        };
        let history = context.as_ref().filter(|_| open).map(|c| key_history(c, &k.key, compacted, props.lang));
        let onclick = {
            let on_select = props.on_select.clone();
            let key = k.key.clone();
            Callback::from(move |_: MouseEvent| on_select.emit(key.clone()))
        };
        html! {
            <>
            <tr class={class} {onclick} data-key={k.key.clone()} data-create-revision={k.create_revision.to_string()} data-mod-revision={k.mod_revision.to_string()}>
                <td class="toggle"><button class="hist-toggle" onclick={toggle} title={tr(props.lang, T::KeyHistory)}>{ if open { "▾" } else { "▸" } }</button></td>
                <td class="key">{ &k.key }</td>
                <td class="num">{ k.create_revision }</td>
                <td class="num">{ k.mod_revision }</td>
                <td class="num">{ k.version }</td>
                <td class="num">{ lease_text(k.lease) }</td>
                <td class="num">{ k.value_bytes }</td>
            </tr>
            { for history }
            </>
        }
    });
    let below_compaction = compacted > 0 && props.revision < compacted;
    let switch = |to: EtcdView| {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(to))
    };
    let on = |v: EtcdView| (*view == v).then_some("on");
    html! {
        <div class="etcd">
            if let Some(c) = context.as_ref() { { revision_control(c, props.revision, props.lang) } }
            if below_compaction {
                <p class="compacted-note" id="compacted-note">{ format!("{} {compacted}: {}", tr(props.lang, T::CompactedAt), tr(props.lang, T::CompactedNote)) }</p>
            }
            <div class="etcd-views">
                <button id="etcd-view-keys" class={classes!("small", on(EtcdView::Keys))} onclick={switch(EtcdView::Keys)}>{ tr(props.lang, T::Keys) }</button>
                <button id="etcd-view-wal" class={classes!("small", on(EtcdView::Wal))} onclick={switch(EtcdView::Wal)}>{ "WAL" }</button>
                <button id="etcd-view-watches" class={classes!("small", on(EtcdView::Watches))} onclick={switch(EtcdView::Watches)}>{ tr(props.lang, T::Watches) }</button>
            </div>
            if *view == EtcdView::Wal {
                if let Some(c) = context.as_ref() { { wal_view(c, props.lang) } }
            } else if *view == EtcdView::Watches {
                if let Some(c) = context.as_ref() { { super::etcd_watches::watches_view(c, props.lang) } }
            } else {
            <div class="etcd-tools">
                <input id="etcd-filter" type="search" placeholder={tr(props.lang, T::EtcdFilter)} aria-label="Filter etcd keys" value={(*filter).clone()} {oninput} />
                <span class="count">{ format!("{shown} / {} {}", props.keys.len(), tr(props.lang, T::KeysNewestFirst)) }</span>
            </div>
            <div class="folders">{ for folders }</div>
            <div class="table-scroll">
                <table id="etcd-keys">
                    <thead><tr>
                        <th></th>
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
            }
        </div>
    }
}
