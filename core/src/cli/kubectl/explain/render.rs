//! kubectl's `plaintext` explain template (`pkg/explain/v2/templates/plaintext.tmpl`, the
//! OpenAPI v3 renderer kubectl uses by default), over [`Docs`]:
//!
//! ```text
//! GROUP:      apps                      (only for a named group)
//! KIND:       Deployment
//! VERSION:    v1
//!
//! FIELD: replicas <integer>             (only for a field path; two blank lines follow)
//!
//!
//! DESCRIPTION:
//!     <the field's description, then its type's, each ending a line; wrapped at 76>
//!     <a line of four spaces: the indent after the last newline>
//! FIELDS:
//!   name\t<type> -required-
//!     <description wrapped at 76>
//!
//! ```
//!
//! With `--recursive` each field is one line, and the fields of its type follow, indented two
//! more spaces, down to `--max-depth` levels; a type already being listed further up the same
//! path is not listed again (the template's `history`), which ends self-references such as
//! JSONSchemaProps.

use super::docs::{Docs, Field, Schema, TypeExpr};
use super::wrap::{indent, wrap};

/// The output kubectl stops at for one explain, so `--recursive` on the largest kinds stays
/// bounded whatever the documentation holds.
pub const MAX_OUTPUT_BYTES: usize = 4 << 20;

/// What the explained path ends at: the kind's own schema, or a property.
#[derive(Clone, Copy)]
enum Target<'a> {
    Schema(&'a Schema),
    Field(&'a Field),
}

/// What to print.
pub struct Request<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    /// The root schema (the kind's).
    pub schema: usize,
    pub fields: &'a [String],
    pub recursive: bool,
    /// `--max-depth`: levels of fields `--recursive` prints, 0 for all.
    pub max_depth: usize,
}

/// The explain text, or kubectl's error (`error: field "x" does not exist`, naming the last
/// element of the path, as the template does whichever element was missing).
pub fn render(docs: &Docs, req: &Request) -> Result<String, String> {
    let missing = || format!("error: field \"{}\" does not exist\n", req.fields.last().map_or("", String::as_str));
    let root = docs.schema(req.schema).ok_or_else(missing)?;
    let mut out = String::new();
    if !req.group.is_empty() {
        out.push_str(&format!("GROUP:      {}\n", req.group));
    }
    out.push_str(&format!("KIND:       {}\nVERSION:    {}\n\n", req.kind, req.version));

    let mut target = Target::Schema(root);
    for (i, name) in req.fields.iter().enumerate() {
        let field = properties(docs, target).iter().find(|f| &f.name == name).ok_or_else(missing)?;
        if i + 1 == req.fields.len() {
            // The template's FIELD line, then the (here always empty) ENUM block's newline and one
            // more: kubectl prints two blank lines after it.
            out.push_str(&format!("FIELD: {name} <{}>\n\n\n", type_guess(docs, &field.ty)));
        }
        target = Target::Field(field);
    }

    out.push_str("DESCRIPTION:\n");
    let mut description = String::new();
    for piece in description_pieces(docs, target) {
        description.push_str(piece);
        description.push('\n');
    }
    if description.is_empty() {
        description.push_str("<empty>");
    }
    out.push_str(&indent(4, &wrap(&description, 76)));
    out.push('\n');

    let mut list = FieldList { docs, recursive: req.recursive, max_depth: req.max_depth, history: Vec::new(), out: String::new() };
    match target {
        // The kind's own schema is listed without entering the history (the template starts
        // from the resolved schema, not a `$ref` to it).
        Target::Schema(schema) => list.schema(schema, 1),
        Target::Field(field) => list.type_expr(&field.ty, 1),
    }
    if list.out.len() > MAX_OUTPUT_BYTES {
        return Err(format!("error: kubeplay prints at most {MAX_OUTPUT_BYTES} bytes of explain output; add --max-depth or explain a field further down\n"));
    }
    if !list.out.is_empty() {
        out.push_str("FIELDS:\n");
        out.push_str(&list.out);
    }
    out.push('\n');
    Ok(out)
}

/// The properties a path step looks in: the schema's own, or those of the schema a field's
/// type leads to through arrays and maps (a primitive has none).
fn properties<'a>(docs: &'a Docs, target: Target<'a>) -> &'a [Field] {
    match target {
        Target::Schema(schema) => &schema.fields,
        Target::Field(field) => referenced(docs, &field.ty).map_or(&[], |s| s.fields.as_slice()),
    }
}

/// The schema at the end of a type's `items` / `additionalProperties` chain, if any.
fn referenced<'a>(docs: &'a Docs, ty: &TypeExpr) -> Option<&'a Schema> {
    match ty {
        TypeExpr::Array(inner) | TypeExpr::Map(inner) => referenced(docs, inner),
        TypeExpr::Ref(i) => docs.schema(*i),
        TypeExpr::Primitive(_) => None,
    }
}

/// The template's `description`: the schema's own text, then that of what it refers to.
fn description_pieces<'a>(docs: &'a Docs, target: Target<'a>) -> Vec<&'a str> {
    let pieces = match target {
        Target::Schema(schema) => vec![docs.schema_description(schema)],
        Target::Field(field) => {
            vec![docs.field_description(field), referenced(docs, &field.ty).map_or("", |s| docs.schema_description(s))]
        }
    };
    pieces.into_iter().filter(|p| !p.is_empty()).collect()
}

/// The template's `typeGuess`: `[]T`, `map[string]T`, a referenced object schema's short name
/// (`Container`; also a schema with no type, such as `Quantity`), else the OpenAPI type, with
/// `object` (or none) as `Object`.
pub fn type_guess(docs: &Docs, ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Array(inner) => format!("[]{}", type_guess(docs, inner)),
        TypeExpr::Map(inner) => format!("map[string]{}", type_guess(docs, inner)),
        TypeExpr::Ref(i) => match docs.schema(*i) {
            Some(s) if !s.own_type.is_empty() => s.own_type.clone(),
            Some(s) => s.name.rsplit('.').next().filter(|n| !n.is_empty()).unwrap_or("Object").to_string(),
            None => "Object".to_string(),
        },
        TypeExpr::Primitive(p) if p.is_empty() || p == "object" => "Object".to_string(),
        TypeExpr::Primitive(p) => p.clone(),
    }
}

/// The template's `fieldList` and `fieldDetail`.
struct FieldList<'a> {
    docs: &'a Docs,
    recursive: bool,
    max_depth: usize,
    /// Schemas being listed on the current path (indexes), to stop at a cycle.
    history: Vec<usize>,
    out: String,
}

impl FieldList<'_> {
    fn schema(&mut self, schema: &Schema, level: usize) {
        for field in &schema.fields {
            if self.out.len() > MAX_OUTPUT_BYTES {
                return;
            }
            self.detail(field, level);
            if self.recursive && (self.max_depth == 0 || level < self.max_depth) {
                self.type_expr(&field.ty, level + 1);
            }
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr, level: usize) {
        match ty {
            TypeExpr::Array(inner) | TypeExpr::Map(inner) => self.type_expr(inner, level),
            TypeExpr::Ref(i) => {
                let docs = self.docs;
                let Some(schema) = docs.schema(*i) else { return };
                if self.history.contains(i) {
                    return;
                }
                self.history.push(*i);
                self.schema(schema, level);
                self.history.pop();
            }
            TypeExpr::Primitive(_) => {}
        }
    }

    /// `name\t<type> -required-`, then (not recursive) the description wrapped and indented.
    fn detail(&mut self, field: &Field, level: usize) {
        let pad = level * 2;
        self.out.push_str(&" ".repeat(pad));
        self.out.push_str(&field.name);
        self.out.push_str(&format!("\t<{}>", type_guess(self.docs, &field.ty)));
        if field.required {
            self.out.push_str(" -required-");
        }
        self.out.push('\n');
        if !self.recursive {
            let description = match self.docs.field_description(field) {
                "" => "<no description>",
                d => d,
            };
            self.out.push_str(&indent(pad + 2, &wrap(description, 78usize.saturating_sub(pad))));
            self.out.push_str("\n\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "K\tdemo.io\tv1\tThing\tio.demo.Thing\n\
        T\tio.demo.Node\t\tA node of a tree.\n\
        F\tchildren\t\t[]#io.demo.Node\tThe children.\n\
        F\tname\tr\tstring\t\n\
        T\tio.demo.Thing\t\tA thing.\n\
        F\tcreated\t\t#io.demo.Time\tWhen it was made.\n\
        F\tlabels\t\tmap[string]string\tLabels.\n\
        F\troot\t\t#io.demo.Node\tThe tree.\n\
        F\tsizes\t\tmap[string]#io.demo.Quantity\t\n\
        T\tio.demo.Time\tstring\tTime is a time.\n\
        T\tio.demo.Quantity\t\tQuantity is a number.\n";

    fn explain(path: &[&str], recursive: bool, max_depth: usize) -> Result<String, String> {
        let docs = Docs::parse(SAMPLE).unwrap();
        let fields: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let kind = docs.kind("demo.io", "v1", "Thing").unwrap();
        render(&docs, &Request { group: "demo.io", version: "v1", kind: "Thing", schema: kind.schema, fields: &fields, recursive, max_depth })
    }

    #[test]
    fn a_kind_lists_its_fields_with_types_as_kubectl_guesses_them() {
        let out = explain(&[], false, 0).unwrap();
        assert_eq!(
            out,
            "GROUP:      demo.io\nKIND:       Thing\nVERSION:    v1\n\nDESCRIPTION:\n    A thing.\n    \nFIELDS:\n  \
             created\t<string>\n    When it was made.\n\n  \
             labels\t<map[string]string>\n    Labels.\n\n  \
             root\t<Node>\n    The tree.\n\n  \
             sizes\t<map[string]Quantity>\n    <no description>\n\n\n"
        );
    }

    #[test]
    fn a_field_shows_its_own_and_its_types_description() {
        let out = explain(&["root", "children"], false, 0).unwrap();
        assert!(out.contains("FIELD: children <[]Node>\n\n\nDESCRIPTION:\n    The children.\n    A node of a tree.\n    \nFIELDS:\n  children\t<[]Node>\n"), "{out}");
        assert!(out.contains("  name\t<string> -required-\n    <no description>\n\n"), "{out}");
        let leaf = explain(&["root", "name"], false, 0).unwrap();
        assert!(leaf.ends_with("FIELD: name <string>\n\n\nDESCRIPTION:\n    <empty>\n\n"), "{leaf}");
        assert_eq!(explain(&["root", "nope", "deeper"], false, 0).unwrap_err(), "error: field \"deeper\" does not exist\n");
        assert_eq!(explain(&["labels", "x"], false, 0).unwrap_err(), "error: field \"x\" does not exist\n");
    }

    #[test]
    fn recursive_stops_at_cycles_and_at_max_depth() {
        let out = explain(&["root"], true, 0).unwrap();
        assert!(out.ends_with("FIELDS:\n  children\t<[]Node>\n  name\t<string> -required-\n\n"), "{out}");
        let top = explain(&[], true, 0).unwrap();
        assert!(top.contains("  root\t<Node>\n    children\t<[]Node>\n    name\t<string> -required-\n  sizes"), "{top}");
        let shallow = explain(&[], true, 1).unwrap();
        assert!(shallow.contains("  root\t<Node>\n  sizes"), "{shallow}");
    }
}
