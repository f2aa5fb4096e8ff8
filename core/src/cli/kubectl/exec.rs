//! `kubectl exec [-i] [-t] [-c CONTAINER] (POD | TYPE/NAME) -- COMMAND [args...]`: parsing.
//! Running it is `cluster/exec.rs` (the pods/exec subresource, answered by the node's kubelet).

use super::flags::{self, flag, switch};
use super::{Command, Impersonation, Kubectl};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exec {
    /// `pod-name`, or a `TYPE/NAME` kubectl resolves to one of its pods (`deploy/web`).
    pub target: String,
    pub container: Option<String>,
    /// `-i` and `-t`: an interactive terminal, which the simulation has not.
    pub interactive: bool,
    pub command: Vec<String>,
}

pub fn parse(rest: &[String]) -> Result<Kubectl, String> {
    // Everything after `--` is the command, flags included.
    let split = rest.iter().position(|a| a == "--");
    let (ours, command) = match split {
        Some(i) => (&rest[..i], rest.get(i + 1..).unwrap_or(&[]).to_vec()),
        None => (rest, Vec::new()),
    };
    let specs = [flag("container", Some('c')), switch("stdin", Some('i')), switch("tty", Some('t')), switch("quiet", Some('q')), flag("pod-running-timeout", None)];
    let p = flags::parse(ours, &specs, "exec").map_err(|e| format!("{e}\n"))?;
    let target = match p.positional.as_slice() {
        [] => return Err("error: pod, type/name or --filename must be specified\n".into()),
        [one] => one.clone(),
        _ => return Err("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n".into()),
    };
    if command.is_empty() {
        return Err("error: you must specify at least one command for the container\n".into());
    }
    Ok(Kubectl {
        command: Command::Exec(Exec { target, container: p.get("container").map(str::to_string), interactive: p.on("stdin") && p.on("tty"), command }),
        namespace: p.get("namespace").map(str::to_string),
        all_namespaces: false,
        impersonate: Impersonation { user: p.get("as").map(str::to_string), groups: p.all("as-group").to_vec() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(line: &str) -> Result<Exec, String> {
        let words = crate::cli::split_words(line).unwrap_or_default();
        match parse(&words)?.command {
            Command::Exec(e) => Ok(e),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn the_command_is_everything_after_the_double_dash() {
        let e = exec("-it web-1 -c nginx -- sh -c 'echo hi'").unwrap();
        assert_eq!((e.target.as_str(), e.container.as_deref(), e.interactive), ("web-1", Some("nginx"), true));
        assert_eq!(e.command, ["sh", "-c", "echo hi"]);
        assert_eq!(exec("deploy/web -- ls -la /").unwrap().command, ["ls", "-la", "/"]);
        assert!(exec("web-1 ls").unwrap_err().starts_with("error: exec [POD] [COMMAND] is not supported anymore"));
        assert_eq!(exec("web-1 --").unwrap_err(), "error: you must specify at least one command for the container\n");
        assert_eq!(exec("-- ls").unwrap_err(), "error: pod, type/name or --filename must be specified\n");
    }
}
