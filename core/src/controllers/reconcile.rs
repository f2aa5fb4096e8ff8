//! Which reconcile a component's request belongs to: the work-queue key the component was
//! syncing when it sent it, and what queued that key.
//!
//! In Kubernetes each controller pops a `namespace/name` key of its own kind from its work queue
//! and calls its `syncHandler` with it; what the handler sends belongs to that key. The
//! controllers with a work queue (`workqueue.rs`: deployment, replicaset) say which key they are
//! syncing (`Trace::syncing`). The others are level-triggered passes over their caches, so the
//! key is read back from the request, by the controller's kind:
//!
//! - the object itself when it is of the component's kind (the scheduler's binding of a pod, the
//!   deployment controller's status update);
//! - else the owner of that kind (the replicaset controller creating a pod of its ReplicaSet, the
//!   deployment controller scaling a ReplicaSet);
//! - else a few relations the controllers key by: a pod's node (node lifecycle), an object's
//!   namespace (service accounts, the root CA), a Service's Endpoints, a volume's claim;
//! - for an Event, the same for the object it is about;
//! - else the object itself.
//!
//! The trigger is the delivery that queued the key at the start of this step, or else the
//! delivery (or write) of the version the caches hold: a timer or retry acting on it.

use super::informer::queue_key;
use crate::api::{lookup, KindInfo};
use crate::apiserver::{Context, Request, Verb};
use crate::store::RangeRequest;
use crate::trace::{Outcome, Trigger};
use serde_json::Value;

/// The component behind an identity, named as the trace names components: a controller by its
/// service account (`deployment-controller`), `kube-scheduler`, `kubelet/<node>`.
pub fn component_of(user: &str) -> String {
    if let Some(sa) = user.strip_prefix("system:serviceaccount:kube-system:") {
        sa.to_string()
    } else if let Some(node) = user.strip_prefix("system:node:") {
        format!("kubelet/{node}")
    } else if let Some(name) = user.strip_prefix("system:") {
        name.to_string()
    } else {
        user.to_string()
    }
}

/// The resources whose keys a component's work queues hold; `None` for any (the garbage
/// collector works on whatever object it finds).
fn primaries(component: &str) -> Option<&'static [&'static str]> {
    if component.starts_with("kubelet/") {
        return Some(&["pods", "nodes", "leases"]);
    }
    Some(match component {
        "deployment-controller" => &["deployments"],
        "replicaset-controller" => &["replicasets"],
        "replication-controller" => &["replicationcontrollers"],
        "daemon-set-controller" => &["daemonsets"],
        "statefulset-controller" => &["statefulsets"],
        "job-controller" | "ttl-after-finished-controller" => &["jobs"],
        "cronjob-controller" => &["cronjobs"],
        "node-controller" => &["nodes"],
        "taint-eviction-controller" | "pod-garbage-collector" | "kube-scheduler" => &["pods"],
        "service-account-controller" | "root-ca-cert-publisher" | "namespace-controller" => &["namespaces"],
        "endpoint-controller" | "endpointslice-controller" => &["services"],
        "persistent-volume-binder" => &["persistentvolumeclaims", "persistentvolumes"],
        "local-path-provisioner" => &["persistentvolumeclaims"],
        "horizontal-pod-autoscaler" => &["horizontalpodautoscalers"],
        "disruption-controller" => &["poddisruptionbudgets"],
        _ => return None,
    })
}

/// An object by kind, namespace and name.
struct Target {
    kind: &'static KindInfo,
    namespace: String,
    name: String,
}

impl Target {
    fn new(kind: &'static KindInfo, namespace: &str, name: &str) -> Target {
        let namespace = if kind.namespaced { namespace.to_string() } else { String::new() };
        Target { kind, namespace, name: name.to_string() }
    }

    fn etcd_key(&self) -> String {
        self.kind.etcd_key(&self.namespace, &self.name)
    }

    fn stored(&self, ctx: &Context) -> Option<Value> {
        let kv = ctx.store.range(&RangeRequest::key(self.etcd_key().as_bytes())).ok()?.kvs.into_iter().next()?;
        serde_json::from_slice(&kv.value).ok()
    }
}

/// What the request is about, and whether it is an Event (whose object is the one it is about).
fn target(req: &Request) -> Option<(Target, bool)> {
    let body = req.body.as_ref();
    if req.kind.kind == "Event" && req.kind.group.is_empty() {
        let inv = &body?["involvedObject"];
        let kind = lookup(inv["apiVersion"].as_str()?, inv["kind"].as_str()?)?;
        let t = Target::new(kind, inv["namespace"].as_str().unwrap_or(&req.namespace), inv["name"].as_str()?);
        return Some((t, true));
    }
    let name = if req.name.is_empty() { body.and_then(|b| b["metadata"]["name"].as_str()).unwrap_or("") } else { req.name.as_str() };
    Some((Target::new(req.kind, &req.namespace, name), false))
}

/// The object the request is about, as the request or the store has it. Read only when the
/// work key depends on it: parsing the stored object for every request (an Event's pod, a
/// kubelet's status update) was four fifths of `cause_of` and a tenth of a scale run.
fn object(ctx: &Context, req: &Request, t: &Target, event: bool) -> Option<Value> {
    let body = req.body.as_ref();
    if event {
        return t.stored(ctx);
    }
    // A create's object is not stored yet; a patch's body is partial.
    if req.verb == Verb::Create && req.subresource.is_empty() {
        body.cloned()
    } else {
        t.stored(ctx).or_else(|| body.cloned())
    }
}

/// Whether [`work_key`] reads the object for a target of this resource: only when the
/// component's queues hold some resources, and not this one.
fn needs_object(resource: &str, primaries: Option<&[&str]>) -> bool {
    primaries.is_some_and(|p| !p.contains(&resource))
}

/// The work-queue key the request belongs to, for a component whose queues hold `primaries`.
fn work_key(t: Target, obj: Option<&Value>, primaries: Option<&[&str]>) -> Target {
    let Some(p) = primaries else { return t };
    let has = |r: &str| p.contains(&r);
    if has(t.kind.resource) {
        return t;
    }
    let Some(obj) = obj else { return t };
    // The controller owner first, then any owner of the component's kind.
    let owners = obj["metadata"]["ownerReferences"].as_array().cloned().unwrap_or_default();
    let mut ordered: Vec<&Value> = owners.iter().filter(|o| o["controller"] == true).collect();
    ordered.extend(owners.iter().filter(|o| o["controller"] != true));
    for o in ordered {
        let kind = o["apiVersion"].as_str().zip(o["kind"].as_str()).and_then(|(v, k)| lookup(v, k));
        if let (Some(kind), Some(name)) = (kind, o["name"].as_str()) {
            if has(kind.resource) {
                return Target::new(kind, &t.namespace, name);
            }
        }
    }
    let node = obj["spec"]["nodeName"].as_str().filter(|n| !n.is_empty());
    let claim = &obj["spec"]["claimRef"];
    let related = match t.kind.resource {
        "pods" if has("nodes") => node.and_then(|n| Some(Target::new(lookup("v1", "Node")?, "", n))),
        "endpoints" if has("services") => lookup("v1", "Service").map(|k| Target::new(k, &t.namespace, &t.name)),
        "persistentvolumes" if has("persistentvolumeclaims") => lookup("v1", "PersistentVolumeClaim")
            .zip(claim["name"].as_str())
            .map(|(k, name)| Target::new(k, claim["namespace"].as_str().unwrap_or(""), name)),
        _ => None,
    };
    let related = related.or_else(|| {
        if has("namespaces") && t.kind.namespaced && !t.namespace.is_empty() {
            lookup("v1", "Namespace").map(|k| Target::new(k, "", &t.namespace))
        } else {
            None
        }
    });
    related.unwrap_or(t)
}

/// Nothing queued the key this step: the version the caches hold (as of the step's sync), and
/// the record that brought it.
fn resync(ctx: &Context, t: &Target) -> Trigger {
    let mut range = RangeRequest::key(t.etcd_key().as_bytes());
    range.keys_only = true;
    range.revision = ctx.trace.synced_revision().unwrap_or(0);
    let Some(revision) = ctx.store.range(&range).ok().and_then(|r| r.kvs.first().map(|kv| kv.mod_revision)) else {
        return Trigger::Gone;
    };
    let record = ctx.trace.delivery_at(revision).or_else(|| ctx.trace.write_at(revision));
    Trigger::Resync { record, revision }
}

/// The key a component with a work queue is syncing (`Trace::syncing`), as a target.
fn syncing(ctx: &Context) -> Option<Target> {
    let (resource, key) = ctx.trace.syncing_key()?;
    let kind = crate::api::all_kinds().iter().find(|k| k.resource == resource)?;
    let (ns, name) = if kind.namespaced { key.split_once('/')? } else { ("", key) };
    Some(Target::new(kind, ns, name))
}

/// What became of `key` after a work-queue component's sync, kept on the key's reconcile
/// record. A sync that sent nothing but asks for its key back (a progress check) still gets a
/// record, so the trace shows why the component will act again later.
pub fn record_outcome(ctx: &mut Context, component: &str, resource: &str, key: &str, outcome: Outcome) {
    if outcome != Outcome::Done {
        let trigger = match (ctx.trace.queued(resource, key), syncing(ctx)) {
            (Some((record, revision)), _) => Trigger::Watch { record, revision },
            (None, Some(t)) => resync(ctx, &t),
            (None, None) => Trigger::Gone,
        };
        ctx.trace.reconcile(ctx.now, component, resource, key, trigger);
    }
    ctx.trace.reconcile_outcome(component, resource, key, outcome);
}

/// The reconcile record a component's request belongs to, opened on first use: `None` outside
/// a control-plane step (a command's requests, the informers' LISTs).
pub fn cause_of(ctx: &mut Context, req: &Request) -> Option<u64> {
    let component = match ctx.trace.reconciling()? {
        Some(c) => c.to_string(),
        None => component_of(&req.user.name),
    };
    let (t, event) = target(req)?;
    let t = match syncing(ctx) {
        // A component with a work queue says which key it is syncing.
        Some(key) => key,
        None => {
            let primaries = primaries(&component);
            let obj = if needs_object(t.kind.resource, primaries) { object(ctx, req, &t, event) } else { None };
            work_key(t, obj.as_ref(), primaries)
        }
    };
    let key = queue_key(&t.namespace, &t.name);
    let trigger = match ctx.trace.queued(t.kind.resource, &key) {
        Some((record, revision)) => Trigger::Watch { record, revision },
        None => resync(ctx, &t),
    };
    ctx.trace.reconcile(ctx.now, &component, t.kind.resource, &key, trigger)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(kind: (&str, &str), ns: &str, name: &str) -> Target {
        Target::new(lookup(kind.0, kind.1).unwrap(), ns, name)
    }

    fn key_of(t: &Target) -> String {
        format!("{} {}", t.kind.resource, queue_key(&t.namespace, &t.name))
    }

    #[test]
    fn components_are_named_by_identity() {
        assert_eq!(component_of("system:serviceaccount:kube-system:deployment-controller"), "deployment-controller");
        assert_eq!(component_of("system:node:node-2"), "kubelet/node-2");
        assert_eq!(component_of("system:kube-scheduler"), "kube-scheduler");
    }

    #[test]
    fn a_request_belongs_to_the_key_of_the_components_own_kind() {
        let pod = json!({"metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "controller": true}]}, "spec": {"nodeName": "node-1"}});
        let t = || target(("v1", "Pod"), "default", "web-1-a");
        assert_eq!(key_of(&work_key(t(), Some(&pod), primaries("replicaset-controller"))), "replicasets default/web-1");
        assert_eq!(key_of(&work_key(t(), Some(&pod), primaries("kube-scheduler"))), "pods default/web-1-a");
        assert_eq!(key_of(&work_key(t(), Some(&pod), primaries("node-controller"))), "nodes node-1");
        assert_eq!(key_of(&work_key(t(), Some(&pod), primaries("generic-garbage-collector"))), "pods default/web-1-a");
        let sa = target(("v1", "ServiceAccount"), "dev", "default");
        assert_eq!(key_of(&work_key(sa, None, primaries("service-account-controller"))), "serviceaccounts dev/default");
        let sa = target(("v1", "ServiceAccount"), "dev", "default");
        assert_eq!(key_of(&work_key(sa, Some(&json!({})), primaries("service-account-controller"))), "namespaces dev");
        let ep = target(("v1", "Endpoints"), "default", "web");
        assert_eq!(key_of(&work_key(ep, Some(&json!({})), primaries("endpoint-controller"))), "services default/web");
    }

    #[test]
    fn the_object_is_read_only_when_the_work_key_depends_on_it() {
        let pod = json!({"metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "controller": true}]}, "spec": {"nodeName": "node-1"}});
        let t = || target(("v1", "Pod"), "default", "web-1-a");
        let components = ["kubelet/node-1", "kube-scheduler", "replicaset-controller", "node-controller", "generic-garbage-collector", "namespace-controller", "endpoint-controller"];
        for component in components {
            let p = primaries(component);
            if !needs_object("pods", p) {
                // Without the object, the same key as with it.
                assert_eq!(key_of(&work_key(t(), None, p)), key_of(&work_key(t(), Some(&pod), p)), "{component}");
            }
        }
        assert!(!needs_object("pods", primaries("kubelet/node-1")) && !needs_object("pods", primaries("kube-scheduler")));
        assert!(!needs_object("pods", primaries("generic-garbage-collector")));
        assert!(needs_object("pods", primaries("replicaset-controller")) && needs_object("pods", primaries("node-controller")));
    }
}
