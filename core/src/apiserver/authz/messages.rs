//! The texts a learner sees when authorization says no: mirrors `forbiddenMessage` and
//! `ForbiddenStatusError` in `k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go`
//! wrapped by apimachinery's `NewForbidden`, plus Go's `%q` formatting they rely on.
//!
//! ```text
//! pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "prod"
//! pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "dev"
//! nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope
//! forbidden: User "system:anonymous" cannot get path "/metrics"
//! pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "dev": RBAC: clusterrole.rbac.authorization.k8s.io "foo" not found
//! ```

use super::attributes::Attributes;
use super::evaluator::Decision;

/// The 403 message body (`metav1.Status.message`) for a denied request: `NewForbidden` around
/// `forbiddenMessage`, with the authorizers' reason appended after `: ` when there is one.
pub fn forbidden_message(attrs: &Attributes, decision: &Decision) -> String {
    let msg = sanitize(&denial_text(attrs));
    let err = if decision.reason.is_empty() { msg } else { format!("{msg}: {}", decision.reason) };
    // NewForbidden uses the GroupResource (never the subresource) and the name.
    let mut resource = attrs.resource.clone();
    if !attrs.api_group.is_empty() && !resource.is_empty() {
        resource = format!("{resource}.{}", attrs.api_group);
    }
    if attrs.resource.is_empty() && attrs.api_group.is_empty() {
        format!("forbidden: {err}")
    } else if attrs.name.is_empty() {
        format!("{resource} is forbidden: {err}")
    } else {
        format!("{resource} {} is forbidden: {err}", quote(&attrs.name))
    }
}

/// `forbiddenMessage`: `User "x" cannot <verb> ...` without the `<resource> is forbidden:` head.
pub fn denial_text(attrs: &Attributes) -> String {
    let user = quote(&attrs.user.name);
    if !attrs.is_resource_request() {
        return format!("User {user} cannot {} path {}", attrs.verb, quote(&attrs.path));
    }
    let resource = quote(&attrs.combined_resource());
    let group = quote(&attrs.api_group);
    if attrs.namespace.is_empty() {
        format!("User {user} cannot {} resource {resource} in API group {group} at the cluster scope", attrs.verb)
    } else {
        format!("User {user} cannot {} resource {resource} in API group {group} in the namespace {}", attrs.verb, quote(&attrs.namespace))
    }
}

/// errors.go's `sanitizer`: keep the message from looking like HTML.
fn sanitize(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Go's `strconv.Quote` (`%q` of a string) for the characters names and paths can hold.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
pub fn quote_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%v` of a `[]string`: `[a b]` (kubectl's `auth can-i --list` columns).
pub fn plain_list(values: &[String]) -> String {
    format!("[{}]", values.join(" "))
}

#[cfg(test)]
mod tests {
    use super::super::user::UserInfo;
    use super::*;

    fn denied(reason: &str) -> Decision {
        Decision { reason: reason.to_string(), ..Decision::default() }
    }

    #[test]
    fn every_form() {
        let jane = UserInfo::user("jane", &[]);
        let list = Attributes::resource(jane.clone(), "list", "", "pods", "default", "");
        assert_eq!(
            forbidden_message(&list, &denied("")),
            r#"pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default""#
        );
        let sa = UserInfo::service_account("ns", "sa");
        let get = Attributes::resource(sa, "get", "apps", "deployments", "ns", "web");
        assert_eq!(
            forbidden_message(&get, &denied("")),
            r#"deployments.apps "web" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "deployments" in API group "apps" in the namespace "ns""#
        );
        let nodes = Attributes::resource(jane.clone(), "list", "", "nodes", "", "");
        assert_eq!(
            forbidden_message(&nodes, &denied("")),
            r#"nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope"#
        );
        let log = Attributes::resource(jane.clone(), "get", "", "pods", "dev", "web").with_subresource("log");
        assert_eq!(
            forbidden_message(&log, &denied("")),
            r#"pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "dev""#
        );
        let metrics = Attributes::non_resource(UserInfo::user("x", &[]), "get", "/metrics");
        assert_eq!(forbidden_message(&metrics, &denied("")), r#"forbidden: User "x" cannot get path "/metrics""#);
        assert_eq!(
            forbidden_message(&list, &denied(r#"RBAC: clusterrole.rbac.authorization.k8s.io "foo" not found"#)),
            r#"pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "foo" not found"#
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote_list(&["".to_string(), "apps".to_string()]), r#"["" "apps"]"#);
        let html = Attributes::non_resource(UserInfo::user("<b>", &[]), "get", "/x&y");
        assert_eq!(forbidden_message(&html, &denied("")), r#"forbidden: User "&lt;b&gt;" cannot get path "/x&amp;y""#);
    }
}
