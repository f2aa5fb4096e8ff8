//! Whole-chain tests: the exact text of every rejection a learner can meet in admission, and the
//! records both phases leave for a plain pod.

use super::test_support::*;
use super::{Operation, Outcome};
use crate::apiserver::MemoryObjects;
use serde_json::{json, Value};

struct Case {
    what: &'static str,
    objects: MemoryObjects,
    operation: Operation,
    resource: &'static str,
    namespace: &'static str,
    name: &'static str,
    object: Value,
    code: u16,
    message: &'static str,
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"metadata": {"name": name}, "spec": spec})
}

fn nginx() -> Value {
    json!({"containers": [{"name": "nginx", "image": "nginx"}]})
}

fn nginx_with(resources: Value) -> Value {
    json!({"containers": [{"name": "nginx", "image": "nginx", "resources": resources}]})
}

fn with_limit_range(limits: Value) -> MemoryObjects {
    dev_objects().with("limitranges", json!({"metadata": {"name": "limits", "namespace": "dev"}, "spec": {"limits": limits}}))
}

fn with_quota(hard: Value) -> MemoryObjects {
    dev_objects().with("resourcequotas", json!({"metadata": {"name": "q", "namespace": "dev"}, "spec": {"hard": hard}}))
}

/// The seed's example: a quota of 10 pods, with 10 running.
fn ten_pods() -> MemoryObjects {
    let mut objects =
        dev_objects().with("resourcequotas", json!({"metadata": {"name": "pods-quota", "namespace": "dev"}, "spec": {"hard": {"pods": "10"}}}));
    for i in 0..10 {
        objects.insert("pods", json!({"metadata": {"name": format!("web-{i}"), "namespace": "dev"}, "spec": nginx(), "status": {"phase": "Running"}}));
    }
    objects
}

fn cases() -> Vec<Case> {
    use Operation::*;
    let restricted = || dev_objects_labelled(&[("pod-security.kubernetes.io/enforce", "restricted")]);
    vec![
        Case {
            what: "create in a missing namespace",
            objects: dev_objects(),
            operation: Create,
            resource: "pods",
            namespace: "nowhere",
            name: "web",
            object: pod("web", nginx()),
            code: 404,
            message: r#"namespaces "nowhere" not found"#,
        },
        Case {
            what: "create in a terminating namespace",
            objects: dev_objects().with("namespaces", namespace("gone", "Terminating", &[])),
            operation: Create,
            resource: "configmaps",
            namespace: "gone",
            name: "cfg",
            object: json!({"metadata": {"name": "cfg"}}),
            code: 403,
            message: r#"configmaps "cfg" is forbidden: unable to create new content in namespace gone because it is being terminated"#,
        },
        Case {
            what: "delete namespace default",
            objects: dev_objects(),
            operation: Delete,
            resource: "namespaces",
            namespace: "",
            name: "default",
            object: json!({"metadata": {"name": "default"}}),
            code: 403,
            message: r#"namespaces "default" is forbidden: this namespace may not be deleted"#,
        },
        Case {
            what: "delete namespace kube-public",
            objects: dev_objects(),
            operation: Delete,
            resource: "namespaces",
            namespace: "",
            name: "kube-public",
            object: json!({"metadata": {"name": "kube-public"}}),
            code: 403,
            message: r#"namespaces "kube-public" is forbidden: this namespace may not be deleted"#,
        },
        Case {
            what: "pod before the default service account exists",
            objects: dev_objects().with("namespaces", namespace("fresh", "Active", &[])),
            operation: Create,
            resource: "pods",
            namespace: "fresh",
            name: "web",
            object: pod("web", nginx()),
            code: 403,
            message: r#"pods "web" is forbidden: error looking up service account fresh/default: serviceaccount "default" not found"#,
        },
        Case {
            what: "pod naming a missing service account",
            objects: dev_objects(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", json!({"serviceAccountName": "robot", "containers": [{"name": "nginx", "image": "nginx"}]})),
            code: 403,
            message: r#"pods "web" is forbidden: error looking up service account dev/robot: serviceaccount "robot" not found"#,
        },
        Case {
            what: "missing PriorityClass",
            objects: dev_objects(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", json!({"priorityClassName": "urgent", "containers": [{"name": "nginx", "image": "nginx"}]})),
            code: 403,
            message: r#"pods "web" is forbidden: no PriorityClass with name urgent was found"#,
        },
        Case {
            what: "client-chosen priority",
            objects: dev_objects(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", json!({"priority": 5, "containers": [{"name": "nginx", "image": "nginx"}]})),
            code: 403,
            message: r#"pods "web" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"#,
        },
        Case {
            what: "client-chosen preemption policy",
            objects: dev_objects(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", json!({"preemptionPolicy": "Never", "containers": [{"name": "nginx", "image": "nginx"}]})),
            code: 403,
            message: r#"pods "web" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name"#,
        },
        Case {
            what: "second global default PriorityClass",
            objects: dev_objects().with("priorityclasses", json!({"metadata": {"name": "normal"}, "value": 100, "globalDefault": true})),
            operation: Create,
            resource: "priorityclasses",
            namespace: "",
            name: "batch",
            object: json!({"metadata": {"name": "batch"}, "value": 10, "globalDefault": true}),
            code: 403,
            message: r#"priorityclasses.scheduling.k8s.io "batch" is forbidden: PriorityClass normal is already marked as default. Only one default can exist"#,
        },
        Case {
            what: "container limit above the LimitRange max",
            objects: with_limit_range(json!([{"type": "Container", "max": {"cpu": "1"}}])),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", nginx_with(json!({"requests": {"cpu": "2"}, "limits": {"cpu": "2"}}))),
            code: 403,
            message: r#"pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2"#,
        },
        Case {
            what: "container request below the LimitRange min",
            objects: with_limit_range(json!([{"type": "Container", "min": {"memory": "64Mi"}}])),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", nginx_with(json!({"requests": {"memory": "32Mi"}, "limits": {"memory": "32Mi"}}))),
            code: 403,
            message: r#"pods "web" is forbidden: minimum memory usage per Container is 64Mi, but request is 32Mi"#,
        },
        Case {
            what: "limit to request ratio",
            objects: with_limit_range(json!([{"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}}])),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", nginx_with(json!({"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}}))),
            code: 403,
            message: r#"pods "web" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000"#,
        },
        Case {
            what: "pod total above the Pod max",
            objects: with_limit_range(json!([{"type": "Pod", "max": {"cpu": "2"}}])),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod(
                "web",
                json!({"containers": [
                    {"name": "a", "image": "x", "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1500m"}}},
                    {"name": "b", "image": "x", "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1500m"}}}
                ]}),
            ),
            code: 403,
            message: r#"pods "web" is forbidden: maximum cpu usage per Pod is 2, but limit is 3"#,
        },
        Case {
            what: "pod without limits under a Pod max",
            objects: with_limit_range(json!([{"type": "Pod", "max": {"memory": "1Gi"}}])),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", nginx()),
            code: 403,
            message: r#"pods "web" is forbidden: maximum memory usage per Pod is 1Gi.  No limit is specified"#,
        },
        Case {
            what: "claim above the PersistentVolumeClaim max",
            objects: with_limit_range(json!([{"type": "PersistentVolumeClaim", "max": {"storage": "2Gi"}}])),
            operation: Create,
            resource: "persistentvolumeclaims",
            namespace: "dev",
            name: "data",
            object: json!({"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "5Gi"}}}}),
            code: 403,
            message: r#"persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"#,
        },
        Case {
            what: "restricted enforce on a plain pod",
            objects: restricted(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "nginx",
            object: pod("nginx", nginx()),
            code: 403,
            message: r#"pods "nginx" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        },
        Case {
            what: "baseline enforce on a host-network privileged pod",
            objects: dev_objects_labelled(&[("pod-security.kubernetes.io/enforce", "baseline"), ("pod-security.kubernetes.io/enforce-version", "v1.33")]),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "debug",
            object: pod("debug", json!({"hostNetwork": true, "containers": [{"name": "nginx", "image": "nginx", "securityContext": {"privileged": true}}]})),
            code: 403,
            message: r#"pods "debug" is forbidden: violates PodSecurity "baseline:v1.33": host namespaces (hostNetwork=true), privileged (container "nginx" must not set securityContext.privileged=true)"#,
        },
        Case {
            what: "restricted enforce names a generateName pod by its prefix",
            objects: restricted(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "",
            object: json!({"metadata": {"generateName": "web-"}, "spec": {
                "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "nginx", "image": "nginx", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}}],
                "volumes": [{"name": "host", "hostPath": {"path": "/var/log"}}]
            }}),
            code: 403,
            message: r#"pods "web-" is forbidden: violates PodSecurity "restricted:latest": unrestricted capabilities (container "nginx" must not include "NET_ADMIN" in securityContext.capabilities.add), restricted volume types (volume "host" uses restricted volume type "hostPath")"#,
        },
        Case {
            what: "namespace with a malformed PodSecurity version",
            objects: dev_objects(),
            operation: Create,
            resource: "namespaces",
            namespace: "",
            name: "team",
            object: json!({"metadata": {"name": "team", "labels": {"pod-security.kubernetes.io/enforce-version": "1.30"}}}),
            code: 422,
            message: r#"Namespace "team" is invalid: metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "1.30": must be "latest" or "v1.x""#,
        },
        Case {
            what: "the eleventh pod under a quota of ten",
            objects: ten_pods(),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web-10",
            object: pod("web-10", nginx()),
            code: 403,
            message: r#"pods "web-10" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=10, limited: pods=10"#,
        },
        Case {
            what: "compute quota without declared limits",
            objects: with_quota(json!({"limits.cpu": "2", "limits.memory": "2Gi"})),
            operation: Create,
            resource: "pods",
            namespace: "dev",
            name: "web",
            object: pod("web", nginx()),
            code: 403,
            message: r#"pods "web" is forbidden: failed quota: q: must specify limits.cpu for: nginx; limits.memory for: nginx"#,
        },
        Case {
            what: "storage quota",
            objects: with_quota(json!({"requests.storage": "10Gi"}))
                .with("persistentvolumeclaims", json!({"metadata": {"name": "old", "namespace": "dev"}, "spec": {"resources": {"requests": {"storage": "8Gi"}}}})),
            operation: Create,
            resource: "persistentvolumeclaims",
            namespace: "dev",
            name: "data",
            object: json!({"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "5Gi"}}}}),
            code: 403,
            message: r#"persistentvolumeclaims "data" is forbidden: exceeded quota: q, requested: requests.storage=5Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi"#,
        },
        Case {
            what: "object count quota on Deployments",
            objects: with_quota(json!({"count/deployments.apps": "0"})),
            operation: Create,
            resource: "deployments",
            namespace: "dev",
            name: "web",
            object: json!({"metadata": {"name": "web"}, "spec": {"template": {"spec": nginx()}}}),
            code: 403,
            message: r#"deployments.apps "web" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0"#,
        },
    ]
}

#[test]
fn exact_rejection_texts() {
    let cases = cases();
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in &cases {
        let req = req_in(case.operation, case.resource, case.namespace, case.name);
        match run_admission(&case.objects, &req, &case.object) {
            Ok(_) => failures.push(format!("{}: admitted", case.what)),
            Err(status) => {
                if (status.code, status.message.as_str()) != (case.code, case.message) {
                    failures.push(format!("{}:\n  got  {} {}\n  want {} {}", case.what, status.code, status.message, case.code, case.message));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn records_for_a_plain_pod() {
    let req = req_in(Operation::Create, "pods", "dev", "web");
    let (records, result) = mutate_records(&dev_objects(), &req, &pod("web", nginx()));
    let pod = result.unwrap();
    let summary: Vec<(&str, Outcome)> = records.iter().map(|r| (r.plugin, r.outcome)).collect();
    assert_eq!(
        summary,
        vec![
            ("NamespaceLifecycle", Outcome::Passed),
            ("LimitRanger", Outcome::Passed),
            ("ServiceAccount", Outcome::Changed),
            ("TaintNodesByCondition", Outcome::Passed),
            ("Priority", Outcome::Changed),
            ("DefaultTolerationSeconds", Outcome::Changed),
            ("DefaultStorageClass", Outcome::Passed),
        ]
    );
    assert_eq!(records[0].detail, "namespace dev is Active");
    assert_eq!(records[4].detail, r#"spec.preemptionPolicy: <unset> -> "PreemptLowerPriority"; spec.priority: <unset> -> 0"#);
    assert!(records[2].detail.contains(r#"spec.serviceAccountName: <unset> -> "default""#), "{}", records[2].detail);

    let validated = run_validate(&dev_objects(), &req, &pod).unwrap();
    let names: Vec<&str> = validated.iter().map(|r| r.plugin).collect();
    assert_eq!(names, ["LimitRanger", "PodSecurity", "Priority", "ResourceQuota"]);
    assert!(validated.iter().all(|r| r.outcome == Outcome::Passed && r.warnings.is_empty()));
}

#[test]
fn rejection_stops_the_chain_and_keeps_the_object() {
    let req = req_in(Operation::Create, "pods", "dev", "web");
    let original = pod("web", json!({"serviceAccountName": "robot", "containers": [{"name": "nginx", "image": "nginx"}]}));
    let (records, result) = mutate_records(&dev_objects(), &req, &original);
    assert!(result.is_err());
    let last = records.last().map(|r| (r.plugin, r.outcome, r.detail.as_str()));
    assert_eq!(last, Some(("ServiceAccount", Outcome::Rejected, r#"error looking up service account dev/robot: serviceaccount "robot" not found"#)));
    assert_eq!(records.len(), 3);
}

#[test]
fn odd_shapes_do_not_panic() {
    let shapes = [
        json!(null),
        json!([]),
        json!("pod"),
        json!({"spec": "nope"}),
        json!({"metadata": 5, "spec": {"containers": "x", "initContainers": [1, null], "volumes": {}, "tolerations": 7}}),
        json!({"spec": {"containers": [{"resources": {"limits": {"cpu": "lots"}, "requests": []}}], "securityContext": []}}),
    ];
    let objects = with_limit_range(json!([{"type": "Container", "default": {"cpu": "1"}}, {"type": "Pod", "max": {"cpu": "4"}}]))
        .with("resourcequotas", json!({"metadata": {"name": "q", "namespace": "dev"}, "spec": {"hard": {"pods": "x", "requests.cpu": "1"}}}))
        .with("namespaces", namespace("dev", "Active", &[("pod-security.kubernetes.io/enforce", "restricted")]))
        .with("storageclasses", json!({"metadata": {"name": "std", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}))
        .with("priorityclasses", json!({"metadata": {"name": "d"}, "value": 1, "globalDefault": true}));
    for resource in ["pods", "nodes", "persistentvolumeclaims", "deployments", "namespaces", "services"] {
        for shape in &shapes {
            for op in [Operation::Create, Operation::Update, Operation::Delete] {
                let mut req = req_in(op, resource, "dev", "x");
                req.old = Some(shape);
                let _ = run_admission(&objects, &req, shape);
            }
        }
    }
}
