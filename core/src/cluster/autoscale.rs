//! `kubectl autoscale` as kubectl's `AutoscaleOptions.Run` sends it: GET the target (the
//! resource builder), check it has a scale subresource (discovery), build an autoscaling/v2
//! HorizontalPodAutoscaler and POST it under the field manager `kubectl-autoscale`; if that
//! fails and the flags fit autoscaling/v1, POST the v1 form instead. Success prints
//! `horizontalpodautoscaler.autoscaling/web autoscaled`.
//!
//! The HPA controller (`controllers/hpa.rs`) first syncs it 15 s later; until then `kubectl get
//! hpa` shows `cpu: <unknown>/80%` and REPLICAS 0.

use super::rollout::{server_error, Client};
use crate::apiserver::{handle, Context, Verb};
use crate::cli::kubectl::autoscale::{Autoscale, Target};
use crate::cli::kubectl::imperative::Printer;
use crate::cli::kubectl::{resources, DryRun, Kubectl};
use crate::cli::printers;
use crate::cli::Output;
use serde_json::{json, Value};

const FIELD_MANAGER: &str = "kubectl-autoscale";
/// The kinds with a `scale` subresource kubeplay serves (discovery's scale kind resolver).
const SCALABLE: &[&str] = &["Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"];

/// `createHorizontalPodAutoscalerV2`: the namespace only when `-n` was given, and the status
/// Go's encoder writes for an empty one (`currentMetrics` has no omitempty).
pub fn hpa_v2(a: &Autoscale, target_api_version: &str, target_kind: &str, target_name: &str, namespace: Option<&str>) -> Value {
    let name = a.name.clone().unwrap_or_else(|| target_name.to_string());
    let mut spec = json!({"scaleTargetRef": {"apiVersion": target_api_version, "kind": target_kind, "name": target_name}, "maxReplicas": a.max});
    if a.min > 0 {
        spec["minReplicas"] = json!(a.min);
    }
    let metric = |resource: &str, t: &Target| {
        let target = match t {
            Target::Utilization(n) => json!({"type": "Utilization", "averageUtilization": n}),
            Target::AverageValue(q) => json!({"type": "AverageValue", "averageValue": q}),
        };
        json!({"type": "Resource", "resource": {"name": resource, "target": target}})
    };
    let mut metrics = Vec::new();
    if a.cpu_percent > 0 {
        metrics.push(metric("cpu", &Target::Utilization(a.cpu_percent)));
    }
    if let Some(cpu) = &a.cpu {
        metrics.push(metric("cpu", cpu));
    }
    if let Some(memory) = &a.memory {
        metrics.push(metric("memory", memory));
    }
    if !metrics.is_empty() {
        spec["metrics"] = json!(metrics);
    }
    let mut metadata = json!({"name": name});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata,
        "spec": spec,
        "status": {"currentMetrics": null, "desiredReplicas": 0},
    })
}

/// `createHorizontalPodAutoscalerV1`.
fn hpa_v1(a: &Autoscale, v2: &Value) -> Value {
    let mut spec = json!({"scaleTargetRef": v2["spec"]["scaleTargetRef"].clone(), "maxReplicas": a.max});
    if a.min > 0 {
        spec["minReplicas"] = json!(a.min);
    }
    if a.cpu_percent >= 0 {
        spec["targetCPUUtilizationPercentage"] = json!(a.cpu_percent);
    }
    json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": v2["metadata"].clone(), "spec": spec, "status": {"currentReplicas": 0, "desiredReplicas": 0}})
}

pub fn run(ctx: &mut Context, k: &Kubectl, a: &Autoscale, cause: Option<u64>) -> Output {
    let mut c = Client::new(k, cause);
    let warnings = a.warnings.clone();
    let done = |c: Client| {
        let mut out = c.output();
        out.stderr = format!("{warnings}{}", out.stderr);
        out
    };
    let objects = c.fetch(ctx, &[(a.target.0.clone(), vec![a.target.1.clone()])]);
    let Some((kind, obj)) = objects.into_iter().next() else { return done(c) };
    if !SCALABLE.contains(&kind.kind) {
        c.errors.push(format!("cannot autoscale a {}: could not find scale subresource for {}/{}, Resource={} in discovery information", kind.kind, kind.group, kind.version, kind.resource));
        return done(c);
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    let ns = c.namespace.clone();
    let v2 = hpa_v2(a, &kind.api_version(), kind.kind, &name, k.namespace.as_deref());
    let (Ok(hpa2), Ok(hpa1)) = (resources::resolve("horizontalpodautoscalers.v2.autoscaling"), resources::resolve("horizontalpodautoscalers.v1.autoscaling")) else {
        c.errors.push("the server doesn't have a resource type \"horizontalpodautoscalers\"".into());
        return done(c);
    };
    if a.dry_run == DryRun::Client {
        print(&mut c, hpa2, &v2, a.printer, "created (dry run)");
        return done(c);
    }
    let create = |ctx: &mut Context, c: &Client, kind, body: &Value| {
        let mut req = c.request(Verb::Create, kind, &ns, "").with_body(body.clone());
        req.field_manager = FIELD_MANAGER.into();
        req.dry_run = a.dry_run == DryRun::Server;
        handle(ctx, &req).result
    };
    let suffix = if a.dry_run == DryRun::Server { "autoscaled (server dry run)" } else { "autoscaled" };
    match create(ctx, &c, hpa2, &v2) {
        Ok(created) => print(&mut c, hpa2, &created, a.printer, suffix),
        Err(_) => {
            // `canCreateHPAV1`: only a plain CPU utilization target fits autoscaling/v1.
            let v1_fits = (a.cpu_percent >= 0 && a.memory.is_none()) || (a.memory.is_none() && matches!(a.cpu, Some(Target::Utilization(_))));
            if !v1_fits {
                let why = if a.cpu.is_none() { "empty input" } else { "%!w(<nil>)" };
                c.errors.push(format!("failed to create autoscaling/v2 HPA and the configuration is incompatible with autoscaling/v1: {why}"));
                return done(c);
            }
            match create(ctx, &c, hpa1, &hpa_v1(a, &v2)) {
                Ok(created) => print(&mut c, hpa1, &created, a.printer, suffix),
                Err(s) => c.errors.push(server_error(&s)),
            }
        }
    }
    done(c)
}

fn print(c: &mut Client, kind: &crate::api::KindInfo, obj: &Value, printer: Printer, operation: &str) {
    let text = match printer {
        Printer::Operation => format!("{} {operation}\n", printers::name_of(kind, obj)),
        Printer::Name => format!("{}\n", printers::name_of(kind, obj)),
        Printer::Json => printers::to_json(obj),
        Printer::Yaml => printers::to_yaml(obj),
    };
    c.stdout.push_str(&text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v2_object_kubectl_builds() {
        let a = Autoscale {
            target: ("deployment".into(), "web".into()),
            name: None,
            min: 2,
            max: 10,
            cpu_percent: 80,
            cpu: None,
            memory: None,
            dry_run: DryRun::None,
            printer: Printer::Operation,
            warnings: String::new(),
        };
        let hpa = hpa_v2(&a, "apps/v1", "Deployment", "web", None);
        assert_eq!(hpa["spec"]["scaleTargetRef"], json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}));
        assert_eq!((hpa["spec"]["minReplicas"].as_i64(), hpa["spec"]["maxReplicas"].as_i64()), (Some(2), Some(10)));
        assert_eq!(hpa["spec"]["metrics"][0]["resource"]["target"], json!({"type": "Utilization", "averageUtilization": 80}));
        let none = Autoscale { cpu_percent: -1, min: -1, ..a };
        assert!(hpa_v2(&none, "apps/v1", "Deployment", "web", None)["spec"].get("metrics").is_none());
    }
}
