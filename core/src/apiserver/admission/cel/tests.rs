//! The evaluator against the expressions of the Kubernetes documentation's policy examples, the
//! cel-spec semantics they rely on, and the bounds (huge, deep or costly expressions are errors,
//! never a panic or a hang).

use super::*;
use serde_json::json;

const VARS: &[&str] = &["object", "oldObject", "params", "request", "namespaceObject", "variables"];

fn activation() -> Activation {
    let mut a = Activation::default();
    a.set(
        "object",
        Value::from_json(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "test", "labels": {"app": "web", "env": "prod"}},
            "spec": {"replicas": 6, "template": {"spec": {"containers": [
                {"name": "nginx", "image": "nginx:1.27"},
                {"name": "sidecar", "image": "busybox:latest"}
            ]}}}
        })),
    );
    a.set("oldObject", Value::Null);
    a.set("params", Value::from_json(&json!({"data": {"maxReplicas": "5"}})));
    a.set("request", Value::from_json(&json!({"operation": "CREATE", "userInfo": {"username": "jane"}})));
    a.set("namespaceObject", Value::from_json(&json!({"metadata": {"name": "test", "labels": {"environment": "test"}}})));
    a.set("variables", Value::from_json(&json!({"limit": 5})));
    a
}

fn run(src: &str) -> Result<serde_json::Value, String> {
    let program = compile(src, VARS).map_err(|e| e.render(src))?;
    program.eval(&activation()).map_err(|e| e.0).map(|v| v.to_json().unwrap_or(serde_json::Value::Null))
}

fn yes(src: &str) {
    assert_eq!(run(src), Ok(json!(true)), "{src}");
}

#[test]
fn documentation_examples() {
    yes("object.spec.replicas > 5");
    yes("!(object.spec.replicas <= 5)");
    yes("object.spec.replicas > int(params.data.maxReplicas)");
    yes("object.spec.template.spec.containers.all(c, c.image.contains(':'))");
    yes("object.spec.template.spec.containers.exists(c, c.image.endsWith(':latest'))");
    yes("object.spec.template.spec.containers.exists_one(c, c.name == 'nginx')");
    yes("object.spec.template.spec.containers.map(c, c.name) == ['nginx', 'sidecar']");
    yes("object.spec.template.spec.containers.filter(c, c.image.startsWith('nginx')).size() == 1");
    yes("object.spec.template.spec.containers.map(c, c.name.size() > 5, c.name) == ['sidecar']");
    yes("has(object.metadata.labels) && !has(object.metadata.annotations)");
    yes("'env' in object.metadata.labels && object.metadata.labels.env in ['prod', 'staging']");
    yes("namespaceObject.metadata.labels.environment == 'test'");
    yes("request.operation == 'CREATE' ? true : false");
    yes("object.metadata.name.matches('^[a-z]+$')");
    yes("variables.limit == 5 && size(object.metadata.name) == 3");
    yes("object.metadata.?annotations.orValue({}).size() == 0");
    yes("object.metadata.labels.?team.hasValue() == false");
    yes("optional.of(1).value() == 1");
    yes("oldObject == null");
    yes("1 == 1.0 && 2u == 2 && 3 < 3.5");
    yes("'a' + 'b' == 'ab' && [1] + [2] == [1, 2] && 7 / 2 == 3 && 7 % 2 == 1 && -7 / 2 == -3");
    yes("{'a': 1}.a == 1 && {'a': 1}['a'] == 1 && {1: 'x'}[1] == 'x'");
    yes("'Hello'.lowerAscii() == 'hello' && 'a,b'.split(',') == ['a', 'b'] && ['a', 'b'].join('-') == 'a-b'");
    yes("'hello'.substring(1, 3) == 'el' && 'hello'.indexOf('l') == 2 && '  x '.trim() == 'x'");
    yes("[3, 1, 2].max() == 3 && [3, 1, 2].min() == 1 && [1, 2].sum() == 3 && [1, 2].isSorted()");
    yes("string(5) == '5' && double(1) == 1.0 && int('12') == 12 && type(1) == type(2)");
    assert_eq!(run("object.metadata.labels.map(k, k)"), Ok(json!(["app", "env"])), "map keys in sorted order");
}

#[test]
fn object_construction() {
    assert_eq!(
        run("Object{metadata: Object.metadata{labels: {'team': 'a'}}}"),
        Ok(json!({"metadata": {"labels": {"team": "a"}}}))
    );
    assert_eq!(
        run("[JSONPatch{op: 'add', path: '/metadata/labels/team', value: 'a'}]"),
        Ok(json!([{"op": "add", "path": "/metadata/labels/team", "value": "a"}]))
    );
}

#[test]
fn errors_use_cel_go_wording() {
    assert_eq!(run("object.spec.paused"), Err("no such key: paused".into()));
    assert_eq!(run("object.metadata.labels['team'] == 'a'"), Err("no such key: team".into()));
    assert_eq!(run("1 / 0"), Err("division by zero".into()));
    assert_eq!(run("9223372036854775807 + 1"), Err("integer overflow".into()));
    assert_eq!(run("'a' < 1"), Err("no such overload".into()));
    assert_eq!(run("[1][3]"), Err("index out of bounds: 3".into()));
    // Errors are absorbed when the other side of && / || decides.
    yes("false && object.spec.paused || true");
    yes("object.spec.paused || true");
    assert_eq!(run("object.spec.paused && true"), Err("no such key: paused".into()));
}

#[test]
fn compile_errors_render_as_cel_go_issues() {
    assert_eq!(
        run("objct.spec.replicas <= 5"),
        Err("ERROR: <input>:1:1: undeclared reference to 'objct' (in container '')\n | objct.spec.replicas <= 5\n | ^".into())
    );
    assert_eq!(
        run("object.spec.replicas.frob()"),
        Err("ERROR: <input>:1:22: undeclared reference to 'frob' (in container '')\n | object.spec.replicas.frob()\n | .....................^".into())
    );
    let e = run("object.spec.replicas <=").unwrap_err();
    assert!(e.starts_with("ERROR: <input>:1:24: Syntax error: mismatched input '<EOF>'"), "{e}");
    assert!(run("has(object)").is_err());
    assert!(run("c.name").is_err(), "a macro variable is not in scope outside its macro");
}

#[test]
fn bounds_are_errors_not_panics() {
    // Too long.
    let long = format!("{} == 1", "1 + ".repeat(5000));
    assert!(compile(&long, VARS).is_err());
    // Too deep: parentheses, lists, unary operators, member chains.
    for deep in [
        format!("{}1{}", "(".repeat(500), ")".repeat(500)),
        format!("{}1{}", "[".repeat(500), "]".repeat(500)),
        format!("{}true", "!".repeat(500)),
        format!("object{}", ".a".repeat(500)),
        format!("1{}", " + 1".repeat(500)),
    ] {
        assert!(compile(&deep, VARS).is_err(), "{}", &deep[..20]);
    }
    // A long && chain is flat, so it is fine.
    let chain = vec!["true"; 1000].join(" && ");
    assert!(compile(&chain, VARS).is_ok());
    // Too costly: nested comprehensions over a large list run out of budget.
    let costly = "[0,1,2,3,4,5,6,7,8,9].map(a, [0,1,2,3,4,5,6,7,8,9].map(b, [0,1,2,3,4,5,6,7,8,9].map(c, \
                  [0,1,2,3,4,5,6,7,8,9].map(d, [0,1,2,3,4,5,6,7,8,9].map(e, a+b+c+d+e)))))";
    assert_eq!(run(costly), Err("operation cancelled: actual cost limit exceeded".into()));
    // Membership in a big list inside a macro over it is charged by the list's size.
    let mut a = activation();
    a.set("params", Value::list((0..20_000).map(Value::Int).collect()));
    let quadratic = compile("params.all(x, x in params)", VARS).map(|p| p.eval(&a));
    assert_eq!(quadratic.ok().and_then(Result::err), Some(EvalError::new("operation cancelled: actual cost limit exceeded")));
    // Building a huge string doubles until the size cap stops it.
    let mut grow = "'xxxxxxxxxxxxxxxx'".to_string();
    for _ in 0..20 {
        grow = format!("({grow} + {grow})");
    }
    assert!(compile(&grow, VARS).is_err() || run(&grow).is_err());
    // Garbage never panics.
    for junk in ["", ")", "a.", "{", "[?", "'", "1..2", "has(", "x.all(", "Object{", "a ? b", "\u{1F600}", "r'''", "0x", "1e", ".5"] {
        let _ = run(junk);
    }
}
