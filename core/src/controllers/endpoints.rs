//! The EndpointSlice controller and the (legacy) Endpoints controller: for every Service with a
//! selector, the IPs of the pods it selects, with their readiness, as one EndpointSlice
//! (`<service>-<5 chars>`, label `kubernetes.io/service-name`) and one Endpoints object named
//! after the Service. kube-proxy and `kubectl describe service` read these.
//!
//! One slice per Service (the real controller splits at 100 endpoints and per address family);
//! pods without an IP yet are left out, as the real controllers do.

use super::client::{self, name_of, ns_of, uid_of};
use super::replicaset::{condition_true, is_terminating};
use super::informer::{Informer, Notification};
use super::Caches;
use crate::api::KindInfo;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{handle, Context, Request, Verb};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SLICE_CONTROLLER: &str = "endpointslice-controller";
const ENDPOINTS_CONTROLLER: &str = "endpoint-controller";
const MANAGED_BY: &str = "endpointslice-controller.k8s.io";

/// A Service port's target on one pod: a number, or a container port looked up by name.
fn target_port(svc_port: &Value, pod: &Value) -> Option<i64> {
    match &svc_port["targetPort"] {
        Value::Number(n) => n.as_i64(),
        Value::String(name) => pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .find(|p| p["name"].as_str() == Some(name.as_str()))
            .and_then(|p| p["containerPort"].as_i64()),
        _ => svc_port["port"].as_i64(),
    }
}

fn selected_pods<'a>(svc: &Value, caches: &'a Caches) -> Vec<&'a Value> {
    let Some(selector) = svc["spec"]["selector"].as_object().filter(|m| !m.is_empty()) else { return Vec::new() };
    let selector = LabelSelector::from_object(&json!({"matchLabels": selector}));
    caches
        .pods
        .in_namespace(ns_of(svc))
        .filter(|p| ns_of(p) == ns_of(svc))
        .filter(|p| selector.as_ref().is_some_and(|s| s.matches_object(p)))
        .filter(|p| !client::str_of(p, &["status", "podIP"]).is_empty())
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
        .collect()
}

fn ports_for(svc: &Value, pod: Option<&Value>) -> Vec<Value> {
    svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let port = pod.and_then(|pod| target_port(p, pod)).or_else(|| p["port"].as_i64());
            json!({"name": p["name"].as_str().unwrap_or(""), "port": port, "protocol": p["protocol"].as_str().unwrap_or("TCP")})
        })
        .collect()
}

/// Which Services and Endpoints to look at in a step. Both controllers are level-triggered
/// over their inputs (a Service, the pods its selector matches, its slices, its Endpoints), so a
/// Service whose inputs did not change since a look that sent nothing would send nothing again:
/// only the keys the informers' notifications concern are looked at, as the real controllers'
/// event handlers queue a Service when it, one of its pods or one of its slices changes
/// (`onServiceUpdate`, `addPod`/`updatePod`, `onEndpointSliceUpdate`). A key whose look sent a
/// request is looked at again at the next step, as the full pass did (a refused write is
/// retried). The full pass over every Service and pod at every step was a third of the samples
/// of applying kube-prometheus.
#[derive(Debug, Default)]
pub struct EndpointsController {
    /// Service cache keys, in key order (the order of a pass over every Service).
    services: BTreeSet<String>,
    /// Endpoints cache keys that may be left over from a deleted Service.
    endpoints: BTreeSet<String>,
    /// Whether the first step, which looks at everything, has run.
    started: bool,
}

impl EndpointsController {
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches) {
        let (Some(slice_kind), Some(ep_kind), Some(svc_kind)) =
            (client::kind("discovery.k8s.io/v1", "EndpointSlice"), client::kind("v1", "Endpoints"), client::kind("v1", "Service"))
        else {
            return;
        };
        self.queue(caches, svc_kind, ep_kind);
        for key in std::mem::take(&mut self.services) {
            let Some(svc) = caches.services.cache.get(&key) else { continue };
            if svc["spec"]["selector"].as_object().is_none_or(|m| m.is_empty()) || is_terminating(svc) {
                continue;
            }
            let sent = *ctx.next_request_id;
            let pods = selected_pods(svc, caches);
            reconcile_slice(ctx, caches, slice_kind, svc, &pods);
            reconcile_endpoints(ctx, caches, ep_kind, svc, &pods);
            if *ctx.next_request_id != sent {
                self.services.insert(key);
            }
        }
        // Endpoints whose Service is gone are deleted (`checkLeftoverEndpoints`), except the
        // leader-election records some components still keep in Endpoints.
        let user = client::controller(ENDPOINTS_CONTROLLER);
        for key in std::mem::take(&mut self.endpoints) {
            let Some(ep) = caches.endpoints.cache.get(&key) else { continue };
            let leader = !ep["metadata"]["annotations"]["control-plane.alpha.kubernetes.io/leader"].is_null();
            if leader || caches.services.get(ns_of(ep), name_of(ep)).is_some() {
                continue;
            }
            let mut req = Request::new(Verb::Delete, ep_kind, ns_of(ep), name_of(ep));
            req.user = user.clone();
            req.delete.precondition_uid = Some(uid_of(ep).to_string());
            handle(ctx, &req);
            self.endpoints.insert(key);
        }
    }

    /// Adds the keys this step's notifications concern (every key at the first step).
    fn queue(&mut self, caches: &Caches, svc_kind: &'static KindInfo, ep_kind: &'static KindInfo) {
        if !self.started {
            self.started = true;
            self.services.extend(caches.services.cache.keys().cloned());
            self.endpoints.extend(caches.endpoints.cache.keys().cloned());
            return;
        }
        // A Service and its Endpoints share namespace and name.
        let same = |from: &Informer, key: &str, to: &'static KindInfo| {
            let prefix = format!("{}/", from.kind.etcd_prefix());
            key.strip_prefix(prefix.as_str()).and_then(|r| r.split_once('/')).map(|(ns, name)| to.etcd_key(ns, name))
        };
        for n in caches.services.notifications() {
            self.services.insert(n.key().to_string());
            self.endpoints.extend(same(&caches.services, n.key(), ep_kind));
        }
        for n in caches.endpoints.notifications() {
            self.endpoints.insert(n.key().to_string());
            self.services.extend(same(&caches.endpoints, n.key(), svc_kind));
        }
        // A slice belongs to the Service its label names.
        for n in caches.endpointslices.notifications() {
            let old = match n {
                Notification::Updated { old, .. } => Some(old),
                _ => None,
            };
            for slice in caches.endpointslices.object_of(n).into_iter().chain(old) {
                let service = client::str_of(slice, &["metadata", "labels", "kubernetes.io/service-name"]);
                if !service.is_empty() {
                    self.services.insert(svc_kind.etcd_key(ns_of(slice), service));
                }
            }
        }
        // A pod concerns the Services whose selector matches it, before or after the change.
        let pods = caches.pods.notified_by_namespace();
        for (ns, pods) in pods {
            for svc in caches.services.in_namespace(ns) {
                let Some(selector) = svc["spec"]["selector"].as_object().filter(|m| !m.is_empty()) else { continue };
                let Some(selector) = LabelSelector::from_object(&json!({"matchLabels": selector})) else { continue };
                if pods.iter().any(|p| selector.matches_object(p)) {
                    self.services.insert(svc_kind.etcd_key(ns_of(svc), name_of(svc)));
                }
            }
        }
    }
}

fn reconcile_slice(ctx: &mut Context, caches: &Caches, kind: &'static crate::api::KindInfo, svc: &Value, pods: &[&Value]) {
    let user = client::controller(SLICE_CONTROLLER);
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|p| {
            let ready = condition_true(p, "Ready") && !is_terminating(p);
            json!({
                "addresses": [client::str_of(p, &["status", "podIP"])],
                "conditions": {"ready": ready, "serving": condition_true(p, "Ready"), "terminating": is_terminating(p)},
                "nodeName": client::str_of(p, &["spec", "nodeName"]),
                "targetRef": {"kind": "Pod", "name": name_of(p), "namespace": ns_of(p), "uid": uid_of(p)},
            })
        })
        .collect();
    let ports = ports_for(svc, pods.first().copied());
    // The namespace's range of the cache, in the order of a pass over every slice.
    let mine: Vec<&Value> = caches
        .endpointslices
        .in_namespace(ns_of(svc))
        .filter(|s| ns_of(s) == ns_of(svc) && client::str_of(s, &["metadata", "labels", "kubernetes.io/service-name"]) == name_of(svc))
        .filter(|s| client::str_of(s, &["metadata", "labels", "endpointslice.kubernetes.io/managed-by"]) == MANAGED_BY)
        .collect();
    let endpoints_value = if endpoints.is_empty() { Value::Null } else { json!(endpoints) };
    match mine.first() {
        None => {
            let mut labels = svc["metadata"]["labels"].as_object().cloned().unwrap_or_default();
            labels.insert("kubernetes.io/service-name".into(), json!(name_of(svc)));
            labels.insert("endpointslice.kubernetes.io/managed-by".into(), json!(MANAGED_BY));
            let mut body = json!({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {
                    "generateName": format!("{}-", name_of(svc)), "namespace": ns_of(svc), "labels": labels,
                    "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name_of(svc), "uid": uid_of(svc), "controller": true, "blockOwnerDeletion": true}],
                },
                "addressType": "IPv4", "ports": ports,
            });
            if !endpoints.is_empty() {
                body["endpoints"] = json!(endpoints);
            }
            client::send(ctx, &user, Verb::Create, kind, ns_of(svc), "", Some(body));
        }
        Some(slice) => {
            if slice["endpoints"] == endpoints_value && slice["ports"] == json!(ports) {
                return;
            }
            let mut new = (*slice).clone();
            match new.as_object_mut() {
                Some(m) if endpoints.is_empty() => {
                    m.remove("endpoints");
                }
                _ => new["endpoints"] = json!(endpoints),
            }
            new["ports"] = json!(ports);
            client::send(ctx, &user, Verb::Update, kind, ns_of(svc), name_of(slice), Some(new));
        }
    }
    for extra in mine.iter().skip(1) {
        let mut req = Request::new(Verb::Delete, kind, ns_of(extra), name_of(extra));
        req.user = user.clone();
        handle(ctx, &req);
    }
}

fn reconcile_endpoints(ctx: &mut Context, caches: &Caches, kind: &'static crate::api::KindInfo, svc: &Value, pods: &[&Value]) {
    let user = client::controller(ENDPOINTS_CONTROLLER);
    let address = |p: &Value| {
        json!({"ip": client::str_of(p, &["status", "podIP"]), "nodeName": client::str_of(p, &["spec", "nodeName"]),
            "targetRef": {"kind": "Pod", "name": name_of(p), "namespace": ns_of(p), "uid": uid_of(p)}})
    };
    let ready: Vec<Value> = pods.iter().filter(|p| condition_true(p, "Ready") && !is_terminating(p)).map(|p| address(p)).collect();
    let not_ready: Vec<Value> = pods.iter().filter(|p| !condition_true(p, "Ready") && !is_terminating(p)).map(|p| address(p)).collect();
    let mut subset = json!({"ports": ports_for(svc, pods.first().copied())});
    // A single unnamed port is written without a name, as the Endpoints controller does.
    if let Some(ports) = subset["ports"].as_array_mut() {
        for p in ports.iter_mut() {
            if p["name"] == "" {
                if let Some(m) = p.as_object_mut() {
                    m.remove("name");
                }
            }
        }
    }
    if !ready.is_empty() {
        subset["addresses"] = json!(ready);
    }
    if !not_ready.is_empty() {
        subset["notReadyAddresses"] = json!(not_ready);
    }
    let subsets = if ready.is_empty() && not_ready.is_empty() { Value::Null } else { json!([subset]) };
    match caches.endpoints.get(ns_of(svc), name_of(svc)) {
        None => {
            let mut body = json!({
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": name_of(svc), "namespace": ns_of(svc), "labels": svc["metadata"]["labels"]},
            });
            if body["metadata"]["labels"].is_null() {
                if let Some(m) = body["metadata"].as_object_mut() {
                    m.remove("labels");
                }
            }
            if !subsets.is_null() {
                body["subsets"] = subsets;
            }
            client::send(ctx, &user, Verb::Create, kind, ns_of(svc), name_of(svc), Some(body));
        }
        Some(ep) => {
            if ep["subsets"] == subsets {
                return;
            }
            let mut new = ep.clone();
            match new.as_object_mut() {
                Some(m) if subsets.is_null() => {
                    m.remove("subsets");
                }
                _ => new["subsets"] = subsets,
            }
            client::send(ctx, &user, Verb::Update, kind, ns_of(svc), name_of(svc), Some(new));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    const WEB: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  containers: [{name: nginx, image: nginx}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";

    fn endpoints(c: &mut Cluster, files: &MemoryFiles) -> String {
        c.execute("kubectl get endpoints web -o jsonpath={.subsets[*].addresses[*].targetRef.name}", files).stdout
    }

    #[test]
    fn a_service_is_looked_at_again_when_a_pod_leaves_or_joins_its_selector_or_it_goes() {
        let mut c = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("web.yaml", WEB);
        assert!(c.execute("kubectl apply -f web.yaml", &files).success());
        assert_eq!(endpoints(&mut c, &files), "web");
        // Only the old version of the pod matches the selector now.
        assert!(c.execute("kubectl label pod web app=debug --overwrite", &files).success());
        assert_eq!(endpoints(&mut c, &files), "");
        assert!(c.execute("kubectl label pod web app=web --overwrite", &files).success());
        assert_eq!(endpoints(&mut c, &files), "web");
        // The Service goes: its Endpoints are deleted as left over (its slice by the garbage collector).
        assert!(c.execute("kubectl delete service web", &files).success());
        let out = c.execute("kubectl get endpoints web", &files);
        assert!(out.stderr.contains("NotFound") || out.stderr.contains("not found"), "{out:?}");
    }
}
