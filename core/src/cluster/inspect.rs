//! Running the read-only kubectl commands (`auth can-i`, `describe`, `api-versions`, `explain`,
//! `events`) and the parts of `get` that print through JSONPath (`-o jsonpath=`,
//! `-o custom-columns=`, `--sort-by`) or expand `get all`. Reads go through
//! `apiserver::handle` as the command's user, so each is traced and authorized; `auth can-i`
//! asks the authorizer directly, as kube-apiserver answers a SelfSubjectAccessReview.

use crate::api::{all_kinds, KindInfo};
use crate::apiserver::authz::{authorize, forbidden_message, render_can_i_list, rules_for, Attributes, UserInfo};
use crate::apiserver::{handle, Context, ListOptions, Request, Status, StoreObjects, User, Verb};
use crate::cli::kubectl::inspect::{CanI, Describe, Events, Inspect};
use crate::cli::kubectl::{resources, Kubectl};
use crate::cli::printers::describe::{describe as describe_object, format_selector, Related};
use crate::cli::printers::jsonpath::{go_value, relaxed, JsonPath};
use crate::cli::printers::{human_duration, parse_time, render_table};
use crate::cli::Output;
use serde_json::Value;

/// Runs one read-only command as `user` (whom `--as` names, or the kubeconfig's admin).
pub fn run(ctx: &mut Context, k: &Kubectl, inspect: &Inspect, user: &User, cause: Option<u64>) -> Output {
    let namespace = k.namespace.clone().unwrap_or_else(|| "default".into());
    match inspect {
        Inspect::CanI(c) => can_i(ctx, c, k, &namespace),
        Inspect::Describe(d) => describe(ctx, d, &namespace, k.all_namespaces, user, cause),
        Inspect::ApiVersions => api_versions(),
        Inspect::Explain { path } => explain(path),
        Inspect::Events(e) => events(ctx, e, &namespace, k.all_namespaces, user, cause),
    }
}

fn server_error(s: &Status) -> String {
    format!("Error from server ({}): {}", s.reason, s.message)
}

fn user_info(u: &User) -> UserInfo {
    UserInfo { name: u.name.clone(), uid: String::new(), groups: u.groups.clone() }
}

/// kube-apiserver's `WithImpersonation`: the real user needs `impersonate` on the user (or the
/// service account) and on each group; the first refusal is the 403.
fn check_impersonation(ctx: &Context, k: &Kubectl) -> Result<(), String> {
    let Some(name) = &k.impersonate.user else { return Ok(()) };
    let real = UserInfo::admin();
    let objects = StoreObjects(ctx.store);
    let mut asks = Vec::new();
    match name.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')) {
        Some((ns, sa)) => asks.push(Attributes::resource(real.clone(), "impersonate", "", "serviceaccounts", ns, sa)),
        None => asks.push(Attributes::resource(real.clone(), "impersonate", "", "users", "", name)),
    }
    for g in &k.impersonate.groups {
        asks.push(Attributes::resource(real.clone(), "impersonate", "", "groups", "", g));
    }
    for attrs in asks {
        let decision = authorize(&objects, &attrs);
        if !decision.allowed {
            return Err(format!("Error from server (Forbidden): {}\n", forbidden_message(&attrs, &decision)));
        }
    }
    Ok(())
}

const RESOURCE_VERBS: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"];
const NON_RESOURCE_VERBS: &[&str] = &["get", "put", "post", "head", "options", "delete", "patch", "*"];

/// `kubectl auth can-i`: a SelfSubjectAccessReview (or SelfSubjectRulesReview for `--list`)
/// answered by the authorizer chain for the impersonated user.
fn can_i(ctx: &mut Context, c: &CanI, k: &Kubectl, namespace: &str) -> Output {
    if let Err(e) = check_impersonation(ctx, k) {
        return Output::fail(e);
    }
    let user = user_info(&super::kubectl::user_of(k));
    let objects = StoreObjects(ctx.store);
    if c.list {
        let text = render_can_i_list(&objects, &user, namespace);
        let (warning, table) = match text.strip_prefix("warning: ") {
            Some(rest) => {
                let (w, t) = rest.split_once('\n').unwrap_or((rest, ""));
                (format!("Warning: {w}\n"), t.to_string())
            }
            None => (String::new(), text),
        };
        let stdout = if c.no_headers { no_headers_list(&objects, &user, namespace) } else { table };
        return Output { stdout, stderr: warning, exit_code: 0, diagnostics: Vec::new() };
    }
    let mut stderr = String::new();
    let ns = if k.all_namespaces { "" } else { namespace };
    let attrs = if !c.non_resource_url.is_empty() {
        if !NON_RESOURCE_VERBS.contains(&c.verb.as_str()) {
            stderr.push_str(&format!("Warning: verb '{}' is not a known verb\n", c.verb));
        }
        Attributes::non_resource(user, &c.verb, &c.non_resource_url)
    } else {
        let (group, resource) = if c.resource == "*" {
            (String::new(), "*".to_string())
        } else {
            match resources::resolve(&c.resource) {
                Ok(kind) => {
                    if !kind.namespaced && !k.all_namespaces {
                        stderr.push_str(&if kind.group.is_empty() {
                            format!("Warning: resource '{}' is not namespace scoped\n", kind.resource)
                        } else {
                            format!("Warning: resource '{}' is not namespace scoped in group '{}'\n", kind.resource, kind.group)
                        });
                    }
                    (kind.group.to_string(), kind.resource.to_string())
                }
                Err(_) => {
                    let lower = c.resource.to_ascii_lowercase();
                    let (r, g) = lower.split_once('.').unwrap_or((&lower, ""));
                    stderr.push_str(&if g.is_empty() {
                        format!("Warning: the server doesn't have a resource type '{r}'\n")
                    } else {
                        format!("Warning: the server doesn't have a resource type '{r}' in group '{g}'\n")
                    });
                    (String::new(), c.resource.clone())
                }
            }
        };
        if !RESOURCE_VERBS.contains(&c.verb.as_str()) {
            stderr.push_str(&format!("Warning: verb '{}' is not a known verb\n", c.verb));
        }
        Attributes::resource(user, &c.verb, &group, &resource, ns, &c.name).with_subresource(&c.subresource)
    };
    let decision = authorize(&objects, &attrs);
    let stdout = if c.quiet {
        String::new()
    } else if decision.allowed {
        "yes\n".to_string()
    } else if decision.reason.is_empty() {
        "no\n".to_string()
    } else {
        format!("no - {}\n", decision.reason)
    };
    Output { stdout, stderr, exit_code: i32::from(!decision.allowed), diagnostics: Vec::new() }
}

/// `--list --no-headers`: the same rows without the header line, through kubectl's tabwriter
/// (`printers.GetNewTabWriter`: minimum width 6, padding 3).
fn no_headers_list(objects: &StoreObjects, user: &UserInfo, namespace: &str) -> String {
    let list = |v: &[String]| format!("[{}]", v.join(" "));
    let rows: Vec<Vec<String>> =
        rules_for(objects, user, namespace).into_iter().map(|r| vec![r.resources.clone(), list(&r.non_resource_urls), list(&r.resource_names), list(&r.verbs)]).collect();
    render_table(&rows)
}

fn request(verb: Verb, kind: &'static KindInfo, ns: &str, name: &str, user: &User, cause: Option<u64>) -> Request {
    let mut req = Request::new(verb, kind, ns, name);
    req.user = user.clone();
    req.cause = cause;
    req
}

fn list(ctx: &mut Context, resource: &str, ns: &str, label_selector: &str, user: &User, cause: Option<u64>) -> Result<Vec<Value>, Status> {
    let Ok(kind) = resources::resolve(resource) else { return Ok(Vec::new()) };
    let mut req = request(Verb::List, kind, if kind.namespaced { ns } else { "" }, "", user, cause);
    req.list = ListOptions { label_selector: label_selector.to_string(), ..Default::default() };
    handle(ctx, &req).result.map(|l| l["items"].as_array().cloned().unwrap_or_default())
}

/// `kubectl describe`: fetch, then describe each object with what its describer reads.
fn describe(ctx: &mut Context, d: &Describe, namespace: &str, all_ns: bool, user: &User, cause: Option<u64>) -> Output {
    let mut found: Vec<(&'static KindInfo, Value)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut namespaced_only = !all_ns;
    // Set when `describe TYPE PREFIX` fell back to matching names: kubectl then prints each
    // description followed by a newline.
    let mut by_prefix = false;
    let targets = expand_all(&d.targets);
    for (typed, names) in &targets {
        let kind = match resources::resolve(typed) {
            Ok(k) => k,
            Err(e) => return Output::fail(format!("{e}\n")),
        };
        namespaced_only &= kind.namespaced;
        let ns = if kind.namespaced && !(all_ns && names.is_empty()) { namespace } else { "" };
        if names.is_empty() {
            match list(ctx, typed, ns, &d.label_selector, user, cause) {
                Ok(items) => found.extend(items.into_iter().map(|o| (kind, o))),
                Err(s) => errors.push(server_error(&s)),
            }
            continue;
        }
        for name in names {
            match handle(ctx, &request(Verb::Get, kind, ns, name, user, cause)).result {
                Ok(obj) => found.push((kind, obj)),
                // DescribeMatchingResources: `describe TYPE PREFIX` describes every object whose
                // name starts with PREFIX when none is called exactly that.
                Err(s) if s.code == 404 && targets.len() == 1 && names.len() == 1 => {
                    let matching: Vec<Value> = list(ctx, typed, ns, "", user, cause)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|o| o["metadata"]["name"].as_str().is_some_and(|n| n.starts_with(name.as_str())))
                        .collect();
                    if matching.is_empty() {
                        errors.push(server_error(&s));
                    }
                    by_prefix = true;
                    found.extend(matching.into_iter().map(|o| (kind, o)));
                }
                Err(s) => errors.push(server_error(&s)),
            }
        }
    }
    // `--show-events` defaults to true for every object described, one or many (kubectl's
    // `DescriberSettings`), prefix matches included.
    let show_events = d.show_events.unwrap_or(true);
    let mut stdout = String::new();
    for (i, (kind, obj)) in found.iter().enumerate() {
        let related = related(ctx, kind, obj, show_events, user, cause);
        if i > 0 && !by_prefix {
            stdout.push_str("\n\n");
        }
        stdout.push_str(&describe_object(kind, obj, &related, ctx.now));
        if by_prefix {
            stdout.push('\n');
        }
    }
    let mut stderr: String = errors.iter().map(|e| format!("{e}\n")).collect();
    if found.is_empty() && errors.is_empty() {
        stderr = if namespaced_only { format!("No resources found in {namespace} namespace.\n") } else { "No resources found\n".into() };
    }
    Output { stdout, stderr, exit_code: i32::from(!errors.is_empty()), diagnostics: Vec::new() }
}

/// What the describer of `kind` reads besides the object. Failed reads leave a part empty, as
/// kubectl's describers ignore them (events are then not shown at all).
fn related(ctx: &mut Context, kind: &KindInfo, obj: &Value, show_events: bool, user: &User, cause: Option<u64>) -> Related {
    let meta = &obj["metadata"];
    let ns = meta["namespace"].as_str().unwrap_or("");
    let name = meta["name"].as_str().unwrap_or("");
    let uid = meta["uid"].as_str().unwrap_or("");
    let mut r = Related::default();
    if show_events && !matches!(kind.kind, "Secret" | "Namespace") {
        r.events = list(ctx, "events", ns, "", user, cause).ok().map(|events| {
            events
                .into_iter()
                .filter(|e| {
                    let io = &e["involvedObject"];
                    io["name"].as_str() == Some(name)
                        && io["kind"].as_str() == Some(kind.kind)
                        && io["namespace"].as_str().unwrap_or("") == ns
                        && io["uid"].as_str().is_none_or(|u| u.is_empty() || u == uid)
                })
                .collect()
        });
    }
    match (kind.group, kind.kind) {
        ("apps", "Deployment") => r.replicasets = list(ctx, "replicasets", ns, "", user, cause).unwrap_or_default(),
        // `getPodStatusForController`: the pods the selector finds that this object controls.
        ("apps", "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            let selector = format_selector(&obj["spec"]["selector"]);
            let selector = if selector == "<none>" { String::new() } else { selector };
            r.pods = list(ctx, "pods", ns, &selector, user, cause)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| o["controller"].as_bool() == Some(true) && o["uid"].as_str() == Some(uid)))
                .collect();
        }
        ("", "Service") => {
            r.endpoint_slices = list(ctx, "endpointslices", ns, &format!("kubernetes.io/service-name={name}"), user, cause).unwrap_or_default();
        }
        ("", "Namespace") => {
            r.quotas = list(ctx, "resourcequotas", name, "", user, cause).unwrap_or_default();
            r.limit_ranges = list(ctx, "limitranges", name, "", user, cause).unwrap_or_default();
        }
        ("", "Node") => {
            r.pods = list(ctx, "pods", "", "", user, cause)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p["spec"]["nodeName"].as_str() == Some(name) && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
                .collect();
            if let Ok(lease_kind) = resources::resolve("leases") {
                r.lease = Some(handle(ctx, &request(Verb::Get, lease_kind, "kube-node-lease", name, user, cause)).result.map_err(|s| s.message));
            }
        }
        _ => {}
    }
    r
}

/// `kubectl api-versions`: every group/version a default kubeadm cluster serves, sorted.
fn api_versions() -> Output {
    let mut versions: Vec<String> = all_kinds().iter().filter(|k| (k.persisted || k.resource.ends_with("reviews")) && crate::api::registry::served_by_default(k)).map(|k| k.api_version()).collect();
    versions.sort();
    versions.dedup();
    Output::ok(versions.iter().map(|v| format!("{v}\n")).collect::<String>())
}

/// `kubectl events`: core/v1 Events oldest first, as kubectl's own event printer lays them out.
fn events(ctx: &mut Context, e: &Events, namespace: &str, all_ns: bool, user: &User, cause: Option<u64>) -> Output {
    let for_kind = match &e.for_object {
        Some((t, n)) => match resources::resolve(t) {
            Ok(k) => Some((k, n.clone())),
            Err(err) => return Output::fail(format!("{err}\n")),
        },
        None => None,
    };
    let ns = if all_ns { "" } else { namespace };
    let mut items = match list(ctx, "events", ns, "", user, cause) {
        Ok(items) => items,
        Err(s) => return Output::fail(format!("{}\n", server_error(&s))),
    };
    items.retain(|ev| {
        let io = &ev["involvedObject"];
        let type_ok = e.types.is_empty() || e.types.iter().any(|t| ev["type"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(t)));
        let for_ok = for_kind.as_ref().is_none_or(|(k, n)| io["kind"].as_str() == Some(k.kind) && io["name"].as_str() == Some(n.as_str()));
        type_ok && for_ok
    });
    if items.is_empty() {
        let stderr = if all_ns { "No events found.\n".to_string() } else { format!("No events found in {namespace} namespace.\n") };
        return Output { stderr, ..Default::default() };
    }
    items.sort_by_key(|ev| parse_time(event_time(ev)).unwrap_or(i64::MIN));
    let mut rows = Vec::new();
    if !e.no_headers {
        let mut h: Vec<String> = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].iter().map(|s| s.to_string()).collect();
        if all_ns {
            h.insert(0, "NAMESPACE".into());
        }
        rows.push(h);
    }
    for ev in &items {
        let io = &ev["involvedObject"];
        let mut row = vec![
            event_interval(ev, ctx.now),
            ev["type"].as_str().unwrap_or("").to_string(),
            ev["reason"].as_str().unwrap_or("").to_string(),
            format!("{}/{}", io["kind"].as_str().unwrap_or(""), io["name"].as_str().unwrap_or("")),
            ev["message"].as_str().unwrap_or("").trim().to_string(),
        ];
        if all_ns {
            row.insert(0, ev["metadata"]["namespace"].as_str().unwrap_or("").to_string());
        }
        rows.push(row);
    }
    Output::ok(render_table(&rows))
}

/// `eventTime` of kubectl's events command, the sort key: the series' last observation, else
/// the last timestamp, else the event time.
fn event_time(e: &Value) -> &str {
    e["series"]["lastObservedTime"].as_str().or(e["lastTimestamp"].as_str()).or(e["eventTime"].as_str()).unwrap_or("")
}

/// `getInterval`: the age, or `<last> (xN over <first>)` for repeated events.
fn event_interval(e: &Value, now: crate::sim::Time) -> String {
    let since = |ts: Option<&str>| ts.and_then(parse_time).map_or("<unknown>".to_string(), |t| human_duration(now.as_ms() as i64 - t));
    let first = if e["eventTime"].is_string() { since(e["eventTime"].as_str()) } else { since(e["firstTimestamp"].as_str()) };
    let count = e["count"].as_i64().unwrap_or(0);
    if !e["series"].is_null() {
        format!("{} (x{} over {first})", since(e["series"]["lastObservedTime"].as_str()), e["series"]["count"].as_i64().unwrap_or(0))
    } else if count > 1 {
        format!("{} (x{count} over {first})", since(e["lastTimestamp"].as_str()))
    } else {
        first
    }
}

/// `kubectl explain TYPE`: the OpenAPI v3 plaintext template of kubectl's `pkg/explain/v2`
/// (GROUP, KIND, VERSION, DESCRIPTION, FIELDS) for the kinds in [`EXPLAIN`]. kubeplay serves no
/// OpenAPI document, so nested field paths (`pods.spec`) and other kinds say so instead.
fn explain(path: &str) -> Output {
    let mut parts = path.split('.');
    let typed = parts.next().unwrap_or(path);
    let fields: Vec<&str> = parts.collect();
    let kind = match resources::resolve(typed) {
        Ok(k) => k,
        Err(e) => return Output::fail(format!("{e}\n")),
    };
    let Some((_, description, props)) = EXPLAIN.iter().find(|(k, _, _)| *k == kind.kind) else {
        return Output::fail(format!("error: kubeplay carries the explain text of a few common kinds only, not {}; see https://kubernetes.io/docs/reference/kubernetes-api/\n", kind.kind));
    };
    if let Some(field) = fields.first() {
        if !props.iter().any(|(name, _, _)| name == field) {
            return Output::fail(format!("error: field \"{}\" does not exist\n", fields.last().unwrap_or(field)));
        }
        return Output::fail(format!("error: kubeplay explains top-level fields only so far; `kubectl explain {}` lists them\n", typed));
    }
    let mut out = String::new();
    if !kind.group.is_empty() {
        out.push_str(&format!("GROUP:      {}\n", kind.group));
    }
    out.push_str(&format!("KIND:       {}\nVERSION:    {}\n\n", kind.kind, kind.version));
    out.push_str("DESCRIPTION:\n");
    out.push_str(&indent(4, &word_wrap(&format!("{description}\n"), 76)));
    out.push_str("\nFIELDS:\n");
    for (name, ty, desc) in props.iter() {
        out.push_str(&format!("  {name}\t<{ty}>\n"));
        out.push_str(&indent(4, &word_wrap(desc, 76)));
        out.push_str("\n\n");
    }
    out.push('\n');
    Output::ok(out)
}

/// The template's `indent`: the pad before the text and after every newline.
fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// `wordwrap.WrapString` (mitchellh/go-wordwrap, behind kubectl's `NewWordWrapWriter`): break
/// at spaces so lines fit in `limit` characters, keep existing newlines, never split a word.
fn word_wrap(s: &str, limit: usize) -> String {
    let mut out = String::new();
    let (mut current, mut word, mut space) = (0usize, String::new(), String::new());
    for c in s.chars() {
        if c == '\n' {
            out.push_str(&space);
            out.push_str(&word);
            out.push('\n');
            (current, word, space) = (0, String::new(), String::new());
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space.chars().count() + word.chars().count();
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
            }
            space.push(c);
        } else {
            word.push(c);
            let (sl, wl) = (space.chars().count(), word.chars().count());
            if current + sl + wl > limit && wl < limit {
                out.push('\n');
                current = 0;
                space.clear();
            }
        }
    }
    if word.is_empty() {
        if current + space.chars().count() <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

/// Top-level fields of the most used kinds for `kubectl explain`, from the API's own
/// documentation (the OpenAPI descriptions k8s-openapi 0.29 carries as doc comments, v1.37).
/// (kind, description, [(field, type, description)]), fields sorted by name.
#[rustfmt::skip]
const EXPLAIN: &[(&str, &str, &[(&str, &str, &str)])] = &[
    ("Pod", "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "PodSpec", "Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "PodStatus", "Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "DeploymentSpec", "Specification of the desired behavior of the Deployment."),
        ("status", "DeploymentStatus", "Most recently observed status of the Deployment."),
    ]),
    ("ReplicaSet", "ReplicaSet ensures that a specified number of pod replicas are running at any given time.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "If the Labels of a ReplicaSet are empty, they are defaulted to be the same as the Pod(s) that the ReplicaSet manages. Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "ReplicaSetSpec", "Spec defines the specification of the desired behavior of the ReplicaSet. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "ReplicaSetStatus", "Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("StatefulSet", "StatefulSet represents a set of pods with consistent identities. Identities are defined as:\n  - Network: A single stable DNS and hostname.\n  - Storage: As many VolumeClaims as requested.\n\nThe StatefulSet guarantees that a given network identity will always map to the same storage identity.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "StatefulSetSpec", "Spec defines the desired identities of pods in this set."),
        ("status", "StatefulSetStatus", "Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time."),
    ]),
    ("DaemonSet", "DaemonSet represents the configuration of a daemon set.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "DaemonSetSpec", "The desired behavior of this daemon set. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "DaemonSetStatus", "The current status of this daemon set. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("Job", "Job represents the configuration of a single job.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "JobSpec", "Specification of the desired behavior of a job. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "JobStatus", "Current status of a job. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("CronJob", "CronJob represents the configuration of a single cron job.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "CronJobSpec", "Specification of the desired behavior of a cron job, including the schedule. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "CronJobStatus", "Current status of a cron job. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("Service", "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "ServiceSpec", "Spec defines the behavior of a service. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "ServiceStatus", "Most recently observed status of the service. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("ConfigMap", "ConfigMap holds configuration data for pods to consume.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("binaryData", "map[string]string", "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet. Note: BinaryData keys are not currently propagated to container env vars via ConfigMapKeyRef or ConfigMapRef env sources; only Data keys are used."),
        ("data", "map[string]string", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
        ("immutable", "boolean", "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil."),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    ]),
    ("Secret", "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("data", "map[string]string", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
        ("immutable", "boolean", "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil."),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("stringData", "map[string]string", "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API."),
        ("type", "string", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
    ]),
    ("Namespace", "Namespace provides a scope for Names. Use of multiple namespaces is optional.", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "NamespaceSpec", "Spec defines the behavior of the Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "NamespaceStatus", "Status describes the current status of a Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("Node", "Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("spec", "NodeSpec", "Spec defines the behavior of a node. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
        ("status", "NodeStatus", "Most recently observed status of the node. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    ]),
    ("ServiceAccount", "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets", &[
        ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        ("automountServiceAccountToken", "boolean", "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level."),
        ("imagePullSecrets", "[]LocalObjectReference", "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are only accessed by the kubelet. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod"),
        ("kind", "string", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        ("metadata", "ObjectMeta", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ("secrets", "[]ObjectReference", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret"),
    ]),
];

/// The resource types of `kubectl get all` (the `all` category of the discovery documents), in
/// discovery order.
pub const ALL_CATEGORY: &[&str] =
    &["pods", "replicationcontrollers", "services", "daemonsets.apps", "deployments.apps", "replicasets.apps", "statefulsets.apps", "horizontalpodautoscalers.autoscaling", "cronjobs.batch", "jobs.batch"];

/// `-o jsonpath=TEMPLATE` over the object (one named object) or the List kubectl builds.
pub fn print_jsonpath(template: &str, value: &Value) -> Result<String, String> {
    Ok(JsonPath::parse(template).map_err(|e| format!("error: {e}\n"))?.execute(value))
}

/// `-o custom-columns=HEADER:PATH,...`: one column per spec, cells joined by `,`, `<none>` when
/// a path finds nothing.
pub fn custom_columns(spec: &str, objects: &[Value], no_headers: bool) -> Result<String, String> {
    let mut columns: Vec<(String, JsonPath)> = Vec::new();
    for part in spec.split(',') {
        let (header, path) = part.split_once(':').ok_or_else(|| format!("error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>\n"))?;
        let expr = relaxed(path).map_err(|e| format!("error: {e}\n"))?;
        columns.push((header.to_string(), JsonPath::parse(&expr).map_err(|e| format!("error: {e}\n"))?));
    }
    let mut rows = Vec::new();
    if !no_headers {
        rows.push(columns.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>());
    }
    for o in objects {
        rows.push(
            columns
                .iter()
                .map(|(_, p)| {
                    let found = p.find(o);
                    if found.is_empty() {
                        "<none>".to_string()
                    } else {
                        found.iter().map(go_value).collect::<Vec<_>>().join(",")
                    }
                })
                .collect(),
        );
    }
    Ok(render_table(&rows))
}

/// Expands `all` among `get`'s targets into the `all` category.
pub fn expand_all(targets: &[(String, Vec<String>)]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (t, names) in targets {
        if t == "all" {
            out.extend(ALL_CATEGORY.iter().map(|r| (r.to_string(), names.clone())));
        } else {
            out.push((t.clone(), names.clone()));
        }
    }
    out
}
