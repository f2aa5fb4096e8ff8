//! What a fresh cluster holds before the learner types anything: the four namespaces every
//! kubeadm cluster starts with. (Nodes, the control-plane pods and the `kubernetes` Service arrive
//! with the controllers.)

use super::Cluster;
use crate::api::lookup;
use crate::apiserver::{handle, Context, Request, Verb};
use serde_json::json;

pub(super) fn bootstrap(cluster: &mut Cluster) {
    let Some(namespace) = lookup("v1", "Namespace") else { return };
    for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let body = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        });
        let req = Request {
            verb: Verb::Create,
            kind: namespace,
            namespace: String::new(),
            name: name.to_string(),
            body: Some(body),
            user: "system:apiserver".into(),
        };
        let mut ctx = Context {
            store: &mut cluster.store,
            trace: &mut cluster.trace,
            rng: &mut cluster.rng,
            now: cluster.clock.now(),
        };
        // A failure here would mean the store refused a tiny write to an empty keyspace; the
        // response is traced either way, so there is nothing more to do with it.
        let _ = handle(&mut ctx, &req);
    }
}
