//! Decoding a manifest (multi-document YAML, JSON, flow-style YAML, `kind: List`) into typed
//! objects, with a [`Diagnostic`] for every document that cannot be decoded.
//!
//! The order of checks follows what a learner meets on a real cluster: kubectl first parses the
//! YAML and maps `apiVersion`/`kind` to a resource (client-side failures), then the API server
//! decodes the body strictly into the Go type (400 BadRequest failures). Each document is decoded
//! independently; like kubectl's stream reader, a YAML syntax error stops the stream there, while
//! a document with a wrong kind or field is reported and the following documents still decode.

use super::diagnostic::{Diagnostic, Origin};
use super::documents::{split_documents, Document};
use super::registry::{lookup, KindInfo};
use super::strict::unknown_fields;
use serde_json::Value;
use std::borrow::Cow;

/// Bounds on one manifest. A pasted file larger than these is refused with a message, never
/// parsed: the YAML parser's time and memory grow with the input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The whole input (kubeplay's own bound on one apply).
    pub max_input_bytes: usize,
    /// One document, which becomes one request body (kube-apiserver `--max-request-body-bytes`).
    pub max_document_bytes: usize,
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_input_bytes: 8 * 1024 * 1024, max_document_bytes: 3 * 1024 * 1024, max_documents: 1000 }
    }
}

/// One object decoded from a manifest, ready to be sent to the API server.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub doc: usize,
    /// One-based line of the input where the object's document starts.
    pub line: usize,
    pub kind: &'static KindInfo,
    pub name: String,
    /// The namespace written in the manifest, if any (the request's namespace fills in otherwise).
    pub namespace: Option<String>,
    /// The typed object, serialised back to JSON: what is stored.
    pub object: Value,
    /// The document as written (before the typed round trip): what client-side apply records in
    /// the `last-applied-configuration` annotation.
    pub manifest: Value,
    /// Fields the typed object does not have: the server's strict decoding rejects these.
    pub unknown_fields: Vec<String>,
}

/// Decodes every document of `input`. `source` names the input in messages as kubectl names the
/// file (`web.yaml`). The result lists objects and diagnostics in document order.
pub fn decode_manifest(input: &[u8], source: &str, limits: &Limits) -> Vec<Result<Decoded, Diagnostic>> {
    if input.len() > limits.max_input_bytes {
        return vec![Err(whole_input_error(
            format!(
                "error reading {source}: the manifest is {} bytes, over kubeplay's limit of {} bytes per apply",
                input.len(),
                limits.max_input_bytes
            ),
            1,
            1,
        ))];
    }
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = line_col_of_byte(input, e.valid_up_to());
            return vec![Err(whole_input_error(
                // go-yaml's reader errors carry no line (its `parser.fail` names only the marks
                // of scanner and parser errors); the diagnostic keeps the place for the editor.
                format!("error parsing {source}: error converting YAML to JSON: yaml: invalid leading UTF-8 octet"),
                line,
                column,
            ))];
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let docs = split_documents(text);
    let mut out = Vec::new();
    for doc in docs.iter().filter(|d| !d.is_blank()) {
        if out.len() >= limits.max_documents {
            out.push(Err(at_doc(
                doc,
                format!("error reading {source}: more than {} documents in one apply", limits.max_documents),
                Origin::Client,
            )));
            break;
        }
        match decode_document(doc, source, limits) {
            Step::Objects(objs) => out.extend(objs),
            Step::Stop(d) => {
                out.push(Err(d));
                break;
            }
        }
    }
    out
}

enum Step {
    Objects(Vec<Result<Decoded, Diagnostic>>),
    Stop(Diagnostic),
}

fn whole_input_error(message: String, line: usize, column: usize) -> Diagnostic {
    Diagnostic { doc: 0, line, column, path: String::new(), message, origin: Origin::Client }
}

fn at_doc(doc: &Document, message: String, origin: Origin) -> Diagnostic {
    Diagnostic { doc: doc.index, line: doc.content_line(), column: 1, path: String::new(), message, origin }
}

fn line_col_of_byte(input: &[u8], at: usize) -> (usize, usize) {
    let before = &input[..at.min(input.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// serde_yaml renders `<path>: <message> at line L column C`; this takes it apart.
struct YamlError {
    path: String,
    message: String,
    line: usize,
    column: usize,
}

fn split_yaml_error(err: &serde_yaml::Error, doc: &Document) -> YamlError {
    let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
    // libyaml errors read `<problem> at line L column C, <context> at line ...`; go-yaml, and so
    // kubectl, print only the problem.
    let mut text = err.to_string();
    if let Some(at) = text.find(" at line ") {
        text.truncate(at);
    }
    let (path, message) = match text.split_once(": ") {
        Some((p, m)) if !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "._[]-/".contains(c)) => {
            (p.to_string(), m.to_string())
        }
        _ => (String::new(), text),
    };
    YamlError { path, message, line: doc.first_line + line, column }
}

fn decode_document(doc: &Document, source: &str, limits: &Limits) -> Step {
    if doc.text.len() > limits.max_document_bytes {
        return Step::Stop(at_doc(
            doc,
            format!("Request entity too large: limit is {}", limits.max_document_bytes),
            Origin::TOO_LARGE,
        ));
    }
    // kubectl reads plain scalars by YAML 1.1 rules (`0644` is 420, `yes` is true).
    let text = super::yaml11::to_yaml12(first_yaml_document(doc.text));
    // Parse once as untyped YAML: syntax, aliases and nesting fail here.
    let (json, typed_text): (Value, Cow<'_, str>) = match serde_yaml::from_str::<serde_yaml::Value>(&text) {
        Ok(value) => match serde_json::to_value(&value) {
            Ok(json) => (json, text.clone()),
            Err(e) => {
                // go-yaml's decoder refuses a mapping or a list as a key (`{{replicas}}`), and that
                // ends the stream as any YAML error does.
                let message = go_yaml::invalid_map_key(&value).map_or_else(|| e.to_string(), |m| format!("yaml: {m}"));
                return Step::Stop(at_doc(
                    doc,
                    format!("error parsing {source}: error converting YAML to JSON: {message}"),
                    Origin::Client,
                ));
            }
        },
        Err(e) => {
            let y = split_yaml_error(&e, doc);
            match y.message.starts_with("duplicate entry with key").then(|| go_yaml::last_wins(&text)) {
                // go-yaml v2, as kubectl calls it, keeps the last of repeated keys: no error, and
                // the typed decode reads the JSON kubectl would send.
                Some(Ok(json)) => {
                    let typed = serde_json::to_string(&json).unwrap_or_default();
                    (json, Cow::Owned(typed))
                }
                _ => return Step::Stop(syntax_error(&y, doc, source, &text)),
            }
        }
    };
    let json = match json {
        Value::Object(m) => Value::Object(m),
        // An empty document, or one that is only `null`: kubectl skips it.
        Value::Null => return Step::Objects(Vec::new()),
        _ => return Step::Stop(validating_error(doc, source, "invalid object to validate".into())),
    };
    // kubectl validates each document before decoding it (`--validate=strict`, the default):
    // without apiVersion or kind the stream stops here (pkg/validation/schema.go, getObjectKind).
    if let Some(message) = object_kind_errors(&json) {
        return Step::Stop(validating_error(doc, source, message));
    }
    let kind = json.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = json.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if (kind == "List" && api_version == "v1") || (json.get("items").is_some() && super::registry::is_list_kind(api_version, kind)) {
        let items = json.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        if let Some(message) = list_kind_errors(&items) {
            return Step::Stop(validating_error(doc, source, message));
        }
        return Step::Objects(items.iter().map(|item| decode_value(item, doc, source)).collect());
    }
    Step::Objects(vec![decode_typed(&json, doc, source, &typed_text)])
}

/// A YAML syntax error as kubectl prints it. go-yaml v2 names the line within the document chunk:
/// one-based for scanner errors, zero-based for parser errors, and none on the chunk's first line.
fn syntax_error(y: &YamlError, doc: &Document, source: &str, text: &str) -> Diagnostic {
    // libyaml puts the end of the stream on a line of its own, past the last line of a document
    // cut short (a half-pasted file); the editor can only point at a line that exists.
    let last_line = doc.first_line + doc.text.lines().count().max(1);
    let shown_line = y.line.min(last_line);
    if let Some(message) = go_yaml_failures::reword(&y.message, text, y.line.saturating_sub(doc.first_line), y.column) {
        return Diagnostic {
            doc: doc.index,
            line: shown_line,
            column: y.column,
            path: y.path.clone(),
            message: format!("error parsing {source}: error converting YAML to JSON: yaml: {message}"),
            origin: Origin::Client,
        };
    }
    let zero_based = y.line.saturating_sub(doc.first_line + 1);
    let shown = if go_yaml::is_parser_problem(&y.message) { zero_based } else { zero_based + 1 };
    let place = if zero_based == 0 { String::new() } else { format!("line {shown}: ") };
    Diagnostic {
        doc: doc.index,
        line: shown_line,
        column: y.column,
        path: y.path.clone(),
        message: format!("error parsing {source}: error converting YAML to JSON: yaml: {place}{}", go_yaml_failures::spelled_as_go_yaml(&y.message)),
        origin: Origin::Client,
    }
}

/// cli-runtime's `error validating "<file>": error validating data: ...; if you choose to ignore
/// these errors, turn validation off with --validate=false`, which stops the stream.
fn validating_error(doc: &Document, source: &str, message: String) -> Diagnostic {
    at_doc(
        doc,
        format!(
            "error validating {source:?}: error validating data: {message}; if you choose to ignore these errors, turn validation off with --validate=false"
        ),
        Origin::Client,
    )
}

/// kubectl's `getObjectKind`: what is wrong with an object's apiVersion and kind, aggregated as
/// apimachinery aggregates (one error alone, several as `[a, b]`).
fn object_kind_errors(json: &Value) -> Option<String> {
    let errors = kind_problems(json);
    match errors.len() {
        0 => None,
        1 => errors.into_iter().next(),
        _ => Some(format!("[{}]", errors.join(", "))),
    }
}

fn kind_problems(json: &Value) -> Vec<String> {
    let Some(object) = json.as_object() else { return vec!["invalid object to validate".into()] };
    let mut errors = Vec::new();
    for (field, name) in [("apiVersion", "apiVersion"), ("kind", "kind")] {
        match object.get(field) {
            None | Some(Value::Null) => errors.push(format!("{name} not set")),
            Some(Value::String(_)) => {}
            Some(_) => errors.push(format!("{name} isn't string type")),
        }
    }
    errors
}

/// kubectl's `validateList`: every item's apiVersion and kind problems, together.
fn list_kind_errors(items: &[Value]) -> Option<String> {
    let mut errors: Vec<String> = Vec::new();
    for item in items {
        for e in kind_problems(item) {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
    }
    match errors.len() {
        0 => None,
        1 => errors.into_iter().next(),
        _ => Some(format!("[{}]", errors.join(", "))),
    }
}

/// The text up to a `...` document-end line. kubectl's YAML reader splits only on `---`, and
/// go-yaml then decodes the first document of each chunk and ignores anything after `...`.
fn first_yaml_document(text: &str) -> &str {
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if t == "..." || t.starts_with("... #") {
            return &text[..pos];
        }
        pos += line.len();
    }
    text
}

/// Decodes one object given as text (so serde_yaml can report line and column).
fn decode_typed(json: &Value, doc: &Document, source: &str, text: &str) -> Result<Decoded, Diagnostic> {
    let kind_info = resolve_kind(json, doc, source)?;
    let mut object = match (kind_info.decode)(text) {
        Ok(object) => object,
        // What serde refused and Go accepts: positions in the text no longer match what is
        // decoded, so the document's line is named.
        Err(_) if go_fill(kind_info, json).is_some() => return decode_value(json, doc, source),
        Err(e) => {
            let y = split_yaml_error(&e, doc);
            return Err(unnamed_first(kind_info, json, doc, source).unwrap_or_else(|| {
                server_decode_error(kind_info, doc, y.line, y.column, y.path.clone(), &go_json_error(kind_info, json, &y))
            }));
        }
    };
    let mut item = Cow::Borrowed(json);
    go_nulls::strings(&mut item, &mut object);
    check_scalars(kind_info, &item, &object, doc, source)?;
    let mut decoded = finish(&item, object, kind_info, doc)?;
    decoded.manifest = json.clone();
    Ok(decoded)
}

/// Decodes one item of a `kind: List`; positions point at the list's document.
fn decode_value(written: &Value, doc: &Document, source: &str) -> Result<Decoded, Diagnostic> {
    let kind_info = resolve_kind(written, doc, source)?;
    let mut item = Cow::Borrowed(written);
    let mut result = (kind_info.decode)(&serde_json::to_string(written).unwrap_or_default());
    if result.is_err() {
        if let Some(filled) = go_fill(kind_info, written) {
            result = (kind_info.decode)(&serde_json::to_string(&filled).unwrap_or_default());
            item = Cow::Owned(filled);
        }
    }
    let mut object = result.map_err(|e| {
        let y = split_yaml_error(&e, doc);
        unnamed_first(kind_info, &item, doc, source).unwrap_or_else(|| {
            server_decode_error(kind_info, doc, doc.content_line(), 1, y.path.clone(), &go_json_error(kind_info, &item, &y))
        })
    })?;
    go_nulls::strings(&mut item, &mut object);
    check_scalars(kind_info, &item, &object, doc, source)?;
    let mut decoded = finish(&item, object, kind_info, doc)?;
    // kubectl sends what was written: the last-applied annotation keeps it.
    decoded.manifest = written.clone();
    Ok(decoded)
}

/// At most this many values mended in one object (each costs a decode).
const MAX_GO_FILLS: usize = 64;

/// The object as kube-apiserver's Go decoder reads it, where serde refuses what Go accepts: a
/// `null` map value or list item (Go's zero, `go_nulls.rs`), base64 with newlines or unused
/// bits (`go_base64.rs`). None when there is nothing of the kind to mend.
fn go_fill(kind: &KindInfo, input: &Value) -> Option<Value> {
    let mut fixed = Cow::Borrowed(input);
    for _ in 0..MAX_GO_FILLS {
        let text = serde_json::to_string(&fixed).ok()?;
        let Err(err) = (kind.decode)(&text) else { break };
        let err = err.to_string();
        let err = err.split(" at line ").next().unwrap_or(&err);
        let Some((path, message)) = err.split_once(": ") else { break };
        let Some(slot) = go_nulls::at_path(fixed.to_mut(), path, &mut String::new()) else { break };
        let mended = go_nulls::zero_for(slot, message)
            .or_else(|| go_base64::is_engine_error(message).then(|| go_base64::canonical(slot)).flatten());
        let Some(value) = mended else { break };
        *slot = value;
    }
    match fixed {
        Cow::Owned(v) if v != *input => Some(v),
        _ => None,
    }
}

/// A bool or number given for a string field: serde_yaml took it, the server's JSON decoder
/// does not (`value: yes` in an env var).
fn check_scalars(kind: &'static KindInfo, json: &Value, object: &Value, doc: &Document, source: &str) -> Result<(), Diagnostic> {
    let Some(detail) = go_json::scalar_for_string(kind, json, object).or_else(|| quantities::first_bad_quantity(object).map(str::to_string))
    else {
        return Ok(());
    };
    if let Some(d) = unnamed_first(kind, json, doc, source) {
        return Err(d);
    }
    let field = detail.split(" of type ").next().and_then(|s| s.rsplit('.').next()).unwrap_or("");
    let line = find_key_line(doc, field).unwrap_or_else(|| doc.content_line());
    Err(server_decode_error(kind, doc, line, 1, String::new(), &detail))
}

/// kubectl apply GETs an object by name before it sends the body the server would fail to
/// decode, so an object without a name fails on that first, client-side (apply.go,
/// `applyOneObject`). The namespace printed is the object's own or `default`.
fn unnamed_first(kind: &KindInfo, json: &Value, doc: &Document, source: &str) -> Option<Diagnostic> {
    let meta = json.get("metadata");
    let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("");
    if !name.is_empty() {
        return None;
    }
    let namespace = if kind.namespaced {
        meta.and_then(|m| m.get("namespace")).and_then(Value::as_str).filter(|n| !n.is_empty()).unwrap_or("default")
    } else {
        ""
    };
    let gv = format!("{}/{}", kind.group, kind.version);
    Some(Diagnostic {
        doc: doc.index,
        line: doc.content_line(),
        column: 1,
        path: "metadata.name".into(),
        message: format!(
            "error when retrieving current configuration of:\nResource: \"{gv}, Resource={}\", GroupVersionKind: \"{gv}, Kind={}\"\nName: \"\", Namespace: {namespace:?}\nfrom server for: {source:?}: resource name may not be empty",
            kind.resource, kind.kind
        ),
        origin: Origin::Client,
    })
}

fn resolve_kind(json: &Value, doc: &Document, source: &str) -> Result<&'static KindInfo, Diagnostic> {
    let compact = serde_json::to_string(json).unwrap_or_default();
    let kind = json.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = json.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        let mut d = at_doc(doc, format!("unable to decode {source:?}: Object 'Kind' is missing in '{compact}'"), Origin::Client);
        d.path = "kind".into();
        return Err(d);
    }
    if api_version.is_empty() {
        let mut d =
            at_doc(doc, format!("unable to decode {source:?}: Object 'apiVersion' is missing in '{compact}'"), Origin::Client);
        d.path = "apiVersion".into();
        return Err(d);
    }
    lookup(api_version, kind).ok_or_else(|| {
        let meta = json.get("metadata");
        let field = |f: &str| meta.and_then(|m| m.get(f)).and_then(Value::as_str).unwrap_or("").to_string();
        let mut d = at_doc(
            doc,
            format!(
                "resource mapping not found for name: {:?} namespace: {:?} from {source:?}: no matches for kind {kind:?} in version {api_version:?}\nensure CRDs are installed first",
                field("name"),
                field("namespace"),
            ),
            Origin::Client,
        );
        d.line = find_key_line(doc, "kind").unwrap_or(d.line);
        d.path = "kind".into();
        d
    })
}

fn finish(input: &Value, object: Value, kind: &'static KindInfo, doc: &Document) -> Result<Decoded, Diagnostic> {
    let meta = object.get("metadata");
    let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("").to_string();
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Value::as_str).map(str::to_string);
    let unknown = unknown_fields(input, &object);
    let mut object = object;
    prune_absent_empties(input, &mut object);
    Ok(Decoded {
        doc: doc.index,
        line: doc.content_line(),
        kind,
        name,
        namespace,
        object,
        manifest: input.clone(),
        unknown_fields: unknown,
    })
}

/// k8s-openapi gives required fields an empty value when the input lacks them (a missing
/// `spec.selector` becomes `{}`); Go leaves them absent, and validation then says `Required
/// value`. Removes every empty object or list the input did not have.
fn prune_absent_empties(input: &Value, object: &mut Value) {
    if let (Value::Object(inp), Value::Object(out)) = (input, object) {
        out.retain(|k, v| {
            inp.contains_key(k) || !(v.as_object().is_some_and(|m| m.is_empty()) || v.as_array().is_some_and(|a| a.is_empty()))
        });
        for (k, v) in out.iter_mut() {
            if let Some(i) = inp.get(k) {
                match (i, v) {
                    (Value::Array(ia), Value::Array(oa)) => {
                        for (a, b) in ia.iter().zip(oa.iter_mut()) {
                            prune_absent_empties(a, b);
                        }
                    }
                    (i, v) => prune_absent_empties(i, v),
                }
            }
        }
    }
}

/// The server's 400 for a body it cannot decode into the Go type.
fn server_decode_error(kind: &KindInfo, doc: &Document, line: usize, column: usize, path: String, detail: &str) -> Diagnostic {
    Diagnostic {
        doc: doc.index,
        line,
        column,
        path,
        message: format!("{} in version {:?} cannot be handled as a {}: {detail}", kind.kind, kind.version, kind.kind),
        origin: Origin::BAD_REQUEST,
    }
}

/// Rewords serde's decode errors the way the server's Go JSON decoder words them.
fn go_json_error(kind: &KindInfo, input: &Value, y: &YamlError) -> String {
    let m = &y.message;
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return go_json::type_error(kind, input, &y.path, &go_json::go_json_type(got), expected);
    }
    if let Some(rest) = m.strip_prefix("invalid value: integer `") {
        // An integer the field's type cannot hold: Go's decoder names the literal.
        let (literal, expected) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        return go_json::type_error(kind, input, &y.path, &format!("number {literal}"), expected);
    }
    if go_base64::is_engine_error(m) {
        // Go's decoder names the byte it stopped at, not the engine's: look at the value.
        let mut at = input.clone();
        if let Some(message) = go_nulls::at_path(&mut at, &y.path, &mut String::new()).and_then(|v| go_base64::go_error(v)) {
            return message;
        }
    }
    if let Some(message) = go_json::base64_error(m) {
        return message;
    }
    if let Some(field) = m.strip_prefix("duplicate field `").and_then(|r| r.strip_suffix('`')) {
        return format!("strict decoding error: duplicate field {field:?}");
    }
    if let Some(field) = m.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        let path = if y.path.is_empty() { field.to_string() } else { format!("{}.{field}", y.path) };
        return format!("strict decoding error: missing required field {path:?}");
    }
    m.clone()
}

/// The one-based input line where `key:` first appears in the document (a good enough anchor for
/// diagnostics about a whole field).
pub(crate) fn find_key_line(doc: &Document, key: &str) -> Option<usize> {
    doc.text.lines().position(|l| {
        let t = l.trim_start().trim_start_matches("- ");
        t.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))
            || t.strip_prefix(&format!("\"{key}\"")).is_some_and(|r| r.trim_start().starts_with(':'))
    })
    .map(|i| doc.first_line + i + 1)
}

mod go_base64;
mod go_json;
mod go_nulls;
mod go_yaml;
mod go_yaml_failures;
mod quantities;

#[cfg(test)]
mod tests;
