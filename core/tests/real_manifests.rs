//! Real manifests that once kept the simulated cluster from settling (found by applying several
//! thousand public manifests: kubernetes/website, kubernetes/examples, ingress-nginx, argo-cd,
//! kube-prometheus, metrics-server, dashboard, GKE samples). Each must leave the cluster idle: a run
//! that never idles hangs the CLI and keeps the page's stepping busy forever.

use kubeplay::cli::MemoryFiles;
use kubeplay::{Cluster, Config};

/// The Namespace, ServiceAccount and admission Job of ingress-nginx's
/// `deploy/static/provider/baremetal/deploy.yaml` (kubernetes/ingress-nginx, Apache-2.0),
/// trimmed to what matters here: the Job's pods carry the tracking finalizer.
const INGRESS_NGINX: &str = "apiVersion: v1
kind: Namespace
metadata:
  labels:
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
  name: ingress-nginx
---
apiVersion: v1
automountServiceAccountToken: true
kind: ServiceAccount
metadata:
  name: ingress-nginx-admission
  namespace: ingress-nginx
---
apiVersion: batch/v1
kind: Job
metadata:
  name: ingress-nginx-admission-create
  namespace: ingress-nginx
spec:
  template:
    spec:
      automountServiceAccountToken: true
      containers:
      - args:
        - create
        - --host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.$(POD_NAMESPACE).svc
        - --namespace=$(POD_NAMESPACE)
        - --secret-name=ingress-nginx-admission
        env:
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9
        imagePullPolicy: IfNotPresent
        name: create
      nodeSelector:
        kubernetes.io/os: linux
      restartPolicy: OnFailure
      serviceAccountName: ingress-nginx-admission
  ttlSecondsAfterFinished: 0
";

fn settles(c: &Cluster) -> bool {
    !c.trace().render().contains("bound reached")
}

#[test]
fn deleting_ingress_nginx_with_its_namespace_first_settles() {
    let files = MemoryFiles::new().with("deploy.yaml", INGRESS_NGINX.as_bytes().to_vec());
    let mut c = Cluster::new(Config { max_steps_per_run: 20_000, ..Config::default() });
    assert_eq!(c.execute("kubectl apply -f deploy.yaml", &files).exit_code, 0);
    c.execute("run 10s", &files);
    // kubectl deletes in file order: the namespace goes first, the Job's pods keep their
    // finalizer while the controllers' requests for them fail.
    let out = c.execute("kubectl delete -f deploy.yaml --wait=false", &files);
    assert_eq!(out.exit_code, 0, "{out:?}");
    assert!(settles(&c), "the delete never settled");
    c.execute("run 2m", &files);
    assert!(settles(&c), "two minutes later the cluster still had work due at every step");
}

#[test]
fn a_job_whose_service_account_is_missing_settles() {
    let job = INGRESS_NGINX.split("---\n").nth(2).unwrap_or_default().replace("namespace: ingress-nginx", "namespace: default");
    let files = MemoryFiles::new().with("job.yaml", job.into_bytes());
    let mut c = Cluster::new(Config { max_steps_per_run: 20_000, ..Config::default() });
    assert_eq!(c.execute("kubectl apply -f job.yaml", &files).exit_code, 0);
    assert!(settles(&c), "the apply never settled");
    c.execute("run 2m", &files);
    assert!(settles(&c));
}
