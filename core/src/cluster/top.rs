//! `kubectl top pod|node` (`pkg/cmd/top`, `pkg/metricsutil`): the metrics.k8s.io API read through
//! kube-apiserver, which proxies it to metrics-server (every request traced and authorized, as
//! `pods.metrics.k8s.io` / `nodes.metrics.k8s.io`), then printed with kubectl's columns.
//!
//! When the API answers with no pods, `verifyEmptyMetrics` lists the pods themselves: none
//! gives `No resources found`, pods all younger than 2 minutes `metrics not available yet`, an
//! older one `Metrics not available for pod <ns>/<name>, age: <age>`. Nodes without metrics
//! print `<unknown>` in every column.

use crate::apiserver::aggregator::{NODE_METRICS, POD_METRICS};
use crate::apiserver::admission::quantity::Quantity;
use crate::apiserver::{handle, handle_aggregated, Context, Request, Status, Verb};
use crate::cli::kubectl::config::Top;
use crate::cli::kubectl::Kubectl;
use crate::cli::Output;
use crate::controllers::ControlPlane;
use serde_json::Value;
use std::collections::BTreeMap;

/// `metricsCreationDelay`: how long kubectl expects a new pod to wait for its first metrics.
const METRICS_CREATION_DELAY_MS: i64 = 2 * 60_000;

fn server_error(s: &Status) -> Output {
    Output::fail(format!("Error from server ({}): {}\n", s.reason, s.message))
}

pub fn run(ctx: &mut Context, cp: Option<&ControlPlane>, k: &Kubectl, t: &Top, cause: Option<u64>) -> Output {
    let Some(cp) = cp else { return crate::cli::kubectl::config::run_top(t) };
    let api = cp.metrics_api(ctx.now);
    let user = super::kubectl::user_of(k);
    let namespace = k.namespace.clone().unwrap_or_else(|| "default".into());
    let send = |ctx: &mut Context, mut req: Request, aggregated: bool| {
        req.user = user.clone();
        req.cause = cause;
        if aggregated {
            handle_aggregated(ctx, &req, &api).result
        } else {
            handle(ctx, &req).result
        }
    };
    if t.resource == "node" {
        return nodes(ctx, t, &send);
    }
    // Pods.
    let req = match &t.name {
        Some(name) => Request::new(Verb::Get, &POD_METRICS, &namespace, name),
        None => {
            let mut r = Request::new(Verb::List, &POD_METRICS, if k.all_namespaces { "" } else { &namespace }, "");
            r.list.label_selector = t.selector.clone();
            r.list.field_selector = t.field_selector.clone();
            r
        }
    };
    let items = match send(ctx, req, true) {
        Ok(v) if t.name.is_some() => vec![v],
        Ok(list) => list["items"].as_array().cloned().unwrap_or_default(),
        Err(s) => return server_error(&s),
    };
    let mut out = Output::default();
    if items.is_empty() {
        if let Err(e) = verify_empty(ctx, t, &namespace, &send) {
            return e;
        }
        out.stderr = if k.all_namespaces { "No resources found\n".into() } else { format!("No resources found in {namespace} namespace.\n") };
        return out;
    }
    out.stdout = print_pods(items, t, k.all_namespaces);
    out
}

type Send<'a> = dyn Fn(&mut Context, Request, bool) -> Result<Value, Status> + 'a;

/// `verifyEmptyMetrics`: the pods exist but have no metrics yet (or not any more).
fn verify_empty(ctx: &mut Context, t: &Top, namespace: &str, send: &Send) -> Result<(), Output> {
    let Some(pod_kind) = crate::api::lookup("v1", "Pod") else { return Ok(()) };
    let pods = match &t.name {
        Some(name) => vec![send(ctx, Request::new(Verb::Get, pod_kind, namespace, name), false).map_err(|s| server_error(&s))?],
        None => {
            // kubectl lists in its namespace even with -A.
            let mut r = Request::new(Verb::List, pod_kind, namespace, "");
            r.list.label_selector = t.selector.clone();
            r.list.field_selector = t.field_selector.clone();
            let list = send(ctx, r, false).map_err(|s| server_error(&s))?;
            list["items"].as_array().cloned().unwrap_or_default()
        }
    };
    if pods.is_empty() {
        return Ok(());
    }
    for pod in &pods {
        let created = pod["metadata"]["creationTimestamp"].as_str().and_then(crate::cli::printers::parse_time).unwrap_or(0);
        let age_ms = ctx.now.as_ms() as i64 - created;
        if age_ms > METRICS_CREATION_DELAY_MS {
            let age = crate::controllers::metrics_server::go_duration(age_ms.max(0) as u64);
            let (ns, name) = (pod["metadata"]["namespace"].as_str().unwrap_or(""), pod["metadata"]["name"].as_str().unwrap_or(""));
            return Err(Output::fail(format!("error: Metrics not available for pod {ns}/{name}, age: {age}\n")));
        }
    }
    Err(Output::fail("error: metrics not available yet\n"))
}

fn nodes(ctx: &mut Context, t: &Top, send: &Send) -> Output {
    let req = match &t.name {
        Some(name) => Request::new(Verb::Get, &NODE_METRICS, "", name),
        None => {
            let mut r = Request::new(Verb::List, &NODE_METRICS, "", "");
            r.list.label_selector = t.selector.clone();
            r
        }
    };
    let metrics = match send(ctx, req, true) {
        Ok(v) if t.name.is_some() => vec![v],
        Ok(list) => list["items"].as_array().cloned().unwrap_or_default(),
        Err(s) => return server_error(&s),
    };
    if metrics.is_empty() {
        return Output::fail("error: metrics not available yet\n");
    }
    let Some(node_kind) = crate::api::lookup("v1", "Node") else { return Output::default() };
    let nodes = match &t.name {
        Some(name) => match send(ctx, Request::new(Verb::Get, node_kind, "", name), false) {
            Ok(n) => vec![n],
            Err(s) => return server_error(&s),
        },
        None => {
            let mut r = Request::new(Verb::List, node_kind, "", "");
            r.list.label_selector = t.selector.clone();
            match send(ctx, r, false) {
                Ok(list) => list["items"].as_array().cloned().unwrap_or_default(),
                Err(s) => return server_error(&s),
            }
        }
    };
    // `Status.Allocatable` (or `Capacity` with --show-capacity), per node.
    let field = if t.show_capacity { "capacity" } else { "allocatable" };
    let mut available: BTreeMap<String, (i64, i64)> = nodes
        .iter()
        .map(|n| {
            let q = |r: &str| Quantity::from_json(&n["status"][field][r]).map_or(0, |q| i64::try_from(q.milli_value()).unwrap_or(i64::MAX));
            (n["metadata"]["name"].as_str().unwrap_or("").to_string(), (q("cpu"), q("memory")))
        })
        .collect();
    let mut rows: Vec<(String, i64, i64)> = metrics.iter().map(|m| (m["metadata"]["name"].as_str().unwrap_or("").to_string(), cpu_milli(&m["usage"]), memory_bytes(&m["usage"]))).collect();
    sort_rows(&mut rows, &t.sort_by, |r| (String::new(), r.0.clone()));
    let mut table: Vec<Vec<String>> = Vec::new();
    if !t.no_headers {
        table.push(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"].iter().map(|s| s.to_string()).collect());
    }
    for (name, cpu, memory) in rows {
        let mut row = vec![name.clone(), format!("{cpu}m")];
        let avail = available.remove(&name);
        if let Some((c, _)) = avail {
            row.push(percent(cpu, c));
        }
        row.push(format!("{}Mi", memory / (1024 * 1024)));
        if let Some((_, m)) = avail {
            row.push(percent(memory.saturating_mul(1000), m));
        }
        table.push(row);
    }
    // Nodes with no metrics (kubectl walks a Go map here; kubeplay by name).
    for name in available.into_keys() {
        table.push(vec![name, "<unknown>".into(), "<unknown>".into(), "<unknown>".into(), "<unknown>".into()]);
    }
    Output::ok(tabwrite(&table))
}

/// `int64(float64(used) / float64(available) * 100)` as a percentage cell (both in milli-units).
fn percent(used_milli: i64, available_milli: i64) -> String {
    let fraction = if available_milli == 0 { 0.0 } else { used_milli as f64 / available_milli as f64 * 100.0 };
    format!("{}%", fraction as i64)
}

fn cpu_milli(usage: &Value) -> i64 {
    Quantity::from_json(&usage["cpu"]).map_or(0, |q| i64::try_from(q.milli_value()).unwrap_or(i64::MAX))
}

fn memory_bytes(usage: &Value) -> i64 {
    Quantity::from_json(&usage["memory"]).map_or(0, |q| i64::try_from(q.milli_value() / 1000).unwrap_or(i64::MAX))
}

/// The sorters of `metricsutil`: by name (namespace first when shown), or by usage, largest
/// first.
fn sort_rows<R>(rows: &mut [R], sort_by: &str, key: impl Fn(&R) -> (String, String))
where
    R: UsageRow,
{
    match sort_by {
        "cpu" => rows.sort_by_key(|r| std::cmp::Reverse(r.cpu())),
        "memory" => rows.sort_by_key(|r| std::cmp::Reverse(r.memory())),
        _ => rows.sort_by_key(key),
    }
}

trait UsageRow {
    fn cpu(&self) -> i64;
    fn memory(&self) -> i64;
}

impl UsageRow for (String, i64, i64) {
    fn cpu(&self) -> i64 {
        self.1
    }
    fn memory(&self) -> i64 {
        self.2
    }
}

/// One pod's metrics: namespace, name, and its containers' (name, cpu, memory).
struct PodRow {
    namespace: String,
    name: String,
    containers: Vec<(String, i64, i64)>,
}

impl UsageRow for PodRow {
    fn cpu(&self) -> i64 {
        self.containers.iter().map(|c| c.1).sum()
    }
    fn memory(&self) -> i64 {
        self.containers.iter().map(|c| c.2).sum()
    }
}

fn print_pods(items: Vec<Value>, t: &Top, with_namespace: bool) -> String {
    let mut pods: Vec<PodRow> = items
        .iter()
        .map(|m| PodRow {
            namespace: m["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
            name: m["metadata"]["name"].as_str().unwrap_or("").to_string(),
            containers: m["containers"].as_array().into_iter().flatten().map(|c| (c["name"].as_str().unwrap_or("").to_string(), cpu_milli(&c["usage"]), memory_bytes(&c["usage"]))).collect(),
        })
        .collect();
    sort_rows(&mut pods, &t.sort_by, |p| (if with_namespace { p.namespace.clone() } else { String::new() }, p.name.clone()));
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut width: usize = 3;
    if !t.no_headers {
        let mut header = Vec::new();
        if with_namespace {
            header.push("NAMESPACE".to_string());
            width += 1;
        }
        if t.containers {
            header.push("POD".to_string());
            width += 1;
        }
        header.extend(["NAME", "CPU(cores)", "MEMORY(bytes)"].iter().map(|s| s.to_string()));
        table.push(header);
    }
    let cells = |cpu: i64, memory: i64| [format!("{cpu}m"), format!("{}Mi", memory / (1024 * 1024))];
    for p in &mut pods {
        if t.containers {
            p.containers.sort_by(|a, b| match t.sort_by.as_str() {
                "cpu" => b.1.cmp(&a.1),
                "memory" => b.2.cmp(&a.2),
                _ => a.0.cmp(&b.0),
            });
            for (c, cpu, memory) in &p.containers {
                let mut row = Vec::new();
                if with_namespace {
                    row.push(p.namespace.clone());
                }
                row.push(p.name.clone());
                row.push(c.clone());
                row.extend(cells(*cpu, *memory));
                table.push(row);
            }
        } else {
            let mut row = Vec::new();
            if with_namespace {
                row.push(p.namespace.clone());
            }
            row.push(p.name.clone());
            row.extend(cells(p.cpu(), p.memory()));
            table.push(row);
        }
    }
    if t.sum {
        // `printPodResourcesSum`: underlines under the two usage columns, then the totals.
        let (cpu, memory) = pods.iter().fold((0, 0), |(c, m), p| (c + p.cpu(), m + p.memory()));
        let mut line: Vec<String> = vec![String::new(); width.saturating_sub(2)];
        line.extend(["________".to_string(), "________".to_string()]);
        table.push(line);
        let mut total: Vec<String> = vec![String::new(); width.saturating_sub(3)];
        total.push(String::new());
        total.extend(cells(cpu, memory));
        table.push(total);
    }
    tabwrite(&table)
}

/// kubectl's tab writer (`printers.GetNewTabWriter`: min width 6, padding 3) over rows whose
/// every cell ends in a tab, as `printValue` writes them: each column as wide as its widest cell
/// in the run of rows that have it, plus the padding, trailing spaces included.
fn tabwrite(rows: &[Vec<String>]) -> String {
    const MIN_WIDTH: usize = 6;
    const PADDING: usize = 3;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    // widths[row][col]: the width of the column block that row's cell belongs to.
    let mut widths = vec![vec![0usize; columns]; rows.len()];
    for col in 0..columns {
        let mut start = 0;
        while start < rows.len() {
            if rows[start].len() <= col {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < rows.len() && rows[end].len() > col {
                end += 1;
            }
            let width = rows[start..end].iter().map(|r| r[col].chars().count() + PADDING).max().unwrap_or(0).max(MIN_WIDTH);
            for w in &mut widths[start..end] {
                w[col] = width;
            }
            start = end;
        }
    }
    let mut out = String::new();
    for (row, w) in rows.iter().zip(&widths) {
        for (cell, width) in row.iter().zip(w) {
            out.push_str(cell);
            out.push_str(&" ".repeat(width.saturating_sub(cell.chars().count())));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_writer_pads_every_cell_like_kubectls() {
        let rows = vec![vec!["NAME".to_string(), "CPU(cores)".into(), "MEMORY(bytes)".into()], vec!["web-1".into(), "1m".into(), "3Mi".into()]];
        assert_eq!(tabwrite(&rows), "NAME    CPU(cores)   MEMORY(bytes)   \nweb-1   1m           3Mi             \n");
    }

    #[test]
    fn percentages_truncate() {
        assert_eq!(percent(163 * 1000, 4000 * 1000), "4%");
        assert_eq!(percent(1, 0), "0%");
    }
}
