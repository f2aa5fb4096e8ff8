//! Privilege-escalation prevention: mirrors `ConfirmNoEscalation` in
//! `pkg/registry/rbac/validation/rule.go`, `Covers`/`BreakdownRule` in
//! `k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go`, `CompactRules` in
//! `pkg/registry/rbac/validation/policy_compact.go` and `EscalationAllowed` in
//! `pkg/registry/rbac/escalation_check.go`.
//!
//! Creating or updating a Role/ClusterRole, or a binding to one, is refused unless the user
//! already holds every permission in it (in the namespace of the object, or cluster-wide for
//! cluster objects). Each rule is broken into single (group, resource, verb, name) pieces and
//! each piece must be covered by one rule the user has:
//!
//! ```text
//! user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
//! {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
//! ```
//!
//! The registry asks two questions first, which callers answer with [`super::authorize`]: is
//! the user allowed the `escalate` verb on `roles`/`clusterroles` (for role writes), or `bind`
//! on the referenced role (for binding writes)? If so this check is skipped.

use super::messages::{quote, quote_list};
use super::rbac::{compact_string, list};
use super::resolver::{aggregate, rules_for};
use super::user::{UserInfo, SYSTEM_MASTERS};
use crate::apiserver::Objects;
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::Value;

/// `ConfirmNoEscalation`: `Ok` when `user` already holds every permission in `role_rules`
/// (JSON PolicyRules) in `namespace` ("" for ClusterRoles and ClusterRoleBindings); otherwise
/// the apiserver's message (the caller wraps it in a 403 `... is forbidden: <message>`).
/// Members of `system:masters` always pass (`EscalationAllowed`).
pub fn check_escalation(objects: &dyn Objects, user: &UserInfo, role_rules: &[Value], namespace: &str) -> Result<(), String> {
    if user.in_group(SYSTEM_MASTERS) {
        return Ok(());
    }
    let wanted: Vec<PolicyRule> = role_rules.iter().filter_map(|r| serde_json::from_value(r.clone()).ok()).collect();
    let (owner_rules, errors) = rules_for(objects, user, namespace);
    let missing = uncovered(&owner_rules, &wanted);
    if missing.is_empty() {
        return Ok(());
    }
    let mut descriptions: Vec<String> = compact_rules(&missing).iter().map(compact_string).collect();
    descriptions.sort();
    descriptions.dedup();
    let mut msg = format!(
        "user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        quote(&user.name),
        quote_list(&user.groups),
        descriptions.join("\n")
    );
    if !errors.is_empty() {
        msg.push_str(&format!("; resolution errors: [{}]", aggregate(&errors)));
    }
    Err(msg)
}

/// `Covers`: the pieces of `servant` no rule of `owner` covers (empty when all are covered).
pub fn uncovered(owner: &[PolicyRule], servant: &[PolicyRule]) -> Vec<PolicyRule> {
    servant.iter().flat_map(breakdown_rule).filter(|sub| !owner.iter().any(|o| rule_covers(o, sub))).collect()
}

/// `BreakdownRule`: one rule per (group, resource, verb[, name]) and per (url, verb).
pub fn breakdown_rule(rule: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| Some(vec![s.clone()]);
    let mut out = Vec::new();
    for group in list(&rule.api_groups) {
        for resource in list(&rule.resources) {
            for verb in &rule.verbs {
                let base = PolicyRule { api_groups: one(group), resources: one(resource), verbs: vec![verb.clone()], ..PolicyRule::default() };
                let names = list(&rule.resource_names);
                if names.is_empty() {
                    out.push(base);
                } else {
                    out.extend(names.iter().map(|n| PolicyRule { resource_names: one(n), ..base.clone() }));
                }
            }
        }
    }
    for url in list(&rule.non_resource_urls) {
        for verb in &rule.verbs {
            out.push(PolicyRule { non_resource_urls: one(url), verbs: vec![verb.clone()], ..PolicyRule::default() });
        }
    }
    out
}

fn has(set: &[String], s: &str) -> bool {
    set.iter().any(|x| x == s)
}

fn has_all(set: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| has(set, w))
}

fn resource_covers_all(owner: &[String], wanted: &[String]) -> bool {
    if has(owner, "*") || has_all(owner, wanted) {
        return true;
    }
    wanted.iter().all(|path| has(owner, path) || path.split_once('/').is_some_and(|(_, sub)| has(owner, &format!("*/{sub}"))))
}

fn non_resource_urls_cover_all(owner: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|path| {
        owner.iter().any(|o| o == path || o.strip_suffix('*').is_some_and(|p| path.starts_with(p.trim_end_matches('*'))))
    })
}

/// `ruleCovers`: does one owner rule cover one broken-down piece?
fn rule_covers(owner: &PolicyRule, sub: &PolicyRule) -> bool {
    let verbs = has(&owner.verbs, "*") || has_all(&owner.verbs, &sub.verbs);
    let groups = has(list(&owner.api_groups), "*") || has_all(list(&owner.api_groups), list(&sub.api_groups));
    let resources = resource_covers_all(list(&owner.resources), list(&sub.resources));
    let urls = non_resource_urls_cover_all(list(&owner.non_resource_urls), list(&sub.non_resource_urls));
    let owner_names = list(&owner.resource_names);
    let names = if list(&sub.resource_names).is_empty() {
        owner_names.is_empty()
    } else {
        owner_names.is_empty() || has_all(owner_names, list(&sub.resource_names))
    };
    verbs && groups && resources && names && urls
}

/// `CompactRules` (registry version): merges the verbs of rules that name exactly one group and
/// one resource and nothing else. Merged rules keep first-seen order; the message sorts lines.
pub fn compact_rules(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut complex = Vec::new();
    let mut simple: Vec<((String, String), PolicyRule)> = Vec::new();
    for r in rules {
        let groups = list(&r.api_groups);
        let resources = list(&r.resources);
        let is_simple = groups.len() == 1 && resources.len() == 1 && list(&r.resource_names).is_empty() && list(&r.non_resource_urls).is_empty();
        if !is_simple {
            complex.push(r.clone());
            continue;
        }
        let key = (groups[0].clone(), resources[0].clone());
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.verbs.extend(r.verbs.iter().cloned()),
            None => simple.push((key, r.clone())),
        }
    }
    complex.extend(simple.into_iter().map(|(_, r)| r));
    complex
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::MemoryObjects;
    use serde_json::json;

    fn objects() -> MemoryObjects {
        MemoryObjects::new()
            .with("roles", json!({"metadata": {"name": "pod-reader", "namespace": "dev"}, "rules": [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
                {"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["*"]}]}))
            .with("rolebindings", json!({"metadata": {"name": "jane", "namespace": "dev"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
                "subjects": [{"kind": "User", "name": "jane"}]}))
    }

    #[test]
    fn held_permissions_may_be_granted() {
        let jane = UserInfo::user("jane", &[]);
        let rules = [json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}), json!({"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"]})];
        assert_eq!(check_escalation(&objects(), &jane, &rules, "dev"), Ok(()));
        // Not in another namespace.
        assert!(check_escalation(&objects(), &jane, &rules, "prod").is_err());
    }

    #[test]
    fn missing_permissions_are_listed_compacted_and_sorted() {
        let jane = UserInfo::user("jane", &[]);
        let rules = [json!({"apiGroups": [""], "resources": ["secrets", "pods"], "verbs": ["get", "list", "delete"]}),
            json!({"nonResourceURLs": ["/metrics"], "verbs": ["get"]})];
        assert_eq!(
            check_escalation(&objects(), &jane, &rules, "dev"),
            Err("user \"jane\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n\
                 {APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n\
                 {APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\" \"delete\"]}\n\
                 {NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}"
                .to_string())
        );
    }

    #[test]
    fn masters_and_resource_names() {
        let rules = [json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})];
        assert_eq!(check_escalation(&MemoryObjects::new(), &UserInfo::super_admin(), &rules, ""), Ok(()));
        let owner = breakdown_rule(&serde_json::from_value(json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]})).unwrap_or_default());
        let wanted_named: PolicyRule = serde_json::from_value(json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]})).unwrap_or_default();
        let wanted_all: PolicyRule = serde_json::from_value(json!({"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]})).unwrap_or_default();
        assert!(uncovered(&owner, &[wanted_named]).is_empty());
        assert_eq!(uncovered(&owner, &[wanted_all]).len(), 1);
    }
}
