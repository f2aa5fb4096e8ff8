//! Running kubectl's imperative commands as the API requests kubectl sends: a POST of the
//! object kubectl built (`create <kind>`, `run`, `expose`), a GET then a PATCH (`label`,
//! `annotate`, `scale`, `patch`, `set image`, `taint`, `cordon`), a GET then a PUT (`replace`).
//!
//! Success lines are the name printer's (`deployment.apps/web created`, facts 4.6); errors are
//! worded as kubectl's `CheckErr` prints them (facts 4.5) and collected, so one failing object
//! does not stop the others, as kubectl's `ContinueOnError` visitors do.

mod client;
mod expose;
mod update;
mod nodes;
#[cfg(test)]
mod tests;

use crate::api::{decode_manifest, lookup, KindInfo, Limits};
use crate::apiserver::{handle, Context, Verb};
use crate::cli::kubectl::imperative::{Action, Imperative};
use crate::cli::kubectl::{DryRun, Kubectl};
use crate::cli::Output;
use serde_json::Value;
use client::{Client, server_error};
use expose::expose;
use nodes::{cordon_one, taint_one};
use update::{label_one, patch_one, replace_one, scale_one, set_image_one};

/// Runs one imperative command; every change is an API request under the command's user.
pub fn run(ctx: &mut Context, k: &Kubectl, cmd: &Imperative, cause: Option<u64>) -> Output {
    let mut c = Client {
        user: super::kubectl::user_of(k),
        cause,
        dry_run: cmd.dry_run,
        printer: cmd.printer,
        namespace: k.namespace.clone().unwrap_or_else(|| "default".into()),
        stdout: String::new(),
        stderr: Vec::new(),
        failed: false,
        printed_docs: 0,
        subresource: String::new(),
    };
    match &cmd.action {
        Action::Create { object, wrap, warnings } => {
            c.stderr.extend(warnings.lines().map(str::to_string));
            create(ctx, &mut c, object, wrap);
        }
        Action::Expose(e) => expose(ctx, &mut c, e),
        Action::Label { annotate, targets, set, remove, overwrite, selector, all: _ } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, selector) {
                    label_one(ctx, &mut c, kind, &obj, *annotate, set, remove, *overwrite);
                }
            }
        }
        Action::Scale { targets, replicas, current, resource_version } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, "") {
                    scale_one(ctx, &mut c, kind, obj, *replicas, *current, resource_version);
                }
            }
        }
        Action::Patch { targets, patch, patch_type, subresource } => {
            c.subresource = subresource.clone();
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, "") {
                    patch_one(ctx, &mut c, kind, &obj, patch, *patch_type);
                }
            }
        }
        Action::Replace { sources } => {
            for (source, bytes) in &sources.files {
                for decoded in decode_manifest(bytes, source, &Limits::default()) {
                    match decoded {
                        Ok(d) => replace_one(ctx, &mut c, source, d.kind, d.namespace.as_deref(), &d.name, d.object),
                        Err(diag) => c.error(diag.message),
                    }
                }
            }
        }
        Action::SetImage { targets, images } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, "") {
                    set_image_one(ctx, &mut c, kind, &obj, images);
                }
            }
        }
        Action::Taint { nodes, add, remove, overwrite } => {
            for n in nodes {
                taint_one(ctx, &mut c, n, add, remove, *overwrite);
            }
        }
        Action::Cordon { nodes, unschedulable } => {
            for n in nodes {
                cordon_one(ctx, &mut c, n, *unschedulable);
            }
        }
    }
    c.output()
}

/// The kind an object kubectl built says it is.
fn kind_of(obj: &Value) -> Option<&'static KindInfo> {
    lookup(obj["apiVersion"].as_str()?, obj["kind"].as_str()?)
}

fn name_of(obj: &Value) -> String {
    obj["metadata"]["name"].as_str().unwrap_or("").to_string()
}

fn create(ctx: &mut Context, c: &mut Client, object: &Value, wrap: &str) {
    let Some(kind) = kind_of(object) else {
        c.error(format!("kubeplay: no served kind for {} {}", object["apiVersion"], object["kind"]));
        return;
    };
    if c.dry_run == DryRun::Client {
        c.print(kind, object, "created");
        return;
    }
    let ns = object["metadata"]["namespace"].as_str().map(str::to_string).unwrap_or_else(|| c.namespace.clone());
    let req = c.request(Verb::Create, kind, &ns, "").with_body(object.clone());
    let reply = handle(ctx, &req);
    c.stderr.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
    match reply.result {
        Ok(obj) => c.print(kind, &obj, "created"),
        // `fmt.Errorf("failed to create deployment: %v", err)` is no longer a status error:
        // kubectl prints the server's message after its own words.
        Err(s) if !wrap.is_empty() => c.error(format!("error: {wrap}{}", s.message)),
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}
