//! `kubectl config view|current-context|get-contexts|get-clusters|get-users|use-context`
//! for the playground's one cluster, and the parsing of `kubectl top`. `config` is answered
//! without the API server: it reads the kubeconfig (kubeplay's is the fixed one `kubeadm init`
//! writes to `/etc/kubernetes/admin.conf`). `top` reads the metrics.k8s.io API that the
//! simulated metrics-server serves through kube-apiserver (`cluster/top.rs`); without a control
//! plane (`--etcd-only`) discovery shows no such group and `top` stops as kubectl does.
//!
//! `config view` prints the kubeconfig as kubectl's `config view` does: sorted keys, and
//! certificate and key data replaced by `DATA+OMITTED` (`clientcmdapi.ShortenConfig`) unless
//! `--raw` is given, which kubeplay refuses since it holds no real certificates.

use super::flags::{self, flag, switch};
use super::{Command, Impersonation, Kubectl};
use crate::cli::Output;
use serde_json::{json, Value};

pub const CLUSTER: &str = "kubernetes";
pub const USER: &str = "kubernetes-admin";
pub const CONTEXT: &str = "kubernetes-admin@kubernetes";
/// The API server's address, as `kubectl cluster-info` prints it.
pub const SERVER: &str = "https://127.0.0.1:6443";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Config {
    /// `config view`: `-o` (yaml when empty), `--minify` (the same for one context).
    View { output: String },
    CurrentContext,
    /// `config get-contexts [NAME]`.
    GetContexts { name: Option<String>, no_headers: bool, name_only: bool },
    GetClusters,
    GetUsers,
    UseContext(String),
}

/// `kubectl top node|pod [NAME | -l label]` and its flags.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Top {
    /// `node` or `pod`.
    pub resource: String,
    pub name: Option<String>,
    pub selector: String,
    pub field_selector: String,
    pub containers: bool,
    pub no_headers: bool,
    /// `cpu`, `memory` or empty.
    pub sort_by: String,
    pub sum: bool,
    pub show_capacity: bool,
}

const CONFIG_SUBCOMMANDS: &[&str] = &[
    "current-context",
    "delete-cluster",
    "delete-context",
    "delete-user",
    "get-clusters",
    "get-contexts",
    "get-users",
    "rename-context",
    "set",
    "set-cluster",
    "set-context",
    "set-credentials",
    "unset",
    "use-context",
    "view",
];

/// `kubectl config` alone: its help (exit 1, as cobra's `DefaultSubCommandRun`).
pub const CONFIG_HELP: &str = "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".\n\n The loading order follows these rules:\n\n  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.\n  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.\n  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place.\n\nAvailable Commands:\n  current-context   Display the current-context\n  delete-cluster    Delete the specified cluster from the kubeconfig\n  delete-context    Delete the specified context from the kubeconfig\n  delete-user       Delete the specified user from the kubeconfig\n  get-clusters      Display clusters defined in the kubeconfig\n  get-contexts      Describe one or many contexts\n  get-users         Display users defined in the kubeconfig\n  rename-context    Rename a context from the kubeconfig file\n  set               Set an individual value in a kubeconfig file\n  set-cluster       Set a cluster entry in kubeconfig\n  set-context       Set a context entry in kubeconfig\n  set-credentials   Set a user entry in kubeconfig\n  unset             Unset an individual value in a kubeconfig file\n  use-context       Set the current-context in a kubeconfig file\n  view              Display merged kubeconfig settings or a specified kubeconfig file\n\nUsage:\n  kubectl config SUBCOMMAND [options]\n\nUse \"kubectl config <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// `kubectl top` alone.
pub const TOP_HELP: &str = "Display resource (CPU/memory) usage.\n\n The top command allows you to see the resource consumption for nodes or pods.\n\n This command requires Metrics Server to be correctly configured and working on the server.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n\nUsage:\n  kubectl top [flags] [options]\n\nUse \"kubectl top <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

fn kubectl(command: Command) -> Kubectl {
    Kubectl { command, namespace: None, all_namespaces: false, impersonate: Impersonation::default() }
}

/// Parses the words after `kubectl config`; `Ok(None)` prints [`CONFIG_HELP`].
pub fn parse_config(rest: &[String]) -> Result<Option<Kubectl>, String> {
    let Some(i) = rest.iter().position(|w| !w.starts_with('-')) else { return Ok(None) };
    let sub = rest[i].as_str();
    if !CONFIG_SUBCOMMANDS.contains(&sub) {
        // cobra's `DefaultSubCommandRun` → `RequireNoArguments` → `UsageErrorf`.
        return Err(format!("error: unknown command \"{sub}\"\nSee 'kubectl config -h' for help and examples\n"));
    }
    let mut words = rest.to_vec();
    words.remove(i);
    let path = format!("config {sub}");
    let specs = match sub {
        "view" => vec![flag("output", Some('o')), switch("minify", None), switch("raw", None), switch("flatten", None), switch("merge", None)],
        "get-contexts" => vec![flag("output", Some('o')), switch("no-headers", None)],
        _ => vec![],
    };
    let p = flags::parse(&words, &specs, &path).map_err(|e| format!("{e}\n"))?;
    let config = match sub {
        "view" => {
            if p.on("raw") || p.on("flatten") {
                return Err("error: kubeplay's kubeconfig holds no real certificates to print with --raw or --flatten\n".into());
            }
            let output = p.get("output").unwrap_or("yaml").to_string();
            if !matches!(output.as_str(), "yaml" | "json") && !output.starts_with("jsonpath=") {
                return Err(format!("error: unable to match a printer suitable for the output format {output:?}, allowed formats are: json,jsonpath,jsonpath-as-json,jsonpath-file,yaml\n"));
            }
            Config::View { output }
        }
        "current-context" => Config::CurrentContext,
        "get-contexts" => {
            let name_only = match p.get("output") {
                None => false,
                Some("name") => true,
                Some(o) => return Err(format!("error: output must be one of '' or 'name': {o}\n")),
            };
            Config::GetContexts { name: p.positional.first().cloned(), no_headers: p.on("no-headers"), name_only }
        }
        "get-clusters" => Config::GetClusters,
        "get-users" => Config::GetUsers,
        "use-context" => match p.positional.as_slice() {
            [name] => Config::UseContext(name.clone()),
            _ => return Err("error: Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples\n".into()),
        },
        _ => return Err(format!("error: kubeplay's kubeconfig is the one admin.conf of its single cluster; `kubectl {path}` cannot change it\n")),
    };
    Ok(Some(kubectl(Command::Config(config))))
}

/// Parses the words after `kubectl top`; `Ok(None)` prints [`TOP_HELP`].
pub fn parse_top(rest: &[String]) -> Result<Option<Kubectl>, String> {
    let Some(i) = rest.iter().position(|w| !w.starts_with('-')) else { return Ok(None) };
    let resource = match rest[i].as_str() {
        "node" | "nodes" | "no" => "node",
        "pod" | "pods" | "po" => "pod",
        other => return Err(format!("error: unknown command \"{other}\"\nSee 'kubectl top -h' for help and examples\n")),
    };
    let mut words = rest.to_vec();
    words.remove(i);
    let specs = [
        flag("selector", Some('l')),
        switch("all-namespaces", Some('A')),
        switch("no-headers", None),
        flag("sort-by", None),
        switch("containers", None),
        switch("use-protocol-buffers", None),
        switch("show-capacity", None),
        flag("field-selector", None),
        switch("sum", None),
    ];
    let p = flags::parse(&words, &specs, &format!("top {resource}")).map_err(|e| format!("{e}\n"))?;
    let name = match p.positional.as_slice() {
        [] => None,
        [n] => Some(n.clone()),
        // `Complete`: cmdutil.UsageErrorf(cmd, "%s", cmd.Use).
        _ => return Err(format!("error: {resource} [NAME | -l label]\nSee 'kubectl top {resource} -h' for help and examples\n")),
    };
    let top = Top {
        resource: resource.to_string(),
        name,
        selector: p.get("selector").unwrap_or("").to_string(),
        field_selector: p.get("field-selector").unwrap_or("").to_string(),
        containers: p.on("containers"),
        no_headers: p.on("no-headers"),
        sort_by: p.get("sort-by").unwrap_or("").to_string(),
        sum: p.on("sum"),
        show_capacity: p.on("show-capacity"),
    };
    // `Validate`.
    if !top.sort_by.is_empty() && top.sort_by != "cpu" && top.sort_by != "memory" {
        return Err("error: --sort-by accepts only cpu or memory\n".into());
    }
    if top.name.is_some() && resource == "pod" && (!top.selector.is_empty() || !top.field_selector.is_empty()) {
        return Err("error: only one of NAME or selector can be provided\n".into());
    }
    if top.name.is_some() && resource == "node" && !top.selector.is_empty() {
        return Err("error: only one of NAME or --selector can be provided\n".into());
    }
    let mut k = kubectl(Command::Top(top));
    k.namespace = p.get("namespace").map(str::to_string);
    k.all_namespaces = p.on("all-namespaces");
    Ok(Some(k))
}

/// The kubeconfig as `config view` shows it.
fn kubeconfig() -> Value {
    json!({
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED", "server": SERVER}, "name": CLUSTER}],
        "contexts": [{"context": {"cluster": CLUSTER, "user": USER}, "name": CONTEXT}],
        "current-context": CONTEXT,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": USER, "user": {"client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED"}}],
    })
}

/// Runs a `config` command.
pub fn run_config(c: &Config) -> Output {
    match c {
        Config::View { output } => {
            let config = kubeconfig();
            if let Some(template) = output.strip_prefix("jsonpath=") {
                return match crate::cli::printers::jsonpath::JsonPath::parse(template) {
                    Ok(path) => Output::ok(path.execute(&config)),
                    Err(e) => Output::fail(format!("error: {e}\n")),
                };
            }
            if output == "json" {
                return Output::ok(crate::cli::printers::to_json(&config));
            }
            Output::ok(crate::cli::printers::to_yaml(&config))
        }
        Config::CurrentContext => Output::ok(format!("{CONTEXT}\n")),
        Config::GetContexts { name, no_headers, name_only } => {
            if let Some(n) = name.as_deref().filter(|n| *n != CONTEXT) {
                return Output::fail(format!("error: context {n} not found\n"));
            }
            if *name_only {
                return Output::ok(format!("{CONTEXT}\n"));
            }
            let mut rows = Vec::new();
            if !no_headers {
                rows.push(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].iter().map(|s| s.to_string()).collect());
            }
            rows.push(vec!["*".to_string(), CONTEXT.into(), CLUSTER.into(), USER.into(), String::new()]);
            Output::ok(crate::cli::printers::render_table(&rows))
        }
        Config::GetClusters => Output::ok(format!("NAME\n{CLUSTER}\n")),
        Config::GetUsers => Output::ok(format!("NAME\n{USER}\n")),
        Config::UseContext(name) if name == CONTEXT => Output::ok(format!("Switched to context \"{CONTEXT}\".\n")),
        Config::UseContext(name) => Output::fail(format!("error: no context exists with the name: \"{name}\"\n")),
    }
}

/// `kubectl top` where discovery lists no `metrics.k8s.io` (a bare etcd, `--etcd-only`):
/// `SupportedMetricsAPIVersionAvailable` is false.
pub fn run_top(_t: &Top) -> Output {
    Output::fail("error: Metrics API not available\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap()
    }

    fn run(s: &str) -> Output {
        let Some(k) = parse_config(&words(s)).unwrap() else { panic!() };
        let Command::Config(c) = k.command else { panic!() };
        run_config(&c)
    }

    #[test]
    fn config_view_prints_the_admin_kubeconfig_with_data_omitted() {
        let out = run("view").stdout;
        assert!(out.starts_with("apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: https://127.0.0.1:6443\n  name: kubernetes\n"), "{out}");
        assert!(out.contains("current-context: kubernetes-admin@kubernetes\nkind: Config\npreferences: {}\nusers:\n"), "{out}");
        assert_eq!(run("view -o jsonpath={.users[*].name}").stdout, "kubernetes-admin");
        assert_eq!(run("current-context").stdout, "kubernetes-admin@kubernetes\n");
        assert_eq!(run("use-context nope").stderr, "error: no context exists with the name: \"nope\"\n");
    }

    #[test]
    fn get_contexts_marks_the_current_one() {
        assert_eq!(
            run("get-contexts").stdout,
            "CURRENT   NAME                          CLUSTER      AUTHINFO           NAMESPACE\n*         kubernetes-admin@kubernetes   kubernetes   kubernetes-admin   \n"
        );
        assert_eq!(parse_config(&words("frob")).unwrap_err(), "error: unknown command \"frob\"\nSee 'kubectl config -h' for help and examples\n");
    }

    #[test]
    fn top_without_metrics_server() {
        let Some(k) = parse_top(&words("pods -A")).unwrap() else { panic!() };
        assert!(k.all_namespaces);
        let Command::Top(t) = k.command else { panic!() };
        assert_eq!(run_top(&t).stderr, "error: Metrics API not available\n");
        let Some(k) = parse_top(&words("pod web -n dev --containers")).unwrap() else { panic!() };
        let Command::Top(t) = k.command else { panic!() };
        assert_eq!((t.name.as_deref(), t.containers, k.namespace.as_deref()), (Some("web"), true, Some("dev")));
        assert_eq!(parse_top(&words("pod --sort-by=name")).unwrap_err(), "error: --sort-by accepts only cpu or memory\n");
        assert_eq!(parse_top(&words("pod web -l app=web")).unwrap_err(), "error: only one of NAME or selector can be provided\n");
        assert_eq!(parse_top(&words("node a b")).unwrap_err(), "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples\n");
    }
}
