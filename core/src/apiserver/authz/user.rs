//! Who is asking: authentication's output, mirroring `k8s.io/apiserver/pkg/authentication/user`
//! (`user.Info`, the `system:*` names in `user.go`) and the service-account naming in
//! `authentication/serviceaccount/util.go`.

use serde::Serialize;

/// The group every authenticated request carries (`user.AllAuthenticated`).
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
/// The group of requests no authenticator accepted (`user.AllUnauthenticated`).
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// The superuser group: kube-apiserver allows it everything before any authorizer runs.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// The group of kubelet client certificates (`user.NodesGroup`).
pub const NODES_GROUP: &str = "system:nodes";
/// `serviceaccount.AllServiceAccountsGroup`.
pub const ALL_SERVICE_ACCOUNTS: &str = "system:serviceaccounts";
/// The group kubeadm (1.29+) puts its `admin.conf` identity in, bound to `cluster-admin`.
pub const KUBEADM_CLUSTER_ADMINS: &str = "kubeadm:cluster-admins";

const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";
const SERVICE_ACCOUNT_GROUP_PREFIX: &str = "system:serviceaccounts:";
const NODE_PREFIX: &str = "system:node:";

/// Who is asking (authentication's output), as `user.DefaultInfo` without `extra`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The identity in kubeadm's `admin.conf`, as `kubectl auth whoami` shows it on a kubeadm
    /// 1.29+ cluster: `kubernetes-admin` in groups `[kubeadm:cluster-admins system:authenticated]`.
    /// Since 1.29 kubeadm no longer puts this user in `system:masters`; its power comes from the
    /// ClusterRoleBinding `kubeadm:cluster-admins` to `cluster-admin`, so RBAC (and the learner)
    /// can see which binding allowed a request. The break-glass `system:masters` identity lives
    /// in `super-admin.conf`: see [`UserInfo::super_admin`].
    pub fn admin() -> Self {
        Self::named("kubernetes-admin", &[KUBEADM_CLUSTER_ADMINS, ALL_AUTHENTICATED])
    }

    /// kubeadm's `super-admin.conf` identity: `kubernetes-super-admin` in `system:masters`,
    /// which bypasses RBAC entirely.
    pub fn super_admin() -> Self {
        Self::named("kubernetes-super-admin", &[SYSTEM_MASTERS, ALL_AUTHENTICATED])
    }

    /// A service account's token identity: `system:serviceaccount:<ns>:<name>` in
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        let ns_group = format!("{SERVICE_ACCOUNT_GROUP_PREFIX}{namespace}");
        Self::named(
            &service_account_username(namespace, name),
            &[ALL_SERVICE_ACCOUNTS, &ns_group, ALL_AUTHENTICATED],
        )
    }

    /// A kubelet's client-certificate identity: `system:node:<name>` in `system:nodes`.
    pub fn node(name: &str) -> Self {
        Self::named(&format!("{NODE_PREFIX}{name}"), &[NODES_GROUP, ALL_AUTHENTICATED])
    }

    /// kube-scheduler's certificate identity (`user.KubeScheduler`), as kubeadm writes
    /// `scheduler.conf`.
    pub fn kube_scheduler() -> Self {
        Self::named("system:kube-scheduler", &[ALL_AUTHENTICATED])
    }

    /// kube-controller-manager's certificate identity (`user.KubeControllerManager`), as kubeadm
    /// writes `controller-manager.conf`. With `--use-service-account-credentials` (kubeadm's
    /// default) each controller then acts as `system:serviceaccount:kube-system:<controller>`.
    pub fn kube_controller_manager() -> Self {
        Self::named("system:kube-controller-manager", &[ALL_AUTHENTICATED])
    }

    /// Any other authenticated user; `system:authenticated` is added as the authenticator does.
    pub fn user(name: &str, groups: &[&str]) -> Self {
        let mut u = Self::named(name, groups);
        if !u.in_group(ALL_AUTHENTICATED) {
            u.groups.push(ALL_AUTHENTICATED.to_string());
        }
        u
    }

    /// A request without credentials when anonymous auth is on (kubeadm's default).
    pub fn anonymous() -> Self {
        Self::named("system:anonymous", &[ALL_UNAUTHENTICATED])
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// `nodeidentifier.NodeIdentity`: `Some(node name)` for a `system:node:*` user in
    /// `system:nodes` (the name may be empty), `None` for everyone else.
    pub fn node_identity(&self) -> Option<&str> {
        let name = self.name.strip_prefix(NODE_PREFIX)?;
        self.in_group(NODES_GROUP).then_some(name)
    }

    fn named(name: &str, groups: &[&str]) -> Self {
        Self { name: name.to_string(), uid: String::new(), groups: groups.iter().map(|g| g.to_string()).collect() }
    }
}

/// `serviceaccount.MakeUsername`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_match_kube_apiserver_and_kubeadm() {
        let sa = UserInfo::service_account("dev", "default");
        assert_eq!(sa.name, "system:serviceaccount:dev:default");
        assert_eq!(sa.groups, ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"]);
        assert_eq!(UserInfo::admin().groups, ["kubeadm:cluster-admins", "system:authenticated"]);
        assert!(UserInfo::super_admin().in_group("system:masters"));
        assert_eq!(UserInfo::anonymous().groups, ["system:unauthenticated"]);
        assert_eq!(UserInfo::user("jane", &[]).groups, ["system:authenticated"]);
        assert_eq!(UserInfo::user("jane", &["dev", "system:authenticated"]).groups, ["dev", "system:authenticated"]);
    }

    #[test]
    fn node_identity_needs_name_prefix_and_group() {
        assert_eq!(UserInfo::node("n1").node_identity(), Some("n1"));
        assert_eq!(UserInfo::user("system:node:n1", &[]).node_identity(), None);
        assert_eq!(UserInfo::user("system:node:", &["system:nodes"]).node_identity(), Some(""));
        assert_eq!(UserInfo::kube_scheduler().node_identity(), None);
    }
}
