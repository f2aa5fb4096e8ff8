//! CEL values as cel-go's `ref.Val` types that admission expressions meet: `null_type`, `bool`,
//! `int`, `uint`, `double`, `string`, `list`, `map`, `optional_type`, plus the objects built with
//! `Object{...}` / `JSONPatch{...}` (kept as maps of their fields: the simulator has no schema to
//! type them).
//!
//! Lists and maps sit behind `Rc` so that `object.spec.containers` does not copy the pod each time
//! it is read. Maps are `BTreeMap`s: iterating a map in a macro (`m.map(k, ...)`) gives keys in
//! sorted order, never in hash order, so results are deterministic.

use serde_json::{Map, Number, Value as Json};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A map key: CEL allows bool, int, uint and string keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Str(String),
}

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(Rc<BTreeMap<Key, Value>>),
    /// `optional.of(x)` / `optional.none()`, and the result of `a.?b`.
    Optional(Option<Rc<Value>>),
    /// A type value (`type(x)`, `int`, ...), by name.
    Type(&'static str),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// The CEL type name, as cel-go prints it in `no such overload` errors and `type()`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null_type",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Uint(_) => "uint",
            Value::Double(_) => "double",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Optional(_) => "optional_type",
            Value::Type(_) => "type",
        }
    }

    pub fn from_json(v: &Json) -> Value {
        match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(u)) => Value::Uint(u),
                _ => Value::Double(n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => Value::str(s),
            Json::Array(items) => Value::list(items.iter().map(Value::from_json).collect()),
            Json::Object(map) => {
                Value::Map(Rc::new(map.iter().map(|(k, v)| (Key::Str(k.clone()), Value::from_json(v))).collect()))
            }
        }
    }

    /// Back to JSON (for patches and messages); `None` for values JSON cannot hold (a type, NaN).
    pub fn to_json(&self) -> Option<Json> {
        Some(match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Uint(u) => Json::from(*u),
            Value::Double(d) => Json::Number(Number::from_f64(*d)?),
            Value::Str(s) => Json::String(s.to_string()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect::<Option<Vec<_>>>()?),
            Value::Map(map) => {
                let mut out = Map::new();
                for (k, v) in map.iter() {
                    out.insert(key_string(k), v.to_json()?);
                }
                Json::Object(out)
            }
            Value::Optional(Some(v)) => v.to_json()?,
            Value::Optional(None) => Json::Null,
            Value::Type(_) => return None,
        })
    }

    /// Converts to a map key, for `{k: v}` literals and `m[k]`.
    pub fn to_key(&self) -> Option<Key> {
        match self {
            Value::Bool(b) => Some(Key::Bool(*b)),
            Value::Int(i) => Some(Key::Int(*i)),
            Value::Uint(u) => Some(Key::Uint(*u)),
            Value::Str(s) => Some(Key::Str(s.to_string())),
            _ => None,
        }
    }

    /// CEL's heterogeneous equality: numbers compare by value across int, uint and double;
    /// values of different kinds are unequal.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y)),
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.equals(w)))
            }
            (Value::Optional(a), Value::Optional(b)) => match (a, b) {
                (Some(x), Some(y)) => x.equals(y),
                (None, None) => true,
                _ => false,
            },
            (Value::Type(a), Value::Type(b)) => a == b,
            (a, b) => matches!(compare_numbers(a, b), Some(Ordering::Equal)),
        }
    }

    /// `<`, `<=`, ... for the orderable types; `None` is cel-go's `no such overload`.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (a, b) => compare_numbers(a, b),
        }
    }
}

fn key_string(k: &Key) -> String {
    match k {
        Key::Bool(b) => b.to_string(),
        Key::Int(i) => i.to_string(),
        Key::Uint(u) => u.to_string(),
        Key::Str(s) => s.clone(),
    }
}

impl Key {
    pub fn to_value(&self) -> Value {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Uint(u) => Value::Uint(*u),
            Key::Str(s) => Value::str(s),
        }
    }
}

/// Numeric comparison across int, uint and double, without the precision loss of casting an
/// i64 to f64 when both sides are integers.
fn compare_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Uint(x), Value::Uint(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Uint(y)) => Some(i128::from(*x).cmp(&i128::from(*y))),
        (Value::Uint(x), Value::Int(y)) => Some(i128::from(*x).cmp(&i128::from(*y))),
        (Value::Double(x), Value::Double(y)) => x.partial_cmp(y),
        (Value::Double(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Int(x), Value::Double(y)) => (*x as f64).partial_cmp(y),
        (Value::Double(x), Value::Uint(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Uint(x), Value::Double(y)) => (*x as f64).partial_cmp(y),
        _ => None,
    }
}

/// How `string(x)` and error messages render a value (cel-go's formatting for the simple types).
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Double(d) => format_double(*d),
        Value::Str(s) => s.to_string(),
        Value::Type(t) => (*t).to_string(),
        other => other.to_json().map(|j| j.to_string()).unwrap_or_default(),
    }
}

/// Go's `strconv.FormatFloat(d, 'g', -1, 64)`: shortest digits, exponent form from 1e+06 and below
/// 1e-04 (`2.5`, `1e+06`, `3`).
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let abs = d.abs();
    if abs != 0.0 && !(1e-4..1e6).contains(&abs) {
        let s = format!("{d:e}");
        // Rust prints `1e6`, Go `1e+06`.
        return match s.split_once('e') {
            Some((m, e)) => {
                let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                format!("{m}e{sign}{digits:0>2}")
            }
            None => s,
        };
    }
    format!("{d}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trip_and_equality() {
        let j = json!({"a": [1, 2.5, "x", null, true], "b": {"c": 1}});
        let v = Value::from_json(&j);
        assert_eq!(v.to_json(), Some(j));
        assert!(Value::Int(1).equals(&Value::Double(1.0)));
        assert!(Value::Uint(3).equals(&Value::Int(3)));
        assert!(!Value::Int(1).equals(&Value::str("1")));
        assert_eq!(Value::Int(-1).compare(&Value::Uint(0)), Some(Ordering::Less));
        assert_eq!(format_double(1e6), "1e+06");
        assert_eq!(format_double(2.5), "2.5");
    }
}
