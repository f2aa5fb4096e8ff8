//! Parsing tests for the imperative commands: kubectl's objects, errors and their order.

use super::create_data::base64;
use super::*;
use crate::cli::kubectl::{parse as kubectl, Command};
use crate::cli::MemoryFiles;

fn words(s: &str) -> Vec<String> {
    crate::cli::split_words(s).unwrap()
}

fn action(line: &str) -> Action {
    let files = MemoryFiles::new().with("app.conf", "debug=true\n");
    match kubectl(&words(line), &files).unwrap().command {
        Command::Imperative(i) => i.action,
        other => panic!("{other:?}"),
    }
}

fn error(line: &str) -> String {
    kubectl(&words(line), &MemoryFiles::new()).unwrap_err()
}

#[test]
fn create_deployment_as_kubectl_builds_it() {
    let Action::Create { object, wrap, .. } = action("create deployment web --image=registry.k8s.io/nginx:1.27 -r 3 --port=80") else { panic!() };
    assert_eq!(wrap, "failed to create deployment: ");
    assert_eq!(object["metadata"], json!({"name": "web", "labels": {"app": "web"}}));
    assert_eq!(object["spec"]["replicas"], json!(3));
    let ctr = &object["spec"]["template"]["spec"]["containers"][0];
    assert_eq!((ctr["name"].as_str(), ctr["ports"][0]["containerPort"].as_i64()), (Some("nginx"), Some(80)));
    let Action::Create { object, .. } = action("create deploy web -n dev --image=busybox -- sleep 3600") else { panic!() };
    assert_eq!(object["metadata"]["namespace"], "dev");
    assert_eq!(object["spec"]["template"]["spec"]["containers"][0]["command"], json!(["sleep", "3600"]));
}

#[test]
fn cobra_order_of_errors() {
    assert_eq!(error("create deployment web"), "error: required flag(s) \"image\" not set\n");
    assert_eq!(error("create cronjob c"), "error: required flag(s) \"image\", \"schedule\" not set\n");
    assert_eq!(error("create deployment --image=nginx"), "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n");
    assert_eq!(error("create job j"), "error: either --image or --from must be specified\n");
    assert_eq!(error("create deployment web --image=x --replicas=two"), "error: invalid argument \"two\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"two\": invalid syntax\nSee 'kubectl create deployment --help' for usage.\n");
    assert_eq!(error("run web"), "error: --image is required\n");
    assert_eq!(error("scale deploy/web"), "error: required flag(s) \"replicas\" not set\n");
    assert_eq!(error("create rolebinding rb --user=jane"), "error: exactly one of clusterrole or role must be specified\n");
}

#[test]
fn data_sources() {
    let Action::Create { object, .. } = action("create secret generic db --from-literal=password=s3cr=t --from-literal=user=admin") else { panic!() };
    assert_eq!(object["data"], json!({"password": "czNjcj10", "user": "YWRtaW4="}));
    let Action::Create { object, .. } = action("create configmap cfg --from-file=app.conf --from-literal=mode=fast") else { panic!() };
    assert_eq!(object["data"], json!({"app.conf": "debug=true\n", "mode": "fast"}));
    assert_eq!(error("create cm x --from-literal=novalue"), "error: invalid literal source novalue, expected key=value\n");
    assert_eq!(base64(b"ab"), "YWI=");
}

#[test]
fn rbac_rules_group_by_api_group() {
    let Action::Create { object, .. } = action("create role r --verb=get,list --verb=get --resource=pods,deploy,rs.apps,pods/log") else { panic!() };
    assert_eq!(
        object["rules"],
        json!([
            {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
            {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": ["get", "list"]},
        ])
    );
    let Action::Create { object, .. } = action("create rolebinding rb --clusterrole=view --serviceaccount=dev:bot --user=jane") else { panic!() };
    assert_eq!(object["subjects"][1], json!({"kind": "ServiceAccount", "namespace": "dev", "name": "bot"}));
    assert_eq!(error("create role r --verb=get --resource=foos"), "error: no matches for /, Resource=foos\n");
}

#[test]
fn label_taint_and_patch_arguments() {
    let Action::Label { set, remove, targets, .. } = action("label pods web tier=front env-") else { panic!() };
    assert_eq!((set.get("tier").map(String::as_str), remove, targets), (Some("front"), vec!["env".to_string()], vec![("pods".to_string(), vec!["web".to_string()])]));
    assert_eq!(error("label pod web"), "error: at least one label update is required\n");
    assert_eq!(error("label pod web a=b c"), "error: all resources must be specified before label changes: c\n");
    let Action::Taint { add, remove, .. } = action("taint nodes n1 dedicated=gpu:NoSchedule old:NoExecute-") else { panic!() };
    assert_eq!(add[0].to_spec(), "dedicated=gpu:NoSchedule");
    assert_eq!(remove[0].to_spec(), "old:NoExecute");
    assert!(error("taint nodes n1 a=b:Sometimes").starts_with("error: invalid taint effect: Sometimes"));
    let Action::Patch { patch, patch_type, .. } = action("patch deploy web --type merge -p '{\"spec\":{\"replicas\":2}}'") else { panic!() };
    assert_eq!((patch, patch_type), (json!({"spec": {"replicas": 2}}), PatchType::Merge));
    assert!(error("patch deploy web -p '{\"spec\":'").starts_with("error: unable to parse"));
    assert_eq!(error("patch deploy web"), "error: must specify --patch or --patch-file containing the contents of the patch\n");
}

#[test]
fn create_from_files_stays_with_create() {
    let files = MemoryFiles::new().with("deployment", "x");
    assert!(!handles("create", &words("-f deployment")));
    assert!(matches!(kubectl(&words("create -n dev -f deployment"), &files).unwrap().command, Command::Create { .. }));
    assert!(handles("create", &words("-n dev deploy web --image=nginx")));
}

#[test]
fn run_builds_a_pod() {
    let Action::Create { object, .. } = action("run web --image=nginx --port=80 --env=A=1 --restart=Never -- nginx -g daemon off;") else { panic!() };
    assert_eq!(object["metadata"]["labels"], json!({"run": "web"}));
    assert_eq!(object["spec"]["restartPolicy"], "Never");
    assert_eq!(object["spec"]["containers"][0]["args"], json!(["nginx", "-g", "daemon", "off;"]));
    assert_eq!(object["spec"]["containers"][0]["env"], json!([{"name": "A", "value": "1"}]));
}
