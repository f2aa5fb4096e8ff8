//! What every request of one imperative command shares ([`Client`]: user, cause, dry run,
//! printer) and what it has printed so far, with kubectl's wording of server errors
//! (`StandardErrorMessage`) and the name printer's lines (`deployment.apps/web created`).

use crate::api::KindInfo;
use crate::apiserver::{handle, Context, FieldError, Request, Status, User, Verb};
use crate::cli::kubectl::imperative::Printer;
use crate::cli::kubectl::{resources, DryRun};
use crate::cli::printers;
use crate::cli::Output;
use serde_json::Value;

/// What every request of one command shares, and what it has printed so far.
pub(super) struct Client {
    pub(super) user: User,
    pub(super) cause: Option<u64>,
    pub(super) dry_run: DryRun,
    pub(super) printer: Printer,
    /// `-n`, or `default`.
    pub(super) namespace: String,
    pub(super) stdout: String,
    /// Warnings first, then errors, each a full line as kubectl prints it.
    pub(super) stderr: Vec<String>,
    pub(super) failed: bool,
    pub(super) printed_docs: usize,
    /// `--subresource`: the builder's GETs and the command's writes go to it.
    pub(super) subresource: String,
}

impl Client {
    pub(super) fn request(&self, verb: Verb, kind: &'static KindInfo, namespace: &str, name: &str) -> Request {
        let mut req = Request::new(verb, kind, if kind.namespaced { namespace } else { "" }, name);
        req.user = self.user.clone();
        req.cause = self.cause;
        req.dry_run = verb.is_write() && self.dry_run == DryRun::Server;
        req
    }

    pub(super) fn get(&mut self, ctx: &mut Context, kind: &'static KindInfo, namespace: &str, name: &str) -> Option<Value> {
        let mut req = self.request(Verb::Get, kind, namespace, name);
        req.subresource = self.subresource.clone();
        match handle(ctx, &req).result {
            Ok(obj) => Some(obj),
            Err(s) => {
                self.error(server_error(&s, &[]));
                None
            }
        }
    }

    /// The objects a `TYPE NAME...` or `TYPE -l selector` target names, as kubectl's resource
    /// builder fetches them.
    pub(super) fn fetch(&mut self, ctx: &mut Context, typed: &str, names: &[String], selector: &str) -> Vec<(&'static KindInfo, Value)> {
        let kind = match resources::resolve(typed) {
            Ok(k) => k,
            Err(e) => {
                self.error(e);
                return Vec::new();
            }
        };
        let namespace = self.namespace.clone();
        if names.is_empty() {
            let mut req = self.request(Verb::List, kind, &namespace, "");
            req.list.label_selector = selector.to_string();
            return match handle(ctx, &req).result {
                Ok(list) => list["items"].as_array().into_iter().flatten().map(|o| (kind, o.clone())).collect(),
                Err(s) => {
                    self.error(server_error(&s, &[]));
                    Vec::new()
                }
            };
        }
        names.iter().filter_map(|n| self.get(ctx, kind, &namespace, n).map(|o| (kind, o))).collect()
    }

    pub(super) fn error(&mut self, e: impl Into<String>) {
        let e = e.into();
        let line = if e.starts_with("Error from server") || e.starts_with("error: ") || e.starts_with("The ") { e } else { format!("error: {e}") };
        self.stderr.push(line);
        self.failed = true;
    }

    pub(super) fn suffix(&self) -> &'static str {
        match self.dry_run {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }

    /// Prints one object as `-o` asks, or as `<kind>/<name> <operation>`.
    pub(super) fn print(&mut self, kind: &KindInfo, obj: &Value, operation: &str) {
        let text = match self.printer {
            Printer::Operation => format!("{} {operation}{}\n", printers::name_of(kind, obj), self.suffix()),
            Printer::Name => format!("{}\n", printers::name_of(kind, obj)),
            Printer::Json => printers::to_json(obj),
            Printer::Yaml => {
                let sep = if self.printed_docs > 0 { "---\n" } else { "" };
                format!("{sep}{}", printers::to_yaml(obj))
            }
        };
        self.printed_docs += 1;
        self.stdout.push_str(&text);
    }

    pub(super) fn output(self) -> Output {
        let stderr: String = self.stderr.iter().map(|l| format!("{l}\n")).collect();
        Output { stdout: self.stdout, stderr, exit_code: i32::from(self.failed), diagnostics: Vec::new() }
    }
}

/// kubectl's `StandardErrorMessage`: `Error from server (Reason): message`, except that invalid
/// objects (422) print their causes without the group (facts 4.5).
pub(super) fn server_error(s: &Status, causes: &[FieldError]) -> String {
    if let Some(message) = crate::cli::kubectl::invalid_message(s, causes) {
        return message;
    }
    if s.reason == "Invalid" {
        // A 422 without an object (a JSON patch that does not apply) is built with
        // `NewGenericServerResponse`, which keeps only its generic message.
        return "The request is invalid: the server rejected our request due to an error in our request".into();
    }
    format!("Error from server ({}): {}", s.reason, s.message)
}
