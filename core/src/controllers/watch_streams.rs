//! The watch streams the cluster's processes hold open against kube-apiserver: who watches
//! which resource, with which field selector. One table answers both "who is watching?" (the
//! etcd browser's watch list, the `watches` command) and "whom does this event reach?" (the
//! watch-delivery record, `watch_delivery.rs`), so the two can never disagree.
//!
//! Each process keeps one watch per resource it needs, shared by all its controllers (client-go's
//! shared informer factory):
//! - kube-controller-manager: every resource one of its controllers syncs;
//! - kube-scheduler: pods, nodes, and the storage objects its VolumeBinding plugin reads;
//! - a kubelet: the pods bound to its node (`fieldSelector=spec.nodeName=<node>`) and its own
//!   Node (`metadata.name=<node>`), while it runs: a stopped kubelet's watches are closed and it
//!   relists when it starts again;
//! - kube-proxy: Services, EndpointSlices, and its own Node;
//! - kind's local-path-provisioner: claims, volumes and classes.

/// A machine's agents: its name and whether its kubelet runs (kube-proxy runs either way).
pub struct Machine<'a> {
    pub name: &'a str,
    pub kubelet_running: bool,
}

pub const KCM: &str = "kube-controller-manager";
pub const SCHEDULER: &str = "kube-scheduler";
pub const PROVISIONER: &str = "local-path-provisioner";

/// Which objects of its resource a stream carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Everything,
    /// `spec.nodeName=<node>`: the pods bound to one node.
    NodeName(String),
    /// `metadata.name=<name>`: one object.
    Name(String),
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Everything => Ok(()),
            Selector::NodeName(n) => write!(f, "spec.nodeName={n}"),
            Selector::Name(n) => write!(f, "metadata.name={n}"),
        }
    }
}

/// One open watch: `process` watches `resource` (all namespaces) through `selector`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub process: String,
    pub resource: String,
    pub selector: Selector,
}

impl Stream {
    /// Whether an event of this stream's resource, about the object `name` (cluster-scoped) or
    /// a pod bound to `node`, passes the selector.
    pub fn matches(&self, name: &str, node: Option<&str>) -> bool {
        match &self.selector {
            Selector::Everything => true,
            Selector::NodeName(n) => node == Some(n.as_str()),
            Selector::Name(n) => name == n,
        }
    }
}

const SCHEDULER_RESOURCES: [&str; 5] = ["pods", "nodes", "persistentvolumeclaims", "persistentvolumes", "storageclasses"];
const PROVISIONER_RESOURCES: [&str; 3] = ["persistentvolumeclaims", "persistentvolumes", "storageclasses"];

/// The streams open on the resources in `kcm_resources` (kube-controller-manager's informers),
/// in a stable order: kube-controller-manager, kube-scheduler, each machine's kubelet and
/// kube-proxy, then the provisioner.
pub fn streams(kcm_resources: &[&str], machines: &[Machine]) -> Vec<Stream> {
    let everything = |process: &str, resource: &str| Stream { process: process.into(), resource: resource.into(), selector: Selector::Everything };
    let mut out: Vec<Stream> = kcm_resources.iter().map(|r| everything(KCM, r)).collect();
    let watched = |r: &str| kcm_resources.contains(&r);
    out.extend(SCHEDULER_RESOURCES.iter().filter(|r| watched(r)).map(|r| everything(SCHEDULER, r)));
    for m in machines {
        let node = m.name.to_string();
        if m.kubelet_running {
            let kubelet = format!("kubelet/{node}");
            if watched("pods") {
                out.push(Stream { process: kubelet.clone(), resource: "pods".into(), selector: Selector::NodeName(node.clone()) });
            }
            if watched("nodes") {
                out.push(Stream { process: kubelet, resource: "nodes".into(), selector: Selector::Name(node.clone()) });
            }
        }
        let proxy = format!("kube-proxy/{node}");
        for r in ["services", "endpointslices"].into_iter().filter(|r| watched(r)) {
            out.push(everything(&proxy, r));
        }
        if watched("nodes") {
            out.push(Stream { process: proxy, resource: "nodes".into(), selector: Selector::Name(node) });
        }
    }
    out.extend(PROVISIONER_RESOURCES.iter().filter(|r| watched(r)).map(|r| everything(PROVISIONER, r)));
    out
}

/// The processes an event of `resource` about `name` (or a pod bound to `node`) reaches, each
/// once, in [`streams`]' order.
pub fn reached(resource: &str, name: &str, node: Option<&str>, machines: &[Machine]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in streams(&[resource], machines) {
        if s.matches(name, node) && !out.contains(&s.process) {
            out.push(s.process);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_kubelet_holds_no_stream_but_its_kube_proxy_does() {
        let machines = [Machine { name: "node-1", kubelet_running: true }, Machine { name: "node-2", kubelet_running: false }];
        let s = streams(&["pods", "nodes", "services"], &machines);
        let listed: Vec<String> = s.iter().map(|s| format!("{} {} {}", s.process, s.resource, s.selector)).collect();
        assert_eq!(
            listed,
            [
                "kube-controller-manager pods ",
                "kube-controller-manager nodes ",
                "kube-controller-manager services ",
                "kube-scheduler pods ",
                "kube-scheduler nodes ",
                "kubelet/node-1 pods spec.nodeName=node-1",
                "kubelet/node-1 nodes metadata.name=node-1",
                "kube-proxy/node-1 services ",
                "kube-proxy/node-1 nodes metadata.name=node-1",
                "kube-proxy/node-2 services ",
                "kube-proxy/node-2 nodes metadata.name=node-2",
            ]
        );
    }

    #[test]
    fn a_node_event_reaches_its_own_agents_only() {
        let machines = [Machine { name: "node-1", kubelet_running: true }, Machine { name: "node-2", kubelet_running: true }];
        assert_eq!(reached("nodes", "node-2", None, &machines), ["kube-controller-manager", "kube-scheduler", "kubelet/node-2", "kube-proxy/node-2"]);
        assert_eq!(reached("leases", "node-2", None, &machines), ["kube-controller-manager"]);
        assert_eq!(reached("storageclasses", "standard", None, &machines), ["kube-controller-manager", "kube-scheduler", "local-path-provisioner"]);
    }
}
