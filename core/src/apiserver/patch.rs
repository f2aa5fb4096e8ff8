//! Patches as the API server applies them: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
//! and a strategic merge patch that merges lists of named things by their merge key.

use serde_json::{Map, Value};

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    let Some(p) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Some(t) = target.as_object_mut() {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// The merge key of a list field in Kubernetes types (`patchMergeKey`), by field name; `ports`
/// is `containerPort` in containers and `port` in Services, told apart by the elements.
pub fn merge_key(field: &str, elements: &[Value]) -> Option<&'static str> {
    Some(match field {
        "containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" | "imagePullSecrets" => "name",
        "hostAliases" => "ip",
        "ports" if elements.iter().any(|e| e.get("containerPort").is_some()) => "containerPort",
        "ports" => "port",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        _ => return None,
    })
}

/// Strategic merge patch: like [`merge`], except lists with a merge key merge element by element
/// (an element with `$patch: delete` is removed), and `$retainKeys`/directives are dropped.
pub fn strategic(target: &mut Value, patch: &Value) {
    strategic_in(target, patch, "");
}

fn strategic_in(target: &mut Value, patch: &Value, field: &str) {
    let key = patch.as_array().and_then(|p| merge_key(field, p));
    if let (Some(t), Some(p), Some(key)) = (target.as_array_mut(), patch.as_array(), key) {
        for item in p {
            let k = &item[key];
            let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
            match t.iter().position(|e| &e[key] == k && !k.is_null()) {
                Some(i) if delete => {
                    t.remove(i);
                }
                Some(i) => strategic_in(&mut t[i], item, ""),
                None if !delete => t.push(item.clone()),
                None => {}
            }
        }
        return;
    }
    let Some(p) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Some(t) = target.as_object_mut() {
        for (k, v) in p {
            if k.starts_with('$') {
                continue;
            }
            if v.is_null() {
                t.remove(k);
            } else {
                strategic_in(t.entry(k.clone()).or_insert(Value::Null), v, k);
            }
        }
    }
}

/// RFC 6902 JSON patch. Errors read as the API server's (`the server rejected our request due to
/// an error in our request`-style texts are kubectl's; these are the patch library's).
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let ops = ops.as_array().ok_or("json: cannot unmarshal object into Go value of type jsonpatch.Patch")?;
    for op in ops {
        let kind = op["op"].as_str().unwrap_or("");
        let path = op["path"].as_str().ok_or("missing path")?;
        match kind {
            "add" => add(target, path, op["value"].clone())?,
            "remove" => {
                remove(target, path)?;
            }
            "replace" => {
                remove(target, path)?;
                add(target, path, op["value"].clone())?;
            }
            "move" | "copy" => {
                let from = op["from"].as_str().ok_or("missing from")?;
                let v = get(target, from).cloned().ok_or_else(|| format!("doc is missing path: \"{from}\": missing value"))?;
                if kind == "move" {
                    remove(target, from)?;
                }
                add(target, path, v)?;
            }
            "test" => {
                if get(target, path) != Some(&op["value"]) {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

fn tokens(path: &str) -> Vec<String> {
    path.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for t in tokens(path) {
        cur = match cur {
            Value::Object(m) => m.get(&t)?,
            Value::Array(a) => a.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn parent<'a>(v: &'a mut Value, path: &str) -> Result<(&'a mut Value, String), String> {
    let toks = tokens(path);
    let (last, init) = toks.split_last().ok_or("empty path")?;
    let mut cur = v;
    for t in init {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("doc is missing path: \"{path}\": missing value"))?;
    }
    Ok((cur, last.clone()))
}

fn add(v: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *v = value;
        return Ok(());
    }
    let (p, last) = parent(v, path)?;
    match p {
        Value::Object(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Array(a) => {
            let i = if last == "-" { a.len() } else { last.parse::<usize>().map_err(|_| format!("invalid index {last}"))? };
            if i > a.len() {
                return Err(format!("add operation does not apply: doc is missing path: \"{path}\": missing value"));
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err(format!("doc is missing path: \"{path}\": missing value")),
    }
}

fn remove(v: &mut Value, path: &str) -> Result<Value, String> {
    let (p, last) = parent(v, path)?;
    let missing = || format!("remove operation does not apply: doc is missing path: \"{path}\": missing value");
    match p {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i = last.parse::<usize>().map_err(|_| missing())?;
            if i < a.len() {
                Ok(a.remove(i))
            } else {
                Err(missing())
            }
        }
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_and_strategic() {
        let mut d = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}], "replicas": 1}});
        let mut m = d.clone();
        merge(&mut m, &json!({"spec": {"containers": [{"name": "a", "image": "z"}], "replicas": null}}));
        assert_eq!(m, json!({"spec": {"containers": [{"name": "a", "image": "z"}]}}));
        strategic(&mut d, &json!({"spec": {"containers": [{"name": "a", "image": "z"}, {"name": "b", "$patch": "delete"}]}}));
        assert_eq!(d, json!({"spec": {"containers": [{"name": "a", "image": "z"}], "replicas": 1}}));
    }

    #[test]
    fn json_patch_ops() {
        let mut d = json!({"spec": {"replicas": 1, "list": [1, 2]}});
        json_patch(&mut d, &json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/spec/list/-", "value": 3},
            {"op": "remove", "path": "/spec/list/0"},
            {"op": "test", "path": "/spec/replicas", "value": 3}
        ])).unwrap();
        assert_eq!(d, json!({"spec": {"replicas": 3, "list": [2, 3]}}));
        assert!(json_patch(&mut d, &json!([{"op": "remove", "path": "/spec/nope"}])).unwrap_err().contains("missing path"));
    }
}
