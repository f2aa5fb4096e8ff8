//! Small versions of issue 8's benchmarks (`core/benches/kubeplay_bench.rs`, `make bench`): the
//! same library workloads (`kubeplay::bench`) at sizes that run in seconds, checking that each
//! still runs and that its result is right — pods bound within their nodes' room, every replica
//! Running, every write stored and admitted, every watch event delivered. Speed is not checked
//! here; BENCHMARKS.md holds the figures.

use kubeplay::bench::{api_writes, scale, scheduling, store};

#[test]
fn scheduling_basic_binds_every_pod_within_the_nodes_room() {
    let w = scheduling::SchedulingBasic { nodes: 8, init_pods: 10, measure_pods: 40, seed: 1 };
    let mut run = w.setup();
    let reqs = run.pod_requests(w.init_pods);
    run.create(reqs).expect("init pods created");
    assert_eq!(run.schedule(100_000), Ok(true));
    let reqs = run.pod_requests(w.measure_pods);
    assert_eq!(reqs.len(), 40);
    assert_eq!(reqs[0].name, "pod-00010", "measured pods follow the init pods");
    run.create(reqs).expect("measured pods created");
    assert_eq!(run.schedule(100_000), Ok(true));
    assert_eq!(run.progress(), (50, 50));
    let counts = run.verify(w.nodes).expect("every pod bound");
    assert_eq!((counts.total, counts.bound), (50, 50));
}

#[test]
fn scheduling_the_same_seed_places_the_same_pods_on_the_same_nodes() {
    let placement = |seed| {
        let w = scheduling::SchedulingBasic { nodes: 4, init_pods: 0, measure_pods: 20, seed };
        let mut run = w.setup();
        let reqs = run.pod_requests(w.measure_pods);
        run.create(reqs).expect("pods created");
        assert_eq!(run.schedule(100_000), Ok(true));
        run.cluster.trace().records().filter_map(|r| match &r.event {
            // The workload's pods (CoreDNS's were placed as the cluster started).
            kubeplay::trace::Event::Scheduling(a) if a.pod.starts_with("default/pod-") => Some(format!("{} {:?}", a.pod, a.selected_node)),
            _ => None,
        }).collect::<Vec<_>>()
    };
    let a = placement(3);
    assert_eq!(a.len(), 20);
    assert_eq!(a, placement(3));
}

#[test]
fn scale_runs_every_replica() {
    let w = scale::Scale { nodes: 3, replicas: 60, ..scale::Scale::default() };
    let mut run = w.setup();
    run.apply();
    let mut slices = 0;
    while !run.run(500) {
        slices += 1;
        assert!(slices < 10_000, "the run goes idle");
    }
    let counts = run.verify().expect("every replica Running");
    assert_eq!((counts.total, counts.bound, counts.running), (60, 60, 60));
}

#[test]
fn api_writes_store_every_create_and_update_through_admission() {
    let w = api_writes::ApiWrites { objects: 100, seed: 1 };
    let mut run = w.setup();
    let creates = run.create_requests();
    assert_eq!(run.send(creates), Ok(100));
    assert!(run.stored_object_bytes() > 500, "a defaulted, admitted pod: {} B", run.stored_object_bytes());
    let updates = run.update_requests();
    assert_eq!(updates.len(), 100);
    assert_eq!(run.send(updates), Ok(100));
    assert_eq!(run.verify(), Ok(100));
}

#[test]
fn store_puts_gets_and_fans_out_every_event() {
    let mut s = kubeplay::store::Store::with_config(store::config());
    assert_eq!(store::put_all(&mut s, store::put_requests(5000)), Ok(5001));
    assert_eq!(store::get_all(&s, &store::get_requests(2000, 5000)), 2000);
    let mut fan = store::FanOut::new(1000);
    assert_eq!(fan.run(250), 250 * 1000);
}
