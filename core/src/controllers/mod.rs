//! The control plane's components that act on their own: kube-controller-manager's controllers,
//! kube-scheduler and the kubelets. Each acts only through API requests under its own identity
//! and learns only through what its watches deliver (the shared informers in `informer.rs`).
//!
//! The kernel drives them through [`ControlPlane`]: `step` when the store changed or a wake-up
//! came due, `next_wake` for timers. A component never schedules a wake-up unless something will
//! change then, so a cluster at rest is idle.
//!
//! Each step first brings every informer up to date, then lets the components reconcile in a
//! fixed order (service accounts and root CA per namespace, kubelets register and run pods, node lifecycle, deployment, replicaset,
//! scheduler, garbage collector). The controllers are level-triggered: they look at every object
//! of their kind each step and act on the difference between spec and what the caches show.
//! What one component writes in a step, the others see at the next step (1 ms later), the way a
//! watch event reaches another process.
//!
//! ```text
//! kubectl apply deploy/web ─► deployment controller: create rs/web-<hash> (replicas 3)
//!   ─► replicaset controller: create 3 pods (generateName web-<hash>-)
//!   ─► scheduler: filter, score, POST pods/<name>/binding, event Scheduled
//!   ─► kubelet node-N: status ContainerCreating ─(2 s pull)─► Pulled ─(1 s)─► Running, Ready
//!   ─► replicaset controller: status readyReplicas 3 ─► deployment controller: Available
//! ```

mod client;
mod deployment;
mod garbage_collector;
mod hash;
mod informer;
mod kubelet;
mod namespace_bootstrap;
mod node_lifecycle;
mod replicaset;
mod scheduler;
mod scheduler_plugins;

use crate::apiserver::Context;
use crate::sim::Time;
use informer::Informer;

pub use hash::pod_template_hash;

/// The shared informers' caches, one per resource type.
#[derive(Debug)]
pub struct Caches {
    pub nodes: Informer,
    pub pods: Informer,
    pub replicasets: Informer,
    pub deployments: Informer,
    pub namespaces: Informer,
    pub serviceaccounts: Informer,
    pub configmaps: Informer,
}

impl Caches {
    fn new() -> Option<Self> {
        Some(Caches {
            nodes: Informer::new(client::kind("v1", "Node")?),
            pods: Informer::new(client::kind("v1", "Pod")?),
            replicasets: Informer::new(client::kind("apps/v1", "ReplicaSet")?),
            deployments: Informer::new(client::kind("apps/v1", "Deployment")?),
            namespaces: Informer::new(client::kind("v1", "Namespace")?),
            serviceaccounts: Informer::new(client::kind("v1", "ServiceAccount")?),
            configmaps: Informer::new(client::kind("v1", "ConfigMap")?),
        })
    }

    fn sync(&mut self, ctx: &mut Context) {
        self.nodes.sync(ctx);
        self.pods.sync(ctx);
        self.replicasets.sync(ctx);
        self.deployments.sync(ctx);
        self.namespaces.sync(ctx);
        self.serviceaccounts.sync(ctx);
        self.configmaps.sync(ctx);
    }
}

/// Every control-plane component with its state (informer caches, timers).
#[derive(Debug)]
pub struct ControlPlane {
    /// The store revision the components last looked at.
    seen_revision: i64,
    caches: Option<Caches>,
    kubelets: Vec<kubelet::Kubelet>,
    scheduler: scheduler::Scheduler,
    events: client::EventNames,
}

impl Default for ControlPlane {
    fn default() -> Self {
        ControlPlane {
            seen_revision: 0,
            caches: Caches::new(),
            kubelets: kubelet::NODES.iter().cloned().map(kubelet::Kubelet::new).collect(),
            scheduler: scheduler::Scheduler::default(),
            events: client::EventNames::default(),
        }
    }
}

impl ControlPlane {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets every component react to what changed since the last step, or to a timer.
    pub fn step(&mut self, ctx: &mut Context) {
        // What the components write in this step is news for the others: only the revision the
        // caches were synced to counts as seen, so the kernel steps again after our own writes.
        self.seen_revision = ctx.store.revision();
        if let Some(caches) = self.caches.as_mut() {
            caches.sync(ctx);
            let caches = &*caches;
            namespace_bootstrap::reconcile(ctx, caches);
            for k in &mut self.kubelets {
                k.reconcile(ctx, caches, &mut self.events);
            }
            node_lifecycle::reconcile(ctx, caches);
            deployment::reconcile(ctx, caches, &mut self.events);
            replicaset::reconcile(ctx, caches, &mut self.events);
            self.scheduler.reconcile(ctx, caches, &mut self.events);
            garbage_collector::reconcile(ctx, caches);
        }
    }

    /// The next instant a component wants to act with no store change, if any.
    pub fn next_wake(&self) -> Option<Time> {
        self.kubelets.iter().filter_map(kubelet::Kubelet::next_wake).min()
    }

    /// True when the store moved since the components last looked.
    pub fn has_pending(&self, revision: i64) -> bool {
        revision != self.seen_revision
    }
}
