//! kubectl's imperative commands: `create <kind>`, `run`, `expose`, `label`, `annotate`, `scale`,
//! `patch`, `replace`, `set image`, `taint`, `cordon`, `uncordon`.
//!
//! Parsing follows cobra and pflag as kubectl uses them: unknown flags fail first, then required
//! flags (`error: required flag(s) "image" not set`), then each command's `Complete` and
//! `Validate` checks, in kubectl's order and words. Objects that kubectl builds on the client
//! (`create deployment`, `run`, ...) are built here, as the JSON kubectl's generators send,
//! including the empty structs Go's encoder writes (`resources: {}`, `status: {}`).

mod specs;
mod context;
mod create_workloads;
mod create_data;
mod create_rbac;
mod run_expose;
mod label;
mod update;
mod taint;
#[cfg(test)]
mod tests;

use super::flags::{self};
use super::{DryRun, Impersonation, Kubectl, Sources};
use crate::apiserver::PatchType;
use crate::cli::Files;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use context::{Ctx, create, err};
use create_data::create_data;
use create_rbac::{create_binding, create_role};
use create_workloads::{create_cronjob, create_deployment, create_job};
use label::label;
use run_expose::{expose, run};
use specs::{command_specs, dry_run, printer, required_flags};
use taint::taint;
use update::{patch, replace, scale, set_image};

/// How the result is printed: the name printer with an operation (`deployment.apps/web created`),
/// or `-o name|json|yaml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printer {
    Operation,
    Name,
    Json,
    Yaml,
}

/// One imperative command with the options they all share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imperative {
    pub action: Action,
    pub dry_run: DryRun,
    pub printer: Printer,
}

/// A taint as `kubectl taint` parses it; an empty effect (removal only) matches every effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

impl Taint {
    /// `corev1.Taint.ToString`: `key=value:effect`, parts left out when empty.
    pub fn to_spec(&self) -> String {
        let mut s = self.key.clone();
        if !self.value.is_empty() {
            s = format!("{s}={}", self.value);
        }
        if !self.effect.is_empty() {
            s = format!("{s}:{}", self.effect);
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// An object kubectl builds and POSTs (`create <kind>`, `run`). `wrap` is the prefix
    /// kubectl puts before a server error (`failed to create deployment: `), empty when it
    /// prints the server's error as it is.
    Create { object: Value, wrap: String, warnings: String },
    Expose(Expose),
    /// `label` (or `annotate` when `annotate`): keys to set and keys to remove.
    Label {
        annotate: bool,
        targets: Vec<(String, Vec<String>)>,
        set: BTreeMap<String, String>,
        remove: Vec<String>,
        overwrite: bool,
        selector: String,
        all: bool,
    },
    /// `current` and `resource_version` are `--current-replicas` and `--resource-version`,
    /// kubectl's `ScalePrecondition` (-1 and empty when not given).
    Scale { targets: Vec<(String, Vec<String>)>, replicas: i64, current: i64, resource_version: String },
    /// `subresource`: `--subresource`, empty or `status` or `scale`.
    Patch { targets: Vec<(String, Vec<String>)>, patch: Value, patch_type: PatchType, subresource: String },
    Replace { sources: Sources },
    SetImage { targets: Vec<(String, Vec<String>)>, images: Vec<(String, String)> },
    Taint { nodes: Vec<String>, add: Vec<Taint>, remove: Vec<Taint>, overwrite: bool },
    /// `cordon` (true) or `uncordon` (false).
    Cordon { nodes: Vec<String>, unschedulable: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expose {
    pub target: (String, String),
    pub name: Option<String>,
    pub port: Option<String>,
    pub target_port: Option<String>,
    pub service_type: Option<String>,
    pub protocol: Option<String>,
    pub selector: Option<String>,
    pub labels: Option<String>,
    pub cluster_ip: Option<String>,
}

/// The `create` subcommands handled here, with their aliases.
const CREATE_KINDS: &[(&str, &[&str])] = &[
    ("deployment", &["deploy"]),
    ("namespace", &["ns"]),
    ("configmap", &["cm"]),
    ("secret", &[]),
    ("serviceaccount", &["sa"]),
    ("role", &[]),
    ("rolebinding", &[]),
    ("clusterrole", &[]),
    ("clusterrolebinding", &[]),
    ("job", &[]),
    ("cronjob", &["cj"]),
];

/// Flags whose value is the next word, for finding a subcommand among the words.
const VALUE_FLAGS: &[&str] = &["-n", "--namespace", "-o", "--output", "-f", "--filename", "--as", "--as-group", "--context", "--kubeconfig"];

/// The position of the first word that is neither a flag nor a flag's value.
fn first_word(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            return None;
        }
        if !a.starts_with('-') {
            return Some(i);
        }
        if VALUE_FLAGS.contains(&a.as_str()) {
            i += 1;
        }
        i += 1;
    }
    None
}

fn create_kind(word: &str) -> Option<&'static str> {
    CREATE_KINDS.iter().find(|(k, aliases)| *k == word || aliases.contains(&word)).map(|(k, _)| *k)
}

/// Whether the words after `kubectl` are an imperative command this module parses.
pub fn handles(command: &str, rest: &[String]) -> bool {
    match command {
        "run" | "expose" | "label" | "annotate" | "scale" | "patch" | "replace" | "taint" | "cordon" | "uncordon" => true,
        "set" => true,
        "create" => first_word(rest).is_some_and(|i| create_kind(&rest[i]).is_some()),
        _ => false,
    }
}

/// Parses an imperative command; `handles` said yes. Errors are kubectl's full stderr text.
pub fn parse(command: &str, rest: &[String], files: &dyn Files) -> Result<Kubectl, String> {
    let mut words = rest.to_vec();
    let path = match command {
        "create" | "set" => {
            let Some(i) = first_word(&words) else {
                return Err(format!("error: kubeplay knows `kubectl {command}` with a subcommand, e.g. `kubectl create deployment web --image=nginx`\n"));
            };
            let sub = words.remove(i);
            let sub = if command == "create" { create_kind(&sub).unwrap_or("") } else { sub.as_str() }.to_string();
            if command == "set" && sub != "image" {
                return Err(format!("error: unknown command \"{sub}\" for \"kubectl set\"\n"));
            }
            if sub == "secret" {
                // Only `create secret generic` so far; docker-registry and tls need files kubeplay lacks.
                match first_word(&words) {
                    Some(j) if words[j] == "generic" => {
                        words.remove(j);
                    }
                    _ => return Err("error: kubeplay knows `kubectl create secret generic` so far\n".into()),
                }
            }
            if sub == "secret" {
                "create secret generic".to_string()
            } else {
                format!("{command} {sub}")
            }
        }
        _ => command.to_string(),
    };
    // Cobra's `ArgsLenAtDash`: the words after `--` are the container's command, never flags.
    let (before, after) = match words.iter().position(|w| w == "--") {
        Some(i) => (words[..i].to_vec(), Some(words[i + 1..].to_vec())),
        None => (words.clone(), None),
    };
    let spec = command_specs(&path);
    let mut parsed = flags::parse(&before, &spec, &path).map_err(|e| format!("{e}\n"))?;
    let dash = after.as_ref().map(|_| parsed.positional.len());
    if let Some(a) = &after {
        parsed.positional.extend(a.iter().cloned());
    }
    let required = required_flags(&path);
    let missing: Vec<String> = required.iter().filter(|r| parsed.get(r).is_none()).map(|r| format!("{r:?}")).collect();
    if !missing.is_empty() {
        return Err(format!("error: required flag(s) {} not set\n", missing.join(", ")));
    }
    let namespace = parsed.get("namespace").map(str::to_string);
    let dry_run = dry_run(&parsed)?;
    let printer = printer(&parsed, &path)?;
    let ctx = Ctx { p: &parsed, path: &path, dash, namespace: namespace.as_deref(), files };
    let action = build(&ctx)?;
    Ok(Kubectl {
        command: super::Command::Imperative(Imperative { action, dry_run, printer }),
        namespace,
        all_namespaces: parsed.on("all-namespaces"),
        impersonate: Impersonation { user: parsed.get("as").map(str::to_string), groups: parsed.all("as-group").to_vec() },
    })
}

fn build(c: &Ctx) -> Result<Action, String> {
    match c.path {
        "create deployment" => create_deployment(c),
        "create namespace" => {
            let name = c.name()?;
            Ok(create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "spec": {}, "status": {}}), ""))
        }
        "create serviceaccount" => {
            let name = c.name()?;
            Ok(create(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": c.metadata(&name, true)}), "failed to create serviceaccount: "))
        }
        "create configmap" | "create secret generic" => create_data(c),
        "create role" | "create clusterrole" => create_role(c),
        "create rolebinding" | "create clusterrolebinding" => create_binding(c),
        "create job" => create_job(c),
        "create cronjob" => create_cronjob(c),
        "run" => run(c),
        "expose" => expose(c),
        "label" | "annotate" => label(c),
        "scale" => scale(c),
        "patch" => patch(c),
        "replace" => replace(c),
        "set image" => set_image(c),
        "taint" => taint(c),
        "cordon" | "uncordon" => {
            if c.p.positional.is_empty() {
                return Err(c.usage("USAGE: cordon NODE [flags]").replace("USAGE: cordon", &format!("USAGE: {}", c.path)));
            }
            Ok(Action::Cordon { nodes: c.p.positional.clone(), unschedulable: c.path == "cordon" })
        }
        other => Err(err(format!("kubeplay does not know `kubectl {other}` yet"))),
    }
}
