//! The CEL interpreter: walks the parsed expression against an [`Activation`] (the variables
//! `object`, `oldObject`, `params`, ...), with cel-go's semantics where they show: `&&` and `||`
//! absorb an error when the other side decides the result (`false && error` is `false`),
//! integer arithmetic is checked (`integer overflow`), and a missing map key is the error
//! `no such key: <key>` that `has()` tests for.
//!
//! Bounded: every node visited and every element a macro iterates costs one step from a budget
//! ([`super::Limits::cost_max`]); the budget running out is cel-go's
//! `operation cancelled: actual cost limit exceeded`, never a hang. Strings and lists built during
//! evaluation are capped in size, so an expression cannot build a huge value either.

use super::functions;
use super::parser::{BinOp, Expr, Macro};
use super::value::{Key, Value};
use super::{Activation, EvalError};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Largest string or list an expression may build (bytes or elements).
pub const BUILT_SIZE_MAX: usize = 1 << 20;

pub struct Eval<'a> {
    pub activation: &'a Activation,
    pub cost_left: u64,
    /// Iteration variables of the enclosing macros, innermost last.
    locals: Vec<(String, Value)>,
}

impl<'a> Eval<'a> {
    pub fn new(activation: &'a Activation, cost_max: u64) -> Self {
        Eval { activation, cost_left: cost_max, locals: Vec::new() }
    }

    pub fn charge(&mut self, n: u64) -> Result<(), EvalError> {
        if self.cost_left < n {
            self.cost_left = 0;
            return Err(EvalError::new("operation cancelled: actual cost limit exceeded"));
        }
        self.cost_left -= n;
        Ok(())
    }

    pub fn eval(&mut self, e: &Expr) -> Result<Value, EvalError> {
        self.charge(1)?;
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Ident(name, _) => self.ident(name),
            Expr::Select { operand, field, optional } => {
                // `variables.x` is evaluated once per request; a failed variable fails each use.
                if let Expr::Ident(root, _) = operand.as_ref() {
                    if root == "variables" && !self.is_local(root) {
                        if let Some(err) = self.activation.variable_errors.get(field) {
                            return Err(err.clone());
                        }
                    }
                }
                let v = self.eval(operand)?;
                select(&v, field, *optional)
            }
            Expr::Index { operand, index, optional } => {
                let v = self.eval(operand)?;
                let i = self.eval(index)?;
                self.index(&v, &i, *optional)
            }
            Expr::Call { target, name, args, .. } => {
                // `optional.of(x)`: `optional` is a namespace, not a variable.
                if let Some(Expr::Ident(ns, _)) = target.as_deref() {
                    if ns == "optional" && !self.is_local(ns) && !self.activation.vars.contains_key(ns) {
                        let mut values = Vec::with_capacity(args.len());
                        for a in args {
                            values.push(self.eval(a)?);
                        }
                        return functions::optional_namespace(name, &values);
                    }
                }
                let target = match target {
                    Some(t) => Some(self.eval(t)?),
                    None => None,
                };
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a)?);
                }
                functions::call(self, name, target, values)
            }
            Expr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Ok(Value::list(out))
            }
            Expr::Map(entries) => {
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let key = self.eval(k)?;
                    let key = key.to_key().ok_or_else(|| EvalError::new(format!("unsupported key type: {}", key.type_name())))?;
                    let value = self.eval(v)?;
                    if out.insert(key.clone(), value).is_some() {
                        return Err(EvalError::new(format!("Failed with repeated key: {}", super::value::display(&key.to_value()))));
                    }
                }
                Ok(Value::Map(Rc::new(out)))
            }
            Expr::Struct { fields, .. } => {
                let mut out = BTreeMap::new();
                for (name, v) in fields {
                    let value = self.eval(v)?;
                    // An unset optional field (`field: optional.none()`) leaves the field out.
                    match value {
                        Value::Optional(None) => {}
                        Value::Optional(Some(inner)) => {
                            out.insert(Key::Str(name.clone()), (*inner).clone());
                        }
                        other => {
                            out.insert(Key::Str(name.clone()), other);
                        }
                    }
                }
                Ok(Value::Map(Rc::new(out)))
            }
            Expr::Not(inner) => match self.eval(inner)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                _ => Err(no_overload()),
            },
            Expr::Neg(inner) => match self.eval(inner)? {
                Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(overflow),
                Value::Double(d) => Ok(Value::Double(-d)),
                _ => Err(no_overload()),
            },
            Expr::Binary(op, l, r) => {
                let l = self.eval(l)?;
                let r = self.eval(r)?;
                // `in`, `==` and `+` walk their operands: charge by size, so `x in big` inside a
                // macro over `big` cannot go quadratic for free.
                self.charge(size_cost(&l) + size_cost(&r))?;
                binary(*op, &l, &r)
            }
            Expr::And(terms) => self.logic(terms, false),
            Expr::Or(terms) => self.logic(terms, true),
            Expr::Cond(c, t, f) => match self.eval(c)? {
                Value::Bool(true) => self.eval(t),
                Value::Bool(false) => self.eval(f),
                _ => Err(no_overload()),
            },
            Expr::Has(operand, field) => match self.eval(operand)? {
                Value::Map(m) => Ok(Value::Bool(m.contains_key(&Key::Str(field.clone())))),
                Value::Null => Err(EvalError::new(format!("no such key: {field}"))),
                other => Err(EvalError::new(format!("invalid type for field selection: {}", other.type_name()))),
            },
            Expr::Comprehension { kind, range, var, filter, body } => {
                let range = self.eval(range)?;
                self.comprehension(*kind, &range, var, filter.as_deref(), body)
            }
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|(n, _)| n == name)
    }

    fn ident(&self, name: &str) -> Result<Value, EvalError> {
        if let Some((_, v)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return Ok(v.clone());
        }
        self.activation.vars.get(name).cloned().ok_or_else(|| EvalError::new(format!("no such attribute(s): {name}")))
    }

    fn index(&mut self, v: &Value, i: &Value, optional: bool) -> Result<Value, EvalError> {
        let (v, optional) = match v {
            Value::Optional(None) => return Ok(Value::Optional(None)),
            Value::Optional(Some(inner)) => (inner.as_ref(), true),
            other => (other, optional),
        };
        let found = match (v, i) {
            (Value::List(items), idx) => {
                let n = match idx {
                    Value::Int(n) => Some(*n),
                    Value::Uint(n) => i64::try_from(*n).ok(),
                    Value::Double(d) if d.fract() == 0.0 => Some(*d as i64),
                    _ => return Err(no_overload()),
                };
                match n.and_then(|n| usize::try_from(n).ok()).and_then(|n| items.get(n)) {
                    Some(x) => Some(x.clone()),
                    None if optional => None,
                    None => {
                        return Err(EvalError::new(format!(
                            "index out of bounds: {}",
                            n.map_or_else(|| super::value::display(idx), |n| n.to_string())
                        )))
                    }
                }
            }
            (Value::Map(m), k) => {
                let key = k.to_key().ok_or_else(no_overload)?;
                match lookup(m, &key) {
                    Some(x) => Some(x.clone()),
                    None if optional => None,
                    None => return Err(EvalError::new(format!("no such key: {}", super::value::display(k)))),
                }
            }
            _ => return Err(no_overload()),
        };
        Ok(if optional { Value::Optional(found.map(Rc::new)) } else { found.unwrap_or(Value::Null) })
    }

    /// `&&` (`stop_on` false) and `||` (`stop_on` true): the first term equal to `stop_on`
    /// decides, even after an error; otherwise the first error, else the other boolean.
    fn logic(&mut self, terms: &[Expr], stop_on: bool) -> Result<Value, EvalError> {
        let mut first_error = None;
        for t in terms {
            match self.eval(t) {
                Ok(Value::Bool(b)) if b == stop_on => return Ok(Value::Bool(stop_on)),
                Ok(Value::Bool(_)) => {}
                Ok(_) => {
                    first_error.get_or_insert_with(no_overload);
                }
                // A cost overrun is never absorbed: the budget is gone for the rest too.
                Err(e) if self.cost_left == 0 => return Err(e),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(Value::Bool(!stop_on)),
        }
    }

    fn comprehension(&mut self, kind: Macro, range: &Value, var: &str, filter: Option<&Expr>, body: &Expr) -> Result<Value, EvalError> {
        let items: Vec<Value> = match range {
            Value::List(items) => items.as_ref().clone(),
            Value::Map(m) => m.keys().map(Key::to_value).collect(),
            _ => return Err(no_overload()),
        };
        let mut out = Vec::new();
        let mut count = 0usize;
        let mut first_error = None;
        for item in items {
            self.charge(1)?;
            self.locals.push((var.to_string(), item.clone()));
            let keep = match filter {
                Some(f) => self.eval(f),
                None => Ok(Value::Bool(true)),
            };
            let result = match keep {
                Ok(Value::Bool(false)) => Ok(None),
                Ok(Value::Bool(true)) => self.eval(body).map(Some),
                Ok(_) => Err(no_overload()),
                Err(e) => Err(e),
            };
            self.locals.pop();
            let result = match result {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(e) if self.cost_left == 0 => return Err(e),
                Err(e) => {
                    // all/exists absorb errors as && and || do; the others fail at once.
                    if matches!(kind, Macro::All | Macro::Exists) {
                        first_error.get_or_insert(e);
                        continue;
                    }
                    return Err(e);
                }
            };
            match kind {
                Macro::All | Macro::Exists | Macro::ExistsOne | Macro::Filter => {
                    let Value::Bool(b) = result else { return Err(no_overload()) };
                    match kind {
                        Macro::All if !b => return Ok(Value::Bool(false)),
                        Macro::Exists if b => return Ok(Value::Bool(true)),
                        Macro::ExistsOne if b => count += 1,
                        Macro::Filter if b => out.push(item),
                        _ => {}
                    }
                }
                Macro::Map => out.push(result),
            }
            if out.len() > BUILT_SIZE_MAX {
                return Err(EvalError::new("list too large"));
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        Ok(match kind {
            Macro::All => Value::Bool(true),
            Macro::Exists => Value::Bool(false),
            Macro::ExistsOne => Value::Bool(count == 1),
            Macro::Map | Macro::Filter => Value::list(out),
        })
    }
}

fn size_cost(v: &Value) -> u64 {
    let n = match v {
        Value::Str(s) => s.len() / 8,
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => 0,
    };
    n as u64
}

/// Map lookup with CEL's numeric key equivalence (`m[1u]` finds key `1`).
fn lookup<'m>(m: &'m BTreeMap<Key, Value>, key: &Key) -> Option<&'m Value> {
    m.get(key).or_else(|| match key {
        Key::Int(i) => u64::try_from(*i).ok().and_then(|u| m.get(&Key::Uint(u))),
        Key::Uint(u) => i64::try_from(*u).ok().and_then(|i| m.get(&Key::Int(i))),
        _ => None,
    })
}

fn select(v: &Value, field: &str, optional: bool) -> Result<Value, EvalError> {
    let (v, optional) = match v {
        Value::Optional(None) => return Ok(Value::Optional(None)),
        Value::Optional(Some(inner)) => (inner.as_ref(), true),
        other => (other, optional),
    };
    match v {
        Value::Map(m) => match m.get(&Key::Str(field.to_string())) {
            Some(x) if optional => Ok(Value::Optional(Some(Rc::new(x.clone())))),
            Some(x) => Ok(x.clone()),
            None if optional => Ok(Value::Optional(None)),
            None => Err(EvalError::new(format!("no such key: {field}"))),
        },
        Value::Null if optional => Ok(Value::Optional(None)),
        Value::Null => Err(EvalError::new(format!("no such key: {field}"))),
        other => Err(EvalError::new(format!("type '{}' does not support field selection", other.type_name()))),
    }
}

pub fn no_overload() -> EvalError {
    EvalError::new("no such overload")
}

fn overflow() -> EvalError {
    EvalError::new("integer overflow")
}

fn binary(op: BinOp, l: &Value, r: &Value) -> Result<Value, EvalError> {
    use std::cmp::Ordering::*;
    use BinOp::*;
    match op {
        Eq => Ok(Value::Bool(l.equals(r))),
        Ne => Ok(Value::Bool(!l.equals(r))),
        Lt | Le | Gt | Ge => {
            let ord = l.compare(r).ok_or_else(no_overload)?;
            Ok(Value::Bool(match op {
                Lt => ord == Less,
                Le => ord != Greater,
                Gt => ord == Greater,
                _ => ord != Less,
            }))
        }
        In => match r {
            Value::List(items) => Ok(Value::Bool(items.iter().any(|x| x.equals(l)))),
            Value::Map(m) => Ok(Value::Bool(l.to_key().is_some_and(|k| lookup(m, &k).is_some()))),
            _ => Err(no_overload()),
        },
        Add => match (l, r) {
            (Value::Int(a), Value::Int(b)) => a.checked_add(*b).map(Value::Int).ok_or_else(overflow),
            (Value::Uint(a), Value::Uint(b)) => a.checked_add(*b).map(Value::Uint).ok_or_else(overflow),
            (Value::Double(a), Value::Double(b)) => Ok(Value::Double(a + b)),
            (Value::Str(a), Value::Str(b)) => {
                if a.len() + b.len() > BUILT_SIZE_MAX {
                    return Err(EvalError::new("string too large"));
                }
                Ok(Value::str(&format!("{a}{b}")))
            }
            (Value::List(a), Value::List(b)) => {
                if a.len() + b.len() > BUILT_SIZE_MAX {
                    return Err(EvalError::new("list too large"));
                }
                Ok(Value::list(a.iter().chain(b.iter()).cloned().collect()))
            }
            _ => Err(no_overload()),
        },
        Sub | Mul | Div | Rem => arithmetic(op, l, r),
    }
}

fn arithmetic(op: BinOp, l: &Value, r: &Value) -> Result<Value, EvalError> {
    use BinOp::*;
    let zero = || EvalError::new(if op == Div { "division by zero" } else { "modulus by zero" });
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => match op {
            Sub => a.checked_sub(*b).map(Value::Int).ok_or_else(overflow),
            Mul => a.checked_mul(*b).map(Value::Int).ok_or_else(overflow),
            Div if *b == 0 => Err(zero()),
            Div => a.checked_div(*b).map(Value::Int).ok_or_else(overflow),
            _ if *b == 0 => Err(zero()),
            _ => a.checked_rem(*b).map(Value::Int).ok_or_else(overflow),
        },
        (Value::Uint(a), Value::Uint(b)) => match op {
            Sub => a.checked_sub(*b).map(Value::Uint).ok_or_else(overflow),
            Mul => a.checked_mul(*b).map(Value::Uint).ok_or_else(overflow),
            _ if *b == 0 => Err(zero()),
            Div => Ok(Value::Uint(a / b)),
            _ => Ok(Value::Uint(a % b)),
        },
        (Value::Double(a), Value::Double(b)) => match op {
            Sub => Ok(Value::Double(a - b)),
            Mul => Ok(Value::Double(a * b)),
            Div => Ok(Value::Double(a / b)),
            _ => Err(no_overload()),
        },
        _ => Err(no_overload()),
    }
}
