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
                format!(
                    "error parsing {source}: error converting YAML to JSON: yaml: invalid leading UTF-8 octet at line {line} column {column}"
                ),
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
    // Parse once as untyped YAML: syntax, aliases, nesting and duplicate keys fail here.
    let value: serde_yaml::Value = match serde_yaml::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let y = split_yaml_error(&e, doc);
            if let Some(d) = duplicate_key(&y, doc) {
                // The object itself is well-formed YAML: only this document fails.
                return Step::Objects(vec![Err(d)]);
            }
            let rel_line = y.line - doc.first_line;
            return Step::Stop(Diagnostic {
                doc: doc.index,
                line: y.line,
                column: y.column,
                path: y.path,
                message: format!(
                    "error parsing {source}: error converting YAML to JSON: yaml: line {rel_line}: {}",
                    y.message
                ),
                origin: Origin::Client,
            });
        }
    };
    let json: Value = match serde_json::to_value(&value) {
        Ok(Value::Object(m)) => Value::Object(m),
        Ok(Value::Null) => return Step::Objects(Vec::new()),
        Ok(other) => {
            return Step::Objects(vec![Err(at_doc(
                doc,
                format!(
                    "error parsing {source}: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_type(&other)
                ),
                Origin::Client,
            ))])
        }
        Err(e) => {
            return Step::Objects(vec![Err(at_doc(
                doc,
                format!("error parsing {source}: error converting YAML to JSON: {e}"),
                Origin::Client,
            ))])
        }
    };
    let kind = json.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = json.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind == "List" && api_version == "v1" {
        let items = json.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        return Step::Objects(items.iter().map(|item| decode_value(item, doc, source)).collect());
    }
    Step::Objects(vec![decode_typed(&json, doc, source, &text)])
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
    let object = (kind_info.decode)(text).map_err(|e| {
        let y = split_yaml_error(&e, doc);
        server_decode_error(kind_info, doc, y.line, y.column, y.path.clone(), &go_json_error(&y))
    })?;
    finish(json, object, kind_info, doc)
}

/// Decodes one item of a `kind: List`; positions point at the list's document.
fn decode_value(item: &Value, doc: &Document, source: &str) -> Result<Decoded, Diagnostic> {
    let kind_info = resolve_kind(item, doc, source)?;
    let text = serde_json::to_string(item).unwrap_or_default();
    let object = (kind_info.decode)(&text).map_err(|e| {
        let y = split_yaml_error(&e, doc);
        server_decode_error(kind_info, doc, doc.content_line(), 1, y.path.clone(), &go_json_error(&y))
    })?;
    finish(item, object, kind_info, doc)
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

/// Rewords serde's type errors the way Go's encoding/json words them, which is what a real API
/// server returns (`json: cannot unmarshal string into Go struct field .spec.replicas of type int32`).
fn go_json_error(y: &YamlError) -> String {
    let m = &y.message;
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let got = match got.split_whitespace().next().unwrap_or("") {
            "string" => "string",
            "integer" | "floating" => "number",
            "boolean" => "bool",
            "sequence" => "array",
            "map" => "object",
            "unit" => "null",
            other => other,
        };
        let go_type = match expected {
            "i32" => "int32",
            "i64" => "int64",
            "a boolean" => "bool",
            "a string" => "string",
            e if e.contains("sequence") => "array",
            e if e.contains("map") || e.starts_with("struct") => "object",
            e => e,
        };
        return format!("json: cannot unmarshal {got} into Go struct field .{} of type {go_type}", y.path);
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

/// A repeated mapping key. kube-apiserver's strict decoder rejects the body with
/// `strict decoding error: duplicate field "spec.replicas"` (400); serde_yaml reports the first
/// occurrence, the learner needs the second one. The kind is read from the document's top-level
/// lines, since the document as a whole could not be parsed.
fn duplicate_key(y: &YamlError, doc: &Document) -> Option<Diagnostic> {
    let key = y.message.strip_prefix("duplicate entry with key \"")?.strip_suffix('"')?;
    let lines: Vec<&str> = doc.text.lines().collect();
    let first = y.line - doc.first_line - 1;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let col = indent(lines.get(first)?);
    let second = lines.iter().enumerate().skip(first + 1).find(|(_, l)| {
        indent(l) == col && l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))
    })?;
    let top = |field: &str| {
        lines.iter().find_map(|l| {
            let v = l.strip_prefix(field)?.strip_prefix(':')?;
            let v = v.split(" #").next().unwrap_or(v).trim();
            Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
        })
    };
    let kind = lookup(&top("apiVersion")?, &top("kind")?)?;
    let path = if y.path.is_empty() { key.to_string() } else { format!("{}.{key}", y.path) };
    let detail = format!("strict decoding error: duplicate field {path:?}");
    Some(server_decode_error(kind, doc, doc.first_line + second.0 + 1, col + 1, path, &detail))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
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

#[cfg(test)]
mod tests;
