//! ConfigMaps, Secrets and Namespaces, mirroring `ValidateConfigMap`, `ValidateConfigMapUpdate`,
//! `ValidateSecret`, `ValidateSecretUpdate` and `ValidateNamespace` in
//! `pkg/apis/core/validation/validation.go`.
//!
//! Keys must be config keys; data plus binaryData (ConfigMap) or data (Secret) may total at most
//! `MaxSecretSize` (1 MiB). Secret values are base64 in JSON and are measured decoded;
//! `stringData` is merged into `data` first, as the v1 conversion does.

use super::meta;
use super::names::{self, NameRule};
use super::{arr_of, bool_of, entries, has, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;

/// `core.MaxSecretSize`, also the ConfigMap limit.
pub const MAX_SECRET_SIZE: usize = 1024 * 1024;

/// `ValidateConfigMap`.
pub fn validate_config_map(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let mut total = 0usize;
    let binary = obj_of(Some(obj), "binaryData");
    for (key, value) in entries(Some(obj), "data") {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(format!("data[{key}]"), &Value::from(key.as_str()), msg));
        }
        if binary.is_some_and(|b| b.get(key).is_some()) {
            errs.push(FieldError::invalid(format!("data[{key}]"), &Value::from(key.as_str()), "duplicate of key present in binaryData"));
        }
        total = total.saturating_add(value.as_str().map_or(0, str::len));
    }
    for (key, value) in entries(Some(obj), "binaryData") {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(format!("binaryData[{key}]"), &Value::from(key.as_str()), msg));
        }
        total = total.saturating_add(value.as_str().map_or(0, base64_decoded_len));
    }
    if total > MAX_SECRET_SIZE {
        // The empty path means "the whole object".
        errs.push(FieldError::too_long("", MAX_SECRET_SIZE));
    }
    errs
}

/// The length of a base64 string once decoded.
fn base64_decoded_len(s: &str) -> usize {
    let chars = s.bytes().filter(|c| !c.is_ascii_whitespace()).count();
    let pad = s.bytes().rev().take_while(|c| *c == b'=').count();
    (chars / 4 * 3 + match chars % 4 { 2 => 1, 3 => 2, _ => 0 }).saturating_sub(pad)
}

/// `data` with `stringData` merged over it, as (key, decoded length), sorted.
fn secret_data(obj: &Value) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (k, v) in entries(Some(obj), "data") {
        out.push((k.clone(), v.as_str().map_or(0, base64_decoded_len)));
    }
    for (k, v) in entries(Some(obj), "stringData") {
        let len = v.as_str().map_or(0, str::len);
        match out.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = len,
            None => out.push((k.clone(), len)),
        }
    }
    out.sort();
    out
}

/// `ValidateSecret`.
pub fn validate_secret(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let data = secret_data(obj);
    let mut total = 0usize;
    for (key, len) in &data {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(format!("data[{key}]"), &Value::from(key.as_str()), msg));
        }
        total = total.saturating_add(*len);
    }
    if total > MAX_SECRET_SIZE {
        errs.push(FieldError::too_long("data", MAX_SECRET_SIZE));
    }
    let has_key = |k: &str| data.iter().any(|(key, _)| key == k);
    let required = |k: &str| FieldError::required(format!("data[{k}]"), "");
    let sa_name = str_of(obj_of(obj.get("metadata"), "annotations"), "kubernetes.io/service-account.name");
    match str_of(Some(obj), "type") {
        "kubernetes.io/service-account-token" if sa_name.is_empty() => {
            errs.push(FieldError::required("metadata.annotations[kubernetes.io/service-account.name]", ""));
        }
        "kubernetes.io/dockercfg" if !has_key(".dockercfg") => errs.push(required(".dockercfg")),
        "kubernetes.io/dockerconfigjson" if !has_key(".dockerconfigjson") => errs.push(required(".dockerconfigjson")),
        "kubernetes.io/basic-auth" if !has_key("username") && !has_key("password") => {
            errs.push(required("username"));
            errs.push(required("password"));
        }
        "kubernetes.io/ssh-auth" if !data.iter().any(|(k, len)| k == "ssh-privatekey" && *len > 0) => {
            errs.push(required("ssh-privatekey"));
        }
        "kubernetes.io/tls" => {
            if !has_key("tls.crt") {
                errs.push(required("tls.crt"));
            }
            if !has_key("tls.key") {
                errs.push(required("tls.key"));
            }
        }
        _ => {}
    }
    errs
}

/// `ValidateNamespace`: DNS-1123 label names, cluster scoped, `spec.finalizers` names.
pub fn validate_namespace(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), false, NameRule::Label);
    let finalizers = arr_of(obj_of(Some(obj), "spec"), "finalizers");
    for f in finalizers {
        let f = f.as_str().unwrap_or("");
        for msg in names::qualified_name(f) {
            errs.push(FieldError::invalid("spec.finalizers", &Value::from(f), msg));
        }
        if !f.contains('/') && f != "kubernetes" && f != "orphan" && f != "foregroundDeletion" {
            errs.push(FieldError::invalid(
                "spec.finalizers",
                &Value::from(f),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// The `immutable: true` rules shared by `ValidateConfigMapUpdate` and `ValidateSecretUpdate`.
fn immutable_contents(new: &Value, old: &Value, fields: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !bool_of(Some(old), "immutable") {
        return errs;
    }
    if !bool_of(Some(new), "immutable") {
        errs.push(FieldError::forbidden("immutable", "field is immutable when `immutable` is set"));
    }
    for field in fields {
        let (n, o) = (new.get(*field).filter(|v| !v.is_null()), old.get(*field).filter(|v| !v.is_null()));
        let empty = |v: Option<&Value>| v.is_none_or(|v| v.as_object().is_some_and(|m| m.is_empty()));
        if n != o && !(empty(n) && empty(o)) {
            errs.push(FieldError::forbidden(*field, "field is immutable when `immutable` is set"));
        }
    }
    errs
}

/// `ValidateConfigMapUpdate`.
pub fn validate_config_map_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new.get("metadata"), old.get("metadata"));
    errs.extend(immutable_contents(new, old, &["data", "binaryData"]));
    errs.extend(validate_config_map(new));
    errs
}

/// `ValidateSecretUpdate`: the type never changes; contents freeze with `immutable: true`.
pub fn validate_secret_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new.get("metadata"), old.get("metadata"));
    let ty = |o: &Value| match str_of(Some(o), "type") {
        "" => "Opaque".to_string(),
        t => t.to_string(),
    };
    if ty(new) != ty(old) {
        errs.push(FieldError::invalid("type", &Value::from(ty(new)), "field is immutable"));
    }
    // Compare the merged data so stringData rewrites count as changes.
    let mut new_merged = new.clone();
    if has(Some(new), "stringData") {
        if let Some(m) = new_merged.as_object_mut() {
            m.remove("stringData");
            let mut data = serde_json::Map::new();
            for (k, v) in entries(Some(new), "data") {
                data.insert(k.clone(), v.clone());
            }
            for (k, v) in entries(Some(new), "stringData") {
                data.insert(k.clone(), Value::from(format!("\u{0}raw:{}", v.as_str().unwrap_or(""))));
            }
            m.insert("data".into(), Value::Object(data));
        }
    }
    errs.extend(immutable_contents(&new_merged, old, &["data"]));
    errs.extend(validate_secret(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn config_keys() {
        let cm = json!({"metadata": {"name": "c", "namespace": "default"}, "data": {"ok.key": "1", "bad key": "2"}});
        assert_eq!(
            aggregate(&validate_config_map(&cm)),
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        );
    }

    #[test]
    fn config_map_size_limit() {
        let cm = json!({"metadata": {"name": "c", "namespace": "default"}, "data": {"a": "x".repeat(MAX_SECRET_SIZE + 1)}});
        assert_eq!(aggregate(&validate_config_map(&cm)), ": Too long: may not be more than 1048576 bytes");
    }

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_decoded_len("YWJj"), 3);
        assert_eq!(base64_decoded_len("YWI="), 2);
        assert_eq!(base64_decoded_len("YQ=="), 1);
        assert_eq!(base64_decoded_len(""), 0);
    }

    #[test]
    fn immutable_config_map() {
        let old = json!({"metadata": {"name": "c", "namespace": "default"}, "immutable": true, "data": {"a": "1"}});
        let new = json!({"metadata": {"name": "c", "namespace": "default"}, "immutable": true, "data": {"a": "2"}});
        assert_eq!(aggregate(&validate_config_map_update(&new, &old)), "data: Forbidden: field is immutable when `immutable` is set");
        assert_eq!(validate_config_map_update(&old, &old), vec![]);
    }

    #[test]
    fn tls_secret_keys() {
        let s = json!({"metadata": {"name": "s", "namespace": "default"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "YQ=="}});
        assert_eq!(aggregate(&validate_secret(&s)), "data[tls.key]: Required value");
    }
}
