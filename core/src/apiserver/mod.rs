//! The simulated kube-apiserver: every request passes the stages a real server runs, and each
//! stage leaves a [`crate::trace::Event::Stage`] record saying what it decided and why.
//!
//! Order (kube-apiserver's handler chain, then the registry's write path): authentication,
//! authorization, decoding with strict field validation and scheme defaulting, mutating
//! admission, validation, validating admission, storage (an etcd txn), response. Reads stop after
//! authorization. Dry-run requests run every stage except the write.

pub mod admission;
pub mod aggregator;
mod allocator;
pub mod authz;
mod decode_cache;
mod diff;
pub mod field;
pub mod managed_fields;
pub mod objects;
pub mod patch;
mod pipeline;
mod stages;
pub mod select;
mod status;
pub mod storage;
pub mod generation;
pub mod strategy;
pub mod validation;
pub mod watch_memo;

pub use field::FieldError;
pub use objects::{MemoryObjects, Objects, StoreObjects};
pub use status::{qualified_resource, Status};
pub use managed_fields::manager::manager_for as manager_for_request;
pub use strategy::rfc3339;

use crate::api::KindInfo;
use crate::sim::{Rng, Time};
use crate::store::Store;
use crate::trace::Trace;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/strategic-merge-patch+json`: lists of named things merge by their key.
    Strategic,
    /// `application/json-patch+json` (RFC 6902).
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Create,
    Update,
    Patch(PatchType),
    Delete,
    DeleteCollection,
    /// `GET ...?watch=true`: the changes since `ListOptions::resource_version` (see
    /// `subresources/watch.rs`).
    Watch,
    /// Server-side apply: `PATCH` with `application/apply-patch+yaml`, RBAC verb `patch`;
    /// `force` is `PatchOptions.force` (`--force-conflicts`). See `apply_patch.rs`.
    Apply { force: bool },
}

impl Verb {
    /// The RBAC verb.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch(_) | Verb::Apply { .. } => "patch",
            Verb::Delete => "delete",
            Verb::DeleteCollection => "deletecollection",
            Verb::Watch => "watch",
        }
    }

    pub fn http_method(self) -> &'static str {
        match self {
            Verb::Get | Verb::List | Verb::Watch => "GET",
            Verb::Create => "POST",
            Verb::Update => "PUT",
            Verb::Patch(_) | Verb::Apply { .. } => "PATCH",
            Verb::Delete | Verb::DeleteCollection => "DELETE",
        }
    }

    pub fn is_write(self) -> bool {
        !matches!(self, Verb::Get | Verb::List | Verb::Watch)
    }
}

/// `metav1.DeleteOptions.propagationPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

/// The parts of `ListOptions` the simulation serves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    pub label_selector: String,
    pub field_selector: String,
    pub limit: i64,
    /// The opaque token of the previous page.
    pub continue_token: String,
    /// For a watch: the revision to start after; empty or `0` starts now with a synthetic
    /// ADDED event per existing object.
    pub resource_version: String,
    /// For a watch: end the answer with a BOOKMARK at the revision it was served at.
    pub allow_watch_bookmarks: bool,
}

/// The parts of `DeleteOptions` the simulation serves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    pub propagation: Option<Propagation>,
    pub grace_period_seconds: Option<i64>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
}

/// Who is asking, as authentication establishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

impl User {
    /// kubeadm's `kubernetes-admin` (the identity in `admin.conf`).
    pub fn admin() -> Self {
        User { name: "kubernetes-admin".into(), groups: vec!["kubeadm:cluster-admins".into(), "system:authenticated".into()] }
    }

    /// kube-apiserver's own loopback identity, used for bootstrap writes.
    pub fn apiserver() -> Self {
        User { name: "system:apiserver".into(), groups: vec!["system:masters".into(), "system:authenticated".into()] }
    }

    pub fn named(name: &str, groups: &[&str]) -> Self {
        let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        if name != "system:anonymous" && !groups.iter().any(|g| g == "system:authenticated") {
            groups.push("system:authenticated".into());
        }
        User { name: name.to_string(), groups }
    }
}

/// One API request, its body already parsed from the wire.
#[derive(Clone, Debug)]
pub struct Request {
    pub verb: Verb,
    pub kind: &'static KindInfo,
    /// `status`, `scale`, `binding`, `eviction`, or empty.
    pub subresource: String,
    /// Empty for cluster-scoped kinds, and for lists across all namespaces.
    pub namespace: String,
    pub name: String,
    pub body: Option<Value>,
    /// Fields of the body the strict decoder does not know (`fieldValidation=Strict`).
    pub unknown_fields: Vec<String>,
    pub user: User,
    pub dry_run: bool,
    pub field_manager: String,
    pub list: ListOptions,
    pub delete: DeleteOptions,
    /// The trace record that led to this request (a command, a watch event).
    pub cause: Option<u64>,
}

impl Request {
    pub fn new(verb: Verb, kind: &'static KindInfo, namespace: &str, name: &str) -> Self {
        Request {
            verb,
            kind,
            subresource: String::new(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            body: None,
            unknown_fields: Vec::new(),
            user: User::admin(),
            dry_run: false,
            field_manager: String::new(),
            list: ListOptions::default(),
            delete: DeleteOptions::default(),
            cause: None,
        }
    }

    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The REST path, as `kubectl -v=6` would show it.
    pub fn path(&self) -> String {
        let base = if self.kind.group.is_empty() {
            format!("/api/{}", self.kind.version)
        } else {
            format!("/apis/{}/{}", self.kind.group, self.kind.version)
        };
        let ns = if self.kind.namespaced && !self.namespace.is_empty() {
            format!("/namespaces/{}", self.namespace)
        } else {
            String::new()
        };
        // A create names its object in the URL only for a subresource (`pods/web/binding`).
        let name = match self.verb {
            Verb::Create if self.subresource.is_empty() => String::new(),
            Verb::List | Verb::DeleteCollection | Verb::Watch => String::new(),
            _ => format!("/{}", self.name),
        };
        let sub = if self.subresource.is_empty() { String::new() } else { format!("/{}", self.subresource) };
        let query = if self.verb == Verb::Watch { format!("?resourceVersion={}&watch=true", self.list.resource_version) } else { String::new() };
        format!("{base}{ns}/{}{name}{sub}{query}", self.kind.resource)
    }
}

/// What the server answered, with the request's id in the trace.
#[derive(Clone, Debug)]
pub struct Reply {
    pub id: u64,
    pub result: Result<Value, Status>,
    /// `Warning:` headers (PodSecurity warn level, deprecations).
    pub warnings: Vec<String>,
    /// The field errors behind a 422, which kubectl prints one per line.
    pub causes: Vec<FieldError>,
}

/// The state the API server shares with the rest of the simulation for one request.
pub struct Context<'a> {
    pub store: &'a mut Store,
    pub trace: &'a mut Trace,
    pub rng: &'a mut Rng,
    pub now: Time,
    /// The next request id; the cluster owns the counter so ids are unique across a run.
    pub next_request_id: &'a mut u64,
    /// What kube-apiserver keeps in memory between requests (its listers), beside the store it
    /// mirrors.
    pub memory: &'a mut ApiMemory,
}

/// kube-apiserver's in-memory state that only saves work: each part answers exactly as reading
/// the store again would.
#[derive(Clone, Debug, Default)]
pub struct ApiMemory {
    /// The RBAC authorizer's resolved bindings (`authz/memo.rs`).
    pub rbac: authz::RbacMemo,
    /// The lease the last event was attached to (the etcd3 lease manager's `prevLeaseID`);
    /// 0 before the first (`subresources/event_ttl.rs`).
    pub event_lease: i64,
}

/// Serves one request through every stage, tracing each.
pub fn handle(ctx: &mut Context, req: &Request) -> Reply {
    pipeline::handle(ctx, req)
}

/// Serves a request for an aggregated API (`metrics.k8s.io`): authenticated and authorized as any
/// other, then answered by `server`, the component behind the APIService.
pub fn handle_aggregated(ctx: &mut Context, req: &Request, server: &dyn aggregator::AggregatedServer) -> Reply {
    pipeline::handle_with(ctx, req, Some(server))
}
