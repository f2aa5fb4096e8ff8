//! The request pipeline of the last command: each API request with its stages as kube-apiserver
//! ran them (authentication, authorization, decode, admission, validation, storage), what each
//! decided, and the etcd write it became. Hover a stage for its detail.

use crate::state::RequestView;
use kubeplay::trace::{Verdict, WriteOp};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PipelineProps {
    pub requests: Vec<RequestView>,
}

fn stage_label(name: &str) -> &str {
    match name {
        "authentication" => "authn",
        "authorization" => "authz",
        "mutating-admission" => "mutate",
        "validating-admission" => "admit",
        other => other,
    }
}

#[component]
pub fn Pipeline(props: &PipelineProps) -> Html {
    let rows = props.requests.iter().map(|r| {
        let stages = r.stages.iter().map(|(stage, verdict, detail)| {
            let class = classes!("stage", match verdict {
                Verdict::Passed => "passed",
                Verdict::Changed => "changed",
                Verdict::Rejected => "rejected",
                Verdict::Skipped => "skipped",
            });
            let title = if detail.is_empty() { format!("{}: {}", stage.name(), verdict.name()) } else { format!("{}: {}\n{detail}", stage.name(), verdict.name()) };
            html! { <span {class} {title} data-stage={stage.name()}>{ stage_label(stage.name()) }</span> }
        });
        let writes = r.writes.iter().map(|(key, rev, op)| {
            let op = match op { WriteOp::Create => "create", WriteOp::Update => "update", WriteOp::Delete => "delete" };
            html! { <span class="write" title={format!("etcd txn: {op} {key}")}>{ format!("{op} rev {rev}") }</span> }
        });
        let (code_class, code) = match &r.response {
            Some((c, _, _)) if *c < 300 => ("code ok", c.to_string()),
            Some((c, _, _)) => ("code bad", c.to_string()),
            None => ("code", "…".to_string()),
        };
        let response_title = r.response.as_ref().map(|(c, m, rev)| format!("{c} {m} (revision {rev})")).unwrap_or_default();
        html! {
            <li class="request" data-request={r.id.to_string()}>
                <div class="line">
                    <span class="method">{ &r.method }</span>
                    <span class="path" title={r.path.clone()}>{ &r.path }</span>
                    <span class="user" title="authenticated user">{ &r.user }</span>
                    if r.dry_run { <span class="dry">{ "dry run" }</span> }
                </div>
                <div class="stages">{ for stages }{ for writes }<span class={code_class} title={response_title}>{ code }</span></div>
            </li>
        }
    });
    html! {
        <section class="panel pipeline" id="pipeline">
            <h2>{ "API requests" }<span class="hint">{ format!("{} in the last command · hover a stage for its decision", props.requests.len()) }</span></h2>
            if props.requests.is_empty() {
                <p class="empty">{ "No request reached the API server in the last command (kubectl stops before sending when it cannot read a manifest)." }</p>
            }
            <ol class="requests">{ for rows }</ol>
        </section>
    }
}
