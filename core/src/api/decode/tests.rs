//! Diagnostics for broken manifests: every case names its line and column and never panics.

use super::*;

fn decode(input: &str) -> Vec<Result<Decoded, Diagnostic>> {
    decode_manifest(input.as_bytes(), "web.yaml", &Limits::default())
}

/// The single diagnostic of an input that must fail, as `line:column path | message`.
fn problem(input: &[u8]) -> String {
    let results = decode_manifest(input, "web.yaml", &Limits::default());
    let errs: Vec<&Diagnostic> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(errs.len(), 1, "expected exactly one diagnostic, got {results:#?}");
    let d = errs[0];
    format!("{}:{} {} | {}", d.line, d.column, d.path, d.message)
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
";

#[test]
fn decodes_multi_document_yaml_json_and_flow_style() {
    let input = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n---\n{DEPLOYMENT}---\n{}\n---\n{}\n",
        r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}"#,
        "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}"
    );
    let results = decode(&input);
    let names: Vec<String> =
        results.iter().map(|r| r.as_ref().map(|d| format!("{:?} {}", d.kind, d.name)).unwrap()).collect();
    assert_eq!(names, ["v1/Namespace dev", "apps/v1/Deployment web", "v1/Service web", "v1/ConfigMap cfg"]);
    let dep = results[1].as_ref().unwrap();
    assert_eq!(dep.line, 6);
    assert_eq!(dep.object["spec"]["replicas"], 3);
    assert!(dep.unknown_fields.is_empty());
}

#[test]
fn expands_lists_and_skips_empty_documents() {
    let input = "---\n# nothing\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: i}]}}\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n";
    let names: Vec<String> = decode(input).into_iter().map(|r| r.unwrap().name).collect();
    assert_eq!(names, ["a", "s"]);
}

#[test]
fn tab_in_indentation() {
    let input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: cfg\n";
    assert_eq!(
        problem(input.as_bytes()),
        "4:1  | error parsing web.yaml: error converting YAML to JSON: yaml: line 4: found character that cannot start any token"
    );
}

#[test]
fn bad_escape_in_double_quotes() {
    let input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"bad \\q escape\"\n";
    let p = problem(input.as_bytes());
    assert!(p.starts_with("6:"), "{p}");
    assert!(p.contains("yaml: line 6: found unknown escape character"), "{p}");
}

#[test]
fn wrong_type_is_a_server_side_decode_error_with_the_field_path() {
    let input = DEPLOYMENT.replace("replicas: 3", "replicas: three");
    assert_eq!(
        problem(input.as_bytes()),
        "6:13 spec.replicas | Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    let results = decode(&input);
    assert_eq!(results[0].as_ref().unwrap_err().origin, Origin::BAD_REQUEST);
}

/// kubectl validates a document's apiVersion and kind before decoding it (`--validate=strict`,
/// pkg/validation/schema.go `getObjectKind`); the stream stops there.
#[test]
fn missing_kind_and_missing_api_version() {
    let tail = "; if you choose to ignore these errors, turn validation off with --validate=false";
    assert_eq!(
        problem(b"# a pod\napiVersion: v1\nmetadata:\n  name: x\n"),
        format!("2:1  | error validating \"web.yaml\": error validating data: kind not set{tail}")
    );
    assert_eq!(
        problem(b"kind: Pod\nmetadata:\n  name: x\n"),
        format!("1:1  | error validating \"web.yaml\": error validating data: apiVersion not set{tail}")
    );
    assert_eq!(
        problem(b"cluster_name: Test\nnum_tokens: 256\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"),
        format!("1:1  | error validating \"web.yaml\": error validating data: [apiVersion not set, kind not set]{tail}")
    );
    assert_eq!(
        problem(b"apiVersion: 1\nkind: Pod\n"),
        format!("1:1  | error validating \"web.yaml\": error validating data: apiVersion isn't string type{tail}")
    );
    // Present but empty passes kubectl's validation and fails its decoder.
    assert_eq!(
        problem(b"apiVersion: v1\nkind: \"\"\nmetadata:\n  name: x\n"),
        "1:1 kind | unable to decode \"web.yaml\": Object 'Kind' is missing in '{\"apiVersion\":\"v1\",\"kind\":\"\",\"metadata\":{\"name\":\"x\"}}'"
    );
}

#[test]
fn unknown_kind_and_removed_version() {
    assert_eq!(
        problem(b"apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: hello\n"),
        "2:1 kind | resource mapping not found for name: \"hello\" namespace: \"\" from \"web.yaml\": no matches for kind \"CronJob\" in version \"batch/v1beta1\"\nensure CRDs are installed first"
    );
    let p = problem(b"apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n  namespace: dev\n");
    assert!(p.contains("namespace: \"dev\"") && p.contains("no matches for kind \"Foo\" in version \"v1\""), "{p}");
}

/// go-yaml v2 (non-strict, as kubectl's sigs.k8s.io/yaml calls it) keeps the last of repeated
/// keys, so kubectl sends JSON without the duplicate and the server accepts it.
#[test]
fn duplicate_keys_keep_the_last_value() {
    let input = DEPLOYMENT.replace("  replicas: 3\n", "  replicas: 3\n  replicas: 4\n");
    let d = decode(&input).remove(0).unwrap();
    assert_eq!(d.object["spec"]["replicas"], 4);
    assert_eq!(d.manifest["spec"]["replicas"], 4);
}

#[test]
fn non_utf8_bytes() {
    let mut input = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ca".to_vec();
    input.push(0xff);
    input.extend_from_slice(b"fe\n");
    assert_eq!(
        problem(&input),
        "4:11  | error parsing web.yaml: error converting YAML to JSON: yaml: invalid leading UTF-8 octet"
    );
}

#[test]
fn alias_bomb_is_refused() {
    let mut input = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        input.push_str(&format!("  {n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = n;
    }
    let p = problem(input.as_bytes());
    assert!(p.ends_with("yaml: document contains excessive aliasing"), "{p}");
}

#[test]
fn over_size_input_and_document() {
    let big = "a".repeat(9 * 1024 * 1024);
    let p = problem(big.as_bytes());
    assert!(p.starts_with("1:1 "), "{p}");
    assert!(p.contains("over kubeplay's limit of 8388608 bytes"), "{p}");
    let doc = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: {}\n", "x".repeat(4 * 1024 * 1024));
    assert_eq!(problem(doc.as_bytes()), "1:1  | Request entity too large: limit is 3145728");
}

#[test]
fn deep_nesting_is_refused() {
    let input = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let p = problem(input.as_bytes());
    assert!(p.contains("recursion limit exceeded"), "{p}");
}

#[test]
fn scalar_document() {
    assert_eq!(
        problem(b"just a string\n"),
        "1:1  | error validating \"web.yaml\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false"
    );
}

#[test]
fn unknown_fields_are_collected_for_strict_validation() {
    let input = DEPLOYMENT.replace("  replicas: 3\n", "  replicas: 3\n  foo: bar\n").replace("image: nginx:1.27", "image: nginx:1.27\n        imagePullPolicyy: Always");
    let d = decode(&input).remove(0).unwrap();
    assert_eq!(d.unknown_fields, ["spec.foo", "spec.template.spec.containers[0].imagePullPolicyy"]);
}

#[test]
fn a_syntax_error_stops_the_stream_but_keeps_earlier_documents() {
    let input = format!("{DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: after\n");
    let results = decode(&input);
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let d = results[1].as_ref().unwrap_err();
    assert_eq!(d.doc, 1);
    assert!(d.line >= 20, "{d:?}");
}

#[test]
fn garbage_never_panics() {
    let inputs: [&[u8]; 8] = [b"", b"---", b"- - -", b"{", b"]]]", b"!!binary x", b"&a *a", b"? [a]\n: b\n"];
    for input in inputs {
        let _ = decode_manifest(input, "x", &Limits::default());
    }
}

/// Found by the `decode` fuzz target: a JSON manifest cut short ends the stream on a line libyaml
/// adds after the last one; kubectl still names go-yaml's line, the editor gets a line that exists.
#[test]
fn a_truncated_manifest_points_at_a_line_it_has() {
    let input = b"{\n  \"kind\": \"Service\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    \"name\": \"phabricator\"\n  },\n  \"spec\": {\n    \"ports\": [\n      {\n        \"port\": 80,\n       ";
    assert_eq!(
        problem(input),
        "11:1  | error parsing web.yaml: error converting YAML to JSON: yaml: line 11: did not find expected node content"
    );
}

#[test]
fn nulls_decode_as_go_s_zero_values() {
    // kubernetes' hack/testdata/null-propagation/deployment-null.yml and resourcesquota-null.yml:
    // a real server accepts both (Quantity's UnmarshalJSON takes null as zero).
    let input = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-dep-null\n  labels: {team: null}\nspec:\n  selector:\n    matchLabels:\n      l1: l1\n  template:\n    metadata:\n      labels:\n        l1: l1\n    spec:\n      containers:\n        - name: nginx\n          image: registry.k8s.io/nginx:1.7.9\n          args:\n          -\n          resources:\n            requests:\n              memory: \"64Mi\"\n              cpu: null\n          terminationMessagePolicy: null\n---\nkind: ResourceQuota\napiVersion: v1\nmetadata:\n  name: my-rq\nspec:\n  hard:\n    limits.cpu: null\n    limits.memory: null\n";
    let results = decode(input);
    let dep = results[0].as_ref().unwrap();
    let c = &dep.object["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["resources"]["requests"], serde_json::json!({"cpu": "0", "memory": "64Mi"}));
    assert_eq!(c["args"], serde_json::json!([""]));
    assert!(c.get("terminationMessagePolicy").is_none());
    assert_eq!(dep.object["metadata"]["labels"]["team"], "");
    assert!(dep.unknown_fields.is_empty());
    // kubectl sends what was written: the last-applied configuration keeps the nulls.
    assert!(dep.manifest["metadata"]["labels"]["team"].is_null());
    let quota = results[1].as_ref().unwrap();
    assert_eq!(quota.object["spec"]["hard"], serde_json::json!({"limits.cpu": "0", "limits.memory": "0"}));
    assert_eq!(quota.line, 26);
}

#[test]
fn base64_reads_as_go_s_std_encoding() {
    // `base64` output wrapped at 76 columns, pasted in a `|` block: Go skips the newlines.
    let wrapped = "apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ndata:\n  key: |\n    eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\n    eHh4eA==\n  odd: QR==\n";
    let results = decode(wrapped);
    let secret = results[0].as_ref().unwrap();
    assert_eq!(secret.object["data"]["key"], "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==");
    // Unused bits of the last character are ignored; the server stores the bytes.
    assert_eq!(secret.object["data"]["odd"], "QQ==");
    // Input that ends inside a quantum: Go names byte 0 (the engine said "Invalid padding").
    assert_eq!(
        problem(b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  key: CRT\n"),
        "5:8 data.key | Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0"
    );
}

#[test]
fn typed_lists_expand_as_kind_list_does() {
    // argo-cd's reposerver testdata: `kind: ConfigMapList` maps (discovery adds <Kind>List).
    let input = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\napiVersion: v1\nkind: ConfigMapList\nitems:\n---\napiVersion: apps/v1\nkind: List\nitems: [{apiVersion: v1, kind: Secret, metadata: {name: s}}]\n";
    let names: Vec<String> = decode(input).into_iter().map(|r| r.unwrap().name).collect();
    assert_eq!(names, ["a", "s"]);
    assert!(problem(b"apiVersion: v1\nkind: FooList\nitems: []\n").contains("no matches for kind \"FooList\" in version \"v1\""));
}
