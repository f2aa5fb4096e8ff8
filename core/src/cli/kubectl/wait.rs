//! `kubectl wait` (`k8s.io/kubectl/pkg/cmd/wait`): its flags and `--for` conditions, parsed as
//! `conditionFuncsFor` and `processJSONPathInput` read them. The cluster runs the wait across
//! kernel steps (`cluster/wait.rs`).

use super::flags::{self, flag, switch, Parsed, Spec};
use super::{Command, Impersonation, Kubectl, Sources};
use crate::cli::Files;

/// One `--for` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForCondition {
    /// `--for=delete`: the object is gone (or replaced by one with another uid).
    Delete,
    /// `--for=create`: the object exists; always waited for first.
    Create,
    /// `--for=condition=NAME[=VALUE]`: a `status.conditions` entry, compared case-insensitively;
    /// VALUE defaults to `true`.
    Condition { name: String, value: String },
    /// `--for=jsonpath='{expr}'[=VALUE]`: the expression's one value equals VALUE, or, with no
    /// value, finds anything.
    JsonPath { expr: String, value: Option<String> },
}

/// How long to wait: `--timeout`, 30 s by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitTimeout {
    /// `--timeout=0`: check once and do not wait.
    CheckOnce,
    /// A positive timeout, in virtual milliseconds.
    Ms(u64),
    /// A negative timeout: "wait for a week".
    Week,
}

/// A parsed `kubectl wait`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    pub targets: Vec<(String, Vec<String>)>,
    pub sources: Sources,
    pub selector: String,
    pub all: bool,
    pub conditions: Vec<ForCondition>,
    pub timeout: WaitTimeout,
}

/// One week, the wait of a negative `--timeout`.
pub const WEEK_MS: u64 = 168 * 3_600_000;

/// Parses the words after `kubectl wait`.
pub fn parse(rest: &[String], files: &dyn Files) -> Result<Kubectl, String> {
    let specs: [Spec; 6] = [
        flag("for", None),
        flag("timeout", None),
        flag("selector", Some('l')),
        switch("all", None),
        switch("all-namespaces", Some('A')),
        flag("filename", Some('f')),
    ];
    let p = flags::parse(rest, &specs, "wait").map_err(|e| format!("{e}\n"))?;
    let timeout = timeout(&p)?;
    let conditions = conditions(p.all("for"))?;
    let mut sources = Vec::new();
    for name in p.all("filename") {
        let bytes = files.read(name).map_err(|e| format!("error: {e}\n"))?;
        sources.push((if name == "-" { "STDIN".to_string() } else { name.clone() }, bytes));
    }
    let targets = super::targets(&p.positional)?;
    let selector = p.get("selector").unwrap_or("").to_string();
    let all = p.on("all");
    if sources.is_empty() && targets.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".into());
    }
    if !targets.is_empty() && targets.iter().all(|(_, names)| names.is_empty()) && !all && selector.is_empty() {
        return Err("error: resource(s) were provided, but no name was specified\n".into());
    }
    Ok(Kubectl {
        command: Command::Wait(Wait { targets, sources: Sources { files: sources }, selector, all, conditions, timeout }),
        namespace: p.get("namespace").map(str::to_string),
        all_namespaces: p.on("all-namespaces"),
        impersonate: Impersonation { user: p.get("as").map(str::to_string), groups: p.all("as-group").to_vec() },
    })
}

/// `--timeout`: a Go duration; 0 checks once, a negative one waits a week.
fn timeout(p: &Parsed) -> Result<WaitTimeout, String> {
    let Some(t) = p.get("timeout") else { return Ok(WaitTimeout::Ms(30_000)) };
    let invalid = || format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl wait --help' for usage.\n");
    if t == "0" {
        return Ok(WaitTimeout::CheckOnce);
    }
    if let Some(negative) = t.strip_prefix('-') {
        return crate::cli::parse_duration(negative).map(|_| WaitTimeout::Week).ok_or_else(invalid);
    }
    match crate::cli::parse_duration(t.strip_prefix('+').unwrap_or(t)).ok_or_else(invalid)?.0 {
        0 => Ok(WaitTimeout::CheckOnce),
        ms => Ok(WaitTimeout::Ms(ms)),
    }
}

/// `conditionFuncsFor`, with `--for=create` moved first as the wait runs it.
fn conditions(given: &[String]) -> Result<Vec<ForCondition>, String> {
    if given.is_empty() {
        return Err("error: unrecognized condition: []\n".into());
    }
    let mut out = Vec::new();
    for cond in given {
        let lower = cond.to_lowercase();
        let c = if lower == "delete" {
            ForCondition::Delete
        } else if lower == "create" {
            ForCondition::Create
        } else if let Some(rest) = cond.strip_prefix("condition=") {
            let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
            ForCondition::Condition { name: name.to_string(), value: value.to_string() }
        } else if let Some(rest) = cond.strip_prefix("jsonpath=") {
            json_path(rest)?
        } else {
            return Err(format!("error: unrecognized condition: {cond:?}\n"));
        };
        out.push(c);
    }
    out.sort_by_key(|c| *c != ForCondition::Create);
    Ok(out)
}

/// `processJSONPathInput`: the expression (relaxed, as `-o jsonpath` takes it) and the value
/// after a single `=` (a `==` belongs to the expression), quotes trimmed.
fn json_path(input: &str) -> Result<ForCondition, String> {
    let parts = split_on_single_equals(input);
    if parts.is_empty() || parts.len() > 2 {
        return Err("error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'\n".into());
    }
    let expr = crate::cli::printers::jsonpath::relaxed(&parts[0]).map_err(|e| format!("error: {e}\n"))?;
    if expr.is_empty() {
        return Err("error: jsonpath expression cannot be empty\n".into());
    }
    crate::cli::printers::jsonpath::JsonPath::parse(&expr).map_err(|e| format!("error: {e}\n"))?;
    let value = match parts.get(1) {
        None => None,
        Some(v) => {
            let v = v.trim_matches(|c| c == '\'' || c == '"');
            if v.is_empty() {
                return Err("error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3\n".into());
            }
            Some(v.to_string())
        }
    };
    Ok(ForCondition::JsonPath { expr, value })
}

/// `splitJSONPathInput`: splits on each single `=`, keeping `==` whole.
fn split_on_single_equals(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut element = String::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' {
            if chars.peek() == Some(&'=') {
                chars.next();
                element.push_str("==");
                continue;
            }
            out.push(std::mem::take(&mut element));
            continue;
        }
        element.push(c);
    }
    out.push(element);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::MemoryFiles;

    fn wait(line: &str) -> Result<Wait, String> {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        match parse(&words, &MemoryFiles::new())?.command {
            Command::Wait(w) => Ok(w),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn conditions_parse_as_kubectl_reads_them() {
        let w = wait("--for=condition=Ready pod/busybox1").unwrap();
        assert_eq!(w.conditions, [ForCondition::Condition { name: "Ready".into(), value: "true".into() }]);
        assert_eq!(w.timeout, WaitTimeout::Ms(30_000));
        assert_eq!(w.targets, [("pod".to_string(), vec!["busybox1".to_string()])]);
        let w = wait("--for=condition=Ready=false --for=create pod/b --timeout=2m").unwrap();
        assert_eq!(w.conditions[0], ForCondition::Create, "create is waited for first");
        assert_eq!(w.conditions[1], ForCondition::Condition { name: "Ready".into(), value: "false".into() });
        assert_eq!(w.timeout, WaitTimeout::Ms(120_000));
        assert_eq!(wait("--for=DELETE pod/b --timeout=0").unwrap().conditions, [ForCondition::Delete]);
        assert_eq!(wait("--for=delete pod/b --timeout=0").unwrap().timeout, WaitTimeout::CheckOnce);
        assert_eq!(wait("--for=delete pod/b --timeout=-1s").unwrap().timeout, WaitTimeout::Week);
        let w = wait("--for=jsonpath={.status.phase}=Running pod/b").unwrap();
        assert_eq!(w.conditions, [ForCondition::JsonPath { expr: "{.status.phase}".into(), value: Some("Running".into()) }]);
        let w = wait(r#"--for=jsonpath={.status.conditions[?(@.type=="Ready")].status}=True pod/b"#).unwrap();
        assert_eq!(w.conditions, [ForCondition::JsonPath { expr: r#"{.status.conditions[?(@.type=="Ready")].status}"#.into(), value: Some("True".into()) }]);
        assert_eq!(wait("--for=jsonpath=.status.loadBalancer.ingress svc/lb").unwrap().conditions, [ForCondition::JsonPath { expr: "{.status.loadBalancer.ingress}".into(), value: None }]);
    }

    #[test]
    fn errors_are_kubectls() {
        assert_eq!(wait("pod/b").unwrap_err(), "error: unrecognized condition: []\n");
        assert_eq!(wait("--for=ready pod/b").unwrap_err(), "error: unrecognized condition: \"ready\"\n");
        assert_eq!(wait("--for=delete pods").unwrap_err(), "error: resource(s) were provided, but no name was specified\n");
        assert!(wait("--for=delete").unwrap_err().starts_with("error: You must provide one or more resources"));
        assert!(wait("--for=jsonpath={.a}= pod/b").unwrap_err().contains("has to have a value after equal sign"));
        assert!(wait("--for=delete pod/b --timeout=soon").unwrap_err().starts_with("error: invalid argument \"soon\" for \"--timeout\" flag"));
        assert!(wait("--for=delete pods --all").is_ok());
        assert_eq!(wait("--for=delete pods -l app=web").unwrap().selector, "app=web");
    }
}
