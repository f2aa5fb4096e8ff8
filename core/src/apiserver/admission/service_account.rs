//! ServiceAccount: mirrors `plugin/pkg/admission/serviceaccount` (the mutating half).
//!
//! On pod creates (no subresource, not a mirror pod):
//! 1. `spec.serviceAccountName` defaults to `default` (the deprecated `serviceAccount` field is
//!    kept equal to it, as the v1 conversion does);
//! 2. the service account must exist, else 403 `error looking up service account dev/default:
//!    serviceaccount "default" not found` — a fresh namespace's `default` SA comes from the
//!    service-account controller, so a pod created too early is refused;
//! 3. unless `automountServiceAccountToken: false` on the pod (which wins) or else on the SA, a
//!    projected volume `kube-api-access-<5 chars>` (token, `kube-root-ca.crt`, namespace) is added
//!    and mounted read-only at `/var/run/secrets/kubernetes.io/serviceaccount` in every init
//!    container and container that has nothing mounted there yet;
//! 4. a pod without `imagePullSecrets` gets the SA's.
//!
//! Not simulated: the validating half (mirror pods must not use service accounts or secrets; the
//! `kubernetes.io/enforce-mountable-secrets` annotation).

use super::{containers_mut, forbidden, str_at, Operation, Rejection, Request, Target, Verdict};
use crate::apiserver::Objects;
use crate::sim::Rng;
use serde_json::{json, Value};

const MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
const VOLUME_PREFIX: &str = "kube-api-access-";
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";
/// `names.SimpleNameGenerator`'s alphabet (no vowels, no 0/1/3, so no words and no look-alikes).
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

pub(super) fn admit(objects: &dyn Objects, req: &Request, obj: &mut Target, rng: &mut Rng) -> Result<Verdict, Rejection> {
    if !(req.is("", "pods") && req.subresource.is_empty() && req.operation == Operation::Create && obj["spec"].is_object()) {
        return Ok(Verdict::skip());
    }
    if obj["metadata"]["annotations"].get(MIRROR_ANNOTATION).is_some() {
        return Ok(Verdict::note("mirror pods are left alone"));
    }
    let mut name = str_at(&obj["spec"], "serviceAccountName").to_string();
    if name.is_empty() {
        name = match str_at(&obj["spec"], "serviceAccount") {
            "" => "default".to_string(),
            legacy => legacy.to_string(),
        };
    }
    // The lookup comes before the edits (a refused pod is restored anyway); the plugin changes
    // only the spec, which `edit_spec` copies (the check above found it).
    let Some(sa) = objects.get_shared("serviceaccounts", req.namespace, &name) else {
        let ns = req.namespace;
        return Err(forbidden(req, obj, format!("error looking up service account {ns}/{name}: serviceaccount \"{name}\" not found")));
    };
    let Some(spec) = obj.edit_spec() else { return Ok(Verdict::skip()) };
    spec["serviceAccountName"] = json!(name);
    spec["serviceAccount"] = json!(name);

    let automount = spec["automountServiceAccountToken"]
        .as_bool()
        .or_else(|| sa["automountServiceAccountToken"].as_bool())
        .unwrap_or(true);
    let mut note = format!("service account {name} exists");
    if automount {
        mount_token(spec, rng);
    } else {
        note.push_str("; automountServiceAccountToken is false, so no token is mounted");
    }

    let pull_secrets = spec["imagePullSecrets"].as_array().map_or(0, Vec::len);
    if pull_secrets == 0 {
        if let Some(secrets) = sa["imagePullSecrets"].as_array().filter(|s| !s.is_empty()) {
            let copied: Vec<Value> = secrets.iter().map(|s| json!({"name": str_at(s, "name")})).collect();
            spec["imagePullSecrets"] = Value::Array(copied);
        }
    }
    Ok(Verdict::note(note))
}

/// `mountServiceAccountToken` on the pod's spec: reuse an existing `kube-api-access-*` volume,
/// else name a new one.
fn mount_token(spec: &mut Value, rng: &mut Rng) {
    let existing = spec["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| str_at(v, "name"))
        .find(|n| n.starts_with(VOLUME_PREFIX))
        .map(str::to_string);
    let has_volume = existing.is_some();
    let volume_name = existing.unwrap_or_else(|| {
        let suffix: String = (0..5).map(|_| rng.pick_char(NAME_ALPHABET)).collect();
        format!("{VOLUME_PREFIX}{suffix}")
    });
    let mount = json!({"name": volume_name, "readOnly": true, "mountPath": MOUNT_PATH});

    let mut needs_volume = false;
    // initContainers first, as the Go code visits them, though the order has no visible effect.
    let mut containers = containers_mut(spec);
    containers.sort_by_key(|(what, _)| *what != "init container");
    for (_, container) in containers {
        let mounted = container["volumeMounts"].as_array().into_iter().flatten().any(|m| str_at(m, "mountPath") == MOUNT_PATH);
        if mounted || !container.is_object() {
            continue;
        }
        push(container, "volumeMounts", mount.clone());
        needs_volume = true;
    }
    if needs_volume && !has_volume {
        push(spec, "volumes", token_volume(&volume_name));
    }
}

/// The projected volume of `TokenVolumeSource`: a bound token (3607 s, which kube-apiserver
/// extends to a year for legacy clients and warns about), the cluster CA and the namespace.
/// Built once and copied with its name set: every pod create adds one, and building its eleven
/// small maps key by key cost more than copying them.
fn token_volume(name: &str) -> Value {
    thread_local! {
        static TEMPLATE: Value = token_volume_named("");
    }
    let mut volume = TEMPLATE.with(Value::clone);
    if let Some(n) = volume.get_mut("name") {
        *n = Value::String(name.to_string());
    }
    volume
}

fn token_volume_named(name: &str) -> Value {
    json!({
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ]
        }
    })
}

fn push(parent: &mut Value, key: &str, item: Value) {
    let Some(map) = parent.as_object_mut() else { return };
    let entry = map.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    if let Value::Array(list) = entry {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    #[test]
    fn the_token_volume_is_the_template_with_its_name() {
        for name in ["kube-api-access-abcde", "", "x"] {
            assert_eq!(super::token_volume(name), super::token_volume_named(name));
        }
    }

    #[test]
    fn defaults_sa_and_mounts_token_everywhere() {
        let objects = dev_objects();
        let pod = json!({"metadata": {"name": "web"}, "spec": {
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "nginx", "image": "nginx"}]
        }});
        let out = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &pod).unwrap();
        assert_eq!(out["spec"]["serviceAccountName"], "default");
        assert_eq!(out["spec"]["serviceAccount"], "default");
        let volume = &out["spec"]["volumes"][0];
        let name = volume["name"].as_str().unwrap();
        assert!(name.starts_with("kube-api-access-") && name.len() == 21, "{name}");
        assert!(name[16..].bytes().all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)));
        assert_eq!(volume["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"], 3607);
        assert_eq!(volume["projected"]["defaultMode"], 420);
        for list in ["containers", "initContainers"] {
            assert_eq!(
                out["spec"][list][0]["volumeMounts"],
                json!([{"name": name, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}])
            );
        }
        // The same seed draws the same name.
        let again = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &pod).unwrap();
        assert_eq!(again["spec"]["volumes"][0]["name"], name);
    }

    #[test]
    fn automount_opt_out_pull_secrets_and_missing_sa() {
        let objects = dev_objects().with(
            "serviceaccounts",
            json!({"metadata": {"name": "builder", "namespace": "dev"}, "automountServiceAccountToken": false, "imagePullSecrets": [{"name": "regcred"}]}),
        );
        let pod = json!({"metadata": {"name": "b"}, "spec": {"serviceAccountName": "builder", "containers": [{"name": "c", "image": "x"}]}});
        let out = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "b"), &pod).unwrap();
        assert!(out["spec"].get("volumes").is_none());
        assert_eq!(out["spec"]["imagePullSecrets"], json!([{"name": "regcred"}]));
        // The pod's own setting wins over the SA's.
        let mut opt_in = pod.clone();
        opt_in["spec"]["automountServiceAccountToken"] = json!(true);
        let out = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "b"), &opt_in).unwrap();
        assert_eq!(out["spec"]["volumes"].as_array().map(Vec::len), Some(1));

        let mut missing = pod.clone();
        missing["spec"]["serviceAccountName"] = json!("ghost");
        let err = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "b"), &missing).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (403, r#"pods "b" is forbidden: error looking up service account dev/ghost: serviceaccount "ghost" not found"#)
        );
    }
}
