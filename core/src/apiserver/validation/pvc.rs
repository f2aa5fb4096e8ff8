//! PersistentVolumeClaims, mirroring `ValidatePersistentVolumeClaim`,
//! `ValidatePersistentVolumeClaimSpec` and `ValidatePersistentVolumeClaimUpdate` in
//! `pkg/apis/core/validation/validation.go`: access modes, the storage request, class name and
//! volume mode; on update everything but `resources.requests` (and a first `volumeName`) is
//! frozen. The Go update message ends with a diff of the specs, which is left out here.

use super::meta;
use super::names::{self, NameRule};
use super::resources::{parse_quantity, validate_quantity_value};
use super::{arr_of, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;

/// `ValidatePersistentVolumeClaim`.
pub fn validate_pvc(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    let modes = arr_of(spec, "accessModes");
    if modes.is_empty() {
        errs.push(FieldError::required("spec.accessModes", "at least 1 access mode is required"));
    }
    if let Some(sel) = obj_of(spec, "selector") {
        errs.extend(meta::validate_label_selector(Some(sel), "spec.selector"));
    }
    let (mut rwop, mut other) = (false, false);
    for m in modes {
        let m = m.as_str().unwrap_or("");
        if !matches!(m, "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod") {
            errs.push(FieldError::not_supported(
                "spec.accessModes",
                &Value::from(m),
                &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"],
            ));
        }
        if m == "ReadWriteOncePod" {
            rwop = true;
        } else {
            other = true;
        }
    }
    if rwop && other {
        errs.push(FieldError::forbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes"));
    }
    // The path really is `spec.resources[storage]`, not `...requests[storage]`.
    let storage_path = "spec.resources[storage]";
    match obj_of(obj_of(spec, "resources"), "requests").and_then(|r| r.get("storage")) {
        None => errs.push(FieldError::required(storage_path, "")),
        Some(v) => {
            if let Some(q) = parse_quantity(v, storage_path, &mut errs) {
                if q.nanos <= 0 {
                    errs.push(FieldError::invalid(storage_path, &Value::from(q.canonical()), "must be greater than zero"));
                } else {
                    errs.extend(validate_quantity_value("storage", &q, storage_path));
                }
            }
        }
    }
    let class = str_of(spec, "storageClassName");
    if !class.is_empty() {
        for msg in names::dns1123_subdomain(class) {
            errs.push(FieldError::invalid("spec.storageClassName", &Value::from(class), msg));
        }
    }
    let mode = str_of(spec, "volumeMode");
    if !mode.is_empty() && !matches!(mode, "Block" | "Filesystem") {
        errs.push(FieldError::not_supported("spec.volumeMode", &Value::from(mode), &["Block", "Filesystem"]));
    }
    errs
}

/// `ValidatePersistentVolumeClaimUpdate`.
pub fn validate_pvc_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new.get("metadata"), old.get("metadata"));
    errs.extend(validate_pvc(new));
    let mut n = new.get("spec").cloned().unwrap_or(Value::Null);
    let mut o = old.get("spec").cloned().unwrap_or(Value::Null);
    for spec in [&mut n, &mut o] {
        if let Some(res) = spec.get_mut("resources").and_then(Value::as_object_mut) {
            res.remove("requests");
            if res.is_empty() {
                if let Some(s) = spec.as_object_mut() {
                    s.remove("resources");
                }
            }
        }
    }
    if str_of(old.get("spec"), "volumeName").is_empty() {
        for spec in [&mut n, &mut o] {
            if let Some(s) = spec.as_object_mut() {
                s.remove("volumeName");
            }
        }
    }
    if n != o {
        errs.push(FieldError::forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn access_modes_and_storage_required() {
        let p = json!({"metadata": {"name": "data", "namespace": "default"}, "spec": {}});
        assert_eq!(
            aggregate(&validate_pvc(&p)),
            "[spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]"
        );
    }

    #[test]
    fn only_requests_may_change() {
        let old = json!({"metadata": {"name": "d", "namespace": "default"}, "spec": {"accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}});
        let mut bigger = old.clone();
        bigger["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
        assert_eq!(validate_pvc_update(&bigger, &old), vec![]);
        let mut class = old.clone();
        class["spec"]["storageClassName"] = json!("fast");
        assert_eq!(validate_pvc_update(&class, &old).len(), 1);
    }
}
