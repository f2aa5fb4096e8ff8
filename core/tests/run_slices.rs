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

#[test]
fn run_says_when_the_step_bound_stops_it_before_the_span_is_over() {
    let files = MemoryFiles::new();
    let mut cluster = Cluster::new(Config { max_steps_per_run: 5, ..Config::default() });
    let before = cluster.now();
    let out = cluster.execute("run 10m", &files);
    assert!(out.stderr.starts_with("kubeplay: run: stopped after 5 steps, "), "{out:?}");
    assert!(out.stderr.ends_with(" into the 10m: the cluster still had work due (kubeplay's step bound)\n"), "{out:?}");
    // The clock stays where the work stopped instead of jumping over what was due.
    assert!(cluster.now() < before.after(kubeplay::sim::Duration::from_ms(600_000)));
    assert!(cluster.trace().render().contains("run: stopped after 5 steps"));
    // Without the bound the same span runs to its end, silently.
    let mut free = Cluster::new(Config::default());
    let start = free.now();
    let out = free.execute("run 10m", &files);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));
    assert_eq!(free.now(), start.after(kubeplay::sim::Duration::from_ms(600_000)));
}
