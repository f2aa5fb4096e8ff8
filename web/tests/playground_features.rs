//! The playground's state driven natively as the page drives it: a command run in slices with the
//! views following it, nodes added and removed through the command language, and etcd's history
//! (a key's writes, the WAL, a revision's trace record, compaction).

use kubeplay_web::state::{next_node_name, Action, Playground};
use std::rc::Rc;
use yew::Reducible;

fn apply(manifest: &str) -> Rc<Playground> {
    let p = Rc::new(Playground::default()).reduce(Action::Edit(manifest.into()));
    p.reduce(Action::Apply)
}

/// Sends slices of `steps` until the command is over; returns the state and how many slices.
fn settle(mut p: Rc<Playground>, steps: usize) -> (Rc<Playground>, usize) {
    let mut slices = 0;
    while p.running.is_some() {
        p = p.reduce(Action::Continue(steps));
        slices += 1;
        assert!(slices < 100_000, "the run ends");
    }
    (p, slices)
}

const TEN: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 10
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: 'nginx:1.27'}]
";

/// The learner's pods only: kubeadm's CoreDNS pods run in kube-system from the start.
fn running_pods(p: &Playground) -> usize {
    p.view.nodes.iter().flat_map(|n| &n.pods).filter(|c| c.status == "Running" && c.namespace == "default").count()
}

#[test]
fn an_apply_runs_in_slices_and_the_map_fills_in_as_it_goes() {
    let p = apply(TEN);
    let running = p.running.clone().expect("Apply only starts the command");
    assert_eq!(running.line, "kubectl apply -f -");
    assert_eq!(running_pods(&p), 0);
    assert!(p.session.inputs.len() == 1, "the command is in the session from the start");
    // Slice by slice: the store moves on, the terminal shows the command's output once it is
    // done, and the pods come up one after the other.
    let mut p = p;
    let mut seen = Vec::new();
    let mut slices = 0;
    while p.running.is_some() {
        p = p.reduce(Action::Continue(1));
        slices += 1;
        seen.push((p.view.revision, running_pods(&p)));
        if p.running.is_some() && !p.transcript.is_empty() {
            assert_eq!(p.transcript[0].1.stdout, "deployment.apps/web created\n", "printed before the cluster is done");
        }
    }
    assert!(slices > 5, "a 10-replica apply takes several slices of one event ({slices})");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "the revision only grows");
    let mut revisions: Vec<i64> = seen.iter().map(|(r, _)| *r).collect();
    revisions.dedup();
    assert!(revisions.len() > 5, "the views followed the store through the run: {seen:?}");
    assert_eq!(seen[0].1, 0, "no pod runs after the first slice");
    assert_eq!(running_pods(&p), 10);
    assert_eq!(p.transcript.len(), 1, "one terminal entry");
    // The same session replayed in one go is the same cluster.
    let again = Playground::from_session(p.session.clone());
    assert_eq!(again.view.keys, p.view.keys);
    assert_eq!(again.last_seq, p.last_seq);
}

#[test]
fn a_second_command_finishes_the_first_and_a_continue_after_the_end_changes_nothing() {
    let p = apply(TEN).reduce(Action::Continue(10));
    let p = p.reduce(Action::Run("kubectl get deploy web".into()));
    assert!(p.transcript[0].1.stdout.starts_with("deployment.apps/web created"));
    let (p, _) = settle(p, 1000);
    assert!(p.last.as_ref().unwrap().1.stdout.contains("10/10"), "{:?}", p.last);
    let same = p.clone().reduce(Action::Continue(10));
    assert!(Rc::ptr_eq(&p, &same), "no run, no new state");
}

#[test]
fn nodes_are_added_and_removed_through_the_command_language() {
    let (p, _) = settle(Rc::new(Playground::default()), 200);
    let name = next_node_name(&p.view.nodes);
    assert_eq!(name, "node-4");
    // The new kubelet registers its Node at the control plane's next step, which the next
    // command brings.
    let (p, _) = settle(p.reduce(Action::Run(format!("node add {name}"))), 200);
    let (p, _) = settle(p.reduce(Action::Run("kubectl get nodes".into())), 200);
    assert!(p.view.nodes.iter().any(|n| n.name == "node-4" && n.status == "Ready"), "{:?} {:?}", p.last, p.view.nodes);
    assert_eq!(p.session.inputs[p.session.inputs.len() - 2].line, "node add node-4");
    let (p, _) = settle(p.reduce(Action::Run("node remove node-2".into())), 200);
    assert!(!p.view.nodes.iter().any(|n| n.name == "node-2"));
    assert_eq!(p.last.as_ref().unwrap().1.exit_code, 0, "{:?}", p.last);
}

#[test]
fn etcd_history_wal_and_revisions() {
    let (p, _) = settle(apply(TEN), 500);
    let key = "/registry/deployments/default/web";
    let history = p.key_history(key, p.view.revision, 100);
    assert_eq!(history[0].op, "create");
    assert_eq!(history[0].version, 1);
    assert!(history.len() > 2 && history[1..].iter().all(|w| w.op == "update"), "{history:?}");
    assert!(history.windows(2).all(|w| w[0].revision < w[1].revision && w[0].version + 1 == w[1].version));
    // Only the writes up to a revision, and the newest `max`.
    let created = history[0].revision.main;
    assert_eq!(p.key_history(key, created, 100).len(), 1);
    assert_eq!(p.key_history(key, p.view.revision, 2).len(), 2);

    let wal = p.wal_rows(p.view.revision, 50);
    assert_eq!(wal.len(), 50);
    assert!(wal.windows(2).all(|w| w[0].revision > w[1].revision), "newest first");
    assert!(p.wal_rows(created, 10_000).iter().any(|w| w.key == key && w.op == "create"));
    assert!(p.wal_rows(created, 10_000).iter().all(|w| w.revision.main <= created));
    assert!(p.wal_rows(p.view.revision, 10_000).iter().any(|w| w.key.starts_with("/registry/events/") && w.lease != 0), "events carry a lease");
    assert!(p.raft_log().entries > 0 && p.raft_log().term == 2);

    // "As of revision": the cursor goes where etcd reached it, and the keys are the keyspace then.
    let seq = p.seq_at_revision(created).expect("a record after it");
    let p = p.reduce(Action::Seek(seq));
    assert_eq!(p.view.revision, created);
    assert!(p.view.keys.iter().any(|k| k.key == key));
    assert!(!p.view.keys.iter().any(|k| k.key.starts_with("/registry/pods/default/")), "no pod yet at the Deployment's create");
    let seq = p.seq_at_revision(created - 1).unwrap();
    let p = p.reduce(Action::Seek(seq));
    assert!(!p.view.keys.iter().any(|k| k.key == key), "one revision earlier it is not there");
    assert_eq!(p.seq_at_revision(i64::MAX), None, "beyond the newest: live");

    // After a compaction the earlier revisions are gone and the page says where it happened.
    assert_eq!(p.compact_revision(), -1);
    let (p, _) = settle(p.reduce(Action::Live).reduce(Action::Run(format!("etcdctl compact {}", created + 5))), 100);
    assert_eq!(p.compact_revision(), created + 5);
    let history = p.key_history(key, p.view.revision, 100);
    assert!(history[0].revision.main <= created + 5 && history[0].revision.main > created, "older writes compacted: {history:?}");
    let seq = p.seq_at_revision(created).unwrap();
    let p = p.reduce(Action::Seek(seq));
    assert!(p.view.keys.is_empty(), "a read below the compaction point has nothing");
}

#[test]
fn the_maps_tooltips_describe_what_is_on_it() {
    use kubeplay_web::i18n::Lang;
    use kubeplay_web::views::cluster_map_tooltip::{node_tip, pod_tip, tip_of_component};
    let (p, _) = settle(apply(TEN), 500);
    let node = p.view.nodes.iter().find(|n| !n.pods.is_empty()).expect("a node with pods");
    let tip = pod_tip(Lang::En, &node.pods[0], &node.name, (10, 20));
    assert_eq!(tip.kind, "Pod");
    assert_eq!(tip.name, format!("default/{}", node.pods[0].name));
    assert_eq!(tip.status, "Running");
    assert_eq!(tip.node, node.name);
    assert!(tip.owner.starts_with("ReplicaSet/web-"));
    let ko = pod_tip(Lang::Ko, &node.pods[0], &node.name, (10, 20));
    assert!(ko.about.contains("파드"), "{}", ko.about);
    let cp = &p.view.nodes[0];
    assert!(node_tip(Lang::En, cp, (0, 0)).about.starts_with("The control-plane node"));
    let etcd = tip_of_component(Lang::En, &kubeplay_web::state::Component::Etcd, &cp.name, false, (0, 0));
    assert_eq!((etcd.name.as_str(), etcd.node.as_str()), ("etcd", "control-plane"));
    assert!(etcd.about.starts_with("etcd: the key-value store"));
}

/// A `kubectl get -w` in the page's terminal stays open as later commands change the cluster,
/// its entry growing, until Ctrl+C; the session records the `^C` and a replay prints the same.
#[test]
fn an_open_watch_grows_until_ctrl_c_and_replays_the_same() {
    let (p, _) = settle(apply(TEN), 200);
    let (p, _) = settle(p.reduce(Action::Run("kubectl get deployments -w".into())), 200);
    assert!(p.watching.is_some(), "still watching at idle");
    let first = p.transcript.last().unwrap().1.stdout.clone();
    assert!(first.starts_with("NAME"), "{first}");
    let (p, _) = settle(p.reduce(Action::Run("kubectl scale deployment web --replicas=12".into())), 200);
    let grown = p.transcript.iter().rev().find(|(l, _)| l == "kubectl get deployments -w").unwrap().1.stdout.clone();
    assert!(grown.len() > first.len() && grown.starts_with(&first), "{grown}");
    let p = p.reduce(Action::Interrupt);
    assert!(p.watching.is_none());
    let ended = p.transcript.iter().rev().find(|(l, _)| l == "kubectl get deployments -w").unwrap().1.clone();
    assert!(ended.stdout.ends_with("^C\n"), "{}", ended.stdout);
    assert_eq!(p.session.inputs.last().map(|i| i.line.as_str()), Some("^C"));
    // After Ctrl+C the stream prints nothing more.
    let (p, _) = settle(p.reduce(Action::Run("kubectl scale deployment web --replicas=3".into())), 200);
    let after = p.transcript.iter().rev().find(|(l, _)| l == "kubectl get deployments -w").unwrap().1.clone();
    assert_eq!(after, ended);

    let replayed = Playground::from_session(p.session.clone());
    assert_eq!(replayed.transcript, p.transcript);
    assert_eq!(replayed.revision, p.revision);
    assert!(replayed.watching.is_none());
}

/// Forking before a Ctrl+C drops the stream it ended (still open at the cursor) and the `^C`, and
/// keeps the commands that had finished, though the stream finished after them.
#[test]
fn forking_before_a_ctrl_c_keeps_the_commands_finished_by_then() {
    let (p, _) = settle(apply(TEN), 200);
    let (p, _) = settle(p.reduce(Action::Run("kubectl get deployments -w".into())), 200);
    let (p, _) = settle(p.reduce(Action::Run("kubectl scale deployment web --replicas=12".into())), 200);
    let before_ctrl_c = p.last_seq;
    let p = p.reduce(Action::Interrupt);
    let p = p.reduce(Action::Seek(before_ctrl_c));
    assert_eq!(p.cursor, Some(before_ctrl_c));
    let (p, _) = settle(p.reduce(Action::Run("kubectl get deployments".into())), 200);
    let lines: Vec<&str> = p.session.inputs.iter().map(|i| i.line.as_str()).collect();
    assert_eq!(lines, ["kubectl apply -f -", "kubectl scale deployment web --replicas=12", "kubectl get deployments"]);
    assert!(p.transcript.last().unwrap().1.stdout.contains("web "), "{:?}", p.transcript.last());
    assert_eq!(p.transcript.len(), 3);
}

#[test]
fn the_examples_are_files_the_terminal_can_apply() {
    let names: Vec<String> = kubeplay_web::state::EXAMPLES.iter().map(|e| e.file_name()).collect();
    assert!(names.contains(&"deployment-service.yaml".to_string()), "{names:?}");
    assert!(names.contains(&"a-job.yaml".to_string()), "{names:?}");
    let p = Rc::new(Playground::default()).reduce(Action::Run("kubectl apply -f a-job.yaml".into()));
    let (p, _) = settle(p, 1000);
    assert_eq!(p.transcript.last().map(|t| t.1.stdout.as_str()), Some("job.batch/pi created\n"));
    let p = p.reduce(Action::Run("kubectl apply -f nope.yaml".into()));
    let (p, _) = settle(p, 1000);
    assert_eq!(p.transcript.last().map(|t| t.1.stderr.as_str()), Some("error: the path \"nope.yaml\" does not exist\n"));
}
