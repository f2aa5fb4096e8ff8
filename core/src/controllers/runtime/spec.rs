//! What the pod's spec says about one container, as the kubelet reads it when it admits the pod:
//! image, command, args, the env with literal values and the downward API (`fieldRef`) resolved,
//! the references to ConfigMaps and Secrets left for `config.rs` to resolve at creation, whether
//! it is a sidecar (`restartPolicy: Always` on an init container), its startup probe's timing and
//! its ports (the probes themselves are the prober's, `probe.rs`).

use serde_json::Value;
use std::collections::BTreeMap;

/// What the pod's spec says about one container, read once when the kubelet admits the pod.
#[derive(Clone, Debug, Default)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// `env` and `envFrom` as written, for the references to ConfigMaps and Secrets (`config.rs`).
    pub env_refs: Value,
    pub env_from: Value,
    /// An init container with `restartPolicy: Always`: a sidecar.
    pub restartable: bool,
    /// The startup probe's `initialDelaySeconds` and `periodSeconds`, when it has one.
    pub startup_probe: Option<(u64, u64)>,
    /// `imagePullPolicy: Always`: pulled even when the node has the image.
    pub pull_always: bool,
    /// The `containerPort`s it declares (an application the catalogue does not know listens there).
    pub ports: Vec<u16>,
}

/// The policy kube-apiserver defaults when none is written (`SetDefaults_Container`): `Always`
/// for a `:latest` or untagged image, else `IfNotPresent`.
fn pulls_always(c: &Value) -> bool {
    match c["imagePullPolicy"].as_str() {
        Some(policy) => policy == "Always",
        None => {
            let image = c["image"].as_str().unwrap_or("");
            let name = image.split('@').next().unwrap_or(image);
            let tag = name.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map(|(_, t)| t);
            !image.contains('@') && tag.is_none_or(|t| t == "latest")
        }
    }
}

impl ContainerSpec {
    pub fn from_json(c: &Value, pod: &Value) -> Self {
        let strings = |v: &Value| v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect::<Vec<_>>();
        let mut env = BTreeMap::new();
        for e in c["env"].as_array().into_iter().flatten() {
            let name = e["name"].as_str().unwrap_or("").to_string();
            // A value from a Secret or ConfigMap counts as set; its text is not simulated.
            let value = match (e["value"].as_str(), e["valueFrom"]["fieldRef"]["fieldPath"].as_str()) {
                (Some(v), _) => v.to_string(),
                (None, Some(path)) => field_ref(pod, path),
                _ if e["valueFrom"].is_object() => "<set>".into(),
                _ => String::new(),
            };
            env.insert(name, value);
        }
        let probe = &c["startupProbe"];
        let startup_probe = probe.is_object().then(|| (probe["initialDelaySeconds"].as_u64().unwrap_or(0), probe["periodSeconds"].as_u64().unwrap_or(10).max(1)));
        ContainerSpec {
            name: c["name"].as_str().unwrap_or("").into(),
            image: c["image"].as_str().unwrap_or("").into(),
            command: strings(&c["command"]),
            args: strings(&c["args"]),
            env,
            env_refs: c["env"].clone(),
            env_from: c["envFrom"].clone(),
            restartable: c["restartPolicy"] == "Always",
            startup_probe,
            pull_always: pulls_always(c),
            ports: c["ports"].as_array().into_iter().flatten().filter_map(|p| p["containerPort"].as_u64()).filter_map(|p| u16::try_from(p).ok()).collect(),
        }
    }
}

/// The downward API: `metadata.name`, `metadata.annotations['key']`, `spec.nodeName`, ...
fn field_ref(pod: &Value, path: &str) -> String {
    let keyed = |prefix: &str, field: &str| path.strip_prefix(prefix).and_then(|r| r.strip_suffix("']")).map(|k| pod["metadata"][field][k].as_str().unwrap_or("").to_string());
    if let Some(v) = keyed("metadata.annotations['", "annotations").or_else(|| keyed("metadata.labels['", "labels")) {
        return v;
    }
    let v = match path {
        "metadata.name" => &pod["metadata"]["name"],
        "metadata.namespace" => &pod["metadata"]["namespace"],
        "metadata.uid" => &pod["metadata"]["uid"],
        "spec.nodeName" => &pod["spec"]["nodeName"],
        "spec.serviceAccountName" => &pod["spec"]["serviceAccountName"],
        "status.podIP" => &pod["status"]["podIP"],
        "status.hostIP" => &pod["status"]["hostIP"],
        _ => &Value::Null,
    };
    v.as_str().unwrap_or("").to_string()
}


#[cfg(test)]
mod tests {
    use super::pulls_always;
    use serde_json::json;

    #[test]
    fn the_defaulted_pull_policy_is_always_for_latest_or_untagged_images_only() {
        let c = |image: &str| json!({"image": image});
        assert!(pulls_always(&c("nginx")));
        assert!(pulls_always(&c("nginx:latest")));
        assert!(pulls_always(&c("localhost:5000/app")), "a registry port is not a tag");
        assert!(!pulls_always(&c("nginx:1.27")));
        assert!(!pulls_always(&c("registry.k8s.io/pause@sha256:abc")));
        assert!(pulls_always(&json!({"image": "nginx:1.27", "imagePullPolicy": "Always"})));
        assert!(!pulls_always(&json!({"image": "nginx", "imagePullPolicy": "IfNotPresent"})));
    }
}
