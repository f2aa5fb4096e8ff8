//! The flags each imperative command accepts, as cobra registers them, and the options they
//! share: `--dry-run` and `-o` (kubectl's `PrintFlags`), with kubectl's errors for bad values.

use crate::cli::kubectl::flags::{flag, switch, Parsed, Spec};
use crate::cli::kubectl::DryRun;
use super::Printer;

pub(super) const DRY_RUN: Spec = flag("dry-run", None);
pub(super) const OUTPUT: Spec = flag("output", Some('o'));
pub(super) const CREATE_COMMON: &[Spec] = &[
    DRY_RUN,
    OUTPUT,
    switch("save-config", None),
    flag("validate", None),
    flag("field-manager", None),
    switch("show-managed-fields", None),
];

pub(super) fn specs(extra: &[Spec]) -> Vec<Spec> {
    CREATE_COMMON.iter().chain(extra).copied().collect()
}

pub(super) fn command_specs(path: &str) -> Vec<Spec> {
    let image = flag("image", None);
    let from = [flag("from-literal", None), flag("from-file", None), flag("from-env-file", None), switch("append-hash", None)];
    let rule = [flag("verb", None), flag("resource", None), flag("resource-name", None)];
    let subjects = [flag("user", None), flag("group", None), flag("serviceaccount", None)];
    let selection = [flag("selector", Some('l')), switch("all", None), switch("all-namespaces", Some('A')), flag("filename", Some('f'))];
    match path {
        "create deployment" => specs(&[image, flag("port", None), flag("replicas", Some('r'))]),
        "create namespace" | "create serviceaccount" => specs(&[]),
        "create configmap" => specs(&from),
        "create secret generic" => specs(&[from[0], from[1], from[2], from[3], flag("type", None)]),
        "create role" => specs(&rule),
        "create clusterrole" => specs(&[rule[0], rule[1], rule[2], flag("non-resource-url", None), flag("aggregation-rule", None)]),
        "create rolebinding" => specs(&[flag("role", None), flag("clusterrole", None), subjects[0], subjects[1], subjects[2]]),
        "create clusterrolebinding" => specs(&[flag("clusterrole", None), subjects[0], subjects[1], subjects[2]]),
        "create job" => specs(&[image, flag("from", None)]),
        "create cronjob" => specs(&[image, flag("schedule", None), flag("restart", None)]),
        "run" => specs(&[
            image,
            flag("port", None),
            flag("labels", Some('l')),
            flag("env", None),
            flag("restart", None),
            switch("command", None),
            flag("annotations", None),
            flag("image-pull-policy", None),
            switch("privileged", None),
            switch("stdin", Some('i')),
            switch("tty", Some('t')),
            switch("rm", None),
            switch("attach", None),
            switch("expose", None),
        ]),
        "expose" => specs(&[
            flag("port", None),
            flag("target-port", None),
            flag("type", None),
            flag("name", None),
            flag("protocol", None),
            flag("selector", None),
            flag("labels", Some('l')),
            flag("cluster-ip", None),
            flag("filename", Some('f')),
        ]),
        "label" | "annotate" => {
            let mut s = specs(&selection);
            s.extend([switch("overwrite", None), switch("list", None), flag("resource-version", None), switch("local", None)]);
            s
        }
        "scale" => specs(&[flag("replicas", None), flag("current-replicas", None), flag("resource-version", None), selection[0], selection[1], selection[3], flag("timeout", None)]),
        "patch" => specs(&[flag("patch", Some('p')), flag("patch-file", None), flag("type", None), switch("local", None), selection[3], flag("subresource", None)]),
        "replace" => specs(&[selection[3], switch("force", None), flag("grace-period", None), switch("cascade", None), switch("wait", None)]),
        "set image" => specs(&selection),
        "taint" => specs(&[switch("overwrite", None), selection[0], selection[1]]),
        "cordon" | "uncordon" => specs(&[selection[0]]),
        _ => specs(&[]),
    }
}

/// Flags cobra refuses to run without (`MarkFlagRequired`).
pub(super) fn required_flags(path: &str) -> &'static [&'static str] {
    match path {
        "create deployment" => &["image"],
        "create cronjob" => &["image", "schedule"],
        "create clusterrolebinding" => &["clusterrole"],
        "scale" => &["replicas"],
        _ => &[],
    }
}

pub(super) fn dry_run(p: &Parsed) -> Result<DryRun, String> {
    match p.get("dry-run") {
        None | Some("none") | Some("false") => Ok(DryRun::None),
        Some("client") | Some("true") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => Err(format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".\n")),
    }
}

pub(super) fn printer(p: &Parsed, path: &str) -> Result<Printer, String> {
    Ok(match p.get("output") {
        None | Some("") => Printer::Operation,
        Some("name") => Printer::Name,
        Some("json") => Printer::Json,
        Some("yaml") => Printer::Yaml,
        Some(other) => {
            let _ = path;
            return Err(format!(
                "error: unable to match a printer suitable for the output format {other:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"
            ));
        }
    })
}
