//! Parsing of `kubectl rollout status|history|undo|restart|pause|resume` (kubectl's
//! `pkg/cmd/rollout`): the subcommand, its flags, and the checks each subcommand's `Validate`
//! makes, with kubectl's words. Running them is `cluster/rollout.rs` (and
//! `cluster/rollout_status.rs` for the watch of `rollout status`).

use super::flags::{self, flag, switch, Parsed, Spec};
use super::{Command, DryRun, Impersonation, Kubectl};

/// One `kubectl rollout` subcommand with its targets (`TYPE NAME...` or `TYPE/NAME...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollout {
    pub targets: Vec<(String, Vec<String>)>,
    pub action: RolloutAction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RolloutAction {
    /// `rollout status`: watch until done (`--watch=false` prints once), pinned to
    /// `--revision` when not 0, for at most `--timeout` of virtual time when given.
    Status { watch: bool, revision: i64, timeout_ms: Option<u64> },
    /// `rollout history`, the pod template of one revision with `--revision`.
    History { revision: i64 },
    /// `rollout undo`, to the previous revision or `--to-revision`.
    Undo { to_revision: i64, dry_run: DryRun },
    Restart,
    Pause,
    Resume,
}

const SUBCOMMANDS: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];

/// `kubectl rollout` alone prints its help (cobra's `DefaultSubCommandRun`, exit 1).
pub const ROLLOUT_HELP: &str = "Manage the rollout of one or many resources.\n\n Valid resource types include:\n\n  *  deployments\n  *  daemonsets\n  *  statefulsets\n\nExamples:\n  # Rollback to the previous deployment\n  kubectl rollout undo deployment/abc\n  \n  # Check the rollout status of a daemonset\n  kubectl rollout status daemonset/foo\n  \n  # Restart a deployment\n  kubectl rollout restart deployment/abc\n  \n  # Restart deployments with the 'app=nginx' label\n  kubectl rollout restart deployment --selector=app=nginx\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout\n\nUsage:\n  kubectl rollout SUBCOMMAND [options]\n\nUse \"kubectl rollout <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// Parses the words after `kubectl rollout`. `Ok(None)` is `kubectl rollout` with no
/// subcommand, which prints [`ROLLOUT_HELP`] and fails.
pub fn parse(rest: &[String]) -> Result<Option<Kubectl>, String> {
    let Some(i) = rest.iter().position(|w| !w.starts_with('-')) else { return Ok(None) };
    let sub = rest[i].as_str();
    if !SUBCOMMANDS.contains(&sub) {
        return Err(format!("error: unknown command \"{sub}\"\nSee 'kubectl rollout -h' for help and examples\n"));
    }
    let mut words = rest.to_vec();
    words.remove(i);
    let path = format!("rollout {sub}");
    let filename = flag("filename", Some('f'));
    let selector = flag("selector", Some('l'));
    let output = flag("output", Some('o'));
    let manager = flag("field-manager", None);
    let specs: Vec<Spec> = match sub {
        "status" => vec![filename, selector, switch("watch", Some('w')), flag("revision", None), flag("timeout", None), switch("recursive", Some('R'))],
        "history" => vec![filename, selector, output, flag("revision", None), switch("recursive", Some('R'))],
        "undo" => vec![filename, selector, output, flag("to-revision", None), flag("dry-run", None), switch("recursive", Some('R'))],
        _ => vec![filename, selector, output, manager, switch("recursive", Some('R'))],
    };
    let p = flags::parse(&words, &specs, &path).map_err(|e| format!("{e}\n"))?;
    if !p.all("filename").is_empty() {
        return Err(format!("error: kubeplay's `kubectl {path}` takes TYPE NAME or TYPE/NAME, not -f, so far\n"));
    }
    let targets = super::targets(&p.positional)?;
    if targets.is_empty() {
        return Err("error: required resource not specified\n".into());
    }
    let action = match sub {
        "status" => {
            let revision = int_flag(&p, "revision")?;
            if revision < 0 {
                return Err(format!("error: revision must be a positive integer: {revision}\n"));
            }
            let timeout_ms = match p.get("timeout") {
                None | Some("0") | Some("0s") => None,
                Some(t) => Some(crate::cli::parse_duration(t).map(|d| d.0).ok_or_else(|| {
                    format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl rollout status --help' for usage.\n")
                })?),
            };
            RolloutAction::Status { watch: p.get("watch").is_none_or(|w| w != "false"), revision, timeout_ms }
        }
        "history" => {
            let revision = int_flag(&p, "revision")?;
            if revision < 0 {
                return Err(format!("error: revision must be a positive integer: {revision}\n"));
            }
            RolloutAction::History { revision }
        }
        "undo" => RolloutAction::Undo { to_revision: int_flag(&p, "to-revision")?, dry_run: dry_run(&p)? },
        "restart" => RolloutAction::Restart,
        "pause" => RolloutAction::Pause,
        _ => RolloutAction::Resume,
    };
    if matches!(action, RolloutAction::Status { .. }) && (targets.len() != 1 || targets[0].1.len() > 1) {
        return Err(format!("error: rollout status is only supported on individual resources and resource collections - {} resources were found\n", targets.iter().map(|(_, n)| n.len().max(1)).sum::<usize>()));
    }
    Ok(Some(Kubectl {
        command: Command::Rollout(Rollout { targets, action }),
        namespace: p.get("namespace").map(str::to_string),
        all_namespaces: false,
        impersonate: Impersonation { user: p.get("as").map(str::to_string), groups: p.all("as-group").to_vec() },
    }))
}

/// pflag's Int64 flags, with its message for a value that is not a number.
fn int_flag(p: &Parsed, name: &str) -> Result<i64, String> {
    match p.get(name) {
        None => Ok(0),
        Some(v) => v.parse().map_err(|_| {
            format!("error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout --help' for usage.\n")
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(s: &str) -> Result<Option<Kubectl>, String> {
        parse(&crate::cli::split_words(s).unwrap())
    }

    fn action(s: &str) -> RolloutAction {
        let Command::Rollout(r) = parse_line(s).unwrap().unwrap().command else { panic!() };
        r.action
    }

    #[test]
    fn subcommands_and_their_flags() {
        assert_eq!(action("status deploy/web"), RolloutAction::Status { watch: true, revision: 0, timeout_ms: None });
        assert_eq!(action("status deploy web --timeout=30s --watch=false"), RolloutAction::Status { watch: false, revision: 0, timeout_ms: Some(30_000) });
        assert_eq!(action("history deployment/web --revision=2"), RolloutAction::History { revision: 2 });
        assert_eq!(action("undo deployment/web --to-revision 1"), RolloutAction::Undo { to_revision: 1, dry_run: DryRun::None });
        assert_eq!(action("restart deploy/web"), RolloutAction::Restart);
        let k = parse_line("pause deploy/web -n dev").unwrap().unwrap();
        assert_eq!(k.namespace.as_deref(), Some("dev"));
    }

    #[test]
    fn kubectl_words_for_bad_input() {
        assert_eq!(parse_line("").unwrap(), None);
        assert_eq!(parse_line("frob deploy/web").unwrap_err(), "error: unknown command \"frob\"\nSee 'kubectl rollout -h' for help and examples\n");
        assert_eq!(parse_line("status").unwrap_err(), "error: required resource not specified\n");
        assert_eq!(parse_line("history deploy/web --revision=-1").unwrap_err(), "error: revision must be a positive integer: -1\n");
        assert!(parse_line("status deploy a b").unwrap_err().contains("2 resources were found"));
        assert_eq!(parse_line("undo deploy/web --bogus").unwrap_err(), "error: unknown flag: --bogus\nSee 'kubectl rollout undo --help' for usage.\n");
    }
}
