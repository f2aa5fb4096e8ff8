//! The learner's session as data: the seed and every command run, with the editor text a command
//! read through `-f -`. The simulation is deterministic, so replaying these inputs rebuilds the
//! same cluster, trace and revisions: this is what is saved in the browser, exported to a file
//! and carried in a shared link. Parsing is bounded and never trusts the input's shape.

use serde::{Deserialize, Serialize};

/// Commands kept in a session; past this the oldest cannot be replayed, so the page refuses to
/// record more and says so rather than silently forgetting history.
pub const MAX_INPUTS: usize = 500;
/// Bytes of one saved or imported session (localStorage holds about 5 MB per origin).
pub const MAX_SESSION_BYTES: usize = 2 * 1024 * 1024;

/// The input recorded when the learner pressed Ctrl+C in the terminal: a replay interrupts the
/// open `kubectl get -w` at the same point, so it prints exactly what it printed live.
pub const INTERRUPT: &str = "^C";

/// One command the learner ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub line: String,
    /// The editor text, when the command read it through `-f -`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<String>,
}

/// What is saved: enough to rebuild the page exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Format version; a newer page can read older sessions.
    pub version: u32,
    pub seed: u64,
    pub inputs: Vec<Input>,
    #[serde(default)]
    pub editor: String,
    /// The trace record the learner was looking at, or none for "live".
    #[serde(default)]
    pub cursor: Option<u64>,
    #[serde(default)]
    pub persona: String,
}

impl Session {
    pub fn new(seed: u64, editor: String) -> Self {
        Session { version: 1, seed, inputs: Vec::new(), editor, cursor: None, persona: String::new() }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a saved or imported session, refusing anything oversized or malformed with a
    /// sentence the page can show.
    pub fn from_json(text: &str) -> Result<Session, String> {
        if text.len() > MAX_SESSION_BYTES {
            return Err(format!("the session is {} bytes; at most {MAX_SESSION_BYTES} are accepted", text.len()));
        }
        let s: Session = serde_json::from_str(text).map_err(|e| format!("not a kubeplay session: {e}"))?;
        if s.version != 1 {
            return Err(format!("session format {} is newer than this page understands", s.version));
        }
        if s.inputs.len() > MAX_INPUTS {
            return Err(format!("the session has {} commands; at most {MAX_INPUTS} are replayed", s.inputs.len()));
        }
        Ok(s)
    }
}

/// Does this command line read standard input (`-f -`, `--filename=-`)?
pub fn reads_stdin(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    words.iter().enumerate().any(|(i, w)| {
        *w == "-f=-" || *w == "--filename=-" || (*w == "-" && i > 0 && matches!(words[i - 1], "-f" | "--filename"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let mut s = Session::new(7, "kind: Pod".into());
        s.inputs.push(Input { line: "kubectl apply -f -".into(), stdin: Some("apiVersion: v1".into()) });
        s.cursor = Some(42);
        assert_eq!(Session::from_json(&s.to_json()).unwrap(), s);
        assert!(Session::from_json("{").unwrap_err().starts_with("not a kubeplay session"));
        assert!(Session::from_json("[1,2]").is_err());
        assert!(Session::from_json(&"x".repeat(MAX_SESSION_BYTES + 1)).unwrap_err().contains("at most"));
        let future = s.to_json().replace("\"version\":1", "\"version\":9");
        assert!(Session::from_json(&future).unwrap_err().contains("newer"));
    }

    #[test]
    fn knows_which_commands_read_the_editor() {
        assert!(reads_stdin("kubectl apply -f -"));
        assert!(reads_stdin("kubectl create --filename=- --dry-run=server"));
        assert!(!reads_stdin("kubectl apply -f web.yaml"));
        assert!(!reads_stdin("kubectl get pods -"));
        assert!(!reads_stdin("- -f"));
    }
}
