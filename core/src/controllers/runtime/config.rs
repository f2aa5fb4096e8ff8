//! The ConfigMaps and Secrets a pod refers to, as the kubelet resolves them before it can run the
//! pod: `makeEnvironmentVariables` (a container's `envFrom`, then its `env` with
//! `configMapKeyRef`/`secretKeyRef`) and the configMap and secret volume plugins' `SetUp`.
//!
//! The kubelet reads them through its ConfigMap and Secret managers, which watch the objects the
//! pods on its node refer to (the Node authorizer lets `system:node:<name>` read exactly those);
//! here they come from the shared informers' caches, as the pods do. A missing object is an
//! error worded as the managers word it — the group resource is the singular `configmap` or
//! `secret`, so `configmap "app-config" not found` — unless the reference is `optional: true`; a
//! missing key is `couldn't find key K in ConfigMap NS/NAME`.
//!
//! Env errors keep the container in `CreateContainerConfigError` (`container.rs`); a volume
//! error keeps the whole pod in `ContainerCreating` with `FailedMount` events (`kubelet.rs`).

use super::super::informer::Informer;
use serde_json::Value;
use std::collections::BTreeMap;

/// The caches the kubelet's ConfigMap and Secret managers stand for.
pub struct ConfigObjects<'a> {
    pub configmaps: &'a Informer,
    pub secrets: &'a Informer,
}

/// A decoded ConfigMap or Secret: its keys and values.
type Data = BTreeMap<String, String>;

impl ConfigObjects<'_> {
    fn configmap(&self, ns: &str, name: &str) -> Result<Data, String> {
        let cm = self.configmaps.get(ns, name).ok_or_else(|| format!("configmap {name:?} not found"))?;
        Ok(cm["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
    }

    fn secret(&self, ns: &str, name: &str) -> Result<Data, String> {
        let s = self.secrets.get(ns, name).ok_or_else(|| format!("secret {name:?} not found"))?;
        let mut data: Data = s["data"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), String::from_utf8_lossy(&base64_decode(v.as_str().unwrap_or(""))).into_owned())).collect();
        // `stringData` is folded into `data` by the API server; a cache holding it raw still counts.
        for (k, v) in s["stringData"].as_object().into_iter().flatten() {
            data.entry(k.clone()).or_insert_with(|| v.as_str().unwrap_or("").to_string());
        }
        Ok(data)
    }

    /// The env a container is created with: `envFrom` sources in order (each key with the
    /// source's `prefix`), then `env`, later entries winning, literal values and the downward API
    /// already in `literal`. Err is the first reference that cannot be resolved.
    pub fn resolve_env(&self, ns: &str, env_from: &Value, env: &Value, literal: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
        let mut out = BTreeMap::new();
        for src in env_from.as_array().into_iter().flatten() {
            let prefix = src["prefix"].as_str().unwrap_or("");
            let (found, optional) = if let Some(r) = src["configMapRef"].as_object() {
                (self.configmap(ns, r.get("name").and_then(Value::as_str).unwrap_or("")), r.get("optional") == Some(&Value::Bool(true)))
            } else if let Some(r) = src["secretRef"].as_object() {
                (self.secret(ns, r.get("name").and_then(Value::as_str).unwrap_or("")), r.get("optional") == Some(&Value::Bool(true)))
            } else {
                continue;
            };
            match found {
                Ok(data) => out.extend(data.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v))),
                Err(_) if optional => {}
                Err(e) => return Err(e),
            }
        }
        for e in env.as_array().into_iter().flatten() {
            let name = e["name"].as_str().unwrap_or("").to_string();
            let from = &e["valueFrom"];
            let keyed = |r: &Value, kind: &str| -> Result<Option<String>, String> {
                let (obj, key, optional) = (r["name"].as_str().unwrap_or(""), r["key"].as_str().unwrap_or(""), r["optional"] == Value::Bool(true));
                let data = match if kind == "ConfigMap" { self.configmap(ns, obj) } else { self.secret(ns, obj) } {
                    Ok(d) => d,
                    Err(_) if optional => return Ok(None),
                    Err(e) => return Err(e),
                };
                match data.get(key) {
                    Some(v) => Ok(Some(v.clone())),
                    None if optional => Ok(None),
                    None => Err(format!("couldn't find key {key} in {kind} {ns}/{obj}")),
                }
            };
            let value = if from["configMapKeyRef"].is_object() {
                keyed(&from["configMapKeyRef"], "ConfigMap")?
            } else if from["secretKeyRef"].is_object() {
                keyed(&from["secretKeyRef"], "Secret")?
            } else {
                literal.get(&name).cloned()
            };
            if let Some(v) = value {
                out.insert(name, v);
            }
        }
        Ok(out)
    }

    /// The first configMap or secret volume that cannot be set up: (volume name, error).
    pub fn volume_error(&self, pod: &Value) -> Option<(String, String)> {
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
        for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            let name = v["name"].as_str().unwrap_or("").to_string();
            let found = if let Some(cm) = v["configMap"].as_object() {
                if cm.get("optional") == Some(&Value::Bool(true)) {
                    continue;
                }
                self.configmap(ns, cm.get("name").and_then(Value::as_str).unwrap_or(""))
            } else if let Some(s) = v["secret"].as_object() {
                if s.get("optional") == Some(&Value::Bool(true)) {
                    continue;
                }
                self.secret(ns, s.get("secretName").and_then(Value::as_str).unwrap_or(""))
            } else {
                continue;
            };
            if let Err(e) = found {
                return Some((name, e));
            }
        }
        None
    }
}

/// Whether a pod refers to a Secret the kubelet must read: a secret volume, `secretKeyRef` or
/// `envFrom.secretRef` in any container.
pub fn refers_to_secret(pod: &Value) -> bool {
    let spec = &pod["spec"];
    let volumes = spec["volumes"].as_array().into_iter().flatten().any(|v| v["secret"].is_object());
    let containers = ["initContainers", "containers"].iter().flat_map(|k| spec[*k].as_array().into_iter().flatten());
    volumes
        || containers.into_iter().any(|c| {
            c["envFrom"].as_array().into_iter().flatten().any(|e| e["secretRef"].is_object()) || c["env"].as_array().into_iter().flatten().any(|e| e["valueFrom"]["secretKeyRef"].is_object())
        })
}

/// Standard base64 with or without padding; bytes that are not base64 are skipped.
fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn informer(kind: &str, objects: &[Value]) -> Informer {
        let mut i = Informer::new(crate::api::lookup("v1", kind).expect("a served kind"));
        for o in objects {
            let key = i.kind.etcd_key(o["metadata"]["namespace"].as_str().unwrap_or(""), o["metadata"]["name"].as_str().unwrap_or(""));
            i.cache.insert(key, o.clone());
        }
        i
    }

    #[test]
    fn env_references_resolve_or_fail_as_the_kubelet_words_it() {
        let cms = informer("ConfigMap", &[json!({"metadata": {"name": "app", "namespace": "default"}, "data": {"MODE": "fast", "LEVEL": "3"}})]);
        let secrets = informer("Secret", &[json!({"metadata": {"name": "db", "namespace": "default"}, "data": {"password": "czNjcjN0"}})]);
        let objs = ConfigObjects { configmaps: &cms, secrets: &secrets };
        let literal: BTreeMap<String, String> = [("PLAIN".to_string(), "x".to_string())].into();
        let env = json!([
            {"name": "PLAIN", "value": "x"},
            {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
            {"name": "OPT", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k", "optional": true}}},
        ]);
        let from = json!([{"configMapRef": {"name": "app"}, "prefix": "APP_"}]);
        let got = objs.resolve_env("default", &from, &env, &literal).expect("all present");
        assert_eq!(got.get("APP_MODE").map(String::as_str), Some("fast"));
        assert_eq!(got.get("PASS").map(String::as_str), Some("s3cr3t"));
        assert_eq!(got.get("PLAIN").map(String::as_str), Some("x"));
        assert!(!got.contains_key("OPT"));
        let missing = json!([{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k"}}}]);
        assert_eq!(objs.resolve_env("default", &Value::Null, &missing, &literal), Err("configmap \"nope\" not found".into()));
        let no_key = json!([{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "COLOR"}}}]);
        assert_eq!(objs.resolve_env("default", &Value::Null, &no_key, &literal), Err("couldn't find key COLOR in ConfigMap default/app".into()));
        let from_secret = json!([{"secretRef": {"name": "other"}}]);
        assert_eq!(objs.resolve_env("default", &from_secret, &Value::Null, &literal), Err("secret \"other\" not found".into()));
    }

    #[test]
    fn a_missing_volume_source_is_named_unless_optional() {
        let cms = informer("ConfigMap", &[]);
        let secrets = informer("Secret", &[]);
        let objs = ConfigObjects { configmaps: &cms, secrets: &secrets };
        let pod = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [
            {"name": "opt", "configMap": {"name": "x", "optional": true}},
            {"name": "cfg", "configMap": {"name": "app-config"}},
        ]}});
        assert_eq!(objs.volume_error(&pod), Some(("cfg".into(), "configmap \"app-config\" not found".into())));
        let pod = json!({"metadata": {"namespace": "default"}, "spec": {"volumes": [{"name": "tls", "secret": {"secretName": "cert"}}]}});
        assert_eq!(objs.volume_error(&pod), Some(("tls".into(), "secret \"cert\" not found".into())));
        assert_eq!(base64_decode("aGVsbG8="), b"hello");
    }
}
