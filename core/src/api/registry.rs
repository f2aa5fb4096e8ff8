//! Every built-in kind the simulated API server serves, generated from the k8s-openapi types.
//!
//! One table row per (group, version, kind): the resource's plural name and scope come from the
//! type's own `k8s_openapi::Resource` constants, so nothing about a Kubernetes type is copied by
//! hand. The etcd key prefix applies kube-apiserver's renames (`SpecialDefaultResourcePrefixes`).

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource, ResourceScope};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Decodes one YAML or JSON document into the kind's typed struct, then back to the JSON value
/// that is stored. The typed round trip is what drops unknown fields and applies the type's shape.
pub type DecodeFn = fn(&str) -> Result<serde_json::Value, serde_yaml::Error>;

/// Decodes the JSON kubectl would send into the kind's typed struct with serde_json, which, like
/// Go's encoding/json and unlike serde_yaml, refuses a bool or number for a string field.
pub type CheckJsonFn = fn(&serde_json::Value) -> Result<(), serde_json::Error>;

/// One served kind.
#[derive(Clone, Copy)]
pub struct KindInfo {
    /// API group, empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    /// Lower-case plural resource name, as in URLs and RBAC rules.
    pub resource: &'static str,
    pub namespaced: bool,
    /// False for kinds the API server never writes to etcd (reviews, bindings, component status).
    pub persisted: bool,
    pub decode: DecodeFn,
    pub check_json: CheckJsonFn,
}

impl std::fmt::Debug for KindInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.api_version(), self.kind)
    }
}

impl KindInfo {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployment.apps` / `pod`: the prefix kubectl prints before `/<name>`.
    pub fn kubectl_name(&self) -> String {
        let kind = self.kind.to_ascii_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }

    /// The resource's part of the etcd key, after kube-apiserver's renames and the group prefix
    /// that aggregated and extension resources carry.
    pub fn etcd_prefix(&self) -> String {
        let mut out = String::new();
        self.push_etcd_prefix(&mut out);
        out
    }

    /// [`KindInfo::etcd_prefix`] written onto `out`: a key is spelled into one string rather
    /// than through a second one holding the prefix (every request spells at least one key).
    fn push_etcd_prefix(&self, out: &mut String) {
        let renamed = match (self.group, self.resource) {
            ("", "replicationcontrollers") => "controllers",
            ("", "endpoints") => "services/endpoints",
            ("", "nodes") => "minions",
            ("", "services") => "services/specs",
            ("networking.k8s.io", "ingresses") | ("extensions", "ingresses") => "ingress",
            ("apiregistration.k8s.io", r) | ("apiextensions.k8s.io", r) => {
                for part in ["/registry/", self.group, "/", r] {
                    out.push_str(part);
                }
                return;
            }
            (_, r) => r,
        };
        out.push_str("/registry/");
        out.push_str(renamed);
    }

    /// The etcd key of one object: `/registry/<prefix>/<namespace>/<name>` or, cluster-scoped,
    /// `/registry/<prefix>/<name>`.
    pub fn etcd_key(&self, namespace: &str, name: &str) -> String {
        let mut out = String::with_capacity(48 + namespace.len() + name.len());
        self.push_etcd_prefix(&mut out);
        if self.namespaced {
            out.push('/');
            out.push_str(namespace);
        }
        out.push('/');
        out.push_str(name);
        out
    }

    /// `<etcd prefix>/<namespace>/` (namespaced, with a namespace) or `<etcd prefix>/`: the
    /// range a list reads.
    pub fn etcd_list_prefix(&self, namespace: Option<&str>) -> String {
        let mut out = String::with_capacity(48 + namespace.map_or(0, str::len));
        self.push_etcd_prefix(&mut out);
        if let Some(ns) = namespace.filter(|_| self.namespaced) {
            out.push('/');
            out.push_str(ns);
        }
        out.push('/');
        out
    }
}

trait Scope {
    const NAMESPACED: bool;
}
impl Scope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl Scope for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

fn decode_as<T: DeserializeOwned + Serialize>(text: &str) -> Result<serde_json::Value, serde_yaml::Error> {
    let typed: T = serde_yaml::from_str(text)?;
    // Serialising a k8s-openapi value to JSON cannot fail: every field is a string, number, bool,
    // map with string keys or list. Null is returned rather than panicking if that ever changes.
    Ok(serde_json::to_value(typed).unwrap_or(serde_json::Value::Null))
}

fn check_json_as<T: DeserializeOwned>(value: &serde_json::Value) -> Result<(), serde_json::Error> {
    T::deserialize(value).map(|_| ())
}

/// What a decoder of a version that is not served says. [`lookup`] never returns such a kind, so
/// nothing reaches these two; the kind keeps its row (explain and discovery read the table).
const NOT_SERVED: &str = "the API version is not served";

fn not_served(_: &str) -> Result<serde_json::Value, serde_yaml::Error> {
    Err(serde::de::Error::custom(NOT_SERVED))
}

fn not_served_json(_: &serde_json::Value) -> Result<(), serde_json::Error> {
    Err(serde::de::Error::custom(NOT_SERVED))
}

fn info<T>(persisted: bool) -> KindInfo
where
    T: Resource + DeserializeOwned + Serialize,
    T::Scope: Scope + ResourceScope,
{
    // Typed decoders only for the versions a default cluster serves. Each decoder instantiates
    // serde_yaml's and serde_json's deserializers for every struct the kind contains, and the
    // alpha and beta versions (resource.k8s.io v1beta1/v1beta2, ...) are a quarter of the kinds:
    // without their decoders the wasm bundle is smaller (BENCHMARKS.md, bundle size). The
    // condition is a constant, so the other branch is never compiled in.
    let (decode, check_json): (DecodeFn, CheckJsonFn) = if const { version_served_by_default(T::VERSION) } {
        (decode_as::<T>, check_json_as::<T>)
    } else {
        (not_served, not_served_json)
    };
    KindInfo {
        group: T::GROUP,
        version: T::VERSION,
        kind: T::KIND,
        resource: T::URL_PATH_SEGMENT,
        namespaced: <T::Scope as Scope>::NAMESPACED,
        persisted,
        decode,
        check_json,
    }
}

macro_rules! kinds {
    (stored: [$($s:ty,)*] transient: [$($t:ty,)*]) => {
        /// All served kinds, in a fixed order (the order of this list).
        pub fn all_kinds() -> &'static [KindInfo] {
            static KINDS: std::sync::OnceLock<Vec<KindInfo>> = std::sync::OnceLock::new();
            KINDS.get_or_init(|| vec![$(info::<$s>(true),)* $(info::<$t>(false),)*])
        }
    };
}

kinds! {
stored: [
    k8s_openapi::api::admissionregistration::v1::MutatingAdmissionPolicy,
    k8s_openapi::api::admissionregistration::v1::MutatingAdmissionPolicyBinding,
    k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration,
    k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicy,
    k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
    k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration,
    k8s_openapi::api::admissionregistration::v1alpha1::MutatingAdmissionPolicy,
    k8s_openapi::api::admissionregistration::v1alpha1::MutatingAdmissionPolicyBinding,
    k8s_openapi::api::admissionregistration::v1beta1::MutatingAdmissionPolicy,
    k8s_openapi::api::admissionregistration::v1beta1::MutatingAdmissionPolicyBinding,
    k8s_openapi::api::apiserverinternal::v1alpha1::StorageVersion,
    k8s_openapi::api::apps::v1::ControllerRevision,
    k8s_openapi::api::apps::v1::DaemonSet,
    k8s_openapi::api::apps::v1::Deployment,
    k8s_openapi::api::apps::v1::ReplicaSet,
    k8s_openapi::api::apps::v1::StatefulSet,
    k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler,
    k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
    k8s_openapi::api::batch::v1::CronJob,
    k8s_openapi::api::batch::v1::Job,
    k8s_openapi::api::certificates::v1::CertificateSigningRequest,
    k8s_openapi::api::certificates::v1::ClusterTrustBundle,
    k8s_openapi::api::certificates::v1::PodCertificateRequest,
    k8s_openapi::api::certificates::v1beta1::ClusterTrustBundle,
    k8s_openapi::api::certificates::v1beta1::PodCertificateRequest,
    k8s_openapi::api::coordination::v1::Lease,
    k8s_openapi::api::coordination::v1alpha2::LeaseCandidate,
    k8s_openapi::api::coordination::v1beta1::LeaseCandidate,
    k8s_openapi::api::core::v1::ConfigMap,
    k8s_openapi::api::core::v1::Endpoints,
    k8s_openapi::api::core::v1::Event,
    k8s_openapi::api::core::v1::LimitRange,
    k8s_openapi::api::core::v1::Namespace,
    k8s_openapi::api::core::v1::Node,
    k8s_openapi::api::core::v1::PersistentVolume,
    k8s_openapi::api::core::v1::PersistentVolumeClaim,
    k8s_openapi::api::core::v1::Pod,
    k8s_openapi::api::core::v1::PodTemplate,
    k8s_openapi::api::core::v1::ReplicationController,
    k8s_openapi::api::core::v1::ResourceQuota,
    k8s_openapi::api::core::v1::Secret,
    k8s_openapi::api::core::v1::Service,
    k8s_openapi::api::core::v1::ServiceAccount,
    k8s_openapi::api::discovery::v1::EndpointSlice,
    k8s_openapi::api::events::v1::Event,
    k8s_openapi::api::flowcontrol::v1::FlowSchema,
    k8s_openapi::api::flowcontrol::v1::PriorityLevelConfiguration,
    k8s_openapi::api::lifecycle::v1alpha1::Eviction,
    k8s_openapi::api::lifecycle::v1alpha1::EvictionRequest,
    k8s_openapi::api::networking::v1::Ingress,
    k8s_openapi::api::networking::v1::IngressClass,
    k8s_openapi::api::networking::v1::IPAddress,
    k8s_openapi::api::networking::v1::NetworkPolicy,
    k8s_openapi::api::networking::v1::ServiceCIDR,
    k8s_openapi::api::node::v1::RuntimeClass,
    k8s_openapi::api::policy::v1::PodDisruptionBudget,
    k8s_openapi::api::rbac::v1::ClusterRole,
    k8s_openapi::api::rbac::v1::ClusterRoleBinding,
    k8s_openapi::api::rbac::v1::Role,
    k8s_openapi::api::rbac::v1::RoleBinding,
    k8s_openapi::api::resource::v1::DeviceClass,
    k8s_openapi::api::resource::v1::DeviceTaintRule,
    k8s_openapi::api::resource::v1::ResourceClaim,
    k8s_openapi::api::resource::v1::ResourceClaimTemplate,
    k8s_openapi::api::resource::v1::ResourceSlice,
    k8s_openapi::api::resource::v1alpha3::DeviceTaintRule,
    k8s_openapi::api::resource::v1alpha3::ResourcePoolStatusRequest,
    k8s_openapi::api::resource::v1beta1::DeviceClass,
    k8s_openapi::api::resource::v1beta1::ResourceClaim,
    k8s_openapi::api::resource::v1beta1::ResourceClaimTemplate,
    k8s_openapi::api::resource::v1beta1::ResourceSlice,
    k8s_openapi::api::resource::v1beta2::DeviceClass,
    k8s_openapi::api::resource::v1beta2::DeviceTaintRule,
    k8s_openapi::api::resource::v1beta2::ResourceClaim,
    k8s_openapi::api::resource::v1beta2::ResourceClaimTemplate,
    k8s_openapi::api::resource::v1beta2::ResourceSlice,
    k8s_openapi::api::scheduling::v1::PriorityClass,
    k8s_openapi::api::scheduling::v1alpha3::CompositePodGroup,
    k8s_openapi::api::scheduling::v1alpha3::PodGroup,
    k8s_openapi::api::scheduling::v1alpha3::Workload,
    k8s_openapi::api::scheduling::v1beta1::PodGroup,
    k8s_openapi::api::scheduling::v1beta1::Workload,
    k8s_openapi::api::storage::v1::CSIDriver,
    k8s_openapi::api::storage::v1::CSINode,
    k8s_openapi::api::storage::v1::CSIStorageCapacity,
    k8s_openapi::api::storage::v1::StorageClass,
    k8s_openapi::api::storage::v1::VolumeAttachment,
    k8s_openapi::api::storage::v1::VolumeAttributesClass,
    k8s_openapi::api::storagemigration::v1::StorageVersionMigration,
    k8s_openapi::api::storagemigration::v1beta1::StorageVersionMigration,
    k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
    k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService,
]
transient: [
    k8s_openapi::api::authentication::v1::SelfSubjectReview,
    k8s_openapi::api::authentication::v1::TokenReview,
    k8s_openapi::api::authorization::v1::LocalSubjectAccessReview,
    k8s_openapi::api::authorization::v1::SelfSubjectAccessReview,
    k8s_openapi::api::authorization::v1::SelfSubjectRulesReview,
    k8s_openapi::api::authorization::v1::SubjectAccessReview,
    k8s_openapi::api::core::v1::Binding,
    k8s_openapi::api::core::v1::ComponentStatus,
]
}

/// True for the versions a kubeadm cluster serves with no `--runtime-config`: alpha APIs are
/// always off by default, and beta APIs introduced since 1.24 are too (KEP-3136), which covers
/// every beta version k8s-openapi still carries.
pub fn served_by_default(kind: &KindInfo) -> bool {
    version_served_by_default(kind.version)
}

/// [`served_by_default`] on the version alone, at compile time (`info` picks the decoders by it).
const fn version_served_by_default(version: &str) -> bool {
    !contains(version, "alpha") && !contains(version, "beta")
}

/// `str::contains`, which is not a `const fn`.
const fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let mut start = 0;
    while start + n.len() <= h.len() {
        let mut i = 0;
        while i < n.len() && h[start + i] == n[i] {
            i += 1;
        }
        if i == n.len() {
            return true;
        }
        start += 1;
    }
    false
}

/// Finds a served kind by `apiVersion` and `kind`, exactly as written in a manifest.
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    all_kinds()
        .iter()
        .find(|k| k.group == group && k.version == version && k.kind == kind && served_by_default(k))
}

/// Whether kubectl's REST mapper maps `kind` in `api_version` to a list: discovery's mapper
/// adds `List` to every served group version and `<Kind>List` beside every resource
/// (client-go `restmapper.NewDiscoveryRESTMapper`), so `kind: ConfigMapList` with `items` is
/// read as a list, as `kind: List` is.
pub fn is_list_kind(api_version: &str, kind: &str) -> bool {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if kind == "List" {
        return all_kinds().iter().any(|k| k.group == group && k.version == version && served_by_default(k));
    }
    kind.strip_suffix("List").is_some_and(|item| !item.is_empty() && lookup(api_version, item).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_kube_apiserver() {
        let key = |av, k, ns, n| lookup(av, k).unwrap().etcd_key(ns, n);
        assert_eq!(key("v1", "Pod", "default", "web"), "/registry/pods/default/web");
        assert_eq!(key("v1", "Service", "default", "web"), "/registry/services/specs/default/web");
        assert_eq!(key("v1", "Endpoints", "default", "web"), "/registry/services/endpoints/default/web");
        assert_eq!(key("v1", "Node", "", "node-1"), "/registry/minions/node-1");
        assert_eq!(key("v1", "ReplicationController", "ns", "rc"), "/registry/controllers/ns/rc");
        assert_eq!(key("networking.k8s.io/v1", "Ingress", "d", "i"), "/registry/ingress/d/i");
        assert_eq!(key("apps/v1", "Deployment", "d", "web"), "/registry/deployments/d/web");
        assert_eq!(key("v1", "Namespace", "", "dev"), "/registry/namespaces/dev");
        assert_eq!(key("events.k8s.io/v1", "Event", "d", "e"), "/registry/events/d/e");
        assert_eq!(
            key("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "foos.example.com"),
            "/registry/apiextensions.k8s.io/customresourcedefinitions/foos.example.com"
        );
        assert_eq!(
            key("apiregistration.k8s.io/v1", "APIService", "", "v1.apps"),
            "/registry/apiregistration.k8s.io/apiservices/v1.apps"
        );
        assert_eq!(key("autoscaling/v2", "HorizontalPodAutoscaler", "d", "h"), "/registry/horizontalpodautoscalers/d/h");
        // Every key starts with its kind's prefix, and a list's range is that prefix with the
        // namespace (namespaced kinds only) and a slash.
        for k in all_kinds() {
            let ns = if k.namespaced { "/d" } else { "" };
            assert_eq!(k.etcd_key("d", "n"), format!("{}{ns}/n", k.etcd_prefix()), "{k:?}");
            assert_eq!(k.etcd_list_prefix(Some("d")), format!("{}{ns}/", k.etcd_prefix()), "{k:?}");
            assert_eq!(k.etcd_list_prefix(None), format!("{}/", k.etcd_prefix()), "{k:?}");
        }
    }

    #[test]
    fn only_served_versions_have_typed_decoders() {
        for k in all_kinds() {
            let stub = (k.decode)("{}").err().is_some_and(|e| e.to_string() == NOT_SERVED);
            let stub_json = (k.check_json)(&serde_json::json!({})).err().is_some_and(|e| e.to_string() == NOT_SERVED);
            assert_eq!((stub, stub_json), (!served_by_default(k), !served_by_default(k)), "{k:?}");
        }
        assert!(contains("v1beta2", "beta") && contains("v1alpha1", "alpha") && !contains("v1", "beta") && !contains("v", "v1"));
    }

    #[test]
    fn lists_map_as_discovery_maps_them() {
        assert!(is_list_kind("v1", "List") && is_list_kind("apps/v1", "List") && is_list_kind("v1", "ConfigMapList"));
        assert!(is_list_kind("apps/v1", "DeploymentList"));
        assert!(!is_list_kind("example.com/v1", "List") && !is_list_kind("v1", "FooList") && !is_list_kind("v1", "List2"));
        assert!(!is_list_kind("batch/v1beta1", "CronJobList") && !is_list_kind("v1", "ConfigMap"));
    }

    #[test]
    fn removed_versions_are_not_served() {
        assert!(lookup("batch/v1beta1", "CronJob").is_none());
        assert!(lookup("extensions/v1beta1", "Deployment").is_none());
        assert!(lookup("batch/v1", "CronJob").is_some());
        assert!(!lookup("authorization.k8s.io/v1", "SelfSubjectAccessReview").unwrap().persisted);
    }
}
