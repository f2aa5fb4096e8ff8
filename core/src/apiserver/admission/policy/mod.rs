//! The CEL admission policies (`admissionregistration.k8s.io/v1`): ValidatingAdmissionPolicy
//! and MutatingAdmissionPolicy with their bindings, as the plugins in
//! `k8s.io/apiserver/pkg/admission/plugin/policy/{validating,mutating,generic}` run them.
//!
//! For each policy that matches the request (`spec.matchConstraints`), each of its bindings that
//! matches (`spec.matchResources`), and each param object the binding selects (`spec.paramRef`):
//! `matchConditions` decide whether to go on, `variables` are computed, then the validations
//! (or mutations) run. A policy's `failurePolicy` decides what an error does (`Fail` denies,
//! `Ignore` lets the request through).
//!
//! This file holds what both kinds share: the variables an expression sees (`object`,
//! `oldObject`, `request`, `params`, `namespaceObject`, `variables`), param collection
//! (`CollectParams`), match conditions and the error texts of cel-go and the CEL filter.
//! Policies and bindings are taken in name order (kube-apiserver's order is that of its
//! informer cache; the simulator's must be deterministic).

mod matching;
pub mod mutating;
#[cfg(test)]
mod tests;
pub mod validating;

use super::cel::{self, Activation, Value as Cel};
use super::Request;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::Objects;
use serde_json::{json, Value};

/// The variables every policy expression may name (`authorizer` is declared but not simulated).
const DECLARED: &[&str] = &["object", "oldObject", "request", "params", "namespaceObject", "variables", "authorizer"];

/// The bindings of policy `policy` (`spec.policyName`), in name order.
fn bindings_of(objects: &dyn Objects, resource: &str, policy: &str) -> Vec<Value> {
    objects.list(resource, None).into_iter().filter(|b| b["spec"]["policyName"].as_str() == Some(policy)).collect()
}

fn name_of(v: &Value) -> &str {
    v["metadata"]["name"].as_str().unwrap_or("")
}

/// `failurePolicy`, defaulted to `Fail`.
fn fails_closed(policy: &Value) -> bool {
    policy["spec"]["failurePolicy"].as_str() != Some("Ignore")
}

/// One compiled expression with its source, for messages.
struct Compiled {
    source: String,
    program: Result<cel::Program, String>,
}

fn compile(source: &str) -> Compiled {
    Compiled {
        source: source.to_string(),
        program: cel::compile(source, DECLARED).map_err(|e| format!("compilation error: compilation failed: {}", e.render(source))),
    }
}

impl Compiled {
    /// Evaluates; the error is worded as the CEL filter words it
    /// (`expression '<source>' resulted in error: <cel-go error>`).
    fn eval(&self, activation: &Activation) -> Result<Cel, String> {
        let program = self.program.as_ref().map_err(Clone::clone)?;
        program.eval(activation).map_err(|e| format!("expression '{}' resulted in error: {e}", self.source))
    }
}

/// The request as CEL's `request` variable sees it (`admissionv1.AdmissionRequest`).
fn request_value(req: &Request) -> Value {
    let kind = req.kind;
    json!({
        "kind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
        "resource": {"group": kind.group, "version": kind.version, "resource": kind.resource},
        "subResource": req.subresource,
        "requestKind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
        "requestResource": {"group": kind.group, "version": kind.version, "resource": kind.resource},
        "requestSubResource": req.subresource,
        "name": req.name,
        "namespace": req.namespace,
        "operation": matching::operation_name(req.operation),
        "userInfo": {"username": req.user},
        "dryRun": req.dry_run,
    })
}

/// The activation for one (policy, binding, param) evaluation, before `variables`.
fn activation(objects: &dyn Objects, req: &Request, object: &Value, param: &Value) -> Activation {
    let mut a = Activation::default();
    a.set("object", Cel::from_json(object));
    a.set("oldObject", req.old.map_or(Cel::Null, Cel::from_json));
    a.set("request", Cel::from_json(&request_value(req)));
    a.set("params", Cel::from_json(param));
    // `CreateNamespaceObject`: the namespace of a namespaced request; null for cluster-scoped
    // requests and for a Namespace itself.
    let is_namespace = req.kind.group.is_empty() && req.kind.resource == "namespaces";
    let ns = if req.namespace.is_empty() || is_namespace { None } else { objects.get("namespaces", "", req.namespace) };
    a.set("namespaceObject", ns.as_ref().map_or(Cel::Null, namespace_object));
    a.set("variables", Cel::from_json(&json!({})));
    a
}

/// The namespace as policies see it: metadata (without managed fields), spec and status.
fn namespace_object(ns: &Value) -> Cel {
    let mut ns = ns.clone();
    if let Some(meta) = ns.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    Cel::from_json(&ns)
}

/// Computes `spec.variables` in order; each may use the ones before it. A variable that fails
/// fails only the expressions that read it.
fn compute_variables(spec: &Value, activation: &mut Activation) {
    let mut values = serde_json::Map::new();
    for v in spec["variables"].as_array().into_iter().flatten() {
        let name = v["name"].as_str().unwrap_or("").to_string();
        let compiled = compile(v["expression"].as_str().unwrap_or(""));
        match compiled.eval(activation) {
            Ok(value) => {
                values.insert(name, value.to_json().unwrap_or(Value::Null));
            }
            Err(e) => {
                activation.variable_errors.insert(name, cel::EvalError(e));
            }
        }
        activation.set("variables", Cel::from_json(&Value::Object(values.clone())));
    }
}

/// `matchConditions`: Ok(None) when all are true; Ok(Some(name)) names the first false one;
/// Err aggregates the evaluation errors when none is false.
fn match_conditions(spec: &Value, activation: &Activation) -> Result<Option<String>, String> {
    let mut errors = Vec::new();
    for c in spec["matchConditions"].as_array().into_iter().flatten() {
        match compile(c["expression"].as_str().unwrap_or("")).eval(activation) {
            Ok(Cel::Bool(true)) => {}
            Ok(Cel::Bool(false)) => return Ok(Some(c["name"].as_str().unwrap_or("").to_string())),
            Ok(other) => errors.push(format!("expected bool, got {}", other.type_name())),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(None)
    } else {
        Err(super::aggregate(&errors))
    }
}

/// `CollectParams`: the param objects a binding selects for `policy`. `[Null]` when the policy
/// has no `paramKind` or the binding no `paramRef`; empty when none was found and
/// `parameterNotFoundAction` is `Allow`; Err is a configuration error.
fn collect_params(objects: &dyn Objects, req: &Request, policy: &Value, binding: &Value) -> Result<Vec<Value>, String> {
    let param_kind = &policy["spec"]["paramKind"];
    let param_ref = &binding["spec"]["paramRef"];
    if param_kind.is_null() || param_ref.is_null() {
        return Ok(vec![Value::Null]);
    }
    let api_version = param_kind["apiVersion"].as_str().unwrap_or("");
    let kind_name = param_kind["kind"].as_str().unwrap_or("");
    let Some(kind) = crate::api::lookup(api_version, kind_name) else {
        return Err(format!("paramKind kind `{kind_name}.{api_version}` not known"));
    };
    let ref_namespace = param_ref["namespace"].as_str().unwrap_or("");
    let namespace = if !kind.namespaced {
        if !ref_namespace.is_empty() {
            return Err("paramRef.namespace must not be provided for a cluster-scoped `paramKind`".into());
        }
        ""
    } else if !ref_namespace.is_empty() {
        ref_namespace
    } else if !req.namespace.is_empty() {
        req.namespace
    } else {
        return Err("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources".into());
    };
    let name = param_ref["name"].as_str().unwrap_or("");
    let params: Vec<Value> = if !name.is_empty() {
        if !param_ref["selector"].is_null() {
            return Err("paramRef.name and paramRef.selector are mutually exclusive".into());
        }
        objects.get(kind.resource, namespace, name).into_iter().collect()
    } else if !param_ref["selector"].is_null() {
        let sel = LabelSelector::from_object(&param_ref["selector"]).ok_or("invalid label selector")?;
        let scope = if kind.namespaced { Some(namespace) } else { None };
        objects.list(kind.resource, scope).into_iter().filter(|p| sel.matches_object(p)).collect()
    } else {
        return Err("one of name or selector must be provided".into());
    };
    if params.is_empty() && param_ref["parameterNotFoundAction"].as_str() == Some("Deny") {
        return Err("no params found for policy binding with `Deny` parameterNotFoundAction".into());
    }
    Ok(params)
}
