//! What is being asked: mirrors `k8s.io/apiserver/pkg/authorization/authorizer.Attributes` as
//! `WithRequestInfo` fills it from the URL (verb, API group, resource, subresource, namespace,
//! name, or a non-resource path).

use super::user::UserInfo;
use serde::Serialize;

/// What is being asked (`authorizer.AttributesRecord`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Attributes {
    pub user: UserInfo,
    /// `get list watch create update patch delete deletecollection` or a special verb
    /// (`bind`, `escalate`, `impersonate`, ...).
    pub verb: String,
    /// `""` for the core group.
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    /// Empty for cluster-scoped resources and for non-resource requests.
    pub namespace: String,
    /// Empty for list, watch, create and deletecollection (the name is not in the URL).
    pub name: String,
    /// The URL path of a non-resource request (`/healthz`); empty for resource requests.
    pub path: String,
    /// The request's `fieldSelector` query (`spec.nodeName=node-1`), which the Node authorizer
    /// reads (kube-apiserver's `GetFieldSelector`, feature AuthorizeNodeWithSelectors). Empty
    /// when none; only `key=value` / `key==value` terms joined by `,` are understood.
    pub field_selector: String,
}

impl Attributes {
    /// A resource request; `namespace` empty for cluster scope, `name` empty for collections.
    pub fn resource(user: UserInfo, verb: &str, api_group: &str, resource: &str, namespace: &str, name: &str) -> Self {
        Self {
            user,
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            ..Self::default()
        }
    }

    /// A non-resource request such as `GET /healthz`.
    pub fn non_resource(user: UserInfo, verb: &str, path: &str) -> Self {
        Self { user, verb: verb.to_string(), path: path.to_string(), ..Self::default() }
    }

    /// The same request on a subresource (`pods/log`, `deployments/scale`).
    pub fn with_subresource(mut self, subresource: &str) -> Self {
        self.subresource = subresource.to_string();
        self
    }

    pub fn with_field_selector(mut self, selector: &str) -> Self {
        self.field_selector = selector.to_string();
        self
    }

    /// `IsResourceRequest`: everything except a non-resource path.
    pub fn is_resource_request(&self) -> bool {
        self.path.is_empty()
    }

    /// `resource` or `resource/subresource`, as rules name it.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The value an equality term of the field selector requires of `field`, if any.
    pub fn field_selector_equals(&self, field: &str) -> Option<&str> {
        self.field_selector.split(',').find_map(|term| {
            let (key, value) = term.split_once("==").or_else(|| term.split_once('='))?;
            (key.trim() == field && !key.ends_with('!')).then_some(value.trim())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_and_non_resource_requests() {
        let a = Attributes::resource(UserInfo::user("jane", &[]), "get", "", "pods", "dev", "web").with_subresource("log");
        assert!(a.is_resource_request());
        assert_eq!(a.combined_resource(), "pods/log");
        let h = Attributes::non_resource(UserInfo::anonymous(), "get", "/healthz");
        assert!(!h.is_resource_request());
    }

    #[test]
    fn field_selector_terms() {
        let a = Attributes::default().with_field_selector("status.phase!=Failed,spec.nodeName=n1");
        assert_eq!(a.field_selector_equals("spec.nodeName"), Some("n1"));
        assert_eq!(a.field_selector_equals("status.phase"), None);
        let b = Attributes::default().with_field_selector("spec.nodeName==n2");
        assert_eq!(b.field_selector_equals("spec.nodeName"), Some("n2"));
    }
}
