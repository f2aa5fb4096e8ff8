//! A native timing harness for the page's derived state (issue 8's UI goals): applies a
//! 1,000-replica Deployment to the default cluster as the page does (slice by slice), then steps
//! the trace one record at a time, timing each reduce. Ignored in `cargo test`; run on purpose
//! with `cargo test --release -p kubeplay-web --lib perf -- --ignored --nocapture`.

use super::*;
use std::time::Instant;
use yew::Reducible;

const MANY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: many\nspec:\n  replicas: 1000\n  selector:\n    matchLabels: {app: many}\n  template:\n    metadata:\n      labels: {app: many}\n    spec:\n      containers:\n      - name: pause\n        image: registry.k8s.io/pause:3.10.1\n";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0)
}

fn summary(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let total: f64 = v.iter().sum();
    println!("{name}: n {} p50 {:.2} ms p95 {:.2} ms max {:.2} ms total {:.0} ms", v.len(), percentile(&v, 0.5), percentile(&v, 0.95), v.last().copied().unwrap_or(0.0), total);
}

#[test]
#[ignore]
fn step_and_apply_timings_natively() {
    let p = Rc::new(Playground::new(1, MANY.to_string()));
    let t = Instant::now();
    let mut p = p.reduce(Action::Apply);
    let mut slices = Vec::new();
    let mut steps = 1usize;
    while p.running.is_some() {
        let t = Instant::now();
        p = p.reduce(Action::Continue(steps));
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        slices.push(ms);
        steps = ((steps as f64 * 30.0 / ms.max(1.0)) as usize).clamp(steps / 2, steps * 2).clamp(1, 20_000);
    }
    println!("apply of 1,000 replicas: {:.0} ms in {} slices; trace {}..{}, revision {}", t.elapsed().as_secs_f64() * 1000.0, slices.len(), p.first_seq, p.last_seq, p.revision);
    summary("apply slices", slices);
    let pods: usize = p.view.nodes.iter().map(|n| n.pods.len()).sum();
    println!("pods on the map: {pods}, keys {}", p.view.keys.len());
    let mut back = Vec::new();
    for _ in 0..120 {
        let t = Instant::now();
        p = p.reduce(Action::StepBack);
        back.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    summary("step back", back);
    let mut fwd = Vec::new();
    for _ in 0..120 {
        let t = Instant::now();
        p = p.reduce(Action::StepForward);
        fwd.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    summary("step forward", fwd);
    let at = p.cursor.unwrap_or(p.last_seq);
    let t = Instant::now();
    for _ in 0..20 {
        let _ = p.steps_near(at, 40);
    }
    println!("steps_near: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0 / 20.0);
    let t = Instant::now();
    for _ in 0..20 {
        let _ = p.raft_log();
    }
    println!("raft_log: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0 / 20.0);
    let t = Instant::now();
    for _ in 0..20 {
        let _ = (*p).clone();
    }
    println!("Playground clone: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0 / 20.0);
    breakdown(&p);
}

/// Each part of `refresh` at the cursor, timed on its own.
fn breakdown(p: &Playground) {
    let shared = p.cluster.clone();
    let cluster = shared.borrow();
    let time = |name: &str, f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..10 {
            f();
        }
        println!("  {name}: {:.2} ms", t.elapsed().as_secs_f64() * 100.0);
    };
    let at = p.cursor.unwrap_or(p.last_seq);
    time("collect refs", &mut || {
        let _: Vec<&Record> = cluster.trace().records().collect();
    });
    let refs: Vec<&Record> = cluster.trace().records().collect();
    time("revision_at", &mut || {
        let _ = timeline::revision_at(refs.iter().copied(), at, 1);
    });
    let revision = timeline::revision_at(refs.iter().copied(), at, 1);
    let id = refs.iter().find(|r| r.seq == at).and_then(|r| timeline::request_of(&r.event));
    println!("  at {at} request {id:?} revision {revision}");
    time("request_upto", &mut || {
        let _ = id.and_then(|id| timeline::request_upto(&refs, id, at));
    });
    time("caused_tree", &mut || {
        let root = id.map(timeline::Root::Request).unwrap_or(timeline::Root::Record(at));
        let _ = timeline::caused_tree(&refs, root, MAX_CAUSED);
    });
    time("key_rows", &mut || {
        let _ = key_rows(&cluster, revision);
    });
    time("cluster_map", &mut || {
        let _ = cluster_map::cluster_map(cluster.store(), revision, MAX_PODS_PER_NODE);
    });
    time("component_at", &mut || {
        let _ = timeline::component_at(&refs, at);
    });
    time("last_attempt", &mut || {
        let _ = scheduler_table::last_attempt(&refs, at, "default/many-x");
    });
}

fn corpus_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            corpus_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Apply of every corpus manifest (`KUBEPLAY_CORPUS`) in a fresh session, as the page's Apply
/// runs it (one slice to idle): the work behind the browser's Apply-to-map figure, less the render.
#[test]
#[ignore]
fn corpus_apply_natively() {
    let dir = std::env::var("KUBEPLAY_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let mut files = Vec::new();
    corpus_files(std::path::Path::new(&dir), &mut files);
    // Each manifest applied this many times, its fastest kept (single runs vary by half).
    let repeat: usize = std::env::var("KUBEPLAY_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let mut rows = Vec::new();
    for f in &files {
        let Ok(yaml) = std::fs::read_to_string(f) else { continue };
        let mut best = (f64::MAX, 0.0, 0);
        for _ in 0..repeat.max(1) {
            let p = Rc::new(Playground::new(1, yaml.clone()));
            let t = Instant::now();
            let mut p = p.reduce(Action::Apply).reduce(Action::Continue(20_000));
            let first = t.elapsed().as_secs_f64() * 1000.0;
            let mut slices = 1;
            while p.running.is_some() {
                p = p.reduce(Action::Continue(20_000));
                slices += 1;
            }
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if ms < best.0 {
                best = (ms, first, slices);
            }
        }
        rows.push((best.0, best.1, best.2, f.display().to_string()));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for r in rows.iter().rev().take(40) {
        println!("{:7.2} ms (first slice {:6.2}, {} slices) {}", r.0, r.1, r.2, r.3);
    }
    summary("corpus apply", rows.iter().map(|r| r.0).collect());
}
