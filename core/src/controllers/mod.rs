//! The control plane's components that act on their own: kube-controller-manager's controllers
//! (and, as they arrive, the scheduler, kubelets and kube-proxy). Each acts only through API
//! requests under its own identity and learns only through what its watches deliver.
//!
//! The kernel drives them through [`ControlPlane`]: `step` when the store changed or a wake-up
//! came due, `next_wake` for timers. A component never schedules a wake-up unless something will
//! change then, so a cluster at rest is idle.

mod namespace_bootstrap;

use crate::apiserver::Context;
use crate::sim::Time;

/// Every control-plane component with its state (informer caches, work queues, timers).
#[derive(Debug, Default)]
pub struct ControlPlane {
    /// The store revision the components last looked at.
    seen_revision: i64,
}

impl ControlPlane {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets every component react to what changed since the last step.
    pub fn step(&mut self, ctx: &mut Context) {
        let revision = ctx.store.revision();
        if revision == self.seen_revision {
            return;
        }
        namespace_bootstrap::reconcile(ctx, None);
        self.seen_revision = ctx.store.revision();
    }

    /// The next instant a component wants to act with no store change, if any.
    pub fn next_wake(&self) -> Option<Time> {
        None
    }

    /// True when the store moved since the components last looked.
    pub fn has_pending(&self, revision: i64) -> bool {
        revision != self.seen_revision
    }
}
