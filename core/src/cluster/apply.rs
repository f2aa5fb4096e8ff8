//! kubectl's client-side `apply`, as a sequence of API requests (one object per kernel step).
//!
//! Mirrors `k8s.io/kubectl/pkg/cmd/apply`: every document is decoded first; decode failures are
//! collected; then for each object kubectl GETs the live object, creates it when absent (with the
//! `last-applied-configuration` annotation, nulls pruned), and otherwise computes a three-way
//! patch from the last applied configuration, the file as written and the live object
//! (`three_way.rs`): an empty patch prints `unchanged`, anything else is sent and prints
//! `configured` — `--dry-run=client` prints `configured (dry run)` without computing one. Success
//! lines go to stdout as they happen, errors are printed together at the end, and the exit status
//! is 1 if any object failed.
//!
//! `apply --server-side` sends each object as one apply patch (`application/apply-patch+yaml`)
//! under its field manager (`kubectl` unless `--field-manager`), with `force` for
//! `--force-conflicts`, and prints `serverside-applied`; a 409 conflict gets kubectl's advice
//! appended. Client-side requests carry kubectl's field managers: `kubectl-client-side-apply`
//! for apply, `kubectl-create` for `create -f`.

pub(super) mod diff;
mod three_way;

use crate::api::{decode_manifest, Decoded, Diagnostic, Limits, Origin};
use crate::apiserver::{handle, Context, FieldError, PatchType, Request, Status, User, Verb};
use crate::cli::kubectl::format_errors;
use crate::cli::kubectl::{ApplyOptions, DryRun};
use crate::cli::Output;
use crate::sim::Time;
use crate::trace::{Actor, Event, Trace};
use serde_json::{Map, Value};
use std::collections::VecDeque;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `kubectl apply` or `kubectl create -f`: create fails on existing objects instead of patching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Apply(ApplyOptions),
    Create,
}

/// The default field manager of client-side apply (`FieldManagerClientSideApply`).
pub const FIELD_MANAGER_CLIENT_SIDE_APPLY: &str = "kubectl-client-side-apply";
/// The default field manager of `apply --server-side` (`fieldManagerServerSideApply`).
pub const FIELD_MANAGER_SERVER_SIDE_APPLY: &str = "kubectl";

/// What kubectl appends to a 409 from a server-side apply (`applyOneObject` in
/// `pkg/cmd/apply/apply.go`).
pub const CONFLICT_ADVICE: &str = "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

pub(super) struct Apply {
    mode: Mode,
    dry_run: DryRun,
    user: User,
    items: VecDeque<(String, Result<Decoded, Diagnostic>)>,
    namespace: Option<String>,
    /// To decode a file again without its nulls (what client-side apply creates).
    limits: Limits,
    stdout: String,
    /// `Warning:` lines, printed on stderr before the errors.
    warnings: Vec<String>,
    errors: Vec<String>,
    /// The trace record of the command, the cause of every request it sends.
    cause: Option<u64>,
    /// Every diagnostic, with its position, for the editor to underline.
    pub diagnostics: Vec<Diagnostic>,
    /// `kubectl diff`: the dry-run apply's live and merged objects, printed as a diff at the end.
    pub diff: Option<diff::Diff>,
}

impl Apply {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sources: Vec<(String, Vec<u8>)>,
        namespace: Option<String>,
        limits: &Limits,
        trace: &mut Trace,
        now: Time,
        cause: Option<u64>,
        mode: Mode,
        dry_run: DryRun,
        user: User,
    ) -> Self {
        let mut items = VecDeque::new();
        for (source, bytes) in sources {
            for result in decode_manifest(&bytes, &source, limits) {
                let (kind, outcome) = match &result {
                    Ok(d) => (format!("{:?}", d.kind), format!("{} (document {}, line {})", d.name, d.doc, d.line)),
                    Err(e) => ("-".to_string(), format!("line {}:{}: {}", e.line, e.column, first_line(&e.message))),
                };
                trace.push(now, Actor::User("kubectl".into()), Event::Decode { kind, outcome });
                items.push_back((source.clone(), result));
            }
        }
        Apply { mode, dry_run, user, items, namespace, limits: *limits, stdout: String::new(), warnings: Vec::new(), errors: Vec::new(), diagnostics: Vec::new(), cause, diff: None }
    }

    /// Sends the requests for the next object. Returns false when there is nothing left.
    pub fn step(&mut self, ctx: &mut Context) -> bool {
        let Some((source, item)) = self.items.pop_front() else { return false };
        match item {
            Err(d) => {
                self.errors.push(match d.origin {
                    Origin::Client => d.message.clone(),
                    Origin::Server { reason, .. } => {
                        format!("Error from server ({reason}): error when creating {source:?}: {}", d.message)
                    }
                });
                self.diagnostics.push(d);
            }
            Ok(obj) => {
                if let Err(e) = self.apply_one(ctx, &source, &obj) {
                    self.errors.push(e);
                }
            }
        }
        !self.items.is_empty()
    }

    pub fn into_output(self) -> Output {
        if let Some(d) = &self.diff {
            // `kubectl diff`: the diff on stdout, exit 1 when anything differs; errors as apply's.
            let mut stderr: String = self.warnings.iter().map(|w| format!("{w}\n")).collect();
            stderr.push_str(&format_errors(&self.errors));
            let rendered = d.render();
            let exit_code = i32::from(!self.errors.is_empty() || rendered.is_some());
            return Output { stdout: rendered.unwrap_or_default(), stderr, exit_code, diagnostics: self.diagnostics };
        }
        if self.stdout.is_empty() && self.errors.is_empty() && self.diagnostics.is_empty() {
            return Output::fail("error: no objects passed to apply\n");
        }
        let exit_code = i32::from(!self.errors.is_empty());
        let mut stderr: String = self.warnings.iter().map(|w| format!("{w}\n")).collect();
        let several = self.errors.len() > 1;
        let errors: Vec<String> = self.errors.iter().map(|e| in_list(e, several).to_string()).collect();
        stderr.push_str(&format_errors(&errors));
        Output { stdout: self.stdout, stderr, exit_code, diagnostics: self.diagnostics }
    }

    /// The object kube-apiserver decodes from the file once apply has pruned its nulls
    /// (`pruneNullsFromMap` before a create; a patch deletes what is null). The decoded object
    /// reads a null map value as Go's zero (`""`), so a file with one is decoded again without it.
    fn typed_without_nulls(&self, obj: &Decoded, source: &str) -> Value {
        let mut pruned = obj.manifest.clone();
        prune_nulls(&mut pruned);
        if pruned == obj.manifest {
            return obj.object.clone();
        }
        let text = serde_json::to_vec(&pruned).unwrap_or_default();
        match decode_manifest(&text, source, &self.limits).into_iter().next() {
            Some(Ok(d)) => d.object,
            _ => obj.object.clone(),
        }
    }

    fn apply_one(&mut self, ctx: &mut Context, source: &str, obj: &Decoded) -> Result<(), String> {
        let namespace = if obj.kind.namespaced {
            let flag = self.namespace.clone();
            match (&obj.namespace, &flag) {
                (Some(o), Some(f)) if o != f => {
                    return Err(format!("the namespace from the provided object {o:?} does not match the namespace {f:?}. You must pass '--namespace={o}' to perform this operation."));
                }
                (Some(o), _) => o.clone(),
                (None, Some(f)) => f.clone(),
                (None, None) => "default".to_string(),
            }
        } else {
            String::new()
        };
        if obj.name.is_empty() {
            return Err(format!("error when {} {source:?}: resource name may not be empty", retrieving(obj, &namespace)));
        }
        let field_manager = match &self.mode {
            Mode::Create => "kubectl-create".to_string(),
            Mode::Apply(o) => o.field_manager.clone().unwrap_or_else(|| {
                if o.server_side { FIELD_MANAGER_SERVER_SIDE_APPLY } else { FIELD_MANAGER_CLIENT_SIDE_APPLY }.to_string()
            }),
        };
        let request = |verb, body: Option<Value>| Request {
            body,
            unknown_fields: obj.unknown_fields.clone(),
            cause: self.cause,
            user: self.user.clone(),
            dry_run: self.dry_run == DryRun::Server,
            field_manager: if verb == Verb::Get { String::new() } else { field_manager.clone() },
            ..Request::new(verb, obj.kind, &namespace, &obj.name)
        };
        let suffix = match self.dry_run {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        };
        let name = format!("{}/{}", obj.kind.kubectl_name(), obj.name);
        if self.mode == Mode::Create {
            if self.dry_run == DryRun::Client {
                self.stdout.push_str(&format!("{name} created{suffix}\n"));
                return Ok(());
            }
            let reply = handle(ctx, &request(Verb::Create, Some(without_resource_version(obj.object.clone()))));
            self.warnings.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
            reply.result.map_err(|s| server_error("creating", source, &s, &reply.causes))?;
            self.stdout.push_str(&format!("{name} created{suffix}\n"));
            return Ok(());
        }
        if let Mode::Apply(ApplyOptions { server_side: true, force_conflicts, .. }) = self.mode {
            // `kubectl diff --server-side` reads the live object first.
            let live = if self.diff.is_some() { handle(ctx, &request(Verb::Get, None)).result.ok() } else { None };
            let reply = handle(ctx, &request(Verb::Apply { force: force_conflicts }, Some(obj.object.clone())));
            self.warnings.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
            return match reply.result {
                Ok(merged) => {
                    self.record_diff(obj, &namespace, live, merged);
                    self.stdout.push_str(&format!("{name} serverside-applied{suffix}\n"));
                    Ok(())
                }
                Err(s) if s.code == 409 => Err(format!("{}\n{CONFLICT_ADVICE}", s.message)),
                Err(s) => Err(crate::cli::kubectl::invalid_message(&s, &reply.causes)
                    .unwrap_or_else(|| format!("Error from server ({}): {}", s.reason, s.message))),
            };
        }
        // `GetModifiedConfiguration`: the file as written, with the namespace the builder set.
        let (modified, applied) = modified_configuration(&obj.manifest, obj.kind.namespaced.then_some(namespace.as_str()));
        let reply = handle(ctx, &request(Verb::Get, None));
        let live = match reply.result {
            Ok(live) => Some(live),
            Err(s) if s.code == 404 => None,
            Err(s) => return Err(server_error(&retrieving(obj, &namespace), source, &s, &[])),
        };
        // What kube-apiserver decodes that file to: the typed object, without the nulls apply
        // prunes before a create (a `team: null` label is no label, not an empty one).
        let mut desired = self.typed_without_nulls(obj, source);
        set_annotation(&mut desired, &applied);
        match live {
            None => {
                if self.dry_run != DryRun::Client {
                    let reply = handle(ctx, &request(Verb::Create, Some(without_resource_version(desired))));
                    self.warnings.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
                    let created = reply.result.map_err(|s| server_error("creating", source, &s, &reply.causes))?;
                    self.record_diff(obj, &namespace, None, created);
                }
                self.stdout.push_str(&format!("{name} created{suffix}\n"));
            }
            Some(_) if self.dry_run == DryRun::Client => {
                // `applyOneObject` computes no patch for a client dry run: always `configured`.
                self.stdout.push_str(&format!("{name} configured{suffix}\n"));
            }
            Some(live) => {
                if live["metadata"]["annotations"][LAST_APPLIED].is_null() {
                    self.warnings.push(format!("Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.", obj.kind.resource, obj.name));
                }
                let previous = live["metadata"]["annotations"][LAST_APPLIED]
                    .as_str()
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
                    .unwrap_or(Value::Null);
                let mut patch = three_way::create_three_way_merge_patch(&previous, &modified, &live);
                if patch.is_empty() && obj.unknown_fields.is_empty() {
                    self.record_diff(obj, &namespace, Some(live.clone()), live);
                    self.stdout.push_str(&format!("{name} unchanged{suffix}\n"));
                } else {
                    let sent = |patch: &Map<String, Value>| Value::Object(three_way::with_typed_values(patch, Some(&desired)));
                    let mut reply = handle(ctx, &request(Verb::Patch(PatchType::Strategic), Some(sent(&patch))));
                    // kubectl's patcher re-reads the object and recomputes the patch after a
                    // conflict, up to `maxPatchRetry` (5) times.
                    for _ in 0..MAX_PATCH_RETRY {
                        if !matches!(&reply.result, Err(s) if s.code == 409) {
                            break;
                        }
                        let Ok(live) = handle(ctx, &request(Verb::Get, None)).result else { break };
                        patch = three_way::create_three_way_merge_patch(&previous, &modified, &live);
                        reply = handle(ctx, &request(Verb::Patch(PatchType::Strategic), Some(sent(&patch))));
                    }
                    let patch = Value::Object(patch);
                    self.warnings.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
                    let patched = reply.result.map_err(|s| {
                        // `applyOneObject` wraps the patcher's `error when patching` again; a
                        // lone 422 prints from the status details, which the wrapping leaves.
                        let patching = Status { message: format!("error when patching {source:?}: {}", s.message), ..s.clone() };
                        let applying = format!("applying patch:\n{patch}\nto:\n{}\nfor:", info_string(obj, &namespace));
                        let standard = standard_error(&applying, source, &patching);
                        match crate::cli::kubectl::invalid_message(&s, &reply.causes) {
                            Some(alone) => format!("{alone}{AMONG_SEVERAL}{standard}"),
                            None => standard,
                        }
                    })?;
                    self.record_diff(obj, &namespace, Some(live), patched);
                    self.stdout.push_str(&format!("{name} configured{suffix}\n"));
                }
            }
        }
        Ok(())
    }
}

impl Apply {
    /// `kubectl diff`: keeps the object's live and merged versions.
    fn record_diff(&mut self, obj: &Decoded, namespace: &str, live: Option<Value>, merged: Value) {
        if let Some(d) = self.diff.as_mut() {
            d.pairs.push(diff::Pair { kind: obj.kind, namespace: namespace.to_string(), name: obj.name.clone(), live, merged });
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// kubectl's `maxPatchRetry`: patches sent again after a 409 Conflict.
const MAX_PATCH_RETRY: usize = 5;

/// `resource.Info.String()`: the mapping as `GroupVersionResource.String()` and
/// `GroupVersionKind.String()` print it (`/v1, Resource=configmaps` for the core group, whose
/// group is empty), then the name and namespace.
fn info_string(obj: &Decoded, namespace: &str) -> String {
    let gv = format!("{}/{}", obj.kind.group, obj.kind.version);
    format!(
        "Resource: \"{gv}, Resource={}\", GroupVersionKind: \"{gv}, Kind={}\"\nName: {:?}, Namespace: {namespace:?}",
        obj.kind.resource, obj.kind.kind, obj.name
    )
}

/// The verb of apply's failed GET (`applyOneObject`).
fn retrieving(obj: &Decoded, namespace: &str) -> String {
    format!("retrieving current configuration of:\n{}\nfrom server for:", info_string(obj, namespace))
}

/// kubectl's `Helper.Create` with `modify` (what `create -f` and apply's create send): a
/// `metadata.resourceVersion` in the manifest is cleared before the POST, so the server's
/// "resourceVersion should not be set on objects to be created" never reaches kubectl.
fn without_resource_version(mut obj: Value) -> Value {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    obj
}

/// kubectl's `AddSourceToErr` plus `StandardErrorMessage`; invalid (422) errors print their
/// causes instead, without the source (section 4.5 of the facts).
fn server_error(verb: &str, source: &str, s: &Status, causes: &[FieldError]) -> String {
    let standard = standard_error(verb, source, s);
    match crate::cli::kubectl::invalid_message(s, causes) {
        // Only a lone error reaches checkErr's 422 case; among several, `MultipleErrors` prints
        // each with `StandardErrorMessage`, so both forms are kept until the count is known.
        Some(alone) => format!("{alone}{AMONG_SEVERAL}{standard}"),
        None => standard,
    }
}

/// `AddSourceToErr` then `StandardErrorMessage`: a status without a reason (a plain error the
/// server turned into a 500) prints as `Error from server: ...`.
fn standard_error(verb: &str, source: &str, s: &Status) -> String {
    if s.reason.is_empty() {
        format!("Error from server: error when {verb} {source:?}: {}", s.message)
    } else {
        format!("Error from server ({}): error when {verb} {source:?}: {}", s.reason, s.message)
    }
}

/// Separates an error's lone form from its form in a list of several (see [`in_list`]).
const AMONG_SEVERAL: char = '\u{1f}';

/// The text kubectl prints for one error: a 422 printed alone is `The Pod "x" is invalid: ...`,
/// but in a list of several errors it is `Error from server (Invalid): error when creating
/// "f": Pod "x" is invalid: ...` (kubectl `checkErr`, `MultipleErrors`).
fn in_list(error: &str, several: bool) -> &str {
    match error.split_once(AMONG_SEVERAL) {
        Some((alone, among)) => if several { among } else { alone },
        None => error,
    }
}

/// `GetModifiedConfiguration`: the file as written, with the namespace kubectl's builder set on
/// it and its annotations (an empty map when it has none) less the last-applied one, encoded as
/// compact JSON with the trailing newline of Go's encoder; that text becomes the annotation, and
/// the file with it is what the three-way patch compares.
fn modified_configuration(manifest: &Value, namespace: Option<&str>) -> (Value, String) {
    let mut m = manifest.clone();
    if !m["metadata"].is_object() {
        m["metadata"] = Value::Object(Map::new());
    }
    if let Some(ns) = namespace {
        if m["metadata"]["namespace"].as_str().is_none_or(str::is_empty) {
            m["metadata"]["namespace"] = Value::String(ns.to_string());
        }
    }
    let mut annotations: Map<String, Value> =
        m["metadata"]["annotations"].as_object().map(|a| a.iter().filter(|(_, v)| v.is_string()).map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    annotations.remove(LAST_APPLIED);
    m["metadata"]["annotations"] = Value::Object(annotations);
    let mut applied = serde_json::to_string(&m).unwrap_or_default();
    applied.push('\n');
    set_annotation(&mut m, &applied);
    (m, applied)
}

/// `pruneNullsFromMap`: nulls go from every map, however deep; a null list item stays.
fn prune_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(prune_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

fn set_annotation(obj: &mut Value, applied: &str) {
    if !obj["metadata"]["annotations"].is_object() {
        obj["metadata"]["annotations"] = Value::Object(Map::new());
    }
    obj["metadata"]["annotations"][LAST_APPLIED] = Value::String(applied.to_string());
}
