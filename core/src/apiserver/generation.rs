//! What a kind's registry strategy does with `metadata.generation` (its `PrepareForCreate` and
//! `PrepareForUpdate`, each read in the Kubernetes source), and the DaemonSet's template
//! generation, which apps/v1 keeps in an annotation.

use crate::api::KindInfo;
use serde_json::{json, Value};

/// How a kind's strategy treats `metadata.generation` (its `PrepareForCreate` and
/// `PrepareForUpdate`; each read in the Kubernetes source).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generation {
    /// Never set: the strategy leaves it to the client.
    None,
    /// 1 on create, +1 when `spec` changes.
    Spec,
    /// A Deployment: +1 when `spec` or the annotations change (they are copied to its
    /// ReplicaSets).
    SpecOrAnnotations,
    /// A webhook configuration: +1 when `webhooks` changes.
    Webhooks,
    /// An EndpointSlice: +1 when anything but the metadata changes, or the labels.
    AllButMetadata,
    /// A PriorityClass: 1 on create, never bumped.
    CreateOnly,
    /// A CSIDriver: not set on create, +1 when `spec` changes.
    SpecChanges,
}

/// The generation rule of a kind. Pods have had one since 1.33 (KEP-5067); their kubelet
/// reports it back as `status.observedGeneration`.
pub fn generation(kind: &KindInfo) -> Generation {
    match (kind.group, kind.kind) {
        ("", "Pod" | "ReplicationController") => Generation::Spec,
        ("", _) => Generation::None,
        ("apps", "Deployment") => Generation::SpecOrAnnotations,
        ("apps", "ControllerRevision") => Generation::None,
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration") => Generation::Webhooks,
        ("discovery.k8s.io", "EndpointSlice") => Generation::AllButMetadata,
        ("scheduling.k8s.io", "PriorityClass") => Generation::CreateOnly,
        ("storage.k8s.io", "CSIDriver") => Generation::SpecChanges,
        ("networking.k8s.io", "IPAddress" | "ServiceCIDR") | ("resource.k8s.io", "ResourceClaim" | "ResourceClaimTemplate" | "ResourcePoolStatusRequest") => {
            Generation::None
        }
        ("storage.k8s.io" | "autoscaling" | "certificates.k8s.io" | "coordination.k8s.io" | "events.k8s.io" | "node.k8s.io", _) => Generation::None,
        ("rbac.authorization.k8s.io" | "apiregistration.k8s.io" | "internal.apiserver.k8s.io" | "lifecycle.k8s.io" | "storagemigration.k8s.io", _) => {
            Generation::None
        }
        _ => Generation::Spec,
    }
}

/// Whether the kind's objects are given a generation on create.
pub fn tracks_generation(kind: &KindInfo) -> bool {
    !matches!(generation(kind), Generation::None | Generation::SpecChanges)
}

/// `PrepareForUpdate`'s bump: +1 on the change the kind's rule names.
pub fn bump_on_update(kind: &KindInfo, old: &Value, new: &mut Value) {
    let meta = |v: &Value, f: &str| v["metadata"].get(f).cloned();
    let changed = match generation(kind) {
        Generation::None | Generation::CreateOnly => false,
        Generation::Spec | Generation::SpecChanges => old.get("spec") != new.get("spec"),
        Generation::SpecOrAnnotations => old.get("spec") != new.get("spec") || meta(old, "annotations") != meta(new, "annotations"),
        Generation::Webhooks => old.get("webhooks") != new.get("webhooks"),
        Generation::AllButMetadata => {
            rest_of(old) != rest_of(new) || meta(old, "labels") != meta(new, "labels")
        }
    };
    if changed {
        let g = old["metadata"]["generation"].as_i64().unwrap_or(0);
        new["metadata"]["generation"] = json!(g.saturating_add(1));
    }
}

/// The object's top-level fields but its metadata and type.
fn rest_of(v: &Value) -> Option<Vec<(&String, &Value)>> {
    v.as_object().map(|m| m.iter().filter(|(k, _)| !matches!(k.as_str(), "metadata" | "apiVersion" | "kind")).collect())
}

/// apps/v1 keeps a DaemonSet's internal `spec.templateGeneration` in this annotation: the
/// conversion to v1 writes it on every DaemonSet, the strategy decides its value.
pub const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

/// `daemonSetStrategy.PrepareForCreate`: the template generation is at least 1.
pub fn daemonset_on_create(kind: &KindInfo, obj: &mut Value) {
    if is_daemonset(kind) && template_generation(obj) < 1 {
        set_template_generation(obj, 1);
    }
}

fn is_daemonset(kind: &KindInfo) -> bool {
    kind.group == "apps" && kind.kind == "DaemonSet"
}

/// The template generation an object's annotation holds (0 without one, or with one Go would
/// not parse: kubeplay takes it as absent rather than refusing the object).
fn template_generation(obj: &Value) -> i64 {
    obj["metadata"]["annotations"][TEMPLATE_GENERATION].as_str().and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn set_template_generation(obj: &mut Value, generation: i64) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Some(a) = annotations.as_object_mut() {
        a.insert(TEMPLATE_GENERATION.into(), json!(generation.to_string()));
    }
}

/// A DaemonSet as the conversion from apps/v1 leaves it for the field manager: one sent without
/// the annotation has it at 0 (`Convert_apps_DaemonSet_To_v1_DaemonSet`).
pub fn convert_daemonset(kind: &KindInfo, obj: &mut Value) {
    if is_daemonset(kind) && obj["metadata"]["annotations"].get(TEMPLATE_GENERATION).is_none() {
        set_template_generation(obj, 0);
    }
}

/// `daemonSetStrategy.PrepareForUpdate`, and its status strategy, which keeps the spec: the
/// template generation is the stored one, +1 when the main resource's pod template changed,
/// whatever was sent. Runs after the field manager, which saw the annotation as sent.
pub fn keep_template_generation(kind: &KindInfo, subresource: &str, old: &Value, new: &mut Value) {
    if !is_daemonset(kind) {
        return;
    }
    let mut generation = template_generation(old);
    if subresource != "status" && old["spec"].get("template") != new["spec"].get("template") {
        generation = generation.saturating_add(1);
    }
    set_template_generation(new, generation);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_follows_each_kinds_strategy() {
        let kind = |v, k| crate::api::registry::lookup(v, k).unwrap_or_else(|| panic!("{k}"));
        let bumped = |kind, old: &Value, mut new: Value| {
            super::super::strategy::prepare_for_update(kind, "", old, &mut new);
            new["metadata"]["generation"].as_i64()
        };
        let d = json!({"metadata": {"name": "d", "generation": 1, "annotations": {"a": "1"}}, "spec": {"replicas": 1}});
        let annotated = json!({"metadata": {"name": "d", "annotations": {"a": "2"}}, "spec": {"replicas": 1}});
        let relabelled = json!({"metadata": {"name": "d", "labels": {"l": "1"}, "annotations": {"a": "1"}}, "spec": {"replicas": 1}});
        assert_eq!(bumped(kind("apps/v1", "Deployment"), &d, annotated.clone()), Some(2), "a Deployment's annotations bump it");
        assert_eq!(bumped(kind("apps/v1", "Deployment"), &d, relabelled), Some(1), "its labels do not");
        assert_eq!(bumped(kind("apps/v1", "ReplicaSet"), &d, annotated), Some(1), "a ReplicaSet's annotations do not");
        let w = json!({"metadata": {"name": "w", "generation": 1}, "webhooks": [{"name": "a"}]});
        let changed = json!({"metadata": {"name": "w"}, "webhooks": [{"name": "b"}]});
        assert_eq!(bumped(kind("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"), &w, changed), Some(2), "webhooks bump it");
        assert!(!tracks_generation(kind("storage.k8s.io/v1", "StorageClass")));
        for (v, k) in [("autoscaling/v2", "HorizontalPodAutoscaler"), ("apps/v1", "ControllerRevision"), ("node.k8s.io/v1", "RuntimeClass"), ("v1", "Service")] {
            assert_eq!(generation(kind(v, k)), Generation::None, "{k}");
        }
        // An EndpointSlice: anything but the metadata, or its labels.
        let eps = json!({"metadata": {"name": "e", "generation": 1, "labels": {"a": "1"}, "annotations": {"x": "1"}}, "addressType": "IPv4", "endpoints": []});
        let slice = kind("discovery.k8s.io/v1", "EndpointSlice");
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = eps.clone();
            f(&mut v);
            bumped(slice, &eps, v)
        };
        assert_eq!(with(&|v| v["endpoints"] = json!([{"addresses": ["10.0.0.1"]}])), Some(2));
        assert_eq!(with(&|v| v["metadata"]["labels"]["a"] = json!("2")), Some(2));
        assert_eq!(with(&|v| v["metadata"]["annotations"]["x"] = json!("2")), Some(1));
        // A PriorityClass is 1 for good; a CSIDriver has none until its spec changes.
        let pc = json!({"metadata": {"name": "p", "generation": 1}, "value": 1, "description": "a"});
        assert_eq!(bumped(kind("scheduling.k8s.io/v1", "PriorityClass"), &pc, json!({"metadata": {"name": "p"}, "value": 1, "description": "b"})), Some(1));
        let csi = kind("storage.k8s.io/v1", "CSIDriver");
        assert!(!tracks_generation(csi));
        assert_eq!(bumped(csi, &json!({"metadata": {"name": "c"}, "spec": {"attachRequired": true}}), json!({"metadata": {"name": "c"}, "spec": {"attachRequired": false}})), Some(1));
        // A sent uid is kept for validation to refuse; a missing one is the stored one.
        let mut new = json!({"metadata": {"name": "d", "uid": "other"}, "spec": {"replicas": 1}});
        super::super::strategy::prepare_for_update(kind("apps/v1", "Deployment"), "", &json!({"metadata": {"name": "d", "uid": "u"}}), &mut new);
        assert_eq!(new["metadata"]["uid"], "other");
    }

    /// The template generation is the server's: 1 on create (the creator owns the annotation,
    /// which the conversion wrote before the field manager ran), +1 on a template change only,
    /// never what a client or a status write sends.
    #[test]
    fn a_daemonsets_template_generation_is_kept_in_its_annotation() {
        use crate::cli::MemoryFiles;
        use crate::cluster::{Cluster, Config};
        let mut cluster = Cluster::new(Config::default());
        let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n      - name: a\n        image: nginx\n";
        let files = MemoryFiles::new().with("ds.yaml", ds);
        let mut run = |cmd: &str| cluster.execute(cmd, &files).stdout;
        run("kubectl apply -f ds.yaml");
        let read = |run: &mut dyn FnMut(&str) -> String| run(r#"kubectl get ds agent -o jsonpath='{.metadata.generation}/{.metadata.annotations.deprecated\.daemonset\.template\.generation}'"#);
        assert_eq!(read(&mut run), "1/1");
        let owned = run(r#"kubectl get ds agent --show-managed-fields -o jsonpath={.metadata.managedFields[0].fieldsV1}"#);
        assert!(owned.contains(r#""f:deprecated.daemonset.template.generation":{}"#), "{owned}");
        run(r#"kubectl patch ds agent --type=merge -p '{"spec":{"updateStrategy":{"type":"OnDelete"}}}'"#);
        assert_eq!(read(&mut run), "2/1", "a spec change that is not the template");
        run("kubectl set image ds/agent a=nginx:1.27");
        assert_eq!(read(&mut run), "3/2");
        run(r#"kubectl annotate ds agent --overwrite deprecated.daemonset.template.generation=9"#);
        assert_eq!(read(&mut run), "3/2", "a client cannot set it");
        run(r#"kubectl patch ds agent --subresource=status --type=merge -p '{"metadata":{"annotations":{"deprecated.daemonset.template.generation":"7"}}}'"#);
        assert_eq!(read(&mut run), "3/2", "nor a status write");
    }
}
