//! `etcdctl` (v3 API, as in etcd 3.4.23) against the simulated store, printing byte for byte
//! what the real tool prints: the same layouts, JSON field names, error texts and exit codes.
//!
//! Two entry points:
//! - [`run`] runs one command line on its own (a `watch` prints the history it replays and
//!   stops), for callers that only need request/response commands.
//! - [`Etcdctl`] is a terminal session. A `watch` started with [`Etcdctl::run`] keeps streaming:
//!   after every later command (or `store.advance_to`), call [`Etcdctl::poll`] and print what
//!   it returns, exactly where a real `etcdctl watch` in another terminal would print it.
//!
//! Exit codes are etcdctl's: 1 for errors from the server, 3 for bad txn input, 4 for an
//! unsupported output format, 5 when the server cancels a watch, 128 for bad arguments.

mod flags;
pub(crate) mod format;
mod kv;
mod lease;
mod maint;
mod print;
mod txn_input;
mod usage;

use super::Output;
use crate::store::{Store, WatchResponse};
use flags::{Kind, Parsed, Spec};
use print::Format;

pub use format::{base64, go_quote, humanize_bytes};

/// etcdctl's exit codes (`pkg/cobrautl`).
pub(crate) const EXIT_ERROR: i32 = 1;
pub(crate) const EXIT_BAD_CONNECTION: i32 = 2;
pub(crate) const EXIT_INVALID_INPUT: i32 = 3;
pub(crate) const EXIT_BAD_FEATURE: i32 = 4;
pub(crate) const EXIT_INTERRUPTED: i32 = 5;
pub(crate) const EXIT_BAD_ARGS: i32 = 128;

/// The endpoint etcdctl talks to when `--endpoints` is not given.
pub const DEFAULT_ENDPOINT: &str = "127.0.0.1:2379";

/// `Error: <msg>` on stderr with `code`, as etcdctl's `ExitWithError`.
pub(crate) fn fail(code: i32, msg: impl std::fmt::Display) -> Output {
    Output { stderr: format!("Error: {msg}\n"), exit_code: code, ..Default::default() }
}

/// What one command needs besides the store: its flags, output format and stdin.
pub(crate) struct Ctx<'a> {
    pub flags: Parsed,
    pub format: Format,
    pub endpoint: String,
    pub stdin: &'a str,
}

impl Ctx<'_> {
    /// The simple printer's style for commands without `--print-value-only`.
    pub fn style(&self) -> print::KvStyle {
        print::KvStyle { value_only: false, hex: self.flags.bool("hex") }
    }
}

/// A watch that keeps streaming in a session.
#[derive(Clone, Debug)]
struct ActiveWatch {
    /// The store's watch ID.
    id: i64,
    /// Which watch of the session this is: 0 for the first started, and so on.
    number: usize,
    format: Format,
    style: print::KvStyle,
}

/// A terminal session: runs commands and keeps the watches they start.
#[derive(Clone, Debug, Default)]
pub struct Etcdctl {
    watches: Vec<ActiveWatch>,
    started: usize,
    /// Events the streaming watches printed since the kernel last took them, for the trace's
    /// watch-delivery records (bounded by [`MAX_PENDING_DELIVERIES`]).
    delivered: Vec<Delivery>,
}

/// One event a streaming `etcdctl watch` received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The watch's number in the session (0 for the first).
    pub watch: usize,
    pub revision: i64,
    pub key: String,
    pub event: crate::trace::WatchEvent,
}

/// Deliveries kept until the kernel takes them; more are not recorded.
const MAX_PENDING_DELIVERIES: usize = 10_000;

/// Runs one command line (without the leading `etcdctl`) against `store`, with empty stdin.
pub fn run(args: &[String], store: &mut Store) -> Output {
    let mut session = Etcdctl::new();
    let out = session.run(args, "", store);
    session.stop_watches(store);
    out
}

/// The commands we know, with the flags each takes besides the global ones.
fn command_flags(cmd: &str) -> Option<&'static [Spec]> {
    use flags::flag;
    const GET: &[Spec] = &[
        flag("consistency", Kind::Str),
        flag("from-key", Kind::Bool),
        flag("keys-only", Kind::Bool),
        flag("limit", Kind::Int),
        flag("order", Kind::Str),
        flag("prefix", Kind::Bool),
        flag("print-value-only", Kind::Bool),
        flag("rev", Kind::Int),
        flag("sort-by", Kind::Str),
    ];
    const PUT: &[Spec] = &[
        flag("ignore-lease", Kind::Bool),
        flag("ignore-value", Kind::Bool),
        flag("lease", Kind::Str),
        flag("prev-kv", Kind::Bool),
    ];
    const DEL: &[Spec] = &[flag("from-key", Kind::Bool), flag("prefix", Kind::Bool), flag("prev-kv", Kind::Bool)];
    const WATCH: &[Spec] = &[
        Spec { name: "interactive", short: Some('i'), kind: Kind::Bool },
        flag("prefix", Kind::Bool),
        flag("prev-kv", Kind::Bool),
        flag("rev", Kind::Int),
    ];
    const TXN: &[Spec] = &[Spec { name: "interactive", short: Some('i'), kind: Kind::Bool }];
    const COMPACT: &[Spec] = &[flag("physical", Kind::Bool)];
    const KEEP_ALIVE: &[Spec] = &[flag("once", Kind::Bool)];
    const TTL: &[Spec] = &[flag("keys", Kind::Bool)];
    const CLUSTER: &[Spec] = &[flag("cluster", Kind::Bool)];
    const NONE: &[Spec] = &[];
    Some(match cmd {
        "get" => GET,
        "put" => PUT,
        "del" => DEL,
        "watch" => WATCH,
        "txn" => TXN,
        "compaction" => COMPACT,
        "lease keep-alive" => KEEP_ALIVE,
        "lease timetolive" => TTL,
        "endpoint status" => CLUSTER,
        "lease grant" | "lease revoke" | "lease list" | "snapshot save" | "snapshot status" | "alarm list"
        | "alarm disarm" => NONE,
        _ => return None,
    })
}

/// Finds the command words in `args` (flags may come first) and returns the command name and
/// the arguments without those words.
fn split_command(args: &[String]) -> (Vec<String>, Vec<String>) {
    let mut words = Vec::new();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a.starts_with('-') && a.len() > 1 {
            rest.push(a.clone());
            // Global flags that take their value as the next word.
            if matches!(a.as_str(), "--endpoints" | "-w" | "--write-out" | "--dial-timeout" | "--command-timeout") {
                if let Some(v) = args.get(i) {
                    rest.push(v.clone());
                    i += 1;
                }
            }
            continue;
        }
        let group = matches!(words.first().map(String::as_str), Some("lease" | "endpoint" | "snapshot" | "alarm"));
        if words.is_empty() || (group && words.len() == 1) {
            words.push(if a == "compact" { "compaction".to_string() } else { a.clone() });
        } else {
            rest.push(a.clone());
        }
    }
    (words, rest)
}

impl Etcdctl {
    /// The store watch IDs of the session's streaming watches.
    pub fn watch_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.watches.iter().map(|w| w.id)
    }

    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one command line with `stdin` (the input of `txn`, or a `put` value). A `watch`
    /// returns the events it replays and keeps streaming until [`Self::stop_watches`].
    pub fn run(&mut self, args: &[String], stdin: &str, store: &mut Store) -> Output {
        let (words, rest) = split_command(args);
        let cmd = words.join(" ");
        if words.is_empty() {
            return fail(EXIT_BAD_ARGS, "no command given");
        }
        let Some(specs) = command_flags(&cmd) else {
            let first = &words[0];
            let msg = format!("unknown command \"{first}\" for \"etcdctl\"");
            return Output {
                stdout: String::new(),
                stderr: format!("Error: {msg}\nRun 'etcdctl --help' for usage.\nError: {msg}\n"),
                exit_code: EXIT_ERROR,
                ..Default::default()
            };
        };
        let all: Vec<Spec> = specs.iter().chain(flags::GLOBAL).copied().collect();
        let flags = match flags::parse(&rest, &all) {
            Ok(f) => f,
            Err(e) => {
                return Output {
                    stdout: usage::usage(&cmd).unwrap_or_default(),
                    stderr: format!("Error: {e}\n\nError: {e}\n"),
                    exit_code: EXIT_ERROR,
                    ..Default::default()
                }
            }
        };
        if flags.bool("help") {
            return Output::ok(usage::usage(&cmd).unwrap_or_default());
        }
        let Some(format) = Format::parse(flags.str("write-out").unwrap_or("simple")) else {
            return fail(EXIT_BAD_FEATURE, "unsupported output format");
        };
        let endpoint = flags.str("endpoints").unwrap_or(DEFAULT_ENDPOINT).split(',').next().unwrap_or("").to_string();
        let ctx = Ctx { flags, format, endpoint, stdin };
        let out = self.dispatch(&cmd, &ctx, store);
        // Only status commands have a table printer; the others fail once the request is done.
        let has_table = matches!(cmd.as_str(), "endpoint status" | "snapshot status" | "compaction" | "snapshot save");
        if format == Format::Table && !has_table && out.exit_code == 0 {
            return fail(EXIT_BAD_FEATURE, "table not supported as output format");
        }
        out
    }

    fn dispatch(&mut self, cmd: &str, ctx: &Ctx<'_>, store: &mut Store) -> Output {
        match cmd {
            "get" => kv::get(ctx, store),
            "put" => kv::put(ctx, store),
            "del" => kv::del(ctx, store),
            "txn" => kv::txn(ctx, store),
            "compaction" => kv::compact(ctx, store),
            "watch" => self.watch(ctx, store),
            "lease grant" => lease::grant(ctx, store),
            "lease revoke" => lease::revoke(ctx, store),
            "lease keep-alive" => lease::keep_alive(ctx, store),
            "lease timetolive" => lease::time_to_live(ctx, store),
            "lease list" => lease::list(ctx, store),
            "endpoint status" => maint::endpoint_status(ctx, store),
            "snapshot save" => maint::snapshot_save(ctx, store),
            "snapshot status" => maint::snapshot_status(ctx, store),
            "alarm list" => maint::alarm(ctx, store, false),
            "alarm disarm" => maint::alarm(ctx, store, true),
            _ => fail(EXIT_BAD_ARGS, format!("unknown command \"{cmd}\"")),
        }
    }

    fn watch(&mut self, ctx: &Ctx<'_>, store: &mut Store) -> Output {
        let req = match kv::watch_request(ctx) {
            Ok(r) => r,
            Err(out) => return out,
        };
        let id = store.watch(req);
        self.watches.push(ActiveWatch { id, number: self.started, format: ctx.format, style: ctx.style() });
        self.started += 1;
        self.poll_one(self.watches.len() - 1, store)
    }

    /// The output of each streaming watch since the last poll, with the watch's number (0 for
    /// the first `watch` this session started, 1 for the next, …). A watch the server
    /// cancelled reports its error and exit code 5, and is dropped.
    pub fn poll_watches(&mut self, store: &mut Store) -> Vec<(usize, Output)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.watches.len() {
            let (id, number) = (self.watches[i].id, self.watches[i].number);
            let o = self.poll_one(i, store);
            if self.watches.get(i).is_some_and(|w| w.id == id) {
                i += 1;
            }
            if o != Output::default() {
                out.push((number, o));
            }
        }
        out
    }

    /// How many watches this session has started; the next one gets this number.
    pub fn watches_started(&self) -> usize {
        self.started
    }

    /// Everything every streaming watch printed since the last poll, concatenated.
    pub fn poll(&mut self, store: &mut Store) -> Output {
        let mut all = Output::default();
        for (_, o) in self.poll_watches(store) {
            all.stdout.push_str(&o.stdout);
            all.stderr.push_str(&o.stderr);
            all.exit_code = all.exit_code.max(o.exit_code);
        }
        all
    }

    /// Whether any watch is still streaming.
    pub fn watching(&self) -> bool {
        !self.watches.is_empty()
    }

    /// Stops every watch, as Ctrl-C on each `etcdctl watch` would.
    pub fn stop_watches(&mut self, store: &mut Store) {
        for w in self.watches.drain(..) {
            store.cancel_watch(w.id);
        }
    }

    /// The events the watches received since the last call, for the trace.
    pub fn take_deliveries(&mut self) -> Vec<Delivery> {
        std::mem::take(&mut self.delivered)
    }

    fn poll_one(&mut self, i: usize, store: &mut Store) -> Output {
        let Some(w) = self.watches.get(i).cloned() else { return Output::default() };
        let mut out = Output::default();
        for resp in store.take_watch_responses(w.id) {
            for ev in &resp.events {
                if self.delivered.len() < MAX_PENDING_DELIVERIES {
                    let event = match ev.kind {
                        crate::store::EventType::Delete => crate::trace::WatchEvent::Deleted,
                        _ if ev.kv.create_revision == ev.kv.mod_revision => crate::trace::WatchEvent::Added,
                        _ => crate::trace::WatchEvent::Modified,
                    };
                    let key = String::from_utf8_lossy(&ev.kv.key).into_owned();
                    self.delivered.push(Delivery { watch: w.number, revision: ev.kv.mod_revision, key, event });
                }
            }
            print_watch(&mut out, &w, &resp);
            if resp.canceled {
                self.watches.remove(i);
                store.cancel_watch(w.id);
                out.stderr.push_str("Error: watch is canceled by the server\n");
                out.exit_code = EXIT_INTERRUPTED;
                break;
            }
        }
        out
    }
}

/// `printWatchCh`: a cancel notice on stderr, then the response in the chosen format.
fn print_watch(out: &mut Output, w: &ActiveWatch, resp: &WatchResponse) {
    if resp.canceled {
        let reason = if resp.cancel_reason.is_empty() { "<nil>".to_string() } else { resp.cancel_reason.clone() };
        out.stderr.push_str(&format!("watch was canceled ({reason})\n"));
    }
    match w.format {
        Format::Json => {
            out.stdout.push_str(&print::json_watch(resp));
            out.stdout.push('\n');
        }
        Format::Fields => print::fields_watch(&mut out.stdout, resp),
        _ => print::simple_watch(&mut out.stdout, w.style, resp),
    }
}
