//! `kubectl logs POD|TYPE/NAME [-c CONTAINER] [-p] [--tail N] [-f] [--all-containers]`: parsing.
//! Running it is `cluster/logs.rs` (the pods/log subresource, served from the node's kubelet).

use super::flags::{self, flag, switch};
use super::{Command, Impersonation, Kubectl};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logs {
    /// `pod-name`, or a `TYPE/NAME` kubectl resolves to one of its pods (`deploy/web`, `job/pi`).
    pub target: String,
    pub container: Option<String>,
    pub previous: bool,
    /// `--tail`: -1 (all) unless given.
    pub tail: i64,
    pub follow: bool,
    pub all_containers: bool,
    pub prefix: bool,
}

pub fn parse(rest: &[String]) -> Result<Kubectl, String> {
    let specs = [
        flag("container", Some('c')),
        switch("previous", Some('p')),
        flag("tail", None),
        switch("follow", Some('f')),
        switch("all-containers", None),
        switch("prefix", None),
        switch("timestamps", None),
        flag("since", None),
        flag("selector", Some('l')),
    ];
    let p = flags::parse(rest, &specs, "logs").map_err(|e| format!("{e}\n"))?;
    let (target, container) = match p.positional.as_slice() {
        [] => return Err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n".into()),
        [one] => (one.clone(), p.get("container").map(str::to_string)),
        [one, c] if p.get("container").is_none() => (one.clone(), Some(c.clone())),
        _ => return Err("error: only one of -c or an inline [CONTAINER] arg is allowed\nSee 'kubectl logs -h' for help and examples\n".into()),
    };
    let tail = match p.get("tail") {
        None => -1,
        Some(t) => t.parse::<i64>().map_err(|_| format!("error: invalid argument \"{t}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{t}\": invalid syntax\nSee 'kubectl logs --help' for usage.\n"))?,
    };
    Ok(Kubectl {
        command: Command::Logs(Logs { target, container, previous: p.on("previous"), tail, follow: p.on("follow"), all_containers: p.on("all-containers"), prefix: p.on("prefix") }),
        namespace: p.get("namespace").map(str::to_string),
        all_namespaces: false,
        impersonate: Impersonation { user: p.get("as").map(str::to_string), groups: p.all("as-group").to_vec() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap_or_default()
    }

    #[test]
    fn parses_the_logs_flags() {
        let k = parse(&words("web -c nginx --previous --tail 5 -n dev")).unwrap_or_else(|e| panic!("{e}"));
        let Command::Logs(l) = k.command else { panic!("not logs") };
        assert_eq!((l.target.as_str(), l.container.as_deref(), l.previous, l.tail), ("web", Some("nginx"), true, 5));
        assert_eq!(k.namespace.as_deref(), Some("dev"));
        assert!(parse(&words("")).unwrap_err().contains("POD or TYPE/NAME is a required argument"));
    }
}
