//! Label and field selectors: the `-l` / `--field-selector` strings of list requests and the
//! `LabelSelector` objects of workloads, with apimachinery's grammar and error texts.

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

/// Splits on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

impl LabelSelector {
    /// Parses `app=web,tier!=db,env in (a,b),!legacy,track`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut requirements = Vec::new();
        for part in split_top(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let req = if let Some(key) = part.strip_prefix('!') {
                Requirement { key: key.trim().to_string(), op: Op::DoesNotExist }
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement { key: k.trim().to_string(), op: Op::NotEquals(v.trim().to_string()) }
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement { key: k.trim().to_string(), op: Op::Equals(v.trim().to_string()) }
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement { key: k.trim().to_string(), op: Op::Equals(v.trim().to_string()) }
            } else if let Some((k, v)) = part.split_once(" notin ") {
                let vals = set_values(v).ok_or_else(|| format!("unable to parse requirement: {part}"))?;
                Requirement { key: k.trim().to_string(), op: Op::NotIn(vals) }
            } else if let Some((k, v)) = part.split_once(" in ") {
                let vals = set_values(v).ok_or_else(|| format!("unable to parse requirement: {part}"))?;
                Requirement { key: k.trim().to_string(), op: Op::In(vals) }
            } else if part.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
                Requirement { key: part.to_string(), op: Op::Exists }
            } else {
                return Err(format!("unable to parse requirement: {part}"));
            };
            if req.key.is_empty() {
                return Err(format!("unable to parse requirement: {part}"));
            }
            requirements.push(req);
        }
        Ok(LabelSelector { requirements })
    }

    /// The selector of a `metav1.LabelSelector` object (`matchLabels` and `matchExpressions`).
    /// A missing selector (`null`) matches nothing, an empty one (`{}`) everything.
    pub fn from_object(sel: &Value) -> Option<Self> {
        let obj = sel.as_object()?;
        let mut requirements = Vec::new();
        if let Some(ml) = obj.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in ml {
                requirements.push(Requirement { key: k.clone(), op: Op::Equals(v.as_str().unwrap_or("").to_string()) });
            }
        }
        for e in obj.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
            let key = e["key"].as_str().unwrap_or("").to_string();
            let values: Vec<String> =
                e["values"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
            let op = match e["operator"].as_str().unwrap_or("") {
                "In" => Op::In(values),
                "NotIn" => Op::NotIn(values),
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                _ => return None,
            };
            requirements.push(Requirement { key, op });
        }
        Some(LabelSelector { requirements })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let v = labels.get(&r.key);
            match &r.op {
                Op::Equals(x) => v == Some(x),
                Op::NotEquals(x) => v != Some(x),
                Op::In(xs) => v.is_some_and(|v| xs.contains(v)),
                Op::NotIn(xs) => v.is_none_or(|v| !xs.contains(v)),
                Op::Exists => v.is_some(),
                Op::DoesNotExist => v.is_none(),
            }
        })
    }

    /// Matches against an object's `metadata.labels`.
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.matches(&labels_of(obj))
    }
}

/// An object's labels as an ordered map.
pub fn labels_of(obj: &Value) -> BTreeMap<String, String> {
    obj["metadata"]["labels"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default()
}

/// A parsed field selector: `key=value` / `key!=value` terms over a fixed set of fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    terms: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parses and checks the fields the resource supports (`metadata.name`, `metadata.namespace`
    /// for all; `spec.nodeName`, `status.phase`, ... for pods), with the API server's message.
    pub fn parse(s: &str, resource: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, eq, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(format!("invalid selector: '{s}'; can't understand '{part}'"));
            };
            let key = key.trim();
            if !supported_field(resource, key) {
                return Err(format!("field label not supported: {key}"));
            }
            terms.push((key.to_string(), eq, value.trim().to_string()));
        }
        Ok(FieldSelector { terms })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|(key, eq, want)| {
            let mut v = obj;
            for part in key.split('.') {
                v = &v[part];
            }
            let got = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (got == *want) == *eq
        })
    }
}

fn supported_field(resource: &str, key: &str) -> bool {
    if matches!(key, "metadata.name" | "metadata.namespace") {
        return true;
    }
    match resource {
        "pods" => matches!(
            key,
            "spec.nodeName" | "spec.restartPolicy" | "spec.schedulerName" | "spec.serviceAccountName"
                | "spec.hostNetwork" | "status.phase" | "status.podIP" | "status.nominatedNodeName"
        ),
        "events" => key.starts_with("involvedObject.") || matches!(key, "reason" | "reportingComponent" | "source" | "type"),
        "secrets" => key == "type",
        "nodes" => key == "spec.unschedulable",
        "namespaces" => key == "status.phase",
        "replicasets" | "replicationcontrollers" => key == "status.replicas",
        "jobs" => key == "status.successful",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selector_grammar() {
        let s = LabelSelector::parse("app=web,tier!=db,env in (prod, staging),!legacy,track").unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("env", "prod"), ("track", "x")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "dev"), ("track", "x")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "prod"), ("track", "x"), ("legacy", "")])));
        assert!(LabelSelector::parse("").unwrap().matches(&labels(&[])));
        assert!(LabelSelector::parse("a in b").is_err());
    }

    #[test]
    fn selector_objects() {
        let s = LabelSelector::from_object(&json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]})).unwrap();
        assert!(s.matches(&labels(&[("app", "web")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "db")])));
        assert!(LabelSelector::from_object(&Value::Null).is_none());
    }

    #[test]
    fn field_selectors() {
        let pod = json!({"metadata": {"name": "a", "namespace": "d"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        assert!(FieldSelector::parse("spec.nodeName=n1,status.phase!=Failed", "pods").unwrap().matches(&pod));
        assert!(!FieldSelector::parse("metadata.name=b", "pods").unwrap().matches(&pod));
        assert_eq!(FieldSelector::parse("spec.foo=1", "pods").unwrap_err(), "field label not supported: spec.foo");
    }
}
