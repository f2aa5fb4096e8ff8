//! kubectl's `RoleDescriber`/`ClusterRoleDescriber` and `RoleBindingDescriber`/
//! `ClusterRoleBindingDescriber`. A role's rules are first broken down into one verb, one
//! resource and one resource name each (`rbac.BreakdownRule`), then the single-resource ones are
//! merged back per group/resource/name with their verbs concatenated (`rbac.CompactRules`), and the
//! result is sorted by the rule's generated `String()` (`rbac.SortableRuleSlice`), which starts
//! with the verbs:
//!
//! ```text
//! PolicyRule:
//!   Resources         Non-Resource URLs  Resource Names  Verbs
//!   ---------         -----------------  --------------  -----
//!   pods              []                 []              [get list watch]
//!   deployments.apps  []                 []              [get]
//! ```
//!
//! Neither describer lists events.

use super::fields::{annotations_multiline, arr, labels_multiline, s};
use super::tabwriter::PrefixWriter;
use serde_json::Value;

/// An `rbacv1.PolicyRule`, its lists as strings.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rule {
    verbs: Vec<String>,
    api_groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    non_resource_urls: Vec<String>,
}

impl Rule {
    fn from_json(rule: &Value) -> Rule {
        let list = |field: &str| arr(rule, &[field]).iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
        Rule {
            verbs: list("verbs"),
            api_groups: list("apiGroups"),
            resources: list("resources"),
            resource_names: list("resourceNames"),
            non_resource_urls: list("nonResourceURLs"),
        }
    }

    /// `(*PolicyRule).String()` from the generated protobuf code: the sort key.
    fn go_string(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&self.verbs),
            go_list(&self.api_groups),
            go_list(&self.resources),
            go_list(&self.resource_names),
            go_list(&self.non_resource_urls)
        )
    }
}

/// `%v` of a `[]string`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// `rbac.BreakdownRule`: one rule per group, resource, verb (and resource name), then one per
/// non-resource URL and verb.
fn breakdown(rule: &Rule) -> Vec<Rule> {
    let one = |x: &String| vec![x.clone()];
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let base = Rule { api_groups: one(group), resources: one(resource), verbs: one(verb), ..Rule::default() };
                if rule.resource_names.is_empty() {
                    out.push(base);
                } else {
                    out.extend(rule.resource_names.iter().map(|name| Rule { resource_names: one(name), ..base.clone() }));
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(Rule { non_resource_urls: one(url), verbs: one(verb), ..Rule::default() });
        }
    }
    out
}

/// `simpleResource`: the group, resource and resource name (if any) of a simple rule.
type SimpleResource = (String, String, Option<String>);

/// `rbac.CompactRules`: rules naming one group, one resource and at most one resource name (and
/// nothing else) merge into one rule per group/resource/name, their verbs appended in order.
fn compact(rules: Vec<Rule>) -> Vec<Rule> {
    let mut compacted = Vec::new();
    let mut simple: Vec<(SimpleResource, Rule)> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.len() <= 1 && rule.non_resource_urls.is_empty() && rule.api_groups.len() == 1 && rule.resources.len() == 1;
        if !is_simple {
            compacted.push(rule);
            continue;
        }
        let key = (rule.api_groups[0].clone(), rule.resources[0].clone(), rule.resource_names.first().cloned());
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.verbs.extend(rule.verbs),
            None => simple.push((key, rule)),
        }
    }
    compacted.extend(simple.into_iter().map(|(_, r)| r));
    compacted
}

/// The rules as the describers list them: broken down, compacted, sorted (stably).
fn policy_rules(role: &Value) -> Vec<Rule> {
    let broken: Vec<Rule> = arr(role, &["rules"]).iter().flat_map(|r| breakdown(&Rule::from_json(r))).collect();
    let mut rules = compact(broken);
    rules.sort_by_cached_key(Rule::go_string);
    rules
}

/// `CombineResourceGroup`: `resource.group/subresource` of the first resource and group.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else { return String::new() };
    let (resource, sub) = match first.split_once('/') {
        Some((r, sub)) => (r, Some(sub)),
        None => (first.as_str(), None),
    };
    let mut combined = resource.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        combined = format!("{combined}.{g}");
    }
    if let Some(sub) = sub {
        combined = format!("{combined}/{sub}");
    }
    combined
}

/// Roles and ClusterRoles: the same layout (no namespace line).
pub(super) fn role(w: &mut PrefixWriter, role: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(role, &["metadata", "name"])));
    labels_multiline(w, "", "Labels", &role["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &role["metadata"]["annotations"]);
    w.write(0, "PolicyRule:\n");
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    w.write(1, "---------\t-----------------\t--------------\t-----\n");
    for r in policy_rules(role) {
        let resources = combine_resource_group(&r.resources, &r.api_groups);
        w.write(1, &format!("{resources}\t{}\t{}\t{}\n", go_list(&r.non_resource_urls), go_list(&r.resource_names), go_list(&r.verbs)));
    }
}

/// RoleBindings and ClusterRoleBindings: the role referred to and the subjects.
pub(super) fn role_binding(w: &mut PrefixWriter, binding: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(binding, &["metadata", "name"])));
    labels_multiline(w, "", "Labels", &binding["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &binding["metadata"]["annotations"]);
    w.write(0, "Role:\n");
    w.write(1, &format!("Kind:\t{}\n", s(binding, &["roleRef", "kind"])));
    w.write(1, &format!("Name:\t{}\n", s(binding, &["roleRef", "name"])));
    w.write(0, "Subjects:\n");
    w.write(1, "Kind\tName\tNamespace\n");
    w.write(1, "----\t----\t---------\n");
    for subject in arr(binding, &["subjects"]) {
        w.write(1, &format!("{}\t{}\t{}\n", s(subject, &["kind"]), s(subject, &["name"]), s(subject, &["namespace"])));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use super::super::tests::text;

    #[test]
    fn role_rules_are_broken_down_compacted_and_sorted_by_their_string() {
        let r = json!({
            "metadata": {"name": "pod-reader", "namespace": "default"},
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web", "api"], "verbs": ["update"]},
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["watch", "get"]},
                {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["patch"]},
                {"nonResourceURLs": ["/healthz", "/api/*"], "verbs": ["get"]}
            ]
        });
        // Sorted on "&PolicyRule{Verbs:[...],APIGroups:...": `[get list watch get]` sorts before
        // `[get list]` (a space before `]`), which sorts before `[get]`.
        let expected = [
            "Name:         pod-reader\n",
            "Labels:       <none>\n",
            "Annotations:  <none>\n",
            "PolicyRule:\n",
            "  Resources               Non-Resource URLs  Resource Names  Verbs\n",
            "  ---------               -----------------  --------------  -----\n",
            "  pods                    []                 []              [get list watch get]\n",
            "  pods/log                []                 []              [get list]\n",
            "                          [/api/*]           []              [get]\n",
            "                          [/healthz]         []              [get]\n",
            "  deployments.apps/scale  []                 []              [patch]\n",
            "  deployments.apps        []                 [api]           [update]\n",
            "  deployments.apps        []                 [web]           [update]\n",
        ];
        assert_eq!(text(role, &r), expected.concat());
    }

    #[test]
    fn combine_resource_group_puts_the_group_before_the_subresource() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(combine_resource_group(&v(&["deployments/scale"]), &v(&["apps"])), "deployments.apps/scale");
        assert_eq!(combine_resource_group(&v(&["pods"]), &v(&[""])), "pods");
        assert_eq!(combine_resource_group(&v(&["*"]), &v(&["*"])), "*.*");
        assert_eq!(combine_resource_group(&[], &v(&["apps"])), "");
    }

    #[test]
    fn binding_lists_role_and_subjects() {
        let b = json!({
            "metadata": {"name": "read-pods", "namespace": "default", "labels": {"team": "a"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
            "subjects": [
                {"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "ServiceAccount", "name": "default", "namespace": "dev"}
            ]
        });
        assert_eq!(
            text(role_binding, &b),
            "Name:         read-pods\n\
             Labels:       team=a\n\
             Annotations:  <none>\n\
             Role:\n  \
               Kind:  Role\n  \
               Name:  pod-reader\n\
             Subjects:\n  \
               Kind            Name     Namespace\n  \
               ----            ----     ---------\n  \
               User            jane     \n  \
               ServiceAccount  default  dev\n"
        );
    }
}
