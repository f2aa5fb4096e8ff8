//! YAML to JSON the way kubectl converts it: sigs.k8s.io/yaml's `YAMLToJSON` over go-yaml v2's
//! non-strict `Unmarshal`, where serde_yaml would answer differently.
//!
//! - A repeated mapping key is no error: go-yaml v2 decodes into a Go map and the last value wins
//!   (`decode.go`, `setMapIndex` only complains in strict mode, which kubectl does not use). The
//!   JSON kubectl sends therefore never holds the duplicate, and the server never sees it.
//! - A mapping key that is itself a mapping or a sequence (`replicas: {{replicas}}` in a template)
//!   fails go-yaml's decoder with `invalid map key: <the key printed by Go's %#v>`, which ends the
//!   stream like any YAML error.
//! - Which libyaml problems are parser errors: go-yaml v2's `parser.fail` adds one to the line of
//!   scanner errors only, so a parser error names the zero-based line of its token.

use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses one YAML document into JSON keeping the last value of a repeated key, as go-yaml v2's
/// non-strict decoder does. Mapping keys that are scalars become strings, as sigs.k8s.io/yaml
/// turns them into JSON object keys.
pub(super) fn last_wins(text: &str) -> Result<Value, serde_yaml::Error> {
    let j: J = serde_yaml::from_str(text)?;
    Ok(j.0)
}

struct J(Value);

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(J(Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(J(Value::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<J, E> {
        // JSON has no NaN or infinity; go-yaml's .nan and .inf cannot reach a Kubernetes field.
        Ok(J(Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }
    fn visit_str<E>(self, v: &str) -> Result<J, E> {
        Ok(J(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<J, E> {
        Ok(J(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J(Value::Null))
    }
    fn visit_none<E>(self) -> Result<J, E> {
        Ok(J(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<J, D::Error> {
        J::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(J(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(J(Value::Array(out)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let mut out = Map::new();
        while let Some(J(key)) = map.next_key()? {
            let key = match key {
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Null => "null".to_string(),
                other => return Err(de::Error::custom(format!("invalid map key: {}", go_syntax_json(&other)))),
            };
            let J(value) = map.next_value()?;
            out.insert(key, value); // A repeated key overwrites: the last one wins.
        }
        Ok(J(Value::Object(out)))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<J, A::Error> {
        // A `!tag value`: go-yaml decodes the value and forgets the tag.
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant()
    }
}

/// go-yaml v2's `invalid map key: %#v` for the first mapping key (in document order) that is a
/// mapping or a sequence, or None when every key is a scalar.
pub(super) fn invalid_map_key(value: &serde_yaml::Value) -> Option<String> {
    use serde_yaml::Value as Y;
    match value {
        Y::Mapping(m) => m.iter().find_map(|(k, v)| match k {
            Y::Mapping(_) | Y::Sequence(_) => Some(format!("invalid map key: {}", go_syntax(k))),
            _ => invalid_map_key(k).or_else(|| invalid_map_key(v)),
        }),
        Y::Sequence(s) => s.iter().find_map(invalid_map_key),
        Y::Tagged(t) => invalid_map_key(&t.value),
        _ => None,
    }
}

/// A value as Go's `%#v` prints what go-yaml v2 decoded into `interface{}`: maps are
/// `map[interface {}]interface {}{k:v, ...}` with sorted keys, lists `[]interface {}{...}`, a
/// null `interface {}(nil)`, strings quoted.
fn go_syntax(value: &serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => "interface {}(nil)".to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::String(s) => format!("{s:?}"),
        Y::Sequence(s) => format!("[]interface {{}}{{{}}}", s.iter().map(go_syntax).collect::<Vec<_>>().join(", ")),
        Y::Mapping(m) => {
            let mut entries: Vec<(String, String)> = m.iter().map(|(k, v)| (go_syntax(k), go_syntax(v))).collect();
            entries.sort();
            let body: Vec<String> = entries.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", body.join(", "))
        }
        Y::Tagged(t) => go_syntax(&t.value),
    }
}

fn go_syntax_json(value: &Value) -> String {
    serde_yaml::to_value(value).map(|v| go_syntax(&v)).unwrap_or_default()
}

/// True for libyaml problems raised by its parser (not its scanner). go-yaml v2 prints the line of
/// a parser error's token zero-based (`yaml: line 7:` for a token on line 8); scanner errors get
/// one added. The list is every `yaml_parser_set_parser_error*` problem of libyaml's parser.c.
pub(super) fn is_parser_problem(message: &str) -> bool {
    [
        "did not find expected <stream-start>",
        "did not find expected <document start>",
        "did not find expected node content",
        "did not find expected key",
        "did not find expected '-' indicator",
        "did not find expected ',' or ']'",
        "did not find expected ',' or '}'",
        "found duplicate %YAML directive",
        "found incompatible YAML document",
        "found duplicate %TAG directive",
        "found undefined tag handle",
    ]
    .iter()
    .any(|p| message.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let v = last_wins("spec:\n  selector: {a: 1}\n  replicas: 3\n  selector: {b: 2}\n").unwrap();
        assert_eq!(v, json!({"spec": {"selector": {"b": 2}, "replicas": 3}}));
        assert_eq!(last_wins("1: x\ntrue: y\n").unwrap(), json!({"1": "x", "true": "y"}));
    }

    #[test]
    fn template_braces_are_an_invalid_map_key_as_go_prints_it() {
        let v: serde_yaml::Value = serde_yaml::from_str("spec:\n  replicas: {{replicas}}\n").unwrap();
        assert_eq!(
            invalid_map_key(&v).unwrap(),
            "invalid map key: map[interface {}]interface {}{\"replicas\":interface {}(nil)}"
        );
        // go-yaml's own test cases (decode_test.go): `{{.}}` and `{[.]}`.
        let v: serde_yaml::Value = serde_yaml::from_str("{[.]}").unwrap();
        assert_eq!(invalid_map_key(&v).unwrap(), "invalid map key: []interface {}{\".\"}");
        let v: serde_yaml::Value = serde_yaml::from_str("a: {b: c}\n").unwrap();
        assert_eq!(invalid_map_key(&v), None);
    }

    #[test]
    fn parser_and_scanner_problems() {
        assert!(is_parser_problem("did not find expected ',' or '}'"));
        assert!(!is_parser_problem("found a tab character that violates indentation"));
        assert!(!is_parser_problem("did not find expected alphabetic or numeric character"));
    }
}
