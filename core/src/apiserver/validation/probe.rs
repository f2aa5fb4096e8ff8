//! Probes, mirroring `validateLivenessProbe` / `validateReadinessProbe` / `validateStartupProbe`,
//! `validateProbe`, `validateHandler` (exactly one of exec, httpGet, tcpSocket, grpc) and
//! `ValidatePortNumOrName` in `pkg/apis/core/validation/validation.go`.

use super::names;
use super::{arr_of, has, int_of, nonnegative, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    Liveness,
    Readiness,
    Startup,
}

/// `validateLivenessProbe` / `validateReadinessProbe` / `validateStartupProbe` over
/// `validateProbe` and `validateHandler`.
pub fn validate_probe(probe: Option<&Value>, path: &str, kind: Probe) -> Vec<FieldError> {
    let Some(probe) = probe else { return Vec::new() };
    let pr = Some(probe);
    let mut errs = validate_handler(pr, path);
    for field in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
        nonnegative(&mut errs, int_of(pr, field), &format!("{path}.{field}"));
    }
    let tgps = int_of(pr, "terminationGracePeriodSeconds");
    if let Some(t) = tgps.filter(|t| *t <= 0) {
        errs.push(FieldError::invalid(format!("{path}.terminationGracePeriodSeconds"), &Value::from(t), "must be greater than 0"));
    }
    match kind {
        Probe::Liveness | Probe::Startup => {
            // successThreshold is defaulted to 1 when absent.
            let st = int_of(pr, "successThreshold").filter(|v| *v != 0).unwrap_or(1);
            if st != 1 {
                errs.push(FieldError::invalid(format!("{path}.successThreshold"), &Value::from(st), "must be 1"));
            }
        }
        Probe::Readiness => {
            if let Some(t) = tgps {
                errs.push(FieldError::invalid(
                    format!("{path}.terminationGracePeriodSeconds"),
                    &Value::from(t),
                    "must not be set for readinessProbes",
                ));
            }
        }
    }
    errs
}

/// `validateHandler`: exactly one of exec, httpGet, tcpSocket, grpc.
fn validate_handler(probe: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut found = 0;
    for handler in ["exec", "httpGet", "tcpSocket", "grpc"] {
        if !has(probe, handler) {
            continue;
        }
        let hp = format!("{path}.{handler}");
        if found > 0 {
            errs.push(FieldError::forbidden(hp, "may not specify more than 1 handler type"));
            continue;
        }
        found += 1;
        let h = obj_of(probe, handler);
        match handler {
            "exec" => {
                if arr_of(h, "command").is_empty() {
                    errs.push(FieldError::required(format!("{hp}.command"), ""));
                }
            }
            "httpGet" => {
                errs.extend(validate_port_num_or_name(h.and_then(|h| h.get("port")), &format!("{hp}.port")));
                match str_of(h, "scheme") {
                    "" | "HTTP" | "HTTPS" => {}
                    other => errs.push(FieldError::not_supported(format!("{hp}.scheme"), &Value::from(other), &["HTTP", "HTTPS"])),
                }
            }
            "tcpSocket" => errs.extend(validate_port_num_or_name(h.and_then(|h| h.get("port")), &format!("{hp}.port"))),
            _ => {
                let port = int_of(h, "port").unwrap_or(0);
                for msg in names::port_num(port) {
                    errs.push(FieldError::invalid(format!("{hp}.port"), &Value::from(port), msg));
                }
            }
        }
    }
    if found == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
    errs
}

/// `ValidatePortNumOrName` on an IntOrString (absent reads as the int 0).
pub fn validate_port_num_or_name(port: Option<&Value>, path: &str) -> Vec<FieldError> {
    match port {
        Some(Value::String(s)) => names::port_name(s).into_iter().map(|m| FieldError::invalid(path, &Value::from(s.as_str()), m)).collect(),
        other => {
            let n = other.and_then(Value::as_i64).unwrap_or(0);
            names::port_num(n).into_iter().map(|m| FieldError::invalid(path, &Value::from(n), m)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn readiness_probes_take_no_grace_period() {
        let p = json!({"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 5});
        assert_eq!(
            aggregate(&validate_probe(Some(&p), "p", Probe::Readiness)),
            "p.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"
        );
        assert_eq!(validate_probe(Some(&p), "p", Probe::Liveness), vec![]);
    }

    #[test]
    fn handler_details() {
        let p = json!({"exec": {}});
        assert_eq!(aggregate(&validate_probe(Some(&p), "p", Probe::Startup)), "p.exec.command: Required value");
        let p = json!({"httpGet": {"port": "http", "scheme": "FTP"}});
        assert_eq!(
            aggregate(&validate_probe(Some(&p), "p", Probe::Liveness)),
            "p.httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\""
        );
        assert_eq!(validate_probe(None, "p", Probe::Liveness), vec![]);
    }
}
