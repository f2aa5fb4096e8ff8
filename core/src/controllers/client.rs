//! How a component talks to kube-apiserver: its identity, requests built from cached objects, and
//! core/v1 Events recorded through the API as client-go's event recorder does.

use crate::api::{lookup, KindInfo};
use super::event_correlator::{EventCorrelator, Lru, Occurrence};
use crate::apiserver::{handle, rfc3339, Context, PatchType, Reply, Request, User, Verb};
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
/// A pod condition as a controller or the scheduler writes it (`type`, `status`, `reason`,
/// `message`, transition now): with PodObservedGenerationTracking (on since 1.34) it records the
/// pod's generation (`CalculatePodConditionObservedGeneration`); a pod without one gets none.
pub fn pod_condition(pod: &Value, kind: &str, status: bool, reason: &str, message: &str, now: &str) -> Value {
    let mut c = json!({
        "type": kind, "status": if status { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now,
        "reason": reason, "message": message,
    });
    if let Some(g) = pod["metadata"]["generation"].as_i64().filter(|g| *g != 0) {
        c["observedGeneration"] = json!(g);
    }
    c
}

pub fn update_status(ctx: &mut Context, user: &User, kind: &'static KindInfo, obj: &Value) -> bool {
    update_status_owned(ctx, user, kind, obj.clone())
}

/// [`update_status`] with an object the caller built for it, sent without a copy.
pub fn update_status_owned(ctx: &mut Context, user: &User, kind: &'static KindInfo, obj: Value) -> bool {
    let mut req = Request::new(Verb::Update, kind, ns_of(&obj), name_of(&obj)).with_body(obj);
    req.subresource = "status".into();
    req.user = user.clone();
    handle(ctx, &req).result.is_ok()
}


/// Who reports an event (`source.component`, `source.host`).
pub struct Source<'a> {
    pub component: &'a str,
    pub host: &'a str,
}

/// The event recorders of the simulated processes, one per source (`component`, `host`): the
/// kubelet of each node and each kube-controller-manager controller start their own event
/// broadcaster, so each has its own `EventCorrelator` (`event_correlator.rs`). It also hands
/// out event names: `<object>.<16 hex digits>`, the digits being the virtual clock in unix
/// nanoseconds as client-go's recorder uses (plus a counter, so two events in the same
/// millisecond stay distinct).
#[derive(Debug)]
pub struct EventNames {
    counter: u64,
    recorders: Lru<EventCorrelator>,
}

/// Recorders kept at most: every component of a cluster of up to 255 nodes. In a larger one the
/// kubelets' recorders are dropped and made again in turn, so a kubelet there can forget which
/// events it aggregated; keeping one per kubelet (`MAX_CONFIGURED_NODES`) cost 62 MiB more peak
/// heap in a 1,000-node, 10,000-replica run (BENCHMARKS.md), so the bound stays.
const MAX_RECORDERS: usize = 256;

impl Default for EventNames {
    fn default() -> Self {
        EventNames { counter: 0, recorders: Lru::new(MAX_RECORDERS) }
    }
}

/// Virtual time 0 is 2026-01-01T00:00:00Z (see `apiserver::rfc3339`).
const EPOCH_UNIX_SECS: u64 = 1_767_225_600;

impl EventNames {
    fn next(&mut self, object: &str, ctx: &Context) -> String {
        self.counter += 1;
        let nanos = (EPOCH_UNIX_SECS * 1000 + ctx.now.as_ms()) * 1_000_000 + self.counter;
        format!("{object}.{nanos:016x}")
    }

    /// The source's recorder, started on its first event.
    fn recorder(&mut self, source: &Source) -> &mut EventCorrelator {
        self.recorders.get_or_insert_with(&format!("{}\u{0}{}", source.component, source.host), EventCorrelator::default)
    }
}

/// `fieldPath` of the kubelet's container references (`GenerateContainerRef`): the container
/// by name among the pod's containers, then its init and ephemeral containers.
pub fn container_field_path(pod: &Value, name: &str) -> String {
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        if pod["spec"][list].as_array().is_some_and(|cs| cs.iter().any(|c| c["name"] == name)) {
            return format!("spec.{list}{{{name}}}");
        }
    }
    format!("spec.containers{{{name}}}")
}

/// Records a core/v1 Event about `obj` through the API.
#[allow(clippy::too_many_arguments)]
pub fn event(ctx: &mut Context, names: &mut EventNames, user: &User, source: &Source, obj: &Value, warning: bool, reason: &str, message: &str) {
    event_at(ctx, names, user, source, obj, "", warning, reason, message);
}

/// Records a core/v1 Event about a part of `obj` (`fieldPath`, e.g. `spec.containers{web}` for
/// the kubelet's container events), as `recorder.Event` then the broadcaster's `recordToSink`
/// do: the source's correlator decides whether it is new (POST), a repeat (strategic-merge
/// PATCH of the existing event's count, lastTimestamp and message), or dropped by the spam
/// filter.
#[allow(clippy::too_many_arguments)]
pub fn event_at(ctx: &mut Context, names: &mut EventNames, user: &User, source: &Source, obj: &Value, field_path: &str, warning: bool, reason: &str, message: &str) {
    let Some(ev_kind) = lookup("v1", "Event") else { return };
    // `makeEvent`: events about cluster-scoped objects go to `default`.
    let ns = match ns_of(obj) {
        "" => "default",
        n => n,
    };
    let fresh_name = names.next(name_of(obj), ctx);
    let now = rfc3339(ctx.now);
    let event_type = if warning { "Warning" } else { "Normal" };
    let occurrence = Occurrence {
        component: source.component,
        host: source.host,
        kind: str_of(obj, &["kind"]),
        namespace: ns_of(obj),
        name: name_of(obj),
        field_path,
        uid: uid_of(obj),
        api_version: str_of(obj, &["apiVersion"]),
        event_type,
        reason,
        message,
        reporting_controller: source.component,
        reporting_instance: source.host,
    };
    let Some(c) = names.recorder(source).correlate(&occurrence, ctx.now.as_ms(), &now, fresh_name) else { return };
    if c.patch {
        // `CreateTwoWayMergePatch` of the event against a copy with no count, a zero
        // lastTimestamp and no message: exactly those three fields.
        let patch = json!({"count": c.count, "lastTimestamp": now, "message": c.message});
        let reply = send(ctx, user, Verb::Patch(PatchType::Strategic), ev_kind, ns, &c.name, Some(patch));
        // The event may be gone (its TTL ran out, or it was deleted): create it again, count kept.
        if !matches!(&reply.result, Err(status) if status.code == 404) {
            return;
        }
    }
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
    if !field_path.is_empty() {
        involved["fieldPath"] = json!(field_path);
    }
    // The combined event `EventAggregate` builds carries no reporting controller or instance.
    let (reporting_component, reporting_instance) = if c.combined { ("", "") } else { (source.component, source.host) };
    let body = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": c.name, "namespace": ns},
        "involvedObject": involved,
        "reason": reason, "message": c.message, "source": src,
        "firstTimestamp": c.first_timestamp, "lastTimestamp": now, "count": c.count,
        "type": event_type,
        "eventTime": null,
        "reportingComponent": reporting_component, "reportingInstance": reporting_instance,
    });
    let reply = send(ctx, user, Verb::Create, ev_kind, ns, &c.name, Some(body));
    if reply.result.is_ok() && c.patch && !c.combined {
        // `UpdateState`: the recreated event is the one the next repeat patches. (For a combined
        // event client-go keys this by the combined message, which no later event looks up.)
        names.recorder(source).update_state(&occurrence, &c.name, c.count, &c.first_timestamp);
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::{Cluster, Config};

    /// A crash-looping container's repeated BackOff is one Event whose count the kubelet raises
    /// with PATCH requests, under its own identity, each one a traced API request.
    #[test]
    fn a_repeated_kubelet_event_is_patched_through_the_api_server() {
        let files = MemoryFiles::new().with(
            "crash.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    command: [\"sh\", \"-c\", \"exit 1\"]\n",
        );
        let mut cluster = Cluster::new(Config::default());
        assert_eq!(cluster.execute("kubectl apply -f crash.yaml", &files).exit_code, 0);
        cluster.execute("run 2m", &files);
        let trace = cluster.trace().render();
        let patches: Vec<&str> = trace.lines().filter(|l| l.contains("PATCH /api/v1/namespaces/default/events/crash.") && l.contains("as system:node:")).collect();
        assert!(patches.len() >= 2, "{patches:?}");
        let out = cluster.execute("kubectl get events --field-selector reason=BackOff -o custom-columns=COUNT:.count", &files).stdout;
        let counts: Vec<&str> = out.lines().skip(1).collect();
        assert_eq!(counts.len(), 1, "{out}");
        assert!(counts[0].trim().parse::<u32>().is_ok_and(|c| c >= 2), "{out}");
    }

    /// A repeat whose Event is gone (deleted, or its TTL ran out) is created again under the
    /// same name, its count carried on (`recordEvent`: the PATCH's 404, then a POST).
    #[test]
    fn a_repeat_of_a_deleted_event_is_created_again_with_its_count() {
        let files = MemoryFiles::new().with(
            "crash.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    command: [\"sh\", \"-c\", \"exit 1\"]\n",
        );
        let mut cluster = Cluster::new(Config::default());
        cluster.execute("kubectl apply -f crash.yaml", &files);
        cluster.execute("run 1m", &files);
        let backoff = |c: &mut Cluster| c.execute("kubectl get events --field-selector reason=BackOff -o custom-columns=NAME:.metadata.name,COUNT:.count --no-headers", &files).stdout;
        let before = backoff(&mut cluster);
        let (name, count) = before.split_once(' ').map(|(n, c)| (n.to_string(), c.trim().parse::<u32>().unwrap_or(0))).unwrap_or_default();
        assert!(count >= 2, "{before}");
        assert_eq!(cluster.execute(&format!("kubectl delete event {name}"), &files).exit_code, 0);
        cluster.execute("run 3m", &files);
        let after = backoff(&mut cluster);
        let (again, later) = after.split_once(' ').map(|(n, c)| (n.to_string(), c.trim().parse::<u32>().unwrap_or(0))).unwrap_or_default();
        assert_eq!(again, name, "{after}");
        assert!(later > count, "{before} then {after}");
    }
}
