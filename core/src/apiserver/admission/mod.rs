//! Admission control: the built-in plugins kube-apiserver runs on every write, mutating first and
//! validating after, in the server's recommended order (`AllOrderedPlugins` in
//! `pkg/kubeapiserver/options/plugins.go`, filtered to the plugins enabled by default).
//!
//! A request passes [`mutate`] before the registry's validation and [`validate`] after it, as in
//! the create handler: decode and default, mutating admission, `BeforeCreate` (name generation,
//! `PrepareForCreate`, validation), validating admission, storage. Every plugin leaves a
//! [`PluginRecord`] whether it acted or not, so the UI's pipeline stepper can show the whole chain;
//! a mutating plugin's record lists the JSON paths it changed (computed by diffing the object
//! before and after the plugin, so a plugin cannot change something silently).
//!
//! Order of the mutating phase (a plugin that has both phases appears in both lists):
//!
//! | plugin                   | acts on                                   |
//! |--------------------------|-------------------------------------------|
//! | NamespaceLifecycle       | every namespaced write; namespace deletes |
//! | LimitRanger              | pod creates (defaults from LimitRanges)   |
//! | ServiceAccount           | pod creates (SA, token volume, pull secrets) |
//! | TaintNodesByCondition    | node creates                              |
//! | Priority                 | pod creates and updates                   |
//! | DefaultTolerationSeconds | pod creates and updates                   |
//! | DefaultStorageClass      | PVC creates                               |
//! | MutatingAdmissionPolicy  | requests its policies' bindings match (`policy/`, CEL in `cel/`) |
//!
//! Order of the validating phase:
//!
//! | plugin        | acts on                                                   |
//! |---------------|-----------------------------------------------------------|
//! | LimitRanger   | pod creates, PVC creates/updates (min, max, ratio)        |
//! | PodSecurity   | pods (enforce, warn, audit), pod controllers (warn, audit), namespace labels |
//! | Priority      | PriorityClasses (only one global default)                 |
//! | ValidatingAdmissionPolicy | requests its policies' bindings match (Deny, Warn, Audit) |
//! | ResourceQuota | creates (and updates of services/PVCs) in namespaces with quotas |
//!
//! The two policy plugins leave a record only when a policy matched, so requests in a cluster
//! without policies trace as before.
//!
//! Not simulated: the webhook stages (MutatingAdmissionWebhook, ValidatingAdmissionWebhook), and the
//! default-on plugins with nothing to do in the simulator yet (StorageObjectInUseProtection,
//! PersistentVolumeClaimResize, RuntimeClass, the certificate plugins, DefaultIngressClass,
//! PodTopologyLabels).

pub mod cel;
mod changes;
mod default_storage_class;
mod default_toleration_seconds;
mod limit_ranger;
mod namespace_lifecycle;
mod policy;
mod pod_security;
mod pod_security_checks;
mod priority;
pub mod quantity;
mod quota_usage;
mod resource_quota;
mod service_account;
mod taint_nodes_by_condition;
mod target;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use crate::apiserver::{qualified_resource, Objects, Status};
pub use target::Before;
use target::Target;
use crate::sim::Rng;
use serde::Serialize;
use serde_json::Value;

/// `admission.Operation`: what the request does to the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

/// The attributes a plugin sees (`admission.Attributes`).
pub struct Request<'a> {
    pub operation: Operation,
    pub kind: &'a crate::api::KindInfo,
    /// `""`, or `status`, `binding`, `exec`, ...
    pub subresource: &'a str,
    /// Empty for cluster-scoped kinds.
    pub namespace: &'a str,
    /// The name from the URL or the body; empty on a create with only `generateName`.
    pub name: &'a str,
    pub user: &'a str,
    /// Every built-in plugin behaves the same on a dry run (none has side effects outside the
    /// object); kept so the trace can say so.
    pub dry_run: bool,
    /// The stored object, on updates and deletes.
    pub old: Option<&'a Value>,
}

impl Request<'_> {
    /// True when the request is for `resource` in the core group (or `group`).
    fn is(&self, group: &str, resource: &str) -> bool {
        self.kind.group == group && self.kind.resource == resource
    }
}

/// What one plugin did with the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// Looked at the request and let it through unchanged.
    Passed,
    /// Mutated the object (the detail lists each changed path).
    Changed,
    /// Stopped the request; the detail is the plugin's own reason.
    Rejected,
}

/// One plugin's verdict, for the trace and the UI's pipeline stepper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PluginRecord {
    pub plugin: &'static str,
    pub outcome: Outcome,
    /// Passed: why nothing happened; Changed: `path: old -> new` entries joined by `; `;
    /// Rejected: the plugin's reason before the API server wraps it (`exceeded quota: ...`).
    pub detail: String,
    /// `Warning:` headers for the client (PodSecurity's warn mode), without the `Warning: ` prefix.
    pub warnings: Vec<String>,
}

/// What a plugin returns when it lets the request through.
#[derive(Debug, Default)]
struct Verdict {
    /// Why nothing (else) happened, for the record; empty for "does not apply".
    note: String,
    warnings: Vec<String>,
}

impl Verdict {
    fn note(note: impl Into<String>) -> Self {
        Verdict { note: note.into(), warnings: Vec::new() }
    }

    fn skip() -> Self {
        Verdict::note("does not apply to this request")
    }
}

/// A plugin's refusal: the Status the client sees and the plugin's own reason inside it.
#[derive(Debug)]
struct Rejection {
    status: Status,
    reason: String,
}

type MutateFn = fn(&dyn Objects, &Request, &mut Target, &mut Rng) -> Result<Verdict, Rejection>;
type ValidateFn = fn(&dyn Objects, &Request, &Value) -> Result<Verdict, Rejection>;

/// The mutating plugins, in kube-apiserver's recommended order.
const MUTATING: &[(&str, MutateFn)] = &[
    ("NamespaceLifecycle", namespace_lifecycle::admit),
    ("LimitRanger", limit_ranger::admit),
    ("ServiceAccount", service_account::admit),
    ("TaintNodesByCondition", taint_nodes_by_condition::admit),
    ("Priority", priority::admit),
    ("DefaultTolerationSeconds", default_toleration_seconds::admit),
    ("DefaultStorageClass", default_storage_class::admit),
];

/// The validating plugins, in the same order; ResourceQuota is last, as on a real server, so it
/// only charges requests every other plugin accepted.
const VALIDATING: &[(&str, ValidateFn)] = &[
    ("LimitRanger", limit_ranger::validate),
    ("PodSecurity", pod_security::validate),
    ("Priority", priority::validate),
    ("ResourceQuota", resource_quota::validate),
];

/// The plugin names of each phase, in order (for the UI's legend).
pub fn plugin_order() -> (Vec<&'static str>, Vec<&'static str>) {
    (MUTATING.iter().map(|(n, _)| *n).collect(), VALIDATING.iter().map(|(n, _)| *n).collect())
}

/// Runs the mutating plugins in order; Err stops the request (the plugin's Status, e.g. 403
/// Forbidden / 404 NotFound / 422). Ok carries the object (or its `spec`, when no plugin edited
/// anything else) as it was before the phase when a plugin edited it (`None`: no plugin touched
/// it, so it is unchanged).
pub fn mutate(
    objects: &dyn Objects,
    req: &Request,
    obj: &mut Value,
    rng: &mut Rng,
    records: &mut Vec<PluginRecord>,
) -> Result<Option<Before>, Status> {
    // The copy the first editing plugin made: no plugin before it edited, so it is the object
    // as the phase received it (made whole by a later whole copy, see `target::combine`).
    let mut original: Option<Before> = None;
    let mut spare: Option<Before> = None;
    for (plugin, admit) in MUTATING {
        let mut target = Target::new(obj, spare.take());
        let result = admit(objects, req, &mut target, rng);
        let before = target.before;
        spare = target.spare;
        match result {
            Ok(verdict) => {
                let changed = before.as_ref().map(|b| b.plugin_changes(obj)).unwrap_or_default();
                let (outcome, detail) = if changed.is_empty() {
                    (Outcome::Passed, verdict.note)
                } else {
                    (Outcome::Changed, changed.join("; "))
                };
                records.push(PluginRecord { plugin, outcome, detail, warnings: verdict.warnings });
            }
            Err(rejection) => {
                // A rejected request is never stored, so the half-mutated object does not matter;
                // restore it anyway so callers that inspect it see what the client sent.
                if let Some(before) = before {
                    before.restore(obj);
                }
                records.push(PluginRecord {
                    plugin,
                    outcome: Outcome::Rejected,
                    detail: rejection.reason,
                    warnings: Vec::new(),
                });
                return Err(rejection.status);
            }
        }
        if let Some(left) = target::combine(&mut original, before) {
            spare = Some(left);
        }
    }
    // MutatingAdmissionPolicy follows the built-in mutating plugins (AllOrderedPlugins).
    let mut target = Target::new(obj, spare);
    policy::mutating::run(objects, req, &mut target, records)?;
    target::combine(&mut original, target.before);
    Ok(original)
}

/// Runs the validating plugins in order.
pub fn validate(objects: &dyn Objects, req: &Request, obj: &Value, records: &mut Vec<PluginRecord>) -> Result<(), Status> {
    for (plugin, check) in VALIDATING {
        // ValidatingAdmissionPolicy comes just before ResourceQuota (AllOrderedPlugins).
        if *plugin == "ResourceQuota" {
            policy::validating::run(objects, req, obj, records)?;
        }
        match check(objects, req, obj) {
            Ok(verdict) => records.push(PluginRecord {
                plugin,
                outcome: Outcome::Passed,
                detail: verdict.note,
                warnings: verdict.warnings,
            }),
            Err(rejection) => {
                records.push(PluginRecord {
                    plugin,
                    outcome: Outcome::Rejected,
                    detail: rejection.reason,
                    warnings: Vec::new(),
                });
                return Err(rejection.status);
            }
        }
    }
    Ok(())
}

/// The name `admission.NewForbidden` puts in its message: the request's name, else the object's
/// name, else its `generateName` (names are generated after mutating admission), else `Unknown`.
fn object_name(req: &Request, obj: &Value) -> String {
    if !req.name.is_empty() {
        return req.name.to_string();
    }
    let meta = &obj["metadata"];
    match (meta["name"].as_str(), meta["generateName"].as_str()) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(g)) if !g.is_empty() => g.to_string(),
        _ => "Unknown".to_string(),
    }
}

/// `admission.NewForbidden(a, err)`: 403 `<resource>[.<group>] "<name>" is forbidden: <reason>`.
fn forbidden(req: &Request, obj: &Value, reason: impl Into<String>) -> Rejection {
    let reason = reason.into();
    let resource = qualified_resource(req.kind);
    let name = object_name(req, obj);
    Rejection {
        status: Status { code: 403, reason: "Forbidden", message: format!("{resource} \"{name}\" is forbidden: {reason}") },
        reason,
    }
}

/// `utilerrors.NewAggregate(errs).Error()`: one message as is, several as `[a, b]`, duplicates
/// dropped.
fn aggregate(messages: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for m in messages {
        if !seen.contains(&m.as_str()) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].to_string(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

/// The object's containers then init containers, as `(field path, container)`.
fn containers_mut(spec: &mut Value) -> Vec<(&'static str, &mut Value)> {
    let mut out = Vec::new();
    let Some(map) = spec.as_object_mut() else { return out };
    // Split borrows of the two lists: take each by key from the map.
    let mut containers: Option<&mut Value> = None;
    let mut init: Option<&mut Value> = None;
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "containers" => containers = Some(value),
            "initContainers" => init = Some(value),
            _ => {}
        }
    }
    if let Some(Value::Array(list)) = containers {
        out.extend(list.iter_mut().map(|c| ("container", c)));
    }
    if let Some(Value::Array(list)) = init {
        out.extend(list.iter_mut().map(|c| ("init container", c)));
    }
    out
}

/// A string field, or `""` when absent or not a string.
fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The objects of `resource` in `namespace` (cluster-scoped when empty), sorted by name as the
/// [`Objects`] contract promises; listers in kube-apiserver give no order, so where order shows in
/// a result (the LimitRanger annotation) we document that ours is by name.
fn list(objects: &dyn Objects, resource: &str, namespace: &str) -> Vec<Value> {
    objects.list(resource, Some(namespace))
}
