//! kubectl's imperative commands: `create <kind>`, `run`, `expose`, `label`, `annotate`, `scale`,
//! `patch`, `replace`, `set image`, `taint`, `cordon`, `uncordon`.
//!
//! Parsing follows cobra and pflag as kubectl uses them: unknown flags fail first, then required
//! flags (`error: required flag(s) "image" not set`), then each command's `Complete` and
//! `Validate` checks, in kubectl's order and words. Objects that kubectl builds on the client
//! (`create deployment`, `run`, ...) are built here, as the JSON kubectl's generators send,
//! including the empty structs Go's encoder writes (`resources: {}`, `status: {}`).

use super::flags::{self, flag, switch, Parsed, Spec};
use super::{DryRun, Impersonation, Kubectl, Sources};
use crate::apiserver::PatchType;
use crate::cli::Files;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

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
    Patch { targets: Vec<(String, Vec<String>)>, patch: Value, patch_type: PatchType },
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

const DRY_RUN: Spec = flag("dry-run", None);
const OUTPUT: Spec = flag("output", Some('o'));
const CREATE_COMMON: &[Spec] = &[
    DRY_RUN,
    OUTPUT,
    switch("save-config", None),
    flag("validate", None),
    flag("field-manager", None),
    switch("show-managed-fields", None),
];

fn specs(extra: &[Spec]) -> Vec<Spec> {
    CREATE_COMMON.iter().chain(extra).copied().collect()
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

fn command_specs(path: &str) -> Vec<Spec> {
    let image = flag("image", None);
    let from = [flag("from-literal", None), flag("from-file", None), flag("from-env-file", None), switch("append-hash", None)];
    let rule = [flag("verb", None), flag("resource", None), flag("resource-name", None)];
    let subjects = [flag("user", None), flag("group", None), flag("serviceaccount", None)];
    let selection = [flag("selector", Some('l')), switch("all", None), switch("all-namespaces", Some('A')), flag("filename", Some('f'))];
    match path {
        "create deployment" => specs(&[image, flag("port", None), flag("replicas", Some('r'))]),
        "create namespace" | "create serviceaccount" => specs(&[]),
        "create configmap" => specs(&from),
        "create secret generic" => specs(&[from[0], from[1], from[2], from[3], flag("type", None)]),
        "create role" => specs(&rule),
        "create clusterrole" => specs(&[rule[0], rule[1], rule[2], flag("non-resource-url", None), flag("aggregation-rule", None)]),
        "create rolebinding" => specs(&[flag("role", None), flag("clusterrole", None), subjects[0], subjects[1], subjects[2]]),
        "create clusterrolebinding" => specs(&[flag("clusterrole", None), subjects[0], subjects[1], subjects[2]]),
        "create job" => specs(&[image, flag("from", None)]),
        "create cronjob" => specs(&[image, flag("schedule", None), flag("restart", None)]),
        "run" => specs(&[
            image,
            flag("port", None),
            flag("labels", Some('l')),
            flag("env", None),
            flag("restart", None),
            switch("command", None),
            flag("annotations", None),
            flag("image-pull-policy", None),
            switch("privileged", None),
            switch("stdin", Some('i')),
            switch("tty", Some('t')),
            switch("rm", None),
            switch("attach", None),
            switch("expose", None),
        ]),
        "expose" => specs(&[
            flag("port", None),
            flag("target-port", None),
            flag("type", None),
            flag("name", None),
            flag("protocol", None),
            flag("selector", None),
            flag("labels", Some('l')),
            flag("cluster-ip", None),
            flag("filename", Some('f')),
        ]),
        "label" | "annotate" => {
            let mut s = specs(&selection);
            s.extend([switch("overwrite", None), switch("list", None), flag("resource-version", None), switch("local", None)]);
            s
        }
        "scale" => specs(&[flag("replicas", None), flag("current-replicas", None), flag("resource-version", None), selection[0], selection[1], selection[3], flag("timeout", None)]),
        "patch" => specs(&[flag("patch", Some('p')), flag("patch-file", None), flag("type", None), switch("local", None), selection[3], flag("subresource", None)]),
        "replace" => specs(&[selection[3], switch("force", None), flag("grace-period", None), switch("cascade", None), switch("wait", None)]),
        "set image" => specs(&selection),
        "taint" => specs(&[switch("overwrite", None), selection[0], selection[1]]),
        "cordon" | "uncordon" => specs(&[selection[0]]),
        _ => specs(&[]),
    }
}

/// Flags cobra refuses to run without (`MarkFlagRequired`).
fn required_flags(path: &str) -> &'static [&'static str] {
    match path {
        "create deployment" => &["image"],
        "create cronjob" => &["image", "schedule"],
        "create clusterrolebinding" => &["clusterrole"],
        "scale" => &["replicas"],
        _ => &[],
    }
}

fn dry_run(p: &Parsed) -> Result<DryRun, String> {
    match p.get("dry-run") {
        None | Some("none") | Some("false") => Ok(DryRun::None),
        Some("client") | Some("true") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => Err(format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".\n")),
    }
}

fn printer(p: &Parsed, path: &str) -> Result<Printer, String> {
    Ok(match p.get("output") {
        None | Some("") => Printer::Operation,
        Some("name") => Printer::Name,
        Some("json") => Printer::Json,
        Some("yaml") => Printer::Yaml,
        Some(other) => {
            let _ = path;
            return Err(format!(
                "error: unable to match a printer suitable for the output format {other:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"
            ));
        }
    })
}

/// What the builders read.
struct Ctx<'a> {
    p: &'a Parsed,
    path: &'a str,
    /// Positional words before `--`, when `--` was given (cobra's `ArgsLenAtDash`).
    dash: Option<usize>,
    namespace: Option<&'a str>,
    files: &'a dyn Files,
}

impl Ctx<'_> {
    /// `cmdutil.UsageErrorf`: the message and a pointer to the command's help.
    fn usage(&self, msg: &str) -> String {
        format!("error: {msg}\nSee 'kubectl {} -h' for help and examples\n", self.path)
    }

    /// `NameFromCommandArgs`: exactly one word before `--`.
    fn name(&self) -> Result<String, String> {
        let n = self.dash.unwrap_or(self.p.positional.len());
        if n != 1 {
            return Err(self.usage(&format!("exactly one NAME is required, got {n}")));
        }
        Ok(self.p.positional[0].clone())
    }

    /// The words after `--` (or after the name, as cobra passes them).
    fn command(&self) -> Vec<String> {
        self.p.positional.iter().skip(1).cloned().collect()
    }

    fn get(&self, long: &str) -> Option<&str> {
        self.p.get(long)
    }

    /// A `StringSlice` flag: every value, split at commas.
    fn slice(&self, long: &str) -> Vec<String> {
        self.p.all(long).iter().flat_map(|v| v.split(',')).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    /// A `StringArray` flag: every value as given.
    fn array(&self, long: &str) -> Vec<String> {
        self.p.all(long).to_vec()
    }

    /// An integer flag, with pflag's error for a bad value.
    fn int(&self, long: &str, short: Option<char>) -> Result<Option<i64>, String> {
        let Some(v) = self.get(long) else { return Ok(None) };
        v.parse::<i64>().map(Some).map_err(|_| {
            let shown = match short {
                Some(c) => format!("-{c}, --{long}"),
                None => format!("--{long}"),
            };
            format!("error: invalid argument {v:?} for {shown:?} flag: strconv.ParseInt: parsing {v:?}: invalid syntax\nSee 'kubectl {} --help' for usage.\n", self.path)
        })
    }

    /// `metadata` for an object kubectl builds: the namespace only when `-n` was given
    /// (kubectl's `EnforceNamespace`).
    fn metadata(&self, name: &str, namespaced: bool) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        if let (true, Some(ns)) = (namespaced, self.namespace) {
            m.insert("namespace".into(), json!(ns));
        }
        Value::Object(m)
    }
}

fn err(msg: impl std::fmt::Display) -> String {
    format!("error: {msg}\n")
}

fn create(object: Value, wrap: &str) -> Action {
    Action::Create { object, wrap: wrap.to_string(), warnings: String::new() }
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

/// `create deployment`'s container name: the image's last path part without tag or digest.
/// (kubectl adds a random suffix when it had to replace `.` or `_`; kubeplay keeps it
/// deterministic by leaving the suffix out.)
fn container_name(image: &str) -> String {
    let base = image.rsplit('/').next().unwrap_or(image);
    let base = base.split(':').next().unwrap_or(base);
    let base = base.split('@').next().unwrap_or(base);
    base.replace(['_', '.'], "-")
}

fn create_deployment(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let images = c.slice("image");
    let command = c.command();
    let replicas = c.int("replicas", Some('r'))?.unwrap_or(1);
    let port = c.int("port", None)?.unwrap_or(-1);
    if images.len() > 1 && !command.is_empty() {
        return Err(err("cannot specify multiple --image options and command"));
    }
    let labels = json!({"app": name});
    let containers: Vec<Value> = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let mut ctr = json!({"name": container_name(image), "image": image, "resources": {}});
            if !command.is_empty() {
                ctr["command"] = json!(command);
            }
            if i == 0 && port >= 0 {
                ctr["ports"] = json!([{"containerPort": port}]);
            }
            ctr
        })
        .collect();
    let object = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": merge_meta(c.metadata(&name, true), "labels", labels.clone()),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
        },
        "status": {},
    });
    Ok(create(object, "failed to create deployment: "))
}

fn merge_meta(mut meta: Value, field: &str, value: Value) -> Value {
    meta[field] = value;
    meta
}

/// `ParseLiteralSource`: split at the first `=`; a leading `=` is an error.
fn literal_source(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(err(format!("invalid literal source {s}, expected key=value"))),
    }
}

/// `ParseFileSource`: `path` (key is the base name) or `key=path`.
fn file_source(s: &str) -> Result<(String, String), String> {
    let n = s.matches('=').count();
    if n == 0 {
        return Ok((s.rsplit('/').next().unwrap_or(s).to_string(), s.to_string()));
    }
    if n > 1 {
        return Err(err("key names or file paths cannot contain '='"));
    }
    let (k, p) = s.split_once('=').unwrap_or_default();
    if k.is_empty() {
        return Err(err(format!("key name for file path {p} missing")));
    }
    if p.is_empty() {
        return Err(err(format!("file path for key name {k} missing")));
    }
    Ok((k.to_string(), p.to_string()))
}

/// `validation.IsConfigMapKey`.
fn config_map_key_error(key: &str) -> Option<String> {
    if key.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    if !key.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')) {
        return Some("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into());
    }
    match key {
        "." => Some("must not be '.'".into()),
        ".." => Some("must not be '..'".into()),
        k if k.starts_with("..") => Some("must not start with '..'".into()),
        _ => None,
    }
}

fn create_data(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let secret = c.path == "create secret generic";
    let env_files = c.slice("from-env-file");
    if !env_files.is_empty() && (!c.p.all("from-file").is_empty() || !c.p.all("from-literal").is_empty()) {
        return Err(err("from-env-file cannot be combined with from-file or from-literal"));
    }
    // Secrets take literals first, config maps files first, as kubectl's `createSecret` and
    // `createConfigMap` do.
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut literals = Vec::new();
    for l in c.array("from-literal") {
        let (k, v) = literal_source(&l)?;
        literals.push((k, v.into_bytes()));
    }
    let mut from_files = Vec::new();
    for f in c.slice("from-file") {
        let (k, path) = file_source(&f)?;
        let bytes = c.files.read(&path).map_err(|_| err(format!("error reading {path}: no such file or directory")))?;
        from_files.push((k, bytes));
    }
    for f in &env_files {
        let bytes = c.files.read(f).map_err(|_| err(format!("error reading {f}: no such file or directory")))?;
        for line in String::from_utf8_lossy(&bytes).lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) => literals.push((k.to_string(), v.as_bytes().to_vec())),
                None => literals.push((line.to_string(), Vec::new())),
            }
        }
    }
    if secret {
        entries.extend(literals);
        entries.extend(from_files);
    } else {
        entries.extend(from_files);
        entries.extend(literals);
    }
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in entries {
        if let Some(e) = config_map_key_error(&k) {
            return Err(if secret {
                err(format!("{k:?} is not valid key name for a Secret {e}"))
            } else {
                err(format!("{k:?} is not a valid key name for a ConfigMap: {e}"))
            });
        }
        if data.contains_key(&k) || binary.contains_key(&k) {
            return Err(if secret {
                err(format!("cannot add key {k}, another key by that name already exists"))
            } else {
                err(format!("cannot add key {k:?}, another key by that name already exists in Data for ConfigMap {name:?}"))
            });
        }
        if secret {
            data.insert(k, json!(base64(&v)));
        } else {
            match String::from_utf8(v) {
                Ok(s) => data.insert(k, json!(s)),
                Err(e) => binary.insert(k, json!(base64(e.as_bytes()))),
            };
        }
    }
    let mut object = if secret {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": c.metadata(&name, true)})
    } else {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": c.metadata(&name, true)})
    };
    if !data.is_empty() {
        object["data"] = Value::Object(data);
    }
    if !binary.is_empty() {
        object["binaryData"] = Value::Object(binary);
    }
    if secret {
        if let Some(t) = c.get("type").filter(|t| !t.is_empty()) {
            object["type"] = json!(t);
        }
    }
    Ok(create(object, if secret { "failed to create secret " } else { "failed to create configmap: " }))
}

/// Standard base64 with padding, as Go's `encoding/json` writes `[]byte`.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const RESOURCE_VERBS: &[&str] = &["*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy", "deletecollection", "use", "bind", "escalate", "impersonate"];
const NON_RESOURCE_VERBS: &[&str] = &["*", "get", "post", "put", "delete", "patch", "head", "options"];

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// `create role` / `create clusterrole`: one rule per API group, resources resolved through
/// discovery as kubectl's RESTMapper does (`rs.apps` -> `replicasets` in `apps`).
fn create_role(c: &Ctx) -> Result<Action, String> {
    let cluster = c.path == "create clusterrole";
    let name = c.name()?;
    let mut verbs = Vec::new();
    for v in c.slice("verb") {
        if v == "*" {
            verbs = vec!["*".to_string()];
            break;
        }
        if !verbs.contains(&v) {
            verbs.push(v);
        }
    }
    // (group, resource, subresource) as typed.
    let mut typed: Vec<(String, String, String)> = Vec::new();
    for r in c.slice("resource") {
        let (main, sub) = match r.split_once('/') {
            Some((m, s)) => (m.to_string(), s.to_string()),
            None => (r.clone(), String::new()),
        };
        let (res, group) = match main.split_once('.') {
            Some((r, g)) => (r.to_string(), g.to_string()),
            None => (main.clone(), String::new()),
        };
        if res == "*" && !main.contains('.') && sub.is_empty() {
            typed = vec![(group, res, sub)];
            break;
        }
        typed.push((group, res, sub));
    }
    let resource_names = dedup(c.array("resource-name"));
    let non_resource_urls = if cluster { dedup(c.slice("non-resource-url")) } else { Vec::new() };
    let aggregation = if cluster { c.get("aggregation-rule").map(str::to_string) } else { None };
    let mut object = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": if cluster { "ClusterRole" } else { "Role" },
        "metadata": c.metadata(&name, !cluster),
    });
    if let Some(agg) = aggregation {
        if !non_resource_urls.is_empty() || !verbs.is_empty() || !typed.is_empty() || !resource_names.is_empty() {
            return Err(err("aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames"));
        }
        let mut labels = Map::new();
        for pair in agg.split(',') {
            let (k, v) = pair.split_once('=').ok_or_else(|| err(format!("invalid argument {agg:?} for \"--aggregation-rule\" flag: {pair} must be formatted as key=value")))?;
            labels.insert(k.to_string(), json!(v));
        }
        object["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": labels}]});
        return Ok(create(object, ""));
    }
    if verbs.is_empty() {
        return Err(err("at least one verb must be specified"));
    }
    if typed.is_empty() && (!cluster || non_resource_urls.is_empty()) {
        return Err(err(if cluster { "one of resource or nonResourceURL must be specified" } else { "at least one resource must be specified" }));
    }
    let mut warnings = String::new();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !typed.is_empty() {
        for v in &verbs {
            if !RESOURCE_VERBS.contains(&v.as_str()) {
                warnings.push_str(&format!("Warning: '{v}' is not a standard resource verb\n"));
            }
        }
        for (group, res, sub) in &typed {
            if res.is_empty() {
                return Err(err("resource must be specified if apiGroup/subresource specified"));
            }
            let (group, mut resource) = if res == "*" {
                (group.clone(), res.clone())
            } else {
                let query = if group.is_empty() { res.clone() } else { format!("{res}.{group}") };
                match super::resources::resolve(&query) {
                    Ok(k) => (k.group.to_string(), k.resource.to_string()),
                    Err(_) => return Err(err(format!("no matches for {group}/, Resource={res}"))),
                }
            };
            if !sub.is_empty() {
                resource = format!("{resource}/{sub}");
            }
            let list = groups.entry(group).or_default();
            if !list.contains(&resource) {
                list.push(resource);
            }
        }
    }
    if !non_resource_urls.is_empty() {
        for v in &verbs {
            if !NON_RESOURCE_VERBS.contains(&v.as_str()) {
                return Err(err(format!("invalid verb: '{v}' for nonResourceURL")));
            }
        }
        for u in &non_resource_urls {
            if u == "*" {
                continue;
            }
            if !u.starts_with('/') {
                return Err(err("nonResourceURL should start with /"));
            }
            if u[..u.len() - 1].contains('*') {
                return Err(err("nonResourceURL only supports wildcard matches when '*' is at the end"));
            }
        }
    }
    let mut rules: Vec<Value> = groups
        .into_iter()
        .map(|(g, resources)| {
            let mut rule = json!({"apiGroups": [g], "resources": resources, "verbs": verbs});
            if !resource_names.is_empty() {
                rule["resourceNames"] = json!(resource_names);
            }
            rule
        })
        .collect();
    if !non_resource_urls.is_empty() {
        rules.push(json!({"nonResourceURLs": non_resource_urls, "verbs": verbs}));
    }
    object["rules"] = json!(rules);
    Ok(Action::Create { object, wrap: String::new(), warnings })
}

fn create_binding(c: &Ctx) -> Result<Action, String> {
    let cluster = c.path == "create clusterrolebinding";
    let name = c.name()?;
    let role = c.get("role").unwrap_or("");
    let cluster_role = c.get("clusterrole").unwrap_or("");
    if !cluster && (role.is_empty() == cluster_role.is_empty()) {
        return Err(err("exactly one of clusterrole or role must be specified"));
    }
    let (ref_kind, ref_name) = if role.is_empty() { ("ClusterRole", cluster_role) } else { ("Role", role) };
    let mut subjects = Vec::new();
    for u in c.array("user") {
        subjects.push(json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": u}));
    }
    for g in c.array("group") {
        subjects.push(json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g}));
    }
    for sa in c.array("serviceaccount") {
        let parts: Vec<&str> = sa.split(':').collect();
        if parts.len() != 2 || parts[0].is_empty() || parts[1].is_empty() {
            return Err(err("serviceaccount must be <namespace>:<name>"));
        }
        subjects.push(json!({"kind": "ServiceAccount", "namespace": parts[0], "name": parts[1]}));
    }
    let mut object = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": if cluster { "ClusterRoleBinding" } else { "RoleBinding" },
        "metadata": c.metadata(&name, !cluster),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name},
    });
    if !subjects.is_empty() {
        object["subjects"] = json!(subjects);
    }
    Ok(create(object, if cluster { "failed to create clusterrolebinding: " } else { "failed to create rolebinding: " }))
}

fn create_job(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let image = c.get("image").unwrap_or("");
    let from = c.get("from").unwrap_or("");
    if image.is_empty() == from.is_empty() {
        return Err(err("either --image or --from must be specified"));
    }
    if !from.is_empty() {
        return Err(err("kubeplay does not create jobs --from a cronjob yet"));
    }
    let mut ctr = json!({"name": name, "image": image, "resources": {}});
    let command = c.command();
    if !command.is_empty() {
        ctr["command"] = json!(command);
    }
    let object = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": c.metadata(&name, true),
        "spec": {"template": {"metadata": {}, "spec": {"containers": [ctr], "restartPolicy": "Never"}}},
        "status": {},
    });
    Ok(create(object, "failed to create job: "))
}

fn create_cronjob(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let restart = c.get("restart").filter(|r| !r.is_empty()).unwrap_or("OnFailure");
    let mut ctr = json!({"name": name, "image": c.get("image").unwrap_or(""), "resources": {}});
    let command = c.command();
    if !command.is_empty() {
        ctr["command"] = json!(command);
    }
    let object = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": c.metadata(&name, true),
        "spec": {
            "schedule": c.get("schedule").unwrap_or(""),
            "jobTemplate": {
                "metadata": {"name": name},
                "spec": {"template": {"metadata": {}, "spec": {"containers": [ctr], "restartPolicy": restart}}},
            },
        },
        "status": {},
    });
    Ok(create(object, "failed to create cronjob: "))
}

/// `kubectl run`'s `parseLabels`: `a=b,c=d`, each with exactly one `=`.
fn parse_label_list(s: &str) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    for spec in s.split(',') {
        let parts: Vec<&str> = spec.split('=').collect();
        if parts.len() != 2 {
            return Err(err(format!("unexpected label spec: {spec}")));
        }
        if parts[0].is_empty() {
            return Err(err("unexpected empty label key"));
        }
        m.insert(parts[0].to_string(), json!(parts[1]));
    }
    Ok(m)
}

fn is_env_var_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')) && !name.starts_with(|ch: char| ch.is_ascii_digit())
}

fn run(c: &Ctx) -> Result<Action, String> {
    if c.p.positional.is_empty() || c.dash == Some(0) {
        return Err(err("NAME is required for run"));
    }
    let name = c.p.positional[0].clone();
    let image = c.get("image").unwrap_or("");
    if image.is_empty() {
        return Err(err("--image is required"));
    }
    let repository = image.split('@').next().unwrap_or(image);
    let repository = match repository.rfind(':') {
        Some(i) if !repository[i..].contains('/') => &repository[..i],
        _ => repository,
    };
    if image.contains(char::is_whitespace) || repository.rsplit('/').next().is_some_and(|n| n.chars().any(|ch| ch.is_ascii_uppercase())) {
        return Err(err(format!("invalid image name {image:?}: invalid reference format")));
    }
    let restart = c.get("restart").unwrap_or("Always");
    if !matches!(restart, "Always" | "OnFailure" | "Never") {
        return Err(err(format!("invalid restart policy: {restart}, valid values are: Always, OnFailure, Never")));
    }
    let port = c.get("port").filter(|p| !p.is_empty());
    if c.p.on("expose") && port.is_none() {
        return Err(err("--port must be set when exposing a service"));
    }
    let port_no = match port {
        Some(p) => Some(p.parse::<i64>().map_err(|_| err("--port must be a number"))?),
        None => None,
    };
    if c.p.on("rm") && !c.p.on("attach") {
        return Err(err("--rm should only be used for attached containers"));
    }
    if c.p.on("attach") || c.p.on("stdin") || c.p.on("tty") {
        return Err(err("kubeplay's terminal cannot attach to a container; run without -i, -t or --attach"));
    }
    if c.p.on("expose") {
        return Err(err("kubeplay does not run --expose yet; run `kubectl expose pod NAME --port=P` after it"));
    }
    let labels = match c.get("labels").filter(|l| !l.is_empty()) {
        Some(l) => parse_label_list(l)?,
        None => {
            let mut m = Map::new();
            m.insert("run".into(), json!(name));
            m
        }
    };
    let mut envs = Vec::new();
    for e in c.array("env") {
        match e.split_once('=') {
            Some((k, v)) if is_env_var_name(k) => envs.push(json!({"name": k, "value": v})),
            _ => return Err(err(format!("invalid env: {e}"))),
        }
    }
    let pull = c.get("image-pull-policy").unwrap_or("");
    if !matches!(pull, "" | "Always" | "IfNotPresent" | "Never") {
        return Err(err(format!("invalid image pull policy: {pull}, valid values are: Always, IfNotPresent, Never")));
    }
    let mut ctr = json!({"name": name, "image": image, "resources": {}});
    let args: Vec<String> = c.p.positional[1..].to_vec();
    if !args.is_empty() {
        ctr[if c.p.on("command") { "command" } else { "args" }] = json!(args);
    }
    if let Some(p) = port_no {
        ctr["ports"] = json!([{"containerPort": p}]);
    }
    if !envs.is_empty() {
        ctr["env"] = json!(envs);
    }
    if !pull.is_empty() {
        ctr["imagePullPolicy"] = json!(pull);
    }
    if c.p.on("privileged") {
        ctr["securityContext"] = json!({"privileged": true});
    }
    let mut meta = c.metadata(&name, true);
    meta["labels"] = Value::Object(labels);
    let annotations = c.array("annotations");
    if !annotations.is_empty() {
        let mut m = Map::new();
        for a in annotations {
            let (k, v) = a.split_once('=').ok_or_else(|| err(format!("invalid annotation format: {a}")))?;
            m.insert(k.to_string(), json!(v));
        }
        meta["annotations"] = Value::Object(m);
    }
    let object = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [ctr], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {},
    });
    Ok(create(object, ""))
}

/// `TYPE NAME` or `TYPE/NAME` words, as kubectl's resource builder reads them.
fn targets(words: &[String]) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    if words.iter().any(|w| w.contains('/')) {
        for w in words {
            let (t, n) = w.split_once('/').ok_or_else(|| {
                err("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
            })?;
            out.push((t.to_string(), vec![n.to_string()]));
        }
    } else if let Some((t, names)) = words.split_first() {
        for ty in t.split(',').filter(|s| !s.is_empty()) {
            out.push((ty.to_string(), names.to_vec()));
        }
    }
    Ok(out)
}

const RESOURCES_REQUIRED: &str = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n";

fn named_targets(c: &Ctx, words: &[String]) -> Result<Vec<(String, Vec<String>)>, String> {
    let t = targets(words)?;
    if t.is_empty() {
        return Err(RESOURCES_REQUIRED.into());
    }
    if t.iter().all(|(_, n)| n.is_empty()) && c.get("selector").is_none() && !c.p.on("all") {
        return Err(err("resource(s) were provided, but no name was specified"));
    }
    Ok(t)
}

fn expose(c: &Ctx) -> Result<Action, String> {
    let words = &c.p.positional;
    let t = targets(words)?;
    let target = match t.as_slice() {
        [(ty, names)] if names.len() == 1 => (ty.clone(), names[0].clone()),
        [] => return Err(c.usage("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'").replace(&format!("\nSee 'kubectl {} -h' for help and examples", c.path), "")),
        [(_, names)] if names.is_empty() => return Err(err("resource(s) were provided, but no name was specified")),
        _ => return Err(err("kubeplay exposes one object at a time: `kubectl expose TYPE NAME --port=P`")),
    };
    let owned = |k: &str| c.get(k).filter(|v| !v.is_empty()).map(str::to_string);
    Ok(Action::Expose(Expose {
        target,
        name: owned("name"),
        port: owned("port"),
        target_port: owned("target-port"),
        service_type: owned("type"),
        protocol: owned("protocol"),
        selector: owned("selector"),
        labels: owned("labels"),
        cluster_ip: owned("cluster-ip"),
    }))
}

/// `GetResourcesAndPairs`: resources first, then `key=value` / `key-` pairs.
fn resources_and_pairs(words: &[String], pair_type: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut resources, mut pairs) = (Vec::new(), Vec::new());
    for s in words {
        let pair = (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
        match (pairs.is_empty(), pair) {
            (_, true) => pairs.push(s.clone()),
            (true, false) => resources.push(s.clone()),
            (false, false) => return Err(err(format!("all resources must be specified before {pair_type} changes: {s}"))),
        }
    }
    Ok((resources, pairs))
}

/// `validation.IsValidLabelValue`, the errors joined as kubectl joins them.
fn label_value_errors(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let ok_chars = v.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    let ok_ends = v.is_empty() || (v.starts_with(|ch: char| ch.is_ascii_alphanumeric()) && v.ends_with(|ch: char| ch.is_ascii_alphanumeric()));
    if !(ok_chars && ok_ends) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string());
    }
    errs
}

fn label(c: &Ctx) -> Result<Action, String> {
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

fn scale(c: &Ctx) -> Result<Action, String> {
    let replicas = c.int("replicas", None)?.unwrap_or(-1);
    if replicas < 0 {
        return Err(err("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"));
    }
    let current = c.int("current-replicas", None)?.unwrap_or(-1);
    let resource_version = c.get("resource-version").unwrap_or("").to_string();
    Ok(Action::Scale { targets: named_targets(c, &c.p.positional)?, replicas, current, resource_version })
}

fn patch(c: &Ctx) -> Result<Action, String> {
    let text = match (c.get("patch"), c.get("patch-file")) {
        (Some(_), Some(_)) => return Err(err("cannot specify --patch and --patch-file together")),
        (None, None) => return Err(err("must specify --patch or --patch-file containing the contents of the patch")),
        (Some(p), None) => p.to_string(),
        (None, Some(f)) => {
            let bytes = c.files.read(f).map_err(|_| err(format!("unable to read patch file: open {f}: no such file or directory")))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
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
    Ok(Action::Patch { targets: named_targets(c, &c.p.positional)?, patch, patch_type })
}

fn replace(c: &Ctx) -> Result<Action, String> {
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

fn set_image(c: &Ctx) -> Result<Action, String> {
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

/// `validation.IsQualifiedName`, enough to reject what a learner mistypes.
fn qualified_name_ok(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
            && s.starts_with(|ch: char| ch.is_ascii_alphanumeric())
            && s.ends_with(|ch: char| ch.is_ascii_alphanumeric())
    };
    ok(name) && key.matches('/').count() <= 1
}

/// `parseTaint`: `key=value:effect`, `key:effect` or `key`.
fn parse_taint(st: &str) -> Result<Taint, String> {
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

fn taint(c: &Ctx) -> Result<Action, String> {
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
        let kind = super::resources::resolve(&ty).map_err(|e| format!("{e}\n"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::kubectl::{parse as kubectl, Command};
    use crate::cli::MemoryFiles;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap()
    }

    fn action(line: &str) -> Action {
        let files = MemoryFiles::new().with("app.conf", "debug=true\n");
        match kubectl(&words(line), &files).unwrap().command {
            Command::Imperative(i) => i.action,
            other => panic!("{other:?}"),
        }
    }

    fn error(line: &str) -> String {
        kubectl(&words(line), &MemoryFiles::new()).unwrap_err()
    }

    #[test]
    fn create_deployment_as_kubectl_builds_it() {
        let Action::Create { object, wrap, .. } = action("create deployment web --image=registry.k8s.io/nginx:1.27 -r 3 --port=80") else { panic!() };
        assert_eq!(wrap, "failed to create deployment: ");
        assert_eq!(object["metadata"], json!({"name": "web", "labels": {"app": "web"}}));
        assert_eq!(object["spec"]["replicas"], json!(3));
        let ctr = &object["spec"]["template"]["spec"]["containers"][0];
        assert_eq!((ctr["name"].as_str(), ctr["ports"][0]["containerPort"].as_i64()), (Some("nginx"), Some(80)));
        let Action::Create { object, .. } = action("create deploy web -n dev --image=busybox -- sleep 3600") else { panic!() };
        assert_eq!(object["metadata"]["namespace"], "dev");
        assert_eq!(object["spec"]["template"]["spec"]["containers"][0]["command"], json!(["sleep", "3600"]));
    }

    #[test]
    fn cobra_order_of_errors() {
        assert_eq!(error("create deployment web"), "error: required flag(s) \"image\" not set\n");
        assert_eq!(error("create cronjob c"), "error: required flag(s) \"image\", \"schedule\" not set\n");
        assert_eq!(error("create deployment --image=nginx"), "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n");
        assert_eq!(error("create job j"), "error: either --image or --from must be specified\n");
        assert_eq!(error("create deployment web --image=x --replicas=two"), "error: invalid argument \"two\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"two\": invalid syntax\nSee 'kubectl create deployment --help' for usage.\n");
        assert_eq!(error("run web"), "error: --image is required\n");
        assert_eq!(error("scale deploy/web"), "error: required flag(s) \"replicas\" not set\n");
        assert_eq!(error("create rolebinding rb --user=jane"), "error: exactly one of clusterrole or role must be specified\n");
    }

    #[test]
    fn data_sources() {
        let Action::Create { object, .. } = action("create secret generic db --from-literal=password=s3cr=t --from-literal=user=admin") else { panic!() };
        assert_eq!(object["data"], json!({"password": "czNjcj10", "user": "YWRtaW4="}));
        let Action::Create { object, .. } = action("create configmap cfg --from-file=app.conf --from-literal=mode=fast") else { panic!() };
        assert_eq!(object["data"], json!({"app.conf": "debug=true\n", "mode": "fast"}));
        assert_eq!(error("create cm x --from-literal=novalue"), "error: invalid literal source novalue, expected key=value\n");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn rbac_rules_group_by_api_group() {
        let Action::Create { object, .. } = action("create role r --verb=get,list --verb=get --resource=pods,deploy,rs.apps,pods/log") else { panic!() };
        assert_eq!(
            object["rules"],
            json!([
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
                {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": ["get", "list"]},
            ])
        );
        let Action::Create { object, .. } = action("create rolebinding rb --clusterrole=view --serviceaccount=dev:bot --user=jane") else { panic!() };
        assert_eq!(object["subjects"][1], json!({"kind": "ServiceAccount", "namespace": "dev", "name": "bot"}));
        assert_eq!(error("create role r --verb=get --resource=foos"), "error: no matches for /, Resource=foos\n");
    }

    #[test]
    fn label_taint_and_patch_arguments() {
        let Action::Label { set, remove, targets, .. } = action("label pods web tier=front env-") else { panic!() };
        assert_eq!((set.get("tier").map(String::as_str), remove, targets), (Some("front"), vec!["env".to_string()], vec![("pods".to_string(), vec!["web".to_string()])]));
        assert_eq!(error("label pod web"), "error: at least one label update is required\n");
        assert_eq!(error("label pod web a=b c"), "error: all resources must be specified before label changes: c\n");
        let Action::Taint { add, remove, .. } = action("taint nodes n1 dedicated=gpu:NoSchedule old:NoExecute-") else { panic!() };
        assert_eq!(add[0].to_spec(), "dedicated=gpu:NoSchedule");
        assert_eq!(remove[0].to_spec(), "old:NoExecute");
        assert!(error("taint nodes n1 a=b:Sometimes").starts_with("error: invalid taint effect: Sometimes"));
        let Action::Patch { patch, patch_type, .. } = action("patch deploy web --type merge -p '{\"spec\":{\"replicas\":2}}'") else { panic!() };
        assert_eq!((patch, patch_type), (json!({"spec": {"replicas": 2}}), PatchType::Merge));
        assert!(error("patch deploy web -p '{\"spec\":'").starts_with("error: unable to parse"));
        assert_eq!(error("patch deploy web"), "error: must specify --patch or --patch-file containing the contents of the patch\n");
    }

    #[test]
    fn create_from_files_stays_with_create() {
        let files = MemoryFiles::new().with("deployment", "x");
        assert!(!handles("create", &words("-f deployment")));
        assert!(matches!(kubectl(&words("create -n dev -f deployment"), &files).unwrap().command, Command::Create { .. }));
        assert!(handles("create", &words("-n dev deploy web --image=nginx")));
    }

    #[test]
    fn run_builds_a_pod() {
        let Action::Create { object, .. } = action("run web --image=nginx --port=80 --env=A=1 --restart=Never -- nginx -g daemon off;") else { panic!() };
        assert_eq!(object["metadata"]["labels"], json!({"run": "web"}));
        assert_eq!(object["spec"]["restartPolicy"], "Never");
        assert_eq!(object["spec"]["containers"][0]["args"], json!(["nginx", "-g", "daemon", "off;"]));
        assert_eq!(object["spec"]["containers"][0]["env"], json!([{"name": "A", "value": "1"}]));
    }
}
