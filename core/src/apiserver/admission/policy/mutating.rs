//! The MutatingAdmissionPolicy plugin (`admissionregistration.k8s.io/v1`): runs after the
//! built-in mutating plugins, as in kube-apiserver's plugin order, and applies each matching
//! policy × binding × param's `mutations` in order, as `plugin/policy/mutating/dispatcher.go`
//! does:
//!
//! - `patchType: ApplyConfiguration`: the expression builds an object
//!   (`Object{metadata: Object.metadata{labels: {"team": "a"}}}`) that is merged into the request
//!   object. kube-apiserver merges it as server-side apply does; the simulator merges it as a
//!   strategic merge patch, which agrees for the built-in types (lists of containers, volumes,
//!   env merge by name; other lists are replaced).
//! - `patchType: JSONPatch`: the expression gives a list of `JSONPatch{op, path, value}` applied
//!   as RFC 6902.
//!
//! After each mutation the object is defaulted again, as `dispatchOne` does, so an added
//! container gets its defaults. An error (a failed expression, a patch that does not apply) is a
//! policy error: `policy '<policy>' with binding '<binding>' denied request: <error>` under
//! `failurePolicy: Fail`, ignored under `Ignore`. `reinvocationPolicy` is not simulated beyond
//! this one pass.

use super::super::{changes, Operation, Outcome, PluginRecord, Request, Target};
use super::{activation, bindings_of, collect_params, compile, compute_variables, fails_closed, match_conditions, matching, name_of};
use crate::apiserver::{patch, Objects, Status};
use serde_json::Value;

const PLUGIN: &str = "MutatingAdmissionPolicy";

/// One policy error: the message and whether it carries reason `Invalid` (evaluation errors do,
/// configuration errors do not).
struct PolicyError {
    message: String,
    invalid: bool,
}

/// Runs the mutating policies on `obj`; leaves a record only when a policy matched.
pub(in super::super) fn run(objects: &dyn Objects, req: &Request, target: &mut Target, records: &mut Vec<PluginRecord>) -> Result<(), Status> {
    // Patchers are not called when there is no object (a delete).
    if req.operation == Operation::Delete || req.operation == Operation::Connect {
        return Ok(());
    }
    // Without policies nothing matches and no record is left: the object is not even copied.
    let policies = objects.list("mutatingadmissionpolicies", None);
    if policies.is_empty() {
        return Ok(());
    }
    let (obj, before) = target.edited();
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    for policy in policies {
        let policy_name = name_of(&policy).to_string();
        let spec = &policy["spec"];
        let config_error = |binding: Option<&str>, e: String| {
            let message = match binding {
                None => format!("failed to configure policy: {e}"),
                Some(_) => format!("failed to configure binding: {e}"),
            };
            policy_error(&policy_name, binding, message, false)
        };
        match matching::matches(objects, req, obj, Some(&spec["matchConstraints"])) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                push_error(&policy, config_error(None, e), &mut errors, &mut notes);
                continue;
            }
        }
        for binding in bindings_of(objects, "mutatingadmissionpolicybindings", &policy_name) {
            let binding_name = name_of(&binding).to_string();
            let who = format!("{policy_name} with binding {binding_name}");
            match matching::matches(objects, req, obj, binding["spec"].get("matchResources").filter(|m| !m.is_null())) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    push_error(&policy, config_error(Some(&binding_name), e), &mut errors, &mut notes);
                    continue;
                }
            }
            let params = match collect_params(objects, req, &policy, &binding) {
                Ok(p) => p,
                Err(e) => {
                    push_error(&policy, config_error(Some(&binding_name), e), &mut errors, &mut notes);
                    continue;
                }
            };
            for param in &params {
                match invoke(objects, req, obj, &policy, param) {
                    Ok(Some(skipped)) => notes.push(format!("{who}: match condition '{skipped}' is false, skipped")),
                    Ok(None) => notes.push(format!("{who}: applied")),
                    Err(e) => push_error(&policy, policy_error(&policy_name, Some(&binding_name), e, true), &mut errors, &mut notes),
                }
            }
        }
    }
    if notes.is_empty() && errors.is_empty() {
        return Ok(());
    }
    if let Some(first) = errors.into_iter().next() {
        *obj = before.clone();
        records.push(PluginRecord { plugin: PLUGIN, outcome: Outcome::Rejected, detail: first.message.clone(), warnings: Vec::new() });
        // `admission.NewForbidden` with the policy error's message in place of its own, and
        // reason Invalid for evaluation errors (the code stays 403).
        let reason = if first.invalid { "Invalid" } else { "Forbidden" };
        return Err(Status { code: 403, reason, message: first.message });
    }
    let changed = changes::diff(before, obj);
    let (outcome, detail) = if changed.is_empty() {
        (Outcome::Passed, notes.join("; "))
    } else {
        (Outcome::Changed, format!("{}: {}", notes.join("; "), changed.join("; ")))
    };
    records.push(PluginRecord { plugin: PLUGIN, outcome, detail, warnings: Vec::new() });
    Ok(())
}

/// `PolicyError.Error()`.
fn policy_error(policy: &str, binding: Option<&str>, message: String, invalid: bool) -> PolicyError {
    let message = match binding {
        Some(b) => format!("policy '{policy}' with binding '{b}' denied request: {message}"),
        None => format!("policy \"{policy}\" denied request: {message}"),
    };
    PolicyError { message, invalid }
}

fn push_error(policy: &Value, e: PolicyError, errors: &mut Vec<PolicyError>, notes: &mut Vec<String>) {
    if fails_closed(policy) {
        errors.push(e);
    } else {
        notes.push(format!("ignored (failurePolicy Ignore): {}", e.message));
    }
}

/// One invocation: match conditions, variables, then each mutation in order. Ok(Some(name))
/// when match condition `name` was false.
fn invoke(objects: &dyn Objects, req: &Request, obj: &mut Value, policy: &Value, param: &Value) -> Result<Option<String>, String> {
    let spec = &policy["spec"];
    let mut act = activation(objects, req, obj, param);
    if let Some(name) = match_conditions(spec, &act)? {
        return Ok(Some(name));
    }
    compute_variables(spec, &mut act);
    for mutation in spec["mutations"].as_array().into_iter().flatten() {
        // Each mutation sees the object as the ones before it left it.
        act.set("object", super::Cel::from_json(obj));
        match mutation["patchType"].as_str().unwrap_or("") {
            "ApplyConfiguration" => {
                let result = compile(mutation["applyConfiguration"]["expression"].as_str().unwrap_or("")).eval(&act)?;
                let Some(config @ Value::Object(_)) = result.to_json() else {
                    return Err(format!("apply configuration must evaluate to an Object, got {}", result.type_name()));
                };
                patch::strategic(obj, &config);
            }
            "JSONPatch" => {
                let result = compile(mutation["jsonPatch"]["expression"].as_str().unwrap_or("")).eval(&act)?;
                let Some(ops @ Value::Array(_)) = result.to_json() else {
                    return Err(format!("JSONPatch expression must evaluate to a list of JSONPatch, got {}", result.type_name()));
                };
                let mut patched = obj.clone();
                patch::json_patch(&mut patched, &ops).map_err(|e| format!("JSON Patch: {e}"))?;
                *obj = patched;
            }
            other => return Err(format!("unsupported patch type: {other:?}")),
        }
        crate::api::defaults::apply_defaults(req.kind, obj);
    }
    Ok(None)
}
