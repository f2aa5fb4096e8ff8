//! Command-line flags the way etcdctl's cobra/pflag parses them, with pflag's error texts.
//!
//! Flags may come before, between or after the positional arguments; `--name=value` and
//! `--name value` both work, a bool flag takes no separate value, `--` ends the flags.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Str,
    Int,
}

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub short: Option<char>,
    pub kind: Kind,
}

pub const fn flag(name: &'static str, kind: Kind) -> Spec {
    Spec { name, short: None, kind }
}

/// The flags every command takes (the subset of etcdctl's global flags we model).
pub const GLOBAL: &[Spec] = &[
    flag("endpoints", Kind::Str),
    Spec { name: "write-out", short: Some('w'), kind: Kind::Str },
    flag("hex", Kind::Bool),
    flag("dial-timeout", Kind::Str),
    flag("command-timeout", Kind::Str),
    flag("debug", Kind::Bool),
    Spec { name: "help", short: Some('h'), kind: Kind::Bool },
];

/// Parsed flags and the positional arguments left over.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub values: BTreeMap<&'static str, String>,
    pub args: Vec<String>,
}

impl Parsed {
    pub fn bool(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|v| v == "true")
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// An int flag; parsing already checked the value, so a bad one cannot reach here.
    pub fn int(&self, name: &str) -> i64 {
        self.values.get(name).and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}

fn check(spec: &Spec, shown: &str, value: &str) -> Result<String, String> {
    match spec.kind {
        Kind::Str => Ok(value.to_string()),
        Kind::Int => value.parse::<i64>().map(|v| v.to_string()).map_err(|_| {
            format!("invalid argument {value:?} for {shown:?} flag: strconv.ParseInt: parsing {value:?}: invalid syntax")
        }),
        Kind::Bool => match value {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok("true".into()),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok("false".into()),
            _ => Err(format!(
                "invalid argument {value:?} for {shown:?} flag: strconv.ParseBool: parsing {value:?}: invalid syntax"
            )),
        },
    }
}

/// Parses `args` against `specs`; the error is pflag's message (without `Error: `).
pub fn parse(args: &[String], specs: &[Spec]) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            out.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let spec = specs.iter().find(|s| s.name == name).ok_or_else(|| format!("unknown flag: --{name}"))?;
            let shown = format!("--{name}");
            let value = match (inline, spec.kind) {
                (Some(v), _) => v.to_string(),
                (None, Kind::Bool) => "true".to_string(),
                (None, _) => {
                    let v = args.get(i).ok_or_else(|| format!("flag needs an argument: {shown}"))?;
                    i += 1;
                    v.clone()
                }
            };
            out.values.insert(spec.name, check(spec, &shown, &value)?);
        } else if a.len() > 1 && a.starts_with('-') {
            let body = &a[1..];
            for (pos, c) in body.char_indices() {
                let spec = specs
                    .iter()
                    .find(|s| s.short == Some(c))
                    .ok_or_else(|| format!("unknown shorthand flag: '{c}' in {a}"))?;
                let shown = format!("-{c}, --{}", spec.name);
                if spec.kind == Kind::Bool {
                    out.values.insert(spec.name, "true".into());
                    continue;
                }
                let rest = &body[pos + c.len_utf8()..];
                let value = if let Some(v) = rest.strip_prefix('=') {
                    v.to_string()
                } else if !rest.is_empty() {
                    rest.to_string()
                } else {
                    let v = args.get(i).ok_or_else(|| format!("flag needs an argument: '{c}' in {a}"))?;
                    i += 1;
                    v.clone()
                };
                out.values.insert(spec.name, check(spec, &shown, &value)?);
                break;
            }
        } else {
            out.args.push(a.clone());
        }
    }
    Ok(out)
}
