//! kube-scheduler in a cluster of 100 nodes or more: a cycle's filters stop once
//! `numFeasibleNodesToFind` nodes passed (the adaptive `percentageOfNodesToScore`: at 150 nodes
//! that is 100), and the next cycle starts where the last stopped (`nextStartNodeIndex`), so
//! successive pods are filtered against different slices of the node list. Below 100 nodes
//! every node is filtered (the other scenarios).

use kubeplay::cli::MemoryFiles;
use kubeplay::{Cluster, Config};

#[test]
fn the_filters_stop_at_num_feasible_nodes_to_find_and_the_next_cycle_goes_on_from_there() {
    let mut config = Config { seed: 7, ..Config::default() };
    config.nodes.workers = 150;
    let mut cluster = Cluster::new(config);
    let files = MemoryFiles::new();
    for name in ["first", "second"] {
        let out = cluster.execute(&format!("kubectl run {name} --image=nginx"), &files);
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
    }
    let first = cluster.execute("scheduler explain pod/first", &files).stdout;
    let second = cluster.execute("scheduler explain pod/second", &files).stdout;
    for explain in [&first, &second] {
        assert!(explain.contains("Nodes:     151 in the snapshot\n"), "{explain}");
        // 100 feasible workers, plus the tainted control-plane node when the slice crossed it.
        let searched = ["100", "101"].map(|n| format!("Searched:  {n} of them: the filters stop at 100 feasible nodes (numFeasibleNodesToFind, the adaptive percentageOfNodesToScore)\n"));
        assert!(searched.iter().any(|s| explain.contains(s.as_str())), "{explain}");
    }
    // The first node each cycle filtered: the second starts where the first stopped.
    let first_row = |explain: &str| explain.lines().skip_while(|l| !l.starts_with("NODE")).nth(1).and_then(|l| l.split_whitespace().next()).map(str::to_string);
    let (a, b) = (first_row(&first), first_row(&second));
    assert!(a.is_some() && b.is_some() && a != b, "{a:?} {b:?}");
}
