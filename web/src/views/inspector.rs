//! The inspector on the right: three tabs over the cluster as of the cursor.
//!
//! - request: the pipeline stepper for the request at the cursor — its stages in order, each with
//!   its decision and detail (identity, the RBAC binding and rule, what admission changed,
//!   validation errors, the etcd key and revision), the stages not reached yet greyed, and below
//!   it the requests this one led to, as a tree;
//! - etcd: the keys at the cursor's revision (see `etcd_keys.rs`);
//! - object: the selected key's value as YAML, its writes so far and a diff between two of them.

use crate::i18n::{explain_stage, tr, Lang, T};
use crate::state::timeline::{op_name, stages_for};
use crate::state::{line_diff, Caused, DiffLine, KeyRow, ObjectView, RequestView, SchedulerTable};
use crate::views::scheduler_table::SchedulerTableView;
use crate::views::EtcdKeys;
use kubeplay::trace::Verdict;
use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Request,
    Etcd,
    Object,
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub tab: Tab,
    pub on_tab: Callback<Tab>,
    pub lang: Lang,
    pub request: Option<RequestView>,
    pub caused: Vec<Caused>,
    /// The last command's requests, listed when the cursor is on no request (shared with the
    /// page's state: passing them is a pointer copy).
    pub requests: std::rc::Rc<Vec<RequestView>>,
    /// The trace record the page shows; `None` when it follows the newest.
    #[prop_or_default]
    pub cursor: Option<u64>,
    pub keys: std::rc::Rc<Vec<KeyRow>>,
    pub revision: i64,
    pub changed_since: i64,
    pub object: Option<ObjectView>,
    /// (older, newer) YAML for the object diff, computed by the app from the store.
    pub diff: Option<(i64, i64, String, String)>,
    pub on_select_key: Callback<String>,
    /// Jump the cursor to a request (by the seq of its first record).
    pub on_seek: Callback<u64>,
    /// Choose two revisions of the object to compare.
    pub on_compare: Callback<(i64, i64)>,
    /// The kube-scheduler attempt at the cursor, shown above the request tab's content.
    #[prop_or_default]
    pub scheduling: Option<SchedulerTable>,
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::Changed => "changed",
        Verdict::Rejected => "rejected",
        Verdict::Skipped => "skipped",
    }
}

fn request_stepper(props: &InspectorProps, r: &RequestView) -> Html {
    let lang = props.lang;
    let done: Vec<_> = r.stages.iter().map(|(s, _, _)| *s).collect();
    let finished = r.response.is_some();
    let rejected = r.stages.iter().any(|(_, v, _)| *v == Verdict::Rejected);
    let reached = r.stages.iter().map(|(stage, verdict, detail)| {
        html! {
            <li class={classes!("stage-row", verdict_class(*verdict))} data-stage={stage.name()}>
                <div class="stage-head" title={explain_stage(lang, stage.name())}>
                    <span class="stage-name">{ stage.name() }</span>
                    <span class={classes!("verdict", verdict_class(*verdict))}>{ verdict.name() }</span>
                </div>
                if !detail.is_empty() { <pre class="stage-detail">{ detail }</pre> }
            </li>
        }
    });
    // The stages still ahead of the cursor, greyed; none once the request has answered.
    let ahead = stages_for(&r.method).iter().filter(|s| !finished && !rejected && !done.contains(s)).map(|s| {
        html! {
            <li class="stage-row ahead" data-stage={s.name()} title={tr(lang, T::StagesAhead)}>
                <div class="stage-head" title={explain_stage(lang, s.name())}><span class="stage-name">{ s.name() }</span><span class="verdict">{ "…" }</span></div>
            </li>
        }
    });
    // Each write: the etcd key and revision, and the watchers its event reached so far.
    let writes = r.writes.iter().map(|(key, rev, op)| {
        let on_select = props.on_select_key.clone();
        let k = key.clone();
        let watchers = r.watchers_of(*rev);
        html! {
            <li class="write-row" onclick={Callback::from(move |_: MouseEvent| on_select.emit(k.clone()))}>
                <span class="write">{ format!("etcd txn {}", op_name(*op)) }</span>
                <span class="key link">{ key }</span>
                <span class="rev">{ format!("→ {} {rev}", tr(lang, T::Revision)) }</span>
                if !watchers.is_empty() {
                    <div class="watchers" data-revision={rev.to_string()}>{ format!("{}: {}", tr(lang, T::WatchersNotified), watchers.join(", ")) }</div>
                }
            </li>
        }
    });
    let response = r.response.as_ref().map(|(code, message, rev)| {
        html! { <div class={classes!("response", if *code < 400 { "ok" } else { "bad" })} id="response">{ format!("{code} {message} · {} {rev}", tr(lang, T::Revision)) }</div> }
    });
    let caused = props.caused.iter().map(|c| {
        let on_seek = props.on_seek.clone();
        let seq = c.seq;
        html! {
            <li class={classes!("caused", c.reconcile.then_some("reconcile"))} style={format!("padding-left: {}px", c.depth.saturating_sub(1) * 14)} onclick={Callback::from(move |_: MouseEvent| on_seek.emit(seq))} data-request={(!c.reconcile).then(|| c.id.to_string())}>
                <span class="link">{ &c.line }</span><span class="user">{ &c.user }</span>
            </li>
        }
    });
    html! {
        <div class="stepper" id="stepper" data-request={r.id.to_string()}>
            <div class="request-line">
                <span class="method">{ &r.method }</span>
                <span class="path">{ &r.path }</span>
                if r.dry_run { <span class="dry">{ "dry run" }</span> }
            </div>
            <div class="request-user">{ format!("{}: {}", tr(lang, T::User), r.user) }</div>
            <ol class="stage-list">{ for reached }{ for ahead }</ol>
            if !r.writes.is_empty() { <ul class="writes">{ for writes }</ul> }
            { for response }
            if !props.caused.is_empty() {
                <h3>{ tr(lang, T::RequestsCaused) }</h3>
                <ul class="caused-tree">{ for caused }</ul>
            }
        </div>
    }
}

/// Requests listed around the cursor while stepping through the trace.
const REQUESTS_NEAR_CURSOR: usize = 24;

/// Requests listed live: the command's first ones (its own, then what they set off); the rest are
/// reached by stepping, which lists those around the cursor.
const REQUESTS_LIVE: usize = 100;

/// The requests the list shows: the first [`REQUESTS_LIVE`] live; while stepping, those around the
/// cursor. A step moves between a request's stepper and this list at every record outside a
/// request, so a list of all 300 (3,600 elements to build, style and lay out) made such a step
/// take 50-200 ms.
fn listed(requests: &[RequestView], cursor: Option<u64>) -> &[RequestView] {
    let Some(at) = cursor else { return requests.get(..REQUESTS_LIVE).unwrap_or(requests) };
    let next = requests.partition_point(|r| r.seq <= at);
    let start = next.saturating_sub(REQUESTS_NEAR_CURSOR / 2);
    let end = start.saturating_add(REQUESTS_NEAR_CURSOR).min(requests.len());
    let start = end.saturating_sub(REQUESTS_NEAR_CURSOR);
    requests.get(start..end).unwrap_or(requests)
}

fn command_requests(props: &InspectorProps) -> Html {
    let lang = props.lang;
    if props.requests.is_empty() && props.caused.is_empty() {
        return html! { <p class="empty">{ tr(lang, T::NoRequestSelected) }</p> };
    }
    let shown = listed(&props.requests, props.cursor);
    let rows = shown.iter().map(|r| {
        let on_seek = props.on_seek.clone();
        let id = r.id;
        let seq = r.seq;
        let code = r.response.as_ref().map_or(String::from("…"), |(c, _, _)| c.to_string());
        let bad = r.response.as_ref().is_some_and(|(c, _, _)| *c >= 400);
        let stages = r.stages.iter().map(|(s, v, _)| html! { <span class={classes!("stage", verdict_class(*v))} title={s.name()}>{ s.name().chars().next().map(|c| c.to_string()).unwrap_or_default() }</span> });
        html! {
            <li key={id} class="request" data-request={id.to_string()} onclick={Callback::from(move |_: MouseEvent| on_seek.emit(seq))}>
                <span class="method">{ &r.method }</span>
                <span class="path">{ &r.path }</span>
                <span class="stages">{ for stages }</span>
                <span class={classes!("code", if bad { "bad" } else { "ok" })}>{ code }</span>
            </li>
        }
    });
    html! {
        <div>
            <p class="hint">{
                // While stepping, "24 / 300 requests": the ones around the cursor of the command's.
                if shown.len() < props.requests.len() {
                    format!("{} / {} {}", shown.len(), props.requests.len(), tr(lang, T::RequestsInCommand))
                } else {
                    let noun = if props.requests.len() == 1 { T::RequestInCommand } else { T::RequestsInCommand };
                    format!("{} {}", props.requests.len(), tr(lang, noun))
                }
            }</p>
            <ol class="requests">{ for rows }</ol>
        </div>
    }
}

fn object_view(props: &InspectorProps) -> Html {
    let lang = props.lang;
    let Some(o) = &props.object else {
        return html! { <p class="empty">{ tr(lang, T::NoObjectSelected) }</p> };
    };
    let history = o.history.iter().enumerate().map(|(i, (rev, op))| {
        let previous = if i > 0 { o.history.get(i - 1).map(|p| p.0) } else { None };
        let compare = previous.map(|prev| {
            let on_compare = props.on_compare.clone();
            let rev = *rev;
            html! { <button class="small" onclick={Callback::from(move |_: MouseEvent| on_compare.emit((prev, rev)))}>{ format!("{} {prev}↔{rev}", tr(lang, T::Compare)) }</button> }
        });
        html! { <li data-revision={rev.to_string()}><span class="rev">{ rev }</span><span class="op">{ *op }</span>{ for compare }</li> }
    });
    let diff = props.diff.as_ref().map(|(a, b, old, new)| {
        // Unchanged lines only within three of a change, as `diff -u` shows context; longer runs
        // fold into one line saying how many were skipped.
        let all = line_diff(old, new);
        let changed: Vec<usize> = all.iter().enumerate().filter(|(_, l)| !matches!(l, DiffLine::Same(_))).map(|(i, _)| i).collect();
        let near = |i: usize| changed.iter().any(|c| c.abs_diff(i) <= 3);
        let mut lines = Vec::new();
        let mut skipped = 0usize;
        for (i, l) in all.into_iter().enumerate() {
            if matches!(l, DiffLine::Same(_)) && !near(i) {
                skipped += 1;
                continue;
            }
            if skipped > 0 {
                lines.push(html! { <div class="d-fold">{ format!("  ⋯ {skipped} unchanged") }</div> });
                skipped = 0;
            }
            lines.push(match l {
                DiffLine::Same(t) => html! { <div class="d-same">{ format!("  {t}") }</div> },
                DiffLine::Removed(t) => html! { <div class="d-del">{ format!("- {t}") }</div> },
                DiffLine::Added(t) => html! { <div class="d-add">{ format!("+ {t}") }</div> },
            });
        }
        if skipped > 0 {
            lines.push(html! { <div class="d-fold">{ format!("  ⋯ {skipped} unchanged") }</div> });
        }
        html! { <div class="diff" id="object-diff"><div class="diff-head">{ format!("{} {a} → {b}", tr(lang, T::Revision)) }</div><pre>{ for lines.into_iter() }</pre></div> }
    });
    html! {
        <div class="object" id="object">
            <div class="object-key">{ &o.key }</div>
            <div class="object-history">
                <span class="hint">{ tr(lang, T::KeyHistory) }</span>
                <ul>{ for history }</ul>
            </div>
            { for diff }
            if let Some(table) = &o.scheduling {
                <details class="object-scheduling" id="object-scheduling">
                    <summary>{ tr(lang, T::WhyThisNode) }</summary>
                    <SchedulerTableView {lang} table={table.clone()} />
                </details>
            }
            if o.yaml.is_empty() {
                <p class="empty">{ format!("{} {}: —", tr(lang, T::Revision), props.revision) }</p>
            } else {
                <pre class="yaml">{ &o.yaml }</pre>
            }
        </div>
    }
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let lang = props.lang;
    let tab = |t: Tab, label: T, id: &'static str| {
        let on_tab = props.on_tab.clone();
        html! { <button id={id} class={classes!("tab", (props.tab == t).then_some("on"))} onclick={Callback::from(move |_: MouseEvent| on_tab.emit(t))}>{ tr(lang, label) }</button> }
    };
    let body = match props.tab {
        Tab::Request => html! {
            <>
                if let Some(table) = &props.scheduling { <SchedulerTableView {lang} table={table.clone()} /> }
                { match &props.request {
                    Some(r) => request_stepper(props, r),
                    None => command_requests(props),
                } }
            </>
        },
        Tab::Etcd => html! {
            <EtcdKeys keys={props.keys.clone()} revision={props.revision} changed_since={props.changed_since} {lang} on_select={props.on_select_key.clone()} />
        },
        Tab::Object => object_view(props),
    };
    html! {
        <section class="panel inspector" id="inspector">
            <div class="tabs">
                { tab(Tab::Request, T::TabPipeline, "tab-request") }
                { tab(Tab::Etcd, T::TabEtcd, "tab-etcd") }
                { tab(Tab::Object, T::TabObject, "tab-object") }
                <span class="revision" id="revision">{ format!("{} {}", tr(lang, T::Revision), props.revision) }</span>
            </div>
            <div class="tab-body" style={super::CONTAINED}>{ body }</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(seq: u64) -> RequestView {
        RequestView { id: seq, seq, method: "GET".into(), path: "/".into(), user: String::new(), dry_run: false, stages: Vec::new(), writes: Vec::new(), notified: Vec::new(), response: None }
    }

    #[test]
    fn stepping_lists_the_requests_around_the_cursor() {
        let requests: Vec<RequestView> = (0..300).map(|i| request(i * 10)).collect();
        let seqs = |l: &[RequestView]| (l.first().map(|r| r.seq), l.last().map(|r| r.seq), l.len());
        assert_eq!(seqs(listed(&requests, None)), (Some(0), Some(990), REQUESTS_LIVE));
        assert_eq!(seqs(listed(&requests, Some(1005))), (Some(890), Some(1120), REQUESTS_NEAR_CURSOR));
        assert_eq!(seqs(listed(&requests, Some(0))), (Some(0), Some(230), REQUESTS_NEAR_CURSOR));
        assert_eq!(seqs(listed(&requests, Some(99_999))), (Some(2760), Some(2990), REQUESTS_NEAR_CURSOR));
        assert_eq!(seqs(listed(&requests[..5], Some(20))), (Some(0), Some(40), 5));
    }
}
