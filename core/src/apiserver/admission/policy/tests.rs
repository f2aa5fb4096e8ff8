//! Policy matching, params, and the exact text of each denial, warning and error a learner can
//! meet, one table row each (the Kubernetes documentation's "Validating Admission Policy"
//! examples first).

use super::super::test_support::{kind, namespace, objects_with};
use super::super::{mutate, validate, Operation, Outcome, PluginRecord, Request};
use crate::apiserver::{MemoryObjects, Status};
use crate::sim::Rng;
use serde_json::{json, Value};

/// The documentation's policy: deployments may have at most 5 replicas.
fn demo_policy(extra: Value) -> Value {
    let mut p = json!({
        "metadata": {"name": "demo-policy.example.com"},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["deployments"], "scope": "*"}]},
            "validations": [{"expression": "object.spec.replicas <= 5"}]
        }
    });
    crate::apiserver::patch::merge(&mut p, &extra);
    p
}

fn binding(name: &str, actions: &[&str], extra: Value) -> Value {
    let mut b = json!({
        "metadata": {"name": name},
        "spec": {"policyName": "demo-policy.example.com", "validationActions": actions,
                 "matchResources": {"namespaceSelector": {"matchLabels": {"environment": "test"}}}}
    });
    crate::apiserver::patch::merge(&mut b, &extra);
    b
}

fn cluster(policy: Value, bindings: &[Value]) -> MemoryObjects {
    let mut o = objects_with(&[
        ("namespaces", namespace("test", "Active", &[("environment", "test")])),
        ("namespaces", namespace("prod", "Active", &[("environment", "prod")])),
        ("validatingadmissionpolicies", policy),
    ]);
    for b in bindings {
        o.insert("validatingadmissionpolicybindings", b.clone());
    }
    o
}

fn deployment(name: &str, replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}}, "spec": {"replicas": replicas}})
}

fn req(ns: &'static str, name: &'static str) -> Request<'static> {
    Request { operation: Operation::Create, kind: kind("deployments"), subresource: "", namespace: ns, name, user: "jane", dry_run: false, old: None }
}

fn run(objects: &MemoryObjects, r: &Request, obj: &Value) -> (Vec<PluginRecord>, Result<(), Status>) {
    let mut records = Vec::new();
    let result = validate(objects, r, obj, &mut records);
    (records, result)
}

fn denial(objects: &MemoryObjects, ns: &'static str, obj: &Value) -> Status {
    let name = obj["metadata"]["name"].as_str().unwrap_or("");
    let name: &'static str = Box::leak(name.to_string().into_boxed_str());
    match run(objects, &req(ns, name), obj).1 {
        Err(s) => s,
        Ok(()) => panic!("expected a denial for {obj}"),
    }
}

fn deny() -> Value {
    binding("demo-binding-test.example.com", &["Deny"], json!({}))
}

#[test]
fn documentation_example_denies_six_replicas_in_test() {
    let objects = cluster(demo_policy(json!({})), &[deny()]);
    let s = denial(&objects, "test", &deployment("web", 6));
    assert_eq!((s.code, s.reason), (422, "Invalid"));
    assert_eq!(
        s.message,
        r#"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5"#
    );
    // Within the limit, or outside the selected namespaces: admitted, and traced.
    let (records, result) = run(&objects, &req("test", "web"), &deployment("web", 5));
    assert!(result.is_ok());
    let policy = records.iter().find(|r| r.plugin == "ValidatingAdmissionPolicy").map(|r| r.detail.as_str());
    assert_eq!(policy, Some("demo-policy.example.com with binding demo-binding-test.example.com: 1 of 1 validations passed"));
    let (_, result) = run(&objects, &req("prod", "web"), &deployment("web", 6));
    assert!(result.is_ok());
    // ValidatingAdmissionPolicy runs before ResourceQuota, as kube-apiserver orders them.
    let names: Vec<&str> = records.iter().map(|r| r.plugin).collect();
    assert_eq!(names, ["LimitRanger", "PodSecurity", "Priority", "ValidatingAdmissionPolicy", "ResourceQuota"]);
}

#[test]
fn no_policies_no_record() {
    let objects = objects_with(&[("namespaces", namespace("test", "Active", &[]))]);
    let (records, result) = run(&objects, &req("test", "web"), &deployment("web", 6));
    assert!(result.is_ok());
    assert!(records.iter().all(|r| !r.plugin.contains("AdmissionPolicy")));
}

#[test]
fn warn_and_audit_do_not_deny() {
    let objects = cluster(demo_policy(json!({})), &[binding("demo-binding-test.example.com", &["Warn", "Audit"], json!({}))]);
    let (records, result) = run(&objects, &req("test", "web"), &deployment("web", 6));
    assert!(result.is_ok());
    let warnings: Vec<&String> = records.iter().flat_map(|r| r.warnings.iter()).collect();
    assert_eq!(
        warnings,
        [&"Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com': failed expression: object.spec.replicas <= 5".to_string()]
    );
    let detail = records.iter().find(|r| r.plugin == "ValidatingAdmissionPolicy").map(|r| r.detail.clone()).unwrap_or_default();
    assert!(detail.contains("audit annotation validation_failure"), "{detail}");
}

/// One row: a policy change, a binding, the object, and the exact message (or `None` to admit).
struct Row {
    what: &'static str,
    policy: Value,
    binding: Value,
    extra: Vec<(&'static str, Value)>,
    object: Value,
    code: u16,
    message: Option<&'static str>,
}

fn rows() -> Vec<Row> {
    let params_policy = json!({"spec": {
        "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
        "validations": [{"expression": "object.spec.replicas <= int(params.data.maxReplicas)",
                         "messageExpression": "'object.spec.replicas must be no greater than ' + params.data.maxReplicas"}]
    }});
    let limits = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "replica-limit-test.example.com", "namespace": "test"}, "data": {"maxReplicas": "3"}});
    vec![
        Row {
            what: "message replaces the expression",
            policy: json!({"spec": {"validations": [{"expression": "object.spec.replicas <= 5", "message": "too many replicas"}]}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 6),
            code: 422,
            message: Some(r#"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: too many replicas"#),
        },
        Row {
            what: "reason Forbidden answers 403",
            policy: json!({"spec": {"validations": [{"expression": "object.spec.replicas <= 5", "reason": "Forbidden"}]}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 6),
            code: 403,
            message: Some(r#"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5"#),
        },
        Row {
            what: "params from a ConfigMap, messageExpression",
            policy: params_policy.clone(),
            binding: binding("demo-binding-test.example.com", &["Deny"], json!({"spec": {"paramRef": {"name": "replica-limit-test.example.com", "namespace": "test", "parameterNotFoundAction": "Deny"}}})),
            extra: vec![("configmaps", limits.clone())],
            object: deployment("web", 4),
            code: 422,
            message: Some(r#"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: object.spec.replicas must be no greater than 3"#),
        },
        Row {
            what: "params within the limit",
            policy: params_policy.clone(),
            binding: binding("demo-binding-test.example.com", &["Deny"], json!({"spec": {"paramRef": {"name": "replica-limit-test.example.com", "namespace": "test", "parameterNotFoundAction": "Deny"}}})),
            extra: vec![("configmaps", limits)],
            object: deployment("web", 3),
            code: 0,
            message: None,
        },
        Row {
            what: "missing param with Deny",
            policy: params_policy.clone(),
            binding: binding("demo-binding-test.example.com", &["Deny"], json!({"spec": {"paramRef": {"name": "nope", "parameterNotFoundAction": "Deny"}}})),
            extra: vec![],
            object: deployment("web", 1),
            code: 422,
            message: Some("deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"),
        },
        Row {
            what: "missing param with Allow",
            policy: params_policy,
            binding: binding("demo-binding-test.example.com", &["Deny"], json!({"spec": {"paramRef": {"name": "nope", "parameterNotFoundAction": "Allow"}}})),
            extra: vec![],
            object: deployment("web", 100),
            code: 0,
            message: None,
        },
        Row {
            what: "an evaluation error under Fail",
            policy: json!({"spec": {"validations": [{"expression": "object.spec.paused == false"}]}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 1),
            code: 422,
            message: Some(r#"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: expression 'object.spec.paused == false' resulted in error: no such key: paused"#),
        },
        Row {
            what: "an evaluation error under Ignore",
            policy: json!({"spec": {"failurePolicy": "Ignore", "validations": [{"expression": "object.spec.paused == false"}]}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 1),
            code: 0,
            message: None,
        },
        Row {
            what: "an expression that does not compile",
            policy: json!({"spec": {"validations": [{"expression": "objct.spec.replicas <= 5"}]}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 1),
            code: 422,
            message: Some("deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: compilation error: compilation failed: ERROR: <input>:1:1: undeclared reference to 'objct' (in container '')\n | objct.spec.replicas <= 5\n | ^"),
        },
        Row {
            what: "a false match condition skips the policy",
            policy: json!({"spec": {"matchConditions": [{"name": "not-web", "expression": "object.metadata.name != 'web'"}]}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 6),
            code: 0,
            message: None,
        },
        Row {
            what: "variables feed validations",
            policy: json!({"spec": {
                "variables": [{"name": "limit", "expression": "object.metadata.labels.app == 'web' ? 2 : 10"}],
                "validations": [{"expression": "object.spec.replicas <= variables.limit", "messageExpression": "'at most ' + string(variables.limit) + ' replicas'"}]
            }}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 3),
            code: 422,
            message: Some(r#"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: at most 2 replicas"#),
        },
        Row {
            what: "excludeResourceRules win over resourceRules",
            policy: json!({"spec": {"matchConstraints": {"excludeResourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["*"], "resources": ["deployments"], "resourceNames": ["web"]}]}}}),
            binding: deny(),
            extra: vec![],
            object: deployment("web", 6),
            code: 0,
            message: None,
        },
        Row {
            what: "an object selector the object does not match",
            policy: json!({}),
            binding: binding("demo-binding-test.example.com", &["Deny"], json!({"spec": {"matchResources": {"objectSelector": {"matchLabels": {"app": "db"}}}}})),
            extra: vec![],
            object: deployment("web", 6),
            code: 0,
            message: None,
        },
    ]
}

#[test]
fn message_table() {
    for row in rows() {
        let mut objects = cluster(demo_policy(row.policy), &[row.binding]);
        for (resource, obj) in row.extra {
            objects.insert(resource, obj);
        }
        let (_, result) = run(&objects, &req("test", "web"), &row.object);
        match (row.message, result) {
            (None, Ok(())) => {}
            (Some(m), Err(s)) => {
                assert_eq!(s.message, m, "{}", row.what);
                assert_eq!(s.code, row.code, "{}", row.what);
            }
            (want, got) => panic!("{}: wanted {want:?}, got {got:?}", row.what),
        }
    }
}

fn mutating_cluster(mutations: Value) -> MemoryObjects {
    objects_with(&[
        ("namespaces", namespace("test", "Active", &[])),
        ("serviceaccounts", json!({"metadata": {"name": "default", "namespace": "test"}})),
        ("mutatingadmissionpolicies", json!({"metadata": {"name": "add-team.example.com"}, "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"], "scope": "*"}]},
            "mutations": mutations,
            "reinvocationPolicy": "Never"
        }})),
        ("mutatingadmissionpolicybindings", json!({"metadata": {"name": "add-team-binding"}, "spec": {"policyName": "add-team.example.com"}})),
    ])
}

fn mutate_pod(objects: &MemoryObjects) -> (Vec<PluginRecord>, Result<Value, Status>) {
    let r = Request { operation: Operation::Create, kind: kind("pods"), subresource: "", namespace: "test", name: "web", user: "jane", dry_run: false, old: None };
    let mut pod = json!({"metadata": {"name": "web", "namespace": "test"}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}});
    // Defaulted first, as the request pipeline does before admission.
    crate::api::defaults::apply_defaults(kind("pods"), &mut pod);
    let mut records = Vec::new();
    let result = mutate(objects, &r, &mut pod, &mut Rng::new(1), &mut records).map(|_| pod);
    (records, result)
}

#[test]
fn apply_configuration_adds_a_label_after_the_built_ins() {
    let objects = mutating_cluster(json!([{"patchType": "ApplyConfiguration", "applyConfiguration": {
        "expression": "Object{metadata: Object.metadata{labels: {'team': 'platform'}}}"}}]));
    let (records, result) = mutate_pod(&objects);
    let pod = result.unwrap_or_default();
    assert_eq!(pod["metadata"]["labels"], json!({"team": "platform"}));
    let last = records.last().map(|r| (r.plugin, r.outcome, r.detail.as_str()));
    assert_eq!(
        last,
        Some((
            "MutatingAdmissionPolicy",
            Outcome::Changed,
            r#"add-team.example.com with binding add-team-binding: applied: metadata.labels: <unset> -> {"team":"platform"}"#
        ))
    );
}

#[test]
fn json_patch_adds_a_defaulted_sidecar() {
    let objects = mutating_cluster(json!([{"patchType": "JSONPatch", "jsonPatch": {"expression":
        "[JSONPatch{op: 'add', path: '/spec/containers/-', value: Object.spec.containers{name: 'log-shipper', image: 'busybox'}}]"}}]));
    let (_, result) = mutate_pod(&objects);
    let pod = result.unwrap_or_default();
    let sidecar = &pod["spec"]["containers"][1];
    assert_eq!(sidecar["name"], "log-shipper");
    // Defaulted again after the mutation, as dispatchOne does.
    assert_eq!(sidecar["imagePullPolicy"], "Always");
    assert_eq!(sidecar["terminationMessagePath"], "/dev/termination-log");
}

#[test]
fn a_failing_mutation_denies_under_fail() {
    let objects = mutating_cluster(json!([{"patchType": "JSONPatch", "jsonPatch": {"expression":
        "[JSONPatch{op: 'remove', path: '/metadata/labels/team'}]"}}]));
    let (records, result) = mutate_pod(&objects);
    let s = result.err().unwrap_or(Status { code: 0, reason: "", message: String::new() });
    assert_eq!((s.code, s.reason), (403, "Invalid"));
    assert!(s.message.starts_with("policy 'add-team.example.com' with binding 'add-team-binding' denied request: JSON Patch: "), "{}", s.message);
    assert_eq!(records.last().map(|r| r.outcome), Some(Outcome::Rejected));
}

#[test]
fn odd_policy_shapes_do_not_panic() {
    let shapes = [json!(null), json!(5), json!({"spec": 5}), json!({"spec": {"matchConstraints": {"resourceRules": "x"}, "validations": [1, {"expression": 7}]}}),
        json!({"metadata": {"name": "p"}, "spec": {"matchConstraints": {"resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]}]},
            "paramKind": {"apiVersion": "v9", "kind": "Nope"}, "validations": [{"expression": "(((("}], "mutations": [{"patchType": "JSONPatch", "jsonPatch": {"expression": "'x'"}}]}})];
    for shape in &shapes {
        let objects = objects_with(&[
            ("namespaces", namespace("test", "Active", &[])),
            ("validatingadmissionpolicies", shape.clone()),
            ("mutatingadmissionpolicies", shape.clone()),
            ("validatingadmissionpolicybindings", json!({"metadata": {"name": "b"}, "spec": {"policyName": "p", "paramRef": {"name": "x"}, "matchResources": {"namespaceSelector": 5}}})),
            ("mutatingadmissionpolicybindings", json!({"metadata": {"name": "b"}, "spec": {"policyName": "p"}})),
        ]);
        let _ = run(&objects, &req("test", "web"), &deployment("web", 1));
        let _ = mutate_pod(&objects);
    }
}

#[test]
fn kubectl_prints_a_policy_denial_with_an_empty_cause_field() {
    let s = Status {
        code: 422,
        reason: "Invalid",
        message: "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: x".into(),
    };
    assert_eq!(
        crate::cli::kubectl::invalid_message(&s, &[]),
        Some("The deployments \"web\" is invalid: : ValidatingAdmissionPolicy 'p' with binding 'b' denied request: x".into())
    );
}
