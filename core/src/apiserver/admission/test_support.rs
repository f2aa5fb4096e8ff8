//! Fixtures for the admission tests: requests, a namespace `dev` with its `default` service
//! account, and helpers that run one phase or both.

use super::{mutate, validate, Operation, PluginRecord, Request};
use crate::api::{all_kinds, KindInfo};
use crate::apiserver::{MemoryObjects, Status};
use crate::sim::Rng;
use serde_json::{json, Value};

/// The served kind for a resource plural (the first version listed).
pub fn kind(resource: &str) -> &'static KindInfo {
    all_kinds().iter().find(|k| k.resource == resource).unwrap_or_else(|| panic!("no kind serves {resource}"))
}

pub fn req_in(operation: Operation, resource: &str, namespace: &'static str, name: &'static str) -> Request<'static> {
    Request { operation, kind: kind(resource), subresource: "", namespace, name, user: "jane", dry_run: false, old: None }
}

pub fn req_cluster(operation: Operation, resource: &str, name: &'static str) -> Request<'static> {
    req_in(operation, resource, "", name)
}

pub fn namespace(name: &str, phase: &str, labels: &[(&str, &str)]) -> Value {
    let labels: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    json!({"metadata": {"name": name, "labels": labels}, "status": {"phase": phase}})
}

pub fn objects_with(items: &[(&str, Value)]) -> MemoryObjects {
    let mut objects = MemoryObjects::new();
    for (resource, object) in items {
        objects.insert(resource, object.clone());
    }
    objects
}

/// Namespace `dev` (Active) with its `default` service account.
pub fn dev_objects() -> MemoryObjects {
    objects_with(&[
        ("namespaces", namespace("dev", "Active", &[])),
        ("serviceaccounts", json!({"metadata": {"name": "default", "namespace": "dev"}})),
    ])
}

/// Namespace `dev` labelled with the given PodSecurity labels.
pub fn dev_objects_labelled(labels: &[(&str, &str)]) -> MemoryObjects {
    dev_objects().with("namespaces", namespace("dev", "Active", labels))
}

/// The mutating phase with seed 1; the mutated object or the rejection.
pub fn run_mutate(objects: &MemoryObjects, req: &Request, obj: &Value) -> Result<Value, Status> {
    mutate_records(objects, req, obj).1
}

pub fn mutate_records(objects: &MemoryObjects, req: &Request, obj: &Value) -> (Vec<PluginRecord>, Result<Value, Status>) {
    let mut obj = obj.clone();
    let mut records = Vec::new();
    let result = mutate(objects, req, &mut obj, &mut Rng::new(1), &mut records).map(|_| obj);
    (records, result)
}

pub fn run_validate(objects: &MemoryObjects, req: &Request, obj: &Value) -> Result<Vec<PluginRecord>, Status> {
    let mut records = Vec::new();
    validate(objects, req, obj, &mut records).map(|()| records)
}

/// Both phases, as the request pipeline runs them.
pub fn run_admission(objects: &MemoryObjects, req: &Request, obj: &Value) -> Result<Value, Status> {
    let out = run_mutate(objects, req, obj)?;
    run_validate(objects, req, &out)?;
    Ok(out)
}

/// Warnings collected by the validating phase.
pub fn warnings(objects: &MemoryObjects, req: &Request, obj: &Value) -> Vec<String> {
    run_validate(objects, req, obj).map(|r| r.into_iter().flat_map(|r| r.warnings).collect()).unwrap_or_default()
}
