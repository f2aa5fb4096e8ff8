//! Nothing crashes: mutated manifests and random command lines go through the whole stack
//! (decode, kubectl, the API server, etcdctl) without a panic, and a command that fails leaves
//! the store as it was. A panic in wasm kills the learner's page, so this sweep is seeded and
//! large enough to find the easy ones.

use kubeplay::cli::MemoryFiles;
use kubeplay::sim::Rng;
use kubeplay::trace::Event;
use kubeplay::{Cluster, Config};

const SEEDS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        ports: [{containerPort: 80}]\n        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m}}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"busybox\", \"command\": [\"sh\", \"-c\", \"sleep 1\"]}]}}\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: jane-view, namespace: default}\nsubjects: [{kind: User, name: jane}]\nroleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: \"1\"}}\n",
    "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: hello}\nspec:\n  schedule: '*/5 * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: c, image: busybox}]\n",
];

const PIECES: &[&str] = &[
    ": ", "-", "- ", "\n", "  ", "\t", "{", "}", "[", "]", "\"", "'", "&a", "*a", "!!str", "~", "null", "0644", "yes",
    "---\n", "...\n", "#", "%", "|", ">", "\u{feff}", "\u{1F600}", "\\", "kind: Pod\n", "apiVersion: v1\n", "metadata:",
];

fn mutate(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() as u64 + 1) as usize;
        match rng.below(5) {
            0 => {
                let piece = PIECES[rng.below(PIECES.len() as u64) as usize];
                bytes.splice(at..at, piece.bytes());
            }
            1 if at < bytes.len() => {
                let end = (at + 1 + rng.below(20) as usize).min(bytes.len());
                bytes.drain(at..end);
            }
            2 if at < bytes.len() => bytes[at] = rng.below(256) as u8,
            3 => bytes.truncate(at),
            _ => {
                let dup = bytes[at.min(bytes.len())..].to_vec();
                bytes.extend_from_slice(&dup[..dup.len().min(64)]);
            }
        }
    }
    bytes
}

#[test]
fn mutated_manifests_never_panic_and_failures_change_nothing() {
    let mut rng = Rng::new(20261127);
    let mut cluster = Cluster::new(Config::default());
    for round in 0..2000 {
        let seed = SEEDS[round % SEEDS.len()];
        let input = mutate(&mut rng, seed);
        let files = MemoryFiles::new().with("m.yaml", input.clone());
        let out = cluster.execute("kubectl apply -f m.yaml", &files);
        if out.exit_code != 0 && out.stdout.is_empty() && out.stderr.starts_with("error: ") {
            // kubectl failed before sending anything: no request was caused by the command (the
            // controllers may still be busy with earlier ones).
            let command = cluster
                .trace()
                .records()
                .rev()
                .find(|r| matches!(r.event, Event::Command { .. }))
                .map(|r| r.seq);
            let sent = cluster.trace().records().any(|r| matches!(r.event, Event::Request { cause, .. } if cause == command));
            assert!(!sent, "round {round}: a request was sent for a manifest kubectl rejected: {}", out.stderr);
        }
        let _ = cluster.execute("kubectl delete -f m.yaml --ignore-not-found", &files);
    }
}

#[test]
fn random_command_lines_never_panic() {
    const WORDS: &[&str] = &[
        "kubectl", "etcdctl", "get", "apply", "create", "delete", "pods", "po", "deploy", "svc", "ns", "nodes", "-f", "-",
        "m.yaml", "-o", "yaml", "json", "wide", "name", "-l", "app=web", "--field-selector", "metadata.name=x", "-n",
        "default", "-A", "--all", "--as", "jane", "--dry-run=server", "--prefix", "/registry", "--keys-only", "--rev",
        "0", "-1", "99999999999999999999", "put", "del", "txn", "watch", "lease", "grant", "compact", "5", "--limit",
        "''", "\"", "=", "--", "run", "1s", "trace", "auth", "whoami", "api-resources", "--sort-by", ".metadata.name",
        "--grace-period=-5", "--cascade=orphan", "web", "x/y", "deploy/web", "--from-key", "-w", "json", "fields", "table",
    ];
    let mut rng = Rng::new(7);
    let mut cluster = Cluster::new(Config::default());
    let files = MemoryFiles::new().with("m.yaml", SEEDS[0]).with("-", SEEDS[1]);
    for _ in 0..5000 {
        let n = 1 + rng.below(7) as usize;
        let line: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len() as u64) as usize]).collect();
        let _ = cluster.execute(&line.join(" "), &files);
    }
}
