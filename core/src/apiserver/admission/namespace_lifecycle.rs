//! NamespaceLifecycle: mirrors `k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle`.
//!
//! - The immortal namespaces `default`, `kube-system` and `kube-public` cannot be deleted
//!   (403 `namespaces "default" is forbidden: this namespace may not be deleted`).
//! - Cluster-scoped objects, namespaces themselves, deletes and LocalSubjectAccessReviews pass.
//! - Any other write into a namespace that does not exist is 404 `namespaces "dev" not found`
//!   (the plugin returns the live lookup's NotFound as is).
//! - Creating content in a namespace whose `status.phase` is `Terminating` is 403
//!   `unable to create new content in namespace dev because it is being terminated`; updates there
//!   still pass, so controllers can finish cleaning up.

use super::{forbidden, Rejection, Request, Target, Verdict};
use crate::apiserver::{Objects, Status};
use crate::sim::Rng;

const IMMORTAL: [&str; 3] = ["default", "kube-system", "kube-public"];

pub(super) fn admit(objects: &dyn Objects, req: &Request, obj: &mut Target, _rng: &mut Rng) -> Result<Verdict, Rejection> {
    use super::Operation::*;
    let is_namespace = req.is("", "namespaces");
    if req.operation == Delete && is_namespace && IMMORTAL.contains(&req.name) {
        return Err(forbidden(req, obj, "this namespace may not be deleted"));
    }
    if req.namespace.is_empty() && !is_namespace {
        return Ok(Verdict::skip());
    }
    if is_namespace {
        return Ok(Verdict::note("namespaces themselves are not checked"));
    }
    if req.operation == Delete {
        return Ok(Verdict::note("deletes are always allowed"));
    }
    if req.is("authorization.k8s.io", "localsubjectaccessreviews") {
        return Ok(Verdict::note("access reviews never reveal whether a namespace exists"));
    }
    let Some(namespace) = objects.get_shared("namespaces", "", req.namespace) else {
        let status = Status::not_found("namespaces", req.namespace);
        return Err(Rejection { reason: status.message.clone(), status });
    };
    let phase = namespace["status"]["phase"].as_str().unwrap_or("Active");
    if req.operation == Create && phase == "Terminating" {
        let ns = req.namespace;
        return Err(forbidden(req, obj, format!("unable to create new content in namespace {ns} because it is being terminated")));
    }
    Ok(Verdict::note(format!("namespace {} is {phase}", req.namespace)))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    #[test]
    fn missing_terminating_and_immortal_namespaces() {
        let objects = objects_with(&[("namespaces", namespace("gone", "Terminating", &[]))]);
        let pod = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}});

        let err = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &pod).unwrap_err();
        assert_eq!((err.code, err.reason, err.message.as_str()), (404, "NotFound", r#"namespaces "dev" not found"#));

        let err = run_mutate(&objects, &req_in(Operation::Create, "pods", "gone", "web"), &pod).unwrap_err();
        assert_eq!(err.code, 403);
        assert_eq!(
            err.message,
            r#"pods "web" is forbidden: unable to create new content in namespace gone because it is being terminated"#
        );

        // Updates in a terminating namespace pass this plugin.
        let (records, _) = mutate_records(&objects, &req_in(Operation::Update, "pods", "gone", "web"), &pod);
        assert_eq!(records[0].outcome, super::super::Outcome::Passed);

        let ns = json!({"metadata": {"name": "kube-system"}});
        let err = run_mutate(&objects, &req_cluster(Operation::Delete, "namespaces", "kube-system"), &ns).unwrap_err();
        assert_eq!(err.message, r#"namespaces "kube-system" is forbidden: this namespace may not be deleted"#);
        assert!(run_mutate(&objects, &req_cluster(Operation::Delete, "namespaces", "dev"), &ns).is_ok());
    }
}
