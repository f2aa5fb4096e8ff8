//! kubectl's JSONPath (`k8s.io/client-go/util/jsonpath`) as `-o jsonpath=`, `-o custom-columns=`
//! and `--sort-by` use it: a template of literal text and `{...}` actions, each action a path
//! (`.items[*].metadata.name`, `..image`, `['key']`, `[0]`, `[1:3]`, `[-1]`, `[*]`), a filter
//! (`[?(@.status.phase=="Running")]`), a string literal (`{"\n"}`) or `range PATH` ... `end`.
//!
//! Missing keys print nothing, as `kubectl get` allows them (`AllowMissingKeys(true)`). What an
//! action finds is printed one result after another with a space between; strings bare,
//! objects and lists as compact JSON, as `JSONPath.PrintResults` does:
//!
//! ```text
//! {range .items[*]}{.metadata.name}{"\t"}{.spec.replicas}{"\n"}{end}
//! web    3
//! api    1
//! ```

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// `.name` or `['name']`; `*` is every value of an object.
    Field(String),
    /// `..name`: the field at any depth.
    Recursive(String),
    /// `[n]` (negative counts from the end).
    Index(i64),
    /// `[a:b]`, either end optional.
    Slice(Option<i64>, Option<i64>),
    /// `[*]`.
    All,
    /// `[?(@.path op value)]`, or `[?(@.path)]` (the path exists).
    Filter(Box<Filter>),
}

#[derive(Clone, Debug, PartialEq)]
struct Filter {
    left: Path,
    op: Option<(String, Operand)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Literal(Value),
    Path(Path),
}

/// A path: from the root (`$`) or from the current object (`.`/`@`).
#[derive(Clone, Debug, PartialEq)]
struct Path {
    from_root: bool,
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Path(Path),
    Range(Path, Vec<Node>),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    nodes: Vec<Node>,
}

impl JsonPath {
    /// Parses a template; errors are worded as kubectl's (`error parsing jsonpath ...`).
    pub fn parse(template: &str) -> Result<Self, String> {
        let err = |why: String| format!("error parsing jsonpath {template}, {why}");
        let mut stack: Vec<(Path, Vec<Node>)> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                nodes.push(Node::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                nodes.push(Node::Text(rest[..open].to_string()));
            }
            let body_start = &rest[open + 1..];
            let close = find_close(body_start).ok_or_else(|| err("unclosed action".into()))?;
            let action = body_start[..close].trim();
            rest = &body_start[close + 1..];
            if let Some(expr) = action.strip_prefix("range ") {
                let path = parse_path(expr.trim()).map_err(err)?;
                stack.push((path, std::mem::take(&mut nodes)));
            } else if action == "end" {
                let (path, outer) = stack.pop().ok_or_else(|| err("not in range, nothing to end".into()))?;
                let body = std::mem::replace(&mut nodes, outer);
                nodes.push(Node::Range(path, body));
            } else if let Some(lit) = string_literal(action) {
                nodes.push(Node::Text(lit));
            } else if action.is_empty() {
                continue;
            } else {
                nodes.push(Node::Path(parse_path(action).map_err(err)?));
            }
        }
        if !stack.is_empty() {
            return Err(err("unclosed range, expect end".into()));
        }
        Ok(JsonPath { nodes })
    }

    /// Runs the template over `data`, as `JSONPath.Execute` prints.
    pub fn execute(&self, data: &Value) -> String {
        let mut out = String::new();
        run(&self.nodes, data, data, &mut out);
        out
    }

    /// Every value the template's path actions find, in order (for custom columns and sorting).
    pub fn find(&self, data: &Value) -> Vec<Value> {
        let mut found = Vec::new();
        collect(&self.nodes, data, data, &mut found);
        found
    }
}

/// `RelaxedJSONPathExpression`: `.a.b`, `a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`. kubectl
/// matches `^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`, so a lone or unbalanced brace (`{.a.b`) is an error.
pub fn relaxed(expr: &str) -> Result<String, String> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let inner = expr.strip_prefix('{').and_then(|r| r.strip_suffix('}')).unwrap_or(expr);
    // `\.?` gives its dot back when nothing else would be left for `[^{}]+`.
    let field = inner.strip_prefix('.').filter(|f| !f.is_empty()).unwrap_or(inner);
    if field.is_empty() || field.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{field}}}"))
}

/// One value as `fmt.Sprintf("%v")` prints an unstructured value (custom-columns cells).
pub fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!("map[{}]", m.iter().map(|(k, v)| format!("{k}:{}", go_value(v))).collect::<Vec<_>>().join(" ")),
    }
}

/// One result as `PrintResults` prints it: objects and lists as JSON, the rest as `%v`.
fn print_value(v: &Value) -> String {
    match v {
        Value::Array(_) | Value::Object(_) => serde_json::to_string(v).unwrap_or_default(),
        other => go_value(other),
    }
}

fn run(nodes: &[Node], root: &Value, current: &Value, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Path(p) => {
                let results = eval(p, root, current);
                out.push_str(&results.iter().map(print_value).collect::<Vec<_>>().join(" "));
            }
            Node::Range(p, body) => {
                for item in eval(p, root, current) {
                    run(body, root, &item, out);
                }
            }
        }
    }
}

fn collect(nodes: &[Node], root: &Value, current: &Value, found: &mut Vec<Value>) {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Path(p) => found.extend(eval(p, root, current)),
            Node::Range(p, body) => {
                for item in eval(p, root, current) {
                    collect(body, root, &item, found);
                }
            }
        }
    }
}

fn eval(path: &Path, root: &Value, current: &Value) -> Vec<Value> {
    let mut values = vec![if path.from_root { root.clone() } else { current.clone() }];
    for step in &path.steps {
        let mut next = Vec::new();
        for v in &values {
            apply(step, v, root, &mut next);
        }
        values = next;
    }
    values
}

fn apply(step: &Step, v: &Value, root: &Value, out: &mut Vec<Value>) {
    match step {
        Step::Field(name) if name == "*" => match v {
            Value::Object(m) => out.extend(m.values().cloned()),
            Value::Array(a) => out.extend(a.iter().cloned()),
            _ => {}
        },
        Step::Field(name) => {
            if let Some(x) = v.as_object().and_then(|m| m.get(name)) {
                out.push(x.clone());
            }
        }
        Step::Recursive(name) => recurse(name, v, out),
        Step::Index(i) => {
            if let Some(a) = v.as_array() {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                if let Some(x) = usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                    out.push(x.clone());
                }
            }
        }
        Step::Slice(from, to) => {
            if let Some(a) = v.as_array() {
                let len = a.len() as i64;
                let fix = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let (f, t) = (fix(from.unwrap_or(0)), fix(to.unwrap_or(len)));
                if f < t {
                    out.extend(a[f as usize..t as usize].iter().cloned());
                }
            }
        }
        Step::All => match v {
            Value::Array(a) => out.extend(a.iter().cloned()),
            Value::Object(m) => out.extend(m.values().cloned()),
            _ => {}
        },
        Step::Filter(f) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                Value::Object(m) => m.values().collect(),
                _ => Vec::new(),
            };
            out.extend(items.into_iter().filter(|item| filter_matches(f, item, root)).cloned());
        }
    }
}

fn recurse(name: &str, v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x.clone());
            }
            for child in m.values() {
                recurse(name, child, out);
            }
        }
        Value::Array(a) => {
            for child in a {
                recurse(name, child, out);
            }
        }
        _ => {}
    }
}

fn filter_matches(f: &Filter, item: &Value, root: &Value) -> bool {
    let left = eval(&f.left, root, item);
    let Some((op, right)) = &f.op else { return !left.is_empty() };
    let rights = match right {
        Operand::Literal(v) => vec![v.clone()],
        Operand::Path(p) => eval(p, root, item),
    };
    let (Some(l), Some(r)) = (left.first(), rights.first()) else { return false };
    let ord = match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (a, b) if op == "==" || op == "!=" => return (a == b) == (op == "=="),
        _ => None,
    };
    let Some(ord) = ord else { return false };
    match op.as_str() {
        "==" => ord.is_eq(),
        "!=" => ord.is_ne(),
        "<" => ord.is_lt(),
        "<=" => ord.is_le(),
        ">" => ord.is_gt(),
        ">=" => ord.is_ge(),
        _ => false,
    }
}

/// The index of the `}` closing an action, skipping quoted strings.
fn find_close(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '}' => return Some(i),
            None => {}
        }
    }
    None
}

/// `"text"` with Go's escapes (`\n`, `\t`, `\"`, `\\`).
fn string_literal(action: &str) -> Option<String> {
    let inner = action.strip_prefix('"')?.strip_suffix('"')?;
    Some(unescape(inner))
}

/// Backslash escapes: `\n`, `\t` and `\r` are control characters, any other escaped character
/// stands for itself, and a trailing lone backslash is kept. Shared with explain's docs file.
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn parse_path(expr: &str) -> Result<Path, String> {
    let mut chars: Vec<char> = expr.chars().collect();
    let mut from_root = false;
    let mut i = 0;
    match chars.first() {
        Some('$') => {
            from_root = true;
            i = 1;
        }
        Some('@') => i = 1,
        Some('.') | Some('[') => {}
        Some(_) => {
            // A bare name (`metadata.name`) reads as `.metadata.name`.
            chars.insert(0, '.');
        }
        None => {}
    }
    let mut steps = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' if chars.get(i + 1) == Some(&'.') => {
                i += 2;
                let name = read_name(&chars, &mut i);
                if name.is_empty() {
                    return Err("unrecognized character in action".into());
                }
                steps.push(Step::Recursive(name));
            }
            '.' => {
                i += 1;
                let name = read_name(&chars, &mut i);
                if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                let close = matching_bracket(&chars, i).ok_or("unterminated array")?;
                let inner: String = chars[i + 1..close].iter().collect();
                steps.push(parse_bracket(inner.trim())?);
                i = close + 1;
            }
            ' ' => i += 1,
            c => return Err(format!("unrecognized character in action: U+{:04X} '{c}'", c as u32)),
        }
    }
    Ok(Path { from_root, steps })
}

fn read_name(chars: &[char], i: &mut usize) -> String {
    let mut name = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        if c == '\\' && *i + 1 < chars.len() {
            name.push(chars[*i + 1]);
            *i += 2;
            continue;
        }
        if c == '.' || c == '[' || c == ' ' {
            break;
        }
        name.push(c);
        *i += 1;
    }
    name
}

fn matching_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '[' => depth += 1,
            None if c == ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            None => {}
        }
    }
    None
}

fn parse_bracket(inner: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::All);
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|s| s.strip_suffix(')')) {
        return parse_filter(f.trim()).map(|f| Step::Filter(Box::new(f)));
    }
    if let Some(name) = unquote(inner) {
        return Ok(Step::Field(name));
    }
    if let Some((a, b)) = inner.split_once(':') {
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| format!("invalid array index {s}"))
            }
        };
        let b = b.split(':').next().unwrap_or("");
        return Ok(Step::Slice(num(a)?, num(b)?));
    }
    inner.parse::<i64>().map(Step::Index).map_err(|_| format!("invalid array index {inner}"))
}

fn unquote(s: &str) -> Option<String> {
    s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).or_else(|| s.strip_prefix('"').and_then(|s| s.strip_suffix('"'))).map(str::to_string)
}

fn parse_filter(f: &str) -> Result<Filter, String> {
    for op in ["==", "!=", "<=", ">=", "<", ">"] {
        if let Some((l, r)) = split_outside_quotes(f, op) {
            let left = parse_path(l.trim())?;
            let r = r.trim();
            let right = if let Some(s) = unquote(r) {
                Operand::Literal(Value::String(s))
            } else if r.starts_with('@') || r.starts_with('$') {
                Operand::Path(parse_path(r)?)
            } else if let Ok(n) = serde_json::from_str::<Value>(r) {
                Operand::Literal(n)
            } else {
                return Err(format!("unrecognized filter operand {r}"));
            };
            return Ok(Filter { left, op: Some((op.to_string(), right)) });
        }
    }
    Ok(Filter { left: parse_path(f)?, op: None })
}

fn split_outside_quotes<'a>(s: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if s[i..].starts_with(op) => return Some((&s[..i], &s[i + op.len()..])),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        JsonPath::parse(t).unwrap().execute(v)
    }

    fn pods() -> Value {
        json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app": "web", "app.kubernetes.io/name": "x"}}, "status": {"phase": "Running"}, "spec": {"containers": [{"image": "nginx"}, {"image": "busybox"}]}},
            {"metadata": {"name": "b"}, "status": {"phase": "Pending"}, "spec": {"containers": [{"image": "redis"}], "replicas": 3}}
        ]})
    }

    #[test]
    fn fields_wildcards_and_indexes() {
        let v = pods();
        assert_eq!(run("{.items[*].metadata.name}", &v), "a b");
        assert_eq!(run("{.items[0].metadata.name}", &v), "a");
        assert_eq!(run("{.items[-1].metadata.name}", &v), "b");
        assert_eq!(run("{.items[0:1].metadata.name}", &v), "a");
        assert_eq!(run("{..image}", &v), "nginx busybox redis");
        assert_eq!(run("{.items[0].metadata.labels}", &v), r#"{"app":"web","app.kubernetes.io/name":"x"}"#);
        assert_eq!(run(r"{.items[0].metadata.labels.app\.kubernetes\.io/name}", &v), "x");
        assert_eq!(run("{.items[0].metadata.labels['app.kubernetes.io/name']}", &v), "x");
        assert_eq!(run("{.items[1].spec.replicas}", &v), "3");
        assert_eq!(run("{.items[5].metadata.name}{.nope}", &v), "");
        assert_eq!(run("name: {$.items[0].metadata.name}!", &v), "name: a!");
    }

    #[test]
    fn range_literals_and_filters() {
        let v = pods();
        assert_eq!(run(r#"{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}"#, &v), "a\tRunning\nb\tPending\n");
        assert_eq!(run(r#"{.items[?(@.status.phase=="Running")].metadata.name}"#, &v), "a");
        assert_eq!(run(r#"{.items[?(@.status.phase!="Running")].metadata.name}"#, &v), "b");
        assert_eq!(run("{.items[?(@.spec.replicas>2)].metadata.name}", &v), "b");
        assert_eq!(run("{.items[?(@.metadata.labels)].metadata.name}", &v), "a");
        assert!(JsonPath::parse("{range .items[*]}{.x}").unwrap_err().contains("unclosed range"));
        assert!(JsonPath::parse("{.items[}").is_err());
    }

    #[test]
    fn relaxed_expressions_and_go_values() {
        assert_eq!(relaxed("metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed(".metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("{.metadata.name}").unwrap(), "{.metadata.name}");
        assert!(relaxed("{a}{b}").is_err());
        assert!(relaxed("{.metadata.name").is_err());
        assert_eq!(relaxed("{metadata.name}").unwrap(), "{.metadata.name}");
        assert_eq!(go_value(&json!({"a": "b", "c": [1, 2]})), "map[a:b c:[1 2]]");
    }
}
