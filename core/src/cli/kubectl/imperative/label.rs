//! `kubectl label` and `kubectl annotate`: `key=value` and `key-` pairs parsed and validated
//! as kubectl's `ParsePairs` and `validateAnnotations` do.

use std::collections::BTreeMap;
use super::context::{Ctx, err, label_value_errors, resources_and_pairs, targets};
use super::Action;

pub(super) fn label(c: &Ctx) -> Result<Action, String> {
    let annotate = c.path == "annotate";
    let pair_type = if annotate { "annotation" } else { "label" };
    let (resources, pairs) = resources_and_pairs(&c.p.positional, pair_type)?;
    let mut set = BTreeMap::new();
    let mut remove = Vec::new();
    if annotate {
        // `ParsePairs(args, "annotation", true)`, then `validateAnnotations`.
        let mut invalid = Vec::new();
        for p in &pairs {
            if let Some((k, v)) = p.split_once('=').filter(|_| !p.starts_with('=')) {
                set.insert(k.to_string(), v.to_string());
            } else if p.ends_with('-') && p != "-" {
                remove.push(p[..p.len() - 1].to_string());
            } else {
                invalid.push(p.clone());
            }
        }
        if !invalid.is_empty() {
            return Err(err(format!("invalid annotation format: {}", invalid.join(", "))));
        }
        let both: Vec<String> = remove.iter().filter(|r| set.contains_key(*r)).cloned().collect();
        if !both.is_empty() {
            return Err(err(format!("can not both modify and remove the following annotation(s) in the same command: {}", both.join(", "))));
        }
    } else {
        for p in &pairs {
            if p.contains('=') {
                let parts: Vec<&str> = p.split('=').collect();
                if parts.len() != 2 {
                    return Err(err(format!("invalid label spec: {p}")));
                }
                let errs = label_value_errors(parts[1]);
                if !errs.is_empty() {
                    return Err(err(format!("invalid label value: {p:?}: {}", errs.join(";"))));
                }
                set.insert(parts[0].to_string(), parts[1].to_string());
            } else if p.ends_with('-') {
                remove.push(p[..p.len() - 1].to_string());
            } else {
                return Err(err(format!("unknown label spec: {p}")));
            }
        }
        if remove.iter().any(|r| set.contains_key(r)) {
            return Err(err("can not both modify and remove a label in the same command"));
        }
    }
    let selector = c.get("selector").unwrap_or("").to_string();
    let all = c.p.on("all");
    if all && !selector.is_empty() {
        return Err(err("cannot set --all and --selector at the same time"));
    }
    if resources.is_empty() {
        return Err(err("one or more resources must be specified as <resource> <name> or <resource>/<name>"));
    }
    if set.is_empty() && remove.is_empty() {
        return Err(err(format!("at least one {pair_type} update is required")));
    }
    let t = targets(&resources)?;
    if t.iter().all(|(_, n)| n.is_empty()) && selector.is_empty() && !all {
        return Err(err("resource(s) were provided, but no name was specified"));
    }
    Ok(Action::Label { annotate, targets: t, set, remove, overwrite: c.p.on("overwrite"), selector, all })
}
