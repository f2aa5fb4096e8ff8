//! RBAC defaults: mirrors `pkg/apis/rbac/v1/defaults.go` (`SetDefaults_ClusterRoleBinding`,
//! `SetDefaults_RoleBinding`, `SetDefaults_Subject`). Roles and ClusterRoles have none.

use super::fields::{child, default_if_empty, each, str_of, Object};

/// `rbacv1.GroupName`.
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// RoleBinding and ClusterRoleBinding alike.
pub(super) fn default_binding(binding: &mut Object) {
    if let Some(role_ref) = child(binding, "roleRef") {
        default_if_empty(role_ref, "apiGroup", RBAC_GROUP);
    }
    for subject in each(binding, "subjects") {
        // A ServiceAccount is in the core group (""), which is also the zero value: nothing to do.
        if matches!(str_of(subject, "kind"), "User" | "Group") {
            default_if_empty(subject, "apiGroup", RBAC_GROUP);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn role_ref_and_subject_groups() {
        let mut v = json!({"roleRef": {"kind": "Role", "name": "pod-reader"},
            "subjects": [{"kind": "User", "name": "jane"}, {"kind": "ServiceAccount", "name": "default", "namespace": "x"},
                         {"kind": "Group", "name": "g", "apiGroup": "other"}]});
        if let Some(o) = v.as_object_mut() {
            default_binding(o);
        }
        assert_eq!(
            v,
            json!({"roleRef": {"kind": "Role", "name": "pod-reader", "apiGroup": "rbac.authorization.k8s.io"},
                   "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
                                {"kind": "ServiceAccount", "name": "default", "namespace": "x"},
                                {"kind": "Group", "name": "g", "apiGroup": "other"}]})
        );
    }
}
