//! The cluster map's tooltips: hovering a pod chip, a node or a component shows what it is (kind,
//! name, status, the node it is on) and one sentence of what it does, in the page's language.
//! Drawn by the page rather than the browser's `title`, so it appears at once, carries several
//! lines, and is in the DOM for the tests to read.

use crate::i18n::{explain_component, explain_kind, tr, Lang, T};
use crate::state::{Component, NodeView, PodChip};
use yew::prelude::*;

/// Pixels between the pointer and the tooltip's corner.
const OFFSET_PX: i32 = 14;
/// The tooltip's width in CSS (`.map-tooltip`), to keep it inside the window.
const WIDTH_PX: i32 = 300;

/// What a tooltip says, and where the pointer was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tip {
    /// `Pod`, `Node`, or the word for a control-plane or node component.
    pub kind: String,
    pub name: String,
    pub status: String,
    /// The node it runs on (empty for a node itself).
    pub node: String,
    /// The owner of a pod (`ReplicaSet/web-7d4b9c8f5`), if any.
    pub owner: String,
    pub about: &'static str,
    pub x: i32,
    pub y: i32,
}

pub fn pod_tip(lang: Lang, p: &PodChip, node: &str, (x, y): (i32, i32)) -> Tip {
    Tip {
        kind: "Pod".into(),
        name: format!("{}/{}", p.namespace, p.name),
        status: p.status.clone(),
        node: if node == "(unscheduled)" { tr(lang, T::Unscheduled).to_string() } else { node.to_string() },
        owner: p.owner.clone(),
        about: explain_kind(lang, "Pod"),
        x,
        y,
    }
}

pub fn node_tip(lang: Lang, n: &NodeView, (x, y): (i32, i32)) -> Tip {
    let status = if n.unschedulable { format!("{},SchedulingDisabled", n.status) } else { n.status.clone() };
    Tip {
        kind: "Node".into(),
        name: n.name.clone(),
        status,
        node: String::new(),
        owner: String::new(),
        about: explain_kind(lang, if n.control_plane { "control-plane" } else { "Node" }),
        x,
        y,
    }
}

/// `explain` names the component in `explain_component` (`kube-apiserver`, `container-runtime`).
pub fn component_tip(lang: Lang, label: &str, explain: &str, node: &str, active: bool, (x, y): (i32, i32)) -> Tip {
    Tip {
        kind: tr(lang, T::TipComponent).to_string(),
        name: label.to_string(),
        status: tr(lang, if active { T::TipActing } else { T::TipWaiting }).to_string(),
        node: node.to_string(),
        owner: String::new(),
        about: explain_component(lang, explain),
        x,
        y,
    }
}

/// The tip for a hovered component, by its map id.
pub fn tip_of_component(lang: Lang, c: &Component, node: &str, active: bool, at: (i32, i32)) -> Tip {
    let (label, explain) = match c {
        Component::User => ("you", "user"),
        Component::ApiServer => ("kube-apiserver", "kube-apiserver"),
        Component::Etcd => ("etcd", "etcd"),
        Component::Scheduler => ("kube-scheduler", "kube-scheduler"),
        Component::ControllerManager => ("kube-controller-manager", "kube-controller-manager"),
        Component::Kubelet(_) => ("kubelet", "kubelet"),
        Component::KubeProxy(_) => ("kube-proxy", "kube-proxy"),
    };
    component_tip(lang, label, explain, node, active, at)
}

#[derive(Properties, PartialEq)]
pub struct MapTooltipProps {
    pub tip: Tip,
    pub lang: Lang,
}

#[component]
pub fn MapTooltip(props: &MapTooltipProps) -> Html {
    let t = &props.tip;
    let lang = props.lang;
    let width = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).unwrap_or(1280.0) as i32;
    // Left of the pointer when there is no room on its right.
    let left = if t.x + OFFSET_PX + WIDTH_PX > width { (t.x - OFFSET_PX - WIDTH_PX).max(0) } else { t.x + OFFSET_PX };
    let row = |label: T, value: &str| {
        (!value.is_empty()).then(|| html! { <div class="tip-row"><span class="tip-label">{ tr(lang, label) }</span><span class="tip-value">{ value.to_string() }</span></div> })
    };
    html! {
        <div class="map-tooltip" id="map-tooltip" role="tooltip" style={format!("left: {left}px; top: {}px", t.y + OFFSET_PX)}>
            { for row(T::TipKind, &t.kind) }
            { for row(T::TipName, &t.name) }
            { for row(T::TipStatus, &t.status) }
            { for row(T::TipNode, &t.node) }
            { for row(T::TipOwner, &t.owner) }
            if !t.about.is_empty() { <p class="tip-about">{ t.about }</p> }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tips_say_what_each_thing_is_in_both_languages() {
        let pod = PodChip { namespace: "shop".into(), name: "web-1".into(), status: "Running".into(), owner: "ReplicaSet/web-7".into() };
        let tip = pod_tip(Lang::En, &pod, "node-2", (5, 6));
        assert_eq!((tip.kind.as_str(), tip.name.as_str(), tip.status.as_str(), tip.node.as_str()), ("Pod", "shop/web-1", "Running", "node-2"));
        assert!(!tip.about.is_empty());
        assert_ne!(pod_tip(Lang::Ko, &pod, "node-2", (0, 0)).about, tip.about);
        assert_eq!(pod_tip(Lang::En, &pod, "(unscheduled)", (0, 0)).node, "not scheduled yet");
        let node = NodeView { name: "node-1".into(), status: "Ready".into(), unschedulable: true, ..NodeView::default() };
        assert_eq!(node_tip(Lang::En, &node, (0, 0)).status, "Ready,SchedulingDisabled");
        let c = tip_of_component(Lang::Ko, &Component::Scheduler, "control-plane", true, (0, 0));
        assert_eq!(c.name, "kube-scheduler");
        assert_eq!(c.status, tr(Lang::Ko, T::TipActing));
        assert!(c.about.starts_with("kube-scheduler:"));
    }
}
