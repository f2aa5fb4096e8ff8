//! `kubectl auth can-i --list`: mirrors the SelfSubjectRulesReview the server answers (the
//! union `RulesFor` of the Node and RBAC authorizers, `RBACAuthorizer.RulesFor` splitting
//! resource and non-resource rules) and kubectl's `printStatus` in
//! `staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go`: break every rule down, compact rules that
//! differ only by verb (`kubectl/pkg/util/rbac.CompactRules`), sort by the generated
//! `PolicyRule.String()` (verbs first), and print four columns with a tabwriter.
//!
//! For a user with only the default bindings:
//!
//! ```text
//! Resources                                       Non-Resource URLs   Resource Names   Verbs
//! selfsubjectreviews.authentication.k8s.io        []                  []               [create]
//! selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
//! selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
//!                                                 [/api/*]            []               [get]
//! ```
//!
//! Non-resource rules are not compacted, so a URL granted by two roles appears twice.

use super::messages::plain_list;
use super::rbac::list;
use super::resolver::{aggregate, rules_for as resolve_rules};
use super::user::UserInfo;
use crate::apiserver::Objects;
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde::Serialize;

/// One printed line of `kubectl auth can-i --list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CanIRow {
    /// `resource[.group][/subresource]`, empty for non-resource rows.
    pub resources: String,
    pub non_resource_urls: Vec<String>,
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
}

/// The SelfSubjectRulesReview status: rules plus whether the list is complete.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RulesReview {
    pub resource_rules: Vec<PolicyRule>,
    pub non_resource_rules: Vec<PolicyRule>,
    /// Nodes: the Node authorizer cannot enumerate its permissions.
    pub incomplete: bool,
    pub evaluation_error: String,
}

/// The SelfSubjectRulesReview kube-apiserver returns for `user` in `namespace`.
pub fn rules_review(objects: &dyn Objects, user: &UserInfo, namespace: &str) -> RulesReview {
    let mut review = RulesReview::default();
    let mut errors = Vec::new();
    if user.node_identity().is_some() {
        review.incomplete = true;
        errors.push("node authorizer does not support user rule resolution".to_string());
    }
    let (rules, rbac_errors) = resolve_rules(objects, user, namespace);
    errors.extend(rbac_errors);
    for r in rules {
        if !list(&r.resources).is_empty() {
            review.resource_rules.push(PolicyRule { non_resource_urls: None, ..r.clone() });
        }
        if !list(&r.non_resource_urls).is_empty() {
            review.non_resource_rules.push(PolicyRule { verbs: r.verbs.clone(), non_resource_urls: r.non_resource_urls.clone(), ..PolicyRule::default() });
        }
    }
    review.evaluation_error = aggregate(&errors);
    review
}

/// `kubectl auth can-i --list -n <namespace>` as `user`: the rows in printed order.
pub fn rules_for(objects: &dyn Objects, user: &UserInfo, namespace: &str) -> Vec<CanIRow> {
    let review = rules_review(objects, user, namespace);
    let mut broken = Vec::new();
    for r in review.resource_rules.iter().chain(&review.non_resource_rules) {
        broken.extend(super::escalation::breakdown_rule(r));
    }
    let mut compacted = compact(&broken);
    // sort.Stable on the generated PolicyRule.String().
    compacted.sort_by_cached_key(go_string);
    compacted.iter().map(row).collect()
}

/// The whole printout, header included, as kubectl's tabwriter lays it out (minimum cell
/// width 10, padding 3), with the warning kubectl writes to stderr for incomplete lists first.
pub fn render_can_i_list(objects: &dyn Objects, user: &UserInfo, namespace: &str) -> String {
    let review = rules_review(objects, user, namespace);
    let mut out = String::new();
    if review.incomplete {
        out.push_str(&format!("warning: the list may be incomplete: {}\n", review.evaluation_error));
    }
    let mut lines = vec![["Resources".to_string(), "Non-Resource URLs".into(), "Resource Names".into(), "Verbs".into()]];
    for r in rules_for(objects, user, namespace) {
        lines.push([r.resources, plain_list(&r.non_resource_urls), plain_list(&r.resource_names), plain_list(&r.verbs)]);
    }
    let widths: Vec<usize> = (0..3).map(|c| lines.iter().map(|l| l[c].chars().count() + 3).max().unwrap_or(0).max(10)).collect();
    for l in &lines {
        for (c, width) in widths.iter().enumerate() {
            out.push_str(&format!("{:<width$}", l[c], width = width));
        }
        out.push_str(&l[3]);
        out.push('\n');
    }
    out
}

/// `kubectl/pkg/util/rbac.CompactRules`: rules with one group, one resource and at most one
/// name merge their verbs (without repeats), keyed by (group, resource, name).
fn compact(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    /// kubectl's `simpleResource`: group, resource and the one name, if any.
    type SimpleKey = (String, String, Option<String>);
    let mut complex = Vec::new();
    let mut simple: Vec<(SimpleKey, PolicyRule)> = Vec::new();
    for r in rules {
        let (groups, resources, names) = (list(&r.api_groups), list(&r.resources), list(&r.resource_names));
        if names.len() > 1 || !list(&r.non_resource_urls).is_empty() || groups.len() != 1 || resources.len() != 1 {
            complex.push(r.clone());
            continue;
        }
        let key = (groups[0].clone(), resources[0].clone(), names.first().cloned());
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => {
                for v in &r.verbs {
                    if !existing.verbs.contains(v) {
                        existing.verbs.push(v.clone());
                    }
                }
            }
            None => simple.push((key, r.clone())),
        }
    }
    complex.extend(simple.into_iter().map(|(_, r)| r));
    complex
}

/// The generated `(*PolicyRule).String()`: `&PolicyRule{Verbs:[get],APIGroups:[],...}`.
fn go_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        plain_list(&r.verbs),
        plain_list(list(&r.api_groups)),
        plain_list(list(&r.resources)),
        plain_list(list(&r.resource_names)),
        plain_list(list(&r.non_resource_urls))
    )
}

/// `CombineResourceGroup` and the three list columns.
fn row(r: &PolicyRule) -> CanIRow {
    let resources = match (list(&r.resources).first(), list(&r.api_groups).first()) {
        (Some(res), group) => {
            let (base, sub) = match res.split_once('/') {
                Some((b, s)) => (b, Some(s)),
                None => (res.as_str(), None),
            };
            let mut s = base.to_string();
            if let Some(g) = group.filter(|g| !g.is_empty()) {
                s = format!("{s}.{g}");
            }
            if let Some(sub) = sub {
                s = format!("{s}/{sub}");
            }
            s
        }
        (None, _) => String::new(),
    };
    CanIRow {
        resources,
        non_resource_urls: list(&r.non_resource_urls).to_vec(),
        resource_names: list(&r.resource_names).to_vec(),
        verbs: r.verbs.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{bootstrap_policy, resource_of};
    use super::*;
    use crate::apiserver::MemoryObjects;

    fn cluster() -> MemoryObjects {
        let mut o = MemoryObjects::new();
        for obj in bootstrap_policy() {
            o.insert(resource_of(&obj), obj);
        }
        o
    }

    #[test]
    fn default_user_sees_basic_user_and_discovery() {
        let text = render_can_i_list(&cluster(), &UserInfo::user("jane", &[]), "default");
        let expected = "\
Resources                                       Non-Resource URLs   Resource Names   Verbs
selfsubjectreviews.authentication.k8s.io        []                  []               [create]
selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
                                                [/api/*]            []               [get]
                                                [/api]              []               [get]
                                                [/apis/*]           []               [get]
                                                [/apis]             []               [get]
                                                [/healthz]          []               [get]
                                                [/healthz]          []               [get]
                                                [/livez]            []               [get]
                                                [/livez]            []               [get]
                                                [/openapi/*]        []               [get]
                                                [/openapi]          []               [get]
                                                [/readyz]           []               [get]
                                                [/readyz]           []               [get]
                                                [/version/]         []               [get]
                                                [/version/]         []               [get]
                                                [/version]          []               [get]
                                                [/version]          []               [get]
";
        assert_eq!(text, expected);
    }

    #[test]
    fn nodes_get_a_warning_and_subresources_print_after_the_group() {
        let text = render_can_i_list(&cluster(), &UserInfo::node("n1"), "");
        assert!(text.starts_with("warning: the list may be incomplete: node authorizer does not support user rule resolution\n"));
        let rows = rules_for(&cluster(), &UserInfo::service_account("kube-system", "deployment-controller"), "");
        assert!(rows.iter().any(|r| r.resources == "deployments.apps/status" && r.verbs == ["update"]));
        assert!(rows.iter().any(|r| r.resources == "events.events.k8s.io" && r.verbs == ["create", "patch", "update"]));
    }
}
