//! The cluster map: the control-plane node and the workers, each with its pods as chips coloured
//! by status (hover a chip for its owner), and the pods still waiting for the scheduler.

use crate::state::NodeView;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub nodes: Vec<NodeView>,
}

fn status_class(status: &str) -> &'static str {
    match status {
        "Running" | "Completed" | "Succeeded" => "ok",
        "Pending" | "ContainerCreating" | "PodInitializing" => "wait",
        s if s.starts_with("Init:") => "wait",
        "Terminating" => "gone",
        _ => "bad",
    }
}

#[component]
pub fn ClusterMap(props: &ClusterMapProps) -> Html {
    let nodes = props.nodes.iter().map(|n| {
        let chips = n.pods.iter().map(|p| {
            let class = classes!("pod", status_class(&p.status));
            let title = format!("{}/{}\n{}{}", p.namespace, p.name, p.status, if p.owner.is_empty() { String::new() } else { format!("\nowned by {}", p.owner) });
            html! { <span {class} {title} data-pod={p.name.clone()} data-status={p.status.clone()}>{ &p.name }</span> }
        });
        let class = classes!("node", n.control_plane.then_some("control-plane"), (n.status == "").then_some("pending"));
        let parts = if n.control_plane {
            "kube-apiserver · etcd · kube-scheduler · kube-controller-manager"
        } else if n.status.is_empty() {
            "waiting for kube-scheduler"
        } else {
            "kubelet · kube-proxy · containerd"
        };
        html! {
            <div {class} data-node={n.name.clone()}>
                <div class="node-head">
                    <span class="node-name">{ &n.name }</span>
                    if !n.status.is_empty() { <span class={classes!("node-status", (n.status != "Ready").then_some("bad"))}>{ &n.status }</span> }
                </div>
                <div class="parts">{ parts }</div>
                <div class="pods">{ for chips }</div>
            </div>
        }
    });
    html! {
        <section class="panel cluster-map" id="cluster-map">
            <h2>{ "cluster" }</h2>
            if props.nodes.is_empty() {
                <p class="empty">{ "No nodes have registered yet." }</p>
            }
            <div class="nodes">{ for nodes }</div>
        </section>
    }
}
