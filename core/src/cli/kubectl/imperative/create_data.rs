//! `kubectl create configmap|secret generic`: data from `--from-literal`, `--from-file` and
//! `--from-env-file`, validated and encoded as kubectl's `createConfigMap` and `createSecret` do.

use serde_json::{json, Map, Value};
use super::context::{Ctx, create, err};
use super::Action;

/// `ParseLiteralSource`: split at the first `=`; a leading `=` is an error.
pub(super) fn literal_source(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(err(format!("invalid literal source {s}, expected key=value"))),
    }
}

/// `ParseFileSource`: `path` (key is the base name) or `key=path`.
pub(super) fn file_source(s: &str) -> Result<(String, String), String> {
    let n = s.matches('=').count();
    if n == 0 {
        return Ok((s.rsplit('/').next().unwrap_or(s).to_string(), s.to_string()));
    }
    if n > 1 {
        return Err(err("key names or file paths cannot contain '='"));
    }
    let (k, p) = s.split_once('=').unwrap_or_default();
    if k.is_empty() {
        return Err(err(format!("key name for file path {p} missing")));
    }
    if p.is_empty() {
        return Err(err(format!("file path for key name {k} missing")));
    }
    Ok((k.to_string(), p.to_string()))
}

/// `validation.IsConfigMapKey`.
pub(super) fn config_map_key_error(key: &str) -> Option<String> {
    if key.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    if !key.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')) {
        return Some("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into());
    }
    match key {
        "." => Some("must not be '.'".into()),
        ".." => Some("must not be '..'".into()),
        k if k.starts_with("..") => Some("must not start with '..'".into()),
        _ => None,
    }
}

pub(super) fn create_data(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let secret = c.path == "create secret generic";
    let env_files = c.slice("from-env-file");
    if !env_files.is_empty() && (!c.p.all("from-file").is_empty() || !c.p.all("from-literal").is_empty()) {
        return Err(err("from-env-file cannot be combined with from-file or from-literal"));
    }
    // Secrets take literals first, config maps files first, as kubectl's `createSecret` and
    // `createConfigMap` do.
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut literals = Vec::new();
    for l in c.array("from-literal") {
        let (k, v) = literal_source(&l)?;
        literals.push((k, v.into_bytes()));
    }
    let mut from_files = Vec::new();
    for f in c.slice("from-file") {
        let (k, path) = file_source(&f)?;
        let bytes = c.files.read(&path).map_err(|_| err(format!("error reading {path}: no such file or directory")))?;
        from_files.push((k, bytes));
    }
    for f in &env_files {
        let bytes = c.files.read(f).map_err(|_| err(format!("error reading {f}: no such file or directory")))?;
        for line in String::from_utf8_lossy(&bytes).lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) => literals.push((k.to_string(), v.as_bytes().to_vec())),
                None => literals.push((line.to_string(), Vec::new())),
            }
        }
    }
    if secret {
        entries.extend(literals);
        entries.extend(from_files);
    } else {
        entries.extend(from_files);
        entries.extend(literals);
    }
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in entries {
        if let Some(e) = config_map_key_error(&k) {
            return Err(if secret {
                err(format!("{k:?} is not valid key name for a Secret {e}"))
            } else {
                err(format!("{k:?} is not a valid key name for a ConfigMap: {e}"))
            });
        }
        if data.contains_key(&k) || binary.contains_key(&k) {
            return Err(if secret {
                err(format!("cannot add key {k}, another key by that name already exists"))
            } else {
                err(format!("cannot add key {k:?}, another key by that name already exists in Data for ConfigMap {name:?}"))
            });
        }
        if secret {
            data.insert(k, json!(base64(&v)));
        } else {
            match String::from_utf8(v) {
                Ok(s) => data.insert(k, json!(s)),
                Err(e) => binary.insert(k, json!(base64(e.as_bytes()))),
            };
        }
    }
    let mut object = if secret {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": c.metadata(&name, true)})
    } else {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": c.metadata(&name, true)})
    };
    if !data.is_empty() {
        object["data"] = Value::Object(data);
    }
    if !binary.is_empty() {
        object["binaryData"] = Value::Object(binary);
    }
    if secret {
        if let Some(t) = c.get("type").filter(|t| !t.is_empty()) {
            object["type"] = json!(t);
        }
    }
    Ok(create(object, if secret { "failed to create secret " } else { "failed to create configmap: " }))
}

/// Standard base64 with padding, as Go's `encoding/json` writes `[]byte`.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
