//! kube-aggregator, the part of kube-apiserver that serves an API group it does not implement by
//! proxying to the server an APIService names: `v1beta1.metrics.k8s.io` is metrics-server's
//! Service `kube-system/metrics-server`. The request is authenticated and authorized by
//! kube-apiserver first (RBAC sees `pods.metrics.k8s.io`, which the `system:aggregated-metrics-reader`
//! role and the `horizontal-pod-autoscaler` controller's role grant), then the aggregated server
//! answers it; nothing is read from or written to etcd.
//!
//! The simulation's aggregated servers live with the other components; a caller that can reach
//! one passes it to [`crate::apiserver::handle_aggregated`]. A request for an aggregated group
//! that arrives without one is answered as kube-aggregator answers when the APIService has no
//! available endpoint: 503 `the server is currently unable to handle the request`.

use super::{Request, Status};
use crate::api::registry::DecodeFn;
use crate::api::KindInfo;
use serde_json::Value;

/// The resource metrics API group (`k8s.io/metrics`).
pub const METRICS_GROUP: &str = "metrics.k8s.io";
pub const METRICS_VERSION: &str = "v1beta1";

/// A server behind an APIService.
pub trait AggregatedServer {
    /// The APIService's name: `v1beta1.metrics.k8s.io`.
    fn api_service(&self) -> String;
    /// The Service kube-aggregator proxies to: `kube-system/metrics-server`.
    fn service(&self) -> String;
    /// Answers an authorized request.
    fn serve(&self, req: &Request) -> Result<Value, Status>;
}

/// True for the groups kube-apiserver serves only by proxy.
pub fn is_aggregated(kind: &KindInfo) -> bool {
    kind.group == METRICS_GROUP
}

/// The 503 kube-aggregator returns when the APIService's Service has no ready endpoint; kubectl
/// shows it with the `(get pods.metrics.k8s.io)` client-go adds to a non-Status body.
pub fn unavailable(req: &Request) -> Status {
    let verb = if req.verb == super::Verb::List { "get" } else { req.verb.name() };
    Status {
        code: 503,
        reason: "ServiceUnavailable",
        message: format!("the server is currently unable to handle the request ({verb} {}.{})", req.kind.resource, req.kind.group),
    }
}

// The metrics API's kinds are not in k8s-openapi (they live in k8s.io/metrics), and nothing
// decodes them from a manifest: kube-apiserver only proxies them.
fn no_decode(_: &str) -> Result<Value, serde_yaml::Error> {
    Ok(Value::Null)
}

fn no_check(_: &Value) -> Result<(), serde_json::Error> {
    Ok(())
}

const NO_DECODE: DecodeFn = no_decode;

/// `metrics.k8s.io/v1beta1` PodMetrics (`pods.metrics.k8s.io`).
pub static POD_METRICS: KindInfo = KindInfo {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    kind: "PodMetrics",
    resource: "pods",
    namespaced: true,
    persisted: false,
    decode: NO_DECODE,
    check_json: no_check,
};

/// `metrics.k8s.io/v1beta1` NodeMetrics (`nodes.metrics.k8s.io`).
pub static NODE_METRICS: KindInfo = KindInfo {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    kind: "NodeMetrics",
    resource: "nodes",
    namespaced: false,
    persisted: false,
    decode: NO_DECODE,
    check_json: no_check,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::Verb;

    #[test]
    fn the_metrics_kinds_have_the_aggregated_paths() {
        let req = Request::new(Verb::List, &POD_METRICS, "default", "");
        assert_eq!(req.path(), "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
        assert!(is_aggregated(req.kind));
        assert_eq!(unavailable(&req).message, "the server is currently unable to handle the request (get pods.metrics.k8s.io)");
        let node = Request::new(Verb::Get, &NODE_METRICS, "", "node-1");
        assert_eq!(node.path(), "/apis/metrics.k8s.io/v1beta1/nodes/node-1");
    }

    /// An aggregated server that answers every request with the same list.
    struct Fixed;

    impl AggregatedServer for Fixed {
        fn api_service(&self) -> String {
            "v1beta1.metrics.k8s.io".into()
        }
        fn service(&self) -> String {
            "kube-system/metrics-server".into()
        }
        fn serve(&self, _: &Request) -> Result<Value, Status> {
            Ok(serde_json::json!({"kind": "PodMetricsList", "items": []}))
        }
    }

    #[test]
    fn the_pipeline_proxies_after_authorization_or_answers_503() {
        use crate::apiserver::{handle, handle_aggregated, Context, User};
        use crate::sim::{Rng, Time};
        use crate::store::Store;
        use crate::trace::Trace;
        let (mut store, mut trace, mut rng, mut next) = (Store::new(), Trace::with_capacity(1_000), Rng::new(1), 1);
        let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(0), next_request_id: &mut next, memory: &mut Default::default() };
        let mut req = Request::new(Verb::List, &POD_METRICS, "default", "");
        req.user = User::apiserver();
        let without = handle(&mut ctx, &req).result.unwrap_err();
        assert_eq!((without.code, without.reason), (503, "ServiceUnavailable"));
        let with = handle_aggregated(&mut ctx, &req, &Fixed).result.unwrap();
        assert_eq!(with["kind"], "PodMetricsList");
        let detail = ctx.trace.records().filter_map(|r| match &r.event {
            crate::trace::Event::Stage { detail, .. } if detail.starts_with("proxied") => Some(detail.clone()),
            _ => None,
        }).next();
        assert_eq!(detail.as_deref(), Some("proxied to APIService v1beta1.metrics.k8s.io (service kube-system/metrics-server)"));
        // A user RBAC does not allow is stopped before the proxy.
        req.user = User::named("jane", &[]);
        let denied = handle_aggregated(&mut ctx, &req, &Fixed).result.unwrap_err();
        assert_eq!(denied.code, 403);
    }
}
