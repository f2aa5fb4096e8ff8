//! `--help` / `-h` for every kubectl command kubeplay knows, and `kubectl` alone.
//!
//! kubectl's help is cobra's template: the command's long description, Examples, Options,
//! Usage and a footer. kubeplay prints a short form of it: the description (cobra's `Short`
//! text, as kubectl words it), the `Usage:` line from the command's `Use`, and the footer, so a
//! learner sees the command's shape without the full flag list.

/// (command path, description, `Use` line) for each command, from kubectl's `NewCmd*`.
const COMMANDS: &[(&str, &str, &str)] = &[
    ("annotate", "Update the annotations on one or more resources.", "annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]"),
    ("api-resources", "Print the supported API resources on the server.", "api-resources"),
    ("api-versions", "Print the supported API versions on the server, in the form of \"group/version\".", "api-versions"),
    ("apply", "Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.", "apply (-f FILENAME | -k DIRECTORY)"),
    ("auth", "Inspect authorization.", "auth"),
    ("auth can-i", "Check whether an action is allowed.", "auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]"),
    ("auth whoami", "Experimental: Check who you are and your attributes (groups, extra).", "auth whoami"),
    ("autoscale", "Creates an autoscaler that automatically chooses and sets the number of pods that run in a Kubernetes cluster. The command will attempt to use the autoscaling/v2 API first, in case of an error, it will fall back to autoscaling/v1 API.", "autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu=CPU] [--memory=MEMORY]"),
    ("cluster-info", "Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.", "cluster-info"),
    ("config", "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".", "config SUBCOMMAND"),
    ("config current-context", "Display the current-context.", "config current-context"),
    ("config get-clusters", "Display clusters defined in the kubeconfig.", "config get-clusters"),
    ("config get-contexts", "Display one or many contexts from the kubeconfig file.", "config get-contexts [(-o|--output=)name)]"),
    ("config get-users", "Display users defined in the kubeconfig.", "config get-users"),
    ("config use-context", "Set the current-context in a kubeconfig file.", "config use-context CONTEXT_NAME"),
    ("config view", "Display merged kubeconfig settings or a specified kubeconfig file.", "config view"),
    ("cordon", "Mark node as unschedulable.", "cordon NODE"),
    ("create", "Create a resource from a file or from stdin.", "create -f FILENAME"),
    ("delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector.", "delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])"),
    ("describe", "Show details of a specific resource or group of resources.", "describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)"),
    ("events", "Display events.", "events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning]"),
    ("explain", "Describe fields and structure of various resources.", "explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]"),
    ("expose", "Expose a resource as a new Kubernetes service.", "expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]"),
    ("get", "Display one or many resources.", "get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]"),
    ("label", "Update the labels on a resource.", "label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]"),
    ("patch", "Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.", "patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]"),
    ("replace", "Replace a resource by file name or stdin.", "replace -f FILENAME"),
    ("rollout", "Manage the rollout of one or many resources.", "rollout SUBCOMMAND"),
    ("rollout history", "View previous rollout revisions and configurations.", "rollout history (TYPE NAME | TYPE/NAME) [flags]"),
    ("rollout pause", "Mark the provided resource as paused.", "rollout pause RESOURCE"),
    ("rollout restart", "Restart a resource.", "rollout restart RESOURCE"),
    ("rollout resume", "Resume a paused resource.", "rollout resume RESOURCE"),
    ("rollout status", "Show the status of the rollout.", "rollout status (TYPE NAME | TYPE/NAME) [flags]"),
    ("diff", "Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.", "diff -f FILENAME"),
    ("exec", "Execute a command in a container.", "exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]"),
    (
        "wait",
        "Wait for a specific condition on one or many resources.",
        "wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
    ),
    ("rollout undo", "Roll back to a previous rollout.", "rollout undo (TYPE NAME | TYPE/NAME) [flags]"),
    ("run", "Create and run a particular image in a pod.", "run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]"),
    ("scale", "Set a new size for a deployment, replica set, replication controller, or stateful set.", "scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)"),
    ("set", "Configure application resources.", "set SUBCOMMAND"),
    ("set image", "Update existing container image(s) of resources.", "set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N"),
    ("taint", "Update the taints on one or more nodes.", "taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N"),
    ("top", "Display resource (CPU/memory) usage.", "top"),
    ("top node", "Display resource (CPU/memory) usage of nodes.", "top node [NAME | -l label]"),
    ("top pod", "Display resource (CPU/memory) usage of pods.", "top pod [NAME | -l label]"),
    ("uncordon", "Mark node as schedulable.", "uncordon NODE"),
    ("version", "Print the client and server version information for the current context.", "version"),
];

/// Commands with subcommands: the word after them is part of the help's path.
const GROUPS: &[&str] = &["auth", "config", "rollout", "set", "top"];

/// `kubectl` alone or `kubectl --help`: the command list, as kubectl's root help groups it
/// (the commands kubeplay knows).
pub const ROOT_HELP: &str = "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\nBasic Commands (Beginner):\n  create          Create a resource from a file or from stdin\n  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service\n  run             Run a particular image on the cluster\n  set             Set specific features on objects\n\nBasic Commands (Intermediate):\n  explain         Get documentation for a resource\n  get             Display one or many resources\n  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector\n\nDeploy Commands:\n  rollout         Manage the rollout of a resource\n  scale           Set a new size for a deployment, replica set, or replication controller\n  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller\n\nCluster Management Commands:\n  cluster-info    Display cluster information\n  top             Display resource (CPU/memory) usage\n  cordon          Mark node as unschedulable\n  uncordon        Mark node as schedulable\n  taint           Update the taints on one or more nodes\n\nTroubleshooting and Debugging Commands:\n  describe        Show details of a specific resource or group of resources\n  events          List events\n  exec            Execute a command in a container\n  auth            Inspect authorization\n\nAdvanced Commands:\n  diff            Diff the live version against a would-be applied version\n  apply           Apply a configuration to a resource by file name or stdin\n  patch           Update fields of a resource\n  replace         Replace a resource by file name or stdin\n  wait            Wait for a specific condition on one or many resources\n\nSettings Commands:\n  label           Update the labels on a resource\n  annotate        Update the annotations on a resource\n\nOther Commands:\n  api-resources   Print the supported API resources on the server\n  api-versions    Print the supported API versions on the server, in the form of \"group/version\"\n  config          Modify kubeconfig files\n  version         Print the client and server version information\n\nUsage:\n  kubectl [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// Whether the words ask for help: `-h` or `--help` before any `--`.
pub fn wants_help(args: &[String]) -> bool {
    args.iter().take_while(|a| *a != "--").any(|a| a == "-h" || a == "--help" || a == "--help=true")
}

/// The help for the command the words name (`rollout status`, `get`, ...), or `None` when
/// kubeplay does not know that command (kubectl's unknown-command error applies).
pub fn help_for(args: &[String]) -> Option<String> {
    let words: Vec<&str> = args.iter().take_while(|a| *a != "--").filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let Some(first) = words.first() else { return Some(ROOT_HELP.to_string()) };
    let path = match words.get(1) {
        Some(sub) if GROUPS.contains(first) && COMMANDS.iter().any(|(p, _, _)| *p == format!("{first} {sub}")) => format!("{first} {sub}"),
        _ => first.to_string(),
    };
    let path = match path.as_str() {
        "top nodes" | "top no" => "top node".to_string(),
        "top pods" | "top po" => "top pod".to_string(),
        _ => path,
    };
    let (_, description, usage) = COMMANDS.iter().find(|(p, _, _)| *p == path)?;
    Some(format!(
        "{description}\n\nUsage:\n  kubectl {usage} [options]\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap()
    }

    #[test]
    fn help_names_the_command_and_its_usage() {
        assert!(wants_help(&words("rollout status -h")));
        assert!(!wants_help(&words("run x --image=busybox -- sh -h")));
        let h = help_for(&words("rollout status deploy/web --help")).unwrap();
        assert!(h.starts_with("Show the status of the rollout.\n\nUsage:\n  kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]\n"), "{h}");
        assert!(help_for(&words("get --help")).unwrap().contains("kubectl get [(-o|--output=)"));
        assert!(help_for(&words("--help")).unwrap().starts_with("kubectl controls the Kubernetes cluster manager."));
        assert_eq!(help_for(&words("frobnicate --help")), None);
    }
}
