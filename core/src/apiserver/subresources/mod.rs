//! The requests that are more than create/read/update/delete of one stored object: the `scale`
//! and `eviction` subresources and a namespace's delete and `finalize`, each with its own REST
//! handler as in kube-apiserver's registries, and the `watch` verb.
//!
//! They are children of the pipeline, so they run after authentication and authorization (which
//! check `deployments/scale`, `pods/eviction` as real RBAC does) and reuse its get, update and
//! delete paths, keeping the same etcd guarantees and trace records.

pub mod event_ttl;
pub mod eviction;
pub mod namespace;
pub mod scale;
pub mod watch;

use super::Run;
use crate::apiserver::{Request, Status};
use serde_json::Value;

/// Serves `req` when it is one of ours; `None` leaves it to the ordinary handlers.
pub fn serve(run: &mut Run, req: &Request) -> Option<Result<Value, Status>> {
    if req.verb == crate::apiserver::Verb::Watch {
        return Some(watch::serve(run, req));
    }
    if req.subresource.is_empty() && namespace::is_namespace(req) {
        match req.verb {
            crate::apiserver::Verb::Delete => return Some(namespace::delete(run, req)),
            // The namespace registry is no collection deleter: no route, 405.
            crate::apiserver::Verb::DeleteCollection => {
                return Some(Err(Status { code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource".into() }))
            }
            _ => {}
        }
    }
    let on_pods = req.kind.group.is_empty() && req.kind.resource == "pods";
    match req.subresource.as_str() {
        "finalize" => namespace::finalize(req),
        // The connect subresources: kube-apiserver reads the pod, then proxies the stream to
        // the kubelet of its node, which the caller (`cluster/exec.rs`) stands for.
        "exec" | "attach" | "portforward" if on_pods && req.verb == crate::apiserver::Verb::Create => Some(super::get(run, req)),
        "scale" if scale::serves(req) => Some(scale::serve(run, req)),
        "eviction" if req.kind.group.is_empty() && req.kind.resource == "pods" => Some(eviction::serve(run, req)),
        // kube-apiserver routes only the resources that have the subresource.
        "status" if super::strategy::serves_status(req.kind) => None,
        "scale" | "status" => Some(Err(Status { code: 404, reason: "NotFound", message: "the server could not find the requested resource".into() })),
        _ => None,
    }
}
