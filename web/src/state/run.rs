//! A command run in slices, so the page never blocks while the cluster works.
//!
//! `kubectl apply` of a 10-replica Deployment sets off about a thousand kernel events (the
//! Deployment and ReplicaSet controllers, the scheduler, ten kubelets, their status updates). Run
//! to idle in one go that is one browser task of a few hundred milliseconds, in which the page
//! neither paints nor answers a key. So a command the learner gives only *starts* here: it is
//! submitted (its files read, its record in the trace), and the page then sends
//! [`Action::Continue`](super::Action::Continue) between frames, each running a bounded slice of
//! kernel events with [`Cluster::run_slice`](kubeplay::Cluster::run_slice) and re-deriving the
//! views, so the map fills in as the pods come up. The slices step exactly the events one
//! `run_until_idle` would, so the trace, and a replay of the session, are the same either way.
//!
//! A slice ends after its event count or, when the page has set a clock ([`set_slice_clock`]),
//! after the first event that takes it past [`SLICE_BUDGET_MS`]: event costs vary by a thousand
//! times (an idle kubelet's sync against a ReplicaSet sync creating 500 pods), so a count guessed
//! from the last slice either overshoots into a long task or cuts a small command into many
//! slices, each paying a refresh and a render. Where a slice is cut never changes what runs.
//!
//! While a command runs, the views follow it live; stepping the timeline still works. A new
//! command, an apply, a fork or a reset first finishes the one running (synchronously), as a
//! terminal runs one command after the other.
//!
//! A `kubectl get -w` stays open once the cluster is idle (the page's cluster sets
//! `Config::open_watches`): its terminal entry grows after every action as the stream prints what
//! later commands (the map's buttons, `run 30s`) change, until Ctrl+C ([`Action::Interrupt`](super::Action::Interrupt)),
//! recorded in the session as [`INTERRUPT`] so a replay ends it at the same point.

use super::session::INTERRUPT;
use super::{pipeline, reads_stdin, Input, Playground, MAX_INPUTS, MAX_REQUESTS_SHOWN, MAX_TRANSCRIPT};
use kubeplay::cli::Output;
use kubeplay::cluster::CommandId;
use std::cell::Cell;
use std::rc::Rc;

/// Milliseconds of kernel events one slice may run before the page gets the browser back (then
/// the refresh and render of about 10 ms more: the goal is no task over 100 ms, and few slices
/// for a small command, whose Apply is then drawn in one or two).
pub const SLICE_BUDGET_MS: f64 = 40.0;

thread_local! {
    /// The page's `performance.now()`, when set: only where slices are cut depends on it.
    static SLICE_CLOCK: Cell<Option<fn() -> f64>> = const { Cell::new(None) };
}

/// Lets slices end by time (the page sets `performance.now`); without it (native tests) a slice
/// runs exactly the events it is given.
pub fn set_slice_clock(now: fn() -> f64) {
    SLICE_CLOCK.with(|c| c.set(Some(now)));
}

/// Keeps the newest [`MAX_TRANSCRIPT`] entries.
fn push_entry(transcript: &mut Rc<Vec<(String, Output)>>, entry: (String, Output)) {
    let t = Rc::make_mut(transcript);
    t.push(entry);
    if t.len() > MAX_TRANSCRIPT {
        let extra = t.len() - MAX_TRANSCRIPT;
        t.drain(..extra);
    }
}

/// A submitted command the kernel has not finished running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Running {
    pub id: CommandId,
    pub line: String,
    /// The first trace record of the command: the pipeline panel lists its requests from here.
    from_seq: u64,
    /// Kernel events stepped so far by this command's slices.
    pub steps: usize,
    /// Slices run so far (the page's progress; also what makes each slice a new state).
    pub slices: u64,
    /// The command's own output arrived (it finished) while the cluster still works on what it
    /// set off; its terminal entry is shown from then on.
    printed: bool,
}

impl Playground {
    /// Submits `line` (reading `stdin` for `-f -`) without running it: the start of both a
    /// replayed and a sliced run.
    pub(super) fn begin(&mut self, line: &str, stdin: &str) -> Running {
        self.revision_before_last = self.revision + 1;
        let files = super::examples::files(stdin);
        let from_seq = self.cluster.borrow().trace().records().next_back().map_or(0, |r| r.seq + 1);
        let id = self.cluster.borrow_mut().submit(line, &files);
        Running { id, line: line.to_string(), from_seq, steps: 0, slices: 0, printed: false }
    }

    /// Shows a command's output in the terminal once the kernel has it (the command ended; what
    /// it set off may still be running).
    fn print(&mut self, running: &mut Running) {
        if running.printed {
            return;
        }
        let Some(out) = self.cluster.borrow().output(running.id).cloned() else { return };
        running.printed = true;
        self.last = Some((running.line.clone(), out.clone()));
        push_entry(&mut self.transcript, (running.line.clone(), out));
    }

    /// After the run: the command's requests for the pipeline panel, its output, the revision.
    pub(super) fn complete(&mut self, mut running: Running) -> Output {
        self.print(&mut running);
        let open = if running.printed { None } else { self.cluster.borrow().running_output(running.id).cloned() };
        if let Some(out) = open {
            // An open `get -w`: its entry shows what it printed so far and grows from here.
            self.last = Some((running.line.clone(), out.clone()));
            push_entry(&mut self.transcript, (running.line.clone(), out));
            self.watching = Some(running.clone());
        } else if !running.printed {
            // The step bound ended the run before the command did.
            let out = Output::fail("error: the command did not finish within kubeplay's step bound\n");
            self.last = Some((running.line.clone(), out.clone()));
            push_entry(&mut self.transcript, (running.line.clone(), out));
        }
        self.requests = Rc::new(pipeline::requests_since(self.cluster.borrow().trace().records(), running.from_seq, MAX_REQUESTS_SHOWN));
        self.revision = self.cluster.borrow().store().revision();
        self.follow_watch();
        self.last.as_ref().map(|(_, out)| out.clone()).unwrap_or_default()
    }

    /// Brings the open `get -w`'s terminal entry up to date with what it has printed; once it
    /// has ended, it is no longer followed.
    pub(super) fn follow_watch(&mut self) {
        let Some(w) = self.watching.clone() else { return };
        let (out, ended) = {
            let cluster = self.cluster.borrow();
            match (cluster.output(w.id), cluster.running_output(w.id)) {
                (Some(out), _) => (out.clone(), true),
                (None, Some(out)) => (out.clone(), false),
                // Its output is no longer kept: nothing more to show.
                (None, None) => (Output::default(), true),
            }
        };
        if ended {
            self.watching = None;
        }
        let at = self.transcript.iter().rposition(|(line, _)| *line == w.line);
        if let Some(i) = at.filter(|i| self.transcript.get(*i).is_some_and(|e| e.1 != out) && !(ended && out == Output::default())) {
            if let Some(entry) = Rc::make_mut(&mut self.transcript).get_mut(i) {
                entry.1 = out.clone();
            }
        }
        if self.last.as_ref().is_some_and(|(line, _)| *line == w.line) {
            if let Some(entry) = self.transcript.iter().rev().find(|(line, _)| *line == w.line) {
                self.last = Some(entry.clone());
            }
        }
    }

    /// Which session inputs a fork at `cursor` keeps: the commands that had finished by then (a
    /// command's id is its place among the inputs that are not Ctrl+C, as each submits once),
    /// and a Ctrl+C when the stream it ended is kept. The stream a Ctrl+C ended is the earlier
    /// command that finished last: every other one had finished before the interrupt.
    pub(super) fn kept_at(&self, cursor: u64) -> Vec<bool> {
        let done: std::collections::BTreeMap<u64, u64> = self
            .cluster
            .borrow()
            .trace()
            .records()
            .filter_map(|r| match r.event {
                kubeplay::trace::Event::CommandDone { id, .. } => Some((id, r.seq)),
                _ => None,
            })
            .collect();
        let open = self.watching.as_ref().map(|w| w.id);
        let mut kept = Vec::with_capacity(self.session.inputs.len());
        // (command id, when it finished, kept) of the inputs so far that are not Ctrl+C.
        let mut commands: Vec<(u64, u64, bool)> = Vec::new();
        for input in &self.session.inputs {
            if input.line == INTERRUPT {
                let ended = commands.iter().max_by_key(|(_, at, _)| *at);
                kept.push(ended.is_some_and(|(_, _, k)| *k));
                continue;
            }
            let id = commands.len() as u64 + 1;
            // A finish no longer in the bounded trace was long before any cursor.
            let at = done.get(&id).copied();
            let keep = match at {
                Some(at) => at <= cursor,
                None => open != Some(id),
            };
            commands.push((id, at.unwrap_or(0), keep));
            kept.push(keep);
        }
        kept
    }

    /// Ctrl+C in the terminal: ends the open `get -w` and records the interrupt in the session.
    pub(super) fn interrupt(&mut self) {
        self.finish_running();
        if self.watching.is_none() {
            return;
        }
        if self.session.inputs.len() >= MAX_INPUTS {
            self.notice = Some(format!("This session holds {MAX_INPUTS} commands, the most a session replays. Export it, then Reset to go on."));
            return;
        }
        self.session.inputs.push(Input { line: INTERRUPT.to_string(), stdin: None });
        self.interrupt_watch();
    }

    /// Ends the open `get -w` (live, or where a replayed session pressed Ctrl+C).
    pub(super) fn interrupt_watch(&mut self) {
        let Some(w) = self.watching.clone() else { return };
        self.cluster.borrow_mut().interrupt(w.id);
        self.follow_watch();
        self.revision = self.cluster.borrow().store().revision();
    }

    /// Starts a command the learner gave and records it in the session; [`Self::continue_run`]
    /// runs it. When the cursor is in the past, history forks there first (the page asks before
    /// sending this).
    pub(super) fn start(&mut self, line: &str) {
        self.finish_running();
        if self.session.inputs.len() >= MAX_INPUTS {
            self.notice = Some(format!("This session holds {MAX_INPUTS} commands, the most a session replays. Export it, then Reset to go on."));
            return;
        }
        if let Some(cursor) = self.cursor {
            self.fork_at(cursor);
        }
        let stdin = reads_stdin(line).then(|| self.editor.clone());
        let running = self.begin(line, stdin.as_deref().unwrap_or(""));
        self.session.inputs.push(Input { line: line.to_string(), stdin });
        self.cursor = None;
        self.running = Some(running);
    }

    /// Runs at most `steps` more kernel events of the command in progress (none: nothing to do),
    /// ending early once the slice has used its time budget (see the module doc).
    pub(super) fn continue_run(&mut self, steps: usize) {
        self.advance(steps, SLICE_CLOCK.with(Cell::get));
    }

    /// Runs at most `steps` more kernel events, and with a clock no longer than the budget.
    fn advance(&mut self, steps: usize, clock: Option<fn() -> f64>) {
        let Some(mut running) = self.running.take() else { return };
        let steps = steps.max(1);
        let over = match clock.filter(|_| steps > 1) {
            None => {
                let over = self.cluster.borrow_mut().run_slice(running.steps, steps).is_some();
                running.steps = running.steps.saturating_add(steps);
                over
            }
            Some(now) => {
                let start = now();
                let mut ran = 0usize;
                loop {
                    // One event at a time: `run_slice` counts the run's earlier events itself.
                    let over = self.cluster.borrow_mut().run_slice(running.steps, 1).is_some();
                    running.steps = running.steps.saturating_add(1);
                    ran += 1;
                    if over || ran >= steps || now() - start >= SLICE_BUDGET_MS {
                        break over;
                    }
                }
            }
        };
        running.slices += 1;
        if over {
            self.complete(running);
        } else {
            self.print(&mut running);
            self.revision = self.cluster.borrow().store().revision();
            self.running = Some(running);
            self.follow_watch();
        }
    }

    /// Runs the command in progress to its end in this task.
    pub(super) fn finish_running(&mut self) {
        self.advance(usize::MAX, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Action, Playground};
    use super::*;
    use yew::Reducible;

    thread_local! {
        static NOW_MS: Cell<f64> = const { Cell::new(0.0) };
    }

    /// A clock that moves 10 ms each time it is read.
    fn ticking() -> f64 {
        NOW_MS.with(|t| {
            t.set(t.get() + 10.0);
            t.get()
        })
    }

    #[test]
    fn a_slice_ends_by_time_and_the_run_is_the_same_however_cut() {
        // Each test runs on its own thread: the clock set here is this test's only.
        set_slice_clock(ticking);
        let mut p = Rc::new(Playground::default()).reduce(Action::Apply).reduce(Action::Continue(1000));
        // Read at the start, then after each event: the fourth event takes it to 40 ms.
        assert_eq!(p.running.as_ref().map(|r| r.steps), Some(4));
        while p.running.is_some() {
            p = p.reduce(Action::Continue(1000));
        }
        let sliced = p.cluster.borrow().trace().render();
        // The same apply in one go, on a thread without the clock.
        let whole = std::thread::spawn(|| {
            let p = Rc::new(Playground::default()).reduce(Action::Apply).reduce(Action::Continue(usize::MAX));
            assert!(p.running.is_none());
            let trace = p.cluster.borrow().trace().render();
            trace
        })
        .join()
        .unwrap();
        assert_eq!(sliced, whole);
    }
}
