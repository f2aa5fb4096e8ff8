//! The TTL-after-finished controller (`pkg/controller/ttlafterfinished`): deletes a finished Job
//! (`Complete` or `Failed`) `ttlSecondsAfterFinished` seconds after it finished, with foreground
//! propagation so its pods go first. Its timers run only as time passes.

use super::client::{self, name_of, ns_of, uid_of};
use super::job::{finish_time, is_finished_job};
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, Context, Propagation, Request, Verb};
use crate::sim::{Duration, Time};

const NAME: &str = "ttl-after-finished-controller";

#[derive(Debug, Default)]
pub struct TtlAfterFinishedController {
    next: Option<Time>,
}

impl TtlAfterFinishedController {
    pub fn next_timer(&self) -> Option<Time> {
        self.next
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches) {
        self.next = None;
        let Some(job_kind) = client::kind("batch/v1", "Job") else { return };
        let user = client::controller(NAME);
        for job in caches.jobs.values().filter(|j| !is_terminating(j) && is_finished_job(j)) {
            let (Some(ttl), Some(done)) = (job["spec"]["ttlSecondsAfterFinished"].as_i64(), finish_time(job)) else { continue };
            let due = done.after(Duration::from_secs(ttl.max(0) as u64));
            if due > ctx.now {
                self.next = Some(self.next.map_or(due, |n| n.min(due)));
                continue;
            }
            let mut req = Request::new(Verb::Delete, job_kind, ns_of(job), name_of(job));
            req.user = user.clone();
            req.delete.propagation = Some(Propagation::Foreground);
            req.delete.precondition_uid = Some(uid_of(job).to_string());
            handle(ctx, &req);
        }
    }
}
