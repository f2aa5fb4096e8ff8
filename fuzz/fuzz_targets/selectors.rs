//! Fuzz target: label selectors (`-l`, `matchLabels`/`matchExpressions`) and field selectors
//! (`--field-selector`) as `apiserver::select` parses and evaluates them. The first line is a
//! label selector string, the second a field selector, the rest a JSON label-selector object.
#![no_main]

use kubeplay::apiserver::select::{FieldSelector, LabelSelector};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let label = lines.next().unwrap_or("");
    let field = lines.next().unwrap_or("");
    let object = lines.next().unwrap_or("");
    let pod = json!({
        "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web", "tier": "front", "k8s.io/x": ""}},
        "spec": {"nodeName": "kind-worker", "restartPolicy": "Always"},
        "status": {"phase": "Running", "podIP": "10.244.1.2"}
    });
    if let Ok(sel) = LabelSelector::parse(label) {
        let _ = sel.matches_object(&pod);
        let _ = sel.is_empty();
    }
    for resource in ["pods", "nodes", "events", "secrets", "services", "deployments"] {
        if let Ok(sel) = FieldSelector::parse(field, resource) {
            let _ = sel.matches(&pod);
        }
    }
    if let Ok(value) = serde_json::from_str::<Value>(object) {
        if let Some(sel) = LabelSelector::from_object(&value) {
            let _ = sel.matches_object(&pod);
        }
    }
});
