//! The functions admission expressions call: CEL's standard library (`size`, `startsWith`,
//! `endsWith`, `contains`, `matches`, the conversions `int()`, `string()`, ...), the `optional`
//! library (`optional.of`, `orValue`, `hasValue`, `value`), and the parts of Kubernetes' CEL
//! libraries that policies use most (`k8s.io/apiserver/pkg/cel/library`: the strings extension
//! `lowerAscii`, `upperAscii`, `trim`, `split`, `join`, `replace`, `indexOf`, `lastIndexOf`,
//! `substring`, `charAt`; the lists library `sum`, `min`, `max`, `isSorted`, `indexOf`).
//!
//! Calls cost from the same budget as nodes, in proportion to the size of what they walk.

use super::eval::{no_overload, Eval, BUILT_SIZE_MAX};
use super::value::{display, format_double, Value};
use super::{regex, EvalError};
use std::rc::Rc;

/// Every function name [`call`] knows, for the compile-time `undeclared reference` check.
pub const KNOWN: &[&str] = &[
    "size", "int", "uint", "double", "string", "bool", "type", "dyn", "matches", "startsWith", "endsWith", "contains",
    "lowerAscii", "upperAscii", "trim", "split", "join", "replace", "indexOf", "lastIndexOf", "substring", "charAt",
    "orValue", "hasValue", "value", "of", "none", "ofNonZeroValue", "sum", "min", "max", "isSorted",
];

fn len_cost(v: &Value) -> u64 {
    let n = match v {
        Value::Str(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => 0,
    };
    1 + (n as u64) / 8
}

fn s(v: &Value) -> Result<&str, EvalError> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(no_overload()),
    }
}

fn int(v: &Value) -> Result<i64, EvalError> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(no_overload()),
    }
}

fn built(text: String) -> Result<Value, EvalError> {
    if text.len() > BUILT_SIZE_MAX {
        return Err(EvalError::new("string too large"));
    }
    Ok(Value::str(&text))
}

pub fn call(ev: &mut Eval, name: &str, target: Option<Value>, args: Vec<Value>) -> Result<Value, EvalError> {
    let cost: u64 = target.iter().chain(args.iter()).map(len_cost).sum();
    ev.charge(cost)?;
    match (target, args.as_slice()) {
        (None, [x]) => global(name, x),
        (None, [text, re]) if name == "matches" => matches(ev, s(text)?, s(re)?),
        (Some(t), args) => member(ev, name, &t, args),
        _ => Err(EvalError::new(format!("no matching overload for '{name}'"))),
    }
}

fn global(name: &str, x: &Value) -> Result<Value, EvalError> {
    match name {
        "size" => size(x),
        "dyn" => Ok(x.clone()),
        "type" => Ok(Value::Type(x.type_name())),
        "int" => match x {
            Value::Int(i) => Ok(Value::Int(*i)),
            Value::Uint(u) => i64::try_from(*u).map(Value::Int).map_err(|_| EvalError::new("integer overflow")),
            Value::Double(d) if d.is_finite() && *d > -9.3e18 && *d < 9.3e18 => Ok(Value::Int(*d as i64)),
            Value::Double(_) => Err(EvalError::new("integer overflow")),
            Value::Str(t) => t.parse().map(Value::Int).map_err(|_| EvalError::new(format!("cannot convert string '{t}' to int"))),
            Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
            _ => Err(no_overload()),
        },
        "uint" => match x {
            Value::Uint(u) => Ok(Value::Uint(*u)),
            Value::Int(i) => u64::try_from(*i).map(Value::Uint).map_err(|_| EvalError::new("unsigned integer overflow")),
            Value::Double(d) if d.is_finite() && *d >= 0.0 && *d < 1.8e19 => Ok(Value::Uint(*d as u64)),
            Value::Str(t) => t.parse().map(Value::Uint).map_err(|_| EvalError::new(format!("cannot convert string '{t}' to uint"))),
            _ => Err(no_overload()),
        },
        "double" => match x {
            Value::Double(d) => Ok(Value::Double(*d)),
            Value::Int(i) => Ok(Value::Double(*i as f64)),
            Value::Uint(u) => Ok(Value::Double(*u as f64)),
            Value::Str(t) => t.parse().map(Value::Double).map_err(|_| EvalError::new(format!("cannot convert string '{t}' to double"))),
            _ => Err(no_overload()),
        },
        "string" => match x {
            Value::Str(_) => Ok(x.clone()),
            Value::Double(d) => Ok(Value::str(&format_double(*d))),
            Value::Int(_) | Value::Uint(_) | Value::Bool(_) => Ok(Value::str(&display(x))),
            _ => Err(no_overload()),
        },
        "bool" => match x {
            Value::Bool(_) => Ok(x.clone()),
            Value::Str(t) => match t.as_ref() {
                "true" | "TRUE" | "True" | "t" | "1" => Ok(Value::Bool(true)),
                "false" | "FALSE" | "False" | "f" | "0" => Ok(Value::Bool(false)),
                _ => Err(EvalError::new("type conversion error from 'string' to 'bool'")),
            },
            _ => Err(no_overload()),
        },
        _ => Err(EvalError::new(format!("no matching overload for '{name}'"))),
    }
}

fn size(x: &Value) -> Result<Value, EvalError> {
    let n = match x {
        Value::Str(t) => t.chars().count(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => return Err(no_overload()),
    };
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn matches(ev: &mut Eval, text: &str, re: &str) -> Result<Value, EvalError> {
    let compiled = regex::Regex::new(re).map_err(|e| EvalError::new(format!("error parsing regexp: {e}")))?;
    let mut steps = ev.cost_left;
    let found = compiled.is_match(text, &mut steps);
    let used = ev.cost_left.saturating_sub(steps);
    ev.charge(used)?;
    found.map(Value::Bool).ok_or_else(|| EvalError::new("operation cancelled: actual cost limit exceeded"))
}

/// Byte offset of the `n`th character (code point), as the strings library counts.
fn char_offset(t: &str, n: i64) -> Option<usize> {
    let n = usize::try_from(n).ok()?;
    if n == t.chars().count() {
        return Some(t.len());
    }
    t.char_indices().nth(n).map(|(i, _)| i)
}

fn char_index(t: &str, byte: usize) -> i64 {
    i64::try_from(t[..byte].chars().count()).unwrap_or(i64::MAX)
}

fn member(ev: &mut Eval, name: &str, t: &Value, args: &[Value]) -> Result<Value, EvalError> {
    // The optional library first: these apply to any optional value.
    if let Value::Optional(o) = t {
        return match (name, args) {
            ("hasValue", []) => Ok(Value::Bool(o.is_some())),
            ("value", []) => o.as_ref().map(|v| (**v).clone()).ok_or_else(|| EvalError::new("optional.none() dereference")),
            ("orValue", [d]) => Ok(o.as_ref().map_or_else(|| d.clone(), |v| (**v).clone())),
            ("or", [alt]) => Ok(if o.is_some() { t.clone() } else { alt.clone() }),
            _ => Err(no_overload()),
        };
    }
    match (name, t, args) {
        ("size", x, []) => size(x),
        ("startsWith", Value::Str(x), [p]) => Ok(Value::Bool(x.starts_with(s(p)?))),
        ("endsWith", Value::Str(x), [p]) => Ok(Value::Bool(x.ends_with(s(p)?))),
        ("contains", Value::Str(x), [p]) => Ok(Value::Bool(x.contains(s(p)?))),
        ("matches", Value::Str(x), [re]) => matches(ev, x, s(re)?),
        ("lowerAscii", Value::Str(x), []) => Ok(Value::str(&x.to_ascii_lowercase())),
        ("upperAscii", Value::Str(x), []) => Ok(Value::str(&x.to_ascii_uppercase())),
        ("trim", Value::Str(x), []) => Ok(Value::str(x.trim())),
        ("split", Value::Str(x), [sep]) => Ok(Value::list(x.split(s(sep)?).map(Value::str).collect())),
        ("split", Value::Str(x), [sep, n]) => {
            let n = int(n)?;
            let parts: Vec<Value> = match n {
                0 => Vec::new(),
                n if n < 0 => x.split(s(sep)?).map(Value::str).collect(),
                n => x.splitn(usize::try_from(n).unwrap_or(usize::MAX), s(sep)?).map(Value::str).collect(),
            };
            Ok(Value::list(parts))
        }
        ("replace", Value::Str(x), [from, to]) => built(x.replace(s(from)?, s(to)?)),
        ("replace", Value::Str(x), [from, to, n]) => {
            let n = int(n)?;
            let out = if n < 0 { x.replace(s(from)?, s(to)?) } else { x.replacen(s(from)?, s(to)?, usize::try_from(n).unwrap_or(0)) };
            built(out)
        }
        ("indexOf", Value::Str(x), [sub]) => Ok(Value::Int(x.find(s(sub)?).map_or(-1, |b| char_index(x, b)))),
        ("lastIndexOf", Value::Str(x), [sub]) => Ok(Value::Int(x.rfind(s(sub)?).map_or(-1, |b| char_index(x, b)))),
        ("charAt", Value::Str(x), [i]) => {
            let i = int(i)?;
            let at = char_offset(x, i).ok_or_else(|| EvalError::new(format!("index out of range: {i}")))?;
            Ok(Value::str(x[at..].chars().next().map(String::from).as_deref().unwrap_or("")))
        }
        ("substring", Value::Str(x), [a]) => {
            let a = int(a)?;
            let start = char_offset(x, a).ok_or_else(|| EvalError::new(format!("index out of range: {a}")))?;
            Ok(Value::str(&x[start..]))
        }
        ("substring", Value::Str(x), [a, b]) => {
            let (a, b) = (int(a)?, int(b)?);
            let start = char_offset(x, a).ok_or_else(|| EvalError::new(format!("index out of range: {a}")))?;
            let end = char_offset(x, b).ok_or_else(|| EvalError::new(format!("index out of range: {b}")))?;
            if end < start {
                return Err(EvalError::new(format!("invalid substring range. start: {a}, end: {b}")));
            }
            Ok(Value::str(&x[start..end]))
        }
        ("join", Value::List(items), sep) => {
            let sep = match sep {
                [] => "",
                [x] => s(x)?,
                _ => return Err(no_overload()),
            };
            let parts = items.iter().map(|v| s(v).map(str::to_string)).collect::<Result<Vec<_>, _>>()?;
            built(parts.join(sep))
        }
        ("indexOf", Value::List(items), [x]) => {
            Ok(Value::Int(items.iter().position(|v| v.equals(x)).map_or(-1, |i| i64::try_from(i).unwrap_or(-1))))
        }
        ("lastIndexOf", Value::List(items), [x]) => {
            Ok(Value::Int(items.iter().rposition(|v| v.equals(x)).map_or(-1, |i| i64::try_from(i).unwrap_or(-1))))
        }
        ("sum", Value::List(items), []) => {
            let mut total = match items.first() {
                Some(Value::Double(_)) => Value::Double(0.0),
                Some(Value::Uint(_)) => Value::Uint(0),
                _ => Value::Int(0),
            };
            for v in items.iter() {
                total = match (&total, v) {
                    (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(*b).ok_or_else(|| EvalError::new("integer overflow"))?),
                    (Value::Uint(a), Value::Uint(b)) => Value::Uint(a.checked_add(*b).ok_or_else(|| EvalError::new("integer overflow"))?),
                    (Value::Double(a), Value::Double(b)) => Value::Double(a + b),
                    _ => return Err(no_overload()),
                };
            }
            Ok(total)
        }
        ("min" | "max", Value::List(items), []) => {
            let mut best: Option<&Value> = None;
            for v in items.iter() {
                best = match best {
                    None => Some(v),
                    Some(b) => {
                        let ord = v.compare(b).ok_or_else(no_overload)?;
                        let better = if name == "min" { ord.is_lt() } else { ord.is_gt() };
                        Some(if better { v } else { b })
                    }
                };
            }
            best.cloned().ok_or_else(|| EvalError::new(format!("{name} called on empty list")))
        }
        ("isSorted", Value::List(items), []) => {
            for pair in items.windows(2) {
                if let [a, b] = pair {
                    if a.compare(b).ok_or_else(no_overload)?.is_gt() {
                        return Ok(Value::Bool(false));
                    }
                }
            }
            Ok(Value::Bool(true))
        }
        _ => Err(no_overload()),
    }
}

/// `optional.of(x)`, `optional.none()`, `optional.ofNonZeroValue(x)`: the `optional` namespace.
pub fn optional_namespace(name: &str, args: &[Value]) -> Result<Value, EvalError> {
    match (name, args) {
        ("of", [x]) => Ok(Value::Optional(Some(Rc::new(x.clone())))),
        ("none", []) => Ok(Value::Optional(None)),
        ("ofNonZeroValue", [x]) => {
            let zero = match x {
                Value::Null => true,
                Value::Bool(b) => !b,
                Value::Int(i) => *i == 0,
                Value::Uint(u) => *u == 0,
                Value::Double(d) => *d == 0.0,
                Value::Str(t) => t.is_empty(),
                Value::List(l) => l.is_empty(),
                Value::Map(m) => m.is_empty(),
                _ => false,
            };
            Ok(Value::Optional(if zero { None } else { Some(Rc::new(x.clone())) }))
        }
        _ => Err(no_overload()),
    }
}
