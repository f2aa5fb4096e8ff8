//! Decode failures worded as kube-apiserver's JSON decoder words them (sigs.k8s.io/json, a fork
//! of Go's encoding/json), for the 400 `<Kind> in version "v1" cannot be handled as a <Kind>: ...`.
//!
//! Go's `UnmarshalTypeError` reads `json: cannot unmarshal <JSON type> into Go struct field
//! <Struct>.<field path> of type <Go type>`, where Struct is the Go type holding the field
//! (`FCVolumeSource`), the path is the JSON field names from the object's root without list
//! indexes or map keys (`spec.volumes.fc.lun`), and the Go type is as `reflect` prints it
//! (`int32`, `string`, `[]string`, `v1.NodeSelector`). serde's errors carry only the path with
//! indexes and the Rust expectation, so the names are recovered by probing: the value at a
//! position is replaced with `0` and the object decoded again; the k8s-openapi type that rejects
//! it names itself (`expected FCVolumeSource`, `expected a map`).

use crate::api::registry::KindInfo;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `spec.volumes[0].fc.lun` -> [spec, volumes, 0, fc, lun].
fn parse_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        for index in rest.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

fn render(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn at_mut<'a>(value: &'a mut Value, segs: &[Seg]) -> Option<&'a mut Value> {
    let mut v = value;
    for s in segs {
        v = match s {
            Seg::Key(k) => v.get_mut(k.as_str())?,
            Seg::Index(i) => v.get_mut(*i)?,
        };
    }
    Some(v)
}

/// What the kind's type expects at `segs` (`FCVolumeSource`, `a map`, `i32`), learned by putting
/// `probe` there and decoding the object again.
fn expecting(kind: &KindInfo, input: &Value, segs: &[Seg], probe: Value) -> Option<String> {
    if segs.is_empty() {
        return Some(kind.kind.to_string());
    }
    let mut copy = input.clone();
    *at_mut(&mut copy, segs)? = probe;
    let text = serde_json::to_string(&copy).ok()?;
    let err = (kind.decode)(&text).err()?.to_string();
    let err = err.split(" at line ").next().unwrap_or(&err);
    let (path, message) = err.split_once(": ")?;
    if path != render(segs) {
        return None;
    }
    message.rsplit_once(", expected ").map(|(_, e)| e.to_string())
}

/// A Rust expectation as the Go type `reflect` prints.
fn go_type(kind: &KindInfo, input: &Value, segs: &[Seg], expected: &str) -> String {
    match expected {
        "i32" => "int32".into(),
        "i64" => "int64".into(),
        "f64" => "float64".into(),
        "a boolean" => "bool".into(),
        "a string" => "string".into(),
        "a map" => "map[string]string".into(),
        "a sequence" => {
            // An empty list is refused by every element type but a list (serde_yaml would take a
            // scalar probe as a string).
            let mut elem = segs.to_vec();
            elem.push(Seg::Index(0));
            let mut copy = input.clone();
            if let Some(v) = at_mut(&mut copy, segs) {
                *v = Value::Array(vec![Value::Array(Vec::new())]);
            }
            match expecting(kind, &copy, &elem, Value::Array(Vec::new())) {
                Some(e) if e != "a sequence" => format!("[]{}", go_type(kind, &copy, &elem, &e)),
                _ => "[]interface {}".into(),
            }
        }
        e if !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()) && e.starts_with(|c: char| c.is_ascii_uppercase()) => {
            // k8s-openapi names each struct as Go does; the Go package is the API version.
            format!("{}.{e}", kind.version)
        }
        e => e.to_string(),
    }
}

/// `json: cannot unmarshal <got> into Go struct field <Struct>.<path> of type <type>` for a value
/// at `path` (serde notation, with indexes) that the type rejected expecting `expected`.
pub(super) fn type_error(kind: &KindInfo, input: &Value, path: &str, got: &str, expected: &str) -> String {
    let segs = parse_path(path);
    let go = go_type(kind, input, &segs, expected);
    // Walk up to the field: past list indexes, and past map keys (a map's values are not fields).
    let mut end = segs.len();
    let mut holder = String::new();
    while end > 0 {
        while end > 0 && matches!(segs[end - 1], Seg::Index(_)) {
            end -= 1;
        }
        if end == 0 {
            break;
        }
        match expecting(kind, input, &segs[..end - 1], Value::from(0)) {
            Some(e) if e == "a map" => end -= 1,
            Some(e) => {
                holder = e;
                break;
            }
            None => break,
        }
    }
    let field: Vec<&str> = segs[..end]
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    // A string field of a named Go type (`RestartPolicy string`) prints that type's name.
    let go = match (go.as_str(), segs.last(), field.last()) {
        ("string", Some(Seg::Key(_)), Some(last)) => named_string_type(&holder, last).map_or(go, |t| format!("{}.{t}", kind.version)),
        _ => go,
    };
    format!("json: cannot unmarshal {got} into Go struct field {holder}.{} of type {go}", field.join("."))
}

/// The Go type of string fields declared with a named type in k8s.io/api (core, apps, batch),
/// which k8s-openapi flattens to `String`: (holding struct, JSON field) -> type name.
fn named_string_type(holder: &str, field: &str) -> Option<&'static str> {
    Some(match (holder, field) {
        ("PodSpec", "restartPolicy") => "RestartPolicy",
        ("PodSpec", "dnsPolicy") => "DNSPolicy",
        ("PodSpec", "preemptionPolicy") => "PreemptionPolicy",
        ("Container" | "EphemeralContainer", "imagePullPolicy") => "PullPolicy",
        ("Container" | "EphemeralContainer", "terminationMessagePolicy") => "TerminationMessagePolicy",
        ("Container" | "EphemeralContainer", "restartPolicy") => "ContainerRestartPolicy",
        ("ContainerPort" | "ServicePort" | "EndpointPort", "protocol") => "Protocol",
        ("ServiceSpec", "type") => "ServiceType",
        ("ServiceSpec", "sessionAffinity") => "ServiceAffinity",
        ("ServiceSpec", "externalTrafficPolicy") => "ServiceExternalTrafficPolicy",
        ("ServiceSpec", "internalTrafficPolicy") => "ServiceInternalTrafficPolicy",
        ("ServiceSpec", "ipFamilyPolicy") => "IPFamilyPolicy",
        ("Secret", "type") => "SecretType",
        ("Toleration", "operator") => "TolerationOperator",
        ("Toleration" | "Taint", "effect") => "TaintEffect",
        ("DeploymentStrategy", "type") => "DeploymentStrategyType",
        ("DaemonSetUpdateStrategy", "type") => "DaemonSetUpdateStrategyType",
        ("StatefulSetUpdateStrategy", "type") => "StatefulSetUpdateStrategyType",
        ("StatefulSetSpec", "podManagementPolicy") => "PodManagementPolicyType",
        ("CronJobSpec", "concurrencyPolicy") => "ConcurrencyPolicy",
        ("JobSpec", "completionMode") => "CompletionMode",
        ("JobSpec", "podReplacementPolicy") => "PodReplacementPolicy",
        ("PersistentVolumeClaimSpec", "volumeMode") | ("PersistentVolumeSpec", "volumeMode") => "PersistentVolumeMode",
        ("PersistentVolumeSpec", "persistentVolumeReclaimPolicy") => "PersistentVolumeReclaimPolicy",
        ("NodeSelectorRequirement", "operator") => "NodeSelectorOperator",
        _ => return None,
    })
}

/// serde's `invalid type: <what>` as the JSON type word Go prints.
pub(super) fn go_json_type(serde_what: &str) -> String {
    let word = serde_what.split_whitespace().next().unwrap_or("");
    match word {
        "string" => "string".into(),
        "integer" => "number".into(),
        "floating" => {
            // `floating point `1.5``: Go names the literal of a number that does not fit.
            let literal = serde_what.split('`').nth(1).unwrap_or("");
            if literal.is_empty() { "number".into() } else { format!("number {literal}") }
        }
        "boolean" => "bool".into(),
        "sequence" => "array".into(),
        "map" => "object".into(),
        "unit" => "null".into(),
        other => other.into(),
    }
}

/// The base64 crate's `Invalid symbol 60, offset 0.` as Go's `illegal base64 data at input byte 0`
/// (encoding/json decodes a `[]byte` field from base64 and returns the decoder's error as is).
pub(super) fn base64_error(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Invalid symbol ").or_else(|| message.strip_prefix("Invalid last symbol "))?;
    let offset = rest.split("offset ").nth(1)?.trim_end_matches('.');
    let offset: usize = offset.parse().ok()?;
    Some(format!("illegal base64 data at input byte {offset}"))
}

/// Where a scalar was given for a string field. serde_yaml reads any plain scalar as a string
/// (`value: yes`, which kubectl's YAML 1.1 reading makes `true`), but Go's decoder refuses a JSON
/// bool or number for a string: `cannot unmarshal bool into Go struct field EnvVar.spec.containers.
/// env.value of type string`. The typed object is checked against the JSON kubectl would send by
/// decoding that JSON with serde_json, which is as strict as Go; the culprit is found among the
/// values the typed round trip turned from a bool or number into a string.
pub(super) fn scalar_for_string(kind: &KindInfo, input: &Value, typed: &Value) -> Option<String> {
    (kind.check_json)(input).err()?;
    let mut candidates = Vec::new();
    stringified(input, typed, &mut Vec::new(), &mut candidates);
    for segs in candidates {
        let mut fixed = input.clone();
        let Some(v) = at_mut(&mut fixed, &segs) else { continue };
        let got = if v.is_boolean() { "bool" } else { "number" };
        *v = Value::String(v.to_string());
        let still = (kind.check_json)(&fixed).err().map(|e| e.to_string());
        let before = (kind.check_json)(input).err().map(|e| e.to_string());
        if still != before {
            return Some(type_error(kind, input, &render(&segs), got, "a string"));
        }
    }
    None
}

/// Paths, in key order, of bools and numbers in `input` that are strings in `typed`.
fn stringified(input: &Value, typed: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match (input, typed) {
        (Value::Object(i), Value::Object(t)) => {
            for (k, v) in i {
                if let Some(tv) = t.get(k) {
                    path.push(Seg::Key(k.clone()));
                    stringified(v, tv, path, out);
                    path.pop();
                }
            }
        }
        (Value::Array(i), Value::Array(t)) => {
            for (n, (v, tv)) in i.iter().zip(t).enumerate() {
                path.push(Seg::Index(n));
                stringified(v, tv, path, out);
                path.pop();
            }
        }
        (Value::Bool(_) | Value::Number(_), Value::String(_)) => out.push(path.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::lookup;
    use serde_json::json;

    #[test]
    fn paths_parse_and_render() {
        let segs = parse_path("spec.volumes[0].fc.lun");
        assert_eq!(segs.len(), 5);
        assert_eq!(render(&segs), "spec.volumes[0].fc.lun");
        assert_eq!(render(&parse_path("a[1][2].b")), "a[1][2].b");
    }

    #[test]
    fn names_the_holding_struct_and_the_go_type() {
        // Each input holds one wrong value, as a failed decode does: the probes must not meet another.
        let pod = lookup("v1", "Pod").unwrap();
        let with = |spec: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec});
        let input = with(json!({"containers": [{"name": "c", "image": "i"}], "volumes": [{"name": "v", "fc": {"lun": "x"}}]}));
        assert_eq!(
            type_error(pod, &input, "spec.volumes[0].fc.lun", "string", "i32"),
            "json: cannot unmarshal string into Go struct field FCVolumeSource.spec.volumes.fc.lun of type int32"
        );
        let input = with(json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}}}));
        assert_eq!(
            type_error(pod, &input, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution", "array", "NodeSelector"),
            "json: cannot unmarshal array into Go struct field NodeAffinity.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector"
        );
        let input = with(json!({"containers": [{"name": "c", "image": "i", "args": "x"}]}));
        assert_eq!(
            type_error(pod, &input, "spec.containers[0].args", "string", "a sequence"),
            "json: cannot unmarshal string into Go struct field Container.spec.containers.args of type []string"
        );
        let input = json!({"metadata": {"name": "p", "labels": {"a": {}}}});
        assert_eq!(
            type_error(pod, &input, "metadata.labels.a", "object", "a string"),
            "json: cannot unmarshal object into Go struct field ObjectMeta.metadata.labels of type string"
        );
        let deploy = lookup("apps/v1", "Deployment").unwrap();
        let input = json!({"spec": {"replicas": "3"}});
        assert_eq!(
            type_error(deploy, &input, "spec.replicas", "string", "i32"),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
    }

    #[test]
    fn base64_as_go_words_it() {
        assert_eq!(base64_error("Invalid symbol 60, offset 0.").unwrap(), "illegal base64 data at input byte 0");
        assert_eq!(base64_error("something else"), None);
    }

    #[test]
    fn number_literals_that_do_not_fit() {
        assert_eq!(go_json_type("floating point `1.5`"), "number 1.5");
        assert_eq!(go_json_type("integer `3`"), "number");
        assert_eq!(go_json_type("boolean `true`"), "bool");
    }
}
