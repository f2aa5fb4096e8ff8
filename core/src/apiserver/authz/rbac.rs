//! Rule matching: mirrors `pkg/apis/rbac/v1/evaluation_helpers.go` (`VerbMatches`,
//! `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`, `NonResourceURLMatches`,
//! `CompactString`) and `RuleAllows` in `plugin/pkg/auth/authorizer/rbac/rbac.go`.
//!
//! A rule allows a resource request when all four parts match:
//!
//! ```text
//! rule  {apiGroups: ["", "apps"], resources: ["pods", "*/scale"], verbs: ["get"], resourceNames: []}
//! GET /apis/apps/v1/namespaces/dev/deployments/web/scale
//!       group "apps" ✓   resource "deployments/scale" matches "*/scale" ✓   verb get ✓   any name ✓
//! ```
//!
//! There is no deny: rules only add.

use super::attributes::Attributes;
use super::messages::quote_list;
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::Value;

pub const VERB_ALL: &str = "*";
pub const API_GROUP_ALL: &str = "*";
pub const RESOURCE_ALL: &str = "*";
pub const NON_RESOURCE_ALL: &str = "*";

/// An optional list as a slice (absent and empty mean the same in RBAC).
pub fn list(v: &Option<Vec<String>>) -> &[String] {
    v.as_deref().unwrap_or(&[])
}

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == VERB_ALL || v == verb)
}

pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    list(&rule.api_groups).iter().any(|g| g == API_GROUP_ALL || g == group)
}

/// `combined` is `resource` or `resource/subresource`; `*/subresource` matches any resource's
/// subresource of that name, `*` matches everything.
pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    list(&rule.resources).iter().any(|r| {
        r == RESOURCE_ALL
            || r == combined
            || (!subresource.is_empty() && r.strip_prefix("*/").is_some_and(|s| s == subresource))
    })
}

/// An empty `resourceNames` allows every name; otherwise the request must carry one of them
/// (so `list`, `watch`, `create` and `deletecollection`, which carry no name, never match).
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    let names = list(&rule.resource_names);
    names.is_empty() || names.iter().any(|n| n == name)
}

/// `*`, the exact path, or a prefix ending in `*` (`/apis/*` matches `/apis/apps/v1`).
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    list(&rule.non_resource_urls).iter().any(|u| {
        u == NON_RESOURCE_ALL || u == path || u.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix.trim_end_matches('*')))
    })
}

/// `RuleAllows`.
pub fn rule_allows(attrs: &Attributes, rule: &PolicyRule) -> bool {
    if attrs.is_resource_request() {
        verb_matches(rule, &attrs.verb)
            && api_group_matches(rule, &attrs.api_group)
            && resource_matches(rule, &attrs.combined_resource(), &attrs.subresource)
            && resource_name_matches(rule, &attrs.name)
    } else {
        verb_matches(rule, &attrs.verb) && non_resource_url_matches(rule, &attrs.path)
    }
}

/// `RulesAllow`.
pub fn rules_allow(attrs: &Attributes, rules: &[PolicyRule]) -> bool {
    rules.iter().any(|r| rule_allows(attrs, r))
}

/// `CompactString`: the rule as escalation errors print it, Go `%q` lists with spaces:
/// `{APIGroups:[""], Resources:["pods" "secrets"], Verbs:["get"]}`.
pub fn compact_string(rule: &PolicyRule) -> String {
    let mut parts = Vec::new();
    for (label, values) in [
        ("APIGroups", list(&rule.api_groups)),
        ("Resources", list(&rule.resources)),
        ("NonResourceURLs", list(&rule.non_resource_urls)),
        ("ResourceNames", list(&rule.resource_names)),
        ("Verbs", rule.verbs.as_slice()),
    ] {
        if !values.is_empty() {
            parts.push(format!("{label}:{}", quote_list(values)));
        }
    }
    format!("{{{}}}", parts.join(", "))
}

/// The `rules` of a Role or ClusterRole object; malformed rules are skipped (the API server's
/// validation keeps them out of the store).
pub fn rules_of(object: &Value) -> Vec<PolicyRule> {
    match object.get("rules").and_then(Value::as_array) {
        Some(rules) => rules.iter().filter_map(|r| serde_json::from_value(r.clone()).ok()).collect(),
        None => Vec::new(),
    }
}

/// A rule as Kubernetes JSON (`{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}`).
pub fn rule_json(rule: &PolicyRule) -> Value {
    serde_json::to_value(rule).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str], urls: &[&str]) -> PolicyRule {
        let opt = |v: &[&str]| (!v.is_empty()).then(|| v.iter().map(|s| s.to_string()).collect());
        PolicyRule {
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            api_groups: opt(groups),
            resources: opt(resources),
            resource_names: opt(names),
            non_resource_urls: opt(urls),
        }
    }

    #[test]
    fn resources_and_subresources() {
        let r = rule(&["get"], &[""], &["pods", "*/scale"], &[], &[]);
        assert!(resource_matches(&r, "pods", ""));
        assert!(!resource_matches(&r, "pods/log", "log"));
        assert!(resource_matches(&r, "deployments/scale", "scale"));
        assert!(!resource_matches(&r, "scale", ""));
        let all = rule(&["*"], &["*"], &["*"], &[], &[]);
        assert!(resource_matches(&all, "pods/log", "log") && api_group_matches(&all, "apps") && verb_matches(&all, "escalate"));
    }

    #[test]
    fn names_and_urls() {
        let r = rule(&["get"], &[""], &["configmaps"], &["a"], &[]);
        assert!(resource_name_matches(&r, "a"));
        assert!(!resource_name_matches(&r, ""));
        let u = rule(&["get"], &[], &[], &[], &["/apis/*", "/healthz"]);
        assert!(non_resource_url_matches(&u, "/apis/apps/v1"));
        assert!(non_resource_url_matches(&u, "/apis/"));
        assert!(non_resource_url_matches(&u, "/healthz"));
        assert!(!non_resource_url_matches(&u, "/healthz/etcd"));
        assert!(!non_resource_url_matches(&u, "/api"));
    }

    #[test]
    fn compact_string_is_go_quoted() {
        let r = rule(&["get", "list"], &[""], &["pods", "secrets"], &[], &[]);
        assert_eq!(compact_string(&r), r#"{APIGroups:[""], Resources:["pods" "secrets"], Verbs:["get" "list"]}"#);
        let u = rule(&["get"], &[], &[], &[], &["/metrics"]);
        assert_eq!(compact_string(&u), r#"{NonResourceURLs:["/metrics"], Verbs:["get"]}"#);
    }
}
