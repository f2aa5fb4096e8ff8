//! The Node authorizer for kubelets (`system:node:<name>` in `system:nodes`): mirrors
//! `plugin/pkg/auth/authorizer/node/node_authorizer.go` with the AuthorizeNodeWithSelectors
//! behaviour (on by default since 1.32).
//!
//! Real kube-apiserver keeps a graph of pods, the objects they reference and the node they are
//! bound to, and asks "is there a path from this object to this node?". We answer the same
//! question by reading the stored pods each time (the same edges, no cache):
//!
//! ```text
//! node <- pod (spec.nodeName)        <- secret     (volumes, env, envFrom, imagePullSecrets)
//!                                    <- configmap  (volumes, projected sources, env, envFrom)
//!                                    <- pvc        (persistentVolumeClaim, ephemeral: <pod>-<volume>) <- pv (pvc.spec.volumeName)
//!                                    <- serviceaccount (spec.serviceAccountName, for tokens)
//!                                    <- resourceclaim  (spec.resourceClaims[].resourceClaimName)
//! node <- volumeattachment (spec.nodeName)
//! ```
//!
//! The subset: secrets/configmaps (get, list, watch of a named related object), PVCs (get, and
//! update/patch of `status`), PVs, resource claims and volume attachments (get of a related
//! object), service-account tokens (create `serviceaccounts/token` for a related SA), leases
//! (its own lease in `kube-node-lease`), CSINodes (its own), Nodes (read its own, create,
//! update, patch, status), Pods (get a bound pod; list/watch only with the
//! `spec.nodeName=<node>` field selector; create/delete mirror pods; status; eviction).
//! Everything else is checked against the static `system:node` rules. Not modelled: PV ->
//! secret edges (CSI/driver secrets), ResourceSlices (fall to the static rules, which lack
//! them), the graph's "unknown object" errors (reasons are the same text either way).

use super::attributes::Attributes;
use super::cluster_roles::node_rules;
use super::messages::quote;
use super::rbac::rules_allow;
use crate::apiserver::Objects;
use serde_json::Value;

/// The Node authorizer's answer (`authorizer.Decision` plus reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeDecision {
    /// Not a node identity: the authorizer says nothing and leaves no reason.
    NotANode,
    /// Allowed; the text says which check allowed it (for the UI only, the real reason is "").
    Allow(String),
    /// No opinion, with the reason kube-apiserver appends to the 403 (may be empty).
    NoOpinion(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Vertex {
    Pod,
    Secret,
    ConfigMap,
    Pvc,
    Pv,
    ServiceAccount,
    ResourceClaim,
    VolumeAttachment,
}

const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

thread_local! {
    /// The static `system:node` rules, built once as kube-apiserver builds them once when it
    /// creates the authorizer (`NewAuthorizer(..., bootstrappolicy.NodeRules())`): rebuilding
    /// them for every kubelet Event was a sixth of the Event's cost.
    static STATIC_RULES: Vec<k8s_openapi::api::rbac::v1::PolicyRule> = node_rules();
}

pub fn authorize(objects: &dyn Objects, attrs: &Attributes) -> NodeDecision {
    let Some(node) = attrs.user.node_identity() else { return NodeDecision::NotANode };
    if node.is_empty() {
        return no(format!("unknown node for user {}", quote(&attrs.user.name)));
    }
    if attrs.is_resource_request() {
        let sub = attrs.subresource.as_str();
        match (attrs.api_group.as_str(), attrs.resource.as_str()) {
            ("", "secrets") => return read_namespaced_object(objects, node, Vertex::Secret, attrs),
            ("", "configmaps") => return read_namespaced_object(objects, node, Vertex::ConfigMap, attrs),
            ("", "persistentvolumeclaims") if sub == "status" => return status_update(objects, node, Vertex::Pvc, attrs),
            ("", "persistentvolumeclaims") => return get(objects, node, Vertex::Pvc, attrs),
            ("", "persistentvolumes") => return get(objects, node, Vertex::Pv, attrs),
            ("resource.k8s.io", "resourceclaims") => return get(objects, node, Vertex::ResourceClaim, attrs),
            ("storage.k8s.io", "volumeattachments") => return get(objects, node, Vertex::VolumeAttachment, attrs),
            ("", "serviceaccounts") => return create_token(objects, node, attrs),
            ("coordination.k8s.io", "leases") => return lease(node, attrs),
            ("storage.k8s.io", "csinodes") => return csi_node(node, attrs),
            ("", "nodes") => return node_object(node, attrs),
            ("", "pods") => return pod(objects, node, attrs),
            _ => {}
        }
    }
    // Access to other resources is not subdivided: the static system:node rules decide.
    if STATIC_RULES.with(|rules| rules_allow(attrs, rules)) {
        NodeDecision::Allow("static system:node rules".into())
    } else {
        no(String::new())
    }
}

fn no(reason: impl Into<String>) -> NodeDecision {
    NodeDecision::NoOpinion(reason.into())
}

fn status_update(objects: &dyn Objects, node: &str, vertex: Vertex, attrs: &Attributes) -> NodeDecision {
    if !matches!(attrs.verb.as_str(), "update" | "patch") {
        return no("can only get/update/patch this type");
    }
    if attrs.subresource != "status" {
        return no("can only update status subresource");
    }
    related(objects, node, vertex, attrs)
}

fn get(objects: &dyn Objects, node: &str, vertex: Vertex, attrs: &Attributes) -> NodeDecision {
    if attrs.verb != "get" {
        return no("can only get individual resources of this type");
    }
    if !attrs.subresource.is_empty() {
        return no("cannot get subresource");
    }
    related(objects, node, vertex, attrs)
}

fn read_namespaced_object(objects: &dyn Objects, node: &str, vertex: Vertex, attrs: &Attributes) -> NodeDecision {
    if !matches!(attrs.verb.as_str(), "get" | "list" | "watch") {
        return no("can only read resources of this type");
    }
    if !attrs.subresource.is_empty() {
        return no("cannot read subresource");
    }
    if attrs.namespace.is_empty() {
        return no("can only read namespaced object of this type");
    }
    related(objects, node, vertex, attrs)
}

fn create_token(objects: &dyn Objects, node: &str, attrs: &Attributes) -> NodeDecision {
    if attrs.verb != "create" || attrs.name.is_empty() {
        return no("can only create tokens for individual service accounts");
    }
    if attrs.subresource != "token" {
        return no("can only create token subresource of serviceaccount");
    }
    related(objects, node, Vertex::ServiceAccount, attrs)
}

fn lease(node: &str, attrs: &Attributes) -> NodeDecision {
    if !matches!(attrs.verb.as_str(), "get" | "create" | "update" | "patch" | "delete") {
        return no("can only get, create, update, patch, or delete a node lease");
    }
    if attrs.namespace != NODE_LEASE_NAMESPACE {
        return no(format!("can only access leases in the {} system namespace", quote(NODE_LEASE_NAMESPACE)));
    }
    // Create carries no name; the NodeRestriction admission plugin checks it instead.
    if attrs.verb != "create" && attrs.name != node {
        return no("can only access node lease with the same name as the requesting node");
    }
    NodeDecision::Allow("its own node lease".into())
}

fn csi_node(node: &str, attrs: &Attributes) -> NodeDecision {
    if !matches!(attrs.verb.as_str(), "get" | "create" | "update" | "patch" | "delete") {
        return no("can only get, create, update, patch, or delete a CSINode");
    }
    if !attrs.subresource.is_empty() {
        return no("cannot authorize CSINode subresources");
    }
    if attrs.verb != "create" && attrs.name != node {
        return no("can only access CSINode with the same name as the requesting node");
    }
    NodeDecision::Allow("its own CSINode".into())
}

fn node_object(node: &str, attrs: &Attributes) -> NodeDecision {
    match (attrs.subresource.as_str(), attrs.verb.as_str()) {
        // NodeRestriction admission limits these to the node's own object.
        ("", "create" | "update" | "patch") | ("status", "update" | "patch") => {
            NodeDecision::Allow("Node writes (NodeRestriction admission limits them to its own Node)".into())
        }
        ("", "get" | "list" | "watch") => {
            if attrs.name == node {
                NodeDecision::Allow("its own Node object".into())
            } else if attrs.name.is_empty() {
                no(format!("node '{node}' cannot read all nodes, only its own Node object"))
            } else {
                no(format!("node '{node}' cannot read '{}', only its own Node object", attrs.name))
            }
        }
        _ => no(""),
    }
}

fn pod(objects: &dyn Objects, node: &str, attrs: &Attributes) -> NodeDecision {
    match (attrs.subresource.as_str(), attrs.verb.as_str()) {
        ("", "get") => get(objects, node, Vertex::Pod, attrs),
        ("", "list" | "watch") => {
            if attrs.field_selector_equals("spec.nodeName") == Some(node) {
                NodeDecision::Allow("list/watch with spec.nodeName field selector".into())
            } else if !attrs.name.is_empty() {
                related(objects, node, Vertex::Pod, attrs)
            } else {
                no("can only list/watch pods with spec.nodeName field selector")
            }
        }
        ("", "create" | "delete") => NodeDecision::Allow("mirror pods (NodeRestriction admission limits them)".into()),
        ("status", "update" | "patch") => NodeDecision::Allow("pod status (NodeRestriction admission limits it)".into()),
        ("eviction", "create") => NodeDecision::Allow("evictions (NodeRestriction admission limits them)".into()),
        _ => no(""),
    }
}

/// `authorize`: a name is required, then a path from the object to the node.
fn related(objects: &dyn Objects, node: &str, vertex: Vertex, attrs: &Attributes) -> NodeDecision {
    if attrs.name.is_empty() {
        return no("No Object name found");
    }
    if has_path(objects, node, vertex, &attrs.namespace, &attrs.name) {
        NodeDecision::Allow(format!("{} is related to node '{node}'", vertex_name(vertex)))
    } else {
        no(format!("no relationship found between node '{node}' and this object"))
    }
}

fn vertex_name(v: Vertex) -> &'static str {
    match v {
        Vertex::Pod => "pod",
        Vertex::Secret => "secret",
        Vertex::ConfigMap => "configmap",
        Vertex::Pvc => "pvc",
        Vertex::Pv => "pv",
        Vertex::ServiceAccount => "serviceaccount",
        Vertex::ResourceClaim => "resourceclaim",
        Vertex::VolumeAttachment => "volumeattachment",
    }
}

fn has_path(objects: &dyn Objects, node: &str, vertex: Vertex, namespace: &str, name: &str) -> bool {
    match vertex {
        Vertex::Pod => objects.get("pods", namespace, name).is_some_and(|p| bound_to(&p, node)),
        Vertex::Pv => objects
            .list("persistentvolumeclaims", None)
            .iter()
            .filter(|pvc| pvc["spec"]["volumeName"].as_str() == Some(name))
            .any(|pvc| {
                let ns = pvc["metadata"]["namespace"].as_str().unwrap_or("");
                let claim = pvc["metadata"]["name"].as_str().unwrap_or("");
                has_path(objects, node, Vertex::Pvc, ns, claim)
            }),
        Vertex::VolumeAttachment => objects
            .get("volumeattachments", "", name)
            .is_some_and(|va| va["spec"]["nodeName"].as_str() == Some(node)),
        _ => objects
            .list("pods", Some(namespace))
            .iter()
            .filter(|p| bound_to(p, node))
            .any(|p| pod_references(p, vertex).iter().any(|n| n == name)),
    }
}

fn bound_to(pod: &Value, node: &str) -> bool {
    pod["spec"]["nodeName"].as_str() == Some(node)
}

/// The names of objects of one kind a pod refers to (`podutil.VisitPodSecretNames` and
/// friends, the common volume sources).
fn pod_references(pod: &Value, vertex: Vertex) -> Vec<String> {
    let spec = &pod["spec"];
    let mut out = Vec::new();
    fn push(out: &mut Vec<String>, v: &Value) {
        if let Some(s) = v.as_str() {
            out.push(s.to_string());
        }
    }
    let containers = ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|k| spec[*k].as_array().cloned().unwrap_or_default())
        .collect::<Vec<_>>();
    let volumes = spec["volumes"].as_array().cloned().unwrap_or_default();
    match vertex {
        Vertex::Secret => {
            for s in spec["imagePullSecrets"].as_array().into_iter().flatten() {
                push(&mut out, &s["name"]);
            }
            for c in &containers {
                for e in c["envFrom"].as_array().into_iter().flatten() {
                    push(&mut out, &e["secretRef"]["name"]);
                }
                for e in c["env"].as_array().into_iter().flatten() {
                    push(&mut out, &e["valueFrom"]["secretKeyRef"]["name"]);
                }
            }
            for v in &volumes {
                push(&mut out, &v["secret"]["secretName"]);
                push(&mut out, &v["csi"]["nodePublishSecretRef"]["name"]);
                for s in v["projected"]["sources"].as_array().into_iter().flatten() {
                    push(&mut out, &s["secret"]["name"]);
                }
            }
        }
        Vertex::ConfigMap => {
            for c in &containers {
                for e in c["envFrom"].as_array().into_iter().flatten() {
                    push(&mut out, &e["configMapRef"]["name"]);
                }
                for e in c["env"].as_array().into_iter().flatten() {
                    push(&mut out, &e["valueFrom"]["configMapKeyRef"]["name"]);
                }
            }
            for v in &volumes {
                push(&mut out, &v["configMap"]["name"]);
                for s in v["projected"]["sources"].as_array().into_iter().flatten() {
                    push(&mut out, &s["configMap"]["name"]);
                }
            }
        }
        Vertex::Pvc => {
            let pod_name = pod["metadata"]["name"].as_str().unwrap_or("");
            for v in &volumes {
                push(&mut out, &v["persistentVolumeClaim"]["claimName"]);
                if v.get("ephemeral").is_some() {
                    out.push(format!("{pod_name}-{}", v["name"].as_str().unwrap_or("")));
                }
            }
        }
        Vertex::ServiceAccount => {
            out.push(spec["serviceAccountName"].as_str().filter(|s| !s.is_empty()).unwrap_or("default").to_string());
        }
        Vertex::ResourceClaim => {
            for c in spec["resourceClaims"].as_array().into_iter().flatten() {
                push(&mut out, &c["resourceClaimName"]);
            }
        }
        Vertex::Pod | Vertex::Pv | Vertex::VolumeAttachment => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::user::UserInfo;
    use super::*;
    use crate::apiserver::MemoryObjects;
    use serde_json::json;

    fn objects() -> MemoryObjects {
        MemoryObjects::new()
            .with("pods", json!({"metadata": {"name": "web", "namespace": "dev"}, "spec": {"nodeName": "n1",
                "containers": [{"name": "c", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "db", "key": "k"}}}]}],
                "volumes": [{"name": "cfg", "configMap": {"name": "settings"}}, {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}}))
            .with("pods", json!({"metadata": {"name": "other", "namespace": "dev"}, "spec": {"nodeName": "n2",
                "containers": [{"name": "c", "envFrom": [{"secretRef": {"name": "other-secret"}}]}]}}))
            .with("persistentvolumeclaims", json!({"metadata": {"name": "data", "namespace": "dev"}, "spec": {"volumeName": "pv-1"}}))
    }

    fn n1(verb: &str, resource: &str, ns: &str, name: &str) -> Attributes {
        Attributes::resource(UserInfo::node("n1"), verb, "", resource, ns, name)
    }

    #[test]
    fn secrets_configmaps_and_volumes_of_bound_pods_only() {
        let o = objects();
        assert!(matches!(authorize(&o, &n1("get", "secrets", "dev", "db")), NodeDecision::Allow(_)));
        assert!(matches!(authorize(&o, &n1("watch", "configmaps", "dev", "settings")), NodeDecision::Allow(_)));
        assert!(matches!(authorize(&o, &n1("get", "persistentvolumeclaims", "dev", "data")), NodeDecision::Allow(_)));
        assert!(matches!(authorize(&o, &n1("get", "persistentvolumes", "", "pv-1")), NodeDecision::Allow(_)));
        assert_eq!(
            authorize(&o, &n1("get", "secrets", "dev", "other-secret")),
            NodeDecision::NoOpinion("no relationship found between node 'n1' and this object".into())
        );
        assert_eq!(authorize(&o, &n1("list", "secrets", "dev", "")), NodeDecision::NoOpinion("No Object name found".into()));
        assert_eq!(authorize(&o, &n1("delete", "secrets", "dev", "db")), NodeDecision::NoOpinion("can only read resources of this type".into()));
    }

    #[test]
    fn nodes_and_pods() {
        let o = objects();
        assert!(matches!(authorize(&o, &n1("get", "nodes", "", "n1")), NodeDecision::Allow(_)));
        assert_eq!(
            authorize(&o, &n1("get", "nodes", "", "n2")),
            NodeDecision::NoOpinion("node 'n1' cannot read 'n2', only its own Node object".into())
        );
        assert_eq!(
            authorize(&o, &n1("list", "nodes", "", "")),
            NodeDecision::NoOpinion("node 'n1' cannot read all nodes, only its own Node object".into())
        );
        assert!(matches!(authorize(&o, &n1("update", "nodes", "", "n1").with_subresource("status")), NodeDecision::Allow(_)));
        assert!(matches!(authorize(&o, &n1("get", "pods", "dev", "web")), NodeDecision::Allow(_)));
        assert!(matches!(authorize(&o, &n1("get", "pods", "dev", "other")), NodeDecision::NoOpinion(_)));
        assert!(matches!(authorize(&o, &n1("list", "pods", "", "").with_field_selector("spec.nodeName=n1")), NodeDecision::Allow(_)));
        assert_eq!(
            authorize(&o, &n1("list", "pods", "", "")),
            NodeDecision::NoOpinion("can only list/watch pods with spec.nodeName field selector".into())
        );
    }

    #[test]
    fn leases_static_rules_and_non_nodes() {
        let o = objects();
        let lease = |name: &str, ns: &str| Attributes::resource(UserInfo::node("n1"), "update", "coordination.k8s.io", "leases", ns, name);
        assert!(matches!(authorize(&o, &lease("n1", "kube-node-lease")), NodeDecision::Allow(_)));
        assert_eq!(
            authorize(&o, &lease("n2", "kube-node-lease")),
            NodeDecision::NoOpinion("can only access node lease with the same name as the requesting node".into())
        );
        assert!(matches!(authorize(&o, &n1("list", "services", "", "")), NodeDecision::Allow(_)));
        assert_eq!(authorize(&o, &n1("list", "deployments", "dev", "")), NodeDecision::NoOpinion(String::new()));
        assert_eq!(authorize(&o, &Attributes::resource(UserInfo::user("jane", &[]), "get", "", "secrets", "dev", "db")), NodeDecision::NotANode);
    }
}
