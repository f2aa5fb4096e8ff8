//! The simulated registries: which image references can be pulled, how containerd names them
//! (`nginx:1.27` is `docker.io/library/nginx:1.27`), and the error a failed pull gives, worded as
//! containerd's resolver words it (the kubelet prints it after `Failed to pull image "<ref>": `).
//!
//! Docker Hub's official images are a known list, so a typo such as `ngnix` fails as it does on
//! Docker Hub (the repository does not exist, so the anonymous token has no scope for it).
//! Images in other namespaces and registries are assumed to exist (the simulation cannot know
//! every public repository, and most manifests name real ones), except the placeholders the
//! documentation uses for "your own image", which exist nowhere: a `gcr.io` project outside the
//! public ones Google and Kubernetes publish (`gcr.io/<project>/...`, `gcr.io/myproject/...`,
//! `gcr.io/my-gcp-project/...` are the reader's project) and Docker Hub's `non-existing-repo`.

/// Official images (`docker.io/library/<name>`) the simulated Docker Hub serves.
const OFFICIAL_IMAGES: &[&str] = &[
    "adminer", "alpine", "amazonlinux", "bash", "busybox", "caddy", "cassandra", "centos", "consul", "couchbase", "couchdb",
    "debian", "docker", "eclipse-temurin", "elasticsearch", "fedora", "flink", "gcc", "ghost", "golang", "gradle", "haproxy",
    "hello-world", "httpd", "influxdb", "jenkins", "kibana", "logstash", "mariadb", "maven", "memcached", "mongo", "mysql",
    "neo4j", "nextcloud", "nginx", "node", "openjdk", "perl", "php", "postgres", "python", "rabbitmq", "redis", "registry",
    "rockylinux", "ruby", "rust", "solr", "sonarqube", "tomcat", "traefik", "ubuntu", "vault", "wordpress", "zookeeper",
];

/// `gcr.io` projects that serve public images (Google's samples and the Kubernetes project's
/// images before registry.k8s.io); any other `gcr.io/<project>` is the reader's own project.
const PUBLIC_GCR_PROJECTS: &[&str] = &[
    "google-samples", "google_samples", "google-containers", "google_containers", "kubernetes-e2e-test-images", "distroless",
    "cloud-builders", "k8s-staging-images", "kaniko-project", "cadvisor", "heptio-images", "istio-release", "knative-releases",
    "tekton-releases", "linkerd-io", "ml-pipeline", "gke-release", "google.com",
];

/// Docker Hub namespaces the documentation uses for a repository that does not exist.
const MISSING_HUB_NAMESPACES: &[&str] = &["non-existing-repo"];

/// A reference split as containerd's `docker.ParseDockerRef` normalises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io/library/nginx`.
    pub repository: String,
    /// `1.27`, or `latest` when neither tag nor digest is given.
    pub tag: String,
    /// `sha256:...` when the reference pins a digest.
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(image: &str) -> ImageRef {
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (image, None),
        };
        let (repo, tag) = match name.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_string())),
            _ => (name, None),
        };
        let first = repo.split('/').next().unwrap_or("");
        let repository = if !repo.contains('/') {
            format!("docker.io/library/{repo}")
        } else if first.contains('.') || first.contains(':') || first == "localhost" {
            repo.to_string()
        } else {
            format!("docker.io/{repo}")
        };
        let tag = tag.unwrap_or_else(|| if digest.is_some() { String::new() } else { "latest".into() });
        ImageRef { repository, tag, digest }
    }

    /// `docker.io/library/nginx:1.27`, as a container status reports `image`.
    pub fn full(&self) -> String {
        match (&self.digest, self.tag.is_empty()) {
            (Some(d), true) => format!("{}@{d}", self.repository),
            _ => format!("{}:{}", self.repository, self.tag),
        }
    }

    /// The last path element: `nginx`, `pause`, `busybox`.
    pub fn short_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or("")
    }
}

/// Why a pull fails, as containerd's error text (without the kubelet's prefix).
pub fn pull_error(image: &str) -> Option<String> {
    let r = ImageRef::parse(image);
    let full = r.full();
    let hub_missing = match r.repository.strip_prefix("docker.io/") {
        Some(path) => match path.strip_prefix("library/") {
            Some(name) => !OFFICIAL_IMAGES.contains(&name),
            None => MISSING_HUB_NAMESPACES.contains(&path.split('/').next().unwrap_or("")),
        },
        None => false,
    };
    if hub_missing {
        // Docker Hub answers a repository that does not exist like a private one: the anonymous
        // token carries no scope for it.
        return Some(format!(
            "failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        ));
    }
    if let Some(path) = r.repository.strip_prefix("gcr.io/") {
        if !PUBLIC_GCR_PROJECTS.contains(&path.split('/').next().unwrap_or("")) {
            // The manifest request answers 404, which containerd's resolver reports as
            // `<ref>: not found` (`errdefs.ErrNotFound`).
            return Some(format!("failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"));
        }
    }
    None
}

/// `repository@sha256:<digest>`, the image's ID as container statuses and node status name it.
pub fn image_id(image: &str) -> String {
    let r = ImageRef::parse(image);
    format!("{}@sha256:{}", r.repository, (1..=4).map(|s| format!("{:016x}", fnv64(image, s))).collect::<String>())
}

/// What containerd reports as an image's size (the compressed layers of its linux/amd64
/// manifest), for the images the examples and corpus use most, in bytes; others get a stable
/// size between 5 MB and 100 MB derived from the name.
pub fn size_bytes(image: &str) -> i64 {
    const SIZES: &[(&str, i64)] = &[
        ("busybox", 2_156_000), ("alpine", 3_650_000), ("nginx", 72_100_000), ("httpd", 58_200_000), ("redis", 52_300_000),
        ("mysql", 233_800_000), ("mariadb", 120_600_000), ("postgres", 158_400_000), ("perl", 339_600_000), ("python", 381_000_000),
        ("node", 398_300_000), ("ubuntu", 29_750_000), ("debian", 48_500_000), ("hello-world", 8_200), ("pause", 320_000),
        ("memcached", 32_800_000), ("mongo", 290_700_000), ("wordpress", 254_000_000), ("php", 184_000_000), ("golang", 309_000_000),
        ("hpa-example", 181_000_000), ("agnhost", 56_300_000), ("http-echo", 3_800_000),
    ];
    let r = ImageRef::parse(image);
    match SIZES.iter().find(|(name, _)| *name == r.short_name()) {
        Some((_, size)) => *size,
        None => 5_000_000 + (fnv64(&r.full(), 7) % 95_000_000) as i64,
    }
}

/// `nodestatus.Images`: the images on the node, largest first, at most
/// `nodeStatusMaxImages` (50), each named by its digest and its tag.
pub fn node_images(images: &std::collections::BTreeSet<String>) -> serde_json::Value {
    const MAX_IMAGES: usize = 50;
    let mut list: Vec<(i64, String, String)> = images.iter().map(|i| (size_bytes(i), image_id(i), ImageRef::parse(i).full())).collect();
    list.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    serde_json::Value::Array(list.into_iter().take(MAX_IMAGES).map(|(size, id, tag)| serde_json::json!({"names": [id, tag], "sizeBytes": size})).collect())
}

/// A stable pseudo digest (FNV-1a).
pub fn fnv64(s: &str, salt: u64) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325 ^ salt, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_as_containerd_does() {
        assert_eq!(ImageRef::parse("nginx:1.27").full(), "docker.io/library/nginx:1.27");
        assert_eq!(ImageRef::parse("nginx").full(), "docker.io/library/nginx:latest");
        assert_eq!(ImageRef::parse("registry.k8s.io/pause:3.10").full(), "registry.k8s.io/pause:3.10");
        assert_eq!(ImageRef::parse("bitnami/redis:7").full(), "docker.io/bitnami/redis:7");
        assert_eq!(ImageRef::parse("localhost:5000/app").full(), "localhost:5000/app:latest");
        assert_eq!(ImageRef::parse("registry.k8s.io/pause:3.10").short_name(), "pause");
    }

    #[test]
    fn node_status_lists_the_largest_images_first_by_digest_and_tag() {
        let held: std::collections::BTreeSet<String> = ["busybox:1.36", "nginx:1.27"].iter().map(|s| s.to_string()).collect();
        let images = node_images(&held);
        assert_eq!(images[0]["names"][1], "docker.io/library/nginx:1.27");
        assert!(images[0]["names"][0].as_str().unwrap_or("").starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(images[0]["sizeBytes"], 72_100_000);
        assert_eq!(images[1]["names"][1], "docker.io/library/busybox:1.36");
    }

    #[test]
    fn a_typo_in_an_official_image_cannot_be_pulled() {
        assert_eq!(pull_error("nginx:1.27"), None);
        assert_eq!(pull_error("hashicorp/http-echo:1.0"), None);
        let e = pull_error("ngnix").unwrap_or_default();
        assert!(e.starts_with("failed to pull and unpack image \"docker.io/library/ngnix:latest\": failed to resolve reference"), "{e}");
        assert!(e.contains("pull access denied, repository does not exist or may require authorization"));
    }

    #[test]
    fn documentation_placeholders_do_not_exist() {
        let e = pull_error("non-existing-repo/non-existing-image:example").unwrap_or_default();
        assert!(e.contains("\"docker.io/non-existing-repo/non-existing-image:example\": pull access denied"), "{e}");
        assert_eq!(
            pull_error("gcr.io/myproject/job-wq-2").as_deref(),
            Some("failed to pull and unpack image \"gcr.io/myproject/job-wq-2:latest\": failed to resolve reference \"gcr.io/myproject/job-wq-2:latest\": gcr.io/myproject/job-wq-2:latest: not found")
        );
        assert!(pull_error("gcr.io/my-gcp-project/my-kube-scheduler:1.0").is_some());
        assert_eq!(pull_error("gcr.io/google-samples/gb-frontend:v5"), None);
        assert_eq!(pull_error("gcr.io/google_samples/gb-redisslave:v1"), None);
        assert_eq!(pull_error("registry.k8s.io/pause:3.10"), None);
    }
}
