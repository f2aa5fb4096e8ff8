//! `kubectl` in the command language: parsing with kubectl's flag conventions (see [`flags`]),
//! into commands whose files are already read, so running them is pure.

pub mod autoscale;
pub mod config;
pub mod exec;
pub mod explain;
pub mod flags;
pub mod help;
pub mod imperative;
pub mod inspect;
pub mod logs;
pub mod resources;
pub mod rollout;
pub mod wait;
mod errors;

pub use errors::{format_errors, invalid_message};

use super::Files;
use flags::{flag, switch, Parsed, Spec};

/// Who a command acts as (`--as`, `--as-group`); `None` is the kubeconfig's user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impersonation {
    pub user: Option<String>,
    pub groups: Vec<String>,
}

/// Options shared by the commands that read manifests (`apply`, `create`, `delete -f`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// Each `-f` source in order: its name as kubectl prints it and its bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

/// `-o` for commands that print objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Wide,
    Name,
    Json,
    Yaml,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath(String),
    /// `-o custom-columns=HEADER:PATH,...`.
    CustomColumns(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Get {
    /// Resource type and names, as typed (`pods`, `deploy/web`, `po a b`).
    pub targets: Vec<(String, Vec<String>)>,
    pub output: OutputFormat,
    pub label_selector: String,
    pub field_selector: String,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
    pub no_headers: bool,
    /// `--sort-by=JSONPATH`, empty when not given.
    pub sort_by: String,
    /// `--subresource=status|scale`, empty when not given.
    pub subresource: String,
    /// `-w/--watch`, `--watch-only`, `--output-watch-events`.
    pub watch: Watch,
    /// `--show-managed-fields`: keep `metadata.managedFields` in `-o json|yaml`.
    pub show_managed_fields: bool,
}

/// How `kubectl get` streams changes after (or instead of) its first listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watch {
    pub watch: bool,
    pub watch_only: bool,
    pub output_watch_events: bool,
    /// `--request-timeout` in virtual milliseconds; 0 is none (the stream ends when the
    /// cluster goes idle, see `cluster/watch.rs`).
    pub timeout_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delete {
    pub targets: Vec<(String, Vec<String>)>,
    pub sources: Sources,
    pub label_selector: String,
    pub all: bool,
    pub cascade: String,
    pub grace_period: Option<i64>,
    pub ignore_not_found: bool,
    /// `--dry-run`: `client` sends nothing, `server` sends each DELETE with `dryRun=All`.
    pub dry_run: DryRun,
}

/// `kubectl drain NODE` and its flags (see `cluster/drain.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drain {
    pub nodes: Vec<String>,
    pub force: bool,
    pub ignore_daemonsets: bool,
    pub delete_emptydir_data: bool,
    /// `--grace-period`; negative means the pod's own.
    pub grace_period: i64,
    /// `--timeout` in virtual milliseconds; 0 is kubectl's "no limit".
    pub timeout_ms: u64,
    /// `--selector/-l`: drain every node with these labels instead of named ones.
    pub selector: String,
    /// `--pod-selector`: only the pods on the node with these labels.
    pub pod_selector: String,
    /// `--disable-eviction`: DELETE the pods instead of evicting them (no PodDisruptionBudgets).
    pub disable_eviction: bool,
    pub dry_run: DryRun,
}

/// `apply`'s own flags: `--server-side`, `--force-conflicts`, `--field-manager`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    pub server_side: bool,
    pub force_conflicts: bool,
    /// `--field-manager`, when given (kubectl's default depends on `--server-side`).
    pub field_manager: Option<String>,
}

/// A parsed kubectl command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Apply { sources: Sources, dry_run: DryRun, options: ApplyOptions },
    Create { sources: Sources, dry_run: DryRun },
    /// `diff -f`: what apply would change (see `cluster/apply/diff.rs`).
    Diff { sources: Sources, options: ApplyOptions, show_managed_fields: bool },
    Get(Get),
    Delete(Delete),
    Version,
    ApiResources { namespaced: Option<bool> },
    Whoami,
    ClusterInfo,
    /// `create <kind>`, `run`, `expose`, `label`, `scale`, `patch`, ... (see [`imperative`]).
    Imperative(imperative::Imperative),
    /// `auth can-i`, `describe`, `api-versions`, `explain`, `events` (see [`inspect`]).
    Inspect(inspect::Inspect),
    Drain(Drain),
    /// `rollout status|history|undo|restart|pause|resume` (see [`rollout`]).
    Rollout(rollout::Rollout),
    /// `autoscale` (see [`autoscale`]).
    Autoscale(autoscale::Autoscale),
    /// `config view|current-context|get-contexts|...` (see [`config`]).
    Config(config::Config),
    /// `top node|pod` (see [`config`]).
    Top(config::Top),
    /// Help text: `--help` (exit 0), or a command group named without its subcommand (exit 1).
    Help { text: String, exit_code: i32 },
    /// `logs` (see [`logs`]); the cluster serves it from the node's kubelet.
    Logs(logs::Logs),
    /// `wait --for=...` (see [`wait`]); the cluster runs it across kernel steps.
    Wait(wait::Wait),
    /// `exec POD -- COMMAND` (see [`exec`]); the node's kubelet runs it.
    Exec(exec::Exec),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

/// A command with the options every command shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kubectl {
    pub command: Command,
    /// `-n/--namespace`, when given.
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub impersonate: Impersonation,
}

const OUTPUT: Spec = flag("output", Some('o'));
const FILENAME: Spec = flag("filename", Some('f'));
const SELECTOR: Spec = flag("selector", Some('l'));
const DRY_RUN: Spec = flag("dry-run", None);
const ALL_NAMESPACES: Spec = switch("all-namespaces", Some('A'));

/// Turns a command's parsed flags and arguments into its `Command`.
type Builder = fn(&Parsed, &dyn Files) -> Result<Command, String>;

/// Parses the words after `kubectl`. Errors are the full text kubectl prints on stderr.
pub fn parse(args: &[String], files: &dyn Files) -> Result<Kubectl, String> {
    if args.is_empty() || help::wants_help(args) {
        if let Some(text) = help::help_for(args) {
            return Ok(help_command(text, 0));
        }
    }
    let Some((command, rest)) = args.split_first() else {
        return Ok(help_command(help::ROOT_HELP.to_string(), 0));
    };
    match command.as_str() {
        "rollout" => return rollout::parse(rest).map(|k| k.unwrap_or_else(|| help_command(rollout::ROLLOUT_HELP.to_string(), 1))),
        "autoscale" => return autoscale::parse(rest),
        "logs" => return logs::parse(rest),
        "wait" => return wait::parse(rest, files),
        "exec" => return exec::parse(rest),
        "config" => return config::parse_config(rest).map(|k| k.unwrap_or_else(|| help_command(config::CONFIG_HELP.to_string(), 1))),
        "top" => return config::parse_top(rest).map(|k| k.unwrap_or_else(|| help_command(config::TOP_HELP.to_string(), 1))),
        _ => {}
    }
    if imperative::handles(command, rest) {
        return imperative::parse(command, rest, files);
    }
    if inspect::handles(command, rest) {
        return inspect::parse(command, rest, files);
    }
    let (specs, build): (&[Spec], Builder) = match command.as_str() {
        "apply" => (
            &[
                FILENAME,
                DRY_RUN,
                OUTPUT,
                switch("validate", None),
                flag("field-manager", None),
                switch("server-side", None),
                switch("force-conflicts", None),
            ],
            build_apply,
        ),
        "create" => (&[FILENAME, DRY_RUN, OUTPUT, switch("save-config", None)], build_create),
        "diff" => (
            &[FILENAME, switch("server-side", None), switch("force-conflicts", None), flag("field-manager", None), switch("show-managed-fields", None), switch("recursive", Some('R'))],
            build_diff,
        ),
        "get" => (
            &[
                OUTPUT,
                SELECTOR,
                ALL_NAMESPACES,
                flag("field-selector", None),
                switch("show-labels", None),
                switch("show-managed-fields", None),
                flag("label-columns", Some('L')),
                switch("no-headers", None),
                switch("watch", Some('w')),
                switch("watch-only", None),
                switch("output-watch-events", None),
                flag("subresource", None),
                flag("sort-by", None),
            ],
            build_get,
        ),
        "delete" => (
            &[
                FILENAME,
                SELECTOR,
                ALL_NAMESPACES,
                switch("all", None),
                flag("cascade", None),
                flag("grace-period", None),
                switch("now", None),
                switch("force", None),
                switch("ignore-not-found", None),
                switch("wait", None),
                DRY_RUN,
            ],
            build_delete,
        ),
        "version" => (&[switch("client", None), OUTPUT], |_, _| Ok(Command::Version)),
        "api-resources" => (&[flag("namespaced", None), OUTPUT, flag("api-group", None)], |p, _| {
            Ok(Command::ApiResources { namespaced: p.get("namespaced").map(|v| v != "false") })
        }),
        "cluster-info" => (&[], |_, _| Ok(Command::ClusterInfo)),
        "drain" => (
            &[
                switch("force", None),
                switch("ignore-daemonsets", None),
                switch("delete-emptydir-data", None),
                switch("delete-local-data", None),
                flag("grace-period", None),
                flag("timeout", None),
                flag("selector", Some('l')),
                flag("pod-selector", None),
                switch("disable-eviction", None),
                flag("dry-run", None),
                flag("skip-wait-for-delete-timeout", None),
                flag("chunk-size", None),
            ],
            build_drain,
        ),
        "auth" => match rest.first().map(String::as_str) {
            Some("whoami") => (&[OUTPUT], |_, _| Ok(Command::Whoami)),
            _ => return Err("error: kubeplay knows `kubectl auth whoami` so far\n".into()),
        },
        other => return Err(format!("error: unknown command \"{other}\" for \"kubectl\"\nRun 'kubectl --help' for usage.\n")),
    };
    let rest = if command == "auth" { &rest[1..] } else { rest };
    let parsed = flags::parse(rest, specs, command).map_err(|e| format!("{e}\n"))?;
    let cmd = build(&parsed, files)?;
    Ok(Kubectl {
        command: cmd,
        namespace: parsed.get("namespace").map(str::to_string),
        all_namespaces: parsed.on("all-namespaces"),
        impersonate: Impersonation {
            user: parsed.get("as").map(str::to_string),
            groups: parsed.all("as-group").to_vec(),
        },
    })
}

/// A command that only prints help.
fn help_command(text: String, exit_code: i32) -> Kubectl {
    Kubectl { command: Command::Help { text, exit_code }, namespace: None, all_namespaces: false, impersonate: Impersonation::default() }
}

fn read_sources(p: &Parsed, files: &dyn Files) -> Result<Sources, String> {
    let mut out = Vec::new();
    for name in p.all("filename") {
        let bytes = files.read(name).map_err(|e| format!("error: {e}\n"))?;
        let shown = if name == "-" { "STDIN".to_string() } else { name.clone() };
        out.push((shown, bytes));
    }
    Ok(Sources { files: out })
}

fn dry_run(p: &Parsed) -> Result<DryRun, String> {
    match p.get("dry-run") {
        None | Some("none") => Ok(DryRun::None),
        Some("client") | Some("true") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => Err(format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".\n")),
    }
}

fn no_positional(p: &Parsed, command: &str) -> Result<(), String> {
    if p.positional.is_empty() {
        Ok(())
    } else {
        Err(format!("error: Unexpected args: {:?}\nSee 'kubectl {command} -h' for help and examples\n", p.positional).replace('"', ""))
    }
}

/// What `apply` and `diff` share: `-f` required, no arguments, apply's own flags.
fn apply_options(p: &Parsed, command: &str) -> Result<ApplyOptions, String> {
    no_positional(p, command)?;
    if p.all("filename").is_empty() {
        return Err("error: must specify one of -f and -k\n".into());
    }
    Ok(ApplyOptions {
        server_side: p.on("server-side"),
        force_conflicts: p.on("force-conflicts"),
        field_manager: p.get("field-manager").map(str::to_string),
    })
}

fn build_apply(p: &Parsed, files: &dyn Files) -> Result<Command, String> {
    let options = apply_options(p, "apply")?;
    let dry_run = dry_run(p)?;
    // `ApplyOptions.Validate`.
    if options.force_conflicts && !options.server_side {
        return Err("error: --force-conflicts only works with --server-side\n".into());
    }
    if dry_run == DryRun::Client && options.server_side {
        return Err("error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)\n".into());
    }
    Ok(Command::Apply { sources: read_sources(p, files)?, dry_run, options })
}

/// `kubectl diff -f`: apply's options, run as a server-side dry run (`cluster/apply/diff.rs`).
fn build_diff(p: &Parsed, files: &dyn Files) -> Result<Command, String> {
    let options = apply_options(p, "diff")?;
    Ok(Command::Diff { sources: read_sources(p, files)?, options, show_managed_fields: p.on("show-managed-fields") })
}

fn build_create(p: &Parsed, files: &dyn Files) -> Result<Command, String> {
    if p.all("filename").is_empty() {
        return Err("error: must specify one of -f and -k\n".into());
    }
    no_positional(p, "create")?;
    Ok(Command::Create { sources: read_sources(p, files)?, dry_run: dry_run(p)? })
}

/// `TYPE`, `TYPE NAME...`, `TYPE/NAME ...`, `TYPE1,TYPE2`.
fn targets(positional: &[String]) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    if positional.iter().any(|p| p.contains('/')) {
        for p in positional {
            let (ty, name) = p.split_once('/').ok_or_else(|| {
                "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n".to_string()
            })?;
            out.push((ty.to_string(), vec![name.to_string()]));
        }
        return Ok(out);
    }
    if let Some((types, names)) = positional.split_first() {
        for ty in types.split(',').filter(|t| !t.is_empty()) {
            out.push((ty.to_string(), names.to_vec()));
        }
    }
    Ok(out)
}

fn output_format(p: &Parsed) -> Result<OutputFormat, String> {
    Ok(match p.get("output") {
        None => OutputFormat::Table,
        Some("wide") => OutputFormat::Wide,
        Some("name") => OutputFormat::Name,
        Some("json") => OutputFormat::Json,
        Some("yaml") => OutputFormat::Yaml,
        Some(o) if o.starts_with("jsonpath=") => {
            let template = &o["jsonpath=".len()..];
            crate::cli::printers::jsonpath::JsonPath::parse(template).map_err(|e| format!("error: {e}\n"))?;
            OutputFormat::JsonPath(template.to_string())
        }
        Some(o) if o.starts_with("custom-columns=") => OutputFormat::CustomColumns(o["custom-columns=".len()..].to_string()),
        Some(other) => {
            return Err(format!(
                "error: unable to match a printer suitable for the output format {other:?}, allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"
            ))
        }
    })
}

const GET_HELP: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n";

fn build_get(p: &Parsed, _: &dyn Files) -> Result<Command, String> {
    let targets = targets(&p.positional)?;
    if targets.is_empty() {
        return Err(GET_HELP.into());
    }
    let subresource = p.get("subresource").unwrap_or("").to_string();
    if !subresource.is_empty() && subresource != "status" && subresource != "scale" {
        return Err(format!("error: invalid subresource value: {subresource:?}. Must be one of [status scale]\n"));
    }
    let watch = Watch {
        watch: p.on("watch"),
        watch_only: p.on("watch-only"),
        output_watch_events: p.on("output-watch-events"),
        timeout_ms: match p.get("request-timeout") {
            // A bare integer is seconds, as kubectl's `--request-timeout` reads it.
            Some(t) => t.parse::<u64>().ok().map(|secs| secs.saturating_mul(1000)).or_else(|| crate::cli::parse_duration(t).map(|d| d.0)).ok_or_else(|| {
                "error: invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)\n".to_string()
            })?,
            None => 0,
        },
    };
    Ok(Command::Get(Get {
        targets,
        output: output_format(p)?,
        label_selector: p.get("selector").unwrap_or("").to_string(),
        field_selector: p.get("field-selector").unwrap_or("").to_string(),
        show_labels: p.on("show-labels"),
        label_columns: p.all("label-columns").iter().flat_map(|l| l.split(',')).map(str::to_string).collect(),
        no_headers: p.on("no-headers"),
        sort_by: p.get("sort-by").unwrap_or("").to_string(),
        subresource,
        watch,
        show_managed_fields: p.on("show-managed-fields"),
    }))
}

fn build_drain(p: &Parsed, _: &dyn Files) -> Result<Command, String> {
    // `DrainCmdOptions.Complete`, in its order.
    let selector = p.get("selector").unwrap_or("").to_string();
    if p.positional.is_empty() && p.get("selector").is_none() {
        return Err("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples\n".into());
    }
    if !p.positional.is_empty() && !selector.is_empty() {
        return Err("error: cannot specify both a node name and a --selector option\nSee 'kubectl drain -h' for help and examples\n".into());
    }
    let dry_run = dry_run(p)?;
    let pod_selector = p.get("pod-selector").unwrap_or("").to_string();
    if crate::apiserver::select::LabelSelector::parse(&pod_selector).is_err() {
        return Err("error: --pod-selector=<pod_selector> must be a valid label selector\n".into());
    }
    let grace_period = match p.get("grace-period") {
        Some(g) => g.parse::<i64>().map_err(|_| format!("error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax\n"))?,
        None => -1,
    };
    let timeout_ms = match p.get("timeout") {
        None | Some("0") => 0,
        Some(t) => crate::cli::parse_duration(t).map(|d| d.0).ok_or_else(|| format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: missing unit in duration \"{t}\"\n"))?,
    };
    Ok(Command::Drain(Drain {
        nodes: p.positional.clone(),
        force: p.on("force"),
        ignore_daemonsets: p.on("ignore-daemonsets"),
        delete_emptydir_data: p.on("delete-emptydir-data") || p.on("delete-local-data"),
        grace_period,
        timeout_ms,
        selector,
        pod_selector,
        disable_eviction: p.on("disable-eviction"),
        dry_run,
    }))
}

fn build_delete(p: &Parsed, files: &dyn Files) -> Result<Command, String> {
    let sources = read_sources(p, files)?;
    let targets = targets(&p.positional)?;
    let all = p.on("all");
    let selector = p.get("selector").unwrap_or("").to_string();
    if sources.files.is_empty() && targets.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".into());
    }
    if !targets.is_empty() && targets.iter().all(|(_, names)| names.is_empty()) && !all && selector.is_empty() {
        return Err("error: resource(s) were provided, but no name was specified\n".into());
    }
    let cascade = p.get("cascade").unwrap_or("background").to_string();
    if !matches!(cascade.as_str(), "background" | "foreground" | "orphan" | "true" | "false") {
        return Err(format!("error: invalid cascade value ({cascade}). Must be \"background\", \"foreground\", or \"orphan\".\n"));
    }
    let grace_period = match p.get("grace-period") {
        Some(g) => Some(g.parse::<i64>().map_err(|_| format!("error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax\n"))?),
        None if p.on("now") => Some(1),
        None if p.on("force") => Some(0),
        None => None,
    };
    Ok(Command::Delete(Delete {
        targets,
        sources,
        label_selector: selector,
        all,
        cascade,
        grace_period,
        ignore_not_found: p.on("ignore-not-found"),
        dry_run: dry_run(p)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::MemoryFiles;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap()
    }

    #[test]
    fn parses_apply_flags() {
        let files = MemoryFiles::new().with("a.yaml", "x").with("-", "y");
        let cmd = parse(&words("apply -f a.yaml --filename=- -n dev"), &files).unwrap();
        assert_eq!(cmd.namespace.as_deref(), Some("dev"));
        assert_eq!(
            cmd.command,
            Command::Apply {
                sources: Sources { files: vec![("a.yaml".into(), b"x".to_vec()), ("STDIN".into(), b"y".to_vec())] },
                dry_run: DryRun::None,
                options: ApplyOptions::default(),
            }
        );
        let Command::Apply { options, .. } = parse(&words("apply --server-side --force-conflicts --field-manager=ci -f a.yaml"), &files).unwrap().command else {
            panic!()
        };
        assert_eq!(options, ApplyOptions { server_side: true, force_conflicts: true, field_manager: Some("ci".into()) });
        assert_eq!(parse(&words("apply --force-conflicts -f a.yaml"), &files).unwrap_err(), "error: --force-conflicts only works with --server-side\n");
        assert!(parse(&words("apply --server-side --dry-run=client -f a.yaml"), &files).unwrap_err().contains("did you mean --dry-run=server instead?"));
        assert_eq!(parse(&words("apply --foo"), &files).unwrap_err(), "error: unknown flag: --foo\nSee 'kubectl apply --help' for usage.\n");
        assert_eq!(parse(&words("apply"), &files).unwrap_err(), "error: must specify one of -f and -k\n");
        assert_eq!(parse(&words("apply -f nope.yaml"), &files).unwrap_err(), "error: the path \"nope.yaml\" does not exist\n");
        assert!(parse(&words("frobnicate"), &files).unwrap_err().starts_with("error: unknown command \"frobnicate\" for \"kubectl\""));
    }

    #[test]
    fn parses_get_targets() {
        let files = MemoryFiles::new();
        let Command::Get(g) = parse(&words("get po,svc -l app=web -o wide"), &files).unwrap().command else { panic!() };
        assert_eq!(g.targets, vec![("po".to_string(), vec![]), ("svc".to_string(), vec![])]);
        assert_eq!((g.output, g.label_selector.as_str()), (OutputFormat::Wide, "app=web"));
        let Command::Get(g) = parse(&words("get deploy/web pod/a"), &files).unwrap().command else { panic!() };
        assert_eq!(g.targets, vec![("deploy".to_string(), vec!["web".to_string()]), ("pod".to_string(), vec!["a".to_string()])]);
        assert!(parse(&words("get"), &files).unwrap_err().contains("Required resource not specified"));
        assert!(parse(&words("get pods -o foo"), &files).unwrap_err().contains("unable to match a printer"));
    }
}
