//! `kubectl create role|clusterrole|rolebinding|clusterrolebinding`: rules grouped by API group
//! with resources resolved through discovery, and subjects, as kubectl's RBAC commands build them.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use super::context::{Ctx, create, err};
use super::Action;

pub(super) const RESOURCE_VERBS: &[&str] = &["*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy", "deletecollection", "use", "bind", "escalate", "impersonate"];
pub(super) const NON_RESOURCE_VERBS: &[&str] = &["*", "get", "post", "put", "delete", "patch", "head", "options"];

pub(super) fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// `create role` / `create clusterrole`: one rule per API group, resources resolved through
/// discovery as kubectl's RESTMapper does (`rs.apps` -> `replicasets` in `apps`).
pub(super) fn create_role(c: &Ctx) -> Result<Action, String> {
    let cluster = c.path == "create clusterrole";
    let name = c.name()?;
    let mut verbs = Vec::new();
    for v in c.slice("verb") {
        if v == "*" {
            verbs = vec!["*".to_string()];
            break;
        }
        if !verbs.contains(&v) {
            verbs.push(v);
        }
    }
    // (group, resource, subresource) as typed.
    let mut typed: Vec<(String, String, String)> = Vec::new();
    for r in c.slice("resource") {
        let (main, sub) = match r.split_once('/') {
            Some((m, s)) => (m.to_string(), s.to_string()),
            None => (r.clone(), String::new()),
        };
        let (res, group) = match main.split_once('.') {
            Some((r, g)) => (r.to_string(), g.to_string()),
            None => (main.clone(), String::new()),
        };
        if res == "*" && !main.contains('.') && sub.is_empty() {
            typed = vec![(group, res, sub)];
            break;
        }
        typed.push((group, res, sub));
    }
    let resource_names = dedup(c.array("resource-name"));
    let non_resource_urls = if cluster { dedup(c.slice("non-resource-url")) } else { Vec::new() };
    let aggregation = if cluster { c.get("aggregation-rule").map(str::to_string) } else { None };
    let mut object = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": if cluster { "ClusterRole" } else { "Role" },
        "metadata": c.metadata(&name, !cluster),
    });
    if let Some(agg) = aggregation {
        if !non_resource_urls.is_empty() || !verbs.is_empty() || !typed.is_empty() || !resource_names.is_empty() {
            return Err(err("aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames"));
        }
        let mut labels = Map::new();
        for pair in agg.split(',') {
            let (k, v) = pair.split_once('=').ok_or_else(|| err(format!("invalid argument {agg:?} for \"--aggregation-rule\" flag: {pair} must be formatted as key=value")))?;
            labels.insert(k.to_string(), json!(v));
        }
        object["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": labels}]});
        return Ok(create(object, ""));
    }
    if verbs.is_empty() {
        return Err(err("at least one verb must be specified"));
    }
    if typed.is_empty() && (!cluster || non_resource_urls.is_empty()) {
        return Err(err(if cluster { "one of resource or nonResourceURL must be specified" } else { "at least one resource must be specified" }));
    }
    let mut warnings = String::new();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !typed.is_empty() {
        for v in &verbs {
            if !RESOURCE_VERBS.contains(&v.as_str()) {
                warnings.push_str(&format!("Warning: '{v}' is not a standard resource verb\n"));
            }
        }
        for (group, res, sub) in &typed {
            if res.is_empty() {
                return Err(err("resource must be specified if apiGroup/subresource specified"));
            }
            let (group, mut resource) = if res == "*" {
                (group.clone(), res.clone())
            } else {
                let query = if group.is_empty() { res.clone() } else { format!("{res}.{group}") };
                match crate::cli::kubectl::resources::resolve(&query) {
                    Ok(k) => (k.group.to_string(), k.resource.to_string()),
                    Err(_) => return Err(err(format!("no matches for {group}/, Resource={res}"))),
                }
            };
            if !sub.is_empty() {
                resource = format!("{resource}/{sub}");
            }
            let list = groups.entry(group).or_default();
            if !list.contains(&resource) {
                list.push(resource);
            }
        }
    }
    if !non_resource_urls.is_empty() {
        for v in &verbs {
            if !NON_RESOURCE_VERBS.contains(&v.as_str()) {
                return Err(err(format!("invalid verb: '{v}' for nonResourceURL")));
            }
        }
        for u in &non_resource_urls {
            if u == "*" {
                continue;
            }
            if !u.starts_with('/') {
                return Err(err("nonResourceURL should start with /"));
            }
            if u[..u.len() - 1].contains('*') {
                return Err(err("nonResourceURL only supports wildcard matches when '*' is at the end"));
            }
        }
    }
    let mut rules: Vec<Value> = groups
        .into_iter()
        .map(|(g, resources)| {
            let mut rule = json!({"apiGroups": [g], "resources": resources, "verbs": verbs});
            if !resource_names.is_empty() {
                rule["resourceNames"] = json!(resource_names);
            }
            rule
        })
        .collect();
    if !non_resource_urls.is_empty() {
        rules.push(json!({"nonResourceURLs": non_resource_urls, "verbs": verbs}));
    }
    object["rules"] = json!(rules);
    Ok(Action::Create { object, wrap: String::new(), warnings })
}

pub(super) fn create_binding(c: &Ctx) -> Result<Action, String> {
    let cluster = c.path == "create clusterrolebinding";
    let name = c.name()?;
    let role = c.get("role").unwrap_or("");
    let cluster_role = c.get("clusterrole").unwrap_or("");
    if !cluster && (role.is_empty() == cluster_role.is_empty()) {
        return Err(err("exactly one of clusterrole or role must be specified"));
    }
    let (ref_kind, ref_name) = if role.is_empty() { ("ClusterRole", cluster_role) } else { ("Role", role) };
    let mut subjects = Vec::new();
    for u in c.array("user") {
        subjects.push(json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": u}));
    }
    for g in c.array("group") {
        subjects.push(json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g}));
    }
    for sa in c.array("serviceaccount") {
        let parts: Vec<&str> = sa.split(':').collect();
        if parts.len() != 2 || parts[0].is_empty() || parts[1].is_empty() {
            return Err(err("serviceaccount must be <namespace>:<name>"));
        }
        subjects.push(json!({"kind": "ServiceAccount", "namespace": parts[0], "name": parts[1]}));
    }
    let mut object = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": if cluster { "ClusterRoleBinding" } else { "RoleBinding" },
        "metadata": c.metadata(&name, !cluster),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name},
    });
    if !subjects.is_empty() {
        object["subjects"] = json!(subjects);
    }
    Ok(create(object, if cluster { "failed to create clusterrolebinding: " } else { "failed to create rolebinding: " }))
}
