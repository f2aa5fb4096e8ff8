//! `kubectl create deployment|job|cronjob`: the objects kubectl's generators build on the client,
//! with the empty structs Go's encoder writes (`resources: {}`, `status: {}`).

use serde_json::{json, Value};
use super::context::{Ctx, create, err};
use super::Action;

/// `create deployment`'s container name: the image's last path part without tag or digest.
/// (kubectl adds a random suffix when it had to replace `.` or `_`; kubeplay keeps it
/// deterministic by leaving the suffix out.)
pub(super) fn container_name(image: &str) -> String {
    let base = image.rsplit('/').next().unwrap_or(image);
    let base = base.split(':').next().unwrap_or(base);
    let base = base.split('@').next().unwrap_or(base);
    base.replace(['_', '.'], "-")
}

pub(super) fn create_deployment(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let images = c.slice("image");
    let command = c.command();
    let replicas = c.int("replicas", Some('r'))?.unwrap_or(1);
    let port = c.int("port", None)?.unwrap_or(-1);
    if images.len() > 1 && !command.is_empty() {
        return Err(err("cannot specify multiple --image options and command"));
    }
    let labels = json!({"app": name});
    let containers: Vec<Value> = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let mut ctr = json!({"name": container_name(image), "image": image, "resources": {}});
            if !command.is_empty() {
                ctr["command"] = json!(command);
            }
            if i == 0 && port >= 0 {
                ctr["ports"] = json!([{"containerPort": port}]);
            }
            ctr
        })
        .collect();
    let object = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": merge_meta(c.metadata(&name, true), "labels", labels.clone()),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
        },
        "status": {},
    });
    Ok(create(object, "failed to create deployment: "))
}

pub(super) fn merge_meta(mut meta: Value, field: &str, value: Value) -> Value {
    meta[field] = value;
    meta
}

pub(super) fn create_job(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let image = c.get("image").unwrap_or("");
    let from = c.get("from").unwrap_or("");
    if image.is_empty() == from.is_empty() {
        return Err(err("either --image or --from must be specified"));
    }
    if !from.is_empty() {
        return Err(err("kubeplay does not create jobs --from a cronjob yet"));
    }
    let mut ctr = json!({"name": name, "image": image, "resources": {}});
    let command = c.command();
    if !command.is_empty() {
        ctr["command"] = json!(command);
    }
    let object = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": c.metadata(&name, true),
        "spec": {"template": {"metadata": {}, "spec": {"containers": [ctr], "restartPolicy": "Never"}}},
        "status": {},
    });
    Ok(create(object, "failed to create job: "))
}

pub(super) fn create_cronjob(c: &Ctx) -> Result<Action, String> {
    let name = c.name()?;
    let restart = c.get("restart").filter(|r| !r.is_empty()).unwrap_or("OnFailure");
    let mut ctr = json!({"name": name, "image": c.get("image").unwrap_or(""), "resources": {}});
    let command = c.command();
    if !command.is_empty() {
        ctr["command"] = json!(command);
    }
    let object = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": c.metadata(&name, true),
        "spec": {
            "schedule": c.get("schedule").unwrap_or(""),
            "jobTemplate": {
                "metadata": {"name": name},
                "spec": {"template": {"metadata": {}, "spec": {"containers": [ctr], "restartPolicy": restart}}},
            },
        },
        "status": {},
    });
    Ok(create(object, "failed to create cronjob: "))
}
