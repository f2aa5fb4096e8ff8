//! metrics-server (kubernetes-sigs/metrics-server), simulated: every `--metric-resolution` (15 s)
//! it scrapes each kubelet's `/metrics/resource` endpoint, keeps the last two points of every
//! container and node, and serves `metrics.k8s.io/v1beta1` PodMetrics and NodeMetrics through
//! kube-apiserver's aggregation layer (`apiserver/aggregator.rs`).
//!
//! CPU is a rate, so a container has a metric only once two scrapes of the same container
//! instance exist; the window is the time between them and the timestamp the later one's. A pod
//! is listed only when every container has one. That is why `kubectl top` answers
//! `error: metrics not available yet` for about 15 to 30 s after pods start, and why the HPA
//! counts a freshly Ready pod only a window after it became Ready.
//!
//! ```text
//! t=15s scrape: web-1 running (1st point)     → no PodMetrics
//! t=30s scrape: web-1 running (2nd point)     → web-1 cpu 1m, window 15s, timestamp t=30s
//! ```
//!
//! The scrape talks to kubelets, not to kube-apiserver, so it makes no API request; the reads of
//! its metrics are API requests (traced, authorized) when `kubectl top` or the HPA controller ask.

use super::client::{name_of, ns_of, uid_of};
use super::kubelet::Kubelet;
use super::metrics_load::Loads;
use super::runtime::container::State;
use super::runtime::usage::{baseline, node_overhead, Usage};
use super::Caches;
use crate::apiserver::aggregator::{AggregatedServer, METRICS_GROUP, METRICS_VERSION};
use crate::apiserver::select::{FieldSelector, LabelSelector};
use crate::apiserver::{rfc3339, Request, Status, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `--metric-resolution`: how often metrics-server scrapes.
pub const METRIC_RESOLUTION: Duration = Duration::from_secs(15);
/// Containers whose points are kept (every container of up to ~1000 pods).
const MAX_POINTS: usize = 5_000;

/// One scrape of one container instance.
#[derive(Clone, Copy, Debug)]
struct Point {
    at: Time,
    /// The container's start: a restarted container is a new instance, its counter starts over.
    started: Time,
}

/// What metrics-server serves for a pod.
#[derive(Clone, Debug)]
pub struct PodMetrics {
    pub labels: Value,
    pub timestamp: Time,
    pub window_ms: u64,
    pub containers: Vec<(String, Usage)>,
}

/// What metrics-server serves for a node.
#[derive(Clone, Debug)]
pub struct NodeMetrics {
    pub labels: Value,
    pub timestamp: Time,
    pub window_ms: u64,
    pub usage: Usage,
}

#[derive(Debug)]
pub struct MetricsServer {
    containers: BTreeMap<(String, String), Point>,
    nodes: BTreeMap<String, Time>,
    next_scrape: Time,
    /// What the last scrape made servable, by (namespace, name) and by node name.
    pods: BTreeMap<(String, String), PodMetrics>,
    node_metrics: BTreeMap<String, NodeMetrics>,
}

impl Default for MetricsServer {
    fn default() -> Self {
        MetricsServer {
            containers: BTreeMap::new(),
            nodes: BTreeMap::new(),
            next_scrape: Time(0).after(METRIC_RESOLUTION),
            pods: BTreeMap::new(),
            node_metrics: BTreeMap::new(),
        }
    }
}

impl MetricsServer {
    /// The next scrape: a background timer, it runs only as virtual time passes.
    pub fn next_wake(&self) -> Option<Time> {
        Some(self.next_scrape)
    }

    /// Scrapes every running kubelet when the resolution tick is due.
    pub fn reconcile(&mut self, now: Time, kubelets: &[Kubelet], caches: &Caches, loads: &Loads) {
        if now < self.next_scrape {
            return;
        }
        let period = METRIC_RESOLUTION.0.max(1);
        self.next_scrape = Time((now.as_ms() / period + 1) * period);
        self.scrape(now, kubelets, caches, loads);
    }

    fn scrape(&mut self, now: Time, kubelets: &[Kubelet], caches: &Caches, loads: &Loads) {
        let extra = loads.per_pod(caches);
        let mut points = BTreeMap::new();
        let mut nodes = BTreeMap::new();
        let mut pods = BTreeMap::new();
        let mut node_metrics = BTreeMap::new();
        for k in kubelets.iter().filter(|k| !k.stopped) {
            let mut node_usage = node_overhead(k.spec().control_plane);
            for pod in caches.pods.on_node(k.name()) {
                let uid = uid_of(pod);
                let mut complete = true;
                let mut containers = Vec::new();
                let mut window_ms = METRIC_RESOLUTION.0;
                for (i, c) in pod["spec"]["containers"].as_array().into_iter().flatten().enumerate() {
                    let name = c["name"].as_str().unwrap_or("");
                    let started = match k.container(uid, name).map(|c| &c.state) {
                        Some(State::Running { started, .. }) => *started,
                        _ => {
                            complete = false;
                            continue;
                        }
                    };
                    let mut usage = baseline(c["image"].as_str().unwrap_or(""), &format!("{uid}/{name}"));
                    if i == 0 {
                        usage = usage.plus(extra.get(uid).copied().unwrap_or_default());
                    }
                    node_usage = node_usage.plus(usage);
                    let key = (uid.to_string(), name.to_string());
                    match self.containers.get(&key) {
                        Some(prev) if prev.started == started => {
                            window_ms = now.as_ms().saturating_sub(prev.at.as_ms());
                            containers.push((name.to_string(), usage));
                        }
                        _ => complete = false,
                    }
                    if points.len() < MAX_POINTS {
                        points.insert(key, Point { at: now, started });
                    }
                }
                if complete && !containers.is_empty() {
                    let labels = pod["metadata"]["labels"].clone();
                    pods.insert((ns_of(pod).to_string(), name_of(pod).to_string()), PodMetrics { labels, timestamp: now, window_ms, containers });
                }
            }
            if let Some(prev) = self.nodes.get(k.name()) {
                let labels = caches.nodes.get("", k.name()).map(|n| n["metadata"]["labels"].clone()).unwrap_or(Value::Null);
                let window_ms = now.as_ms().saturating_sub(prev.as_ms());
                node_metrics.insert(k.name().to_string(), NodeMetrics { labels, timestamp: now, window_ms, usage: node_usage });
            }
            nodes.insert(k.name().to_string(), now);
        }
        self.containers = points;
        self.nodes = nodes;
        self.pods = pods;
        self.node_metrics = node_metrics;
    }

    /// The API this server answers, as of `now` (`creationTimestamp` is the time of the read).
    pub fn api(&self, now: Time) -> MetricsApi<'_> {
        MetricsApi { server: self, now }
    }
}

/// metrics-server's API handlers over the last scrape.
pub struct MetricsApi<'a> {
    server: &'a MetricsServer,
    now: Time,
}

/// A Go `time.Duration` string for whole milliseconds: `15s`, `14.5s`, `1m0s`.
pub fn go_duration(ms: u64) -> String {
    let secs = ms / 1000;
    let frac = ms % 1000;
    let s = if frac == 0 { format!("{}s", secs % 60) } else { format!("{}.{}s", secs % 60, format!("{frac:03}").trim_end_matches('0')) };
    match secs / 60 {
        0 => s,
        m if m < 60 => format!("{m}m{s}"),
        m => format!("{}h{}m{s}", m / 60, m % 60),
    }
}

/// metrics-server's quantities: CPU from nanocores (canonical, so `250m`), memory from bytes
/// in binary SI (`10244Ki`).
pub fn usage_json(u: Usage) -> Value {
    use crate::apiserver::admission::quantity::Quantity;
    let cpu = Quantity::parse(&format!("{}m", u.cpu_milli)).map_or_else(|| "0".to_string(), |q| q.to_string());
    let memory = Quantity::parse(&format!("{}Ki", u.memory_bytes / 1024)).map_or_else(|| "0".to_string(), |q| q.to_string());
    json!({"cpu": cpu, "memory": memory})
}

fn not_allowed() -> Status {
    Status { code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource".into() }
}

impl MetricsApi<'_> {
    fn pod_json(&self, ns: &str, name: &str, m: &PodMetrics) -> Value {
        let mut meta = json!({"name": name, "namespace": ns, "creationTimestamp": rfc3339(self.now)});
        if !m.labels.is_null() {
            meta["labels"] = m.labels.clone();
        }
        let containers: Vec<Value> = m.containers.iter().map(|(n, u)| json!({"name": n, "usage": usage_json(*u)})).collect();
        json!({"metadata": meta, "timestamp": rfc3339(m.timestamp), "window": go_duration(m.window_ms), "containers": containers})
    }

    fn node_json(&self, name: &str, m: &NodeMetrics) -> Value {
        let mut meta = json!({"name": name, "creationTimestamp": rfc3339(self.now)});
        if !m.labels.is_null() {
            meta["labels"] = m.labels.clone();
        }
        json!({"metadata": meta, "timestamp": rfc3339(m.timestamp), "window": go_duration(m.window_ms), "usage": usage_json(m.usage)})
    }

    fn list(&self, kind: &str, items: Vec<Value>, req: &Request) -> Result<Value, Status> {
        let labels = LabelSelector::parse(&req.list.label_selector).map_err(Status::bad_request)?;
        let fields = FieldSelector::parse(&req.list.field_selector, req.kind.resource).map_err(Status::bad_request)?;
        let items: Vec<Value> = items.into_iter().filter(|i| labels.matches_object(i) && fields.matches(i)).collect();
        Ok(json!({"kind": format!("{kind}List"), "apiVersion": format!("{METRICS_GROUP}/{METRICS_VERSION}"), "metadata": {}, "items": items}))
    }
}

fn with_type(mut item: Value, kind: &str) -> Value {
    if let Some(o) = item.as_object_mut() {
        o.insert("kind".into(), json!(kind));
        o.insert("apiVersion".into(), json!(format!("{METRICS_GROUP}/{METRICS_VERSION}")));
    }
    item
}

impl AggregatedServer for MetricsApi<'_> {
    fn api_service(&self) -> String {
        format!("{METRICS_VERSION}.{METRICS_GROUP}")
    }

    fn service(&self) -> String {
        "kube-system/metrics-server".into()
    }

    fn serve(&self, req: &Request) -> Result<Value, Status> {
        // metrics-server names the kind, and a pod by namespace/name: `podmetrics.metrics.k8s.io "default/web" not found`.
        let not_found = || match req.kind.namespaced {
            true => Status::not_found(&format!("podmetrics.{METRICS_GROUP}"), &format!("{}/{}", req.namespace, req.name)),
            false => Status::not_found(&format!("nodemetrics.{METRICS_GROUP}"), &req.name),
        };
        match (req.kind.kind, req.verb) {
            ("PodMetrics", Verb::List) => {
                let items = self.server.pods.iter().filter(|((ns, _), _)| req.namespace.is_empty() || *ns == req.namespace).map(|((ns, n), m)| self.pod_json(ns, n, m)).collect();
                self.list("PodMetrics", items, req)
            }
            ("PodMetrics", Verb::Get) => {
                let m = self.server.pods.get(&(req.namespace.clone(), req.name.clone())).ok_or_else(not_found)?;
                Ok(with_type(self.pod_json(&req.namespace, &req.name, m), "PodMetrics"))
            }
            ("NodeMetrics", Verb::List) => {
                let items = self.server.node_metrics.iter().map(|(n, m)| self.node_json(n, m)).collect();
                self.list("NodeMetrics", items, req)
            }
            ("NodeMetrics", Verb::Get) => {
                let m = self.server.node_metrics.get(&req.name).ok_or_else(not_found)?;
                Ok(with_type(self.node_json(&req.name, m), "NodeMetrics"))
            }
            _ => Err(not_allowed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_quantities_print_as_metrics_server_does() {
        assert_eq!(go_duration(15_000), "15s");
        assert_eq!(go_duration(14_500), "14.5s");
        assert_eq!(go_duration(60_000), "1m0s");
        let u = usage_json(Usage { cpu_milli: 250, memory_bytes: 10 * 1024 * 1024 });
        assert_eq!(u, json!({"cpu": "250m", "memory": "10Mi"}));
        assert_eq!(usage_json(Usage { cpu_milli: 1000, memory_bytes: 3080 * 1024 })["cpu"], "1");
        assert_eq!(usage_json(Usage::default()), json!({"cpu": "0", "memory": "0"}));
    }

    #[test]
    fn the_first_scrape_is_at_the_resolution() {
        let m = MetricsServer::default();
        assert_eq!(m.next_wake(), Some(Time(15_000)));
    }
}
