//! Strict field validation: finding fields of the input that the typed object does not have.
//!
//! kube-apiserver's strict decoder (`fieldValidation=Strict`, kubectl's default) reports every
//! field it does not know as `unknown field "spec.foo"`. k8s-openapi's types silently skip unknown
//! fields, so we compare the input with what the typed round trip kept: a key present in the input
//! with a non-empty value and absent from the output is unknown. Empty values (`null`, `{}`, `[]`)
//! are skipped because the typed round trip legitimately omits them.

use serde_json::Value;

/// Paths of unknown fields, sorted by key at each level, in Kubernetes notation (`spec.containers[0].foo`).
pub fn unknown_fields(input: &Value, decoded: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(input, decoded, &mut String::new(), &mut out);
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn walk(input: &Value, decoded: &Value, path: &mut String, out: &mut Vec<String>) {
    match (input, decoded) {
        (Value::Object(inp), Value::Object(dec)) => {
            for (key, value) in inp {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                match dec.get(key) {
                    Some(d) => walk(value, d, path, out),
                    None if !is_empty(value) => out.push(path.clone()),
                    None => {}
                }
                path.truncate(len);
            }
        }
        (Value::Array(inp), Value::Array(dec)) => {
            for (i, (a, b)) in inp.iter().zip(dec).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(a, b, path, out);
                path.truncate(len);
            }
        }
        // Free-form values (labels, annotations, data, RawExtension) compare as leaves.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_unknown_nested_fields_only() {
        let input = json!({"spec": {"foo": 1, "replicas": 2, "empty": {}, "containers": [{"name": "a", "imagePullPolicyy": "x"}]}});
        let decoded = json!({"spec": {"replicas": 2, "containers": [{"name": "a"}]}});
        assert_eq!(unknown_fields(&input, &decoded), ["spec.containers[0].imagePullPolicyy", "spec.foo"]);
    }
}
