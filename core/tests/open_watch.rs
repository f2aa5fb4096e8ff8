//! `Config::open_watches` (the page's terminal, which has Ctrl-C): a `kubectl get -w` stays open
//! once the cluster is idle, prints what later commands change, and ends at `Cluster::interrupt`
//! with `^C`; without the option (scripts) the stream ends at idle as before.

use kubeplay::cli::MemoryFiles;
use kubeplay::{Cluster, Config};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: 'nginx:1.27'}]
";

fn files() -> MemoryFiles {
    MemoryFiles::new().with("web.yaml", DEPLOYMENT.as_bytes())
}

#[test]
fn an_open_watch_prints_later_changes_until_interrupted() {
    let mut c = Cluster::new(Config { open_watches: true, ..Config::default() });
    let f = files();
    c.execute("kubectl apply -f web.yaml", &f);
    let watch = c.submit("kubectl get pods -w", &f);
    let outcome = c.run_until_idle();
    assert!(outcome.idle, "an open watch does not keep the cluster busy");
    assert!(c.output(watch).is_none(), "still open at idle");
    let first = c.running_output(watch).expect("running").stdout.clone();
    assert!(first.starts_with("NAME"), "{first}");
    assert_eq!(first.lines().count(), 3, "{first}");

    // A later command's changes print in the open stream.
    let scaled = c.execute("kubectl scale deployment web --replicas=3", &f);
    assert!(scaled.success(), "{scaled:?}");
    let later = c.running_output(watch).expect("still running").stdout.clone();
    assert!(later.len() > first.len() && later.starts_with(&first), "{later}");
    assert!(later.lines().count() >= 5, "the new pod's rows: {later}");

    // Virtual time passing (`run`) keeps it open too.
    c.execute("run 2m", &f);
    assert!(c.output(watch).is_none());

    assert!(c.interrupt(watch));
    let out = c.output(watch).expect("ended").clone();
    assert!(out.stdout.ends_with("^C\n"), "{}", out.stdout);
    assert!(out.stdout.starts_with(&later));
    assert_eq!(out.exit_code, 130);
    assert!(!c.interrupt(watch), "only once");
    // After the interrupt nothing more is printed into it.
    c.execute("kubectl scale deployment web --replicas=1", &f);
    assert_eq!(c.output(watch).map(|o| o.stdout.clone()), Some(out.stdout));
}

#[test]
fn without_the_option_the_stream_ends_at_idle() {
    let mut c = Cluster::new(Config::default());
    let f = files();
    c.execute("kubectl apply -f web.yaml", &f);
    let watch = c.submit("kubectl get pods -w", &f);
    c.run_until_idle();
    let out = c.output(watch).expect("a script's watch ends at idle");
    assert_eq!(out.exit_code, 0);
    assert!(!out.stdout.contains("^C"));
    assert!(!c.interrupt(watch));
}
