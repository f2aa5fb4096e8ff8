//! The POSIX shell a container's `sh -c` script runs in, as far as the simulation interprets it:
//! statements split at `;`, newlines, `&&` and `||`; `while true`/`until false`/`for` loops
//! unrolled in virtual time up to a bound; `$VAR`, `${VAR}`, `$?` and `$(command)` expansion;
//! redirections to files dropped from the log but recorded, with `touch`, `rm`, `mkdir`, `mv` and
//! `cp`, on the run's filesystem timeline ([`super::files`]) that exec probes read; and the BusyBox applets `echo`, `printf`, `sleep`, `exit`,
//! `date`, `hostname`, `env`, `tail -f` and `perl`'s `bpi`. What it prints becomes the
//! container's log (`process.rs` decides when a command is interpreted at all).

use super::entrypoints::busybox_date;
use super::files::Files;
use super::pi;
use super::process::{base, is_silent_tool, End, Launch, Program, EPOCH_UNIX_SECS, MAX_PROGRAM_LINES, MAX_PROGRAM_MS, MAX_STATEMENTS, MIN_RUN_MS};
use std::collections::BTreeMap;

pub(super) struct Shell<'a> {
    l: &'a Launch<'a>,
    env: BTreeMap<String, String>,
    /// Offset of the next line, ms.
    t: u64,
    lines: Vec<(u64, String)>,
    status: i32,
    exited: Option<i32>,
    forever: bool,
    statements: usize,
    files: Files,
}

impl<'a> Shell<'a> {
    pub(super) fn new(l: &'a Launch<'a>) -> Self {
        Shell { l, env: l.env.clone(), t: 0, lines: Vec::new(), status: 0, exited: None, forever: false, statements: 0, files: Files::default() }
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

    pub(super) fn finish(self) -> Program {
        let unrolled_to_the_bound = self.exited.is_none() && (self.lines.len() >= MAX_PROGRAM_LINES || self.t >= MAX_PROGRAM_MS || self.statements >= MAX_STATEMENTS);
        let end = if self.forever || unrolled_to_the_bound {
            End::Runs
        } else {
            End::Exits { after_ms: self.t.max(MIN_RUN_MS), code: self.exited.unwrap_or(self.status) }
        };
        Program { lines: self.lines, end, files: self.files }
    }

    /// Runs one command given as words. Returns false when the command is not interpreted.
    pub(super) fn exec(&mut self, argv: &[String]) -> bool {
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
            "touch" | "mkdir" | "rm" | "mv" | "cp" => {
                let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                let t = self.t;
                match base(cmd) {
                    "touch" | "mkdir" => paths.iter().for_each(|p| self.files.record(t, p, true)),
                    "rm" => paths.iter().for_each(|p| self.files.record(t, p, false)),
                    // `mv a b` / `cp a b`: the last word is the target, the others the sources.
                    verb => {
                        if let Some((target, sources)) = paths.split_last() {
                            if verb == "mv" {
                                sources.iter().for_each(|p| self.files.record(t, p, false));
                            }
                            self.files.record(t, target, true);
                        }
                    }
                }
                self.status = 0;
            }
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
        self.run_block_with(block, &mut Vec::new());
    }

    /// [`Shell::run_block`], with the words of each statement that has nothing to expand kept in
    /// `fixed` (by position in `block`) for the next time a loop runs it.
    fn run_block_with(&mut self, block: &[(Sep, String)], fixed: &mut Vec<Option<Fixed>>) {
        fixed.resize_with(block.len(), || None);
        let mut i = 0;
        while i < block.len() && !self.done() {
            let (sep, stmt) = &block[i];
            let run = match sep {
                Sep::Seq => true,
                Sep::And => self.status == 0,
                Sep::Or => self.status != 0,
            };
            if matches!(stmt.split_whitespace().next(), Some("while" | "until" | "for")) {
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
                let prepared = match &fixed[i] {
                    Some(f) => f.clone(),
                    None => {
                        let f = Fixed::of(&self.expand(stmt));
                        if !stmt.contains('$') {
                            fixed[i] = Some(f.clone());
                        }
                        f
                    }
                };
                for target in prepared.targets.iter() {
                    let t = self.t;
                    self.files.record(t, target, true);
                }
                let before = self.lines.len();
                self.exec(&prepared.words);
                if prepared.redirected {
                    self.lines.truncate(before);
                }
            }
            i += 1;
        }
    }

    fn run_loop(&mut self, head: &str, body: &[(Sep, String)]) {
        let words: Vec<String> = crate::cli::split_words(&self.expand(head)).unwrap_or_default();
        let mut fixed = Vec::new();
        match words.first().map(String::as_str) {
            Some("for") => {
                let var = words.get(1).cloned().unwrap_or_default();
                for value in words.iter().skip(3) {
                    if self.done() {
                        break;
                    }
                    self.env.insert(var.clone(), value.clone());
                    self.run_block_with(body, &mut fixed);
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
                    self.run_block_with(body, &mut fixed);
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
        if !s.contains('$') {
            return s.to_string();
        }
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

/// A statement's words once expanded, its redirections taken out: what a loop runs again.
#[derive(Clone, Debug)]
struct Fixed {
    words: std::rc::Rc<[String]>,
    /// The files its redirections write.
    targets: std::rc::Rc<[String]>,
    /// Whether its standard output went to a file.
    redirected: bool,
}

impl Fixed {
    fn of(expanded: &str) -> Fixed {
        let mut words = crate::cli::split_words(expanded).unwrap_or_default();
        let targets = redirect_targets(&words);
        let redirected = strip_redirections(&mut words);
        Fixed { words: words.into(), targets: targets.into(), redirected }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sep {
    Seq,
    And,
    Or,
}

/// Splits a script at `;`, newlines, `&&` and `||` outside quotes and `$( )`; each statement
/// carries the separator before it.
pub(super) fn split_statements(script: &str) -> Vec<(Sep, String)> {
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

/// The files `> file`, `>>file`, `2> file` create (not `2>&1`, not `/dev/null`).
fn redirect_targets(words: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let op = w.trim_start_matches(['1', '2']);
        let target = match op.strip_prefix(">>").or_else(|| op.strip_prefix('>')) {
            Some("") => words.get(i + 1).cloned(),
            Some(rest) if !rest.starts_with('&') => Some(rest.to_string()),
            _ => None,
        };
        if let Some(t) = target.filter(|t| t.as_str() != "/dev/null" && !t.starts_with('&')) {
            out.push(t);
        }
    }
    out
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
