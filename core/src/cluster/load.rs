//! Runs the `load` builtin (`cli/load.rs`): sets the outside demand on a workload or pod in the
//! control plane's load table, which metrics-server's next scrape turns into usage. Nothing is
//! sent to the API server: the load comes from outside the cluster.

use crate::cli::load::Load;
use crate::cli::printers::render_table;
use crate::cli::Output;
use crate::controllers::metrics_load::{LoadTarget, Usage};
use crate::controllers::metrics_server::usage_json;
use crate::controllers::ControlPlane;

pub fn run(cp: &mut ControlPlane, l: Load) -> Output {
    match l {
        Load::List => {
            let loads: Vec<(LoadTarget, Usage)> = cp.loads_mut().list().map(|(t, u)| (t.clone(), *u)).collect();
            if loads.is_empty() {
                return Output::ok("no load (set one with: load deployment/NAME --cpu=500m)\n");
            }
            let mut rows = vec![["NAMESPACE", "TARGET", "CPU", "MEMORY"].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            for (t, u) in loads {
                let q = usage_json(u);
                rows.push(vec![t.namespace.clone(), t.display(), q["cpu"].as_str().unwrap_or("0").to_string(), q["memory"].as_str().unwrap_or("0").to_string()]);
            }
            Output::ok(render_table(&rows))
        }
        Load::Set { kind, name, namespace, cpu_milli, memory_bytes } => {
            let target = LoadTarget { kind, namespace, name };
            let usage = Usage { cpu_milli, memory_bytes };
            let shown = target.display();
            let spread = if target.kind == "pod" { "" } else { ", spread over its Ready pods" };
            match cp.loads_mut().set(target, usage) {
                Ok(()) if usage == Usage::default() => Output::ok(format!("{shown}: load removed\n")),
                Ok(()) => {
                    let q = usage_json(usage);
                    Output::ok(format!("{shown}: load set to cpu {}, memory {}{spread}\n", q["cpu"].as_str().unwrap_or("0"), q["memory"].as_str().unwrap_or("0")))
                }
                Err(e) => Output::fail(format!("load: {e}\n")),
            }
        }
    }
}
