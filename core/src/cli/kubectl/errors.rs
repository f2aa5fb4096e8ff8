//! How kubectl prints the errors a command met: a 422 Invalid status with its causes, and the
//! list `CheckErr` prints (`error: ` prefixes, server errors as they are).

/// How kubectl prints a 422 Invalid status (facts 4.5): `The Deployment "web" is invalid: <cause>`,
/// the kind without its group, one `* ` line per distinct cause when there are several. `None` for
/// any other status.
pub fn invalid_message(s: &crate::apiserver::Status, causes: &[crate::apiserver::FieldError]) -> Option<String> {
    // A ValidatingAdmissionPolicy denial keeps admission.NewForbidden's message under reason
    // Invalid, its one status cause being that message without a field: `The deployments "web"
    // is invalid: : ValidatingAdmissionPolicy ...`.
    if s.reason == "Invalid" && causes.is_empty() {
        if let Some((head, cause)) = s.message.split_once(" is forbidden: ") {
            let head = match head.split_once(' ') {
                Some((kind, name)) => format!("{} {name}", kind.split('.').next().unwrap_or(kind)),
                None => head.to_string(),
            };
            return Some(format!("The {head} is invalid: : {cause}"));
        }
    }
    if s.reason != "Invalid" || !s.message.contains(" is invalid") {
        return None;
    }
    let head = s.message.split(" is invalid").next().unwrap_or("");
    let head = match head.split_once(' ') {
        Some((kind, name)) => format!("{} {name}", kind.split('.').next().unwrap_or(kind)),
        None => head.to_string(),
    };
    let mut unique: Vec<String> = Vec::new();
    for c in causes {
        let line = c.to_string();
        if !unique.contains(&line) {
            unique.push(line);
        }
    }
    Some(match unique.as_slice() {
        [] => format!("The {head} is invalid"),
        [one] => format!("The {head} is invalid: {one}"),
        many => format!("The {head} is invalid: \n{}", many.iter().map(|c| format!("* {c}")).collect::<Vec<_>>().join("\n")),
    })
}

/// Prints a list of errors as kubectl's `CheckErr` does: one error gets an `error: ` prefix unless
/// it already is a server error; several are printed one a line, as they are.
pub fn format_errors(errors: &[String]) -> String {
    match errors {
        [] => String::new(),
        [one] if one.starts_with("Error from server") || one.starts_with("error: ") || one.starts_with("The ") => format!("{one}\n"),
        [one] => format!("error: {one}\n"),
        many => many.iter().map(|e| format!("{e}\n")).collect(),
    }
}
