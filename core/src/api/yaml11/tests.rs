//! YAML 1.1 respelling: what changes, what must not, and the decode results a learner sees.

use super::*;
use crate::api::{decode_manifest, Decoded, Diagnostic, Limits};
use serde_json::{json, Value};

/// Asserts the respelled text, and that an unchanged text is borrowed.
fn check(input: &str, expected: &str) {
    let out = to_yaml12(input);
    assert_eq!(out, expected, "input: {input:?}");
    assert_eq!(matches!(out, Cow::Borrowed(_)), input == expected, "borrowed iff unchanged: {input:?}");
    assert_eq!(out.lines().count(), input.lines().count(), "line structure: {input:?}");
}

fn decode(input: &str) -> Vec<Result<Decoded, Diagnostic>> {
    decode_manifest(input.as_bytes(), "pod.yaml", &Limits::default())
}

fn decoded(input: &str) -> Value {
    match decode(input).remove(0) {
        Ok(d) => d.object,
        Err(d) => panic!("expected {input:?} to decode, got {d:?}"),
    }
}

fn failure(input: &str) -> String {
    match decode(input).remove(0) {
        Ok(d) => panic!("expected {input:?} to fail, decoded {}", d.object),
        Err(d) => d.message,
    }
}

fn pod_with_volume(volume: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: demo
spec:
  containers:
  - name: app
    image: busybox
  volumes:
  - name: data
{volume}"
    )
}

#[test]
fn respells_values_go_yaml_v2_reads_differently() {
    check("mode: 0644\n", "mode: 420\n");
    check("mode: -0644\nother: +0644\n", "mode: -420\nother: 420\n");
    check("a: yes\nb: No\nc: ON\nd: off\ne: y\nf: N\n", "a: true\nb: false\nc: true\nd: false\ne: true\nf: false\n");
    check("n: 1_000\nh: 0X1F\no: 0O17\nb: 0B101\n", "n: 1000\nh: 31\no: 15\nb: 5\n");
    check("- 0800\n- 1_0.5\n- 0b-101\n", "- 800\n- 10.5\n- -5\n");
    check(
        "big: 18446744073709551615\nbigger: 18446744073709551616\n",
        "big: 18446744073709551615\nbigger: 18446744073709551616\n",
    );
    check("- 0b1_0\n- 0x_ff\n", "- 2\n- 255\n");
}

#[test]
fn leaves_spellings_both_read_alike() {
    for same in [
        "a: 0x1F",
        "a: 0o17",
        "a: 0b101",
        "a: -0x1F",
        "a: +12",
        "a: 0",
        "a: -0",
        "a: .inf",
        "a: -.Inf",
        "a: +.INF",
        "a: .NaN",
        "a: 1e3",
        "a: .5",
        "a: 5.",
        "a: 012.5",
        "a: true",
        "a: False",
        "a: ~",
        "a: null",
        "a:",
        "a: 1:30",
        "a: 2001-12-14",
        "a: 1e999",
        "a: 0x",
        "a: yess",
        "a: nginx:1.27",
        "a: 3",
        "a: -1",
        "a: 1.5",
        "a: Yes please",
        "a: 0644 is octal",
    ] {
        check(same, same);
    }
}

#[test]
fn respelled_values_read_as_go_yaml_v2_reads_the_original() {
    let cases: &[(&str, Value)] = &[
        ("0644", json!(420)),
        ("01777", json!(1023)),
        ("yes", json!(true)),
        ("Off", json!(false)),
        ("1_000", json!(1000)),
        ("0X1F", json!(31)),
        ("0800", json!(800)),
        ("1_0.5", json!(10.5)),
        ("-9223372036854775809", json!(-9223372036854775808_i64)),
        ("9_223_372_036_854_775_807", json!(9223372036854775807_i64)),
    ];
    for (plain, expected) in cases {
        let text = format!("v: {plain}\n");
        let value: serde_yaml::Value = serde_yaml::from_str(&to_yaml12(&text)).unwrap();
        assert_eq!(serde_json::to_value(&value).unwrap()["v"], *expected, "{plain}");
    }
}

#[test]
fn quoted_and_block_scalars_are_untouched() {
    check("a: '0644'\nb: \"yes\"\n", "a: '0644'\nb: \"yes\"\n");
    let config_map = "data:
  app.conf: |
    mode: 0644
    enabled: yes
  folded: >
    on
    0644
  after: yes
";
    let out = to_yaml12(config_map);
    assert_eq!(out, config_map.replace("after: yes", "after: true"));
    assert!(out.contains("    mode: 0644\n    enabled: yes\n") && out.contains("    on\n    0644\n"));
}

#[test]
fn flow_style_values_are_respelled() {
    check("{a: 0644, b: [yes, \"no\", off]}\n", "{a: 420, b: [true, \"no\", false]}\n");
    check("{\"a\":0644}\n", "{\"a\":420}\n");
    check("[yes: no]\n", "[yes: false]\n");
}

#[test]
fn keys_anchors_tags_and_multi_line_scalars() {
    // Keys stay as written: go-yaml's boolean key `on` is never what a manifest means.
    check("on: yes\n0644: off\n", "on: true\n0644: false\n");
    check("? yes\n: yes\n", "? yes\n: true\n");
    // An anchored value is respelled in place; an alias follows it. A tag decides the type itself.
    check("a: &m 0644\nb: *m\n", "a: &m 420\nb: *m\n");
    check("a: !!str 0644\nb: !!int 0644\n", "a: !!str 0644\nb: !!int 0644\n");
    // A plain scalar over two lines is the string "yes 0644" in both readings.
    check("a: yes\n  0644\n", "a: yes\n  0644\n");
    // Multi-byte text before a value keeps the byte offsets right.
    check("é: \"ü\"\nmode: 0644 # ñ\n", "é: \"ü\"\nmode: 420 # ñ\n");
}

#[test]
fn syntax_errors_come_back_unchanged() {
    for broken in ["a: yes\n b: [0644\n", "a: [yes, 0644\n", "a: \"yes\n", "{yes: 0644, ]\n", "a: 0644\u{0}\n"] {
        assert!(serde_yaml::from_str::<serde_yaml::Value>(broken).is_err(), "{broken:?}");
        assert!(matches!(to_yaml12(broken), Cow::Borrowed(t) if t == broken), "{broken:?}");
    }
}

#[test]
fn garbage_never_panics() {
    for nasty in [
        "a: 0644\n\tb: yes\n",
        "- yes\n- 0644\n- *nope\n",
        "a: yes\nb: 0644\n---\n---\n%YAML 1.1\n",
        "&a [*a, yes]",
        "!<tag:yaml.org,2002:int> 0644",
        "yes",
        "0644",
        "",
        "\u{feff}a: yes\n",
        "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - yes\n",
        "a: yes\r\nb: 0644\r\n",
        "a:\n- 0644\n-\n - yes\n",
        "? [yes, 0644]\n: {0644: yes}\n",
    ] {
        let out = to_yaml12(nasty);
        assert_eq!(out.lines().count(), nasty.lines().count(), "{nasty:?}");
    }
    let deep = format!("{}yes{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(to_yaml12(&deep).len(), deep.len() + 1);
}

#[test]
fn an_ordinary_deployment_is_borrowed() {
    let deployment = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: frontend}
spec:
  replicas: 3
  revisionHistoryLimit: 10
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          limits: {cpu: 500m, memory: 128Mi}
        env:
        - name: ENABLED
          value: \"yes\"
";
    assert!(matches!(to_yaml12(deployment), Cow::Borrowed(_)));
}

#[test]
fn default_mode_0644_decodes_to_420() {
    let pod = pod_with_volume("    secret:\n      secretName: creds\n      defaultMode: 0644\n");
    assert_eq!(decoded(&pod)["spec"]["volumes"][0]["secret"]["defaultMode"], json!(420));
}

#[test]
fn empty_dir_mode_01777_decodes_to_1023() {
    // The shape of the corpus file kubernetes-website-examples/pods/emptydir-volume-mode.yaml.
    let pod = pod_with_volume("    emptyDir:\n      mode: 01777\n");
    assert_eq!(decoded(&pod)["spec"]["volumes"][0]["emptyDir"]["mode"], json!(1023));
}

#[test]
fn quoted_0644_stays_a_string_and_fails_for_an_int_field() {
    let pod = pod_with_volume("    secret:\n      secretName: creds\n      defaultMode: '0644'\n");
    let message = failure(&pod);
    assert!(message.contains("cannot unmarshal string") && message.contains("int32"), "{message}");
}

#[test]
fn env_value_yes_is_sent_as_a_bool() {
    // kubectl sends `true` (go-yaml reads `yes` as a bool), so the server's decoder names a bool.
    let pod = pod_with_volume("    emptyDir: {}\n")
        .replace("image: busybox\n", "image: busybox\n    env:\n    - {name: ENABLED, value: yes}\n");
    let message = failure(&pod);
    assert!(message.contains("cannot unmarshal bool into"), "{message}");
}

/// The API server refuses a bool for a string field: `value: yes` is the bool true to kubectl's
/// go-yaml, and the JSON decoder of kube-apiserver will not put a bool into `EnvVar.value`.
/// serde_yaml's `deserialize_str` takes any scalar as a string, so decode.rs checks the typed
/// object against the JSON with serde_json (as strict as Go's decoder).
#[test]
fn env_value_yes_fails_as_a_bool_until_quoted() {
    let pod = "apiVersion: v1
kind: Pod
metadata:
  name: demo
spec:
  containers:
  - name: app
    image: busybox
    env:
    - name: ENABLED
      value: yes
";
    let message = failure(pod);
    assert_eq!(
        message,
        "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string"
    );
    let quoted = decoded(&pod.replace("value: yes", "value: \"yes\""));
    assert_eq!(quoted["spec"]["containers"][0]["env"][0]["value"], json!("yes"));
    // A number is refused the same way; a number for a quantity is fine, as Go's Quantity takes it.
    let number = failure(&pod.replace("value: yes", "value: 8080"));
    assert!(number.ends_with("cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string"), "{number}");
    let cpu = decoded(&pod.replace("    env:\n    - name: ENABLED\n      value: yes\n", "    resources:\n      limits: {cpu: 1}\n"));
    assert_eq!(cpu["spec"]["containers"][0]["resources"]["limits"]["cpu"], json!("1"));
}

#[test]
fn resolvers_follow_their_sources() {
    use Reading::*;
    for (plain, go, serde) in [
        ("0644", Int(420), Str),
        ("08", Float(8.0), Str),
        ("0x", Str, Str),
        ("0b-101", Int(-5), Str),
        ("-0b101", Int(-5), Int(-5)),
        ("+9223372036854775808", Float(9223372036854775808.0), Int(9223372036854775808)),
        ("18446744073709551615", Int(18446744073709551615), Int(18446744073709551615)),
        ("1e999", Str, Str),
        (".5", Float(0.5), Float(0.5)),
        ("._5", Str, Str),
        ("1:30", Str, Str),
        ("2001-12-14", Str, Str),
        ("Yes", Bool(true), Str),
        ("nan", Str, Str),
        ("inf", Str, Str),
    ] {
        assert_eq!((go_yaml_v2(plain), serde_yaml_09(plain)), (go, serde), "{plain}");
    }
}

#[test]
fn a_byte_order_mark_shifts_nothing() {
    check("\u{feff}a: yes\n", "\u{feff}a: true\n");
}
