//! kubectl's flag conventions (spf13/pflag): `--name value`, `--name=value`, `-n value`, `-nvalue`,
//! boolean flags without a value, repeated flags, and `--` ending the flags.

use std::collections::BTreeMap;

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub long: &'static str,
    pub short: Option<char>,
    /// False for boolean flags (which may still be written `--flag=false`).
    pub takes_value: bool,
}

pub const fn flag(long: &'static str, short: Option<char>) -> Spec {
    Spec { long, short, takes_value: true }
}

pub const fn switch(long: &'static str, short: Option<char>) -> Spec {
    Spec { long, short, takes_value: false }
}

/// The flags every kubectl command accepts here (a subset of kubectl's global flags).
pub const GLOBAL: &[Spec] = &[
    flag("namespace", Some('n')),
    flag("as", None),
    flag("as-group", None),
    flag("context", None),
    flag("kubeconfig", None),
    flag("request-timeout", None),
    flag("v", Some('v')),
];

/// Parsed flags: values by long name (in order given), and positional arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub values: BTreeMap<String, Vec<String>>,
    pub positional: Vec<String>,
}

impl Parsed {
    /// The last value given for a flag.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values.get(long).and_then(|v| v.last()).map(String::as_str)
    }

    pub fn all(&self, long: &str) -> &[String] {
        self.values.get(long).map_or(&[], Vec::as_slice)
    }

    /// A boolean flag: present without a value, or `=true`.
    pub fn on(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }
}

/// Parses `args` against `specs` (plus [`GLOBAL`]). Errors are kubectl's texts for `command`.
pub fn parse(args: &[String], specs: &[Spec], command: &str) -> Result<Parsed, String> {
    let find_long = |name: &str| specs.iter().chain(GLOBAL).find(|s| s.long == name).copied();
    let find_short = |c: char| specs.iter().chain(GLOBAL).find(|s| s.short == Some(c)).copied();
    let usage = format!("See 'kubectl {command} --help' for usage.");
    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            out.positional.extend(args[i + 1..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = find_long(name).ok_or_else(|| format!("error: unknown flag: --{name}\n{usage}"))?;
            let value = match (spec.takes_value, inline) {
                (_, Some(v)) => v,
                (true, None) => {
                    i += 1;
                    args.get(i).cloned().ok_or_else(|| format!("error: flag needs an argument: --{name}\n{usage}"))?
                }
                (false, None) => "true".to_string(),
            };
            out.values.entry(spec.long.to_string()).or_default().push(value);
        } else if arg.len() > 1 && arg.starts_with('-') && arg != "-" {
            let mut chars = arg[1..].chars();
            while let Some(c) = chars.next() {
                let spec = find_short(c).ok_or_else(|| format!("error: unknown shorthand flag: '{c}' in {arg}\n{usage}"))?;
                if spec.takes_value {
                    let rest: String = chars.collect();
                    let value = if let Some(v) = rest.strip_prefix('=') {
                        v.to_string()
                    } else if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        args.get(i).cloned().ok_or_else(|| format!("error: flag needs an argument: '{c}' in -{c}\n{usage}"))?
                    };
                    out.values.entry(spec.long.to_string()).or_default().push(value);
                    break;
                }
                out.values.entry(spec.long.to_string()).or_default().push("true".into());
            }
        } else {
            out.positional.push(arg.clone());
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn pflag_conventions() {
        let specs = [flag("output", Some('o')), switch("all-namespaces", Some('A')), flag("selector", Some('l'))];
        let p = parse(&words("pods -owide -A -l app=web --namespace=dev x"), &specs, "get").unwrap();
        assert_eq!(p.get("output"), Some("wide"));
        assert!(p.on("all-namespaces"));
        assert_eq!(p.get("selector"), Some("app=web"));
        assert_eq!(p.get("namespace"), Some("dev"));
        assert_eq!(p.positional, ["pods", "x"]);
        assert_eq!(parse(&words("--foo"), &specs, "get").unwrap_err(), "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.");
        assert_eq!(parse(&words("-z"), &specs, "get").unwrap_err(), "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.");
        assert!(parse(&words("-o"), &specs, "get").unwrap_err().starts_with("error: flag needs an argument: 'o' in -o"));
    }
}
