//! `kubectl taint`: taint specs (`key=value:effect`, `key:effect-`) as kubectl's `parseTaints`
//! reads them, and the check that only nodes are tainted.

use super::context::{Ctx, err, label_value_errors, qualified_name_ok, targets};
use super::{Action, Taint};

/// `parseTaint`: `key=value:effect`, `key:effect` or `key`.
pub(super) fn parse_taint(st: &str) -> Result<Taint, String> {
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [k] => (k.to_string(), String::new(), String::new()),
        [kv, effect] => {
            if !matches!(*effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                return Err(err(format!("invalid taint effect: {effect}, unsupported taint effect")));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            match kv.as_slice() {
                [k] => (k.to_string(), String::new(), effect.to_string()),
                [k, v] => {
                    let errs = label_value_errors(v);
                    if !errs.is_empty() {
                        return Err(err(format!("invalid taint spec: {st}, {}", errs.join("; "))));
                    }
                    (k.to_string(), v.to_string(), effect.to_string())
                }
                _ => return Err(err(format!("invalid taint spec: {st}"))),
            }
        }
        _ => return Err(err(format!("invalid taint spec: {st}"))),
    };
    if !qualified_name_ok(&key) {
        return Err(err(format!("invalid taint spec: {st}, name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")));
    }
    Ok(Taint { key, value, effect })
}

pub(super) fn taint(c: &Ctx) -> Result<Action, String> {
    let words = &c.p.positional;
    let mut resources = Vec::new();
    let mut specs = Vec::new();
    for s in words {
        if s.contains('=') || s.contains(':') || s.ends_with('-') {
            specs.push(s.clone());
        } else if specs.is_empty() {
            resources.push(s.clone());
        } else {
            return Err(err(format!("all resources must be specified before taint changes: {s}")));
        }
    }
    if resources.is_empty() {
        return Err(err("one or more resources must be specified as <resource> <name>"));
    }
    if specs.is_empty() {
        return Err(err("at least one taint update is required"));
    }
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for s in &specs {
        if let Some(r) = s.strip_suffix('-') {
            let t = parse_taint(r).map_err(|e| c.usage(e.trim_start_matches("error: ").trim_end()))?;
            remove.push(Taint { value: String::new(), ..t });
        } else {
            let t = parse_taint(s).map_err(|e| c.usage(e.trim_start_matches("error: ").trim_end()))?;
            if t.effect.is_empty() {
                return Err(c.usage(&format!("invalid taint spec: {s}")));
            }
            if add.iter().any(|a: &Taint| a.key == t.key && a.effect == t.effect) {
                return Err(c.usage(&format!("duplicated taints with the same key and effect: {}", t.to_spec())));
            }
            add.push(t);
        }
    }
    let both: Vec<String> = remove.iter().filter(|r| add.iter().any(|a| a.key == r.key && a.effect == r.effect)).map(Taint::to_spec).collect();
    if !both.is_empty() {
        return Err(err(format!("can not both modify and remove the following taint(s) in the same command: {}", both.join(", "))));
    }
    // `taint nodes n1`, `taint node/n1`, `taint no n1 n2`: only nodes can be tainted.
    let t = targets(&resources)?;
    let mut nodes = Vec::new();
    for (ty, names) in t {
        let kind = crate::cli::kubectl::resources::resolve(&ty).map_err(|e| format!("{e}\n"))?;
        if kind.resource != "nodes" {
            return Err(err(format!("invalid resource type {ty}, only node types are supported")));
        }
        if names.is_empty() {
            return Err(err("at least one resource name must be specified since 'all' parameter is not set"));
        }
        nodes.extend(names);
    }
    Ok(Action::Taint { nodes, add, remove, overwrite: c.p.on("overwrite") })
}
