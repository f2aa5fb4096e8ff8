//! What well-known images do with their own ENTRYPOINT and CMD when the pod gives no command:
//! nginx's `/docker-entrypoint.sh` lines and notices, Apache's `AH00094`, Redis's `Ready to accept
//! connections`, MySQL and Postgres refusing to start without a password, `hello-world`'s
//! greeting, and shells and language images that read an empty stdin and exit. Timestamps are
//! written in each program's own format from the virtual clock (time 0 is 2026-01-01T00:00:00Z).

use super::images::ImageRef;
use super::process::{End, Launch, Program, EPOCH_UNIX_SECS, MIN_RUN_MS};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

struct Civil {
    y: i64,
    mon: usize,
    d: u32,
    wday: usize,
    h: u64,
    min: u64,
    s: u64,
}

fn civil_time(unix: u64) -> Civil {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    let (y, m, d) = crate::sim::civil_from_days(days);
    Civil { y, mon: (m as usize).saturating_sub(1).min(11), d, wday: ((days + 4).rem_euclid(7)) as usize, h: rem / 3600, min: rem % 3600 / 60, s: rem % 60 }
}

/// BusyBox `date`: `Thu Jan  1 00:01:00 UTC 2026`.
pub fn busybox_date(unix: u64) -> String {
    let c = civil_time(unix);
    format!("{} {} {:>2} {:02}:{:02}:{:02} UTC {}", WEEKDAYS[c.wday], MONTHS[c.mon], c.d, c.h, c.min, c.s, c.y)
}

fn unix_of(l: &Launch, offset_ms: u64) -> u64 {
    EPOCH_UNIX_SECS + (l.started.as_ms() + offset_ms) / 1000
}

fn has_env(l: &Launch, names: &[&str]) -> bool {
    names.iter().any(|n| l.env.get(*n).is_some_and(|v| !v.is_empty()))
}

/// `1.27` from `nginx:1.27`, or `fallback` for `latest` and non-version tags.
fn version_of(image: &ImageRef, fallback: &str) -> String {
    let tag = image.tag.split('-').next().unwrap_or("");
    if tag.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        tag.to_string()
    } else {
        fallback.to_string()
    }
}

/// What the image does with its own ENTRYPOINT and CMD.
pub(super) fn image_default(image: &ImageRef, l: &Launch) -> Program {
    let at = |ms: u64| ms;
    let mut lines: Vec<(u64, String)> = Vec::new();
    let mut add = |ms: u64, s: String| lines.push((ms, s));
    let runs = |lines| Program { lines, end: End::Runs, files: Default::default() };
    match image.short_name() {
        "nginx" | "nginx-slim" | "nginx-unprivileged" => {
            let version = version_of(image, "1.29.3");
            let minor: u32 = version.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(29);
            // Images before 1.19 had no entrypoint scripts and logged nothing at start.
            if minor < 19 && version.starts_with("1.") {
                return runs(Vec::new());
            }
            for s in [
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
            ] {
                add(at(0), s.to_string());
            }
            let c = civil_time(unix_of(l, 0));
            let stamp = format!("{:04}/{:02}/{:02} {:02}:{:02}:{:02}", c.y, c.mon + 1, c.d, c.h, c.min, c.s);
            let full = if version.matches('.').count() >= 2 { version.clone() } else { format!("{version}.3") };
            for s in [
                "using the \"epoll\" event method".to_string(),
                format!("nginx/{full}"),
                "built by gcc 12.2.0 (Debian 12.2.0-14) ".to_string(),
                "OS: Linux 6.8.0-kubeplay".to_string(),
                "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
                "start worker processes".to_string(),
            ] {
                add(at(0), format!("{stamp} [notice] 1#1: {s}"));
            }
            for pid in 29..33 {
                add(at(0), format!("{stamp} [notice] 1#1: start worker process {pid}"));
            }
            runs(lines)
        }
        "httpd" | "hpa-example" | "php" => {
            let c = civil_time(unix_of(l, 0));
            let stamp = format!("[{} {} {:02} {:02}:{:02}:{:02}.000000 {}]", WEEKDAYS[c.wday], MONTHS[c.mon], c.d, c.h, c.min, c.s, c.y);
            let fqdn = "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message";
            add(at(0), fqdn.to_string());
            add(at(0), fqdn.to_string());
            let version = if image.short_name() == "httpd" { version_of(image, "2.4.65") } else { "2.4.10".into() };
            let version = if version.matches('.').count() >= 2 { version } else { format!("{version}.65") };
            add(at(0), format!("{stamp} [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/{version} (Unix) configured -- resuming normal operations"));
            add(at(0), format!("{stamp} [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"));
            runs(lines)
        }
        "redis" => {
            let c = civil_time(unix_of(l, 0));
            let stamp = format!("{:02} {} {} {:02}:{:02}:{:02}.000", c.d, MONTHS[c.mon], c.y, c.h, c.min, c.s);
            let version = version_of(image, "8.2.2");
            let version = if version.matches('.').count() >= 2 { version } else { format!("{version}.0") };
            for s in [
                format!("1:C {stamp} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                format!("1:C {stamp} * Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started"),
                format!("1:C {stamp} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
                format!("1:M {stamp} * monotonic clock: POSIX clock_gettime"),
                format!("1:M {stamp} * Running mode=standalone, port=6379."),
                format!("1:M {stamp} * Server initialized"),
                format!("1:M {stamp} * Ready to accept connections tcp"),
            ] {
                add(at(0), s);
            }
            runs(lines)
        }
        "mysql" | "mariadb" => {
            let c = civil_time(unix_of(l, 0));
            let stamp = format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}+00:00", c.y, c.mon + 1, c.d, c.h, c.min, c.s);
            let version = version_of(image, "9.5.0");
            let names = ["MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD"];
            add(at(0), format!("{stamp} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version}-1.el9 started."));
            add(at(0), format!("{stamp} [Note] [Entrypoint]: Switching to dedicated user 'mysql'"));
            add(at(0), format!("{stamp} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version}-1.el9 started."));
            if !has_env(l, &names) {
                add(at(0), format!("{stamp} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"));
                for s in ["    You need to specify one of the following as an environment variable:", "    - MYSQL_ROOT_PASSWORD", "    - MYSQL_ALLOW_EMPTY_PASSWORD", "    - MYSQL_RANDOM_ROOT_PASSWORD"] {
                    add(at(0), s.to_string());
                }
                return Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 1 }, files: Default::default() };
            }
            add(at(0), format!("{stamp} [Note] [Entrypoint]: Initializing database files"));
            add(at(8_000), format!("{stamp} [Note] [Entrypoint]: MySQL init process done. Ready for start up."));
            add(at(8_000), format!("{stamp}Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '{version}'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."));
            runs(lines)
        }
        "postgres" => {
            if !has_env(l, &["POSTGRES_PASSWORD"]) && l.env.get("POSTGRES_HOST_AUTH_METHOD").map(String::as_str) != Some("trust") {
                for s in [
                    "Error: Database is uninitialized and superuser password is not specified.",
                    "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
                    "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".",
                    "",
                    "       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all",
                    "       connections without a password. This is *not* recommended.",
                    "",
                    "       See PostgreSQL documentation about \"trust\":",
                    "       https://www.postgresql.org/docs/current/auth-trust.html",
                ] {
                    add(at(0), s.to_string());
                }
                return Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 1 }, files: Default::default() };
            }
            let c = civil_time(unix_of(l, 3_000));
            let stamp = format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.000 UTC", c.y, c.mon + 1, c.d, c.h, c.min, c.s);
            add(at(0), "The files belonging to this database system will be owned by user \"postgres\".".into());
            add(at(3_000), "PostgreSQL init process complete; ready for start up.".into());
            add(at(3_000), format!("{stamp} [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"));
            add(at(3_000), format!("{stamp} [1] LOG:  database system is ready to accept connections"));
            runs(lines)
        }
        "hello-world" => {
            for s in [
                "",
                "Hello from Docker!",
                "This message shows that your installation appears to be working correctly.",
                "",
            ] {
                add(at(0), s.to_string());
            }
            Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 0 }, files: Default::default() }
        }
        // A shell or a language REPL with no terminal reads an empty stdin and exits at once.
        "busybox" | "alpine" | "ubuntu" | "debian" | "bash" | "centos" | "fedora" | "rockylinux" | "amazonlinux" | "python" | "node" | "perl" | "ruby" | "golang" | "gcc" | "openjdk" | "eclipse-temurin" | "rust" => {
            Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 0 }, files: Default::default() }
        }
        _ => runs(lines),
    }
}

