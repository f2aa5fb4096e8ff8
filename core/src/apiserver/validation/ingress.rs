//! Ingress basics, mirroring `ValidateIngressCreate` -> `ValidateIngressSpec`,
//! `validateIngressRules`, `validateHTTPIngressRuleValue` and `validateIngressBackend` in
//! `pkg/apis/networking/validation/validation.go`: a default backend or rules, hosts, paths
//! (absolute, with a supported pathType) and service backends (name, port by name or number).
//! TLS, resource backends in depth and wildcard host details are left out.

use super::meta;
use super::names::{self, NameRule};
use super::{arr_of, has, int_of, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;

/// `ValidateIngressCreate`.
pub fn validate_ingress(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    let rules = arr_of(spec, "rules");
    if rules.is_empty() && !has(spec, "defaultBackend") {
        let shown = spec.and_then(|s| s.get("rules")).cloned().unwrap_or(Value::Null);
        errs.push(FieldError::invalid("spec", &shown, "either `defaultBackend` or `rules` must be specified"));
    }
    if let Some(b) = obj_of(spec, "defaultBackend") {
        errs.extend(validate_backend(Some(b), "spec.defaultBackend"));
    }
    for (i, rule) in rules.iter().enumerate() {
        let p = format!("spec.rules[{i}]");
        let r = Some(rule);
        let host = str_of(r, "host");
        if !host.is_empty() {
            let (check, shown_host) = match host.strip_prefix("*.") {
                Some(rest) => (rest, host),
                None => (host, host),
            };
            for msg in names::dns1123_subdomain(check) {
                errs.push(FieldError::invalid(format!("{p}.host"), &Value::from(shown_host), msg));
            }
        }
        let Some(http) = obj_of(r, "http") else { continue };
        let paths = arr_of(Some(http), "paths");
        if paths.is_empty() {
            errs.push(FieldError::required(format!("{p}.http.paths"), ""));
        }
        for (j, path) in paths.iter().enumerate() {
            let pp = format!("{p}.http.paths[{j}]");
            let pa = Some(path);
            let path_type = str_of(pa, "pathType");
            let value = str_of(pa, "path");
            match path_type {
                "" => errs.push(FieldError::required(format!("{pp}.pathType"), "pathType must be specified")),
                "Exact" | "Prefix" => {
                    if !value.starts_with('/') {
                        errs.push(FieldError::invalid(format!("{pp}.path"), &Value::from(value), "must be an absolute path"));
                    }
                }
                "ImplementationSpecific" => {
                    if !value.is_empty() && !value.starts_with('/') {
                        errs.push(FieldError::invalid(format!("{pp}.path"), &Value::from(value), "must be an absolute path"));
                    }
                }
                other => errs.push(FieldError::not_supported(
                    format!("{pp}.pathType"),
                    &Value::from(other),
                    &["Exact", "ImplementationSpecific", "Prefix"],
                )),
            }
            errs.extend(validate_backend(obj_of(pa, "backend"), &format!("{pp}.backend")));
        }
    }
    let class = str_of(spec, "ingressClassName");
    if !class.is_empty() {
        for msg in names::dns1123_subdomain(class) {
            errs.push(FieldError::invalid("spec.ingressClassName", &Value::from(class), msg));
        }
    }
    errs
}

/// `validateIngressBackend`.
fn validate_backend(backend: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (service, resource) = (obj_of(backend, "service"), obj_of(backend, "resource"));
    match (service, resource) {
        (Some(_), Some(_)) => errs.push(FieldError::invalid(path, &Value::from(""), "cannot set both resource and service backends")),
        (None, None) => errs.push(FieldError::invalid(path, &Value::from(""), "resource or service backend is required")),
        (None, Some(_)) => {}
        (Some(s), None) => {
            let s = Some(s);
            let name = str_of(s, "name");
            if name.is_empty() {
                errs.push(FieldError::required(format!("{path}.service.name"), ""));
            } else {
                for msg in names::dns1035_label(name) {
                    errs.push(FieldError::invalid(format!("{path}.service.name"), &Value::from(name), msg));
                }
            }
            let port = obj_of(s, "port");
            let port_name = str_of(port, "name");
            let number = int_of(port, "number").unwrap_or(0);
            let pp = format!("{path}.service.port");
            if !port_name.is_empty() && number != 0 {
                errs.push(FieldError::invalid(pp, &Value::from(port_name), "cannot specify both port name and port number"));
            } else if !port_name.is_empty() {
                for msg in names::port_name(port_name) {
                    errs.push(FieldError::invalid(format!("{pp}.name"), &Value::from(port_name), msg));
                }
            } else if number != 0 {
                for msg in names::port_num(number) {
                    errs.push(FieldError::invalid(format!("{pp}.number"), &Value::from(number), msg));
                }
            } else {
                errs.push(FieldError::required(pp, "port name or number is required"));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn needs_rules_or_backend() {
        let i = json!({"metadata": {"name": "i", "namespace": "default"}, "spec": {}});
        assert_eq!(aggregate(&validate_ingress(&i)), "spec: Invalid value: null: either `defaultBackend` or `rules` must be specified");
    }

    #[test]
    fn paths_and_backends() {
        let i = json!({"metadata": {"name": "i", "namespace": "default"}, "spec": {"rules": [{"http": {"paths": [
            {"path": "web", "pathType": "Prefix", "backend": {"service": {"name": "web"}}}]}}]}});
        assert_eq!(
            aggregate(&validate_ingress(&i)),
            "[spec.rules[0].http.paths[0].path: Invalid value: \"web\": must be an absolute path, \
             spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required]"
        );
    }
}
