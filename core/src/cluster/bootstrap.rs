//! What a fresh cluster holds before the learner types anything: the four namespaces every
//! kubeadm cluster starts with. (Nodes, the control-plane pods and the `kubernetes` Service arrive
//! with the controllers.)

use super::Cluster;
use crate::api::lookup;
use crate::apiserver::{handle, Request, User, Verb};
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
        let req = Request { user: User::apiserver(), ..Request::new(Verb::Create, namespace, "", name).with_body(body) };
        let mut ctx = cluster.api_context();
        // A failure here would mean the store refused a tiny write to an empty keyspace; the
        // response is traced either way, so there is nothing more to do with it.
        let _ = handle(&mut ctx, &req);
    }
}
