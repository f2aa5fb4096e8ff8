//! Which requests a policy or binding applies to: `matchConstraints` / `matchResources`, as
//! `k8s.io/apiserver/pkg/admission/plugin/policy/matching` decides it: the namespace selector,
//! then the object selector, then `excludeResourceRules` (any match excludes), then
//! `resourceRules` (one must match).
//!
//! - namespaceSelector: a cluster-scoped request always matches, except a Namespace itself, whose
//!   own labels are tested; a namespaced request tests its namespace's labels.
//! - objectSelector: the new object's labels or the old object's labels must match.
//! - a rule matches on operation (`CREATE`, `UPDATE`, `DELETE`, `CONNECT`, `*`), API group,
//!   version, resource (`pods`, `pods/status`, `pods/*`, `*`, `*/*`, `*/scale`), scope and, when
//!   given, `resourceNames`.
//!
//! Not simulated: `matchPolicy: Equivalent` (the simulator serves each resource in one version,
//! so there is no other version to convert to).

use super::super::{Operation, Request};
use crate::apiserver::select::{labels_of, LabelSelector};
use crate::apiserver::Objects;
use serde_json::Value;

pub fn operation_name(op: Operation) -> &'static str {
    match op {
        Operation::Create => "CREATE",
        Operation::Update => "UPDATE",
        Operation::Delete => "DELETE",
        Operation::Connect => "CONNECT",
    }
}

/// Whether `criteria` (a `MatchResources` object) selects the request. `None` (no
/// `matchResources` on a binding) matches everything. Err is a configuration error (a selector
/// that does not parse).
pub fn matches(objects: &dyn Objects, req: &Request, object: &Value, criteria: Option<&Value>) -> Result<bool, String> {
    let Some(criteria) = criteria else { return Ok(true) };
    if !namespace_matches(objects, req, object, criteria.get("namespaceSelector"))? {
        return Ok(false);
    }
    if !object_matches(req, object, criteria.get("objectSelector"))? {
        return Ok(false);
    }
    let rules = |field: &str| criteria.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    if rules("excludeResourceRules").iter().any(|r| rule_matches(req, r)) {
        return Ok(false);
    }
    // No resourceRules (a binding that narrows by namespace only) matches every resource.
    let include = rules("resourceRules");
    Ok(include.is_empty() || include.iter().any(|r| rule_matches(req, r)))
}

fn selector(v: Option<&Value>) -> Result<Option<LabelSelector>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(sel) => LabelSelector::from_object(sel).map(Some).ok_or_else(|| format!("invalid label selector: {sel}")),
    }
}

fn namespace_matches(objects: &dyn Objects, req: &Request, object: &Value, sel: Option<&Value>) -> Result<bool, String> {
    let Some(sel) = selector(sel)? else { return Ok(true) };
    let is_namespace = req.kind.group.is_empty() && req.kind.resource == "namespaces";
    if req.namespace.is_empty() && !is_namespace {
        return Ok(true);
    }
    if sel.is_empty() {
        return Ok(true);
    }
    let labels = if is_namespace {
        labels_of(if object.is_null() { req.old.unwrap_or(&Value::Null) } else { object })
    } else {
        objects.get("namespaces", "", req.namespace).map(|ns| labels_of(&ns)).unwrap_or_default()
    };
    Ok(sel.matches(&labels))
}

fn object_matches(req: &Request, object: &Value, sel: Option<&Value>) -> Result<bool, String> {
    let Some(sel) = selector(sel)? else { return Ok(true) };
    if sel.is_empty() {
        return Ok(true);
    }
    let new = !object.is_null() && sel.matches(&labels_of(object));
    let old = req.old.is_some_and(|o| sel.matches(&labels_of(o)));
    Ok(new || old)
}

fn listed(rule: &Value, field: &str, value: &str) -> bool {
    rule.get(field).and_then(Value::as_array).is_some_and(|l| l.iter().any(|x| x.as_str().is_some_and(|x| x == "*" || x == value)))
}

/// One `NamedRuleWithOperations`.
pub fn rule_matches(req: &Request, rule: &Value) -> bool {
    if !listed(rule, "operations", operation_name(req.operation)) {
        return false;
    }
    if !listed(rule, "apiGroups", req.kind.group) || !listed(rule, "apiVersions", req.kind.version) {
        return false;
    }
    let resources: Vec<&str> = rule.get("resources").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if !resources.iter().any(|r| resource_matches(r, req.kind.resource, req.subresource)) {
        return false;
    }
    let scope = rule.get("scope").and_then(Value::as_str).unwrap_or("*");
    let namespaced = req.kind.namespaced;
    let scope_ok = match scope {
        "Cluster" => !namespaced,
        "Namespaced" => namespaced,
        _ => true,
    };
    if !scope_ok {
        return false;
    }
    match rule.get("resourceNames").and_then(Value::as_array) {
        Some(names) if !names.is_empty() => names.iter().any(|n| n.as_str() == Some(req.name)),
        _ => true,
    }
}

/// `Rule.resources` semantics: `*` all resources (not subresources), `*/*` everything,
/// `pods/*` every subresource of pods, `*/status` that subresource of every resource.
fn resource_matches(pattern: &str, resource: &str, subresource: &str) -> bool {
    let (res, sub) = pattern.split_once('/').unwrap_or((pattern, ""));
    (res == "*" || res == resource) && (sub == subresource || (sub == "*" && !subresource.is_empty()) || pattern == "*/*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_patterns() {
        assert!(resource_matches("pods", "pods", ""));
        assert!(!resource_matches("pods", "pods", "status"));
        assert!(resource_matches("pods/status", "pods", "status"));
        assert!(resource_matches("pods/*", "pods", "exec"));
        assert!(resource_matches("*", "deployments", ""));
        assert!(!resource_matches("*", "deployments", "scale"));
        assert!(resource_matches("*/scale", "deployments", "scale"));
        assert!(resource_matches("*/*", "deployments", ""));
        assert!(resource_matches("*/*", "deployments", "scale"));
    }
}
