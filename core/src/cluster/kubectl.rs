//! The kubectl commands that are a few API requests each (`get`, `delete`, `version`,
//! `api-resources`, `auth whoami`, `cluster-info`): run in one kernel step, every request traced.

use crate::api::{all_kinds, decode_manifest, KindInfo, Limits};
use crate::apiserver::{handle, Context, DeleteOptions, ListOptions, Propagation, Request, Status, User, Verb};
use crate::cli::kubectl::{resources, Command, Delete, DryRun, Get, Kubectl, OutputFormat};
use crate::cli::printers::{self, columns, headers, render_table, sorter};
use crate::cli::Output;
use serde_json::Value;

/// The user a command acts as: the kubeconfig's admin, or whom `--as` names.
pub fn user_of(k: &Kubectl) -> User {
    match &k.impersonate.user {
        None => User::admin(),
        Some(name) => {
            let groups: Vec<&str> = k.impersonate.groups.iter().map(String::as_str).collect();
            User::named(name, &groups)
        }
    }
}

/// Runs a one-step kubectl command.
pub fn run(ctx: &mut Context, k: &Kubectl, cause: Option<u64>) -> Output {
    let namespace = k.namespace.clone().unwrap_or_else(|| "default".into());
    let user = user_of(k);
    match &k.command {
        Command::Get(g) => get(ctx, g, &namespace, k.all_namespaces, &user, cause),
        Command::Delete(d) => delete(ctx, d, &namespace, k.all_namespaces, &user, cause),
        Command::Version => Output::ok(
            "Client Version: v1.37.0\nKustomize Version: v5.7.1\nServer Version: v1.37.0 (kubeplay simulation)\n",
        ),
        Command::ClusterInfo => Output::ok(
            "Kubernetes control plane is running at https://127.0.0.1:6443\nCoreDNS is running at https://127.0.0.1:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
        ),
        Command::Whoami => {
            let mut rows = vec![vec!["ATTRIBUTE".to_string(), "VALUE".to_string()], vec!["Username".into(), user.name.clone()]];
            rows.push(vec!["Groups".into(), format!("[{}]", user.groups.join(" "))]);
            Output::ok(render_table(&rows))
        }
        Command::ApiResources { namespaced } => api_resources(*namespaced),
        Command::Imperative(i) => super::imperative::run(ctx, k, i, cause),
        Command::Inspect(i) => super::inspect::run(ctx, k, i, &user, cause),
        Command::Rollout(r) => super::rollout::run(ctx, k, r, cause),
        Command::Autoscale(a) => super::autoscale::run(ctx, k, a, cause),
        Command::Config(c) => crate::cli::kubectl::config::run_config(c),
        Command::Top(t) => crate::cli::kubectl::config::run_top(t),
        Command::Help { text, exit_code } => Output { stdout: text.clone(), exit_code: *exit_code, ..Default::default() },
        Command::Apply { .. } | Command::Create { .. } | Command::Diff { .. } | Command::Drain(_) | Command::Logs(_) | Command::Wait(_) | Command::Exec(_) => {
            Output::fail("error: internal: apply, drain and wait run through their own state machines\n")
        }
    }
}

fn server_error(s: &Status) -> String {
    format!("Error from server ({}): {}", s.reason, s.message)
}

fn get(ctx: &mut Context, g: &Get, namespace: &str, all_ns: bool, user: &User, cause: Option<u64>) -> Output {
    let mut stdout = String::new();
    let mut errors = Vec::new();
    let mut objects: Vec<(&'static KindInfo, Value)> = Vec::new();
    let mut printed_tables = 0;
    let targets = super::inspect::expand_all(&g.targets);
    for (typed, names) in &targets {
        let kind = match resources::resolve(typed) {
            Ok(k) => k,
            Err(e) => return Output::fail(format!("{e}\n")),
        };
        let ns = if kind.namespaced && !(all_ns && names.is_empty()) { namespace.to_string() } else { String::new() };
        let mut found: Vec<Value> = Vec::new();
        if names.is_empty() {
            let mut req = Request::new(Verb::List, kind, &ns, "");
            req.user = user.clone();
            req.cause = cause;
            req.list = ListOptions { label_selector: g.label_selector.clone(), field_selector: g.field_selector.clone(), ..Default::default() };
            match handle(ctx, &req).result {
                Ok(list) => found.extend(list["items"].as_array().cloned().unwrap_or_default()),
                Err(s) => {
                    errors.push(server_error(&s));
                    continue;
                }
            }
        } else {
            for name in names {
                let mut req = Request::new(Verb::Get, kind, &ns, name);
                req.user = user.clone();
                req.cause = cause;
                req.subresource = g.subresource.clone();
                match handle(ctx, &req).result {
                    Ok(obj) => found.push(obj),
                    Err(s) => errors.push(server_error(&s)),
                }
            }
        }
        // Tables are sorted one at a time (a list is one table, each named object its own);
        // the other outputs sort every object together below.
        if !g.sort_by.is_empty() && matches!(g.output, OutputFormat::Table | OutputFormat::Wide) {
            let tables: Vec<&mut [Value]> = if names.is_empty() { vec![&mut found[..]] } else { found.chunks_mut(1).collect() };
            for table in tables {
                if let Err(e) = sorter::sort_table(table, &g.sort_by, ctx.now) {
                    return Output::fail(e);
                }
            }
        }
        match g.output {
            OutputFormat::Table | OutputFormat::Wide if !found.is_empty() => {
                if printed_tables > 0 {
                    stdout.push('\n');
                }
                printed_tables += 1;
                if g.subresource == "scale" {
                    // The server's table for a Scale (`printScale`): NAME DESIRED AVAILABLE AGE.
                    stdout.push_str(&super::watch::scale_table(&found, g.no_headers, ctx.now));
                } else {
                    stdout.push_str(&table(kind, &found, g, all_ns && kind.namespaced && names.is_empty(), ctx.now, targets.len() > 1));
                }
            }
            _ => {}
        }
        objects.extend(found.into_iter().map(|o| (kind, o)));
    }
    // kubectl's generic printers get one list of every object (a single object asked for by
    // name stays as it is), sorted as a whole.
    let single = objects.len() == 1 && targets.iter().all(|(_, n)| n.len() == 1);
    if !g.sort_by.is_empty() && !matches!(g.output, OutputFormat::Table | OutputFormat::Wide) && !single {
        if let Err(e) = sorter::sort_objects(&mut objects, &g.sort_by, ctx.now) {
            return Output::fail(e);
        }
    }
    if g.output == OutputFormat::Name {
        for (kind, o) in &objects {
            stdout.push_str(&printers::name_of(kind, o));
            stdout.push('\n');
        }
    }
    match g.output {
        OutputFormat::Json | OutputFormat::Yaml if !objects.is_empty() || errors.is_empty() => {
            let value = if single { objects[0].1.clone() } else { printers::as_list(objects.iter().map(|(_, o)| o.clone()).collect()) };
            let value = printers::omit_managed_fields(&value, g.show_managed_fields);
            stdout.push_str(&if g.output == OutputFormat::Json { printers::to_json_full(&value) } else { printers::to_yaml_full(&value) });
        }
        OutputFormat::JsonPath(ref template) if !objects.is_empty() || errors.is_empty() => {
            let value = if single { objects[0].1.clone() } else { printers::as_list(objects.iter().map(|(_, o)| o.clone()).collect()) };
            match super::inspect::print_jsonpath(template, &value) {
                Ok(text) => stdout.push_str(&text),
                Err(e) => return Output::fail(e),
            }
        }
        OutputFormat::CustomColumns(ref spec) if !objects.is_empty() || errors.is_empty() => {
            let items: Vec<Value> = objects.iter().map(|(_, o)| o.clone()).collect();
            match super::inspect::custom_columns(spec, &items, g.no_headers) {
                Ok(text) => stdout.push_str(&text),
                Err(e) => return Output::fail(e),
            }
        }
        _ => {}
    }
    let mut stderr = String::new();
    if objects.is_empty() && errors.is_empty() && matches!(g.output, OutputFormat::Table | OutputFormat::Wide | OutputFormat::Name) {
        let namespaced = targets.iter().any(|(t, _)| resources::resolve(t).is_ok_and(|k| k.namespaced));
        stderr = if namespaced && !all_ns { format!("No resources found in {namespace} namespace.\n") } else { "No resources found\n".into() };
    }
    for e in &errors {
        stderr.push_str(e);
        stderr.push('\n');
    }
    Output { stdout, stderr, exit_code: i32::from(!errors.is_empty()), diagnostics: Vec::new() }
}

fn table(kind: &KindInfo, objs: &[Value], g: &Get, with_ns: bool, now: crate::sim::Time, prefix_kind: bool) -> String {
    render_table(&table_rows(kind, objs, g, with_ns, now, prefix_kind))
}

/// The header (unless `--no-headers`) and one row of cells per object, as `get` prints them.
pub(super) fn table_rows(kind: &KindInfo, objs: &[Value], g: &Get, with_ns: bool, now: crate::sim::Time, prefix_kind: bool) -> Vec<Vec<String>> {
    let wide = g.output == OutputFormat::Wide;
    let mut rows = Vec::new();
    if !g.no_headers {
        let mut h: Vec<String> = headers(kind.resource, wide).iter().map(|s| s.to_string()).collect();
        h.extend(g.label_columns.iter().map(|l| l.rsplit('/').next().unwrap_or(l).to_ascii_uppercase()));
        if g.show_labels {
            h.push("LABELS".into());
        }
        if with_ns {
            h.insert(0, "NAMESPACE".into());
        }
        rows.push(h);
    }
    for o in objs {
        let mut r = columns(kind.resource, o, now, wide);
        if prefix_kind && kind.resource != "events" {
            r[0] = printers::name_of(kind, o);
        }
        for l in &g.label_columns {
            r.push(o["metadata"]["labels"][l].as_str().unwrap_or("").to_string());
        }
        if g.show_labels {
            let labels: Vec<String> = o["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect();
            r.push(if labels.is_empty() { "<none>".into() } else { labels.join(",") });
        }
        if with_ns {
            r.insert(0, o["metadata"]["namespace"].as_str().unwrap_or("").to_string());
        }
        rows.push(r);
    }
    rows
}

fn delete(ctx: &mut Context, d: &Delete, namespace: &str, all_ns: bool, user: &User, cause: Option<u64>) -> Output {
    let mut work: Vec<(&'static KindInfo, String, String)> = Vec::new();
    let mut errors = Vec::new();
    for (source, bytes) in &d.sources.files {
        for r in decode_manifest(bytes, source, &Limits::default()) {
            match r {
                Ok(obj) => {
                    let ns = if obj.kind.namespaced { obj.namespace.clone().unwrap_or_else(|| namespace.to_string()) } else { String::new() };
                    work.push((obj.kind, ns, obj.name));
                }
                Err(diag) => errors.push(diag.message),
            }
        }
    }
    for (typed, names) in &d.targets {
        let kind = match resources::resolve(typed) {
            Ok(k) => k,
            Err(e) => return Output::fail(format!("{e}\n")),
        };
        let ns = if kind.namespaced { namespace.to_string() } else { String::new() };
        if names.is_empty() {
            let mut req = Request::new(Verb::List, kind, if all_ns { "" } else { &ns }, "");
            req.user = user.clone();
            req.cause = cause;
            req.list.label_selector = d.label_selector.clone();
            match handle(ctx, &req).result {
                Ok(list) => {
                    for item in list["items"].as_array().into_iter().flatten() {
                        let n = item["metadata"]["name"].as_str().unwrap_or("").to_string();
                        let ins = item["metadata"]["namespace"].as_str().unwrap_or("").to_string();
                        work.push((kind, ins, n));
                    }
                }
                Err(s) => errors.push(server_error(&s)),
            }
        } else {
            work.extend(names.iter().map(|n| (kind, ns.clone(), n.clone())));
        }
    }
    let propagation = match d.cascade.as_str() {
        "foreground" => Propagation::Foreground,
        "orphan" | "false" => Propagation::Orphan,
        _ => Propagation::Background,
    };
    let mut stdout = String::new();
    // `DeleteOptions.PrintObj`: the verb, the namespace, then the dry-run mode.
    let printed = |kind: &KindInfo, ns: &str, name: &str| {
        let force = if d.grace_period == Some(0) { "force deleted" } else { "deleted" };
        let where_ = if kind.namespaced { format!(" from {ns} namespace") } else { String::new() };
        let dry = match d.dry_run {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        };
        format!("{} \"{name}\" {force}{where_}{dry}\n", kind.kubectl_name())
    };
    for (kind, ns, name) in &work {
        if d.dry_run == DryRun::Client {
            // A client dry run sends no DELETE at all.
            stdout.push_str(&printed(kind, ns, name));
            continue;
        }
        let mut req = Request::new(Verb::Delete, kind, ns, name);
        req.user = user.clone();
        req.cause = cause;
        req.dry_run = d.dry_run == DryRun::Server;
        req.delete = DeleteOptions { propagation: Some(propagation), grace_period_seconds: d.grace_period, ..Default::default() };
        match handle(ctx, &req).result {
            Ok(_) => stdout.push_str(&printed(kind, ns, name)),
            Err(s) if s.code == 404 && d.ignore_not_found => {}
            Err(s) => errors.push(server_error(&s)),
        }
    }
    if work.is_empty() && errors.is_empty() {
        let where_ = if all_ns { String::new() } else { format!(" in {namespace} namespace") };
        return Output { stderr: format!("No resources found{where_}\n"), ..Default::default() };
    }
    let stderr: String = errors.iter().map(|e| format!("{e}\n")).collect();
    Output { stdout, stderr, exit_code: i32::from(!errors.is_empty()), diagnostics: Vec::new() }
}

fn api_resources(namespaced: Option<bool>) -> Output {
    let mut rows = vec![vec!["NAME".to_string(), "SHORTNAMES".into(), "APIVERSION".into(), "NAMESPACED".into(), "KIND".into()]];
    let mut seen: Vec<(&str, &str)> = Vec::new();
    // Served kinds only (`resource.version.group`; the core group's resources resolve by name).
    // The core group serves only v1, including the two resources nothing stores (bindings,
    // componentstatuses), which discovery lists all the same.
    let served = |k: &&KindInfo| {
        if k.group.is_empty() {
            return crate::api::registry::served_by_default(k);
        }
        resources::resolve(&format!("{}.{}.{}", k.resource, k.version, k.group)).is_ok()
    };
    let mut kinds: Vec<&KindInfo> = all_kinds().iter().filter(served).collect();
    kinds.sort_by_key(|k| (k.group, k.resource));
    for k in kinds {
        // One row per resource, at its preferred version.
        if seen.contains(&(k.group, k.resource)) {
            continue;
        }
        if !k.group.is_empty() {
            let Ok(pk) = resources::resolve(&format!("{}.{}", k.resource, k.group)) else { continue };
            if pk.version != k.version && pk.group == k.group {
                continue;
            }
        }
        seen.push((k.group, k.resource));
        if namespaced.is_some_and(|n| n != k.namespaced) {
            continue;
        }
        rows.push(vec![
            k.resource.to_string(),
            resources::short_names(k.resource).join(","),
            k.api_version(),
            k.namespaced.to_string(),
            k.kind.to_string(),
        ]);
    }
    Output::ok(render_table(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_resources_lists_the_core_group_first_as_kubectl_sorts_it() {
        let out = api_resources(None).stdout;
        let names: Vec<&str> = out.lines().skip(1).map(|l| l.split_whitespace().next().unwrap_or("")).collect();
        assert_eq!(&names[..4], ["bindings", "componentstatuses", "configmaps", "endpoints"]);
        assert!(out.lines().any(|l| l.starts_with("pods ") && l.contains(" po ") && l.ends_with("Pod")));
        assert!(out.lines().any(|l| l.starts_with("deployments ") && l.contains("apps/v1")));
        assert!(!out.contains("v1beta1") && !out.contains("v1alpha1"), "only what a kubeadm cluster serves by default");
        let cluster_scoped = api_resources(Some(false)).stdout;
        assert!(cluster_scoped.contains("\nnamespaces ") && !cluster_scoped.contains("\npods "));
    }
}
