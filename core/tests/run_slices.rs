//! A run to idle taken in slices (`Cluster::run_slice`, what the web page does so a long run never
//! blocks the browser) steps exactly the events one `run_until_idle` steps: same trace, same
//! output, same bound record when the step bound stops it.

use kubeplay::cli::MemoryFiles;
use kubeplay::{Cluster, Config};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: 'nginx:1.27'}]
";

/// Submits `line` and runs it in slices of `slice` events; returns the output and the slices taken.
fn sliced(cluster: &mut Cluster, line: &str, files: &MemoryFiles, slice: usize) -> (kubeplay::cli::Output, usize) {
    let id = cluster.submit(line, files);
    let mut done = 0;
    let mut slices = 1;
    while cluster.run_slice(done, slice).is_none() {
        done += slice;
        slices += 1;
    }
    (cluster.output(id).cloned().expect("the command finished"), slices)
}

#[test]
fn slices_leave_the_trace_one_run_leaves() {
    let files = MemoryFiles::new().with("d.yaml", DEPLOYMENT);
    let mut whole = Cluster::new(Config::default());
    let mut cut = Cluster::new(Config::default());
    for line in ["kubectl apply -f d.yaml", "kubectl scale deployment web --replicas=1", "kubectl get pods"] {
        let a = whole.execute(line, &files);
        let (b, _) = sliced(&mut cut, line, &files, 7);
        assert_eq!(a, b, "{line}");
    }
    let (_, slices) = sliced(&mut cut, "kubectl apply -f d.yaml", &files, 1);
    whole.execute("kubectl apply -f d.yaml", &files);
    assert!(slices > 1, "the apply took several slices");
    assert_eq!(whole.trace().render(), cut.trace().render());
}

#[test]
fn the_step_bound_ends_a_sliced_run_as_it_ends_a_whole_one() {
    let files = MemoryFiles::new().with("d.yaml", DEPLOYMENT);
    let config = Config { max_steps_per_run: 10, ..Config::default() };
    let mut whole = Cluster::new(config.clone());
    let mut cut = Cluster::new(config);
    whole.submit("kubectl apply -f d.yaml", &files);
    let outcome = whole.run_until_idle();
    assert_eq!(outcome.steps, 10);
    assert!(!outcome.idle);
    cut.submit("kubectl apply -f d.yaml", &files);
    let (mut done, mut last) = (0, None);
    while last.is_none() {
        last = cut.run_slice(done, 3);
        done += 3;
    }
    assert_eq!(last, Some(outcome), "ended by the bound at the same step");
    assert!(cut.trace().render().contains("bound reached: 10 steps in one run"));
    assert_eq!(whole.trace().render(), cut.trace().render());
}
