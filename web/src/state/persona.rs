//! Who the page sends requests as. The admin is kubeadm's `kubernetes-admin`; the others are
//! impersonated with kubectl's own `--as`, so the terminal shows exactly the command a learner
//! would type against a real cluster, and RBAC decides as it would there. Each persona's rights
//! come from an ordinary binding that the page creates (as the admin, in the trace) the first
//! time the persona is chosen.

/// A user the learner can act as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Persona {
    /// Stable id for storage and the DOM.
    pub id: &'static str,
    /// The `--as` user, or empty for the admin.
    pub user: &'static str,
    /// English and Korean descriptions.
    pub about: (&'static str, &'static str),
    /// The etcd key of the binding that gives the persona its rights, and the commands that create
    /// it, run once as the admin.
    pub grant: Option<(&'static str, &'static [&'static str])>,
}

pub const PERSONAS: &[Persona] = &[
    Persona {
        id: "admin",
        user: "",
        about: ("kubernetes-admin (cluster-admin, as kubeadm's admin.conf)", "kubernetes-admin (kubeadm admin.conf의 cluster-admin)"),
        grant: None,
    },
    Persona {
        id: "developer",
        user: "dev",
        about: ("dev: may edit only in namespace dev (add -n dev)", "dev: dev 네임스페이스에서만 편집 가능 (-n dev 추가)"),
        grant: Some((
            "/registry/rolebindings/dev/dev-edit",
            &["kubectl create namespace dev", "kubectl create rolebinding dev-edit --clusterrole=edit --user=dev --namespace=dev"],
        )),
    },
    Persona {
        id: "viewer",
        user: "viewer",
        about: ("viewer: may read everything but Secrets, change nothing", "viewer: Secret을 뺀 모든 것을 읽기만 가능"),
        grant: Some(("/registry/clusterrolebindings/viewer-view", &["kubectl create clusterrolebinding viewer-view --clusterrole=view --user=viewer"])),
    },
    Persona {
        id: "serviceaccount",
        user: "system:serviceaccount:default:default",
        about: ("the default service account of namespace default (no rights beyond discovery)", "default 네임스페이스의 기본 서비스 어카운트 (디스커버리 외 권한 없음)"),
        grant: None,
    },
];

pub fn persona(id: &str) -> &'static Persona {
    PERSONAS.iter().find(|p| p.id == id).unwrap_or(&PERSONAS[0])
}

/// The command line as this persona sends it: kubectl commands get `--as`, others are unchanged.
pub fn as_persona(p: &Persona, line: &str) -> String {
    let line = line.trim();
    let is_kubectl = line == "kubectl" || line.starts_with("kubectl ");
    if p.user.is_empty() || !is_kubectl || line.split_whitespace().any(|w| w == "--as" || w.starts_with("--as=")) {
        return line.to_string();
    }
    format!("{line} --as={}", p.user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kubectl_commands_are_impersonated() {
        let viewer = persona("viewer");
        assert_eq!(as_persona(viewer, "kubectl get pods"), "kubectl get pods --as=viewer");
        assert_eq!(as_persona(viewer, "etcdctl get /registry --prefix"), "etcdctl get /registry --prefix");
        assert_eq!(as_persona(viewer, "kubectl get pods --as=jane"), "kubectl get pods --as=jane");
        assert_eq!(as_persona(persona("admin"), "kubectl get pods"), "kubectl get pods");
        assert_eq!(persona("nobody").id, "admin");
    }
}
