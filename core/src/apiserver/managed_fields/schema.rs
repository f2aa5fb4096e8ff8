//! The shape of each field, as structured-merge-diff reads it from the OpenAPI schema
//! (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`,
//! `+structType=atomic`). kubeplay has no OpenAPI document at run time, so the shapes of the
//! built-in kinds' fields are tabled here by field name; a list not in the table is atomic, an
//! object not in the table is a struct whose fields are tracked one by one.

use serde_json::Value;

/// Map keys of associative lists (`+listType=map`, `+listMapKey=...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// Items are keyed by these fields, each with the default SMD uses when an item omits it
    /// (`protocol` defaults to `TCP` in the schema).
    Map(&'static [(&'static str, Option<&'static str>)]),
    /// `+listType=set`: scalar items, each its own element (`v:"..."`).
    Set,
    /// `+listType=atomic`: the whole list is one leaf.
    Atomic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    /// `+structType=atomic` / `+mapType=atomic`: one leaf.
    Atomic,
    /// A struct: declared fields, tracked one by one.
    Struct,
    /// `map[string]T`: every key is owned as an element of its own.
    Map,
    List(ListKind),
}

const NAME: &[(&str, Option<&str>)] = &[("name", None)];
const CONTAINER_PORT: &[(&str, Option<&str>)] = &[("containerPort", None), ("protocol", Some("TCP"))];
const SERVICE_PORT: &[(&str, Option<&str>)] = &[("port", None), ("protocol", Some("TCP"))];
const TYPE: &[(&str, Option<&str>)] = &[("type", None)];
const IP: &[(&str, Option<&str>)] = &[("ip", None)];

/// Where a value sits: the kind and the field names from the root (`*` for a list item).
pub struct At<'a> {
    pub kind: &'a str,
    pub fields: &'a [String],
}

impl At<'_> {
    fn last(&self) -> &str {
        self.fields.last().map(String::as_str).unwrap_or("")
    }

    fn parent(&self) -> &str {
        let n = self.fields.len();
        if n >= 2 {
            &self.fields[n - 2]
        } else {
            ""
        }
    }
}

/// The shape of `v` at `at`.
pub fn shape(at: &At, v: &Value) -> Shape {
    match v {
        Value::Array(items) => Shape::List(list_kind(at, items)),
        Value::Object(_) => object_shape(at),
        _ => Shape::Scalar,
    }
}

fn list_kind(at: &At, items: &[Value]) -> ListKind {
    let in_status = at.fields.first().is_some_and(|f| f == "status");
    match at.last() {
        "containers" | "initContainers" | "ephemeralContainers" if !in_status => ListKind::Map(NAME),
        "env" | "volumes" | "imagePullSecrets" | "resourceClaims" | "claims" | "schedulingGates" => ListKind::Map(NAME),
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => ListKind::Map(CONTAINER_PORT),
        "ports" if at.kind == "Service" && at.parent() == "spec" => ListKind::Map(SERVICE_PORT),
        "volumeMounts" => ListKind::Map(&[("mountPath", None)]),
        "volumeDevices" => ListKind::Map(&[("devicePath", None)]),
        "hostAliases" | "podIPs" | "hostIPs" => ListKind::Map(IP),
        "conditions" => ListKind::Map(TYPE),
        "addresses" if at.kind == "Node" => ListKind::Map(TYPE),
        "ownerReferences" => ListKind::Map(&[("uid", None)]),
        "topologySpreadConstraints" => ListKind::Map(&[("topologyKey", None), ("whenUnsatisfiable", None)]),
        "finalizers" if at.parent() == "metadata" => ListKind::Set,
        _ => ListKind::Atomic,
    }
}

fn object_shape(at: &At) -> Shape {
    match at.last() {
        // `map[string]string` and friends: every key is an element.
        "labels" | "annotations" | "data" | "binaryData" | "stringData" | "nodeSelector" | "matchLabels" | "limits"
        | "requests" | "capacity" | "allocatable" | "hard" | "used" | "parameters" | "volumeAttributes" => Shape::Map,
        "selector" if matches!(at.kind, "Service" | "ReplicationController") && at.parent() == "spec" => Shape::Map,
        // `metav1.LabelSelector` and the key references are `+structType=atomic`.
        "selector" | "podSelector" | "namespaceSelector" | "labelSelector" | "configMapKeyRef" | "secretKeyRef" | "fieldRef"
        | "resourceFieldRef" | "targetRef" => Shape::Atomic,
        _ => Shape::Struct,
    }
}

/// Whether the Go zero value of the kind's struct has this field (as `null` or `{}`): non-pointer
/// structs and fields without `omitempty`. kube-apiserver compares a create against that zero
/// value, so only fields absent from it are "added" as nodes of their own (the `.: {}` lines).
pub fn present_in_zero(fields: &[String]) -> bool {
    !fields.is_empty()
        && fields.iter().all(|f| {
            matches!(
                f.as_str(),
                "metadata" | "spec" | "status" | "template" | "strategy" | "updateStrategy" | "jobTemplate" | "containers"
                    | "loadBalancer" | "roleRef" | "rules" | "daemonEndpoints" | "kubeletEndpoint" | "nodeInfo" | "resources"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at<'a>(kind: &'a str, fields: &'a [String]) -> At<'a> {
        At { kind, fields }
    }

    #[test]
    fn shapes_of_common_fields() {
        let f = |p: &str| p.split('.').map(str::to_string).collect::<Vec<_>>();
        let ports = json!([{"containerPort": 80}]);
        assert_eq!(shape(&at("Deployment", &f("spec.template.spec.containers.*.ports")), &ports), Shape::List(ListKind::Map(CONTAINER_PORT)));
        assert_eq!(shape(&at("Service", &f("spec.ports")), &json!([{"port": 80}])), Shape::List(ListKind::Map(SERVICE_PORT)));
        assert_eq!(shape(&at("Deployment", &f("spec.selector")), &json!({})), Shape::Atomic);
        assert_eq!(shape(&at("Service", &f("spec.selector")), &json!({})), Shape::Map);
        assert_eq!(shape(&at("Pod", &f("spec.containers.*.args")), &json!([])), Shape::List(ListKind::Atomic));
        assert_eq!(shape(&at("Pod", &f("metadata.finalizers")), &json!([])), Shape::List(ListKind::Set));
        assert!(present_in_zero(&f("spec.template.spec")) && !present_in_zero(&f("spec.strategy.rollingUpdate")));
    }
}
