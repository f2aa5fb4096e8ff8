//! The `load` builtin: work arriving from outside the cluster, which is what makes the simulated
//! containers busy (`kubectl top`) and the HorizontalPodAutoscaler scale.
//!
//! ```text
//! load                                          the loads in force
//! load TYPE/NAME [-n NS] [--cpu=QTY] [--memory=QTY]
//!     deployment|replicaset|statefulset|daemonset/NAME: a total the workload's Service spreads
//!     over its Ready pods (so more pods means less each); pod/NAME: that pod's alone.
//!     --cpu=0 (and no --memory) stops it.
//! ```
//!
//! It plays the part of the walkthrough's load generator (`kubectl run -i --tty load-generator
//! --image=busybox -- /bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"`).

use super::Output;
use crate::apiserver::admission::quantity::Quantity;

pub const LOAD_USAGE: &str = "usage: load                                   list the loads in force
       load TYPE/NAME [-n NAMESPACE] [--cpu=QTY] [--memory=QTY]
            TYPE deployment, replicaset, statefulset or daemonset: a total spread over its Ready pods;
            TYPE pod: that pod alone. --cpu=0 stops the load. Example: load deployment/php-apache --cpu=600m
";

/// What `load` was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    List,
    /// Set the load on `kind/name` in `namespace`: millicores and bytes.
    Set { kind: String, name: String, namespace: String, cpu_milli: i64, memory_bytes: i64 },
}

fn usage(text: &str) -> Output {
    Output { stderr: text.to_string(), exit_code: 1, ..Default::default() }
}

/// A non-negative quantity in milli-units.
fn milli(flag: &str, v: &str) -> Result<i64, Output> {
    match Quantity::parse(v) {
        Some(q) if !q.is_negative() => i64::try_from(q.milli_value()).map_err(|_| usage(&format!("load: --{flag} {v:?} is too large\n"))),
        _ => Err(usage(&format!("load: invalid --{flag} quantity {v:?} (e.g. 500m, 1, 200Mi)\n"))),
    }
}

/// Parses the words after `load`.
pub fn parse(args: &[String]) -> Result<Load, Output> {
    let mut target = None;
    let mut namespace = "default".to_string();
    let (mut cpu, mut memory) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with('-') => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |flag: &str| inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| usage(&format!("load: flag needs an argument: {flag}\n{LOAD_USAGE}")));
        match name {
            "-n" | "--namespace" => namespace = value(name)?,
            "--cpu" => cpu = Some(milli("cpu", &value(name)?)?),
            "--memory" => memory = Some(milli("memory", &value(name)?)?),
            f if f.starts_with('-') => return Err(usage(&format!("load: unknown flag: {f}\n{LOAD_USAGE}"))),
            t if target.is_none() => target = Some(t.to_string()),
            _ => return Err(usage(LOAD_USAGE)),
        }
    }
    let Some(target) = target else {
        return if cpu.is_none() && memory.is_none() { Ok(Load::List) } else { Err(usage(LOAD_USAGE)) };
    };
    let Some((kind, name)) = target.split_once('/').filter(|(k, n)| !k.is_empty() && !n.is_empty()) else {
        return Err(usage(&format!("load: want TYPE/NAME, not {target:?}\n{LOAD_USAGE}")));
    };
    let Some(kind) = crate::controllers::metrics_load::target_kind(kind) else {
        return Err(usage(&format!("load: {kind:?} cannot take load (deployment, replicaset, statefulset, daemonset or pod)\n")));
    };
    if cpu.is_none() && memory.is_none() {
        return Err(usage(&format!("load: say how much: --cpu=QTY and/or --memory=QTY\n{LOAD_USAGE}")));
    }
    Ok(Load::Set { kind: kind.to_string(), name: name.to_string(), namespace, cpu_milli: cpu.unwrap_or(0), memory_bytes: memory.unwrap_or(0) / 1000 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::cli::split_words(s).unwrap()
    }

    #[test]
    fn targets_and_quantities() {
        assert_eq!(parse(&[]).unwrap(), Load::List);
        assert_eq!(
            parse(&words("deploy/php-apache --cpu=600m")).unwrap(),
            Load::Set { kind: "deployment".into(), name: "php-apache".into(), namespace: "default".into(), cpu_milli: 600, memory_bytes: 0 }
        );
        assert_eq!(
            parse(&words("pod/web -n dev --cpu 1 --memory=64Mi")).unwrap(),
            Load::Set { kind: "pod".into(), name: "web".into(), namespace: "dev".into(), cpu_milli: 1000, memory_bytes: 64 * 1024 * 1024 }
        );
        assert!(parse(&words("service/web --cpu=1")).unwrap_err().stderr.contains("cannot take load"));
        assert!(parse(&words("deployment/web")).unwrap_err().stderr.contains("say how much"));
        assert!(parse(&words("deployment/web --cpu=-1")).unwrap_err().stderr.contains("invalid --cpu"));
    }
}
