//! What a running container costs the node: the CPU and memory the kubelet's cAdvisor would
//! report for it at `/metrics/resource` (`container_cpu_usage_seconds_total`,
//! `container_memory_working_set_bytes`), which metrics-server scrapes.
//!
//! The simulation has no real processes, so a container's usage is a small idle baseline per
//! well-known image (an idle nginx uses about 1m and 3Mi) plus the load the learner drives with
//! the `load` builtin (`load deployment/web --cpu=400m`): the work a Service spreads over the
//! workload's ready pods. Everything is a pure function of the image, the pod and the load, so
//! the same script always shows the same numbers.

use super::images::{fnv64, ImageRef};

/// One container's usage: millicores and bytes of working set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_milli: i64,
    pub memory_bytes: i64,
}

impl Usage {
    pub fn plus(self, other: Usage) -> Usage {
        Usage { cpu_milli: self.cpu_milli.saturating_add(other.cpu_milli), memory_bytes: self.memory_bytes.saturating_add(other.memory_bytes) }
    }
}

const KI: i64 = 1024;
const MI: i64 = 1024 * KI;

/// Idle usage per image (by its last path element): millicores and KiB, roughly what
/// `kubectl top` shows for each on a quiet kind cluster.
const BASELINES: &[(&str, i64, i64)] = &[
    ("nginx", 1, 3_080),
    ("httpd", 1, 6_900),
    ("hpa-example", 1, 9_800),
    ("php", 1, 9_800),
    ("redis", 2, 3_460),
    ("memcached", 1, 2_200),
    ("mysql", 6, 389_000),
    ("mariadb", 3, 92_000),
    ("postgres", 2, 27_600),
    ("mongo", 7, 151_000),
    ("rabbitmq", 9, 118_000),
    ("node", 1, 38_000),
    ("python", 1, 11_000),
    ("busybox", 0, 420),
    ("alpine", 0, 520),
    ("pause", 0, 290),
    ("coredns", 2, 13_100),
    ("agnhost", 1, 8_100),
    ("http-echo", 1, 2_900),
    ("metrics-server", 3, 19_600),
];

/// Usage of an image this table does not know.
const DEFAULT_BASELINE: (i64, i64) = (1, 5_120);

/// What an idle container of `image` uses. Memory varies a little per container (a few percent,
/// from a hash of `seed`, the pod uid and container name) as real working sets do; CPU does not,
/// so hand-computed utilizations stay exact.
pub fn baseline(image: &str, seed: &str) -> Usage {
    let r = ImageRef::parse(image);
    let name = r.short_name();
    let (cpu_milli, kib) = BASELINES.iter().find(|(n, _, _)| *n == name).map_or(DEFAULT_BASELINE, |(_, c, m)| (*c, *m));
    // Up to ±3% of the working set, in whole KiB.
    let spread = kib * 3 / 100;
    let jitter = if spread > 0 { (fnv64(seed, 7) % (2 * spread as u64 + 1)) as i64 - spread } else { 0 };
    Usage { cpu_milli, memory_bytes: (kib + jitter).max(0) * KI }
}

/// Load spread evenly over `pods` pods, the remainder going to the first ones (as round-robin
/// balancing does over a whole number of requests): pod `index`'s share.
pub fn share(total: Usage, pods: usize, index: usize) -> Usage {
    if pods == 0 || index >= pods {
        return Usage::default();
    }
    let n = pods as i64;
    let i = index as i64;
    let part = |t: i64| t / n + i64::from(i < t % n);
    // Memory is spread in whole MiB so the shares print as round numbers.
    let mib = total.memory_bytes / MI;
    Usage { cpu_milli: part(total.cpu_milli), memory_bytes: part(mib) * MI }
}

/// What the machine itself uses outside any pod (kubelet, containerd, the OS; on the
/// control-plane node also etcd, kube-apiserver, the controller manager and the scheduler,
/// which kubeplay runs without pods).
pub fn node_overhead(control_plane: bool) -> Usage {
    if control_plane {
        Usage { cpu_milli: 142, memory_bytes: 1_093 * MI + 412 * KI }
    } else {
        Usage { cpu_milli: 21, memory_bytes: 301 * MI + 88 * KI }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_come_from_the_image_and_stay_put() {
        let a = baseline("nginx:1.27", "uid-1/nginx");
        assert_eq!(a.cpu_milli, 1);
        assert_eq!(a, baseline("docker.io/library/nginx:1.27", "uid-1/nginx"), "deterministic");
        let m = a.memory_bytes / KI;
        assert!((2_988..=3_172).contains(&m), "{m}");
        assert_eq!(baseline("registry.k8s.io/hpa-example", "x").cpu_milli, 1);
        assert_eq!(baseline("example.com/unknown:1", "x").cpu_milli, DEFAULT_BASELINE.0);
    }

    #[test]
    fn load_is_shared_evenly_with_the_remainder_first() {
        let total = Usage { cpu_milli: 1000, memory_bytes: 10 * MI };
        let shares: Vec<i64> = (0..3).map(|i| share(total, 3, i).cpu_milli).collect();
        assert_eq!(shares, [334, 333, 333]);
        assert_eq!((0..3).map(|i| share(total, 3, i).memory_bytes / MI).sum::<i64>(), 10);
        assert_eq!(share(total, 0, 0), Usage::default());
    }
}
