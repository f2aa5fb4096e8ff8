//! How a component talks to kube-apiserver: its identity, requests built from cached objects, and
//! core/v1 Events recorded through the API as client-go's event recorder does.

use crate::api::{lookup, KindInfo};
use crate::apiserver::{handle, rfc3339, Context, Reply, Request, User, Verb};
use serde_json::{json, Value};

/// A kube-controller-manager controller runs under its own service account
/// (`--use-service-account-credentials`, as kubeadm configures it).
pub fn controller(name: &str) -> User {
    User::named(&format!("system:serviceaccount:kube-system:{name}"), &["system:serviceaccounts", "system:serviceaccounts:kube-system"])
}

pub fn scheduler() -> User {
    User::named("system:kube-scheduler", &[])
}

/// A kubelet's client certificate: `system:node:<name>` in `system:nodes`.
pub fn kubelet(node: &str) -> User {
    User::named(&format!("system:node:{node}"), &["system:nodes"])
}

pub fn kind(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    lookup(api_version, kind)
}

pub fn str_of<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or("")
}

pub fn name_of(v: &Value) -> &str {
    str_of(v, &["metadata", "name"])
}

pub fn ns_of(v: &Value) -> &str {
    str_of(v, &["metadata", "namespace"])
}

pub fn uid_of(v: &Value) -> &str {
    str_of(v, &["metadata", "uid"])
}

/// Sends one request as `user`.
pub fn send(ctx: &mut Context, user: &User, verb: Verb, kind: &'static KindInfo, ns: &str, name: &str, body: Option<Value>) -> Reply {
    let mut req = Request::new(verb, kind, ns, name);
    req.body = body;
    req.user = user.clone();
    handle(ctx, &req)
}

/// PUT `<object>/status` with the cached object (its resourceVersion is the precondition; a
/// conflict means the cache is behind and the next step retries).
pub fn update_status(ctx: &mut Context, user: &User, kind: &'static KindInfo, obj: &Value) -> bool {
    let mut req = Request::new(Verb::Update, kind, ns_of(obj), name_of(obj)).with_body(obj.clone());
    req.subresource = "status".into();
    req.user = user.clone();
    handle(ctx, &req).result.is_ok()
}


/// Who reports an event (`source.component`, `source.host`).
pub struct Source<'a> {
    pub component: &'a str,
    pub host: &'a str,
}

/// Hands out event names: `<object>.<16 hex digits>`, the digits being the virtual clock in unix
/// nanoseconds as client-go's recorder uses (plus a counter, so two events in the same
/// millisecond stay distinct).
#[derive(Debug, Default)]
pub struct EventNames {
    counter: u64,
}

/// Virtual time 0 is 2026-01-01T00:00:00Z (see `apiserver::rfc3339`).
const EPOCH_UNIX_SECS: u64 = 1_767_225_600;

impl EventNames {
    fn next(&mut self, object: &str, ctx: &Context) -> String {
        self.counter += 1;
        let nanos = (EPOCH_UNIX_SECS * 1000 + ctx.now.as_ms()) * 1_000_000 + self.counter;
        format!("{object}.{nanos:016x}")
    }
}

/// Records a core/v1 Event about `obj` through the API.
#[allow(clippy::too_many_arguments)]
pub fn event(ctx: &mut Context, names: &mut EventNames, user: &User, source: &Source, obj: &Value, warning: bool, reason: &str, message: &str) {
    let Some(ev_kind) = lookup("v1", "Event") else { return };
    let ns = match ns_of(obj) {
        "" => "default",
        n => n,
    };
    let name = names.next(name_of(obj), ctx);
    let now = rfc3339(ctx.now);
    let mut src = json!({"component": source.component});
    if !source.host.is_empty() {
        src["host"] = json!(source.host);
    }
    let mut involved = json!({
        "apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": name_of(obj),
        "uid": uid_of(obj), "resourceVersion": obj["metadata"]["resourceVersion"],
    });
    if !ns_of(obj).is_empty() {
        involved["namespace"] = json!(ns_of(obj));
    }
    let body = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": involved,
        "reason": reason, "message": message, "source": src,
        "firstTimestamp": now, "lastTimestamp": now, "count": 1,
        "type": if warning { "Warning" } else { "Normal" },
        "eventTime": null,
        "reportingComponent": source.component, "reportingInstance": source.host,
    });
    send(ctx, user, Verb::Create, ev_kind, ns, &name, Some(body));
}
