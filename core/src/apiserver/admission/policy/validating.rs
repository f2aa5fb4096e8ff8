//! The ValidatingAdmissionPolicy plugin: runs every matching policy × binding × param and acts on
//! each failed validation as the binding's `validationActions` say, as
//! `plugin/policy/validating/{dispatcher,validator}.go` do.
//!
//! - `Deny`: the first denial (in policy, binding, validation order) stops the request with
//!   `admission.NewForbidden`'s message, `<resource> "<name>" is forbidden: ValidatingAdmissionPolicy
//!   '<policy>' with binding '<binding>' denied request: <message>`, under the validation's
//!   `reason` (default `Invalid`, so HTTP 422, which kubectl prints as
//!   `The deployments "web" is invalid: : ValidatingAdmissionPolicy ...`).
//! - `Warn`: a `Warning:` header, `Validation failed for ValidatingAdmissionPolicy '<policy>' with
//!   binding '<binding>': <message>`.
//! - `Audit`: only the audit annotation `validation.policy.admission.k8s.io/validation_failure`
//!   (the simulator has no audit log, so it shows in the trace).
//!
//! The message of a failed validation is its `messageExpression` if that gives a non-empty
//! single-line string, else `message`, else `failed expression: <expression>`. An expression that
//! fails to compile or to evaluate denies under `failurePolicy: Fail` (its message is the error)
//! and is ignored under `Ignore`.

use super::super::{forbidden, Operation, Outcome, PluginRecord, Rejection, Request, Verdict};
use super::{activation, bindings_of, collect_params, compile, compute_variables, fails_closed, match_conditions, matching, name_of};
use super::super::cel;
use crate::apiserver::{Objects, Status};
use serde_json::Value;

/// `celconfig.MaxEvaluatedMessageExpressionSizeBytes`.
const MESSAGE_BYTES_MAX: usize = 5 * 1024;

/// One decision that denies the request.
struct Denial {
    policy: String,
    binding: Option<String>,
    message: String,
    /// The validation's `reason`; empty means `Invalid`.
    reason: String,
}

/// Runs the validating policies; leaves a record only when a policy matched (so requests in a
/// cluster without policies trace as before).
pub(in super::super) fn run(objects: &dyn Objects, req: &Request, obj: &Value, records: &mut Vec<PluginRecord>) -> Result<(), Status> {
    match validate(objects, req, obj) {
        Ok(verdict) if verdict.note.is_empty() && verdict.warnings.is_empty() => Ok(()),
        Ok(verdict) => {
            records.push(PluginRecord { plugin: PLUGIN, outcome: Outcome::Passed, detail: verdict.note, warnings: verdict.warnings });
            Ok(())
        }
        Err(rejection) => {
            records.push(PluginRecord { plugin: PLUGIN, outcome: Outcome::Rejected, detail: rejection.reason, warnings: Vec::new() });
            Err(rejection.status)
        }
    }
}

const PLUGIN: &str = "ValidatingAdmissionPolicy";

fn validate(objects: &dyn Objects, req: &Request, obj: &Value) -> Result<Verdict, Rejection> {
    // On a delete the plugin sees the stored object as `oldObject` and no `object`.
    static NULL: Value = Value::Null;
    let object: &Value = if req.operation == Operation::Delete { &NULL } else { obj };
    let mut denials: Vec<Denial> = Vec::new();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    for policy in objects.list("validatingadmissionpolicies", None) {
        let policy_name = name_of(&policy).to_string();
        let spec = &policy["spec"];
        match matching::matches(objects, req, object, Some(&spec["matchConstraints"])) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                config_error(&policy, None, e, &mut denials, &mut notes);
                continue;
            }
        }
        let bindings = bindings_of(objects, "validatingadmissionpolicybindings", &policy_name);
        if bindings.is_empty() {
            notes.push(format!("{policy_name}: no binding"));
        }
        for binding in bindings {
            let binding_name = name_of(&binding).to_string();
            let who = format!("{policy_name} with binding {binding_name}");
            match matching::matches(objects, req, object, binding["spec"].get("matchResources").filter(|m| !m.is_null())) {
                Ok(true) => {}
                Ok(false) => {
                    notes.push(format!("{who}: binding does not match"));
                    continue;
                }
                Err(e) => {
                    config_error(&policy, Some(&binding_name), e, &mut denials, &mut notes);
                    continue;
                }
            }
            let params = match collect_params(objects, req, &policy, &binding) {
                Ok(p) => p,
                Err(e) => {
                    config_error(&policy, Some(&binding_name), e, &mut denials, &mut notes);
                    continue;
                }
            };
            if params.is_empty() {
                notes.push(format!("{who}: no params found, allowed"));
            }
            let actions: Vec<&str> = binding["spec"]["validationActions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            for param in &params {
                for failure in evaluate(objects, req, object, &policy, param, &who, &mut notes) {
                    for action in &actions {
                        match *action {
                            "Deny" => denials.push(Denial {
                                policy: policy_name.clone(),
                                binding: Some(binding_name.clone()),
                                message: failure.message.clone(),
                                reason: failure.reason.clone(),
                            }),
                            "Warn" => warnings.push(format!(
                                "Validation failed for ValidatingAdmissionPolicy '{policy_name}' with binding '{binding_name}': {}",
                                failure.message
                            )),
                            _ => notes.push(format!("{who}: audit annotation validation_failure: {}", failure.message)),
                        }
                    }
                    let acts = actions.join(",");
                    notes.push(format!("{who}: failed ({acts}): {}", failure.message));
                }
            }
        }
    }
    if let Some(first) = denials.into_iter().next() {
        let message = match &first.binding {
            Some(b) => format!("ValidatingAdmissionPolicy '{}' with binding '{b}' denied request: {}", first.policy, first.message),
            None => format!("ValidatingAdmissionPolicy '{}' denied request: {}", first.policy, first.message),
        };
        let mut rejection = forbidden(req, obj, message);
        let (code, reason) = reason_to_code(&first.reason);
        rejection.status.code = code;
        rejection.status.reason = reason;
        return Err(rejection);
    }
    Ok(Verdict { note: notes.join("; "), warnings })
}

/// A configuration error: denies under `failurePolicy: Fail`, noted only under `Ignore`.
fn config_error(policy: &Value, binding: Option<&str>, err: String, denials: &mut Vec<Denial>, notes: &mut Vec<String>) {
    let message = match binding {
        None => format!("failed to configure policy: {err}"),
        Some(_) => format!("failed to configure binding: {err}"),
    };
    notes.push(format!("{}: {message}", name_of(policy)));
    if fails_closed(policy) {
        denials.push(Denial { policy: name_of(policy).to_string(), binding: binding.map(str::to_string), message, reason: String::new() });
    }
}

/// A validation that did not pass (or an error that counts as one under `Fail`).
struct Failure {
    message: String,
    reason: String,
}

/// `validator.Validate` for one param: match conditions, variables, then each validation.
fn evaluate(objects: &dyn Objects, req: &Request, object: &Value, policy: &Value, param: &Value, who: &str, notes: &mut Vec<String>) -> Vec<Failure> {
    let spec = &policy["spec"];
    let fail = fails_closed(policy);
    let mut act = activation(objects, req, object, param);
    match match_conditions(spec, &act) {
        Ok(None) => {}
        Ok(Some(name)) => {
            notes.push(format!("{who}: match condition '{name}' is false, skipped"));
            return Vec::new();
        }
        Err(e) if fail => return vec![Failure { message: e, reason: String::new() }],
        Err(e) => {
            notes.push(format!("{who}: ignored: {e}"));
            return Vec::new();
        }
    }
    compute_variables(spec, &mut act);
    let mut failures = Vec::new();
    let mut passed = 0;
    for v in spec["validations"].as_array().into_iter().flatten() {
        let expression = v["expression"].as_str().unwrap_or("");
        match compile(expression).eval(&act) {
            Ok(super::Cel::Bool(true)) => passed += 1,
            Ok(_) => failures.push(Failure {
                message: failure_message(v, &act),
                reason: v["reason"].as_str().unwrap_or("").to_string(),
            }),
            Err(e) if fail => failures.push(Failure { message: e, reason: String::new() }),
            Err(e) => notes.push(format!("{who}: ignored: {e}")),
        }
    }
    if failures.is_empty() {
        notes.push(format!("{who}: {passed} of {} validations passed", spec["validations"].as_array().map_or(0, Vec::len)));
    }
    failures
}

fn failure_message(validation: &Value, act: &cel::Activation) -> String {
    if let Some(source) = validation["messageExpression"].as_str() {
        if let Ok(super::Cel::Str(s)) = compile(source).eval(act) {
            let s = s.trim();
            if !s.is_empty() && s.len() <= MESSAGE_BYTES_MAX && !s.contains('\n') {
                return s.to_string();
            }
        }
    }
    match validation["message"].as_str().map(str::trim) {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => format!("failed expression: {}", validation["expression"].as_str().unwrap_or("").trim()),
    }
}


/// `reasonToCode`: the four reasons a validation may carry.
fn reason_to_code(reason: &str) -> (u16, &'static str) {
    match reason {
        "Forbidden" => (403, "Forbidden"),
        "Unauthorized" => (401, "Unauthorized"),
        "RequestEntityTooLarge" => (413, "RequestEntityTooLarge"),
        _ => (422, "Invalid"),
    }
}
