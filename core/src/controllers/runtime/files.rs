//! The simulated filesystem timeline of one run of a container: when its script created or
//! removed which paths (`touch`, `rm [-f] [-r]`, `mkdir [-p]`, `echo ... > FILE`, `mv`, `cp`), so
//! that an exec probe (`cat /tmp/healthy`, `test -f`, `ls`) can be answered at any instant. This
//! is what a real container's writable layer would hold; the kubelet's exec prober runs the probe
//! command inside it (`pkg/kubelet/prober/prober.go`, `newExecInContainer`).
//!
//! Only changes are kept (an offset from the container's start, a path, and whether it exists
//! afterwards), bounded, so a `while true` loop that touches a file every second holds at most
//! [`MAX_FILE_CHANGES`] records. A path the script never touched exists when it is part of the
//! image, which the simulation takes to mean: anywhere but the scratch directories (`/tmp`,
//! `/run`, `/var/run`, `/dev/shm`), which start empty.

/// Changes one run records at most; later ones are dropped (the script is unrolled ahead of time).
pub const MAX_FILE_CHANGES: usize = 512;

/// Directories that start empty in a container: files there exist only once something creates them.
const SCRATCH_DIRS: [&str; 4] = ["/tmp", "/run", "/var/run", "/dev/shm"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Files {
    /// (offset from the start in ms, path, exists afterwards), in the order they happened.
    changes: Vec<(u64, String, bool)>,
}

/// `touch healthy` run in the working directory `/`: the absolute path, without a trailing `/`.
pub fn absolute(path: &str) -> String {
    let p = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    match p.trim_end_matches('/') {
        "" => "/".to_string(),
        t => t.to_string(),
    }
}

fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/')) || dir == "/"
}

impl Files {
    /// `path` exists (or not) from `at_ms` after the start.
    pub fn record(&mut self, at_ms: u64, path: &str, exists: bool) {
        if self.changes.len() < MAX_FILE_CHANGES {
            self.changes.push((at_ms, absolute(path), exists));
        }
    }

    /// Whether `path` exists `at_ms` after the start: the last change that decides it (the path
    /// itself, a removed directory above it, or a created path below it), else the image's default.
    pub fn exists(&self, path: &str, at_ms: u64) -> bool {
        let p = absolute(path);
        let decided = self
            .changes
            .iter()
            .rev()
            .filter(|(t, _, _)| *t <= at_ms)
            .find_map(|(_, q, exists)| {
                if *q == p || (under(&p, q) && !exists) {
                    Some(*exists)
                } else if under(q, &p) && *exists {
                    Some(true)
                } else {
                    None
                }
            });
        decided.unwrap_or_else(|| !SCRATCH_DIRS.iter().any(|d| p == *d || under(&p, d)) || SCRATCH_DIRS.contains(&p.as_str()))
    }

    /// The first change later than `after_ms`: until then every answer stays the same.
    pub fn next_change_after(&self, after_ms: u64) -> Option<u64> {
        self.changes.iter().map(|(t, _, _)| *t).filter(|t| *t > after_ms).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_and_go_on_the_scripts_timeline() {
        let mut f = Files::default();
        f.record(0, "/tmp/healthy", true);
        f.record(30_000, "/tmp/healthy", false);
        assert!(f.exists("/tmp/healthy", 0));
        assert!(f.exists("/tmp/healthy", 29_999));
        assert!(!f.exists("/tmp/healthy", 30_000));
        assert_eq!(f.next_change_after(0), Some(30_000));
        assert_eq!(f.next_change_after(30_000), None);
    }

    #[test]
    fn scratch_directories_start_empty_and_image_files_exist() {
        let mut f = Files::default();
        assert!(!f.exists("/tmp/ready", 0));
        assert!(f.exists("/tmp", 0));
        assert!(f.exists("/etc/nginx/nginx.conf", 0));
        f.record(5_000, "/etc/nginx", false);
        assert!(!f.exists("/etc/nginx/nginx.conf", 6_000), "rm -r removes what is below");
        f.record(7_000, "run/app/ready", true);
        assert!(f.exists("/run/app", 7_000), "a created file implies its directory");
        assert!(f.exists("/run/app/ready/", 7_000));
    }

    #[test]
    fn records_are_bounded() {
        let mut f = Files::default();
        for i in 0..(MAX_FILE_CHANGES as u64 + 10) {
            f.record(i, "/tmp/x", i % 2 == 0);
        }
        assert_eq!(f.changes.len(), MAX_FILE_CHANGES);
    }
}
