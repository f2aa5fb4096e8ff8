//! A Common Expression Language (CEL) evaluator for the admission policies, written for the
//! simulator: the subset of cel-spec and of Kubernetes' CEL environment that
//! ValidatingAdmissionPolicy and MutatingAdmissionPolicy expressions use.
//!
//! Why not a CEL crate: the `cel` crate (0.15) adds about 3.1 MB of wasm (760 KB gzip -9) for
//! its ANTLR runtime, keeps maps in `HashMap`s (so `m.map(k, ...)` would list keys in hash order)
//! and has no evaluation budget. This one is a few hundred lines, iterates maps in key order and
//! is bounded everywhere: expression length ([`EXPRESSION_BYTES_MAX`]), nesting depth
//! ([`DEPTH_MAX`]), an evaluation cost budget ([`COST_MAX`]), the size of built values and of
//! regular expressions. It never panics on any expression or input.
//!
//! Pipeline, as in cel-go: [`lexer`] tokens, [`parser`] AST (macros expanded), a check that every
//! identifier and function is declared (cel-go's `undeclared reference to 'x' (in container '')`),
//! then [`eval`] against an [`Activation`]. Compile errors print as cel-go's issues do:
//!
//! ```text
//! ERROR: <input>:1:8: undeclared reference to 'objct' (in container '')
//!  | objct.spec.replicas <= 5
//!  | .......^
//! ```
//!
//! Not simulated: static type checking against the resources' OpenAPI schemas (so a misspelled
//! field is found at evaluation, as `no such key`, not at compile time), bytes, timestamps and
//! durations, and the Kubernetes libraries for quantities, URLs, IPs, CIDRs and `authorizer`.

mod eval;
mod functions;
mod lexer;
mod parser;
mod regex;
#[cfg(test)]
mod tests;
pub mod value;

use parser::Expr;
use std::collections::BTreeMap;
pub use value::Value;

/// Longest expression accepted, in bytes.
pub const EXPRESSION_BYTES_MAX: usize = 16 * 1024;
/// Deepest nesting of parentheses, calls, literals, operators and member chains.
pub const DEPTH_MAX: usize = 64;
/// Evaluation steps one expression may take (cel-go's per-call cost limit is 1,000,000 too).
pub const COST_MAX: u64 = 1_000_000;

/// An expression that does not compile: where, and cel-go's text for why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Byte offset in the expression.
    pub at: usize,
    pub message: String,
}

impl CompileError {
    fn syntax(at: usize, message: impl Into<String>) -> Self {
        CompileError { at, message: format!("Syntax error: {}", message.into()) }
    }

    fn undeclared(at: usize, name: &str) -> Self {
        CompileError { at, message: format!("undeclared reference to '{name}' (in container '')") }
    }

    /// cel-go's `Issues.String()`: `ERROR: <input>:line:col: message`, the source line, and a
    /// caret under the column (dots before it).
    pub fn render(&self, source: &str) -> String {
        let before = source.get(..self.at).unwrap_or(source);
        let line_no = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count();
        let line = source[line_start..].lines().next().unwrap_or("");
        format!("ERROR: <input>:{line_no}:{}: {}\n | {line}\n | {}^", column + 1, self.message, ".".repeat(column))
    }
}

/// An evaluation failure, with cel-go's wording (`no such key: replicas`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError(pub String);

impl EvalError {
    fn new(message: impl Into<String>) -> Self {
        EvalError(message.into())
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The variables an expression sees.
#[derive(Clone, Debug, Default)]
pub struct Activation {
    pub vars: BTreeMap<String, Value>,
    /// Policy `variables` whose own expression failed: reading `variables.<name>` fails with it.
    pub variable_errors: BTreeMap<String, EvalError>,
}

impl Activation {
    pub fn set(&mut self, name: &str, value: Value) {
        self.vars.insert(name.to_string(), value);
    }
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Program {
    expr: Expr,
}

/// Parses and checks `source`; `declared` are the variable names in scope (`object`, ...).
pub fn compile(source: &str, declared: &[&str]) -> Result<Program, CompileError> {
    if source.len() > EXPRESSION_BYTES_MAX {
        return Err(CompileError {
            at: 0,
            message: format!("expression of {} bytes exceeds the limit of {EXPRESSION_BYTES_MAX} bytes", source.len()),
        });
    }
    let tokens = lexer::tokenize(source)?;
    let expr = parser::parse(tokens)?;
    let mut scope: Vec<String> = declared.iter().map(|s| s.to_string()).collect();
    check(&expr, &mut scope)?;
    Ok(Program { expr })
}

impl Program {
    pub fn eval(&self, activation: &Activation) -> Result<Value, EvalError> {
        eval::Eval::new(activation, COST_MAX).eval(&self.expr)
    }
}

/// Every identifier must be a declared variable or an enclosing macro's iteration variable, and
/// every function one the library has (cel-go's checker reports the first it meets).
fn check(e: &Expr, scope: &mut Vec<String>) -> Result<(), CompileError> {
    match e {
        Expr::Lit(_) => Ok(()),
        Expr::Ident(name, at) => {
            if scope.iter().any(|s| s == name) {
                Ok(())
            } else {
                Err(CompileError::undeclared(*at, name))
            }
        }
        Expr::Select { operand, .. } | Expr::Has(operand, _) | Expr::Not(operand) | Expr::Neg(operand) => check(operand, scope),
        Expr::Index { operand, index, .. } => {
            check(operand, scope)?;
            check(index, scope)
        }
        Expr::Call { target, name, args, at } => {
            if !functions::KNOWN.contains(&name.as_str()) {
                return Err(CompileError::undeclared(*at, name));
            }
            match target.as_deref() {
                Some(Expr::Ident(ns, _)) if ns == "optional" && !scope.iter().any(|s| s == "optional") => {}
                Some(t) => check(t, scope)?,
                None => {}
            }
            args.iter().try_for_each(|a| check(a, scope))
        }
        Expr::List(items) | Expr::And(items) | Expr::Or(items) => items.iter().try_for_each(|i| check(i, scope)),
        Expr::Map(entries) => entries.iter().try_for_each(|(k, v)| {
            check(k, scope)?;
            check(v, scope)
        }),
        Expr::Struct { fields, .. } => fields.iter().try_for_each(|(_, v)| check(v, scope)),
        Expr::Binary(_, l, r) => {
            check(l, scope)?;
            check(r, scope)
        }
        Expr::Cond(c, t, f) => {
            check(c, scope)?;
            check(t, scope)?;
            check(f, scope)
        }
        Expr::Comprehension { range, var, filter, body, .. } => {
            check(range, scope)?;
            scope.push(var.clone());
            let r = filter.as_deref().map_or(Ok(()), |f| check(f, scope)).and_then(|()| check(body, scope));
            scope.pop();
            r
        }
    }
}
