//! The inspector's "Scheduler" view of one kube-scheduler attempt, as kube-scheduler-simulator
//! shows its result table: the pod and what the attempt came to above; below, nodes as rows, each
//! filter plugin's verdict (✓, or ✗ with the reason, red), then for feasible nodes each score
//! plugin's `raw → normalised ×weight = weighted` and the total; the chosen node highlighted.
//! The rows and cells come from `state/scheduler_table.rs`.

use crate::i18n::{tr, Lang, T};
use crate::state::{CellState, Outcome, SchedulerTable};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SchedulerTableProps {
    pub lang: Lang,
    pub table: SchedulerTable,
}

fn cell_class(s: CellState) -> &'static str {
    match s {
        CellState::Passed => "passed",
        CellState::Failed => "failed",
        CellState::NotRun => "not-run",
        CellState::Score => "score",
        CellState::Skipped => "skipped",
    }
}

/// `NodeResourcesFit` as `Node\u{200b}Resources\u{200b}Fit`: a header may wrap between words
/// (zero-width spaces), so the plugin columns stay narrow.
fn breakable(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for (i, ch) in name.chars().enumerate() {
        if i > 0 && ch.is_ascii_uppercase() {
            out.push('\u{200b}');
        }
        out.push(ch);
    }
    out
}

#[component]
pub fn SchedulerTableView(props: &SchedulerTableProps) -> Html {
    let lang = props.lang;
    let t = &props.table;
    let outcome = match &t.outcome {
        Outcome::Bound { node, message } => html! {
            <div class="sched-outcome ok" data-outcome="bound" title={message.clone()}>{ format!("{} {node}", tr(lang, T::SchedulerBoundTo)) }</div>
        },
        Outcome::Nominated { node, victims, message } => html! {
            <div class="sched-outcome nominated" data-outcome="nominated" title={message.clone()}>
                { format!("{} {node}", tr(lang, T::SchedulerNominated)) }
                if !victims.is_empty() { <div class="sched-victims">{ format!("{}: {}", tr(lang, T::SchedulerVictims), victims.join(", ")) }</div> }
            </div>
        },
        Outcome::Failed { message } => html! {
            <div class="sched-outcome bad" data-outcome="failed">{ format!("{}: {message}", tr(lang, T::SchedulerFailed)) }</div>
        },
    };
    let scored = !t.scoring_skipped && t.rows.iter().any(|r| !r.scores.is_empty());
    let head_filters = t.filter_plugins.iter().map(|p| html! { <th class="filter-col" title={p.clone()}>{ breakable(p) }</th> });
    let head_scores = t.score_plugins.iter().filter(|_| scored).map(|(p, w)| html! { <th class="score-col" title={p.clone()}>{ format!("{} ×{w}", breakable(p)) }</th> });
    let rows = t.rows.iter().map(|r| {
        let filters = r.filters.iter().map(|c| {
            let title = if c.state == CellState::NotRun { tr(lang, T::SchedulerNotRun).to_string() } else { c.title.clone() };
            html! { <td class={classes!("sched-cell", cell_class(c.state))} {title}>{ &c.text }</td> }
        });
        let scores = if !scored {
            Html::default()
        } else if r.scores.is_empty() {
            // Not scored: one "-" per score column and the total, so whichever columns are scrolled
            // into view say so.
            (0..=t.score_plugins.len()).map(|_| html! { <td class="sched-cell not-run">{ "-" }</td> }).collect::<Html>()
        } else {
            let cells = r.scores.iter().map(|c| html! { <td class={classes!("sched-cell", cell_class(c.state))} title={c.title.clone()}>{ &c.text }</td> });
            html! { <>{ for cells }<td class="sched-total">{ r.total.map(|v| v.to_string()).unwrap_or_else(|| "-".into()) }</td></> }
        };
        html! {
            <tr class={classes!("sched-row", r.chosen.then_some("chosen"), (!r.feasible).then_some("infeasible"))} data-node={r.node.clone()}>
                <th class="sched-node">{ if r.chosen { format!("★ {}", r.node) } else { r.node.clone() } }</th>
                { for filters }
                { scores }
            </tr>
        }
    });
    html! {
        <div class="scheduler" id="scheduler-table">
            <h3>{ tr(lang, T::SchedulerTitle) }</h3>
            <div class="sched-pod">
                <span class="sched-pod-name">{ &t.pod }</span>
                { format!(" · {} {} · {} {} · {}/{} {}", tr(lang, T::SchedulerPriority), t.priority, tr(lang, T::SchedulerAttempt), t.attempt, t.feasible, t.nodes_total, tr(lang, T::SchedulerFeasible)) }
            </div>
            { outcome }
            if let Some((plugin, message)) = &t.pre_filter_rejection {
                <div class="sched-outcome bad">{ format!("{} ({plugin}): {message}", tr(lang, T::SchedulerPreFilter)) }</div>
            }
            if !t.rows.is_empty() {
                <div class="sched-scroll">
                    <table class="sched-table">
                        <thead><tr>
                            <th>{ tr(lang, T::SchedulerNode) }</th>
                            { for head_filters }
                            { for head_scores }
                            if scored { <th class="score-col">{ tr(lang, T::SchedulerTotal) }</th> }
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
            if t.scoring_skipped { <p class="hint">{ tr(lang, T::SchedulerScoringSkipped) }</p> }
            if t.tied_nodes > 1 { <p class="hint">{ format!("{} {}", t.tied_nodes, tr(lang, T::SchedulerTied)) }</p> }
            if t.nodes_searched > 0 && t.nodes_searched < t.nodes_total {
                <p class="hint sched-searched">{ format!("{} {} {} {}", t.nodes_searched, tr(lang, T::SchedulerSearched), t.nodes_to_find, tr(lang, T::SchedulerSearchedTail)) }</p>
            }
            if t.nodes_summarised > 0 { <p class="hint">{ format!("{} {} {}", t.nodes_summarised, tr(lang, T::SchedulerSummarised), t.feasible_summarised) }</p> }
        </div>
    }
}
