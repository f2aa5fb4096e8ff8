//! The OpenAPI documentation `kubectl explain` renders: for each served kind, the schema that
//! describes it, and for each schema its description and its properties with their types,
//! required markers and descriptions. kube-apiserver serves this as `/openapi/v3/...`; kubeplay
//! carries it as `docs.txt`, generated from k8s-openapi's JSON schemas by `tools/explain-gen`
//! (never written by hand).
//!
//! `docs.txt` holds one record a line, its fields split by tabs (`\n`, `\t`, `\r`, `\\` and a
//! leading `=` escaped with a backslash); `#` lines are comments:
//!
//! ```text
//! K  group  version  Kind  schema          a served kind and the schema documenting it
//! T  schema  type  description             a schema; type is empty for objects (and for
//!                                          schemas with no type, such as Quantity)
//! F  name  r?  type  description           a property of the schema above; `r` = required
//! ```
//!
//! A property's type is `[]` and `map[string]` prefixes followed by `#schema` or an OpenAPI
//! primitive (`string`, `integer`, `boolean`, `number`, `object`). A description is empty, the
//! text, or `=N`: the same text as the Nth (from 0) description written before it, so text
//! repeated across kinds and versions is stored once.
//!
//! Native builds (the CLI, the tests) compile the file in; the browser bundle leaves it out to
//! stay small, and the page hands it over with [`set_docs`] the first time `explain` runs.

use crate::cli::printers::jsonpath::unescape;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Bounds on what [`Docs::parse`] accepts, so a damaged or hostile file cannot exhaust memory.
const MAX_TEXT_BYTES: usize = 16 << 20;
/// `[]` and `map[string]` prefixes on one type; Kubernetes goes two deep (`map[string][]string`).
const MAX_TYPE_NESTING: usize = 8;

/// A property's type as the schema gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeExpr {
    /// `type: array` with these `items`.
    Array(Box<TypeExpr>),
    /// `type: object` with these `additionalProperties`.
    Map(Box<TypeExpr>),
    /// A `$ref` to another schema (an index into [`Docs::schemas`]).
    Ref(usize),
    /// An OpenAPI primitive type (`string`, `integer`, ..., `object`), possibly empty.
    Primitive(String),
}

/// One property of a schema.
#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub required: bool,
    pub ty: TypeExpr,
    description: Option<usize>,
}

/// One schema (`components.schemas` entry).
#[derive(Clone, Debug)]
pub struct Schema {
    /// The full name, `io.k8s.api.core.v1.Container`.
    pub name: String,
    /// The schema's own `type` when it is not an object (`string` for Time), else empty.
    pub own_type: String,
    description: Option<usize>,
    /// Sorted by name, as Go's templates range over a map.
    pub fields: Vec<Field>,
}

/// A served kind and the schema that documents it.
#[derive(Clone, Debug)]
pub struct KindDoc {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub schema: usize,
}

/// The parsed documentation.
#[derive(Debug, Default)]
pub struct Docs {
    pub kinds: Vec<KindDoc>,
    pub schemas: Vec<Schema>,
    descriptions: Vec<String>,
}

impl Docs {
    /// Parses the `docs.txt` format; an error names the line that does not fit it.
    pub fn parse(text: &str) -> Result<Docs, String> {
        if text.len() > MAX_TEXT_BYTES {
            return Err(format!("the explain documentation is {} bytes, more than the {MAX_TEXT_BYTES} accepted", text.len()));
        }
        let records = || text.lines().enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        // Schemas are referred to by name before and after their own line: number them first.
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (n, line) in records() {
            if let Some(rest) = line.strip_prefix("T\t") {
                let name = rest.split('\t').next().unwrap_or("");
                if index.insert(name, index.len()).is_some() {
                    return Err(format!("line {}: schema {name} is defined twice", n + 1));
                }
            }
        }
        let mut docs = Docs::default();
        for (n, line) in records() {
            let bad = |why: &str| format!("line {}: {why}", n + 1);
            let cols: Vec<&str> = line.split('\t').collect();
            match cols.as_slice() {
                ["K", group, version, kind, schema] => {
                    let schema = *index.get(schema).ok_or_else(|| bad("unknown schema"))?;
                    docs.kinds.push(KindDoc { group: group.to_string(), version: version.to_string(), kind: kind.to_string(), schema });
                }
                ["T", name, own_type, description] => {
                    let description = docs.description(description).map_err(|e| bad(&e))?;
                    docs.schemas.push(Schema { name: name.to_string(), own_type: own_type.to_string(), description, fields: Vec::new() });
                }
                ["F", name, flag, ty, description] => {
                    let ty = type_expr(ty, &index, 0).ok_or_else(|| bad("unreadable type"))?;
                    let description = docs.description(description).map_err(|e| bad(&e))?;
                    let field = Field { name: name.to_string(), required: *flag == "r", ty, description };
                    docs.schemas.last_mut().ok_or_else(|| bad("a field before any schema"))?.fields.push(field);
                }
                _ => return Err(bad("not a K, T or F record")),
            }
        }
        for schema in &mut docs.schemas {
            schema.fields.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(docs)
    }

    /// Reads a description column: empty, `=N`, or escaped text (stored, and numbered).
    fn description(&mut self, col: &str) -> Result<Option<usize>, String> {
        if col.is_empty() {
            return Ok(None);
        }
        if let Some(n) = col.strip_prefix('=') {
            let n: usize = n.parse().map_err(|_| format!("bad back-reference {col:?}"))?;
            return if n < self.descriptions.len() { Ok(Some(n)) } else { Err(format!("back-reference {n} to a description not yet written")) };
        }
        self.descriptions.push(unescape(col));
        Ok(Some(self.descriptions.len() - 1))
    }

    /// The kind's documentation, if the kind is documented.
    pub fn kind(&self, group: &str, version: &str, kind: &str) -> Option<&KindDoc> {
        self.kinds.iter().find(|k| k.group == group && k.version == version && k.kind == kind)
    }

    pub fn schema(&self, index: usize) -> Option<&Schema> {
        self.schemas.get(index)
    }

    /// A schema's description, empty when it has none.
    pub fn schema_description(&self, schema: &Schema) -> &str {
        self.text(schema.description)
    }

    /// A field's description, empty when it has none.
    pub fn field_description(&self, field: &Field) -> &str {
        self.text(field.description)
    }

    fn text(&self, description: Option<usize>) -> &str {
        description.and_then(|i| self.descriptions.get(i)).map_or("", String::as_str)
    }
}

fn type_expr(s: &str, index: &BTreeMap<&str, usize>, depth: usize) -> Option<TypeExpr> {
    if depth > MAX_TYPE_NESTING {
        return None;
    }
    if let Some(rest) = s.strip_prefix("[]") {
        return Some(TypeExpr::Array(Box::new(type_expr(rest, index, depth + 1)?)));
    }
    if let Some(rest) = s.strip_prefix("map[string]") {
        return Some(TypeExpr::Map(Box::new(type_expr(rest, index, depth + 1)?)));
    }
    if let Some(name) = s.strip_prefix('#') {
        return index.get(name).map(|i| TypeExpr::Ref(*i));
    }
    Some(TypeExpr::Primitive(s.to_string()))
}


/// The documentation handed over at run time ([`set_docs`]), or the compiled-in copy.
static DOCS: OnceLock<Result<Docs, String>> = OnceLock::new();

/// The compiled-in documentation: native builds only (see the module doc).
#[cfg(not(target_arch = "wasm32"))]
const BUILTIN: Option<&str> = Some(include_str!("docs.txt"));
#[cfg(target_arch = "wasm32")]
const BUILTIN: Option<&str> = None;

/// The documentation, parsed on first use.
pub fn docs() -> Result<&'static Docs, String> {
    let loaded = match (DOCS.get(), BUILTIN) {
        (Some(loaded), _) => loaded,
        (None, Some(text)) => DOCS.get_or_init(|| Docs::parse(text)),
        (None, None) => return Err("error: kubeplay has not loaded the API documentation that explain prints yet; run the command again in a moment\n".into()),
    };
    loaded.as_ref().map_err(|e| format!("error: kubeplay's API documentation is unreadable: {e}\n"))
}

/// Whether [`docs`] has the documentation (always, in native builds).
pub fn has_docs() -> bool {
    DOCS.get().is_some() || BUILTIN.is_some()
}

/// Hands over the text of `docs.txt` (the browser fetches it on the first `explain`). A
/// second call keeps the first documentation; an unreadable text is refused and not kept.
pub fn set_docs(text: &str) -> Result<(), String> {
    if DOCS.get().is_some() {
        return Ok(());
    }
    let docs = Docs::parse(text)?;
    let _ = DOCS.set(Ok(docs));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\n\
        K\tapps\tv1\tThing\tio.example.Thing\n\
        T\tio.example.Quantity\t\tQuantity is a number.\n\
        T\tio.example.Thing\t\tA thing.\\nSecond line.\n\
        F\tsize\tr\tmap[string]#io.example.Quantity\tSizes.\n\
        F\tnames\t\t[]string\t=0\n\
        F\tb\t\tboolean\t\n";

    #[test]
    fn reads_records_back_references_and_escapes() {
        let d = Docs::parse(SAMPLE).unwrap();
        let k = d.kind("apps", "v1", "Thing").unwrap();
        let thing = d.schema(k.schema).unwrap();
        assert_eq!(d.schema_description(thing), "A thing.\nSecond line.");
        let names: Vec<&str> = thing.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["b", "names", "size"], "sorted by name");
        assert_eq!(d.field_description(&thing.fields[1]), "Quantity is a number.");
        assert_eq!(d.field_description(&thing.fields[0]), "");
        assert!(thing.fields[2].required);
        assert_eq!(thing.fields[2].ty, TypeExpr::Map(Box::new(TypeExpr::Ref(0))));
    }

    #[test]
    fn refuses_damaged_text_without_panicking() {
        for bad in [
            "K\tapps\tv1\tThing\tnowhere\n",
            "F\tx\t\tstring\t\n",
            "T\ta\t\t=3\n",
            "T\ta\t\t\nT\ta\t\t\n",
            "T\ta\t\t\nF\tx\t\t#missing\t\n",
            "Z\n",
            "T\ta\t\t=\n",
        ] {
            assert!(Docs::parse(bad).is_err(), "{bad:?}");
        }
        let deep = format!("T\ta\t\t\nF\tx\t\t{}string\t\n", "[]".repeat(100));
        assert!(Docs::parse(&deep).is_err());
        assert_eq!(unescape("a\\"), "a\\");
        assert_eq!(unescape("\\=1\\\\n"), "=1\\n");
    }

    #[test]
    fn the_compiled_in_documentation_parses() {
        let d = docs().unwrap();
        assert!(d.kinds.len() > 50 && d.schemas.len() > 400, "{} kinds, {} schemas", d.kinds.len(), d.schemas.len());
    }
}
