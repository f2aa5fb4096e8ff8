//! The first controllers of kube-controller-manager: the service-account controller (a
//! `default` ServiceAccount in every namespace) and the root-CA publisher (the
//! `kube-root-ca.crt` ConfigMap). Each acts through the API server under its own service account.
//!
//! They read namespaces, service accounts and config maps from the shared informers, so a step
//! that finds every namespace complete sends no request at all.

use crate::api::lookup;
use super::Caches;
use crate::apiserver::{handle, Context, Request, User, Verb};
use serde_json::json;

fn controller_user(name: &str) -> User {
    User::named(
        &format!("system:serviceaccount:kube-system:{name}"),
        &["system:serviceaccounts", "system:serviceaccounts:kube-system"],
    )
}

/// The PEM of the simulated cluster CA (a placeholder certificate body).
const CA_CRT: &str = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIkubeplay0simulatedCAcertificate0notreal==\n-----END CERTIFICATE-----\n";

/// One reconcile pass over all namespaces, from the informer caches. Returns true when it wrote
/// anything.
pub(super) fn reconcile(ctx: &mut Context, caches: &Caches) -> bool {
    let (Some(sa_kind), Some(cm_kind)) = (lookup("v1", "ServiceAccount"), lookup("v1", "ConfigMap")) else {
        return false;
    };
    let mut wrote = false;
    for ns in caches.namespaces.values() {
        if ns["status"]["phase"].as_str() == Some("Terminating") {
            continue;
        }
        let name = ns["metadata"]["name"].as_str().unwrap_or("").to_string();
        let has_sa = caches.serviceaccounts.get(&name, "default").is_some();
        let has_ca = caches.configmaps.get(&name, "kube-root-ca.crt").is_some();
        if !has_sa {
            let body = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}});
            let mut req = Request::new(Verb::Create, sa_kind, &name, "default").with_body(body);
            req.user = controller_user("service-account-controller");
            wrote |= handle(ctx, &req).result.is_ok();
        }
        if !has_ca {
            let body = json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "kube-root-ca.crt", "namespace": name, "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                "data": {"ca.crt": CA_CRT}
            });
            let mut req = Request::new(Verb::Create, cm_kind, &name, "kube-root-ca.crt").with_body(body);
            req.user = controller_user("root-ca-cert-publisher");
            wrote |= handle(ctx, &req).result.is_ok();
        }
    }
    wrote
}
