//! The inspector's Scheduler view's rows and cells (state/scheduler_table.rs): from a hand-built
//! attempt, and from the playground with the cursor on a real kube-scheduler record.

use kubeplay::trace::scheduling::{NodeResult, Preemption, ScorePlugin, ScoreResult, SchedulingAttempt};
use kubeplay_web::state::{Action, CellState, Outcome, Playground, SchedulerTable};
use std::rc::Rc;
use yew::Reducible;

fn score(p: &'static str, raw: i64, normalized: i64, weight: i64) -> ScoreResult {
    ScoreResult { plugin: p, ran: true, raw, normalized, weighted: normalized * weight }
}

fn attempt() -> SchedulingAttempt {
    SchedulingAttempt {
        pod: "default/web".into(),
        pod_uid: "u".into(),
        priority: 0,
        attempt: 2,
        nodes_total: 3,
        nodes_to_find: 3,
        filter_plugins: vec!["TaintToleration", "NodeResourcesFit"],
        score_plugins: vec![ScorePlugin { name: "TaintToleration", weight: 3 }, ScorePlugin { name: "ImageLocality", weight: 1 }],
        pre_filter_rejection: None,
        nodes: vec![
            NodeResult::rejected_row("control-plane", 0, "node(s) had untolerated taint {a: }", true),
            {
                let mut row = NodeResult::feasible_row("node-1", 2);
                row.set_scores(&[score("TaintToleration", 0, 100, 3), ScoreResult { plugin: "ImageLocality", ran: false, raw: 0, normalized: 0, weighted: 0 }], Some(300));
                row
            },
            NodeResult::rejected_row("node-2", 1, "Insufficient cpu", false),
        ],
        nodes_summarised: 0,
        feasible_summarised: 0,
        scoring_skipped: false,
        selected_node: Some("node-1".into()),
        tied_nodes: 1,
        preemption: None,
        message: "Successfully assigned default/web to node-1".into(),
    }
}

#[test]
fn filters_are_ticks_or_red_reasons_and_the_rest_did_not_run() {
    let t = SchedulerTable::from_attempt(&attempt());
    assert_eq!(t.feasible, 1);
    let cp = &t.rows[0];
    assert!(!cp.feasible && !cp.chosen);
    assert_eq!(cp.filters[0].state, CellState::Failed);
    assert_eq!(cp.filters[0].text, "✗ node(s) had untolerated taint {a: }");
    assert_eq!(cp.filters[0].title, "TaintToleration: node(s) had untolerated taint {a: } (UnschedulableAndUnresolvable)");
    assert_eq!(cp.filters[1].state, CellState::NotRun, "the framework stops at the first rejection");
    assert!(cp.scores.is_empty(), "an infeasible node is not scored");
    let n2 = &t.rows[2];
    assert_eq!((n2.filters[0].text.as_str(), n2.filters[1].state), ("✓", CellState::Failed));
    assert_eq!(n2.filters[1].title, "NodeResourcesFit: Insufficient cpu");
}

#[test]
fn feasible_nodes_show_each_score_and_the_chosen_one() {
    let t = SchedulerTable::from_attempt(&attempt());
    let n1 = &t.rows[1];
    assert!(n1.feasible && n1.chosen);
    assert_eq!(n1.scores[0].text, "0 → 100 ×3 = 300");
    assert_eq!(n1.scores[1].state, CellState::Skipped, "PreScore Skip");
    assert_eq!(n1.total, Some(300));
    assert_eq!(t.score_plugins, [("TaintToleration".to_string(), 3), ("ImageLocality".to_string(), 1)]);
    assert_eq!(t.outcome, Outcome::Bound { node: "node-1".into(), message: "Successfully assigned default/web to node-1".into() });
}

#[test]
fn preemption_nominates_a_node_and_names_the_victims() {
    let mut a = attempt();
    a.selected_node = None;
    a.preemption = Some(Preemption { nominated_node: Some("node-2".into()), victims: vec!["default/low".into()], message: String::new() });
    a.message = "0/3 nodes are available: 1 Insufficient cpu.".into();
    let t = SchedulerTable::from_attempt(&a);
    assert!(matches!(&t.outcome, Outcome::Nominated { node, victims, .. } if node == "node-2" && victims == &["default/low".to_string()]));
    assert!(t.rows[2].chosen, "the nominated node is highlighted");
    a.preemption = Some(Preemption { nominated_node: None, victims: vec![], message: "preemption: not eligible".into() });
    let t = SchedulerTable::from_attempt(&a);
    assert_eq!(t.outcome, Outcome::Failed { message: "0/3 nodes are available: 1 Insufficient cpu.".into() });
    assert!(t.rows.iter().all(|r| !r.chosen));
}

#[test]
fn the_cursor_on_a_scheduling_record_shows_its_table() {
    let mut p = Rc::new(Playground::default()).reduce(Action::Apply);
    while p.running.is_some() {
        p = p.reduce(Action::Continue(200));
    }
    assert!(p.view.scheduling.is_none(), "live, the cursor is on no scheduling record");
    let steps = p.steps_near(p.last_seq, p.last_seq);
    let seq = steps.iter().find(|s| s.text.contains("scheduling shop/")).expect("a scheduling record").seq;
    let p = p.reduce(Action::Seek(seq));
    let t = p.view.scheduling.clone().expect("the table at a scheduling record");
    assert!(t.pod.starts_with("shop/web-"), "{}", t.pod);
    assert_eq!(t.rows.len(), 4, "control-plane and three workers");
    let Outcome::Bound { node, .. } = &t.outcome else { panic!("{:?}", t.outcome) };
    assert!(t.rows.iter().any(|r| r.chosen && &r.node == node));
    let cp = t.rows.iter().find(|r| r.node == "control-plane").unwrap();
    assert!(cp.filters.iter().any(|c| c.state == CellState::Failed && c.text.contains("untolerated taint")), "{:?}", cp.filters);
    let p = p.reduce(Action::StepForward);
    assert!(p.view.scheduling.is_none() || p.view.step.as_ref().is_some_and(|s| s.text.contains("scheduling ")));
}

#[test]
fn a_binding_request_and_a_pods_object_view_show_the_attempt_behind_them() {
    use kubeplay_web::state::scheduler_table::{pod_of_binding, pod_of_key};
    assert_eq!(pod_of_binding("/api/v1/namespaces/shop/pods/web-1/binding").as_deref(), Some("shop/web-1"));
    assert_eq!(pod_of_binding("/api/v1/namespaces/shop/pods/web-1"), None);
    assert_eq!(pod_of_key("/registry/pods/shop/web-1").as_deref(), Some("shop/web-1"));
    assert_eq!(pod_of_key("/registry/pods/shop"), None);

    let mut p = Rc::new(Playground::default()).reduce(Action::Apply);
    while p.running.is_some() {
        p = p.reduce(Action::Continue(200));
    }
    let steps = p.steps_near(p.last_seq, p.last_seq);
    let binding = steps.iter().find(|s| s.text.contains("/binding")).expect("a binding request").seq;
    let p = p.reduce(Action::Seek(binding));
    let request = p.view.request.clone().expect("the cursor is in the binding request");
    let bound = pod_of_binding(&request.path).expect("a binding path");
    let t = p.view.scheduling.clone().expect("the binding shows the attempt it carries out");
    assert_eq!(t.pod, bound);
    assert!(matches!(t.outcome, Outcome::Bound { .. }), "{:?}", t.outcome);

    let p = p.reduce(Action::Live).reduce(Action::SelectKey(format!("/registry/pods/{bound}")));
    let o = p.view.object.clone().expect("the pod is selected");
    assert_eq!(o.scheduling.map(|t| t.pod), Some(bound), "a pod's object view carries its last attempt");
}

#[test]
fn a_large_cluster_says_where_the_filters_stopped() {
    let mut a = attempt();
    assert_eq!(SchedulerTable::from_attempt(&a).nodes_searched, 3, "every node below 100");
    a.nodes_total = 1000;
    a.nodes_to_find = 420;
    let t = SchedulerTable::from_attempt(&a);
    assert_eq!((t.nodes_searched, t.nodes_to_find, t.nodes_total), (3, 420, 1000));
}
