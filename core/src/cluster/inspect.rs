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
use crate::cli::printers::describe::{describe as describe_object, format_selector, shows_events, Related};
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
        Inspect::Explain(e) => crate::cli::kubectl::explain::run(e),
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
    if show_events && shows_events(kind) {
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
        ("apps", "ReplicaSet" | "StatefulSet" | "DaemonSet") | ("", "ReplicationController") => {
            // A ReplicationController's selector is a plain map (`labels.SelectorFromSet`).
            let selector = if kind.group.is_empty() { format_selector(&serde_json::json!({"matchLabels": obj["spec"]["selector"]})) } else { format_selector(&obj["spec"]["selector"]) };
            let selector = if selector == "<none>" { String::new() } else { selector };
            r.pods = list(ctx, "pods", ns, &selector, user, cause)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| o["controller"].as_bool() == Some(true) && o["uid"].as_str() == Some(uid)))
                .collect();
        }
        // `getPodsForPVC`: the namespace's pods with a volume that claims it.
        ("", "PersistentVolumeClaim") => {
            r.pods = list(ctx, "pods", ns, "", user, cause)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p["spec"]["volumes"].as_array().into_iter().flatten().any(|v| v["persistentVolumeClaim"]["claimName"].as_str() == Some(name)))
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
