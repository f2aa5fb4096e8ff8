//! `kubectl get -w` / `--watch-only`: the first listing, then one row per change, as kubectl's
//! `GetOptions.watch` prints them; and the table kubectl shows for a Scale.
//!
//! kubectl lists, prints the table, then watches from the list's resourceVersion and prints each
//! event's object with the same printer (headers only once, `--output-watch-events` adding an
//! EVENT column). Here the command stays running in the kernel: after every step it asks the API
//! server for the changes since the last resourceVersion it saw (a `watch` request served in
//! chunks, see `apiserver/subresources/watch.rs`) and prints them with the virtual time of that
//! moment, so ages read as they would have on the terminal.
//!
//! A real `kubectl get -w` runs until interrupted. In a script there is no Ctrl-C, so the stream
//! ends when the cluster goes idle (nothing left in the event queue), or when
//! `--request-timeout` of virtual time has passed, whichever is first. A terminal has Ctrl-C
//! (the page sets `Config::open_watches`): there the stream stays open once the cluster is idle,
//! no longer queued (so it never keeps the cluster from counting as idle) but polled after every
//! step, printing what later commands and background timers change, until
//! [`Cluster::interrupt`](super::Cluster::interrupt) ends it as SIGINT ends kubectl.

use crate::cli::printers::render_table;
use serde_json::Value;

/// `printScale` (`pkg/printers/internalversion`): NAME DESIRED AVAILABLE AGE.
pub fn scale_table(scales: &[Value], no_headers: bool, now: crate::sim::Time) -> String {
    let mut rows = Vec::new();
    if !no_headers {
        rows.push(vec!["NAME".to_string(), "DESIRED".into(), "AVAILABLE".into(), "AGE".into()]);
    }
    for s in scales {
        rows.push(vec![
            s["metadata"]["name"].as_str().unwrap_or("").to_string(),
            s["spec"]["replicas"].as_i64().unwrap_or(0).to_string(),
            s["status"]["replicas"].as_i64().unwrap_or(0).to_string(),
            printers::age(s, now),
        ]);
    }
    render_table(&rows)
}

use super::kubectl::{table_rows, user_of};
use crate::apiserver::{handle, Context, Request, Verb};
use crate::cli::kubectl::{resources, Command, Get, Kubectl, OutputFormat};
use crate::cli::{printers, Output};
use crate::api::KindInfo;
use crate::sim::Time;

/// Without `--request-timeout`, a stream in which nothing has changed for this long ends, so a
/// cluster whose components keep timers (heartbeats) never holds a script forever.
pub const QUIET_MS: u64 = 60_000;

/// A running `kubectl get -w`.
pub struct GetWatch {
    kind: &'static KindInfo,
    get: Get,
    namespace: String,
    all_namespaces: bool,
    user: crate::apiserver::User,
    cause: Option<u64>,
    /// The resourceVersion the next watch request starts after.
    resource_version: String,
    /// `fieldSelector` sent with every watch request (the named object, if one was named).
    field_selector: String,
    /// Column widths so far (cell plus padding, as the tab writer keeps them).
    widths: Vec<usize>,
    printed: usize,
    deadline: Option<Time>,
    last_change: Time,
    out: Output,
}

impl GetWatch {
    /// Lists (or gets) and prints the first table, as `kubectl get -w` does before it watches.
    pub fn start(ctx: &mut Context, k: &Kubectl, cause: Option<u64>) -> Result<GetWatch, Output> {
        let Command::Get(g) = &k.command else { return Err(Output::fail("error: internal: not a get\n")) };
        let targets = super::inspect::expand_all(&g.targets);
        let names_count: usize = targets.iter().map(|(_, n)| n.len().max(1)).sum();
        if targets.len() != 1 || names_count != 1 {
            return Err(Output::fail(format!(
                "error: watch is only supported on individual resources and resource collections, but {names_count} resources were found\n"
            )));
        }
        let (typed, names) = &targets[0];
        let kind = resources::resolve(typed).map_err(|e| Output::fail(format!("{e}\n")))?;
        let default_ns = k.namespace.clone().unwrap_or_else(|| "default".into());
        let all_namespaces = k.all_namespaces && kind.namespaced && names.is_empty();
        let namespace = if kind.namespaced && !all_namespaces { default_ns.clone() } else { String::new() };
        let user = user_of(k);
        let mut field_selector = g.field_selector.clone();
        let (objects, resource_version) = match names.first() {
            Some(name) => {
                let mut req = Request::new(Verb::Get, kind, &namespace, name);
                req.user = user.clone();
                req.cause = cause;
                let obj = handle(ctx, &req).result.map_err(|s| Output::fail(format!("Error from server ({}): {}\n", s.reason, s.message)))?;
                field_selector = format!("metadata.name={name}");
                let rv = obj["metadata"]["resourceVersion"].as_str().unwrap_or("0").to_string();
                (vec![obj], rv)
            }
            None => {
                let mut req = Request::new(Verb::List, kind, &namespace, "");
                req.user = user.clone();
                req.cause = cause;
                req.list.label_selector = g.label_selector.clone();
                req.list.field_selector = g.field_selector.clone();
                let list = handle(ctx, &req).result.map_err(|s| Output::fail(format!("Error from server ({}): {}\n", s.reason, s.message)))?;
                let rv = list["metadata"]["resourceVersion"].as_str().unwrap_or("0").to_string();
                (list["items"].as_array().cloned().unwrap_or_default(), rv)
            }
        };
        let deadline = (g.watch.timeout_ms > 0).then(|| ctx.now.after(crate::sim::Duration::from_ms(g.watch.timeout_ms)));
        let mut w = GetWatch {
            kind,
            get: g.clone(),
            namespace: default_ns,
            all_namespaces,
            user,
            cause,
            resource_version,
            field_selector,
            widths: Vec::new(),
            printed: 0,
            deadline,
            last_change: ctx.now,
            out: Output::default(),
        };
        // An empty list prints nothing, not even headers: they come with the first event.
        if !g.watch.watch_only && !objects.is_empty() {
            let events: Vec<(&str, Value)> = objects.into_iter().map(|o| ("ADDED", o)).collect();
            w.print(&events, ctx.now);
        }
        Ok(w)
    }

    /// Prints what changed since the last resourceVersion, if the store moved. Returns false
    /// when the stream has ended (its timeout passed, or the server ended it).
    pub fn poll(&mut self, ctx: &mut Context) -> bool {
        let seen: i64 = self.resource_version.parse().unwrap_or(0);
        if ctx.store.revision() > seen {
            let mut req = Request::new(Verb::Watch, self.kind, if self.all_namespaces { "" } else { &self.namespace }, "");
            if !self.kind.namespaced {
                req.namespace.clear();
            }
            req.user = self.user.clone();
            req.cause = self.cause;
            req.list.label_selector = self.get.label_selector.clone();
            req.list.field_selector = self.field_selector.clone();
            req.list.resource_version = self.resource_version.clone();
            req.list.allow_watch_bookmarks = true;
            match handle(ctx, &req).result {
                Ok(events) => {
                    let mut batch = Vec::new();
                    for e in events.as_array().into_iter().flatten() {
                        let kind = e["type"].as_str().unwrap_or("");
                        if let Some(rv) = e["object"]["metadata"]["resourceVersion"].as_str() {
                            self.resource_version = rv.to_string();
                        }
                        if kind != "BOOKMARK" {
                            batch.push((kind, e["object"].clone()));
                        }
                    }
                    let kinds: Vec<String> = batch.iter().map(|(k, _)| k.to_string()).collect();
                    let owned: Vec<(&str, Value)> = kinds.iter().map(String::as_str).zip(batch.into_iter().map(|(_, o)| o)).collect();
                    if !owned.is_empty() {
                        self.last_change = ctx.now;
                        self.print(&owned, ctx.now);
                    }
                }
                Err(s) => {
                    // kubectl's `UntilWithoutRetry` ends on an error event.
                    self.out.stderr.push_str(&format!("Error from server ({}): {}\n", s.reason, s.message));
                    self.out.exit_code = 1;
                    return false;
                }
            }
        }
        self.deadline.is_none_or(|d| ctx.now < d)
    }

    /// When `--request-timeout` ends the stream, if it was given.
    pub fn timeout(&self) -> Option<Time> {
        self.deadline
    }

    /// The instant the stream gives up if nothing else ends it first.
    pub fn deadline(&self) -> Time {
        self.deadline.unwrap_or_else(|| self.last_change.after(crate::sim::Duration::from_ms(QUIET_MS)))
    }

    fn print(&mut self, events: &[(&str, Value)], now: Time) {
        match &self.get.output {
            OutputFormat::Table | OutputFormat::Wide => {
                let objects: Vec<Value> = events.iter().map(|(_, o)| o.clone()).collect();
                let mut g = self.get.clone();
                g.no_headers = self.get.no_headers || self.printed > 0;
                let mut rows = table_rows(self.kind, &objects, &g, self.all_namespaces, now, false);
                if self.get.watch.output_watch_events {
                    let header = !g.no_headers;
                    for (i, r) in rows.iter_mut().enumerate() {
                        let cell = if header && i == 0 { "EVENT".to_string() } else { events[i - usize::from(header)].0.to_string() };
                        r.insert(0, cell);
                    }
                }
                // One flush of the tab writer: the batch is aligned together.
                for r in &rows {
                    self.grow(r);
                }
                for r in rows {
                    self.push_row(&r);
                }
            }
            OutputFormat::Name => {
                for (_, o) in events {
                    self.out.stdout.push_str(&format!("{}\n", printers::name_of(self.kind, o)));
                }
            }
            OutputFormat::Json => {
                for (_, o) in events {
                    self.out.stdout.push_str(&printers::to_json(o));
                }
            }
            _ => {
                for (_, o) in events {
                    if self.printed > 0 {
                        self.out.stdout.push_str("---\n");
                    }
                    self.out.stdout.push_str(&printers::to_yaml(o));
                    self.printed += 1;
                }
            }
        }
        self.printed += events.len();
    }

    fn grow(&mut self, row: &[String]) {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            if self.widths.len() <= i {
                self.widths.resize(i + 1, 0);
            }
            self.widths[i] = self.widths[i].max((cell.chars().count() + 3).max(6));
        }
    }

    /// One row through the tab writer: each column as wide as the widest cell so far.
    fn push_row(&mut self, row: &[String]) {
        for (i, cell) in row.iter().enumerate() {
            self.out.stdout.push_str(cell);
            if i + 1 < row.len() {
                if self.widths.len() <= i {
                    self.widths.resize(i + 1, 0);
                }
                let w = self.widths[i].max((cell.chars().count() + 3).max(6));
                self.widths[i] = w;
                self.out.stdout.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
            }
        }
        self.out.stdout.push('\n');
    }

    pub fn into_output(self) -> Output {
        self.out
    }

    /// Who watches what: the user, the resource, the namespace (`None` for all) and the field
    /// selector every watch request carries.
    pub fn stream(&self) -> (&str, &'static KindInfo, Option<&str>, &str) {
        let ns = (!self.all_namespaces && self.kind.namespaced).then_some(self.namespace.as_str());
        (self.user.name.as_str(), self.kind, ns, self.field_selector.as_str())
    }

    /// What the stream has printed so far.
    pub fn output(&self) -> &Output {
        &self.out
    }
}

/// A shell's exit status for a process ended by SIGINT (128 + 2).
const SIGINT_EXIT: i32 = 130;

impl super::Cluster {
    /// Keeps an open-ended stream past idle: out of the queue, polled after every step.
    pub(super) fn keep_open(&mut self, id: super::CommandId, w: Box<GetWatch>) {
        self.running.insert(id, super::Running::Watch(w));
        self.open_watches.insert(id);
    }

    /// Prints, for every open-ended stream, what the step just taken changed.
    pub(super) fn poll_open_watches(&mut self) {
        let ids: Vec<super::CommandId> = self.open_watches.iter().copied().collect();
        for id in ids {
            let Some(super::Running::Watch(mut w)) = self.running.remove(&id) else {
                self.open_watches.remove(&id);
                continue;
            };
            if w.poll(&mut self.api_context()) {
                self.running.insert(id, super::Running::Watch(w));
            } else {
                self.open_watches.remove(&id);
                self.finish(id, w.into_output());
            }
        }
    }

    /// Ctrl-C in the terminal: ends a running `kubectl get -w` with what it printed, the
    /// terminal's `^C` echo and the status a shell gives a process SIGINT ended. False when
    /// `id` is not a running watch.
    pub fn interrupt(&mut self, id: super::CommandId) -> bool {
        match self.running.remove(&id) {
            Some(super::Running::Watch(w)) => {
                self.open_watches.remove(&id);
                let mut out = w.into_output();
                out.stdout.push_str("^C\n");
                out.exit_code = SIGINT_EXIT;
                self.finish(id, out);
                true
            }
            Some(other) => {
                self.running.insert(id, other);
                false
            }
            None => false,
        }
    }

    /// What a running `kubectl get -w` has printed so far (none for other commands).
    pub fn running_output(&self, id: super::CommandId) -> Option<&Output> {
        match self.running.get(&id) {
            Some(super::Running::Watch(w)) => Some(w.output()),
            _ => None,
        }
    }
}
