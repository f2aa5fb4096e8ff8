//! `kubectl run` (the Pod kubectl builds, with its checks of image, restart policy, labels and
//! env) and `kubectl expose` (its flags; the Service is built in `cluster/imperative`, which
//! reads the exposed object).

use serde_json::{json, Map, Value};
use super::context::{Ctx, create, err, targets};
use super::{Action, Expose};

/// `kubectl run`'s `parseLabels`: `a=b,c=d`, each with exactly one `=`.
pub(super) fn parse_label_list(s: &str) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    for spec in s.split(',') {
        let parts: Vec<&str> = spec.split('=').collect();
        if parts.len() != 2 {
            return Err(err(format!("unexpected label spec: {spec}")));
        }
        if parts[0].is_empty() {
            return Err(err("unexpected empty label key"));
        }
        m.insert(parts[0].to_string(), json!(parts[1]));
    }
    Ok(m)
}

pub(super) fn is_env_var_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')) && !name.starts_with(|ch: char| ch.is_ascii_digit())
}

pub(super) fn run(c: &Ctx) -> Result<Action, String> {
    if c.p.positional.is_empty() || c.dash == Some(0) {
        return Err(err("NAME is required for run"));
    }
    let name = c.p.positional[0].clone();
    let image = c.get("image").unwrap_or("");
    if image.is_empty() {
        return Err(err("--image is required"));
    }
    let repository = image.split('@').next().unwrap_or(image);
    let repository = match repository.rfind(':') {
        Some(i) if !repository[i..].contains('/') => &repository[..i],
        _ => repository,
    };
    if image.contains(char::is_whitespace) || repository.rsplit('/').next().is_some_and(|n| n.chars().any(|ch| ch.is_ascii_uppercase())) {
        return Err(err(format!("invalid image name {image:?}: invalid reference format")));
    }
    let restart = c.get("restart").unwrap_or("Always");
    if !matches!(restart, "Always" | "OnFailure" | "Never") {
        return Err(err(format!("invalid restart policy: {restart}, valid values are: Always, OnFailure, Never")));
    }
    let port = c.get("port").filter(|p| !p.is_empty());
    if c.p.on("expose") && port.is_none() {
        return Err(err("--port must be set when exposing a service"));
    }
    let port_no = match port {
        Some(p) => Some(p.parse::<i64>().map_err(|_| err("--port must be a number"))?),
        None => None,
    };
    if c.p.on("rm") && !c.p.on("attach") {
        return Err(err("--rm should only be used for attached containers"));
    }
    if c.p.on("attach") || c.p.on("stdin") || c.p.on("tty") {
        return Err(err("kubeplay's terminal cannot attach to a container; run without -i, -t or --attach"));
    }
    if c.p.on("expose") {
        return Err(err("kubeplay does not run --expose yet; run `kubectl expose pod NAME --port=P` after it"));
    }
    let labels = match c.get("labels").filter(|l| !l.is_empty()) {
        Some(l) => parse_label_list(l)?,
        None => {
            let mut m = Map::new();
            m.insert("run".into(), json!(name));
            m
        }
    };
    let mut envs = Vec::new();
    for e in c.array("env") {
        match e.split_once('=') {
            Some((k, v)) if is_env_var_name(k) => envs.push(json!({"name": k, "value": v})),
            _ => return Err(err(format!("invalid env: {e}"))),
        }
    }
    let pull = c.get("image-pull-policy").unwrap_or("");
    if !matches!(pull, "" | "Always" | "IfNotPresent" | "Never") {
        return Err(err(format!("invalid image pull policy: {pull}, valid values are: Always, IfNotPresent, Never")));
    }
    let mut ctr = json!({"name": name, "image": image, "resources": {}});
    let args: Vec<String> = c.p.positional[1..].to_vec();
    if !args.is_empty() {
        ctr[if c.p.on("command") { "command" } else { "args" }] = json!(args);
    }
    if let Some(p) = port_no {
        ctr["ports"] = json!([{"containerPort": p}]);
    }
    if !envs.is_empty() {
        ctr["env"] = json!(envs);
    }
    if !pull.is_empty() {
        ctr["imagePullPolicy"] = json!(pull);
    }
    if c.p.on("privileged") {
        ctr["securityContext"] = json!({"privileged": true});
    }
    let mut meta = c.metadata(&name, true);
    meta["labels"] = Value::Object(labels);
    let annotations = c.array("annotations");
    if !annotations.is_empty() {
        let mut m = Map::new();
        for a in annotations {
            let (k, v) = a.split_once('=').ok_or_else(|| err(format!("invalid annotation format: {a}")))?;
            m.insert(k.to_string(), json!(v));
        }
        meta["annotations"] = Value::Object(m);
    }
    let object = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [ctr], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {},
    });
    Ok(create(object, ""))
}

pub(super) fn expose(c: &Ctx) -> Result<Action, String> {
    let words = &c.p.positional;
    let t = targets(words)?;
    let target = match t.as_slice() {
        [(ty, names)] if names.len() == 1 => (ty.clone(), names[0].clone()),
        [] => return Err(c.usage("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'").replace(&format!("\nSee 'kubectl {} -h' for help and examples", c.path), "")),
        [(_, names)] if names.is_empty() => return Err(err("resource(s) were provided, but no name was specified")),
        _ => return Err(err("kubeplay exposes one object at a time: `kubectl expose TYPE NAME --port=P`")),
    };
    let owned = |k: &str| c.get(k).filter(|v| !v.is_empty()).map(str::to_string);
    Ok(Action::Expose(Expose {
        target,
        name: owned("name"),
        port: owned("port"),
        target_port: owned("target-port"),
        service_type: owned("type"),
        protocol: owned("protocol"),
        selector: owned("selector"),
        labels: owned("labels"),
        cluster_ip: owned("cluster-ip"),
    }))
}
