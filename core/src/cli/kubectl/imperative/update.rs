//! `kubectl scale`, `patch`, `replace` and `set image`: their arguments, checked in kubectl's
//! order and words.

use crate::cli::kubectl::Sources;
use crate::apiserver::PatchType;
use serde_json::Value;
use super::context::{Ctx, err, named_targets, resources_and_pairs};
use super::Action;

pub(super) fn scale(c: &Ctx) -> Result<Action, String> {
    let replicas = c.int("replicas", None)?.unwrap_or(-1);
    if replicas < 0 {
        return Err(err("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"));
    }
    let current = c.int("current-replicas", None)?.unwrap_or(-1);
    let resource_version = c.get("resource-version").unwrap_or("").to_string();
    Ok(Action::Scale { targets: named_targets(c, &c.p.positional)?, replicas, current, resource_version })
}

pub(super) fn patch(c: &Ctx) -> Result<Action, String> {
    let text = match (c.get("patch"), c.get("patch-file")) {
        (Some(_), Some(_)) => return Err(err("cannot specify --patch and --patch-file together")),
        (None, None) => return Err(err("must specify --patch or --patch-file containing the contents of the patch")),
        (Some(p), None) => p.to_string(),
        (None, Some(f)) => {
            let bytes = c.files.read(f).map_err(|_| err(format!("unable to read patch file: open {f}: no such file or directory")))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    // `PatchOptions.Validate`.
    let subresource = c.get("subresource").unwrap_or("").to_string();
    if !subresource.is_empty() && subresource != "status" && subresource != "scale" {
        return Err(err(format!("invalid subresource value: {subresource:?}. Must be one of [status scale]")));
    }
    let patch_type = match c.get("type").map(str::to_ascii_lowercase).as_deref() {
        None | Some("strategic") => PatchType::Strategic,
        Some("merge") => PatchType::Merge,
        Some("json") => PatchType::Json,
        Some(_) => return Err(err(format!("--type must be one of [json merge strategic], not {:?}", c.get("type").unwrap_or("")))),
    };
    // `yaml.ToJSON`: JSON is YAML, so both parse.
    let patch: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(_) => serde_yaml::from_str::<Value>(&text).map_err(|e| {
            // go-yaml's wording: `yaml: line N: <problem>`, where N is libyaml's zero-based
            // problem line (libyaml moves the end of the stream to a new line), left out when 0.
            let why = e.to_string();
            let why = why.split(" at line").next().unwrap_or(&why).to_string();
            match e.location().map_or(0, |l| l.line().saturating_sub(1)) {
                0 => err(format!("unable to parse {text:?}: yaml: {why}")),
                line => err(format!("unable to parse {text:?}: yaml: line {line}: {why}")),
            }
        })?,
    };
    if c.p.on("local") {
        return Err(err("cannot specify --local and server resources"));
    }
    Ok(Action::Patch { targets: named_targets(c, &c.p.positional)?, patch, patch_type, subresource })
}

pub(super) fn replace(c: &Ctx) -> Result<Action, String> {
    let mut files = Vec::new();
    for name in c.p.all("filename") {
        let bytes = c.files.read(name).map_err(|e| format!("error: {e}\n"))?;
        files.push((if name == "-" { "STDIN".to_string() } else { name.clone() }, bytes));
    }
    if files.is_empty() {
        return Err(c.usage("must specify --filename to replace"));
    }
    if !c.p.positional.is_empty() {
        return Err(format!("error: Unexpected args: [{}]\nSee 'kubectl replace -h' for help and examples\n", c.p.positional.join(" ")));
    }
    Ok(Action::Replace { sources: Sources { files } })
}

pub(super) fn set_image(c: &Ctx) -> Result<Action, String> {
    // Resources come first, then `container=image` pairs.
    let (resources, pairs) = resources_and_pairs(&c.p.positional, "image").map_err(|_| err("all resources must be specified before image changes"))?;
    let mut images = Vec::new();
    for p in &pairs {
        match p.split_once('=') {
            Some((n, i)) if !n.is_empty() => images.push((n.to_string(), i.to_string())),
            _ => return Err(err(format!("invalid image format: {p}"))),
        }
    }
    if resources.is_empty() {
        return Err(err("one or more resources must be specified as <resource> <name> or <resource>/<name>"));
    }
    if images.is_empty() {
        return Err(err("at least one image update is required"));
    }
    if images.len() > 1 && images.iter().any(|(n, _)| n == "*") {
        return Err(err("all containers are already specified by *, but saw more than one container_name=container_image pairs"));
    }
    Ok(Action::SetImage { targets: named_targets(c, &resources)?, images })
}
