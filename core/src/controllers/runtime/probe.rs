//! A container's probe as the kubelet reads it from the spec (`v1.Probe`: the handler, its
//! timing and thresholds, defaulted by the API server to timeoutSeconds 1, periodSeconds 10,
//! successThreshold 1, failureThreshold 3) and one run of it against the simulated application
//! (`pkg/kubelet/prober/prober.go` `runProbe`, with `pkg/probe/{exec,http,tcp,grpc}`), worded as
//! the probers word a failure: `HTTP probe failed with statuscode: 500`, `Get "http://…": dial tcp
//! …: connect: connection refused`, `dial tcp …: connect: connection refused`, `timeout: failed to
//! connect service "…" within 1s: context deadline exceeded`, or the exec command's output.

use super::container::go_duration;
use super::exec_probe;
use super::files::Files;
use super::serving::{App, Reply};
use serde_json::Value;

/// Which probe: the kubelet's `probeType`, which also starts its event messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeType {
    Startup,
    Liveness,
    Readiness,
}

impl ProbeType {
    pub fn label(self) -> &'static str {
        match self {
            ProbeType::Startup => "Startup",
            ProbeType::Liveness => "Liveness",
            ProbeType::Readiness => "Readiness",
        }
    }

    /// The spec field.
    pub fn field(self) -> &'static str {
        match self {
            ProbeType::Startup => "startupProbe",
            ProbeType::Liveness => "livenessProbe",
            ProbeType::Readiness => "readinessProbe",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handler {
    Exec(Vec<String>),
    Http { scheme: String, host: Option<String>, port: u16, path: String },
    Tcp { host: Option<String>, port: u16 },
    Grpc { port: u16 },
    /// No handler the kubelet knows: `unknown probe type` (the API server rejects it first).
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub handler: Handler,
    pub initial_delay_s: u64,
    pub period_ms: u64,
    pub timeout_s: u64,
    pub success_threshold: u32,
    pub failure_threshold: u32,
    /// `terminationGracePeriodSeconds` of a liveness or startup probe: the kill's grace period.
    pub termination_grace_s: Option<u64>,
}

/// A port given as a number or as the name of one of the container's ports.
fn port_of(v: &Value, container: &Value) -> u16 {
    match v {
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()).unwrap_or(0),
        Value::String(name) => {
            let ports = container["ports"].as_array().into_iter().flatten();
            ports.clone().find(|p| p["name"] == name.as_str()).and_then(|p| p["containerPort"].as_u64()).and_then(|p| u16::try_from(p).ok()).or_else(|| name.parse().ok()).unwrap_or(0)
        }
        _ => 0,
    }
}

impl Probe {
    /// The probe of this type in the container's spec, if it has one.
    pub fn from_container(container: &Value, ty: ProbeType) -> Option<Probe> {
        let p = &container[ty.field()];
        if !p.is_object() {
            return None;
        }
        let num = |key: &str, default: u64| p[key].as_u64().filter(|n| *n > 0).unwrap_or(default);
        let host = |h: &Value| h.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let handler = if let Some(cmd) = p["exec"]["command"].as_array() {
            Handler::Exec(cmd.iter().filter_map(|w| w.as_str().map(str::to_string)).collect())
        } else if p["httpGet"].is_object() {
            let h = &p["httpGet"];
            let path = h["path"].as_str().unwrap_or("/");
            let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
            Handler::Http { scheme: h["scheme"].as_str().unwrap_or("HTTP").to_lowercase(), host: host(&h["host"]), port: port_of(&h["port"], container), path }
        } else if p["tcpSocket"].is_object() {
            Handler::Tcp { host: host(&p["tcpSocket"]["host"]), port: port_of(&p["tcpSocket"]["port"], container) }
        } else if p["grpc"].is_object() {
            Handler::Grpc { port: port_of(&p["grpc"]["port"], container) }
        } else {
            Handler::None
        };
        Some(Probe {
            handler,
            initial_delay_s: p["initialDelaySeconds"].as_u64().unwrap_or(0),
            period_ms: num("periodSeconds", 10).saturating_mul(1000),
            timeout_s: num("timeoutSeconds", 1),
            success_threshold: u32::try_from(num("successThreshold", 1)).unwrap_or(1),
            failure_threshold: u32::try_from(num("failureThreshold", 3)).unwrap_or(3),
            termination_grace_s: p["terminationGracePeriodSeconds"].as_u64(),
        })
    }

    /// Runs the probe `offset_ms` after the container started: `Ok` or the failure's output.
    pub fn run(&self, app: &App, image: &str, files: &Files, pod_ip: &str, offset_ms: u64) -> Result<(), String> {
        let addr = |host: &Option<String>, port: u16| format!("{}:{port}", host.as_deref().unwrap_or(pod_ip));
        let refused = |addr: &str| format!("dial tcp {addr}: connect: connection refused");
        match &self.handler {
            Handler::Exec(argv) => match exec_probe::run(argv, image, files, offset_ms) {
                (0, _) => Ok(()),
                (_, output) => Err(output),
            },
            Handler::Http { scheme, host, port, path } => {
                let a = addr(host, *port);
                let url = format!("{scheme}://{a}{path}");
                match app.http(*port, path, offset_ms) {
                    Reply::Refused => Err(format!("Get {url:?}: {}", refused(&a))),
                    // Redirects are followed and count by their target; 2xx and 3xx pass.
                    Reply::Http(code) if (200..400).contains(&code) => Ok(()),
                    Reply::Http(code) => Err(format!("HTTP probe failed with statuscode: {code}")),
                    Reply::Open => Err(format!("Get {url:?}: EOF")),
                    Reply::Serving => Ok(()),
                }
            }
            Handler::Tcp { host, port } => match app.tcp(*port) {
                Reply::Refused => Err(refused(&addr(host, *port))),
                _ => Ok(()),
            },
            // `grpc.WithBlock()`: a refused or non-gRPC port keeps the dial retrying until the
            // probe's timeout.
            Handler::Grpc { port } => match app.grpc(*port) {
                Reply::Serving => Ok(()),
                _ => Err(format!("timeout: failed to connect service {:?} within {}: context deadline exceeded", addr(&None, *port), go_duration(self.timeout_s.saturating_mul(1000)))),
            },
            Handler::None => Err("unknown probe type".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn probes_are_read_with_the_api_defaults_and_named_ports() {
        let c = json!({"name": "coredns", "ports": [{"name": "readiness-probe", "containerPort": 8181}],
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "readiness-probe"}}});
        let p = Probe::from_container(&c, ProbeType::Readiness).unwrap_or_else(|| panic!("a probe"));
        assert_eq!(p.handler, Handler::Http { scheme: "http".into(), host: None, port: 8181, path: "/ready".into() });
        assert_eq!((p.period_ms, p.timeout_s, p.success_threshold, p.failure_threshold), (10_000, 1, 1, 3));
        assert!(Probe::from_container(&c, ProbeType::Liveness).is_none());
    }

    #[test]
    fn failures_are_worded_as_the_kubelets_probers_word_them() {
        let probe = |handler| Probe { handler, initial_delay_s: 0, period_ms: 10_000, timeout_s: 1, success_threshold: 1, failure_threshold: 3, termination_grace_s: None };
        let argv = vec!["liveness".to_string()];
        let agnhost = App::new("registry.k8s.io/e2e-test-images/agnhost:2.40", &argv, &[], false);
        let healthz = probe(Handler::Http { scheme: "http".into(), host: None, port: 8080, path: "/healthz".into() });
        let f = Files::default();
        assert_eq!(healthz.run(&agnhost, "agnhost", &f, "10.244.1.5", 3_000), Ok(()));
        assert_eq!(healthz.run(&agnhost, "agnhost", &f, "10.244.1.5", 12_000), Err("HTTP probe failed with statuscode: 500".into()));
        let nginx = App::new("nginx", &[], &[], false);
        assert_eq!(healthz.run(&nginx, "nginx", &f, "10.244.1.5", 0), Err("Get \"http://10.244.1.5:8080/healthz\": dial tcp 10.244.1.5:8080: connect: connection refused".into()));
        let mysql = probe(Handler::Tcp { host: None, port: 3306 });
        assert_eq!(mysql.run(&nginx, "nginx", &f, "10.244.1.5", 0), Err("dial tcp 10.244.1.5:3306: connect: connection refused".into()));
        let grpc = probe(Handler::Grpc { port: 2379 });
        assert_eq!(grpc.run(&nginx, "nginx", &f, "10.244.1.5", 0), Err("timeout: failed to connect service \"10.244.1.5:2379\" within 1s: context deadline exceeded".into()));
        let etcd = App::new("registry.k8s.io/etcd:3.5.1-0", &[], &[], false);
        assert_eq!(grpc.run(&etcd, "etcd", &f, "10.244.1.5", 0), Ok(()));
    }
}
