//! Fuzz target: the whole `kubectl apply -f` path against a fresh cluster — decode, kubectl's
//! three-way patch, every API server stage (authn, RBAC, admission, validation, storage) and the
//! controllers reacting, with a bounded number of kernel steps and then 30 s of virtual time.
//! Besides panics it checks the promise a learner relies on: a failed apply that printed nothing
//! on stdout changed nothing in etcd.
#![no_main]

use kubeplay::cli::MemoryFiles;
use kubeplay::store::RangeRequest;
use kubeplay::{Cluster, Config};
use libfuzzer_sys::fuzz_target;

fn keyspace(cluster: &Cluster) -> Vec<(Vec<u8>, i64)> {
    let all = RangeRequest { key: vec![0], range_end: vec![0], ..Default::default() };
    let kvs = cluster.store().range(&all).map(|r| r.kvs).unwrap_or_default();
    kvs.into_iter().map(|kv| (kv.key, kv.mod_revision)).collect()
}

fuzz_target!(|data: &[u8]| {
    // Bounded so one input cannot run for minutes: a quarter of the default step budget.
    let config = Config { max_steps_per_run: 50_000, ..Config::default() };
    let mut cluster = Cluster::new(config);
    let files = MemoryFiles::new().with("m.yaml", data.to_vec());
    let before = (cluster.store().revision(), keyspace(&cluster));
    let out = cluster.execute("kubectl apply -f m.yaml", &files);
    if !out.success() && out.stdout.is_empty() {
        let after = (cluster.store().revision(), keyspace(&cluster));
        assert_eq!(before, after, "a failed apply changed etcd: {}", out.stderr);
    }
    if out.success() {
        let _ = cluster.execute("run 30s", &files);
        let _ = cluster.execute("kubectl get all -A -o wide", &files);
        let _ = cluster.execute("kubectl delete -f m.yaml", &files);
    }
});
