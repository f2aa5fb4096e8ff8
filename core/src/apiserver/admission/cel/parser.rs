//! CEL's grammar (cel-spec `langdef.md`) as a recursive-descent parser, with the macros cel-go
//! expands at parse time (`has`, `all`, `exists`, `exists_one`, `map`, `filter`) kept as their own
//! nodes. Precedence, lowest first: `?:`, `||`, `&&`, relations (`< <= >= > == != in`), `+ -`,
//! `* / %`, unary `! -`, member access and calls.
//!
//! Bounded: nesting deeper than [`super::DEPTH_MAX`] is a syntax error, never a stack overflow.
//! `&&` and `||` chains are n-ary nodes, so a long chain of conditions adds no depth.

use super::lexer::{Tok, Token};
use super::value::Value;
use super::{CompileError, DEPTH_MAX};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Macro {
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

#[derive(Clone, Debug)]
pub enum Expr {
    Lit(Value),
    Ident(String, usize),
    /// `a.b`, or `a.?b` when `optional`.
    Select { operand: Box<Expr>, field: String, optional: bool },
    /// `a[i]`, or `a[?i]`.
    Index { operand: Box<Expr>, index: Box<Expr>, optional: bool },
    /// `f(args)` or `target.f(args)`.
    Call { target: Option<Box<Expr>>, name: String, args: Vec<Expr>, at: usize },
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    /// `Object{spec: ...}`, `JSONPatch{op: ...}`: an object built field by field (the type name
    /// only tells the parser this is a construction; without schemas the result is a map).
    Struct { fields: Vec<(String, Expr)> },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `has(a.b)`: the operand and the field tested.
    Has(Box<Expr>, String),
    /// `range.all(var, body)` etc.; `map` with three arguments carries a filter.
    Comprehension { kind: Macro, range: Box<Expr>, var: String, filter: Option<Box<Expr>>, body: Box<Expr> },
}

pub fn parse(tokens: Vec<Token>) -> Result<Expr, CompileError> {
    let mut p = Parser { tokens, pos: 0, depth: 0 };
    let e = p.expr()?;
    match p.peek() {
        Tok::Eof => Ok(e),
        other => Err(CompileError::syntax(p.at(), format!("mismatched input {} expecting <EOF>", describe(other)))),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Int(i) => format!("'{i}'"),
        Tok::Uint(u) => format!("'{u}u'"),
        Tok::Double(d) => format!("'{d}'"),
        Tok::Str(s) => format!("'{s:?}'"),
        Tok::Op(o) => format!("'{o}'"),
        Tok::Eof => "'<EOF>'".into(),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).or(self.tokens.last()).map_or(0, |t| t.at)
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Tok::Op(o) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_token(&mut self, op: &str) -> Result<(), CompileError> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(CompileError::syntax(self.at(), format!("mismatched input {} expecting '{op}'", describe(self.peek()))))
        }
    }

    /// Every nested construct passes here, so the recursion depth stays bounded.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, CompileError>) -> Result<T, CompileError> {
        if self.depth >= DEPTH_MAX {
            return Err(CompileError::syntax(self.at(), format!("expression nesting exceeds the limit of {DEPTH_MAX}")));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn expr(&mut self) -> Result<Expr, CompileError> {
        self.nested(|p| {
            let cond = p.or()?;
            if !p.eat("?") {
                return Ok(cond);
            }
            let then = p.or()?;
            p.expect_token(":")?;
            let otherwise = p.expr()?;
            Ok(Expr::Cond(Box::new(cond), Box::new(then), Box::new(otherwise)))
        })
    }

    fn or(&mut self) -> Result<Expr, CompileError> {
        let first = self.and()?;
        let mut terms = vec![first];
        while self.eat("||") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Or(terms) })
    }

    fn and(&mut self) -> Result<Expr, CompileError> {
        let first = self.relation()?;
        let mut terms = vec![first];
        while self.eat("&&") {
            terms.push(self.relation()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::And(terms) })
    }

    fn binary_chain(
        &mut self,
        ops: &[(&str, BinOp)],
        next: fn(&mut Self) -> Result<Expr, CompileError>,
    ) -> Result<Expr, CompileError> {
        let mut left = next(self)?;
        let mut length = 0;
        loop {
            let Some(op) = ops.iter().find(|(s, _)| matches!(self.peek(), Tok::Op(o) if o == s)).map(|(_, op)| *op) else {
                return Ok(left);
            };
            // A left-nested chain is as deep as it is long; bound it like nesting.
            length += 1;
            if length + self.depth >= DEPTH_MAX {
                return Err(CompileError::syntax(self.at(), format!("expression nesting exceeds the limit of {DEPTH_MAX}")));
            }
            self.pos += 1;
            let right = next(self)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn relation(&mut self) -> Result<Expr, CompileError> {
        use BinOp::*;
        self.binary_chain(&[("==", Eq), ("!=", Ne), ("<=", Le), (">=", Ge), ("<", Lt), (">", Gt), ("in", In)], Self::addition)
    }

    fn addition(&mut self) -> Result<Expr, CompileError> {
        self.binary_chain(&[("+", BinOp::Add), ("-", BinOp::Sub)], Self::multiplication)
    }

    fn multiplication(&mut self) -> Result<Expr, CompileError> {
        self.binary_chain(&[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)], Self::unary)
    }

    fn unary(&mut self) -> Result<Expr, CompileError> {
        if self.eat("!") {
            return self.nested(|p| Ok(Expr::Not(Box::new(p.unary()?))));
        }
        if self.eat("-") {
            // `-9223372036854775808` is a literal, not the negation of an out-of-range int.
            return self.nested(|p| {
                let inner = p.unary()?;
                Ok(match inner {
                    Expr::Lit(Value::Int(i)) => Expr::Lit(Value::Int(i.wrapping_neg())),
                    Expr::Lit(Value::Double(d)) => Expr::Lit(Value::Double(-d)),
                    other => Expr::Neg(Box::new(other)),
                })
            });
        }
        self.member()
    }

    fn member(&mut self) -> Result<Expr, CompileError> {
        let mut e = self.primary()?;
        let mut length = 0;
        loop {
            length += 1;
            if length + self.depth >= DEPTH_MAX {
                return Err(CompileError::syntax(self.at(), format!("expression nesting exceeds the limit of {DEPTH_MAX}")));
            }
            if self.eat(".") || matches!(self.peek(), Tok::Op(".?")) {
                let optional = self.eat(".?");
                let at = self.at();
                let Tok::Ident(name) = self.bump() else {
                    return Err(CompileError::syntax(at, "expected a field name after '.'"));
                };
                if !optional && self.eat("(") {
                    let args = self.nested(|p| p.args(")"))?;
                    e = self.call(Some(e), name, args, at)?;
                } else {
                    e = Expr::Select { operand: Box::new(e), field: name, optional };
                }
            } else if self.eat("[") || matches!(self.peek(), Tok::Op("[?")) {
                let optional = self.eat("[?");
                let index = self.nested(|p| p.expr())?;
                self.expect_token("]")?;
                e = Expr::Index { operand: Box::new(e), index: Box::new(index), optional };
            } else if matches!(self.peek(), Tok::Op("{")) && qualified_name(&e).is_some() {
                self.pos += 1;
                let fields = self.nested(|p| p.struct_fields())?;
                e = Expr::Struct { fields };
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, CompileError> {
        let at = self.at();
        match self.bump() {
            Tok::Int(i) => Ok(Expr::Lit(Value::Int(i))),
            Tok::Uint(u) => Ok(Expr::Lit(Value::Uint(u))),
            Tok::Double(d) => Ok(Expr::Lit(Value::Double(d))),
            Tok::Str(s) => Ok(Expr::Lit(Value::str(&s))),
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Lit(Value::Bool(true))),
                "false" => Ok(Expr::Lit(Value::Bool(false))),
                "null" => Ok(Expr::Lit(Value::Null)),
                _ if self.eat("(") => {
                    let args = self.nested(|p| p.args(")"))?;
                    self.call(None, name, args, at)
                }
                _ => Ok(Expr::Ident(name, at)),
            },
            // A leading dot names a root-scoped identifier (`.object`).
            Tok::Op(".") => match self.bump() {
                Tok::Ident(name) => Ok(Expr::Ident(name, at)),
                other => Err(CompileError::syntax(at, format!("mismatched input {} expecting IDENTIFIER", describe(&other)))),
            },
            Tok::Op("(") => {
                let e = self.nested(|p| p.expr())?;
                self.expect_token(")")?;
                Ok(e)
            }
            Tok::Op("[") => Ok(Expr::List(self.nested(|p| p.args("]"))?)),
            Tok::Op("{") => Ok(Expr::Map(self.nested(|p| p.map_entries())?)),
            other => Err(CompileError::syntax(at, format!("mismatched input {} expecting an expression", describe(&other)))),
        }
    }

    /// Comma-separated expressions up to `close` (a trailing comma is allowed, as in cel-go).
    fn args(&mut self, close: &str) -> Result<Vec<Expr>, CompileError> {
        let mut out = Vec::new();
        while !self.eat(close) {
            out.push(self.expr()?);
            if !self.eat(",") {
                self.expect_token(close)?;
                break;
            }
        }
        Ok(out)
    }

    fn map_entries(&mut self) -> Result<Vec<(Expr, Expr)>, CompileError> {
        let mut out = Vec::new();
        while !self.eat("}") {
            let k = self.expr()?;
            self.expect_token(":")?;
            let v = self.expr()?;
            out.push((k, v));
            if !self.eat(",") {
                self.expect_token("}")?;
                break;
            }
        }
        Ok(out)
    }

    fn struct_fields(&mut self) -> Result<Vec<(String, Expr)>, CompileError> {
        let mut out = Vec::new();
        while !self.eat("}") {
            let at = self.at();
            let Tok::Ident(name) = self.bump() else {
                return Err(CompileError::syntax(at, "expected a field name"));
            };
            self.expect_token(":")?;
            out.push((name, self.expr()?));
            if !self.eat(",") {
                self.expect_token("}")?;
                break;
            }
        }
        Ok(out)
    }

    /// A call, or one of the macros cel-go expands while parsing.
    fn call(&mut self, target: Option<Expr>, name: String, mut args: Vec<Expr>, at: usize) -> Result<Expr, CompileError> {
        let kind = match name.as_str() {
            "all" => Some(Macro::All),
            "exists" => Some(Macro::Exists),
            "exists_one" => Some(Macro::ExistsOne),
            "map" => Some(Macro::Map),
            "filter" => Some(Macro::Filter),
            _ => None,
        };
        match (target, kind, name.as_str()) {
            (None, _, "has") => match args.pop() {
                Some(Expr::Select { operand, field, optional: false }) if args.is_empty() => Ok(Expr::Has(operand, field)),
                _ => Err(CompileError::syntax(at, "invalid argument to has() macro")),
            },
            (Some(range), Some(kind), _) if matches!(args.first(), Some(Expr::Ident(..))) => {
                let three = kind == Macro::Map && args.len() == 3;
                if args.len() != 2 && !three {
                    return Err(CompileError::syntax(at, format!("invalid argument count to {name}() macro")));
                }
                let body = args.pop().map(Box::new);
                let filter = if three { args.pop().map(Box::new) } else { None };
                let var = match args.pop() {
                    Some(Expr::Ident(v, _)) => v,
                    _ => return Err(CompileError::syntax(at, "argument must be a simple name")),
                };
                let Some(body) = body else { return Err(CompileError::syntax(at, "missing macro body")) };
                Ok(Expr::Comprehension { kind, range: Box::new(range), var, filter, body })
            }
            (target, _, _) => Ok(Expr::Call { target: target.map(Box::new), name, args, at }),
        }
    }
}

/// `Object`, `Object.spec.template`: a dotted name that can prefix `{` to build an object.
fn qualified_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Ident(n, _) => Some(n.clone()),
        Expr::Select { operand, field, optional: false } => Some(format!("{}.{field}", qualified_name(operand)?)),
        _ => None,
    }
}
