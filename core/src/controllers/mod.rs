//! The control plane's components that act on their own: kube-controller-manager's controllers,
//! kube-scheduler and the kubelets. Each acts only through API requests under its own identity
//! and learns only through what its watches deliver (the shared informers in `informer.rs`).
//!
//! The kernel drives them through [`ControlPlane`]: `step` when the store changed or a wake-up
//! came due, `next_wake` for timers. A component never schedules a wake-up unless something will
//! change then, so a cluster at rest is idle.
//!
//! Each step first brings every informer up to date, then lets the components reconcile in a
//! fixed order (service accounts and root CA per namespace, the namespace controller, kubelets register and run pods, node lifecycle, deployment, replicaset,
//! replication controller, daemonset, statefulset, persistent volume binder and provisioner, scheduler, endpoints, garbage
//! collector). The deployment, replicaset and replication controllers pop keys from work queues their informers' event handlers feed
//! (`workqueue.rs`) and return a decision per key; the others are still level-triggered: they
//! act on the difference between spec and what the caches show. The endpoint, DaemonSet and
//! disruption controllers look only at the objects the step's notifications concern (and those
//! whose last look sent a request); the rest look at every object of their kind each step.
//! What one component writes in a step, the others see at the next step (1 ms later), the way a
//! watch event reaches another process.
//!
//! Both halves are traced: each write the informers deliver is a watch-delivery record naming
//! the processes it reached (`watch_delivery.rs`), and each key a component acts on is a
//! reconcile record, opened by its first request, naming what queued it and closed with the
//! decision (`reconcile.rs`, `trace/reconcile.rs`). A pass that sends nothing is not recorded.
//!
//! ```text
//! kubectl apply deploy/web ─► deployment controller: create rs/web-<hash> (replicas 3)
//!   ─► replicaset controller: create 3 pods (generateName web-<hash>-)
//!   ─► scheduler: filter, score, POST pods/<name>/binding, event Scheduled
//!   ─► kubelet node-N: status ContainerCreating ─(2 s pull)─► Pulled ─(1 s)─► Running, Ready
//!   ─► replicaset controller: status readyReplicas 3 ─► deployment controller: Available
//! ```

mod client;
mod controller_ref_manager;
mod controller_revision;
mod cron_schedule;
mod cronjob;
mod daemonset;
mod deployment;
mod disruption;
mod endpoints;
mod event_correlator;
mod garbage_collector;
mod hash;
mod hpa;
mod hpa_behavior;
mod hpa_metrics;
mod hpa_replicas;
mod informer;
mod job;
mod kube_proxy;
mod kubelet;
mod local_path_provisioner;
pub mod metrics_load;
pub mod metrics_server;
mod namespace;
mod namespace_bootstrap;
mod node_lease;
mod node_lifecycle;
mod node_ops;
mod nodes;
mod persistent_volume;
mod pod_gc;
pub(crate) mod reconcile;
mod replicaset;
mod runtime;
mod scheduler;
/// The filters the DaemonSet controller and the taint eviction controller share with the scheduler.
use scheduler::filters as scheduler_plugins;
mod statefulset;
mod sync_retry;
mod taint_eviction;
mod ttl_after_finished;
mod wake;
mod watch_delivery;
mod workqueue;
pub mod watch_streams;

use crate::apiserver::Context;
use crate::sim::Time;
use informer::Informer;

pub use disruption::set_disruption_allowed_condition;
pub use hash::pod_template_hash;
pub use nodes::{parse_taint, NodeSpec, NodesConfig, MAX_NODES};

/// The shared informers' caches, one per resource type.
#[derive(Debug)]
pub struct Caches {
    pub nodes: Informer,
    pub pods: Informer,
    pub replicasets: Informer,
    pub replicationcontrollers: Informer,
    pub deployments: Informer,
    pub namespaces: Informer,
    pub serviceaccounts: Informer,
    pub configmaps: Informer,
    /// The kubelets' Secret manager reads these (secret volumes, `secretKeyRef`, `envFrom`). Its
    /// watches start with the first pod that refers to a Secret, as the watch-based manager
    /// registers a reflector per referenced object, so a cluster without one never lists them.
    pub secrets: Informer,
    secrets_wanted: bool,
    pub services: Informer,
    pub endpoints: Informer,
    pub endpointslices: Informer,
    pub leases: Informer,
    pub daemonsets: Informer,
    pub statefulsets: Informer,
    pub controllerrevisions: Informer,
    pub pvcs: Informer,
    pub pvs: Informer,
    pub storageclasses: Informer,
    pub jobs: Informer,
    pub cronjobs: Informer,
    pub pdbs: Informer,
    pub hpas: Informer,
}

impl Caches {
    fn new() -> Option<Self> {
        Some(Caches {
            nodes: Informer::new(client::kind("v1", "Node")?),
            pods: Informer::new(client::kind("v1", "Pod")?),
            // The informers whose handlers feed work queues resync (see `informer.rs`).
            replicasets: Informer::new(client::kind("apps/v1", "ReplicaSet")?).with_resync(),
            replicationcontrollers: Informer::new(client::kind("v1", "ReplicationController")?).with_resync(),
            deployments: Informer::new(client::kind("apps/v1", "Deployment")?).with_resync(),
            namespaces: Informer::new(client::kind("v1", "Namespace")?),
            serviceaccounts: Informer::new(client::kind("v1", "ServiceAccount")?),
            configmaps: Informer::new(client::kind("v1", "ConfigMap")?),
            secrets: Informer::new(client::kind("v1", "Secret")?),
            secrets_wanted: false,
            services: Informer::new(client::kind("v1", "Service")?),
            endpoints: Informer::new(client::kind("v1", "Endpoints")?),
            endpointslices: Informer::new(client::kind("discovery.k8s.io/v1", "EndpointSlice")?),
            leases: Informer::new(client::kind("coordination.k8s.io/v1", "Lease")?),
            daemonsets: Informer::new(client::kind("apps/v1", "DaemonSet")?),
            statefulsets: Informer::new(client::kind("apps/v1", "StatefulSet")?),
            controllerrevisions: Informer::new(client::kind("apps/v1", "ControllerRevision")?),
            pvcs: Informer::new(client::kind("v1", "PersistentVolumeClaim")?),
            pvs: Informer::new(client::kind("v1", "PersistentVolume")?),
            storageclasses: Informer::new(client::kind("storage.k8s.io/v1", "StorageClass")?),
            jobs: Informer::new(client::kind("batch/v1", "Job")?),
            cronjobs: Informer::new(client::kind("batch/v1", "CronJob")?),
            pdbs: Informer::new(client::kind("policy/v1", "PodDisruptionBudget")?),
            hpas: Informer::new(client::kind("autoscaling/v2", "HorizontalPodAutoscaler")?),
        })
    }

    /// The resources kube-controller-manager's informers watch, in sync order.
    fn resources(&self) -> Vec<&'static str> {
        [
            &self.nodes, &self.pods, &self.replicasets, &self.replicationcontrollers, &self.deployments, &self.namespaces, &self.serviceaccounts, &self.configmaps,
            &self.services, &self.endpoints, &self.endpointslices, &self.leases, &self.daemonsets, &self.statefulsets,
            &self.controllerrevisions, &self.pvcs, &self.pvs, &self.storageclasses, &self.jobs, &self.cronjobs, &self.pdbs, &self.hpas,
        ]
        .iter()
        .map(|i| i.kind.resource)
        .collect()
    }

    /// The next informer resync, which runs as virtual time passes.
    fn next_resync(&self) -> Option<Time> {
        self.replicasets.next_resync().into_iter().chain(self.replicationcontrollers.next_resync()).chain(self.deployments.next_resync()).min()
    }

    /// Brings every cache up to date; returns what the watches delivered.
    fn sync(&mut self, ctx: &mut Context) -> Vec<informer::Delivered> {
        let mut delivered = Vec::new();
        delivered.extend(self.nodes.sync(ctx));
        delivered.extend(self.pods.sync(ctx));
        delivered.extend(self.replicasets.sync(ctx));
        delivered.extend(self.replicationcontrollers.sync(ctx));
        delivered.extend(self.deployments.sync(ctx));
        delivered.extend(self.namespaces.sync(ctx));
        delivered.extend(self.serviceaccounts.sync(ctx));
        delivered.extend(self.configmaps.sync(ctx));
        // Only the pods this sync added or changed can be the first to refer to a Secret.
        self.secrets_wanted = self.secrets_wanted
            || self.pods.notifications().iter().filter(|n| !matches!(n, informer::Notification::Deleted { .. })).filter_map(|n| self.pods.object_of(n)).any(runtime::config::refers_to_secret);
        if self.secrets_wanted {
            delivered.extend(self.secrets.sync(ctx));
        }
        delivered.extend(self.services.sync(ctx));
        delivered.extend(self.endpoints.sync(ctx));
        delivered.extend(self.endpointslices.sync(ctx));
        delivered.extend(self.leases.sync(ctx));
        delivered.extend(self.daemonsets.sync(ctx));
        delivered.extend(self.statefulsets.sync(ctx));
        delivered.extend(self.controllerrevisions.sync(ctx));
        delivered.extend(self.pvcs.sync(ctx));
        delivered.extend(self.pvs.sync(ctx));
        delivered.extend(self.storageclasses.sync(ctx));
        delivered.extend(self.jobs.sync(ctx));
        delivered.extend(self.cronjobs.sync(ctx));
        delivered.extend(self.pdbs.sync(ctx));
        delivered.extend(self.hpas.sync(ctx));
        delivered
    }

    /// Whether an informer a kubelet or the node lifecycle controller reads listed in the last
    /// sync: its objects came without deliveries, so every node is woken.
    fn listed_for_nodes(&self) -> bool {
        [&self.pods, &self.nodes, &self.leases, &self.configmaps].iter().any(|i| i.listed()) || (self.secrets_wanted && self.secrets.listed())
    }
}

/// Every control-plane component with its state (informer caches, timers).
#[derive(Debug)]
pub struct ControlPlane {
    /// The store revision the components last looked at.
    seen_revision: i64,
    caches: Option<Caches>,
    kubelets: Vec<kubelet::Kubelet>,
    /// The kubelets' positions in name order (`watch_streams::name_order`), made again when a
    /// machine is added or removed.
    kubelets_by_name: Vec<usize>,
    scheduler: scheduler::Scheduler,
    replicasets: replicaset::ReplicaSetController,
    /// The same controller over ReplicationControllers (`replicationmanager`).
    replication_manager: replicaset::ReplicaSetController,
    deployments: deployment::DeploymentController,
    events: client::EventNames,
    node_lifecycle: node_lifecycle::NodeLifecycleController,
    garbage_collector: garbage_collector::GarbageCollector,
    taint_eviction: taint_eviction::TaintEvictionController,
    pod_gc: pod_gc::PodGcController,
    /// One kube-proxy per machine.
    proxies: Vec<crate::proxy::KubeProxy>,
    daemonsets: daemonset::DaemonSetController,
    statefulsets: statefulset::StatefulSetController,
    persistent_volumes: persistent_volume::PersistentVolumeController,
    jobs: job::JobController,
    cronjobs: cronjob::CronJobController,
    disruption: disruption::DisruptionController,
    ttl_after_finished: ttl_after_finished::TtlAfterFinishedController,
    /// metrics-server, scraping the kubelets every 15 s (`metrics_server.rs`).
    metrics_server: metrics_server::MetricsServer,
    /// The load the learner drives from outside (`load` builtin, `metrics_load.rs`).
    loads: metrics_load::Loads,
    hpa: hpa::HpaController,
    /// Empties namespaces being deleted, then finalizes them (`namespace.rs`).
    namespaces: namespace::NamespaceController,
    /// The EndpointSlice and Endpoints controllers (`endpoints.rs`).
    endpoints: endpoints::EndpointsController,
}

impl Default for ControlPlane {
    fn default() -> Self {
        Self::with_nodes(nodes::initial_nodes(&NodesConfig::default()))
    }
}

impl ControlPlane {
    /// A control plane whose kubelets run these nodes.
    pub fn with_nodes(nodes: Vec<NodeSpec>) -> Self {
        let kubelets: Vec<kubelet::Kubelet> = nodes.into_iter().take(nodes::MAX_CONFIGURED_NODES).map(kubelet::Kubelet::new).collect();
        ControlPlane {
            seen_revision: 0,
            caches: Caches::new(),
            kubelets_by_name: watch_streams::name_order(kubelets.iter().map(kubelet::Kubelet::name)),
            kubelets,
            scheduler: scheduler::Scheduler::default(),
            replicasets: replicaset::ReplicaSetController::default(),
            replication_manager: replicaset::ReplicaSetController::new(replicaset::REPLICATION_CONTROLLER),
            deployments: deployment::DeploymentController::default(),
            events: client::EventNames::default(),
            node_lifecycle: Default::default(),
            garbage_collector: Default::default(),
            taint_eviction: Default::default(),
            pod_gc: Default::default(),
            proxies: Vec::new(),
            daemonsets: Default::default(),
            statefulsets: Default::default(),
            persistent_volumes: Default::default(),
            jobs: Default::default(),
            cronjobs: Default::default(),
            disruption: Default::default(),
            ttl_after_finished: Default::default(),
            metrics_server: Default::default(),
            loads: Default::default(),
            hpa: Default::default(),
            namespaces: Default::default(),
            endpoints: Default::default(),
        }
    }

    pub fn new() -> Self {
        Self::default()
    }

    /// The watch streams the cluster's processes hold open now (`watch_streams.rs`).
    pub fn watch_streams(&self) -> Vec<watch_streams::Stream> {
        let resources = self.caches.as_ref().map(Caches::resources).unwrap_or_default();
        let machines: Vec<_> = self.kubelets.iter().map(|k| watch_streams::Machine { name: k.name(), kubelet_running: !k.stopped }).collect();
        watch_streams::streams(&resources, &machines)
    }

    /// Lets every component react to what changed since the last step, or to a timer.
    pub fn step(&mut self, ctx: &mut Context) {
        // What the components write in this step is news for the others: only the revision the
        // caches were synced to counts as seen, so the kernel steps again after our own writes.
        self.seen_revision = ctx.store.revision();
        if let Some(caches) = self.caches.as_mut() {
            // One watch-delivery record per write; what they queued is each reconcile's trigger,
            // and every request a component sends from here on names its reconcile as its cause.
            let mut delivered = caches.sync(ctx);
            watch_delivery::queue_services(&mut delivered, &caches.services);
            let woken = wake::Woken::of(&delivered, caches.listed_for_nodes());
            let machines: Vec<_> = self.kubelets.iter().map(|k| watch_delivery::Machine { name: k.name(), kubelet_running: !k.stopped }).collect();
            let queued = watch_delivery::deliver(ctx, delivered, &machines, &self.kubelets_by_name);
            ctx.trace.begin_reconciles(queued, self.seen_revision);
            let caches = &*caches;
            let pod_news = wake::PodNews::of(&caches.pods);
            namespace_bootstrap::reconcile(ctx, caches);
            self.namespaces.reconcile(ctx, caches);
            // Which kubelets the step's news concerns, by position: a search of the name order
            // per node with news, rather than two set lookups for each of (at 5,000 nodes) every
            // kubelet at every step.
            let (woken_at, news_at) = {
                let kubelets = &self.kubelets;
                let at = |name: &str| watch_streams::position_by_name(kubelets.len(), &self.kubelets_by_name, |i| kubelets[i].name(), name);
                let mut woken_at = vec![woken.everything(); kubelets.len()];
                let mut news_at = vec![false; kubelets.len()];
                woken.nodes().filter_map(at).for_each(|i| woken_at[i] = true);
                pod_news.nodes().filter_map(at).for_each(|i| news_at[i] = true);
                (woken_at, news_at)
            };
            for (i, k) in self.kubelets.iter_mut().enumerate() {
                if woken_at[i] || k.due(ctx.now) {
                    let sent = *ctx.next_request_id;
                    k.reconcile(ctx, caches, &mut self.events, woken.everything(), pod_news.node(k.name()));
                    k.busy = *ctx.next_request_id != sent;
                } else if news_at[i] {
                    k.missed_pods();
                }
            }
            self.node_lifecycle.reconcile(ctx, caches, &mut self.events, &woken);
            // It runs as `node-controller`, as kube-controller-manager's taint manager does.
            ctx.trace.reconciling_as(Some("taint-eviction-controller"));
            self.taint_eviction.reconcile(ctx, caches, &mut self.events);
            ctx.trace.reconciling_as(None);
            self.pod_gc.reconcile(ctx, caches);
            self.deployments.reconcile(ctx, caches, &mut self.events);
            self.replicasets.reconcile(ctx, caches, &mut self.events);
            self.replication_manager.reconcile(ctx, caches, &mut self.events);
            self.daemonsets.reconcile(ctx, caches, &mut self.events);
            self.statefulsets.reconcile(ctx, caches, &mut self.events);
            self.disruption.reconcile(ctx, caches, &mut self.events);
            self.persistent_volumes.reconcile(ctx, caches, &mut self.events);
            // kind's provisioner is its own pod; here it borrows the volume binder's identity.
            ctx.trace.reconciling_as(Some("local-path-provisioner"));
            local_path_provisioner::reconcile(ctx, caches, &mut self.events);
            ctx.trace.reconciling_as(None);
            self.cronjobs.reconcile(ctx, caches, &mut self.events);
            self.jobs.reconcile(ctx, caches, &mut self.events);
            self.ttl_after_finished.reconcile(ctx, caches);
            let now = ctx.now;
            self.metrics_server.reconcile(now, &self.kubelets, caches, &self.loads);
            self.hpa.reconcile(ctx, caches, &mut self.events, &self.metrics_server.api(now));
            self.scheduler.reconcile(ctx, caches, &mut self.events);
            self.endpoints.reconcile(ctx, caches);
            kube_proxy::sync(&mut self.proxies, &self.kubelets, ctx, caches);
            self.garbage_collector.reconcile(ctx, caches);
            ctx.trace.end_reconciles();
        }
    }

    /// The next instant a component wants to act with no store change, if any: work in
    /// progress that a command waits for (pulls, starts, backoffs).
    pub fn next_wake(&self) -> Option<Time> {
        self.kubelets
            .iter()
            .filter_map(kubelet::Kubelet::next_wake)
            .chain(self.replicasets.next_wake())
            .chain(self.replication_manager.next_wake())
            .chain(self.deployments.next_wake())
            .chain(self.scheduler.next_wake())
            .chain(self.namespaces.next_wake())
            .chain(self.daemonsets.next_wake())
            .chain(self.statefulsets.next_wake())
            .min()
    }

    /// The timers that run only as virtual time passes (`run 1m`): heartbeats, the node
    /// monitor's grace period, eviction after `tolerationSeconds`, pod GC's quarantine.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.kubelets
            .iter()
            .filter_map(kubelet::Kubelet::next_heartbeat)
            .chain(self.scheduler.next_background_wake())
            .chain(self.kubelets.iter().filter_map(kubelet::Kubelet::next_runtime_timer))
            .chain(self.node_lifecycle.next_wake())
            .chain(self.taint_eviction.next_wake())
            .chain(self.pod_gc.next_wake())
            .chain(self.jobs.next_timer())
            .chain(self.cronjobs.next_timer())
            .chain(self.disruption.next_timer())
            .chain(self.ttl_after_finished.next_timer())
            .chain(self.metrics_server.next_wake())
            .chain(self.hpa.next_timer())
            .chain(self.deployments.next_background_wake())
            .chain(self.replicasets.next_background_wake())
            .chain(self.replication_manager.next_background_wake())
            .chain(self.namespaces.next_background_wake())
            .chain(self.daemonsets.next_background_wake())
            .chain(self.statefulsets.next_background_wake())
            .chain(self.caches.as_ref().and_then(Caches::next_resync))
            .min()
    }

    /// The lines a container on `node` has written by `now` (its previous instance's with
    /// `previous`), the last `tail` of them: what the kubelet serves at `/containerLogs`.
    pub fn container_log(&self, node: &str, pod_uid: &str, container: &str, previous: bool, now: Time, tail: Option<usize>) -> Option<Vec<String>> {
        let c = self.kubelets.iter().find(|k| k.name() == node)?.container(pod_uid, container)?;
        let log = if previous { c.previous.as_ref()? } else { &c.logs };
        Some(log.visible(now, tail).into_iter().map(str::to_string).collect())
    }

    /// Runs `argv` in a container on `node`, as that kubelet's `/exec` does: `None` when the
    /// container is not running there.
    pub fn exec(&self, node: &str, pod: &serde_json::Value, container: &str, argv: &[String], now: Time) -> Option<runtime::exec::Ran> {
        let field = |f: &str| pod["metadata"][f].as_str().unwrap_or("");
        let c = self.kubelets.iter().find(|k| k.name() == node)?.container(field("uid"), container)?;
        let runtime::container::State::Running { started, .. } = &c.state else { return None };
        let session = runtime::exec::Session {
            pod_name: field("name"),
            namespace: field("namespace"),
            pod_ip: pod["status"]["podIP"].as_str().unwrap_or(""),
            image: &c.image,
            env: &c.env,
            files: &c.files,
            at_ms: now.as_ms().saturating_sub(started.as_ms()),
            now_ms: now.as_ms(),
        };
        Some(runtime::exec::run(argv, &session))
    }

    /// metrics-server's API as of `now`, for requests kube-apiserver proxies to it.
    pub fn metrics_api(&self, now: Time) -> metrics_server::MetricsApi<'_> {
        self.metrics_server.api(now)
    }

    /// The load the learner drives from outside the cluster (`load` builtin).
    pub fn loads_mut(&mut self) -> &mut metrics_load::Loads {
        &mut self.loads
    }

    /// True when the store moved since the components last looked.
    pub fn has_pending(&self, revision: i64) -> bool {
        revision != self.seen_revision
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n";

    fn run(seed: u64) -> (Cluster, String) {
        let mut cluster = Cluster::new(Config { seed, ..Config::default() });
        let files = MemoryFiles::new().with("web.yaml", WEB);
        cluster.execute("kubectl apply -f web.yaml", &files);
        let out = cluster.execute("kubectl get pods -o wide", &files);
        (cluster, out.stdout)
    }

    #[test]
    fn an_applied_deployment_settles_and_the_cluster_goes_idle() {
        let (mut cluster, pods) = run(1);
        // Running needs the API server's pods/binding; the transcripts show it. Here: the pods.
        assert_eq!(pods.lines().filter(|l| l.starts_with("web-")).count(), 3, "{pods}");
        // Nothing is due any more: no periodic wake-ups.
        let before = cluster.now();
        let outcome = cluster.run_until_idle();
        assert!(outcome.idle);
        assert_eq!(outcome.steps, 0);
        assert_eq!(cluster.now(), before);
    }

    #[test]
    fn a_pod_the_api_server_refuses_is_retried_with_backoff_as_long_as_time_passes() {
        // No PriorityClass `missing`: Priority admission rejects every pod create.
        let manifest = WEB.replace("    spec:\n      containers:", "    spec:\n      priorityClassName: missing\n      containers:");
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("web.yaml", manifest);
        let start = cluster.now().as_ms();
        cluster.execute("kubectl apply -f web.yaml", &files);
        let outcome = cluster.run_until_idle();
        assert!(outcome.idle && outcome.steps == 0);
        // The same failure is one Event whose count the recorder raises (`events_cache.go`).
        let failed = |c: &mut Cluster| {
            let counts = c.execute("kubectl get events --field-selector reason=FailedCreate -o custom-columns=COUNT:.count --no-headers", &files).stdout;
            counts.lines().filter_map(|l| l.trim().parse::<usize>().ok()).sum::<usize>()
        };
        // The first try and the quick retries a command waits for: 5 ms doubling to 640 ms.
        assert_eq!(failed(&mut cluster), 9);
        assert!(cluster.now().as_ms() - start < 2_000, "{}", cluster.now());
        // Each failed sync's reconcile record says when the key comes back, and why.
        let trace = cluster.trace().render();
        let forbidden = "is forbidden: no PriorityClass with name missing was found";
        for after in ["5ms", "10ms", "640ms", "1.28s"] {
            let line = trace.lines().find(|l| l.contains(&format!("; requeued after {after}: pods \"web-"))).unwrap_or("");
            assert!(line.contains("replicaset-controller reconcile replicasets default/web-") && line.ends_with(forbidden), "{after}: {trace}");
        }
        // As time passes the retries go on further apart: 1.28 s, 2.56 s, 5.12 s, 10.24 s, 20.48 s.
        cluster.execute("run 1m", &files);
        assert_eq!(failed(&mut cluster), 9 + 5);
    }

    #[test]
    fn deliveries_and_reconciles_are_records_that_do_not_multiply_the_trace() {
        use crate::trace::{Event, Trigger};
        let mut cluster = Cluster::new(Config::default());
        let start = cluster.trace().records().next_back().map_or(0, |r| r.seq + 1);
        let files = MemoryFiles::new().with("web.yaml", WEB.replace("replicas: 3", "replicas: 10"));
        cluster.execute("kubectl apply -f web.yaml", &files);
        let records: Vec<_> = cluster.trace().records().filter(|r| r.seq >= start).collect();
        let count = |f: &dyn Fn(&Event) -> bool| records.iter().filter(|r| f(&r.event)).count();
        let writes = count(&|e| matches!(e, Event::StoreWrite { .. }));
        let deliveries = count(&|e| matches!(e, Event::Watch { .. }));
        let reconciles = count(&|e| matches!(e, Event::Reconcile { .. }));
        // One delivery per write at most however many watchers; one reconcile per key acted on.
        assert!(deliveries <= writes, "{deliveries} deliveries for {writes} writes");
        assert!((deliveries + reconciles) * 4 <= records.len(), "{deliveries} + {reconciles} of {}", records.len());
        let decision = |resource: &str| {
            records.iter().find_map(|r| match &r.event {
                Event::Reconcile { resource: res, decision, trigger, .. } if res == resource => Some((decision.to_string(), trigger.clone())),
                _ => None,
            })
        };
        let (rs, trigger) = decision("replicasets").expect("a replicaset reconcile");
        assert!(rs.starts_with("created 10 pods, recorded 10 events"), "{rs}");
        assert!(matches!(trigger, Trigger::Watch { .. }), "{trigger:?}");
        let (deploy, _) = decision("deployments").expect("a deployment reconcile");
        assert!(deploy.contains("created replicasets/web-"), "{deploy}");
        // Every component's request names a reconcile of this step as its cause.
        let reconcile_seqs: Vec<u64> = records.iter().filter(|r| matches!(r.event, Event::Reconcile { .. })).map(|r| r.seq).collect();
        for r in &records {
            if let Event::Request { user, cause, .. } = &r.event {
                if user.starts_with("system:serviceaccount:") || user.starts_with("system:node:") || user == "system:kube-scheduler" {
                    assert!(cause.is_some_and(|c| reconcile_seqs.contains(&c)), "{r}");
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_trace() {
        let render = |c: &Cluster| c.trace().records().map(|r| r.to_string()).collect::<Vec<_>>().join("\n");
        let (a, pods_a) = run(7);
        let (b, pods_b) = run(7);
        assert_eq!(pods_a, pods_b);
        assert_eq!(render(&a), render(&b));
        let (_, pods_c) = run(8);
        assert_ne!(pods_a, pods_c, "pod names come from the seeded RNG");
    }
}
