//! The cluster map: the control-plane node with kube-apiserver, etcd, kube-scheduler and
//! kube-controller-manager drawn as parts, each worker with its kubelet, kube-proxy and container
//! runtime, its pods as chips coloured by status and grouped by owner, and bars of requested
//! versus allocatable CPU and memory. The component acting at the cursor is highlighted and the
//! current request's path is drawn above. Clicking a node or a pod opens it in the inspector.
//!
//! Nodes are stopped, started, cordoned, added and removed from here through the command language
//! (`node stop|start|add|remove`, `kubectl cordon`), so each action is in the terminal's history,
//! the session and the trace like anything typed. Hovering a pod, a node or a component shows a
//! tooltip saying what it is and does (`cluster_map_tooltip.rs`).

use super::cluster_map_tooltip::{component_tip, node_tip, pod_tip, tip_of_component, MapTooltip, Tip};
use crate::i18n::{tr, Lang, T};
use crate::state::{next_node_name, Component, NodeView, PodChip};
use yew::prelude::*;

/// Shows `tip` on hover (the innermost hovered thing wins) and hides it when the pointer leaves.
fn hover(state: &UseStateHandle<Option<Tip>>, make: impl Fn((i32, i32)) -> Tip + 'static) -> (Callback<MouseEvent>, Callback<MouseEvent>) {
    hover_with(&state.setter(), make)
}

fn hover_with(state: &UseStateSetter<Option<Tip>>, make: impl Fn((i32, i32)) -> Tip + 'static) -> (Callback<MouseEvent>, Callback<MouseEvent>) {
    let over = {
        let state = state.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            state.set(Some(make((e.client_x(), e.client_y()))));
        })
    };
    let out = {
        let state = state.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            state.set(None);
        })
    };
    (over, out)
}

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub nodes: std::rc::Rc<Vec<NodeView>>,
    pub active: Option<Component>,
    /// The components the current request passes, in order.
    pub path: Vec<Component>,
    pub lang: Lang,
    /// Opens an etcd key in the inspector.
    pub on_select: Callback<String>,
    /// Runs a command (cordon, node stop, ...).
    pub on_command: Callback<String>,
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

fn percent(used: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (used.saturating_mul(100) / total).clamp(0, 100)
    }
}

fn bar(label: &str, used: i64, total: i64, text: String) -> Html {
    let p = percent(used, total);
    html! {
        <div class="bar" title={format!("{label}: {text}")}>
            <span class="bar-label">{ label }</span>
            <span class="bar-track"><span class={classes!("bar-fill", (p >= 90).then_some("full"))} style={format!("width: {p}%")}></span></span>
            <span class="bar-text">{ text }</span>
        </div>
    }
}

fn mib(bytes: i64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

#[component]
pub fn ClusterMap(props: &ClusterMapProps) -> Html {
    let lang = props.lang;
    let tip = use_state(|| None::<Tip>);
    // The page makes its callbacks anew each render; the pod chips get one that stays the same
    // (forwarding to the newest), so a step that changes only the highlight skips them.
    let latest_select = use_mut_ref(|| props.on_select.clone());
    *latest_select.borrow_mut() = props.on_select.clone();
    let on_select_pod = {
        let latest = latest_select.clone();
        use_callback((), move |key: String, _| {
            let cb = latest.borrow().clone();
            cb.emit(key);
        })
    };
    let is_active = |c: &Component| props.active.as_ref().is_some_and(|a| match (a, c) {
        (Component::KubeProxy(x), Component::KubeProxy(y)) => x.is_empty() || x == y,
        _ => a == c,
    });
    let part = |c: Component, label: &str, node: &str| {
        let active = is_active(&c);
        let class = classes!("part", active.then_some("active"));
        let (onmouseover, onmouseout) = {
            let (c, node) = (c.clone(), node.to_string());
            hover(&tip, move |at| tip_of_component(lang, &c, &node, active, at))
        };
        html! { <span {class} data-component={c.id()} {onmouseover} {onmouseout}>{ label.to_string() }</span> }
    };
    let path = props.path.iter().enumerate().map(|(i, c)| {
        html! { <>{ if i > 0 { html! { <span class="arrow">{ "→" }</span> } } else { html! {} } }<span class={classes!("hop", is_active(c).then_some("active"))}>{ c.id() }</span></> }
    });
    let runtime = |node: &str| {
        let (onmouseover, onmouseout) = {
            let node = node.to_string();
            hover(&tip, move |at| component_tip(lang, "containerd", "container-runtime", &node, false, at))
        };
        html! { <span class="part" data-component="container-runtime" {onmouseover} {onmouseout}>{ "containerd" }</span> }
    };
    let nodes = props.nodes.iter().enumerate().map(|(index, n)| {
        let pending = n.status.is_empty();
        let class = classes!("node", n.control_plane.then_some("control-plane"), pending.then_some("pending"), (n.status != "Ready" && !pending).then_some("down"));
        let parts = if n.control_plane {
            html! { <div class="parts">
                { part(Component::ApiServer, "kube-apiserver", &n.name) }
                { part(Component::Etcd, "etcd", &n.name) }
                { part(Component::Scheduler, "kube-scheduler", &n.name) }
                { part(Component::ControllerManager, "kube-controller-manager", &n.name) }
                { part(Component::Kubelet(n.name.clone()), "kubelet", &n.name) }
            </div> }
        } else if pending {
            html! { <div class="parts muted">{ tr(lang, T::Unscheduled) }</div> }
        } else {
            html! { <div class="parts">
                { part(Component::Kubelet(n.name.clone()), "kubelet", &n.name) }
                { part(Component::KubeProxy(n.name.clone()), "kube-proxy", &n.name) }
                { runtime(&n.name) }
            </div> }
        };
        let (onmouseover, onmouseout) = {
            let n = n.clone();
            hover(&tip, move |at| node_tip(lang, &n, at))
        };
        let key = format!("/registry/minions/{}", n.name);
        let onclick = {
            let on_select = props.on_select.clone();
            let key = key.clone();
            Callback::from(move |_: MouseEvent| on_select.emit(key.clone()))
        };
        let cordon = {
            let on_command = props.on_command.clone();
            let line = format!("kubectl {} {}", if n.unschedulable { "uncordon" } else { "cordon" }, n.name);
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                on_command.emit(line.clone());
            })
        };
        let remove = {
            let on_command = props.on_command.clone();
            let line = format!("node remove {}", n.name);
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                on_command.emit(line.clone());
            })
        };
        let power = {
            let on_command = props.on_command.clone();
            let line = format!("node {} {}", if n.status == "Ready" { "stop" } else { "start" }, n.name);
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                on_command.emit(line.clone());
            })
        };
        html! {
            <div {class} data-node={n.name.clone()} {onclick} {onmouseover} {onmouseout}>
                <div class="node-head">
                    <span class="node-name">{ &n.name }</span>
                    <span class="node-role">{ if n.control_plane { tr(lang, T::ControlPlane) } else if pending { "" } else { tr(lang, T::Worker) } }</span>
                    if !pending { <span class={classes!("node-status", (n.status != "Ready").then_some("bad"))}>{ &n.status }{ if n.unschedulable { ",SchedulingDisabled" } else { "" } }</span> }
                </div>
                { parts }
                if !pending {
                    { bar("cpu", n.cpu_requested_m, n.cpu_allocatable_m, format!("{}m / {}m", n.cpu_requested_m, n.cpu_allocatable_m)) }
                    { bar("mem", n.memory_requested, n.memory_allocatable, format!("{} / {}", mib(n.memory_requested), mib(n.memory_allocatable))) }
                }
                <PodGroups nodes={props.nodes.clone()} {index} {lang} on_select={on_select_pod.clone()} tip={tip.setter()} />
                if n.more_pods > 0 { <div class="more">{ format!("+{} more", n.more_pods) }</div> }
                if !pending {
                    <div class="node-actions">
                        <button class="small" onclick={cordon} title={format!("kubectl {} {}", if n.unschedulable { "uncordon" } else { "cordon" }, n.name)}>{ if n.unschedulable { "uncordon" } else { "cordon" } }</button>
                        <button class="small" onclick={power} data-action="power" title={format!("node {} {}", if n.status == "Ready" { "stop" } else { "start" }, n.name)}>{ if n.status == "Ready" { "stop" } else { "start" } }</button>
                        if !n.control_plane {
                            <button class="small danger" onclick={remove} data-action="remove" title={format!("node remove {}", n.name)}>{ tr(lang, T::RemoveNode) }</button>
                        }
                    </div>
                }
            </div>
        }
    });
    let add_line = format!("node add {}", next_node_name(&props.nodes));
    let add_node = {
        let on_command = props.on_command.clone();
        let line = add_line.clone();
        Callback::from(move |_: MouseEvent| on_command.emit(line.clone()))
    };
    html! {
        <section class="panel cluster-map" id="cluster-map">
            <div class="map-head">
                <h2>{ tr(lang, T::ClusterMap) }</h2>
                <button id="add-node" class="small" onclick={add_node} title={add_line.clone()}>{ tr(lang, T::AddNode) }</button>
            </div>
            <div class="request-path" id="request-path">
                { part(Component::User, "you", "") }
                if !props.path.is_empty() { <span class="arrow">{ "·" }</span>{ for path } }
            </div>
            if props.nodes.is_empty() {
                <p class="empty">{ "No nodes have registered yet." }</p>
            }
            <div class="nodes" style={super::CONTAINED}>{ for nodes }</div>
            if let Some(t) = (*tip).clone() { <MapTooltip tip={t} {lang} /> }
        </section>
    }
}

#[derive(Properties)]
struct PodGroupsProps {
    /// The map and which node of it: shared, so comparing them is a pointer check while the
    /// store view did not change (`state/derived.rs`).
    nodes: std::rc::Rc<Vec<NodeView>>,
    index: usize,
    lang: Lang,
    on_select: Callback<String>,
    tip: UseStateSetter<Option<Tip>>,
}

/// Equal when this node's name and chips are: another node's pods changing (a new map) does not
/// redraw this one's.
impl PartialEq for PodGroupsProps {
    fn eq(&self, other: &Self) -> bool {
        fn chips(p: &PodGroupsProps) -> Option<(&String, &Vec<PodChip>)> {
            p.nodes.get(p.index).map(|n| (&n.name, &n.pods))
        }
        (std::rc::Rc::ptr_eq(&self.nodes, &other.nodes) && self.index == other.index || chips(self) == chips(other))
            && self.lang == other.lang
            && self.on_select == other.on_select
            && self.tip == other.tip
    }
}

/// A node's pods as chips, grouped by owner in the order they come (by name), each group one row.
/// Its own component so that stepping the cursor, which moves the highlight on every record but
/// changes the pods only at a write, re-renders the chips only when they change.
#[component]
fn PodGroups(props: &PodGroupsProps) -> Html {
    let Some(n) = props.nodes.get(props.index) else { return html! {} };
    let lang = props.lang;
    let mut groups: Vec<(String, Vec<&PodChip>)> = Vec::new();
    for p in &n.pods {
        match groups.iter_mut().find(|(o, _)| *o == p.owner) {
            Some((_, v)) => v.push(p),
            None => groups.push((p.owner.clone(), vec![p])),
        }
    }
    let groups = groups.into_iter().map(|(owner, pods)| {
        let chips = pods.into_iter().map(|p| {
            let class = classes!("pod", status_class(&p.status));
            let (onmouseover, onmouseout) = {
                let (p, node) = ((*p).clone(), n.name.clone());
                hover_with(&props.tip, move |at| pod_tip(lang, &p, &node, at))
            };
            let key = format!("/registry/pods/{}/{}", p.namespace, p.name);
            let on_select = props.on_select.clone();
            let onclick = Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                on_select.emit(key.clone());
            });
            html! { <span {class} {onclick} {onmouseover} {onmouseout} data-pod={p.name.clone()} data-status={p.status.clone()}>{ &p.name }</span> }
        });
        html! {
            <div class="pod-group">
                if !owner.is_empty() { <span class="owner">{ owner }</span> }
                <div class="pods">{ for chips }</div>
            </div>
        }
    });
    html! { <div class="pod-groups">{ for groups }</div> }
}
