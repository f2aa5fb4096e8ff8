//! The requests each imperative command sends, checked against what kubectl sends.

use crate::cli::MemoryFiles;
use crate::trace::Event;
use crate::{Cluster, Config};

/// The requests one command sent, as `METHOD path` lines.
fn requests_of(cluster: &mut Cluster, line: &str) -> Vec<String> {
    let before = cluster.trace().records().len();
    let out = cluster.execute(line, &MemoryFiles::new());
    assert!(out.success(), "{line}: {}", out.stderr);
    let mut cause = None;
    let mut sent = Vec::new();
    for r in cluster.trace().records().skip(before) {
        match &r.event {
            Event::Command { .. } if cause.is_none() => cause = Some(r.seq),
            Event::Request { verb, path, cause: c, dry_run, .. } if *c == cause => {
                sent.push(format!("{verb} {path}{}", if *dry_run { " (dry run)" } else { "" }));
            }
            _ => {}
        }
    }
    sent
}

#[test]
fn each_command_sends_what_kubectl_sends() {
    let mut c = Cluster::new(Config::default());
    assert_eq!(requests_of(&mut c, "kubectl create deployment web --image=nginx"), ["POST /apis/apps/v1/namespaces/default/deployments"]);
    assert_eq!(
        requests_of(&mut c, "kubectl scale deploy/web --replicas=3"),
        ["GET /apis/apps/v1/namespaces/default/deployments/web", "PATCH /apis/apps/v1/namespaces/default/deployments/web/scale"]
    );
    assert_eq!(
        requests_of(&mut c, "kubectl label deploy web tier=front --dry-run=server"),
        ["GET /apis/apps/v1/namespaces/default/deployments/web", "PATCH /apis/apps/v1/namespaces/default/deployments/web (dry run)"]
    );
    assert_eq!(requests_of(&mut c, "kubectl set image deploy/web nginx=nginx:1.28 --dry-run=client"), ["GET /apis/apps/v1/namespaces/default/deployments/web"]);
    assert_eq!(
        requests_of(&mut c, "kubectl expose deploy web --port=80"),
        ["GET /apis/apps/v1/namespaces/default/deployments/web", "POST /api/v1/namespaces/default/services"]
    );
    assert_eq!(requests_of(&mut c, "kubectl cordon node-1"), ["GET /api/v1/nodes/node-1", "PATCH /api/v1/nodes/node-1"]);
}
