//! ObjectMeta and label selectors, mirroring `k8s.io/apimachinery/pkg/api/validation/objectmeta.go`
//! (`ValidateObjectMetaAccessor`, `ValidateObjectMetaAccessorUpdate`, `ValidateAnnotations`,
//! `ValidateOwnerReferences`, `ValidateFinalizers`), `pkg/apis/meta/v1/validation`
//! (`ValidateLabels`, `ValidateLabelSelector`) and `metav1.LabelSelectorAsSelector` for matching.

use super::names::{self, NameRule};
use super::{arr_of, bool_of, entries, int_of, nonnegative, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;

/// `TotalAnnotationSizeLimitB`: 256 KiB of keys plus values.
pub const TOTAL_ANNOTATION_SIZE_LIMIT_B: usize = 256 * (1 << 10);

/// `ValidateObjectMeta(meta, requiresNamespace, nameFn, "metadata")`.
pub fn validate_object_meta(meta: Option<&Value>, namespaced: bool, rule: NameRule) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let generate_name = str_of(meta, "generateName");
    if !generate_name.is_empty() {
        for msg in names::check_name(rule, generate_name, true) {
            errs.push(FieldError::invalid("metadata.generateName", &Value::from(generate_name), msg));
        }
    }
    let name = str_of(meta, "name");
    if name.is_empty() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else {
        for msg in names::check_name(rule, name, false) {
            errs.push(FieldError::invalid("metadata.name", &Value::from(name), msg));
        }
    }
    errs.extend(common(meta, namespaced));
    errs.extend(kube_finalizer_names(arr_of(meta, "finalizers"), "metadata.finalizers"));
    errs
}

/// `validateKubeFinalizerName` (pkg/apis/core/validation adds it after the generic checks, at
/// `<path>[i]`): an unprefixed finalizer must be one of Kubernetes' own.
pub fn kube_finalizer_names(list: &[Value], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, f) in list.iter().enumerate() {
        let f = f.as_str().unwrap_or("");
        if !f.contains('/') && !matches!(f, "kubernetes" | "orphan" | "foregroundDeletion") {
            errs.push(FieldError::invalid(
                format!("{path}[{i}]"),
                &Value::from(f),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// `validateObjectMetaAccessorWithOptsCommon`: namespace by scope, generation, labels,
/// annotations, owner references, finalizers.
fn common(meta: Option<&Value>, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ns = str_of(meta, "namespace");
    if namespaced {
        if ns.is_empty() {
            errs.push(FieldError::required("metadata.namespace", ""));
        } else {
            for msg in names::check_name(NameRule::Label, ns, false) {
                errs.push(FieldError::invalid("metadata.namespace", &Value::from(ns), msg));
            }
        }
    } else if !ns.is_empty() {
        errs.push(FieldError::forbidden("metadata.namespace", "not allowed on this type"));
    }
    nonnegative(&mut errs, int_of(meta, "generation"), "metadata.generation");
    errs.extend(validate_labels(meta, "labels", "metadata.labels"));
    errs.extend(validate_annotations(meta, "annotations", "metadata.annotations"));
    errs.extend(validate_owner_references(meta));
    errs.extend(validate_finalizers(meta));
    errs
}

/// `ValidateLabels`: each key as a qualified name, each value as a label value.
pub fn validate_labels(parent: Option<&Value>, key: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in entries(parent, key) {
        errs.extend(validate_label_name(k, path));
        let value = v.as_str().unwrap_or("");
        for msg in names::label_value(value) {
            errs.push(FieldError::invalid(path, &Value::from(value), msg));
        }
    }
    errs
}

/// `ValidateLabelName`.
pub fn validate_label_name(name: &str, path: &str) -> Vec<FieldError> {
    names::qualified_name(name).into_iter().map(|msg| FieldError::invalid(path, &Value::from(name), msg)).collect()
}

/// `ValidateAnnotations`: keys are qualified names (case-insensitively), total size at most
/// 256 KiB.
pub fn validate_annotations(parent: Option<&Value>, key: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    for (k, v) in entries(parent, key) {
        for msg in names::qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid(path, &Value::from(k.as_str()), msg));
        }
        total = total.saturating_add(k.len()).saturating_add(v.as_str().map_or(0, str::len));
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B {
        errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
    }
    errs
}

/// `ValidateOwnerReferences` (the path carries no index, as in Go).
fn validate_owner_references(meta: Option<&Value>) -> Vec<FieldError> {
    let path = "metadata.ownerReferences";
    let refs = arr_of(meta, "ownerReferences");
    let mut errs = Vec::new();
    let mut first_controller = String::new();
    for r in refs {
        let r = Some(r);
        let api_version = str_of(r, "apiVersion");
        let kind = str_of(r, "kind");
        // schema.FromAPIVersionAndKind: "g/v", "v", or unparsable (no version).
        let (group, version) = match api_version.matches('/').count() {
            0 => ("", api_version),
            1 => api_version.split_once('/').unwrap_or(("", "")),
            _ => ("", ""),
        };
        if version.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.apiVersion"), &Value::from(api_version), "version must not be empty"));
        }
        if kind.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.kind"), &Value::from(kind), "must not be empty"));
        }
        let name = str_of(r, "name");
        if name.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.name"), &Value::from(name), "must not be empty"));
        }
        let uid = str_of(r, "uid");
        if uid.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.uid"), &Value::from(uid), "must not be empty"));
        }
        if group.is_empty() && version == "v1" && kind == "Event" {
            let value = r.cloned().unwrap_or(Value::Null);
            errs.push(FieldError::invalid(path, &value, "/v1, Kind=Event is disallowed from being an owner"));
        }
        if bool_of(r, "controller") {
            let current = format!("{kind}/{name}");
            if first_controller.is_empty() {
                first_controller = current;
            } else {
                let mut err = FieldError::invalid(
                    path,
                    &Value::Null,
                    format!("Only one reference can have Controller set to true. Found \"true\" in references for {first_controller} and {current}"),
                );
                err.value = owner_references_json(refs);
                errs.push(err);
            }
        }
    }
    errs
}

/// The list as Go's encoding/json writes `[]metav1.OwnerReference`: fields in the struct's order
/// (apiVersion, kind, name, uid, then the optional controller and blockOwnerDeletion), not in the
/// sorted order a JSON map would print.
fn owner_references_json(refs: &[Value]) -> String {
    const FIELDS: [&str; 6] = ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"];
    let items: Vec<String> = refs
        .iter()
        .map(|r| {
            let fields: Vec<String> = FIELDS
                .iter()
                .filter_map(|f| {
                    let v = r.get(*f);
                    // The four strings are always written; the two *bool fields are omitempty.
                    let v = match (v, matches!(*f, "controller" | "blockOwnerDeletion")) {
                        (Some(Value::Null) | None, true) => return None,
                        (Some(v), _) => v.clone(),
                        (None, false) => Value::from(""),
                    };
                    Some(format!("{}:{}", Value::from(*f), v))
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// `ValidateFinalizers`.
fn validate_finalizers(meta: Option<&Value>) -> Vec<FieldError> {
    let path = "metadata.finalizers";
    let list = arr_of(meta, "finalizers");
    let mut errs = Vec::new();
    let (mut orphan, mut foreground) = (false, false);
    for f in list {
        let f = f.as_str().unwrap_or("");
        for msg in names::qualified_name(f) {
            errs.push(FieldError::invalid(path, &Value::from(f), msg));
        }
        orphan |= f == "orphan";
        foreground |= f == "foregroundDeletion";
    }
    if orphan && foreground {
        errs.push(FieldError::invalid(
            path,
            &Value::Array(list.to_vec()),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// `ValidateObjectMetaAccessorUpdate`, without the resourceVersion rule (the request pipeline
/// owns it).
pub fn validate_object_meta_update(new: Option<&Value>, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (ng, og) = (int_of(new, "generation").unwrap_or(0), int_of(old, "generation").unwrap_or(0));
    if ng < og {
        errs.push(FieldError::invalid("metadata.generation", &Value::from(ng), "must not be decremented"));
    }
    for field in ["name", "namespace", "uid", "creationTimestamp"] {
        let (n, o) = (str_of(new, field), str_of(old, field));
        if n != o {
            errs.push(FieldError::invalid(format!("metadata.{field}"), &Value::from(n), "field is immutable"));
        }
    }
    for field in ["deletionTimestamp", "deletionGracePeriodSeconds"] {
        super::immutable(&mut errs, new.and_then(|m| m.get(field)), old.and_then(|m| m.get(field)), &format!("metadata.{field}"));
    }
    errs.extend(validate_labels(new, "labels", "metadata.labels"));
    errs.extend(validate_annotations(new, "annotations", "metadata.annotations"));
    errs.extend(validate_owner_references(new));
    errs.extend(validate_finalizers(new));
    errs.extend(kube_finalizer_names(arr_of(new, "finalizers"), "metadata.finalizers"));
    errs
}

/// `ValidateLabelSelector` (strict label values, as every built-in controller asks).
pub fn validate_label_selector(selector: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if selector.is_none_or(Value::is_null) {
        return errs;
    }
    errs.extend(validate_labels(selector, "matchLabels", &format!("{path}.matchLabels")));
    for (i, expr) in arr_of(selector, "matchExpressions").iter().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let e = Some(expr);
        let values = arr_of(e, "values");
        match str_of(e, "operator") {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(format!("{p}.values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{p}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            other => {
                errs.push(FieldError::invalid(format!("{p}.operator"), &Value::from(other), "not a valid selector operator"));
            }
        }
        errs.extend(validate_label_name(str_of(e, "key"), &format!("{p}.key")));
        for (j, v) in values.iter().enumerate() {
            let v = v.as_str().unwrap_or("");
            for msg in names::label_value(v) {
                errs.push(FieldError::invalid(format!("{p}.values[{j}]"), &Value::from(v), msg));
            }
        }
    }
    errs
}

/// What `metav1.LabelSelectorAsSelector` makes of a selector.
#[derive(Debug, PartialEq, Eq)]
pub enum Selector {
    /// A nil selector: matches nothing, and is not "empty".
    Nothing,
    /// `{}`: matches everything and is `Empty()`.
    Everything,
    /// Requirements: (key, operator, values).
    Requirements(Vec<(String, String, Vec<String>)>),
    /// The selector cannot be converted (bad operator, key or values).
    Invalid,
}

impl Selector {
    /// `LabelSelectorAsSelector`.
    pub fn from_label_selector(sel: Option<&Value>) -> Selector {
        let Some(sel) = sel.filter(|s| !s.is_null()) else { return Selector::Nothing };
        let sel = Some(sel);
        let labels = entries(sel, "matchLabels");
        let exprs = arr_of(sel, "matchExpressions");
        if labels.is_empty() && exprs.is_empty() {
            return Selector::Everything;
        }
        let mut reqs = Vec::new();
        for (k, v) in labels {
            let v = v.as_str().unwrap_or("").to_string();
            if !names::qualified_name(k).is_empty() || !names::label_value(&v).is_empty() {
                return Selector::Invalid;
            }
            reqs.push((k.clone(), "In".to_string(), vec![v]));
        }
        for e in exprs {
            let e = Some(e);
            let key = str_of(e, "key").to_string();
            let op = str_of(e, "operator").to_string();
            let values: Vec<String> = arr_of(e, "values").iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
            let ok = match op.as_str() {
                "In" | "NotIn" => !values.is_empty(),
                "Exists" | "DoesNotExist" => values.is_empty(),
                _ => false,
            };
            if !ok || !names::qualified_name(&key).is_empty() || values.iter().any(|v| !names::label_value(v).is_empty()) {
                return Selector::Invalid;
            }
            reqs.push((key, op, values));
        }
        Selector::Requirements(reqs)
    }

    /// `selector.Empty()`.
    pub fn is_empty(&self) -> bool {
        matches!(self, Selector::Everything)
    }

    /// `selector.Matches(labels.Set(labels))`; `labels` is a JSON object (or absent).
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        match self {
            Selector::Nothing | Selector::Invalid => false,
            Selector::Everything => true,
            Selector::Requirements(reqs) => reqs.iter().all(|(k, op, values)| match op.as_str() {
                "In" => get(k).is_some_and(|v| values.iter().any(|x| x == v)),
                "NotIn" => get(k).is_none_or(|v| !values.iter().any(|x| x == v)),
                "Exists" => get(k).is_some(),
                "DoesNotExist" => get(k).is_none(),
                _ => false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn name_and_namespace_rules() {
        let m = json!({"name": "Web_1", "namespace": "default"});
        assert!(aggregate(&validate_object_meta(Some(&m), true, NameRule::Subdomain))
            .starts_with("metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain"));
        let m = json!({"name": "a"});
        assert_eq!(aggregate(&validate_object_meta(Some(&m), true, NameRule::Subdomain)), "metadata.namespace: Required value");
        let m = json!({"name": "a", "namespace": "x"});
        assert_eq!(
            aggregate(&validate_object_meta(Some(&m), false, NameRule::Subdomain)),
            "metadata.namespace: Forbidden: not allowed on this type"
        );
    }

    #[test]
    fn annotation_size_limit() {
        let big = "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT_B);
        let m = json!({"name": "a", "annotations": {"k": big}});
        assert_eq!(
            aggregate(&validate_object_meta(Some(&m), false, NameRule::Subdomain)),
            "metadata.annotations: Too long: may not be more than 262144 bytes"
        );
    }

    #[test]
    fn selectors_match_like_labels_selector() {
        let s = Selector::from_label_selector(Some(&json!({"matchLabels": {"app": "web"}})));
        assert!(s.matches(Some(&json!({"app": "web", "x": "y"}))));
        assert!(!s.matches(Some(&json!({"app": "db"}))));
        assert!(!s.matches(None));
        assert_eq!(Selector::from_label_selector(None), Selector::Nothing);
        assert!(Selector::from_label_selector(Some(&json!({}))).is_empty());
        let s = Selector::from_label_selector(Some(&json!({"matchExpressions": [
            {"key": "tier", "operator": "NotIn", "values": ["db"]},
            {"key": "app", "operator": "Exists"}]})));
        assert!(s.matches(Some(&json!({"app": "x"}))));
        assert!(!s.matches(Some(&json!({"app": "x", "tier": "db"}))));
        let bad = Selector::from_label_selector(Some(&json!({"matchExpressions": [{"key": "a", "operator": "Foo"}]})));
        assert_eq!(bad, Selector::Invalid);
    }

    #[test]
    fn selector_requirement_messages() {
        let s = json!({"matchExpressions": [{"key": "a", "operator": "In"}, {"key": "b", "operator": "Exists", "values": ["x"]}]});
        assert_eq!(
            aggregate(&validate_label_selector(Some(&s), "spec.selector")),
            "[spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn', \
             spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist']"
        );
    }

    #[test]
    fn update_keeps_identity() {
        let old = json!({"name": "a", "uid": "1"});
        let new = json!({"name": "b", "uid": "1"});
        assert_eq!(aggregate(&validate_object_meta_update(Some(&new), Some(&old))), "metadata.name: Invalid value: \"b\": field is immutable");
    }
}
