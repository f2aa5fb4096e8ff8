//! What a container's process does, decided from its image, `command`, `args` and `env`: the lines
//! it writes (with the virtual instant of each) and whether it runs on or exits, after how long and
//! with which code. This is the simulated application behind the container runtime.
//!
//! - Well-known server images run until stopped and write their real start-up lines (nginx's
//!   `/docker-entrypoint.sh: ...`, Apache's `AH00094`, Redis's `Ready to accept connections`);
//!   `mysql` and `postgres` exit 1 with their entrypoint's error when no password is configured.
//! - Shell commands (`sh -c "echo hello; sleep 5; exit 1"`) are interpreted: `echo`, `printf`,
//!   `sleep`, `exit`, `true`, `false`, `date`, `hostname`, `env`, `while true`/`for` loops,
//!   `&&`/`||`, `$VAR` and `$(date)`. BusyBox applets the simulation does not model succeed silently.
//! - `perl -Mbignum=bpi -wle 'print bpi(2000)'` prints pi to 2000 digits.
//! - Anything else is taken to be the image's own server and runs until stopped, writing nothing.
//!
//! The kubelet expands `$(VAR)` in `command` and `args` from the container's env before starting
//! it (`kubecontainer.ExpandContainerCommandAndArgs`), so that happens here too.

use super::images::ImageRef;
use super::pi;
use crate::sim::Time;
use std::collections::BTreeMap;

/// Lines one program may produce ahead (a `while true` loop stops being unrolled there).
const MAX_PROGRAM_LINES: usize = 2_000;
/// How far ahead a loop is unrolled, in virtual ms (one day).
const MAX_PROGRAM_MS: u64 = 86_400_000;
/// A process that exits "at once" still lives this long (a fork, an exec, a write).
const MIN_RUN_MS: u64 = 1_000;
/// Statements one program may execute while unrolling loops.
const MAX_STATEMENTS: usize = 20_000;

/// Virtual time 0 is 2026-01-01T00:00:00Z.
const EPOCH_UNIX_SECS: u64 = 1_767_225_600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Runs until the kubelet stops it.
    Runs,
    /// Exits by itself `after_ms` after it started.
    Exits { after_ms: u64, code: i32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Each line with its offset from the start, in ms.
    pub lines: Vec<(u64, String)>,
    pub end: End,
}

/// What the kubelet hands the runtime to start one container.
pub struct Launch<'a> {
    pub image: &'a str,
    pub command: &'a [String],
    pub args: &'a [String],
    pub env: &'a BTreeMap<String, String>,
    /// The pod's hostname (its name).
    pub hostname: &'a str,
    pub started: Time,
}

pub fn launch(l: &Launch) -> Program {
    let image = ImageRef::parse(l.image);
    let expand = |v: &[String]| v.iter().map(|s| expand_kubernetes_vars(s, l.env)).collect::<Vec<_>>();
    let (command, args) = (expand(l.command), expand(l.args));
    let argv: Vec<String> = command.iter().chain(args.iter()).cloned().collect();
    let mut sh = Shell::new(l);
    let interpreted = match argv.first() {
        Some(first) if !command.is_empty() || is_known(first) => sh.exec(&argv),
        _ => false,
    };
    if !interpreted {
        return image_default(&image, l);
    }
    sh.finish()
}

/// `$(VAR)` from the env; `$$(VAR)` escapes; unknown references stay as written.
fn expand_kubernetes_vars(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        if rest[..i].ends_with('$') {
            out.push_str(&rest[..i]);
            out.push('(');
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) if env.contains_key(&after[..j]) => {
                out.push_str(env.get(&after[..j]).map_or("", String::as_str));
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str("$(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn base(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Commands the simulation interprets rather than treating as the image's server.
fn is_known(cmd: &str) -> bool {
    matches!(
        base(cmd),
        "sh" | "bash" | "ash" | "dash" | "echo" | "printf" | "sleep" | "exit" | "true" | "false" | ":" | "date" | "hostname" | "env" | "printenv" | "perl" | "tail"
    )
}

/// The BusyBox applets and tools a script may call that succeed without output here.
fn is_silent_tool(cmd: &str) -> bool {
    matches!(
        base(cmd),
        "cat" | "ls" | "mkdir" | "touch" | "rm" | "cp" | "mv" | "chmod" | "chown" | "wget" | "curl" | "nslookup" | "ping" | "nc" | "head" | "grep"
            | "export" | "cd" | "test" | "[" | "trap" | "wait" | "kill" | "ln" | "sync" | "mount" | "umount" | "apk" | "apt-get" | "tee" | "sed" | "awk" | "wc" | "set"
    )
}

struct Shell<'a> {
    l: &'a Launch<'a>,
    env: BTreeMap<String, String>,
    /// Offset of the next line, ms.
    t: u64,
    lines: Vec<(u64, String)>,
    status: i32,
    exited: Option<i32>,
    forever: bool,
    statements: usize,
}

impl<'a> Shell<'a> {
    fn new(l: &'a Launch<'a>) -> Self {
        Shell { l, env: l.env.clone(), t: 0, lines: Vec::new(), status: 0, exited: None, forever: false, statements: 0 }
    }

    fn done(&self) -> bool {
        self.exited.is_some() || self.forever || self.lines.len() >= MAX_PROGRAM_LINES || self.t >= MAX_PROGRAM_MS || self.statements >= MAX_STATEMENTS
    }

    fn print(&mut self, text: &str) {
        for line in text.split('\n') {
            if self.lines.len() < MAX_PROGRAM_LINES {
                self.lines.push((self.t, line.to_string()));
            }
        }
    }

    fn finish(self) -> Program {
        let unrolled_to_the_bound = self.exited.is_none() && (self.lines.len() >= MAX_PROGRAM_LINES || self.t >= MAX_PROGRAM_MS || self.statements >= MAX_STATEMENTS);
        let end = if self.forever || unrolled_to_the_bound {
            End::Runs
        } else {
            End::Exits { after_ms: self.t.max(MIN_RUN_MS), code: self.exited.unwrap_or(self.status) }
        };
        Program { lines: self.lines, end }
    }

    /// Runs one command given as words. Returns false when the command is not interpreted.
    fn exec(&mut self, argv: &[String]) -> bool {
        self.statements += 1;
        let Some(cmd) = argv.first() else { return true };
        let args = &argv[1..];
        match base(cmd) {
            "sh" | "bash" | "ash" | "dash" => {
                // `-c SCRIPT`, possibly after other single-letter flags (`-ec`, `-xc`).
                match args.iter().position(|a| a.starts_with('-') && a.contains('c')) {
                    Some(i) => {
                        let script = args.get(i + 1).cloned().unwrap_or_default();
                        self.run_script(&script);
                    }
                    // No script and no terminal: the shell reads an empty stdin and exits 0.
                    None => self.status = 0,
                }
            }
            "echo" => {
                let mut words: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut newline = true;
                while let Some(flag) = words.first().copied().filter(|w| matches!(*w, "-n" | "-e" | "-ne" | "-en")) {
                    newline &= !flag.contains('n');
                    words.remove(0);
                }
                let text = words.join(" ").replace("\\n", "\n");
                let _ = newline;
                self.print(&text);
                self.status = 0;
            }
            "printf" => {
                let mut text = args.first().cloned().unwrap_or_default();
                for a in args.iter().skip(1) {
                    text = text.replacen("%s", a, 1).replacen("%d", a, 1);
                }
                let text = text.replace("\\n", "\n");
                let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
                if !text.is_empty() {
                    self.print(&text);
                }
                self.status = 0;
            }
            "sleep" => match args.first().map(String::as_str) {
                Some("infinity") => self.forever = true,
                Some(d) => match parse_sleep(d) {
                    Some(ms) => {
                        self.t = self.t.saturating_add(ms);
                        self.status = 0;
                    }
                    None => {
                        self.print(&format!("sleep: invalid number '{d}'"));
                        self.status = 1;
                    }
                },
                None => {
                    self.print("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: sleep [N]...");
                    self.status = 1;
                }
            },
            "exit" => self.exited = Some(args.first().and_then(|a| a.parse::<i32>().ok()).map_or(self.status, |c| c & 0xff)),
            "true" | ":" => self.status = 0,
            "false" => self.status = 1,
            "date" => {
                let line = busybox_date(self.now_unix());
                self.print(&line);
                self.status = 0;
            }
            "hostname" => {
                let h = self.l.hostname.to_string();
                self.print(&h);
                self.status = 0;
            }
            "env" | "printenv" => {
                if let Some(name) = args.first() {
                    match self.env.get(name).cloned() {
                        Some(v) => {
                            self.print(&v);
                            self.status = 0;
                        }
                        None => self.status = 1,
                    }
                } else {
                    let all: Vec<String> = self.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    for line in all {
                        self.print(&line);
                    }
                    self.status = 0;
                }
            }
            "tail" if args.iter().any(|a| a == "-f" || a == "-F") => self.forever = true,
            "perl" => {
                let code = args.iter().find(|a| a.contains("bpi(")).cloned().unwrap_or_default();
                let n = code.split("bpi(").nth(1).and_then(|r| r.split(')').next()).and_then(|n| n.trim().parse::<usize>().ok());
                match n {
                    Some(n) => {
                        // The computation takes a while: ~5 s for 2000 digits on a small node.
                        self.t += (n as u64 * n as u64 / 800).max(MIN_RUN_MS);
                        let digits = pi::pi(n);
                        self.print(&digits);
                        self.status = 0;
                    }
                    None => self.status = 0,
                }
            }
            other if is_silent_tool(other) => self.status = 0,
            other => {
                self.print(&format!("sh: {other}: not found"));
                self.status = 127;
            }
        }
        true
    }

    fn now_unix(&self) -> u64 {
        EPOCH_UNIX_SECS + (self.l.started.as_ms() + self.t) / 1000
    }

    fn run_script(&mut self, script: &str) {
        let statements = split_statements(script);
        self.run_block(&statements);
    }

    fn run_block(&mut self, block: &[(Sep, String)]) {
        let mut i = 0;
        while i < block.len() && !self.done() {
            let (sep, stmt) = &block[i];
            let run = match sep {
                Sep::Seq => true,
                Sep::And => self.status == 0,
                Sep::Or => self.status != 0,
            };
            let words: Vec<&str> = stmt.split_whitespace().collect();
            if matches!(words.first(), Some(&"while") | Some(&"until") | Some(&"for")) {
                let end = matching_done(block, i);
                let mut body: Vec<(Sep, String)> = block[i + 1..end].to_vec();
                if let Some(first) = body.first_mut() {
                    first.1 = first.1.trim_start().strip_prefix("do").unwrap_or(&first.1).trim_start().to_string();
                }
                if run {
                    self.run_loop(stmt, &body);
                }
                i = end + 1;
                continue;
            }
            if run {
                let expanded = self.expand(stmt);
                let mut words = crate::cli::split_words(&expanded).unwrap_or_default();
                let redirected = strip_redirections(&mut words);
                let before = self.lines.len();
                self.exec(&words);
                if redirected {
                    self.lines.truncate(before);
                }
            }
            i += 1;
        }
    }

    fn run_loop(&mut self, head: &str, body: &[(Sep, String)]) {
        let words: Vec<String> = crate::cli::split_words(&self.expand(head)).unwrap_or_default();
        match words.first().map(String::as_str) {
            Some("for") => {
                let var = words.get(1).cloned().unwrap_or_default();
                for value in words.iter().skip(3) {
                    if self.done() {
                        break;
                    }
                    self.env.insert(var.clone(), value.clone());
                    self.run_block(body);
                }
            }
            Some(kw) => {
                let cond = words.get(1).map(String::as_str).unwrap_or("");
                let forever = if kw == "while" { matches!(cond, "true" | ":") } else { cond == "false" };
                if !forever {
                    return;
                }
                while !self.done() {
                    let (t, n) = (self.t, self.lines.len());
                    self.run_block(body);
                    if self.t == t && self.lines.len() == n {
                        // A busy loop that writes nothing: it simply runs.
                        self.forever = true;
                    }
                }
            }
            None => {}
        }
    }

    /// `$VAR`, `${VAR}`, `$?`, `$(command)`; nothing inside single quotes.
    fn expand(&mut self, s: &str) -> String {
        let mut out = String::new();
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        let mut single = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                single = !single;
                out.push(c);
                i += 1;
                continue;
            }
            if c != '$' || single || i + 1 >= chars.len() {
                out.push(c);
                i += 1;
                continue;
            }
            let next = chars[i + 1];
            if next == '(' {
                let mut depth = 0;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner: String = chars[i + 2..j.min(chars.len())].iter().collect();
                out.push_str(&self.capture(&inner));
                i = j + 1;
            } else if next == '?' {
                out.push_str(&self.status.to_string());
                i += 2;
            } else if next == '{' {
                let end = chars[i..].iter().position(|&c| c == '}').map_or(chars.len(), |p| i + p);
                let name: String = chars[i + 2..end].iter().collect();
                out.push_str(self.env.get(&name).map_or("", String::as_str));
                i = end + 1;
            } else if next.is_ascii_alphabetic() || next == '_' {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                out.push_str(self.env.get(&name).map_or("", String::as_str));
                i = j;
            } else {
                out.push(c);
                i += 1;
            }
        }
        out
    }

    /// The output of `$(command)`, run in a subshell at the current instant.
    fn capture(&mut self, inner: &str) -> String {
        let before = self.lines.len();
        let (status, exited) = (self.status, self.exited);
        self.run_script(inner);
        let captured: Vec<String> = self.lines.drain(before..).map(|(_, l)| l).collect();
        self.exited = exited;
        self.status = status;
        captured.join(" ")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    Seq,
    And,
    Or,
}

/// Splits a script at `;`, newlines, `&&` and `||` outside quotes and `$( )`; each statement
/// carries the separator before it.
fn split_statements(script: &str) -> Vec<(Sep, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut sep = Sep::Seq;
    let (mut single, mut double, mut depth) = (false, false, 0usize);
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let push = |cur: &mut String, sep: Sep, out: &mut Vec<(Sep, String)>| {
        let s = cur.trim().to_string();
        if !s.is_empty() {
            out.push((sep, s));
        }
        cur.clear();
    };
    while i < chars.len() {
        let c = chars[i];
        let top = !single && !double && depth == 0;
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '(' if !single && i > 0 && chars[i - 1] == '$' => depth += 1,
            ')' if !single && depth > 0 => depth -= 1,
            _ => {}
        }
        if top && (c == ';' || c == '\n') {
            push(&mut cur, sep, &mut out);
            sep = Sep::Seq;
        } else if top && (c == '&' || c == '|') && chars.get(i + 1) == Some(&c) {
            push(&mut cur, sep, &mut out);
            sep = if c == '&' { Sep::And } else { Sep::Or };
            i += 1;
        } else {
            cur.push(c);
        }
        i += 1;
    }
    push(&mut cur, sep, &mut out);
    out
}

/// The index of the `done` closing the loop that starts at `start`.
fn matching_done(block: &[(Sep, String)], start: usize) -> usize {
    let mut depth = 0;
    for (i, (_, s)) in block.iter().enumerate().skip(start) {
        let first = s.split_whitespace().next().unwrap_or("");
        if matches!(first, "while" | "until" | "for") {
            depth += 1;
        }
        if first == "done" || s.ends_with(" done") {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    block.len()
}

/// Drops `> file`, `>> file`, `2>&1`; true when stdout went to a file.
fn strip_redirections(words: &mut Vec<String>) -> bool {
    let mut to_file = false;
    let mut out = Vec::new();
    let mut skip_next = false;
    for w in words.drain(..) {
        if skip_next {
            skip_next = false;
            continue;
        }
        if w == ">" || w == ">>" || w == "1>" {
            to_file = true;
            skip_next = true;
        } else if w == "2>" {
            skip_next = true;
        } else if w.starts_with('>') || w.starts_with("1>") {
            to_file = true;
        } else if w.starts_with("2>") {
        } else {
            out.push(w);
        }
    }
    *words = out;
    to_file
}

/// BusyBox `sleep`: seconds with an optional fraction and suffix s, m, h, d.
fn parse_sleep(d: &str) -> Option<u64> {
    let (num, mult) = match d.chars().last()? {
        's' => (&d[..d.len() - 1], 1_000.0),
        'm' => (&d[..d.len() - 1], 60_000.0),
        'h' => (&d[..d.len() - 1], 3_600_000.0),
        'd' => (&d[..d.len() - 1], 86_400_000.0),
        _ => (d, 1_000.0),
    };
    let n: f64 = num.parse().ok()?;
    (n.is_finite() && n >= 0.0).then(|| (n * mult).min(MAX_PROGRAM_MS as f64 * 10.0) as u64)
}

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
fn image_default(image: &ImageRef, l: &Launch) -> Program {
    let at = |ms: u64| ms;
    let mut lines: Vec<(u64, String)> = Vec::new();
    let mut add = |ms: u64, s: String| lines.push((ms, s));
    let runs = |lines| Program { lines, end: End::Runs };
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
                return Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 1 } };
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
                return Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 1 } };
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
            Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 0 } }
        }
        // A shell or a language REPL with no terminal reads an empty stdin and exits at once.
        "busybox" | "alpine" | "ubuntu" | "debian" | "bash" | "centos" | "fedora" | "rockylinux" | "amazonlinux" | "python" | "node" | "perl" | "ruby" | "golang" | "gcc" | "openjdk" | "eclipse-temurin" | "rust" => {
            Program { lines, end: End::Exits { after_ms: MIN_RUN_MS, code: 0 } }
        }
        _ => runs(lines),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(image: &str, command: &[&str], args: &[&str], env: &[(&str, &str)]) -> Program {
        let command: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let env: BTreeMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        launch(&Launch { image, command: &command, args: &args, env: &env, hostname: "pod-1", started: Time(60_000) })
    }

    fn text(p: &Program) -> Vec<&str> {
        p.lines.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn shell_scripts_print_sleep_and_exit() {
        let p = run("busybox:1.36", &["sh", "-c", "echo hello; sleep 5; exit 1"], &[], &[]);
        assert_eq!(text(&p), vec!["hello"]);
        assert_eq!(p.end, End::Exits { after_ms: 5_000, code: 1 });
        let p = run("busybox", &["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"], &[], &[]);
        assert_eq!(text(&p), vec!["Thu Jan  1 00:01:00 UTC 2026", "Hello from the Kubernetes cluster"]);
        assert_eq!(p.end, End::Exits { after_ms: 1_000, code: 0 });
        assert_eq!(run("busybox", &["false"], &[], &[]).end, End::Exits { after_ms: 1_000, code: 1 });
        assert_eq!(run("busybox", &["sh", "-c", "false || exit 3"], &[], &[]).end, End::Exits { after_ms: 1_000, code: 3 });
        assert_eq!(run("busybox", &["sh", "-c", "true && echo ok"], &[], &[]).lines.len(), 1);
        assert_eq!(run("busybox", &[], &["sleep", "3600"], &[]).end, End::Exits { after_ms: 3_600_000, code: 0 });
        assert_eq!(run("busybox", &["sleep", "infinity"], &[], &[]).end, End::Runs);
        let p = run("busybox", &["sh", "-c", "echo $GREETING $(hostname)"], &[], &[("GREETING", "hi")]);
        assert_eq!(text(&p), vec!["hi pod-1"]);
        let p = run("busybox", &["sh", "-c", "nosuch"], &[], &[]);
        assert_eq!((text(&p), p.end), (vec!["sh: nosuch: not found"], End::Exits { after_ms: 1_000, code: 127 }));
    }

    #[test]
    fn loops_unroll_in_virtual_time() {
        let p = run("busybox", &["sh", "-c", "while true; do echo tick; sleep 10; done"], &[], &[]);
        assert_eq!(p.end, End::Runs);
        assert_eq!(p.lines[1], (10_000, "tick".to_string()));
        let p = run("busybox", &["sh", "-c", "for i in 1 2 3; do echo $i; done"], &[], &[]);
        assert_eq!(text(&p), vec!["1", "2", "3"]);
    }

    #[test]
    fn images_do_what_their_entrypoints_do() {
        let nginx = run("nginx:1.27", &[], &[], &[]);
        assert_eq!(nginx.end, End::Runs);
        assert!(text(&nginx)[0].starts_with("/docker-entrypoint.sh: "));
        assert!(text(&nginx).contains(&"2026/01/01 00:01:00 [notice] 1#1: nginx/1.27.3"));
        let mysql = run("mysql:8.4", &[], &[], &[]);
        assert_eq!(mysql.end, End::Exits { after_ms: 1_000, code: 1 });
        assert!(text(&mysql).iter().any(|l| l.contains("Database is uninitialized and password option is not specified")));
        assert_eq!(run("mysql:8.4", &[], &[], &[("MYSQL_ROOT_PASSWORD", "x")]).end, End::Runs);
        assert_eq!(run("postgres:17", &[], &[], &[]).end, End::Exits { after_ms: 1_000, code: 1 });
        assert_eq!(run("registry.k8s.io/pause:3.10", &[], &[], &[]).end, End::Runs);
        assert_eq!(run("busybox:1.36", &[], &[], &[]).end, End::Exits { after_ms: 1_000, code: 0 });
        let pi = run("perl:5.34.0", &["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], &[], &[]);
        assert_eq!(pi.end, End::Exits { after_ms: 5_000, code: 0 });
        assert!(text(&pi)[0].starts_with("3.14159265358979"));
    }

    #[test]
    fn kubernetes_expands_dollar_parens_from_env() {
        let env: BTreeMap<String, String> = [("MSG".to_string(), "hi".to_string())].into();
        assert_eq!(expand_kubernetes_vars("echo $(MSG) $(NOPE) $$(MSG)", &env), "echo hi $(NOPE) $(MSG)");
    }
}
