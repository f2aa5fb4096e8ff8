//! `kubectl` in the command language: parsing with kubectl's flag conventions and printing what
//! kubectl prints. This first slice knows `kubectl apply -f`.

use super::Files;

/// A parsed kubectl command, with every file it names already read (so execution is pure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kubectl {
    Apply {
        /// Each `-f` source in order: its name as kubectl prints it and its bytes.
        sources: Vec<(String, Vec<u8>)>,
        /// `-n/--namespace`, when given.
        namespace: Option<String>,
    },
}

/// Parses the words after `kubectl`. Errors are the full text kubectl prints on stderr.
pub fn parse(args: &[String], files: &dyn Files) -> Result<Kubectl, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("error: kubeplay needs a kubectl command, e.g. `kubectl apply -f web.yaml`\n".into());
    };
    match command.as_str() {
        "apply" => parse_apply(rest, files),
        other => Err(format!("error: unknown command \"{other}\" for \"kubectl\"\n")),
    }
}

fn parse_apply(args: &[String], files: &dyn Files) -> Result<Kubectl, String> {
    let mut filenames = Vec::new();
    let mut namespace = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let value = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| format!("error: flag needs an argument: '{}' in {flag}\n", flag.trim_start_matches('-').chars().next().unwrap_or('f')))
        };
        match flag {
            "-f" | "--filename" => filenames.push(value(&mut i)?),
            "-n" | "--namespace" => namespace = Some(value(&mut i)?),
            f if f.starts_with('-') => return Err(format!("error: unknown flag: {f}\nSee 'kubectl apply --help' for usage.\n")),
            _ => {
                return Err("error: Unexpected args: [".to_string() + arg + "]\nSee 'kubectl apply -h' for help and examples\n")
            }
        }
        i += 1;
    }
    if filenames.is_empty() {
        return Err("error: must specify one of -f and -k\n".into());
    }
    let mut sources = Vec::new();
    for name in filenames {
        let bytes = files.read(&name).map_err(|e| format!("error: {e}\n"))?;
        let shown = if name == "-" { "STDIN".to_string() } else { name };
        sources.push((shown, bytes));
    }
    Ok(Kubectl::Apply { sources, namespace })
}

/// Prints a list of errors as kubectl's `CheckErr` does: one error gets an `error: ` prefix unless
/// it already is a server error; several are printed one a line, as they are.
pub fn format_errors(errors: &[String]) -> String {
    match errors {
        [] => String::new(),
        [one] if one.starts_with("Error from server") || one.starts_with("error: ") => format!("{one}\n"),
        [one] => format!("error: {one}\n"),
        many => many.iter().map(|e| format!("{e}\n")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::MemoryFiles;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap()
    }

    #[test]
    fn parses_apply_flags() {
        let files = MemoryFiles::new().with("a.yaml", "x").with("-", "y");
        let cmd = parse(&words("apply -f a.yaml --filename=- -n dev"), &files).unwrap();
        assert_eq!(
            cmd,
            Kubectl::Apply {
                sources: vec![("a.yaml".into(), b"x".to_vec()), ("STDIN".into(), b"y".to_vec())],
                namespace: Some("dev".into())
            }
        );
        assert_eq!(parse(&words("apply --foo"), &files).unwrap_err(), "error: unknown flag: --foo\nSee 'kubectl apply --help' for usage.\n");
        assert_eq!(parse(&words("apply"), &files).unwrap_err(), "error: must specify one of -f and -k\n");
        assert_eq!(parse(&words("apply -f nope.yaml"), &files).unwrap_err(), "error: the path \"nope.yaml\" does not exist\n");
        assert_eq!(parse(&words("frobnicate"), &files).unwrap_err(), "error: unknown command \"frobnicate\" for \"kubectl\"\n");
    }
}
