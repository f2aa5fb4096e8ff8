//! `PATCH` with `Content-Type: application/apply-patch+yaml` (server-side apply), as
//! kube-apiserver's `applyPatcher` serves it (`endpoints/handlers/patch.go`): the field manager
//! is required, the configuration is merged into the live object — or into the kind's zero
//! value, creating the object — by the field manager ([`super::super::managed_fields::apply`]),
//! and the result goes on through defaulting, admission, validation and storage like any
//! other create or update. A conflict with another manager's fields is a 409.

use super::super::managed_fields::{self, apply::ApplyError, Writer};
use super::super::{manager_for_request, storage, strategy, FieldError, Request, Status};
use super::{create, key_of, update, Run};
use crate::trace::{Stage, Verdict};
use serde_json::Value;

pub fn serve(run: &mut Run, req: &Request, force: bool) -> Result<Value, Status> {
    if req.field_manager.is_empty() {
        // `ValidatePatchOptions`: "This field is defaulted to "kubectl" by kubectl, but HAS TO
        // be explicitly set by controllers."
        let status = Status {
            code: 422,
            reason: "Invalid",
            message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch".into(),
        };
        run.causes = vec![FieldError::required("fieldManager", "is required for apply patch")];
        return run.reject(Stage::Decode, status);
    }
    let config = req.body.clone().unwrap_or(Value::Null);
    if !config.is_object() {
        return run.reject(Stage::Decode, Status::bad_request("error decoding YAML: the patch is not an object"));
    }
    let named = config["metadata"]["name"].as_str().unwrap_or("");
    if named != req.name {
        let message = format!("the name of the object ({named}) does not match the name on the URL ({})", req.name);
        return run.reject(Stage::Decode, Status::bad_request(message));
    }
    let key = key_of(req, &req.name);
    let live = storage::get(run.ctx.store, &key).map_err(Status::internal)?.map(|s| s.object);
    let api_version = req.kind.api_version();
    let now = strategy::rfc3339(run.ctx.now);
    let manager = manager_for_request(req, run.ctx.trace);
    let writer = Writer {
        kind: req.kind.kind,
        api_version: &api_version,
        manager: &manager,
        subresource: &req.subresource,
        has_status: strategy::has_status_subresource(live.as_ref().unwrap_or(&config), req.kind),
        now: &now,
    };
    let merged = match managed_fields::apply::apply(&writer, live.as_ref(), &config, force) {
        Ok(m) => m,
        Err(ApplyError::Conflicts(message)) => {
            return run.reject(Stage::Decode, Status { code: 409, reason: "Conflict", message });
        }
    };
    let action = if live.is_some() { "merged into the live object" } else { "creates the object" };
    run.stage(Stage::Decode, Verdict::Changed, format!("server-side apply by {manager:?}{}: {action}", if force { " (force)" } else { "" }));
    let next = Request { body: Some(merged), ..req.clone() };
    if live.is_some() {
        update(run, &next)
    } else {
        create(run, &next)
    }
}

#[cfg(test)]
mod tests {
    use crate::api::registry;
    use crate::apiserver::{Request, Verb};
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};
    use serde_json::json;

    /// Server-side apply to `/status` (as a controller applying its status does): the applier's
    /// entry, computed before the status strategy runs, is stored with subresource `status`;
    /// the spec it sent is reset, the status it sent is written.
    #[test]
    fn an_apply_to_status_keeps_its_managed_fields_entry_and_not_its_spec() {
        let mut cluster = Cluster::new(Config::default());
        cluster.execute("kubectl create deployment web --image=nginx", &MemoryFiles::new());
        let Some(kind) = registry::lookup("apps/v1", "Deployment") else { panic!("Deployment") };
        let body = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 7}, "status": {"conditions": [{"type": "Audited", "status": "True"}]}});
        let mut req = Request::new(Verb::Apply { force: false }, kind, "default", "web").with_body(body);
        req.subresource = "status".into();
        req.field_manager = "auditor".into();
        let reply = cluster.serve(&req);
        let Ok(stored) = reply.result else { panic!("{:?}", reply.result) };
        assert_eq!(stored["spec"]["replicas"], 1);
        assert!(stored["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Audited"));
        let entries = stored["metadata"]["managedFields"].as_array().cloned().unwrap_or_default();
        let mine: Vec<_> = entries.iter().filter(|e| e["manager"] == "auditor").collect();
        assert_eq!(mine.len(), 1, "{entries:?}");
        assert_eq!((mine[0]["operation"].as_str(), mine[0]["subresource"].as_str()), (Some("Apply"), Some("status")));
        assert!(mine[0]["fieldsV1"].get("f:spec").is_none(), "{}", mine[0]);
        assert!(mine[0]["fieldsV1"]["f:status"].get("f:conditions").is_some(), "{}", mine[0]);
    }
}
