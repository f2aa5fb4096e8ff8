//! The command language shared by the native `kubeplay` CLI and the web terminal: a subset of
//! kubectl and etcdctl, printing exactly what those tools print.
//!
//! A line is split into words as a POSIX shell would (quotes and backslashes), then dispatched on
//! its first word. Files named by `-f` are read through [`Files`], which the native CLI backs with
//! the real file system and the browser with the editor buffer, so this module stays sans-IO.

pub mod builtins;
pub mod etcdctl;
pub mod kubectl;
pub mod load;
pub mod printers;
mod words;

pub use words::split_words;

/// What a command printed and how it ended, as a terminal would show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// Decoding problems with their positions, for an editor to underline (empty for most commands).
    pub diagnostics: Vec<crate::api::Diagnostic>,
}

impl Output {
    pub fn ok(stdout: impl Into<String>) -> Self {
        Output { stdout: stdout.into(), ..Default::default() }
    }

    /// A failure printed on stderr with exit status 1, as kubectl and etcdctl both do.
    pub fn fail(stderr: impl Into<String>) -> Self {
        Output { stderr: stderr.into(), exit_code: 1, ..Default::default() }
    }

    pub fn success(&self) -> bool {
        self.exit_code == 0
    }
}

/// Where `-f FILE` is read from. `-` is standard input in the CLI and the editor in the browser.
pub trait Files {
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// A fixed set of named files, used by the browser and by tests.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: std::collections::BTreeMap<String, Vec<u8>>,
}

impl MemoryFiles {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_string(), contents.into());
        self
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| format!("the path \"{path}\" does not exist"))
    }
}

/// A command line understood and ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Kubectl(kubectl::Kubectl),
    /// etcdctl's arguments after the word `etcdctl`.
    Etcdctl(Vec<String>),
    /// `run 30s` / `sleep 2m`: let virtual time pass, with everything it brings.
    Advance(crate::sim::Duration),
    /// `wait` with no duration: let virtual time pass until the cluster has settled.
    Settle,
    /// `trace`: the trace records of the previous command and what it set off.
    Trace,
    /// `node ...`, `watches`, `iptables-save NODE`, `connect IP:PORT`: machines and the network.
    Builtin(builtins::Builtin),
}

/// Parses one command line. On failure the error is the [`Output`] the tool would have printed.
pub fn parse(line: &str, files: &dyn Files) -> Result<Parsed, Output> {
    if words::shell_operator(line).is_some() {
        return Err(Output::fail("error: kubeplay's terminal has no shell: pipes (|) and redirections are not supported\n"));
    }
    let words = split_words(line).map_err(|e| Output::fail(format!("kubeplay: {e}\n")))?;
    let Some((tool, args)) = words.split_first() else {
        return Err(Output::default());
    };
    match tool.as_str() {
        "kubectl" | "k" => kubectl::parse(args, files).map(Parsed::Kubectl).map_err(Output::fail),
        "etcdctl" => Ok(Parsed::Etcdctl(args.to_vec())),
        "wait" if args.is_empty() => Ok(Parsed::Settle),
        "run" | "sleep" | "wait" => match args {
            [d] => parse_duration(d).map(Parsed::Advance).ok_or_else(|| Output::fail(format!("kubeplay: {tool}: invalid duration {d:?} (e.g. 30s, 2m, 1h30m, 500ms)\n"))),
            _ => Err(Output::fail(format!("kubeplay: usage: {tool} DURATION (e.g. {tool} 30s)\n"))),
        },
        "trace" if args.is_empty() => Ok(Parsed::Trace),
        "node" | "watches" | "iptables-save" | "connect" => builtins::parse(tool, args).map(Parsed::Builtin),
        "scheduler" => builtins::parse_scheduler(args).map(Parsed::Builtin),
        "load" => load::parse(args).map(|l| Parsed::Builtin(builtins::Builtin::Load(l))),
        other => Err(Output { stderr: format!("kubeplay: {other}: command not found\n"), exit_code: 127, ..Default::default() }),
    }
}

/// Parses Go-style durations: `500ms`, `30s`, `2m`, `1h30m`. Bounded to one virtual year.
pub fn parse_duration(s: &str) -> Option<crate::sim::Duration> {
    let mut total: u64 = 0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit_ms, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('s') {
            (1000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else {
            return None;
        };
        total = total.checked_add(n.checked_mul(unit_ms)?)?;
        rest = &rest[len..];
    }
    (total <= 365 * 86_400_000).then_some(crate::sim::Duration::from_ms(total))
}
