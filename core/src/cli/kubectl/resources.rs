//! Resource type names as kubectl resolves them from discovery: plurals, singulars (the kind in
//! lower case), short names (`po`, `deploy`, `svc`), and `resource.group` / `resource.version.group`.

use crate::api::{all_kinds, KindInfo};

/// Short names from the real discovery documents (`kubectl api-resources`, Kubernetes 1.3x).
pub const SHORT_NAMES: &[(&str, &[&str])] = &[
    ("componentstatuses", &["cs"]),
    ("configmaps", &["cm"]),
    ("endpoints", &["ep"]),
    ("events", &["ev"]),
    ("limitranges", &["limits"]),
    ("namespaces", &["ns"]),
    ("nodes", &["no"]),
    ("persistentvolumeclaims", &["pvc"]),
    ("persistentvolumes", &["pv"]),
    ("pods", &["po"]),
    ("replicationcontrollers", &["rc"]),
    ("resourcequotas", &["quota"]),
    ("serviceaccounts", &["sa"]),
    ("services", &["svc"]),
    ("customresourcedefinitions", &["crd", "crds"]),
    ("daemonsets", &["ds"]),
    ("deployments", &["deploy"]),
    ("replicasets", &["rs"]),
    ("statefulsets", &["sts"]),
    ("horizontalpodautoscalers", &["hpa"]),
    ("cronjobs", &["cj"]),
    ("certificatesigningrequests", &["csr"]),
    ("ingresses", &["ing"]),
    ("networkpolicies", &["netpol"]),
    ("poddisruptionbudgets", &["pdb"]),
    ("priorityclasses", &["pc"]),
    ("storageclasses", &["sc"]),
];

/// The short names of a resource, for `kubectl api-resources`.
pub fn short_names(resource: &str) -> &'static [&'static str] {
    SHORT_NAMES.iter().find(|(r, _)| *r == resource).map_or(&[], |(_, s)| s)
}

/// Discovery order of groups: the legacy core group first, then the groups in the order
/// kube-apiserver registers them (so `events` is core's, not events.k8s.io's).
fn group_rank(group: &str) -> usize {
    const ORDER: &[&str] = &[
        "", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
        "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
    ];
    ORDER.iter().position(|g| *g == group).unwrap_or(ORDER.len())
}

/// Stable versions before beta before alpha, newer before older (`v2` > `v1`, `v1beta2` > `v1beta1`).
fn version_rank(version: &str) -> (u8, i64, i64) {
    let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<i64>().unwrap_or(0);
    let v = version.trim_start_matches('v');
    let major = digits(v);
    let rest = &v[major.to_string().len().min(v.len())..];
    if let Some(b) = rest.strip_prefix("beta") {
        (1, -major, -digits(b))
    } else if let Some(a) = rest.strip_prefix("alpha") {
        (2, -major, -digits(a))
    } else {
        (0, -major, 0)
    }
}

/// Resolves what the learner typed (`po`, `pods`, `pod`, `deployments.apps`, `deploy.v1.apps`) to
/// the preferred served kind, or kubectl's error text.
pub fn resolve(typed: &str) -> Result<&'static KindInfo, String> {
    let lower = typed.to_ascii_lowercase();
    let (name, version, group) = match lower.split_once('.') {
        None => (lower.as_str(), None, None),
        Some((n, rest)) => match rest.split_once('.') {
            Some((v, g)) if v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()) => (n, Some(v), Some(g)),
            _ => (n, None, Some(rest)),
        },
    };
    let mut candidates: Vec<&'static KindInfo> = all_kinds()
        .iter()
        .filter(|k| (k.persisted || k.resource.ends_with("reviews")) && crate::api::registry::served_by_default(k))
        .filter(|k| k.resource == name || k.kind.to_ascii_lowercase() == name || short_names(k.resource).contains(&name))
        .filter(|k| group.is_none_or(|g| k.group == g))
        .filter(|k| version.is_none_or(|v| k.version == v))
        .collect();
    candidates.sort_by_key(|k| (group_rank(k.group), version_rank(k.version)));
    candidates.first().copied().ok_or_else(|| format!("error: the server doesn't have a resource type {typed:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_kubectl() {
        let r = |s| resolve(s).map(|k| format!("{:?} {}", k, k.resource)).unwrap();
        assert_eq!(r("po"), "v1/Pod pods");
        assert_eq!(r("pod"), "v1/Pod pods");
        assert_eq!(r("deploy"), "apps/v1/Deployment deployments");
        assert_eq!(r("deployments.apps"), "apps/v1/Deployment deployments");
        assert_eq!(r("events"), "v1/Event events");
        assert_eq!(r("hpa"), "autoscaling/v2/HorizontalPodAutoscaler horizontalpodautoscalers");
        assert_eq!(r("hpa.v1.autoscaling"), "autoscaling/v1/HorizontalPodAutoscaler horizontalpodautoscalers");
        assert_eq!(r("resourceclaims"), "resource.k8s.io/v1/ResourceClaim resourceclaims");
        assert!(resolve("leasecandidates").is_err(), "beta and alpha APIs are off by default");
        assert_eq!(r("svc"), "v1/Service services");
        assert_eq!(resolve("foos").unwrap_err(), "error: the server doesn't have a resource type \"foos\"");
    }
}
