//! Parsing of the kubectl commands that look at the cluster without changing it:
//! `auth can-i`, `describe`, `api-versions`, `explain` and `events` (their running is in
//! `cluster/inspect.rs`). Flags and errors follow kubectl's `pkg/cmd/auth/cani.go`,
//! `pkg/cmd/describe`, `pkg/cmd/explain` and `pkg/cmd/events`.

use super::flags::{self, flag, switch, Parsed, Spec};
use super::{Command, Impersonation, Kubectl};
use crate::cli::Files;

/// A read-only kubectl command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inspect {
    CanI(CanI),
    Describe(Describe),
    ApiVersions,
    /// `explain TYPE[.field.path]` (see [`super::explain`]).
    Explain(super::explain::Explain),
    Events(Events),
}

/// `kubectl auth can-i VERB TYPE[/NAME] | VERB /URL | --list`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CanI {
    pub verb: String,
    /// The resource as typed (`pods`, `deploy`, `deployments.apps`, `*`); empty for a URL.
    pub resource: String,
    pub name: String,
    pub subresource: String,
    pub non_resource_url: String,
    pub list: bool,
    pub quiet: bool,
    pub no_headers: bool,
}

/// `kubectl describe TYPE [NAME_PREFIX...]`, `TYPE/NAME`, `-l`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Describe {
    pub targets: Vec<(String, Vec<String>)>,
    pub label_selector: String,
    /// `--show-events`, when given; by default events show only for a single object.
    pub show_events: Option<bool>,
}

/// `kubectl events [--for TYPE/NAME] [--types Normal,Warning]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Events {
    pub for_object: Option<(String, String)>,
    pub types: Vec<String>,
    pub no_headers: bool,
}

/// Whether `command` (with its arguments) is one of these.
pub fn handles(command: &str, rest: &[String]) -> bool {
    matches!(command, "describe" | "api-versions" | "explain" | "events") || (command == "auth" && rest.first().is_some_and(|s| s == "can-i"))
}

const ALL_NAMESPACES: Spec = switch("all-namespaces", Some('A'));

/// Parses one of the commands [`handles`] accepts.
pub fn parse(command: &str, rest: &[String], _files: &dyn Files) -> Result<Kubectl, String> {
    let (name, args, specs): (&str, &[String], &[Spec]) = match command {
        "auth" => (
            "auth can-i",
            &rest[1..],
            &[ALL_NAMESPACES, switch("quiet", Some('q')), flag("subresource", None), switch("list", None), switch("no-headers", None)],
        ),
        "describe" => ("describe", rest, &[ALL_NAMESPACES, flag("selector", Some('l')), flag("show-events", None), flag("filename", Some('f'))]),
        "api-versions" => ("api-versions", rest, &[]),
        "explain" => ("explain", rest, super::explain::SPECS),
        _ => ("events", rest, &[ALL_NAMESPACES, flag("for", None), flag("types", None), switch("no-headers", None), switch("watch", Some('w')), flag("output", Some('o'))]),
    };
    let p = flags::parse(args, specs, name).map_err(|e| format!("{e}\n"))?;
    let inspect = match command {
        "auth" => Inspect::CanI(can_i(&p)?),
        "describe" => Inspect::Describe(describe(&p)?),
        "api-versions" => Inspect::ApiVersions,
        "explain" => Inspect::Explain(super::explain::parse(&p)?),
        _ => Inspect::Events(events(&p)?),
    };
    Ok(Kubectl {
        command: Command::Inspect(inspect),
        namespace: p.get("namespace").map(str::to_string),
        all_namespaces: p.on("all-namespaces"),
        impersonate: Impersonation { user: p.get("as").map(str::to_string), groups: p.all("as-group").to_vec() },
    })
}

fn can_i(p: &Parsed) -> Result<CanI, String> {
    let mut c = CanI {
        subresource: p.get("subresource").unwrap_or("").to_string(),
        list: p.on("list"),
        quiet: p.on("quiet"),
        no_headers: p.on("no-headers"),
        ..CanI::default()
    };
    if c.list {
        if !p.positional.is_empty() {
            return Err("error: list option must be specified with no arguments\n".into());
        }
        if c.quiet || p.on("all-namespaces") || !c.subresource.is_empty() {
            return Err("error: list option can't be specified with neither quiet, all-namespaces nor subresource options\n".into());
        }
        return Ok(c);
    }
    let [verb, what] = p.positional.as_slice() else {
        return Err("error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.\n".into());
    };
    c.verb = verb.clone();
    if what.starts_with('/') {
        c.non_resource_url = what.clone();
        if !c.subresource.is_empty() {
            return Err("error: --subresource can not be used with NonResourceURL\n".into());
        }
    } else {
        match what.split_once('/') {
            Some((r, n)) => {
                c.resource = r.to_string();
                c.name = n.to_string();
            }
            None => c.resource = what.clone(),
        }
    }
    if c.no_headers {
        return Err("error: --no-headers cannot be set without --list specified\n".into());
    }
    Ok(c)
}

fn describe(p: &Parsed) -> Result<Describe, String> {
    if !p.all("filename").is_empty() {
        return Err("error: kubeplay's describe takes TYPE NAME, not -f, so far\n".into());
    }
    let targets = super::targets(&p.positional)?;
    if targets.is_empty() {
        return Err("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples\n".into());
    }
    let show_events = match p.get("show-events") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => return Err(format!("error: invalid argument \"{v}\" for \"--show-events\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax\nSee 'kubectl describe --help' for usage.\n")),
    };
    Ok(Describe { targets, label_selector: p.get("selector").unwrap_or("").to_string(), show_events })
}

fn events(p: &Parsed) -> Result<Events, String> {
    if p.on("watch") {
        return Err("error: kubeplay's terminal does not stream `events -w` yet; run the command again to see new events\n".into());
    }
    if p.get("output").is_some() {
        return Err("error: kubeplay prints `kubectl events` as a table only, so far\n".into());
    }
    let for_object = match p.get("for") {
        None => None,
        Some(f) => match f.split('/').collect::<Vec<_>>().as_slice() {
            [t, n] => Some((t.to_string(), n.to_string())),
            [_] => return Err("error: --for must be in resource/name form\n".into()),
            _ => return Err("error: arguments in resource/name form may not have more than one slash\n".into()),
        },
    };
    let mut types: Vec<String> = p.all("types").iter().flat_map(|t| t.split(',')).filter(|t| !t.is_empty()).map(str::to_string).collect();
    if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
        return Err("error: valid --types are Normal or Warning\n".into());
    }
    types.sort();
    types.dedup();
    Ok(Events { for_object, types, no_headers: p.on("no-headers") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::MemoryFiles;

    fn parse_line(s: &str) -> Result<Kubectl, String> {
        let words = crate::cli::split_words(s).unwrap();
        parse(&words[0], &words[1..], &MemoryFiles::new())
    }

    #[test]
    fn can_i_arguments() {
        let k = parse_line("auth can-i list pods -n dev --as jane").unwrap();
        let Command::Inspect(Inspect::CanI(c)) = k.command else { panic!() };
        assert_eq!((c.verb.as_str(), c.resource.as_str(), k.namespace.as_deref()), ("list", "pods", Some("dev")));
        assert_eq!(k.impersonate.user.as_deref(), Some("jane"));
        let Command::Inspect(Inspect::CanI(c)) = parse_line("auth can-i get deploy/web").unwrap().command else { panic!() };
        assert_eq!((c.resource.as_str(), c.name.as_str()), ("deploy", "web"));
        assert!(parse_line("auth can-i get").unwrap_err().starts_with("error: you must specify two arguments"));
        assert!(parse_line("auth can-i --list pods").unwrap_err().contains("list option must be specified with no arguments"));
        assert!(parse_line("auth can-i get pods --no-headers").unwrap_err().contains("--no-headers cannot be set"));
    }

    #[test]
    fn describe_and_events_arguments() {
        let Command::Inspect(Inspect::Describe(d)) = parse_line("describe deploy/web").unwrap().command else { panic!() };
        assert_eq!(d.targets, vec![("deploy".to_string(), vec!["web".to_string()])]);
        assert!(parse_line("describe").unwrap_err().contains("Required resource not specified"));
        assert_eq!(parse_line("events --for web").unwrap_err(), "error: --for must be in resource/name form\n");
        assert_eq!(parse_line("events --types Bad").unwrap_err(), "error: valid --types are Normal or Warning\n");
    }
}
