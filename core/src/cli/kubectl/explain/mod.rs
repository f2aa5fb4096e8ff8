//! `kubectl explain TYPE[.FIELD...] [--recursive [--max-depth=N]] [--api-version=GROUP/VERSION]`:
//! the documentation of a kind or of one of its fields, as kubectl's `pkg/cmd/explain` prints it
//! with the `plaintext` template of `pkg/explain/v2` from the OpenAPI v3 document kube-apiserver
//! serves.
//!
//! - [`docs`]: that documentation, as `docs.txt` — generated, never hand-written, from
//!   k8s-openapi's JSON schemas. Regenerate it after a k8s-openapi upgrade or a change to the
//!   served kinds (`api/registry.rs`), from the repository root:
//!   `cargo run --release --manifest-path tools/explain-gen/Cargo.toml --target-dir target/explain-gen -- core/src/cli/kubectl/explain/docs.txt`
//! - [`render`]: the plaintext template; [`wrap`]: its `wrap` and `indent`.
//!
//! Here: which kind and field path the argument names (`SplitAndParseResourceRequest*` in
//! `pkg/explain/explain.go`), the flags, and kubectl's errors. k8s-openapi does not carry the
//! OpenAPI `enum` lists, so the `ENUM:` block and `enum:` lines kubectl prints for enum-typed
//! fields (`restartPolicy`, `imagePullPolicy`) are missing; everything else is kubectl's output.

pub mod docs;
pub mod render;
pub mod wrap;

pub use docs::{has_docs, set_docs};

use super::flags::{flag, switch, Parsed, Spec};
use super::resources;
use crate::api::{all_kinds, registry::served_by_default, KindInfo};
use crate::cli::Output;

/// `explain`'s own flags (`AddFlags` in `pkg/cmd/explain/explain.go`).
pub const SPECS: &[Spec] = &[switch("recursive", Some('R')), flag("api-version", None), flag("output", Some('o')), flag("max-depth", None)];

/// A parsed `kubectl explain`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explain {
    /// `TYPE[.FIELD...]` as typed.
    pub path: String,
    pub recursive: bool,
    /// `--api-version`, when given and not empty.
    pub api_version: Option<String>,
    /// `-o`: `plaintext` unless given.
    pub output: String,
    /// `--max-depth`: 0 for no limit.
    pub max_depth: usize,
}

/// `ExplainFlags.ToOptions` and `ExplainOptions.Validate`.
pub fn parse(p: &Parsed) -> Result<Explain, String> {
    let max_depth = match p.get("max-depth") {
        None => 0,
        Some(v) => v.parse::<i64>().map_err(|_| {
            format!("error: invalid argument \"{v}\" for \"--max-depth\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl explain --help' for usage.\n")
        })?,
    };
    let path = match p.positional.as_slice() {
        [path] => path.clone(),
        [] => return Err("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl explain -h' for help and examples\n".into()),
        _ => return Err("error: We accept only this format: explain RESOURCE\n".into()),
    };
    let recursive = p.on("recursive");
    if max_depth > 0 && !recursive {
        return Err("error: --max-depth requires --recursive\n".into());
    }
    if max_depth < 0 {
        return Err("error: --max-depth must be non-negative\n".into());
    }
    Ok(Explain {
        path,
        recursive,
        api_version: p.get("api-version").filter(|v| !v.is_empty()).map(str::to_string),
        output: p.get("output").unwrap_or("plaintext").to_string(),
        max_depth: usize::try_from(max_depth).unwrap_or(0),
    })
}

/// Runs `kubectl explain` against the served kinds and their documentation.
pub fn run(e: &Explain) -> Output {
    match explain(e) {
        Ok(text) => Output::ok(text),
        Err(text) => Output::fail(text),
    }
}

/// kubectl's words for a path that is not a chain of field names (`pods..spec`), which it also
/// uses for elements after the first.
const FIRST_NODE: &str = "error: invalid jsonpath syntax, first node must be field node\n";

fn explain(e: &Explain) -> Result<String, String> {
    // jsonPathParse: one trailing dot is dropped, then the path is `{.PATH}` of field nodes.
    let path = e.path.strip_suffix('.').unwrap_or(&e.path);
    let (token, rest) = path.split_once('.').map_or((path, None), |(t, r)| (t, Some(r)));
    if token.is_empty() {
        return Err(FIRST_NODE.into());
    }
    let candidates = candidates(token)?;
    let (kind, fields): (&KindInfo, Vec<String>) = match &e.api_version {
        None => {
            // SplitAndParseResourceRequestWithMatchingPrefix: the first candidate whose
            // `resource.group` begins the argument takes what follows as the field path (its
            // first element dropped, as kubectl parses the suffix); else the preferred one, with
            // every element after the first.
            let prefixed = candidates.iter().find_map(|k| {
                let group_resource = if k.group.is_empty() { k.resource.to_string() } else { format!("{}.{}", k.resource, k.group) };
                path.strip_prefix(group_resource.as_str()).map(|suffix| (*k, suffix.split('.').skip(1).map(str::to_string).collect()))
            });
            match prefixed {
                Some(found) => found,
                None => (candidates[0], rest.map(|r| r.split('.').map(str::to_string).collect()).unwrap_or_default()),
            }
        }
        Some(api_version) => {
            let fields: Vec<String> = rest.map(|r| r.split('.').map(str::to_string).collect()).unwrap_or_default();
            if fields.iter().any(String::is_empty) {
                return Err("error: invalid jsonpath syntax, all nodes must be field nodes\n".into());
            }
            (with_api_version(candidates[0], api_version)?, fields)
        }
    };
    if fields.iter().any(String::is_empty) {
        return Err(FIRST_NODE.into());
    }
    match e.output.as_str() {
        "plaintext" => {}
        "plaintext-openapiv2" => return Err("error: kubeplay serves its API documentation as OpenAPI v3 only; use -o plaintext\n".into()),
        other => return Err(format!("error: unrecognized format: {other}\n")),
    }
    let docs = docs::docs()?;
    let doc = docs
        .kind(kind.group, kind.version, kind.kind)
        .ok_or_else(|| format!("error: GVK map[group:{} kind:{} version:{}] not found in OpenAPI schema\n", kind.group, kind.kind, kind.version))?;
    let request = render::Request {
        group: kind.group,
        version: kind.version,
        kind: kind.kind,
        schema: doc.schema,
        fields: &fields,
        recursive: e.recursive,
        max_depth: e.max_depth,
    };
    render::render(docs, &request)
}

/// The served kinds a resource name can mean, preferred first (the RESTMapper's `ResourcesFor`):
/// what [`resources::resolve`] picks, then the same name in other groups and versions.
fn candidates(token: &str) -> Result<Vec<&'static KindInfo>, String> {
    let lower = token.to_ascii_lowercase();
    let named = |k: &&KindInfo| served_by_default(k) && (k.resource == lower || k.kind.to_ascii_lowercase() == lower || resources::short_names(k.resource).contains(&lower.as_str()));
    let preferred = resources::resolve(token);
    let first = preferred.as_ref().ok().copied();
    let mut out: Vec<&'static KindInfo> = first.into_iter().collect();
    out.extend(all_kinds().iter().filter(named).filter(|k| first.is_none_or(|f| !std::ptr::eq(f, *k))));
    match preferred {
        Err(e) if out.is_empty() => Err(format!("{e}\n")),
        _ => Ok(out),
    }
}

/// `--api-version`: the named group and version of the resource (the preferred kind's), or
/// kubectl's error when the server has no such group/version or the resource is not in it.
fn with_api_version(preferred: &'static KindInfo, api_version: &str) -> Result<&'static KindInfo, String> {
    let (group, version) = match api_version.matches('/').count() {
        0 => ("", api_version),
        1 => api_version.split_once('/').unwrap_or(("", api_version)),
        _ => return Err(format!("error: unexpected GroupVersion string: {api_version}\n")),
    };
    let gvr = format!("{group}/{version}, Resource={}", preferred.resource);
    let served = |k: &&KindInfo| served_by_default(k) && k.group == group && k.version == version;
    if !all_kinds().iter().any(|k| served(&k)) {
        return Err(format!("error: couldn't find resource for \"{gvr}\"\n"));
    }
    all_kinds().iter().find(|k| served(k) && k.resource == preferred.resource).ok_or_else(|| format!("error: GVR ({gvr}) not found in OpenAPI schema\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::kubectl::flags;

    fn run_line(line: &str) -> Output {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        match flags::parse(&words, SPECS, "explain").map_err(|e| format!("{e}\n")).and_then(|p| parse(&p)) {
            Ok(e) => run(&e),
            Err(text) => Output::fail(text),
        }
    }

    fn stdout(line: &str) -> String {
        let out = run_line(line);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        out.stdout
    }

    fn stderr(line: &str) -> String {
        run_line(line).stderr
    }

    #[test]
    fn every_served_kind_is_documented() {
        let docs = docs::docs().unwrap();
        for k in all_kinds().iter().filter(|k| served_by_default(k)) {
            let doc = docs.kind(k.group, k.version, k.kind).unwrap_or_else(|| panic!("{k:?} has no documentation: regenerate docs.txt (see the module doc)"));
            let schema = docs.schema(doc.schema).unwrap();
            assert!(!docs.schema_description(schema).is_empty(), "{k:?}");
            assert!(schema.fields.iter().any(|f| f.name == "kind"), "{k:?}");
        }
    }

    #[test]
    fn paths_resolve_as_kubectl_splits_them() {
        let pods = stdout("pods.spec.containers");
        assert!(pods.starts_with("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\n\nDESCRIPTION:\n    List of containers belonging to the pod."), "{pods}");
        assert!(pods.contains("\n    A single application container that you want to run within a pod.\n    \nFIELDS:\n  args\t<[]string>\n"), "{pods}");
        assert!(pods.contains("  name\t<string> -required-\n"), "{pods}");
        assert!(pods.contains("  resources\t<ResourceRequirements>\n"), "{pods}");
        assert_eq!(stdout("po.spec.containers"), pods, "a short name");
        assert_eq!(stdout("pod.spec.containers."), pods, "a trailing dot");
        assert!(stdout("deployments.apps.spec.replicas").starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n\n\n"));
        assert!(stdout("ingresses.networking.k8s.io.spec").starts_with("GROUP:      networking.k8s.io\nKIND:       Ingress\nVERSION:    v1\n\nFIELD: spec <IngressSpec>\n"));
        // The core group's `events` prefixes `events.events.k8s.io` and wins, as in kubectl.
        assert_eq!(stderr("events.events.k8s.io"), "error: field \"io\" does not exist\n");
        assert!(stdout("events --api-version=events.k8s.io/v1").starts_with("GROUP:      events.k8s.io\nKIND:       Event\n"));
        assert!(stdout("events").starts_with("KIND:       Event\nVERSION:    v1\n"));
        assert!(stdout("hpa").contains("VERSION:    v2\n"));
        assert!(stdout("componentstatuses").starts_with("KIND:       ComponentStatus\n"));
        let meta = stdout("cm.metadata.creationTimestamp");
        assert!(meta.contains("FIELD: creationTimestamp <string>\n"), "Time is a string schema: {meta}");
        assert!(stdout("pods.spec.overhead").contains("FIELD: overhead <map[string]Quantity>\n"));
        assert!(stdout("svc.spec.ports").contains("  targetPort\t<IntOrString>\n"));
        assert!(!stdout("pods").contains("-required-"), "kube-apiserver requires no metadata");
    }

    #[test]
    fn api_version_and_errors_word_as_kubectl_does() {
        assert!(stdout("hpa --api-version=autoscaling/v1").contains("VERSION:    v1\n"));
        assert!(stdout("pods --api-version=v1").starts_with("KIND:       Pod\n"));
        assert_eq!(stderr("deploy --api-version=apps/v2"), "error: couldn't find resource for \"apps/v2, Resource=deployments\"\n");
        assert_eq!(stderr("pods --api-version=batch/v1"), "error: GVR (batch/v1, Resource=pods) not found in OpenAPI schema\n");
        assert_eq!(stderr("pods --api-version=a/b/c"), "error: unexpected GroupVersion string: a/b/c\n");
        assert_eq!(stderr("pods.spec.foo"), "error: field \"foo\" does not exist\n");
        assert_eq!(stderr("pods.foo.bar"), "error: field \"bar\" does not exist\n");
        assert_eq!(stderr("pods.spec.containers.name.x"), "error: field \"x\" does not exist\n");
        assert_eq!(stderr("frobs.spec"), "error: the server doesn't have a resource type \"frobs\"\n");
        assert_eq!(stderr("leasecandidates"), "error: the server doesn't have a resource type \"leasecandidates\"\n");
        assert_eq!(stderr("pods -o json"), "error: unrecognized format: json\n");
        assert_eq!(stderr("pods --max-depth=2"), "error: --max-depth requires --recursive\n");
        assert_eq!(stderr("pods --recursive --max-depth=-1"), "error: --max-depth must be non-negative\n");
        assert!(stderr("pods --max-depth=x").starts_with("error: invalid argument \"x\" for \"--max-depth\" flag"));
        assert_eq!(stderr("pods svc"), "error: We accept only this format: explain RESOURCE\n");
        assert!(stderr("").contains("Required resource not specified"));
        assert_eq!(stderr("pods..spec"), "error: invalid jsonpath syntax, first node must be field node\n");
    }

    #[test]
    fn recursive_output_is_bounded_for_every_kind() {
        for k in all_kinds().iter().filter(|k| served_by_default(k)) {
            let out = run(&Explain { path: k.resource.to_string(), recursive: true, api_version: Some(k.api_version()), output: "plaintext".into(), max_depth: 0 });
            assert_eq!(out.exit_code, 0, "{k:?}: {}", out.stderr);
            assert!(out.stdout.len() < render::MAX_OUTPUT_BYTES, "{k:?}");
        }
        let shallow = stdout("pods --recursive --max-depth=1");
        assert!(shallow.ends_with("FIELDS:\n  apiVersion\t<string>\n  kind\t<string>\n  metadata\t<ObjectMeta>\n  spec\t<PodSpec>\n  status\t<PodStatus>\n\n"), "{shallow}");
    }
}
