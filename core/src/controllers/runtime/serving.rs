//! The simulated applications' network side: which ports a well-known image listens on and what
//! it answers there, for the kubelet's httpGet, tcpSocket and grpc probes, and what its process
//! does with the SIGTERM the kubelet sends when a probe failure kills it.
//!
//! The catalogue covers the images the Kubernetes documentation and tutorials use: nginx and
//! httpd serve `/` (and 404 elsewhere) on port 80; agnhost's subcommands (`liveness` serves
//! `/healthz` 200 for its first 10 s, then 500, as its source does; `netexec`, `serve-hostname`,
//! `grpc-health-checking`); goproxy on 8080; etcd's gRPC health service on 2379; CoreDNS's
//! `/health` on 8080 and `/ready` on 8181; the databases and caches on their ports.
//!
//! An image the catalogue does not know, whose own server runs (no shell command), is taken to
//! be the learner's application doing what its manifest says: it listens on the `containerPort`s
//! it declares and answers 200 to every path and SERVING to gRPC health checks. A container whose
//! process is a shell script listens on nothing.

use super::images::ImageRef;

/// What a listener speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proto {
    /// HTTP: 200 at `/` (and `/index.html`), 404 elsewhere, as a web server with its default site.
    Root,
    /// HTTP: 200 on every path (an echo server, a catch-all handler).
    All,
    /// HTTP: 200 only on these paths.
    Paths(&'static [&'static str]),
    /// HTTP: this status on every path (goproxy refuses non-proxy requests with 500).
    Status(u16),
    /// agnhost `liveness`: `/healthz` 200 for the first 10 s after start, then 500.
    AgnhostLiveness,
    /// A TCP service that is not HTTP (a database, a cache).
    Tcp,
    /// gRPC with the standard health service (`grpc.health.v1.Health`), SERVING.
    Grpc,
}

/// agnhost `liveness` answers 200 until this long after its start (`test/images/agnhost/liveness`).
const AGNHOST_HEALTHY_MS: u64 = 10_000;

/// (image short name, agnhost subcommand or "", listeners, exit code on SIGTERM or None when it
/// ignores SIGTERM and is killed after the grace period).
type Entry = (&'static str, &'static str, &'static [(u16, Proto)], Option<i32>);

/// A Go program as PID 1 with no SIGTERM handler: the runtime's `dieFromSignal` cannot die of a
/// signal PID 1 ignores, so it exits 2.
const GO_EXIT: Option<i32> = Some(2);

const CATALOGUE: &[Entry] = &[
    // nginx stops on SIGQUIT (the image's STOPSIGNAL), a graceful shutdown that exits 0.
    ("nginx", "", &[(80, Proto::Root)], Some(0)),
    ("nginx-slim", "", &[(80, Proto::Root)], Some(0)),
    ("nginx-unprivileged", "", &[(8080, Proto::Root)], Some(0)),
    ("echoserver", "", &[(8080, Proto::All)], Some(0)),
    ("httpd", "", &[(80, Proto::Root)], Some(0)),
    ("php", "", &[(80, Proto::Root)], Some(0)),
    ("hpa-example", "", &[(80, Proto::Root)], Some(0)),
    ("caddy", "", &[(80, Proto::Root), (443, Proto::Tcp)], Some(0)),
    ("registry", "", &[(5000, Proto::Root)], Some(0)),
    ("tomcat", "", &[(8080, Proto::Paths(&[]))], Some(143)),
    ("redis", "", &[(6379, Proto::Tcp)], Some(0)),
    ("memcached", "", &[(11211, Proto::Tcp)], Some(0)),
    ("mysql", "", &[(3306, Proto::Tcp), (33060, Proto::Tcp)], Some(0)),
    ("mariadb", "", &[(3306, Proto::Tcp)], Some(0)),
    ("postgres", "", &[(5432, Proto::Tcp)], Some(0)),
    ("mongo", "", &[(27017, Proto::Tcp)], Some(0)),
    ("rabbitmq", "", &[(5672, Proto::Tcp)], Some(0)),
    ("zookeeper", "", &[(2181, Proto::Tcp), (8080, Proto::All)], Some(143)),
    ("cassandra", "", &[(9042, Proto::Tcp)], Some(143)),
    ("elasticsearch", "", &[(9200, Proto::All), (9300, Proto::Tcp)], Some(143)),
    ("kibana", "", &[(5601, Proto::All)], Some(0)),
    ("consul", "", &[(8500, Proto::All)], Some(0)),
    ("vault", "", &[(8200, Proto::All)], Some(0)),
    ("ghost", "", &[(2368, Proto::All)], Some(0)),
    ("wordpress", "", &[(80, Proto::All)], Some(0)),
    ("jenkins", "", &[(8080, Proto::All), (50000, Proto::Tcp)], Some(143)),
    ("goproxy", "", &[(8080, Proto::Status(500))], GO_EXIT),
    ("etcd", "", &[(2379, Proto::Grpc), (2380, Proto::Tcp)], Some(0)),
    ("coredns", "", &[(53, Proto::Tcp), (8080, Proto::Paths(&["/health"])), (8181, Proto::Paths(&["/ready"])), (9153, Proto::Paths(&["/metrics"]))], Some(0)),
    ("agnhost", "liveness", &[(8080, Proto::AgnhostLiveness)], GO_EXIT),
    ("agnhost", "netexec", &[(8080, Proto::All)], GO_EXIT),
    ("agnhost", "serve-hostname", &[(9376, Proto::All)], GO_EXIT),
    ("agnhost", "test-webserver", &[(80, Proto::All)], GO_EXIT),
    ("agnhost", "grpc-health-checking", &[(5000, Proto::Grpc), (8080, Proto::All)], GO_EXIT),
    ("hello-app", "", &[(8080, Proto::All)], GO_EXIT),
    // The pause binary listens on nothing and exits 0 on SIGTERM or SIGINT (`sigdown`).
    ("pause", "", &[], Some(0)),
];

/// Whether the image is one the catalogue knows as a server (its own binary runs, whatever the
/// `command` calls it).
pub fn serves(image: &ImageRef) -> bool {
    CATALOGUE.iter().any(|(name, _, _, _)| *name == image.short_name())
}

/// What a probe reaches at a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Nothing listens: `connect: connection refused`.
    Refused,
    /// An HTTP status code.
    Http(u16),
    /// A TCP connection is accepted (or a non-HTTP listener's answer to HTTP or gRPC).
    Open,
    /// A gRPC health check answers SERVING.
    Serving,
}

/// One running container as its probes see it.
pub struct App<'a> {
    image: ImageRef,
    /// `command` then `args`: agnhost's subcommand is the first word that is not a path.
    argv: &'a [String],
    /// The container's declared `containerPort`s.
    ports: &'a [u16],
    /// Its process is a shell script the simulation interprets: it serves nothing.
    shell: bool,
}

impl<'a> App<'a> {
    pub fn new(image: &str, argv: &'a [String], ports: &'a [u16], shell: bool) -> Self {
        App { image: ImageRef::parse(image), argv, ports, shell }
    }

    fn entry(&self) -> Option<&'static Entry> {
        let name = self.image.short_name();
        let sub = self.argv.iter().map(String::as_str).find(|a| !a.starts_with('/') && !a.starts_with('-')).unwrap_or("");
        CATALOGUE.iter().find(|(n, s, _, _)| *n == name && (s.is_empty() || *s == sub))
    }

    fn listener(&self, port: u16) -> Option<Proto> {
        if self.shell {
            return None;
        }
        match self.entry() {
            Some((_, _, listeners, _)) => listeners.iter().find(|(p, _)| *p == port).map(|(_, proto)| *proto),
            None if self.image.short_name() == "agnhost" => None,
            None => self.ports.contains(&port).then_some(Proto::All),
        }
    }

    /// An HTTP GET of `path` at `port`, `offset_ms` after the container started.
    pub fn http(&self, port: u16, path: &str, offset_ms: u64) -> Reply {
        let path = path.split('?').next().unwrap_or(path);
        match self.listener(port) {
            None => Reply::Refused,
            Some(Proto::Root) => Reply::Http(if matches!(path, "/" | "" | "/index.html") { 200 } else { 404 }),
            Some(Proto::All | Proto::Grpc) => Reply::Http(200),
            Some(Proto::Paths(paths)) => Reply::Http(if paths.contains(&path) { 200 } else { 404 }),
            Some(Proto::Status(code)) => Reply::Http(code),
            Some(Proto::AgnhostLiveness) => Reply::Http(match path {
                "/healthz" if offset_ms < AGNHOST_HEALTHY_MS => 200,
                "/healthz" => 500,
                "/started" => 200,
                _ => 404,
            }),
            // A database reads the request as garbage and closes the connection: the HTTP client
            // gets no response (`EOF`).
            Some(Proto::Tcp) => Reply::Open,
        }
    }

    /// A TCP connect to `port`.
    pub fn tcp(&self, port: u16) -> Reply {
        self.listener(port).map_or(Reply::Refused, |_| Reply::Open)
    }

    /// A gRPC health check at `port`.
    pub fn grpc(&self, port: u16) -> Reply {
        match self.listener(port) {
            None => Reply::Refused,
            Some(Proto::Grpc | Proto::All) => Reply::Serving,
            Some(_) => Reply::Open,
        }
    }

    /// The first instant after `offset_ms` at which an answer changes (agnhost `liveness` at 10 s).
    pub fn next_change_after(&self, offset_ms: u64) -> Option<u64> {
        let flips = self.entry().is_some_and(|(_, _, l, _)| l.iter().any(|(_, p)| *p == Proto::AgnhostLiveness));
        (flips && offset_ms < AGNHOST_HEALTHY_MS).then_some(AGNHOST_HEALTHY_MS)
    }

    /// What the process does with SIGTERM: exits with this code at once, or (`None`) ignores it
    /// as PID 1 does without a handler (a shell, `sleep`, an unknown program) and is killed with
    /// SIGKILL when the grace period ends (exit code 137).
    pub fn on_sigterm(&self) -> Option<i32> {
        if self.shell {
            return None;
        }
        self.entry().and_then(|(_, _, _, code)| *code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app<'a>(image: &str, argv: &'a [String], ports: &'a [u16]) -> App<'a> {
        App::new(image, argv, ports, false)
    }

    #[test]
    fn web_servers_serve_their_root_and_404_elsewhere() {
        let nginx = app("nginx:1.27", &[], &[]);
        assert_eq!(nginx.http(80, "/", 0), Reply::Http(200));
        assert_eq!(nginx.http(80, "/healthz", 0), Reply::Http(404));
        assert_eq!(nginx.http(8080, "/", 0), Reply::Refused);
        assert_eq!(nginx.on_sigterm(), Some(0));
    }

    #[test]
    fn agnhost_liveness_turns_unhealthy_after_ten_seconds() {
        let argv = vec!["liveness".to_string()];
        let a = app("registry.k8s.io/e2e-test-images/agnhost:2.40", &argv, &[]);
        assert_eq!(a.http(8080, "/healthz", 9_999), Reply::Http(200));
        assert_eq!(a.http(8080, "/healthz", 10_000), Reply::Http(500));
        assert_eq!(a.next_change_after(3_000), Some(10_000));
        assert_eq!(a.next_change_after(10_000), None);
        assert_eq!(a.on_sigterm(), Some(2));
    }

    #[test]
    fn tcp_and_grpc_reach_what_listens() {
        let goproxy = app("registry.k8s.io/goproxy:0.1", &[], &[8080]);
        assert_eq!(goproxy.tcp(8080), Reply::Open);
        assert_eq!(goproxy.tcp(3306), Reply::Refused);
        let etcd = app("registry.k8s.io/etcd:3.5.1-0", &[], &[2379]);
        assert_eq!(etcd.grpc(2379), Reply::Serving);
        assert_eq!(etcd.grpc(2380), Reply::Open);
        assert!(serves(&ImageRef::parse("registry.k8s.io/etcd:3.5.1-0")));
    }

    #[test]
    fn unknown_images_serve_their_declared_ports_and_shells_nothing() {
        let mine = app("example.com/shop:1.0", &[], &[8080]);
        assert_eq!(mine.http(8080, "/healthz", 0), Reply::Http(200));
        assert_eq!(mine.tcp(9090), Reply::Refused);
        assert_eq!(mine.on_sigterm(), None);
        let sh = App::new("busybox", &[], &[80], true);
        assert_eq!(sh.tcp(80), Reply::Refused);
    }
}
