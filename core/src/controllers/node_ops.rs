//! Node operations at run time, what an operator does to machines rather than to API objects:
//! stop or start a node's kubelet (`systemctl stop kubelet`), boot a new machine whose kubelet
//! registers itself, or take one away for good. The Node object itself changes only through the
//! components' API requests (or `kubectl delete node`, which the `node remove` builtin sends).

use super::kubelet::Kubelet;
use super::nodes::{NodeSpec, MAX_NODES};
use super::ControlPlane;

impl ControlPlane {
    /// The nodes that have a machine, in the order they were added, with whether the kubelet runs.
    pub fn machines(&self) -> Vec<(&NodeSpec, bool)> {
        self.kubelets.iter().map(|k| (k.spec(), !k.stopped)).collect()
    }

    fn kubelet_mut(&mut self, name: &str) -> Result<&mut Kubelet, String> {
        self.kubelets.iter_mut().find(|k| k.name() == name).ok_or_else(|| format!("node {name:?} not found"))
    }

    /// The nat table a node's kube-proxy last wrote.
    pub fn nat_table(&self, node: &str) -> Option<&crate::proxy::rules::NatTable> {
        self.proxies.iter().find(|p| p.node == node).map(|p| &p.table)
    }

    /// `node stop`: no more heartbeats; the containers keep running, unobserved.
    pub fn stop_node(&mut self, name: &str) -> Result<bool, String> {
        let k = self.kubelet_mut(name)?;
        let was = !k.stopped;
        k.set_stopped(true);
        Ok(was)
    }

    /// `node start`: the kubelet starts again, renews its Lease and reports its status.
    pub fn start_node(&mut self, name: &str) -> Result<bool, String> {
        let k = self.kubelet_mut(name)?;
        let was = k.stopped;
        k.set_stopped(false);
        Ok(was)
    }

    /// `node add`: a new machine whose kubelet registers its Node at the next step, as foreground work. Its address
    /// and pod CIDR take the first octet no other node uses.
    pub fn add_node(&mut self, mut spec: NodeSpec) -> Result<(), String> {
        if self.kubelets.iter().any(|k| k.name() == spec.name) {
            return Err(format!("node {:?} already exists", spec.name));
        }
        if self.kubelets.len() >= MAX_NODES {
            return Err(format!("kubeplay runs at most {MAX_NODES} nodes"));
        }
        let used: Vec<u8> = self.kubelets.iter().map(|k| k.spec().pod_cidr_octet).collect();
        let octet = (1..=u8::MAX).find(|o| !used.contains(o)).ok_or("no pod CIDR left")?;
        let fresh = NodeSpec::worker(&spec.name, octet);
        spec.internal_ip = fresh.internal_ip;
        spec.pod_cidr_octet = octet;
        let mut kubelet = Kubelet::new(spec);
        kubelet.start_now();
        self.kubelets.push(kubelet);
        self.order_kubelets();
        Ok(())
    }

    /// Makes the kubelets' name order again after a machine came or went.
    fn order_kubelets(&mut self) {
        self.kubelets_by_name = super::watch_streams::name_order(self.kubelets.iter().map(Kubelet::name));
    }

    /// `node remove`: the machine is gone (its kubelet with it).
    pub fn remove_node(&mut self, name: &str) -> Result<(), String> {
        let before = self.kubelets.len();
        self.kubelets.retain(|k| k.name() != name);
        if self.kubelets.len() == before {
            return Err(format!("node {name:?} not found"));
        }
        self.order_kubelets();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_added_once_with_a_free_cidr_and_removed_by_name() {
        let mut cp = ControlPlane::new();
        cp.add_node(NodeSpec::worker("node-4", 0)).unwrap();
        assert!(cp.add_node(NodeSpec::worker("node-4", 0)).is_err());
        let (spec, running) = cp.machines()[4];
        assert_eq!((spec.pod_cidr_octet, spec.internal_ip.as_str(), running), (4, "192.168.49.6", true));
        assert_eq!(cp.stop_node("node-2"), Ok(true));
        assert_eq!(cp.stop_node("node-2"), Ok(false));
        assert!(cp.start_node("node-9").is_err());
        cp.remove_node("node-4").unwrap();
        assert_eq!(cp.machines().len(), 4);
    }
}
