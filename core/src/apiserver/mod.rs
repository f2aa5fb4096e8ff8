//! The simulated kube-apiserver: every request passes the same stages as on a real server and
//! each stage leaves a record in the trace.
//!
//! This first slice serves create, update (replace) and get for every built-in kind and writes to
//! etcd with kube-apiserver's optimistic transactions. Authentication, authorization, admission
//! and validation grow here as stages of [`handle`], one file per stage.

pub mod admission;
pub mod authz;
pub mod field;
pub mod objects;
mod status;
pub mod validation;

pub use field::FieldError;
pub use objects::{MemoryObjects, Objects};
pub use status::{qualified_resource, Status};

use crate::api::KindInfo;
use crate::sim::{Rng, Time};
use crate::store::{PutRequest, RangeRequest, Store};
use crate::trace::{Actor, Event, Trace};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    Create,
    Update,
}

impl Verb {
    fn http_method(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Create => "POST",
            Verb::Update => "PUT",
        }
    }
}

/// One API request, already decoded from the body.
#[derive(Clone, Debug)]
pub struct Request {
    pub verb: Verb,
    pub kind: &'static KindInfo,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    pub name: String,
    pub body: Option<Value>,
    pub user: String,
}

impl Request {
    /// The REST path, as a learner would see it in `kubectl -v=8`.
    pub fn path(&self) -> String {
        let base = if self.kind.group.is_empty() {
            format!("/api/{}", self.kind.version)
        } else {
            format!("/apis/{}/{}", self.kind.group, self.kind.version)
        };
        let ns = if self.kind.namespaced { format!("/namespaces/{}", self.namespace) } else { String::new() };
        let name = if self.verb == Verb::Create { String::new() } else { format!("/{}", self.name) };
        format!("{base}{ns}/{}{name}", self.kind.resource)
    }
}

/// What the server answered: the object on success, a [`Status`] on failure.
pub type Response = Result<Value, Status>;

/// The state the API server shares with the rest of the simulation for one request.
pub struct Context<'a> {
    pub store: &'a mut Store,
    pub trace: &'a mut Trace,
    pub rng: &'a mut Rng,
    pub now: Time,
}

/// Serves one request through every stage, tracing each.
pub fn handle(ctx: &mut Context, req: &Request) -> Response {
    ctx.trace.push(ctx.now, Actor::ApiServer, Event::Request { verb: req.verb.http_method().into(), path: req.path() });
    let result = serve(ctx, req);
    let (code, message) = match &result {
        Ok(_) if req.verb == Verb::Create => (201, "Created".to_string()),
        Ok(_) => (200, "OK".to_string()),
        Err(s) => (s.code, format!("{}: {}", s.reason, s.message)),
    };
    ctx.trace.push(ctx.now, Actor::ApiServer, Event::Response { code, message });
    result
}

fn serve(ctx: &mut Context, req: &Request) -> Response {
    let resource = qualified_resource(req.kind);
    if req.kind.namespaced && req.namespace != "" && req.verb != Verb::Get {
        // NamespaceLifecycle admission: objects can only be created in namespaces that exist.
        let ns_key = format!("/registry/namespaces/{}", req.namespace);
        if read(ctx.store, &ns_key)?.is_none() {
            return Err(Status::not_found("namespaces", &req.namespace));
        }
    }
    let key = req.kind.etcd_key(&req.namespace, &req.name);
    match req.verb {
        Verb::Get => match read(ctx.store, &key)? {
            Some((obj, _)) => Ok(obj),
            None => Err(Status::not_found(&resource, &req.name)),
        },
        Verb::Create => {
            if !req.kind.persisted {
                return Err(Status::bad_request(format!("{} cannot be created through kubeplay yet", req.kind.kind)));
            }
            if read(ctx.store, &key)?.is_some() {
                return Err(Status::already_exists(&resource, &req.name));
            }
            let mut obj = req.body.clone().unwrap_or(Value::Null);
            prepare_for_create(&mut obj, req, ctx);
            write(ctx, &key, obj, true)
        }
        Verb::Update => {
            let Some((current, _)) = read(ctx.store, &key)? else {
                return Err(Status::not_found(&resource, &req.name));
            };
            let mut obj = req.body.clone().unwrap_or(Value::Null);
            // Server-owned metadata survives a replace.
            for field in ["uid", "creationTimestamp", "generation"] {
                if let Some(v) = current["metadata"].get(field) {
                    obj["metadata"][field] = v.clone();
                }
            }
            if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
            }
            let mut stored = current.clone();
            if let Some(meta) = stored.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
            }
            if stored == obj {
                // No-op updates are not written: the revision does not move (as kube-apiserver).
                return Ok(current);
            }
            if obj.get("spec") != stored.get("spec") {
                if let Some(g) = stored["metadata"].get("generation").and_then(Value::as_i64) {
                    obj["metadata"]["generation"] = json!(g + 1);
                }
            }
            write(ctx, &key, obj, false)
        }
    }
}

/// Kinds whose registry strategy tracks `metadata.generation`.
fn tracks_generation(kind: &KindInfo) -> bool {
    matches!(
        (kind.group, kind.kind),
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("batch", "Job" | "CronJob")
            | ("", "ReplicationController")
            | ("autoscaling", "HorizontalPodAutoscaler")
            | ("policy", "PodDisruptionBudget")
            | ("networking.k8s.io", "Ingress" | "NetworkPolicy")
    )
}

/// `FillObjectMetaSystemFields` and the strategy's `PrepareForCreate`: uid, creation time,
/// namespace, generation.
fn prepare_for_create(obj: &mut Value, req: &Request, ctx: &mut Context) {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    let meta = &mut obj["metadata"];
    if req.kind.namespaced {
        meta["namespace"] = json!(req.namespace);
    }
    meta["uid"] = json!(uuid_v4(ctx.rng));
    meta["creationTimestamp"] = json!(rfc3339(ctx.now));
    if tracks_generation(req.kind) {
        meta["generation"] = json!(1);
    }
    if let Some(m) = meta.as_object_mut() {
        m.remove("resourceVersion");
    }
}

/// Reads the object at `key` with `metadata.resourceVersion` filled from its `mod_revision`.
fn read(store: &Store, key: &str) -> Result<Option<(Value, i64)>, Status> {
    let resp = store.range(&RangeRequest { key: key.as_bytes().to_vec(), ..Default::default() }).map_err(Status::internal)?;
    let Some(kv) = resp.kvs.into_iter().next() else { return Ok(None) };
    let mut obj: Value = serde_json::from_slice(&kv.value).map_err(Status::internal)?;
    obj["metadata"]["resourceVersion"] = json!(kv.mod_revision.to_string());
    Ok(Some((obj, kv.mod_revision)))
}

fn write(ctx: &mut Context, key: &str, mut obj: Value, created: bool) -> Response {
    let value = serde_json::to_vec(&obj).map_err(Status::internal)?;
    let resp = ctx
        .store
        .put(PutRequest { key: key.as_bytes().to_vec(), value, ..Default::default() })
        .map_err(Status::internal)?;
    let revision = resp.header.revision;
    ctx.trace.push(ctx.now, Actor::Etcd, Event::StoreWrite { key: key.to_string(), revision, created });
    obj["metadata"]["resourceVersion"] = json!(revision.to_string());
    Ok(obj)
}

/// The simulated cluster's epoch: virtual time 0 is this instant.
const EPOCH_UNIX_SECS: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// RFC 3339 with second precision, as `metav1.Time` serialises.
pub fn rfc3339(now: Time) -> String {
    let secs = EPOCH_UNIX_SECS + now.as_ms() / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A version-4 UUID drawn from the run's RNG (so uids replay with the seed).
fn uuid_v4(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_uids() {
        assert_eq!(rfc3339(Time(0)), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(Time(86_400_000 * 59 + 3_723_000)), "2026-03-01T01:02:03Z");
        let u = uuid_v4(&mut Rng::new(1));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
