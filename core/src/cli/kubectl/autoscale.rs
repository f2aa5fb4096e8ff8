//! Parsing of `kubectl autoscale (TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS
//! [--cpu=CPU] [--memory=MEMORY]` (kubectl's `pkg/cmd/autoscale`): the flags, the deprecated
//! `--cpu-percent`, and `Validate`'s checks with kubectl's words. The HorizontalPodAutoscaler
//! (autoscaling/v2) is built and sent by `cluster/autoscale.rs`.

use super::flags::{self, flag, switch, Parsed};
use super::imperative::Printer;
use super::{Command, DryRun, Impersonation, Kubectl};

/// A metric target as `parseResourceInput` reads `--cpu` / `--memory`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `70%`: `type: Utilization`, `averageUtilization`.
    Utilization(i64),
    /// `500m`, `200Mi` (a bare number gains `m` for cpu, `Mi` for memory): `type: AverageValue`.
    AverageValue(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Autoscale {
    pub target: (String, String),
    pub name: Option<String>,
    /// `--min`; -1 when not given (the server defaults minReplicas to 1).
    pub min: i64,
    pub max: i64,
    /// `--cpu-percent`; -1 when not given.
    pub cpu_percent: i64,
    pub cpu: Option<Target>,
    pub memory: Option<Target>,
    pub dry_run: DryRun,
    pub printer: Printer,
    /// Printed on stderr before anything else (pflag's deprecation notice).
    pub warnings: String,
}

const CPU_PERCENT_DEPRECATED: &str =
    "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).\n";

/// Parses the words after `kubectl autoscale`.
pub fn parse(rest: &[String]) -> Result<Kubectl, String> {
    let specs = [
        flag("min", None),
        flag("max", None),
        flag("cpu-percent", None),
        flag("cpu", None),
        flag("memory", None),
        flag("name", None),
        flag("dry-run", None),
        flag("output", Some('o')),
        flag("field-manager", None),
        flag("filename", Some('f')),
        switch("save-config", None),
        switch("record", None),
        switch("recursive", Some('R')),
    ];
    let p = flags::parse(rest, &specs, "autoscale").map_err(|e| format!("{e}\n"))?;
    let warnings = if p.get("cpu-percent").is_some() { CPU_PERCENT_DEPRECATED.to_string() } else { String::new() };
    if p.get("max").is_none() {
        return Err(format!("{warnings}error: required flag(s) \"max\" not set\n"));
    }
    let fail = |e: String| format!("{warnings}{e}");
    let (min, max, cpu_percent) = (int32(&p, "min").map_err(fail)?, int32(&p, "max").map_err(fail)?, int32(&p, "cpu-percent").map_err(fail)?);
    if max < 1 {
        return Err(fail(format!("error: --max=MAXPODS is required and must be at least 1, max: {max}\n")));
    }
    if max < min {
        return Err(fail(format!("error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}\n")));
    }
    if cpu_percent > 0 && p.get("cpu").is_some() {
        return Err(fail("error: --cpu-percent and --cpu are mutually exclusive\n".into()));
    }
    let cpu = p.get("cpu").map(|c| resource_input(c, "cpu", "m")).transpose().map_err(fail)?;
    let memory = p.get("memory").map(|m| resource_input(m, "memory", "Mi")).transpose().map_err(fail)?;
    if !p.all("filename").is_empty() {
        return Err(fail("error: kubeplay's `kubectl autoscale` takes TYPE NAME or TYPE/NAME, not -f, so far\n".into()));
    }
    let targets = super::targets(&p.positional)?;
    let target = match targets.as_slice() {
        [(ty, names)] if names.len() == 1 => (ty.clone(), names[0].clone()),
        [] => return Err(fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".into())),
        _ => return Err(fail("error: kubeplay autoscales one object per command so far\n".into())),
    };
    let dry_run = match p.get("dry-run") {
        None | Some("none") | Some("false") => DryRun::None,
        Some("client") | Some("true") => DryRun::Client,
        Some("server") => DryRun::Server,
        Some(other) => return Err(fail(format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".\n"))),
    };
    let printer = match p.get("output") {
        None | Some("") => Printer::Operation,
        Some("name") => Printer::Name,
        Some("json") => Printer::Json,
        Some("yaml") => Printer::Yaml,
        Some(other) => return Err(fail(format!("error: unable to match a printer suitable for the output format {other:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"))),
    };
    Ok(Kubectl {
        command: Command::Autoscale(Autoscale { target, name: p.get("name").map(str::to_string), min, max, cpu_percent, cpu, memory, dry_run, printer, warnings }),
        namespace: p.get("namespace").map(str::to_string),
        all_namespaces: false,
        impersonate: Impersonation { user: p.get("as").map(str::to_string), groups: p.all("as-group").to_vec() },
    })
}

/// pflag's Int32 flags: -1 when not given, as kubectl's defaults are.
fn int32(p: &Parsed, name: &str) -> Result<i64, String> {
    match p.get(name) {
        None => Ok(-1),
        Some(v) => match v.parse::<i32>() {
            Ok(n) => Ok(i64::from(n)),
            Err(_) if v.parse::<i64>().is_ok() => {
                Err(format!("error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": value out of range\nSee 'kubectl autoscale --help' for usage.\n"))
            }
            Err(_) => Err(format!("error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl autoscale --help' for usage.\n")),
        },
    }
}

/// `parseResourceInput`: `70%` is a utilization, a quantity is an average value, a bare number
/// takes the resource's unit.
fn resource_input(input: &str, resource: &str, unit: &str) -> Result<Target, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("error: empty input\n".into());
    }
    if let Some(percent) = input.strip_suffix('%') {
        return match percent.parse::<i32>() {
            Ok(n) if n >= 0 => Ok(Target::Utilization(i64::from(n))),
            _ => Err(format!("error: invalid percentage value: {percent}\n")),
        };
    }
    if input.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Target::AverageValue(format!("{input}{unit}")));
    }
    let digits = input.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &input[digits.len()..];
    let known = ["m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if digits.is_empty() || digits.parse::<f64>().is_err() || !known.contains(&suffix) {
        return Err(format!("error: invalid resource {resource} value: {input}\n"));
    }
    Ok(Target::AverageValue(input.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(s: &str) -> Result<Autoscale, String> {
        let k = parse(&crate::cli::split_words(s).unwrap())?;
        let Command::Autoscale(a) = k.command else { panic!() };
        Ok(a)
    }

    #[test]
    fn flags_and_targets() {
        let a = parse_line("deployment web --min=2 --max=10 --cpu-percent=80").unwrap();
        assert_eq!((a.target.0.as_str(), a.target.1.as_str(), a.min, a.max, a.cpu_percent), ("deployment", "web", 2, 10, 80));
        assert_eq!(a.warnings, CPU_PERCENT_DEPRECATED);
        let a = parse_line("deploy/web --max=5 --cpu=500 --memory=70%").unwrap();
        assert_eq!((a.cpu, a.memory), (Some(Target::AverageValue("500m".into())), Some(Target::Utilization(70))));
        assert_eq!(a.min, -1);
    }

    #[test]
    fn validate_messages() {
        assert_eq!(parse_line("deploy/web --min=2").unwrap_err(), "error: required flag(s) \"max\" not set\n");
        assert_eq!(parse_line("deploy/web --max=0").unwrap_err(), "error: --max=MAXPODS is required and must be at least 1, max: 0\n");
        assert_eq!(parse_line("deploy/web --max=2 --min=5").unwrap_err(), "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 5\n");
        assert!(parse_line("deploy/web --max=x").unwrap_err().contains("invalid syntax"));
    }
}
