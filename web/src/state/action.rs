//! What the learner can do on the page, and how each action changes the playground: Yew's
//! reducer (`Reducible`) over [`Playground`], which runs the command or moves the cursor and
//! then re-derives the views.

use super::session::{self, Session};
use super::{as_persona, timeline, Playground};
use kubeplay::trace::Record;
use std::rc::Rc;
use yew::Reducible;

/// One thing the learner did (or the page did for them, such as the next slice of a run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The learner edited the manifest.
    Edit(String),
    /// Apply the editor's manifest (`kubectl apply -f -`).
    Apply,
    /// Run a command line typed in the terminal (kubectl or etcdctl; `-f -` reads the editor).
    Run(String),
    /// `kubectl apply -f - --dry-run=server`: every stage but the write.
    DryRun,
    /// Move the cursor to a trace record (clamped to the records kept).
    Seek(u64),
    /// One record back or forward.
    StepBack,
    StepForward,
    /// To the first record of the previous or next request.
    PrevRequest,
    NextRequest,
    /// Back to the newest record: the views follow the cluster as it changes.
    Live,
    /// Act as another user from now on.
    SwitchPersona(String),
    /// Select an etcd key for the object inspector.
    SelectKey(String),
    /// Start over: a new cluster, no commands.
    Reset,
    /// Replace the whole session (import, a shared link).
    Load(Session),
    /// Run at most this many more kernel events of the command in progress (see `run.rs`).
    Continue(usize),
    /// Ctrl+C in the terminal: end the open `kubectl get -w` (see `run.rs`).
    Interrupt,
}

impl Playground {
    fn seek(&mut self, seq: u64) {
        self.cursor = if seq >= self.last_seq { None } else { Some(seq.max(self.first_seq)) };
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.notice = None;
        let at = next.cursor.unwrap_or(next.last_seq);
        match action {
            Action::Edit(text) => {
                next.editor = text;
                next.session.editor = next.editor.clone();
                return Rc::new(next);
            }
            Action::Apply => next.start(&as_persona(next.persona, "kubectl apply -f -")),
            Action::DryRun => next.start(&as_persona(next.persona, "kubectl apply -f - --dry-run=server")),
            Action::Run(line) if line.trim() == session::INTERRUPT => next.interrupt(),
            Action::Interrupt => next.interrupt(),
            Action::Run(line) => {
                if !line.trim().is_empty() {
                    next.start(&as_persona(next.persona, line.trim()));
                }
            }
            Action::Continue(steps) => {
                if next.running.is_none() {
                    return self;
                }
                next.continue_run(steps);
            }
            Action::Seek(seq) => next.seek(seq),
            Action::StepBack => next.seek(at.saturating_sub(1)),
            Action::StepForward => next.seek(at + 1),
            Action::PrevRequest | Action::NextRequest => {
                let shared = next.cluster.clone();
                let cluster = shared.borrow();
                let refs: Vec<&Record> = cluster.trace().records().collect();
                if let Some(seq) = timeline::neighbour_request(&refs, at, matches!(action, Action::NextRequest)) {
                    next.seek(seq);
                }
            }
            Action::Live => next.cursor = None,
            Action::SwitchPersona(id) => next.switch_persona(&id),
            Action::SelectKey(key) => next.selected_key = Some(key),
            Action::Reset => {
                let editor = next.editor.clone();
                next = Playground::new(next.session.seed, editor);
            }
            Action::Load(session) => next = Playground::from_session(session),
        }
        next.follow_watch();
        next.refresh();
        Rc::new(next)
    }
}
