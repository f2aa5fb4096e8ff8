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

/// The positions of `names` in name order: [`reached`] finds a node's machine by searching
/// them (at 5,000 nodes a scan of every machine for each pod event was 2% of a scheduling run).
/// The control plane keeps it for its kubelets and makes it again when a machine comes or goes.
pub fn name_order<'a>(names: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let names: Vec<&str> = names.collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(names[b]));
    order
}

/// The position of the one named `name` among `len` items whose [`name_order`] is `by_name`
/// (`name_at` gives an item's name).
pub fn position_by_name<'n>(len: usize, by_name: &[usize], name_at: impl Fn(usize) -> &'n str, name: &str) -> Option<usize> {
    debug_assert_eq!(len, by_name.len(), "the name order is of these items");
    let at = by_name.binary_search_by(|&i| if i < len { name_at(i) } else { "" }.cmp(name)).ok()?;
    Some(by_name[at]).filter(|&i| i < len && name_at(i) == name)
}

/// The machine named `name`, found through `by_name` ([`name_order`] of `machines`).
fn machine_named<'m, 'a>(machines: &'m [Machine<'a>], by_name: &[usize], name: &str) -> Option<&'m Machine<'a>> {
    position_by_name(machines.len(), by_name, |i| machines[i].name, name).map(|i| &machines[i])
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

/// Who holds a stream, before its name is spelled out: [`reached`] visits every stream of a
/// resource for every event, and at a thousand machines spelling each kube-proxy's name per event
/// was a sixth of a scheduling benchmark's time.
#[derive(Clone, Copy)]
enum Holder<'a> {
    Named(&'static str),
    Kubelet(&'a str),
    Proxy(&'a str),
}

impl Holder<'_> {
    fn process(self) -> String {
        match self {
            Holder::Named(p) => p.to_string(),
            Holder::Kubelet(node) => format!("kubelet/{node}"),
            Holder::Proxy(node) => format!("kube-proxy/{node}"),
        }
    }
}

/// Which objects a stream carries, borrowed: [`Selector`] without its allocation.
#[derive(Clone, Copy)]
enum Sel<'a> {
    Everything,
    NodeName(&'a str),
    Name(&'a str),
}

impl Sel<'_> {
    /// What [`reached`] answers directly; the tests check it against the table.
    #[cfg(test)]
    fn matches(self, name: &str, node: Option<&str>) -> bool {
        match self {
            Sel::Everything => true,
            Sel::NodeName(n) => node == Some(n),
            Sel::Name(n) => name == n,
        }
    }

    fn owned(self) -> Selector {
        match self {
            Sel::Everything => Selector::Everything,
            Sel::NodeName(n) => Selector::NodeName(n.to_string()),
            Sel::Name(n) => Selector::Name(n.to_string()),
        }
    }
}

/// Visits the streams open on the resources in `kcm_resources` (kube-controller-manager's
/// informers), in a stable order: kube-controller-manager, kube-scheduler, each machine's kubelet
/// and kube-proxy, then the provisioner. The one table [`streams`] and [`reached`] both read.
fn visit<'a>(kcm_resources: &[&'a str], machines: &[Machine<'a>], mut f: impl FnMut(Holder<'a>, &'a str, Sel<'a>)) {
    let watched = |r: &str| kcm_resources.contains(&r);
    for r in kcm_resources {
        f(Holder::Named(KCM), r, Sel::Everything);
    }
    for r in SCHEDULER_RESOURCES.iter().filter(|r| watched(r)) {
        f(Holder::Named(SCHEDULER), r, Sel::Everything);
    }
    for m in machines {
        if m.kubelet_running {
            if watched("pods") {
                f(Holder::Kubelet(m.name), "pods", Sel::NodeName(m.name));
            }
            if watched("nodes") {
                f(Holder::Kubelet(m.name), "nodes", Sel::Name(m.name));
            }
        }
        for r in ["services", "endpointslices"].into_iter().filter(|r| watched(r)) {
            f(Holder::Proxy(m.name), r, Sel::Everything);
        }
        if watched("nodes") {
            f(Holder::Proxy(m.name), "nodes", Sel::Name(m.name));
        }
    }
    for r in PROVISIONER_RESOURCES.iter().filter(|r| watched(r)) {
        f(Holder::Named(PROVISIONER), r, Sel::Everything);
    }
}

/// The streams open on the resources in `kcm_resources`, in [`visit`]'s order.
pub fn streams(kcm_resources: &[&str], machines: &[Machine]) -> Vec<Stream> {
    let mut out = Vec::new();
    visit(kcm_resources, machines, |holder, resource, sel| out.push(Stream { process: holder.process(), resource: resource.into(), selector: sel.owned() }));
    out
}

/// The processes an event of `resource` about `name` (or a pod bound to `node`) reaches, each
/// once, in [`streams`]' order.
///
/// The same answer as walking [`visit`]'s table for this one resource (a test checks it), but
/// without passing every machine's streams: at 5,000 nodes that walk, for every pod event, was
/// a seventh of a scheduling benchmark. Only a node's own kubelet watches its pods and its Node,
/// and only kube-proxy watches Services and EndpointSlices everywhere.
/// `by_name` is the machines' [`name_order`] (names are unique: a node is one machine).
pub fn reached(resource: &str, name: &str, node: Option<&str>, machines: &[Machine], by_name: &[usize]) -> Vec<String> {
    // kube-controller-manager watches the resource it is asked about (the table's first rows).
    let mut out: Vec<String> = vec![KCM.to_string()];
    if SCHEDULER_RESOURCES.contains(&resource) {
        out.push(SCHEDULER.to_string());
    }
    match resource {
        "pods" => {
            if let Some(m) = node.and_then(|node| machine_named(machines, by_name, node)).filter(|m| m.kubelet_running) {
                out.push(Holder::Kubelet(m.name).process());
            }
        }
        "nodes" => {
            if let Some(m) = machine_named(machines, by_name, name) {
                if m.kubelet_running {
                    out.push(Holder::Kubelet(m.name).process());
                }
                out.push(Holder::Proxy(m.name).process());
            }
        }
        "services" | "endpointslices" => out.extend(machines.iter().map(|m| Holder::Proxy(m.name).process())),
        _ => {}
    }
    if PROVISIONER_RESOURCES.contains(&resource) {
        out.push(PROVISIONER.to_string());
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

    /// [`reached`] as the table says it: every stream of the resource whose selector passes.
    fn reached_by_table(resource: &str, name: &str, node: Option<&str>, machines: &[Machine]) -> Vec<String> {
        let mut out = Vec::new();
        visit(&[resource], machines, |holder, _, sel| {
            if sel.matches(name, node) {
                out.push(holder.process());
            }
        });
        out
    }

    #[test]
    fn reached_agrees_with_the_table_for_every_resource_name_and_node() {
        let names = ["node-1", "node-2", "node-3", "web-1"];
        let mut rng = crate::sim::Rng::new(7);
        for _ in 0..300 {
            let mut machines = Vec::new();
            // In any order, as nodes are added and removed: the name order is searched.
            let first = rng.below(3) as usize;
            for n in names[..3].iter().cycle().skip(first).take(3) {
                if rng.below(4) > 0 {
                    machines.push(Machine { name: n, kubelet_running: rng.below(3) > 0 });
                }
            }
            let resources = ["pods", "nodes", "services", "endpointslices", "leases", "persistentvolumeclaims", "persistentvolumes", "storageclasses", "configmaps"];
            let resource = resources[rng.below(resources.len() as u64) as usize];
            let name = names[rng.below(4) as usize];
            let node = [None, Some("node-1"), Some("node-2"), Some("node-9")][rng.below(4) as usize];
            let by_name = name_order(machines.iter().map(|m| m.name));
            assert_eq!(reached(resource, name, node, &machines, &by_name), reached_by_table(resource, name, node, &machines), "{resource} {name} {node:?}");
        }
    }

    #[test]
    fn a_node_event_reaches_its_own_agents_only() {
        let machines = [Machine { name: "node-1", kubelet_running: true }, Machine { name: "node-2", kubelet_running: true }];
        let by_name = [0, 1];
        assert_eq!(reached("nodes", "node-2", None, &machines, &by_name), ["kube-controller-manager", "kube-scheduler", "kubelet/node-2", "kube-proxy/node-2"]);
        assert_eq!(reached("leases", "node-2", None, &machines, &by_name), ["kube-controller-manager"]);
        assert_eq!(reached("storageclasses", "standard", None, &machines, &by_name), ["kube-controller-manager", "kube-scheduler", "local-path-provisioner"]);
    }
}
