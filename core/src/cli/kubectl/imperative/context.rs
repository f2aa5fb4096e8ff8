//! What the imperative builders read: the parsed flags and words ([`Ctx`]), and the helpers
//! kubectl's commands share for naming their targets (`TYPE NAME`, `TYPE/NAME`,
//! `GetResourcesAndPairs`) and for wording errors (`cmdutil.UsageErrorf`).

use crate::cli::kubectl::flags::Parsed;
use crate::cli::Files;
use serde_json::{json, Map, Value};
use super::Action;

/// What the builders read.
pub(super) struct Ctx<'a> {
    pub(super) p: &'a Parsed,
    pub(super) path: &'a str,
    /// Positional words before `--`, when `--` was given (cobra's `ArgsLenAtDash`).
    pub(super) dash: Option<usize>,
    pub(super) namespace: Option<&'a str>,
    pub(super) files: &'a dyn Files,
}

impl Ctx<'_> {
    /// `cmdutil.UsageErrorf`: the message and a pointer to the command's help.
    pub(super) fn usage(&self, msg: &str) -> String {
        format!("error: {msg}\nSee 'kubectl {} -h' for help and examples\n", self.path)
    }

    /// `NameFromCommandArgs`: exactly one word before `--`.
    pub(super) fn name(&self) -> Result<String, String> {
        let n = self.dash.unwrap_or(self.p.positional.len());
        if n != 1 {
            return Err(self.usage(&format!("exactly one NAME is required, got {n}")));
        }
        Ok(self.p.positional[0].clone())
    }

    /// The words after `--` (or after the name, as cobra passes them).
    pub(super) fn command(&self) -> Vec<String> {
        self.p.positional.iter().skip(1).cloned().collect()
    }

    pub(super) fn get(&self, long: &str) -> Option<&str> {
        self.p.get(long)
    }

    /// A `StringSlice` flag: every value, split at commas.
    pub(super) fn slice(&self, long: &str) -> Vec<String> {
        self.p.all(long).iter().flat_map(|v| v.split(',')).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    /// A `StringArray` flag: every value as given.
    pub(super) fn array(&self, long: &str) -> Vec<String> {
        self.p.all(long).to_vec()
    }

    /// An integer flag, with pflag's error for a bad value.
    pub(super) fn int(&self, long: &str, short: Option<char>) -> Result<Option<i64>, String> {
        let Some(v) = self.get(long) else { return Ok(None) };
        v.parse::<i64>().map(Some).map_err(|_| {
            let shown = match short {
                Some(c) => format!("-{c}, --{long}"),
                None => format!("--{long}"),
            };
            format!("error: invalid argument {v:?} for {shown:?} flag: strconv.ParseInt: parsing {v:?}: invalid syntax\nSee 'kubectl {} --help' for usage.\n", self.path)
        })
    }

    /// `metadata` for an object kubectl builds: the namespace only when `-n` was given
    /// (kubectl's `EnforceNamespace`).
    pub(super) fn metadata(&self, name: &str, namespaced: bool) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        if let (true, Some(ns)) = (namespaced, self.namespace) {
            m.insert("namespace".into(), json!(ns));
        }
        Value::Object(m)
    }
}

pub(super) fn err(msg: impl std::fmt::Display) -> String {
    format!("error: {msg}\n")
}

pub(super) fn create(object: Value, wrap: &str) -> Action {
    Action::Create { object, wrap: wrap.to_string(), warnings: String::new() }
}

/// `TYPE NAME` or `TYPE/NAME` words, as kubectl's resource builder reads them.
pub(super) fn targets(words: &[String]) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    if words.iter().any(|w| w.contains('/')) {
        for w in words {
            let (t, n) = w.split_once('/').ok_or_else(|| {
                err("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
            })?;
            out.push((t.to_string(), vec![n.to_string()]));
        }
    } else if let Some((t, names)) = words.split_first() {
        for ty in t.split(',').filter(|s| !s.is_empty()) {
            out.push((ty.to_string(), names.to_vec()));
        }
    }
    Ok(out)
}

pub(super) const RESOURCES_REQUIRED: &str = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n";

pub(super) fn named_targets(c: &Ctx, words: &[String]) -> Result<Vec<(String, Vec<String>)>, String> {
    let t = targets(words)?;
    if t.is_empty() {
        return Err(RESOURCES_REQUIRED.into());
    }
    if t.iter().all(|(_, n)| n.is_empty()) && c.get("selector").is_none() && !c.p.on("all") {
        return Err(err("resource(s) were provided, but no name was specified"));
    }
    Ok(t)
}

/// `GetResourcesAndPairs`: resources first, then `key=value` / `key-` pairs.
pub(super) fn resources_and_pairs(words: &[String], pair_type: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut resources, mut pairs) = (Vec::new(), Vec::new());
    for s in words {
        let pair = (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
        match (pairs.is_empty(), pair) {
            (_, true) => pairs.push(s.clone()),
            (true, false) => resources.push(s.clone()),
            (false, false) => return Err(err(format!("all resources must be specified before {pair_type} changes: {s}"))),
        }
    }
    Ok((resources, pairs))
}

/// `validation.IsValidLabelValue`, the errors joined as kubectl joins them.
pub(super) fn label_value_errors(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let ok_chars = v.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    let ok_ends = v.is_empty() || (v.starts_with(|ch: char| ch.is_ascii_alphanumeric()) && v.ends_with(|ch: char| ch.is_ascii_alphanumeric()));
    if !(ok_chars && ok_ends) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string());
    }
    errs
}

/// `validation.IsQualifiedName`, enough to reject what a learner mistypes.
pub(super) fn qualified_name_ok(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
            && s.starts_with(|ch: char| ch.is_ascii_alphanumeric())
            && s.ends_with(|ch: char| ch.is_ascii_alphanumeric())
    };
    ok(name) && key.matches('/').count() <= 1
}
