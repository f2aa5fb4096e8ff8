//! Bad input, table-driven: what a learner pastes or types that a cluster must refuse, each row
//! with the exact text kubectl prints (stdout, stderr, exit status) and a check that the cluster
//! did not change — the store revision and every key with its mod revision are the same before
//! and after. Inputs a real cluster accepts (duplicate keys, a schedule that never fires) run with
//! `--dry-run=server`, so they pass every stage and still store nothing.
//!
//! Expected texts come from the Kubernetes and go-yaml sources (named per group), not from our
//! output: kubectl's `error parsing <file>: error converting YAML to JSON: yaml: ...` for
//! go-yaml v2 failures (line numbers as its `parser.fail` gives them, none for reader errors and
//! alias/anchor failures), `Error from server (<Reason>): error when creating "<file>": ...` for
//! status errors, `The <Kind> "<name>" is invalid: ...` for 422s. kubeplay's own bounds (8 MiB per
//! apply) are worded as kubeplay's, since real kubectl has none.
//!
//! The decoder's and validators' own unit tables (`api/decode/tests.rs`,
//! `apiserver/validation/table_tests.rs`) cover more variants; this is the learner's view, end to
//! end through the command language, on one cluster that holds the objects the update cases need.

use kubeplay::cli::MemoryFiles;
use kubeplay::store::RangeRequest;
use kubeplay::{Cluster, Config};
use kubeplay::trace::{Event, Record};
use std::cell::Cell;

/// What `-f m.yaml` holds for a case.
enum Input {
    None,
    Text(&'static str),
    Built(fn() -> Vec<u8>),
}

struct Case {
    name: &'static str,
    input: Input,
    command: &'static str,
    stdout: &'static str,
    stderr: &'static str,
    exit: i32,
}

const fn case(name: &'static str, input: Input, command: &'static str, stdout: &'static str, stderr: &'static str, exit: i32) -> Case {
    Case { name, input, command, stdout, stderr, exit }
}

/// A failed `kubectl apply -f m.yaml` that printed only stderr, exit 1.
const fn apply_err(name: &'static str, yaml: &'static str, stderr: &'static str) -> Case {
    case(name, Input::Text(yaml), "kubectl apply -f m.yaml", "", stderr, 1)
}

/// A failed command that reads no file.
const fn cmd_err(name: &'static str, command: &'static str, stderr: &'static str, exit: i32) -> Case {
    case(name, Input::None, command, "", stderr, exit)
}

/// What the update cases change: applied once before the table runs.
const SETUP: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: quota
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: no-pods
  namespace: quota
spec:
  hard:
    pods: \"0\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  a: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: frozen
immutable: true
data:
  a: b
---
apiVersion: v1
kind: Secret
metadata:
  name: token
type: Opaque
stringData:
  a: b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
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


fn big(len: usize) -> Vec<u8> {
    let mut v = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: \"".to_vec();
    v.resize(len - 2, b'x');
    v.extend_from_slice(b"\"\n");
    v
}

fn ten_mb() -> Vec<u8> {
    big(10_000_000)
}

fn hundred_mb() -> Vec<u8> {
    big(100_000_000)
}

/// One document over kube-apiserver's 3 MiB request body limit, in an input under kubeplay's 8 MiB.
fn four_mib_document() -> Vec<u8> {
    big(4 * 1024 * 1024)
}

/// The billion laughs: nine levels of nine aliases each.
fn alias_bomb() -> Vec<u8> {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = 'a';
    for n in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        s.push_str(&format!("  {n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = n;
    }
    s.into_bytes()
}

/// 10,001 nested flow sequences: one past go-yaml's `max_flow_level`.
fn deep_flow() -> Vec<u8> {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}{}\n", "[".repeat(10_001), "]".repeat(10_001)).into_bytes()
}

fn png() -> Vec<u8> {
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01".to_vec()
}

fn invalid_utf8() -> Vec<u8> {
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n".to_vec()
}

fn nul_byte() -> Vec<u8> {
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\x00b\n".to_vec()
}

fn control_char() -> Vec<u8> {
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \x01\n".to_vec()
}

fn long_name() -> Vec<u8> {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n", "a".repeat(254)).into_bytes()
}

fn long_label_value() -> Vec<u8> {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    app: {}\n", "v".repeat(64)).into_bytes()
}

fn cases() -> Vec<Case> {
    vec![
        // --- YAML syntax: go-yaml v2 as sigs.k8s.io/yaml calls it (scannerc.go, parserc.go,
        // readerc.go, decode.go), wrapped by kubectl's StreamVisitor as `error parsing <file>`.
        apply_err("tab in indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 4: found character that cannot start any token\n"),
        apply_err("tab after a list dash", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  finalizers:\n  -\tx\n\t- y\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 6: found character that cannot start any token\n"),
        apply_err("unknown escape in double quotes", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"bad \\q escape\"\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 6: found unknown escape character\n"),
        apply_err("bad hex escape", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"\\xZZ\"\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 6: did not find expected hexdecimal number\n"),
        apply_err("unclosed double quote", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"open\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 7: found unexpected end of stream\n"),
        apply_err("unclosed single quote", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'x\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 5: found unexpected end of stream\n"),
        apply_err("unclosed flow sequence", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  finalizers: [a, b\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 5: did not find expected ',' or ']'\n"),
        apply_err("unclosed flow mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 3: did not find expected ',' or '}'\n"),
        apply_err("mapping value inside a plain scalar", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context\n"),
        apply_err("indentation that fits no block", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n labels: {}\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key\n"),
        apply_err("undefined alias", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: *nope\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: unknown anchor 'nope' referenced\n"),
        case("alias bomb", Input::Built(alias_bomb), "kubectl apply -f m.yaml", "",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing\n", 1),
        case("10,001 nested flow sequences", Input::Built(deep_flow), "kubectl apply -f m.yaml", "",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: line 5: exceeded max depth of 10000\n", 1),
        apply_err("a list where the object belongs", "- apiVersion: v1\n  kind: ConfigMap\n",
            "error: error validating \"m.yaml\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false\n"),
        apply_err("a bare string", "hello world\n",
            "error: error validating \"m.yaml\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false\n"),
        apply_err("a mapping as a key", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  {{a}}: b\n",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: invalid map key: map[interface {}]interface {}{map[interface {}]interface {}{\"a\":interface {}(nil)}:interface {}(nil)}\n"),
        // --- Binary, invalid UTF-8 and control characters: go-yaml's reader errors carry no line.
        case("binary (a PNG header)", Input::Built(png), "kubectl apply -f m.yaml", "",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: invalid leading UTF-8 octet\n", 1),
        case("invalid UTF-8 in a name", Input::Built(invalid_utf8), "kubectl apply -f m.yaml", "",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: invalid leading UTF-8 octet\n", 1),
        case("a NUL byte", Input::Built(nul_byte), "kubectl apply -f m.yaml", "",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: control characters are not allowed\n", 1),
        case("a control character", Input::Built(control_char), "kubectl apply -f m.yaml", "",
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: control characters are not allowed\n", 1),
        // --- Sizes: kubeplay's own bound on one apply (real kubectl has none; kube-apiserver's 3 MiB
        // body limit answers 413 RequestEntityTooLarge per object).
        case("10 MB input", Input::Built(ten_mb), "kubectl apply -f m.yaml", "",
            "error: error reading m.yaml: the manifest is 10000000 bytes, over kubeplay's limit of 8388608 bytes per apply\n", 1),
        case("100 MB input", Input::Built(hundred_mb), "kubectl apply -f m.yaml", "",
            "error: error reading m.yaml: the manifest is 100000000 bytes, over kubeplay's limit of 8388608 bytes per apply\n", 1),
        case("a 4 MiB document", Input::Built(four_mib_document), "kubectl apply -f m.yaml", "",
            "Error from server (RequestEntityTooLarge): error when creating \"m.yaml\": Request entity too large: limit is 3145728\n", 1),
        // --- Duplicate keys: go-yaml v2 in kubectl's non-strict decode keeps the last one; the
        // server sees JSON without the duplicate and accepts it.
        case("duplicate keys keep the last", Input::Text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  a: one\n  a: two\n"),
            "kubectl apply -f m.yaml --dry-run=server", "configmap/dup created (server dry run)\n", "", 0),
        // --- Wrong types: the server's strict JSON decode (400 BadRequest), as Go's encoding/json
        // words an UnmarshalTypeError with the full field path.
        apply_err("replicas as a word", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  replicas: three\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n"),
        apply_err("replicas as a fraction", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  replicas: 1.5\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32\n"),
        apply_err("replicas past int32", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  replicas: 10000000000\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number 10000000000 into Go struct field DeploymentSpec.spec.replicas of type int32\n"),
        apply_err("labels as a list", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a, b]\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string\n"),
        apply_err("a label value as a number", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    tier: 1\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string\n"),
        apply_err("an annotation as a bool", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    enabled: true\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.annotations of type string\n"),
        apply_err("ConfigMap data as a number", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  port: 8080\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string\n"),
        apply_err("containers as a mapping", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    name: c\n    image: nginx\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container\n"),
        apply_err("spec as a list", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n- containers: []\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec\n"),
        apply_err("containerPort as a string", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: \"80\"\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32\n"),
        apply_err("an env value read as a YAML 1.1 bool", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    env:\n    - name: DEBUG\n      value: yes\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string\n"),
        apply_err("command as a string", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: sleep 10\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string\n"),
        apply_err("a grace period as a string", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  terminationGracePeriodSeconds: soon\n  containers:\n  - name: c\n    image: nginx\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64\n"),
        apply_err("hostNetwork as a quoted string", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: \"true\"\n  containers:\n  - name: c\n    image: nginx\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool\n"),
        apply_err("restartPolicy as a bool", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  restartPolicy: true\n  containers:\n  - name: c\n    image: nginx\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy\n"),
        apply_err("a CPU request that is no quantity", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources:\n      requests:\n        cpu: lots\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n"),
        apply_err("a Service port as a word", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: eighty\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32\n"),
        apply_err("Secret data that is not base64", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: not base64!\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 3\n"),
        apply_err("an unknown field", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndataa:\n  a: b\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"dataa\"\n"),
        apply_err("two unknown fields", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  replica: 2\n  selector:\n    matchLabels: {app: w}\n  template:\n    metadata:\n      labels: {app: w}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        imagePullPolicyy: Always\n",
            "Error from server (BadRequest): error when creating \"m.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"\n"),
        // --- apiVersion and kind: kubectl's schema check, then its REST mapping.
        apply_err("kind missing", "apiVersion: v1\nmetadata:\n  name: x\n",
            "error: error validating \"m.yaml\": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false\n"),
        apply_err("apiVersion missing", "kind: ConfigMap\nmetadata:\n  name: x\n",
            "error: error validating \"m.yaml\": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false\n"),
        apply_err("kind as a number", "apiVersion: v1\nkind: 5\nmetadata:\n  name: x\n",
            "error: error validating \"m.yaml\": error validating data: kind isn't string type; if you choose to ignore these errors, turn validation off with --validate=false\n"),
        apply_err("an unknown kind", "apiVersion: v1\nkind: Widget\nmetadata:\n  name: x\n",
            "error: resource mapping not found for name: \"x\" namespace: \"\" from \"m.yaml\": no matches for kind \"Widget\" in version \"v1\"\nensure CRDs are installed first\n"),
        apply_err("a kind in lower case", "apiVersion: v1\nkind: pod\nmetadata:\n  name: x\n",
            "error: resource mapping not found for name: \"x\" namespace: \"\" from \"m.yaml\": no matches for kind \"pod\" in version \"v1\"\nensure CRDs are installed first\n"),
        apply_err("a removed version", "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: x\n  namespace: default\n",
            "error: resource mapping not found for name: \"x\" namespace: \"default\" from \"m.yaml\": no matches for kind \"Ingress\" in version \"extensions/v1beta1\"\nensure CRDs are installed first\n"),
        apply_err("a beta version long gone", "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: x\n",
            "error: resource mapping not found for name: \"x\" namespace: \"\" from \"m.yaml\": no matches for kind \"Deployment\" in version \"apps/v1beta1\"\nensure CRDs are installed first\n"),
        apply_err("a custom resource without its CRD", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: x\n",
            "error: resource mapping not found for name: \"x\" namespace: \"\" from \"m.yaml\": no matches for kind \"ServiceMonitor\" in version \"monitoring.coreos.com/v1\"\nensure CRDs are installed first\n"),
        apply_err("a namespace that does not exist", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n",
            "Error from server (NotFound): error when creating \"m.yaml\": namespaces \"nowhere\" not found\n"),
        // --- Names: apimachinery's validation.go and the kinds' name functions (422 Invalid).
        apply_err("a name that is a number", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 5\n",
            "error: error when retrieving current configuration of:\nResource: \"/v1, Resource=configmaps\", GroupVersionKind: \"/v1, Kind=ConfigMap\"\nName: \"\", Namespace: \"default\"\nfrom server for: \"m.yaml\": resource name may not be empty\n"),
        case("a name of 254 characters", Input::Built(long_name), "kubectl apply -f m.yaml", "", LONG_NAME, 1),
        apply_err("capitals and an underscore", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Web_1\nspec:\n  selector:\n    matchLabels: {app: w}\n  template:\n    metadata:\n      labels: {app: w}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n",
            "The Deployment \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"),
        apply_err("a Service name starting with a digit", "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\nspec:\n  ports:\n  - port: 80\n",
            "The Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\n"),
        apply_err("a Namespace name with a dot", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team.a\n",
            "The Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": must not contain dots\n"),
        apply_err("a ClusterRole name with a slash", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: a/b\n",
            "The ClusterRole \"a/b\" is invalid: metadata.name: Invalid value: \"a/b\": may not contain '/'\n"),
        apply_err("a label key with a space", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    my app: web\n",
            "The ConfigMap \"x\" is invalid: metadata.labels: Invalid value: \"my app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n"),
        case("a label value of 64 characters", Input::Built(long_label_value), "kubectl apply -f m.yaml", "", LONG_LABEL, 1),
        // --- Updates: resourceVersion preconditions and immutable fields.
        apply_err("a Deployment's selector changed", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web2}\n  template:\n    metadata:\n      labels: {app: web2}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n",
            "The Deployment \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable\n"),
        apply_err("an immutable ConfigMap's data changed", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\nimmutable: true\ndata:\n  a: c\n",
            "The ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set\n"),
        apply_err("a Secret's type changed", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\ntype: example.com/other\nstringData:\n  a: b\n",
            "The Secret \"token\" is invalid: type: Invalid value: \"example.com/other\": field is immutable\n"),
        // --- Replicas: 10^9 is a valid int32 that kube-apiserver stores; a negative count is not.
        case("a billion replicas", Input::Text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: huge\nspec:\n  replicas: 1000000000\n  selector:\n    matchLabels: {app: huge}\n  template:\n    metadata:\n      labels: {app: huge}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n"),
            "kubectl apply -f m.yaml --dry-run=server", "deployment.apps/huge created (server dry run)\n", "", 0),
        apply_err("negative replicas", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: neg\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: neg}\n  template:\n    metadata:\n      labels: {app: neg}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n",
            "The Deployment \"neg\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"),
        cmd_err("scale to a negative count", "kubectl scale deployment web --replicas=-1",
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n", 1),
        // --- CronJob schedules: robfig/cron's ParseStandard as ValidateCronJobSpec calls it.
        case("a schedule that never fires (30 February)", Input::Text("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: never\nspec:\n  schedule: \"0 0 30 2 *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n"),
            "kubectl apply -f m.yaml --dry-run=server", "cronjob.batch/never created (server dry run)\n", "", 0),
        apply_err("a minute of 61", "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: \"61 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
            "The CronJob \"c\" is invalid: spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61\n"),
        apply_err("four schedule fields", "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: \"* * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
            "The CronJob \"c\" is invalid: spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]\n"),
        apply_err("a TZ in the schedule", "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: \"TZ=UTC 0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
            "The CronJob \"c\" is invalid: spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead\n"),
        apply_err("an unknown time zone", "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: \"0 * * * *\"\n  timeZone: Mars Olympus\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
            "The CronJob \"c\" is invalid: spec.timeZone: Invalid value: \"Mars Olympus\": unknown time zone Mars Olympus\n"),
        // --- ownerReferences: ValidateOwnerReferences (apimachinery objectmeta.go).
        apply_err("an owner without a uid", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: cfg\n    uid: \"\"\n",
            "The ConfigMap \"x\" is invalid: metadata.ownerReferences.uid: Invalid value: \"\": must not be empty\n"),
        apply_err("an owner without kind or name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  ownerReferences:\n  - apiVersion: v1\n    kind: \"\"\n    name: \"\"\n    uid: 0d3c0e0e-0000-4000-8000-000000000001\n",
            "The ConfigMap \"x\" is invalid: \n* metadata.ownerReferences.kind: Invalid value: \"\": must not be empty\n* metadata.ownerReferences.name: Invalid value: \"\": must not be empty\n"),
        apply_err("two controllers", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: a, uid: u1, controller: true}\n  - {apiVersion: v1, kind: ConfigMap, name: b, uid: u2, controller: true}\n",
            "The ConfigMap \"x\" is invalid: metadata.ownerReferences: Invalid value: [{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"a\",\"uid\":\"u1\",\"controller\":true},{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"b\",\"uid\":\"u2\",\"controller\":true}]: Only one reference can have Controller set to true. Found \"true\" in references for ConfigMap/a and ConfigMap/b\n"),
        // --- A ClusterRole that aggregates itself: valid (the aggregation controller skips itself).
        case("a ClusterRole selecting its own label", Input::Text("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: loop\n  labels: {aggregate: loop}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {aggregate: loop}\n"),
            "kubectl apply -f m.yaml --dry-run=server", "clusterrole.rbac.authorization.k8s.io/loop created (server dry run)\n", "", 0),
        // --- Admission and authorization refusals change nothing either.
        apply_err("a pod over its namespace's quota", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: quota\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
            "Error from server (Forbidden): error when creating \"m.yaml\": pods \"p\" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0\n"),
        // --- Command lines: the shell's quoting (bash's words for an unterminated quote), then
        // kubectl's and etcdctl's own argument checks.
        cmd_err("an unterminated single quote", "kubectl get pods 'web", "kubeplay: unexpected EOF while looking for matching `''\n", 1),
        cmd_err("an unterminated double quote", "kubectl label pod web \"a=b", "kubeplay: unexpected EOF while looking for matching `\"'\n", 1),
        cmd_err("an unterminated quote in etcdctl", "etcdctl put /k \"v", "kubeplay: unexpected EOF while looking for matching `\"'\n", 1),
        cmd_err("a command that is not there", "kubeclt get pods", "kubeplay: kubeclt: command not found\n", 127),
        cmd_err("an unknown kubectl command", "kubectl gett pods", "error: unknown command \"gett\" for \"kubectl\"\nRun 'kubectl --help' for usage.\n", 1),
        cmd_err("an unknown flag", "kubectl get pods --bogus", "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n", 1),
        cmd_err("an unknown resource type", "kubectl get widgets", "error: the server doesn't have a resource type \"widgets\"\n", 1),
        cmd_err("apply without a file", "kubectl apply", "error: must specify one of -f and -k\n", 1),
        cmd_err("a file that does not exist", "kubectl apply -f nowhere.yaml", "error: the path \"nowhere.yaml\" does not exist\n", 1),
        cmd_err("a bad dry-run value", "kubectl apply -f m.yaml --dry-run=maybe", "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\n", 1),
        cmd_err("delete with a type and no name", "kubectl delete pods", "error: resource(s) were provided, but no name was specified\n", 1),
        cmd_err("get a pod that is not there", "kubectl get pod nope", "Error from server (NotFound): pods \"nope\" not found\n", 1),
        cmd_err("delete a deployment that is not there", "kubectl delete deployment nope", "Error from server (NotFound): deployments.apps \"nope\" not found\n", 1),
        cmd_err("etcdctl get without a key", "etcdctl get", "Error: get command needs one argument as key and an optional argument as range_end\n", 128),
        cmd_err("etcdctl put without a value", "etcdctl put /k", "Error: put command needs 1 argument and input from stdin or 2 arguments\n", 128),
    ]
}

const LONG_NAME: &str = "The ConfigMap \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is invalid: metadata.name: Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be no more than 253 characters
";

const LONG_LABEL: &str = "The ConfigMap \"x\" is invalid: metadata.labels: Invalid value: \"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\": must be no more than 63 bytes\n";

/// Every live key with the revision that last wrote it, and the store's revision.
fn state(cluster: &Cluster) -> (i64, Vec<(Vec<u8>, i64)>) {
    let all = RangeRequest { key: vec![0], range_end: vec![0], ..Default::default() };
    let kvs = cluster.store().range(&all).expect("range over the whole keyspace").kvs;
    (cluster.store().revision(), kvs.into_iter().map(|kv| (kv.key, kv.mod_revision)).collect())
}

#[test]
fn bad_input_is_refused_with_kubectls_words_and_changes_nothing() {
    let mut cluster = Cluster::new(Config::default());
    let setup = MemoryFiles::new().with("setup.yaml", SETUP);
    let out = cluster.execute("kubectl apply -f setup.yaml", &setup);
    assert!(out.success(), "setup: {}", out.stderr);

    let cases = cases();
    assert!(cases.len() >= 80, "the table has {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let contents = match &c.input {
            Input::None => Vec::new(),
            Input::Text(t) => t.as_bytes().to_vec(),
            Input::Built(f) => f(),
        };
        let files = MemoryFiles::new().with("m.yaml", contents);
        let before = state(&cluster);
        let out = cluster.execute(c.command, &files);
        let after = state(&cluster);
        let mut problems = Vec::new();
        if (out.stdout.as_str(), out.stderr.as_str(), out.exit_code) != (c.stdout, c.stderr, c.exit) {
            problems.push(format!(
                "  expected stdout {:?}\n  expected stderr {:?}\n  expected exit {}\n  actual stdout   {:?}\n  actual stderr   {:?}\n  actual exit   {}",
                c.stdout, c.stderr, c.exit, out.stdout, out.stderr, out.exit_code
            ));
        }
        if before != after {
            problems.push(format!("  the store changed: revision {} -> {}", before.0, after.0));
        }
        if !problems.is_empty() {
            failures.push(format!("{} ({}):\n{}", c.name, c.command, problems.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}


/// `-f` files that count what is asked of them: how many times a file is read and how many bytes
/// are handed out.
struct CountingFiles {
    inner: MemoryFiles,
    reads: Cell<usize>,
    bytes: Cell<usize>,
}

impl kubeplay::cli::Files for CountingFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let contents = self.inner.read(path)?;
        self.reads.set(self.reads.get() + 1);
        self.bytes.set(self.bytes.get() + contents.len());
        Ok(contents)
    }
}

/// Refusing by size must not read what it refuses, proved without a clock: the input is poison
/// from its first byte (a NUL, which go-yaml's reader refuses wherever it meets one, and a tab
/// where indentation goes), so a decoder that looked at any of it before checking the size
/// would print the reader's error instead of the size error; the file is read from the
/// `Files` once (never copied per document or per retry); the trace holds one decode record
/// for the whole input and no document; no request is sent and the store does not change.
#[test]
fn refusing_by_size_reads_nothing_it_refuses() {
    use kubeplay::api::{decode_manifest, Limits};
    let limits = Limits::default();
    for len in [limits.max_input_bytes + 1, 100_000_000] {
        let mut poison = b"\x00\tkind: [\n".to_vec();
        poison.resize(len, 0);
        let decoded = decode_manifest(&poison, "m.yaml", &limits);
        let messages: Vec<String> = decoded.iter().map(|d| d.as_ref().map_or_else(|e| e.message.clone(), |o| format!("decoded {}", o.name))).collect();
        assert_eq!(messages, vec![format!("error reading m.yaml: the manifest is {len} bytes, over kubeplay's limit of 8388608 bytes per apply")]);

        let mut cluster = Cluster::new(Config::default());
        let files = CountingFiles { inner: MemoryFiles::new().with("m.yaml", poison), reads: Cell::new(0), bytes: Cell::new(0) };
        let before = state(&cluster);
        let out = cluster.execute("kubectl apply -f m.yaml", &files);
        assert_eq!(out.stderr, format!("error: error reading m.yaml: the manifest is {len} bytes, over kubeplay's limit of 8388608 bytes per apply\n"));
        assert_eq!((out.stdout.as_str(), out.exit_code), ("", 1));
        assert_eq!((files.reads.get(), files.bytes.get()), (1, len), "one read of the file, nothing more");
        assert_eq!(state(&cluster), before, "the store did not change");
        let traced = since_last_command(&cluster);
        assert!(!traced.iter().any(|r| matches!(r.event, Event::Request { .. })), "no request: {traced:#?}");
        // One decode record, for the whole input, and no document in it.
        let decodes: Vec<(&str, &str)> = traced.iter().filter_map(|r| match &r.event {
            Event::Decode { kind, outcome } => Some((kind.as_str(), outcome.as_str())),
            _ => None,
        }).collect();
        let refused = format!("line 1:1: error reading m.yaml: the manifest is {len} bytes, over kubeplay's limit of 8388608 bytes per apply");
        assert_eq!(decodes, vec![("-", refused.as_str())]);
    }
}

/// The trace records of the last command and what it set off.
fn since_last_command(cluster: &Cluster) -> Vec<&Record> {
    let records: Vec<&Record> = cluster.trace().records().collect();
    let start = records.iter().rposition(|r| matches!(r.event, Event::Command { .. })).unwrap_or(0);
    records[start..].to_vec()
}

const BILLION: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: huge\nspec:\n  replicas: 1000000000\n  selector:\n    matchLabels: {app: huge}\n  template:\n    metadata:\n      labels: {app: huge}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n";

/// `replicas: 1000000000` applied for real (the table's case is a server dry run): kube-apiserver
/// stores it, and the ReplicaSet controller would create `burstReplicas` pods per sync for as
/// long as the cluster runs. kubeplay bounds it (ARCHITECTURE.md invariant 5): no more pods while
/// `burstReplicas` of the owner's pods wait for a node, said in a Warning event; so `apply` and
/// `run 1m` finish with a bounded number of pods in etcd, a `run` adds none, and the
/// ReplicaSet's ReplicaFailure condition says why (the event recorder's spam filter drops the
/// Warning event after the burst of SuccessfulCreate ones, as client-go's does). One worker keeps
/// the debug build's cost to some 1,000 pod creates.
#[test]
fn a_billion_replicas_are_bounded_and_said() {
    let nodes = kubeplay::controllers::NodesConfig { workers: 1, ..Default::default() };
    let mut cluster = Cluster::new(Config { nodes, ..Config::default() });
    let files = MemoryFiles::new().with("m.yaml", BILLION);
    let pods = |c: &Cluster| {
        let req = RangeRequest { key: b"/registry/pods/default/".to_vec(), range_end: b"/registry/pods/default0".to_vec(), count_only: true, ..Default::default() };
        c.store().range(&req).map_or(0, |r| r.count)
    };
    let out = cluster.execute("kubectl apply -f m.yaml", &files);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.exit_code), ("deployment.apps/huge created\n", "", 0));
    let created = pods(&cluster);
    let out = cluster.execute("run 1m", &files);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.exit_code), ("", "", 0));
    assert_eq!(pods(&cluster), created, "a run creates no more pods");
    // kube's burstReplicas (500) per sync, and at most 500 unscheduled pods before a sync: the
    // cache a sync reads may lag one burst behind, so two bursts at most beyond the node's 110.
    assert!((500..=1110).contains(&created), "{created} pods");
    let reason = cluster.execute("kubectl get rs -o jsonpath={.items[0].status.conditions[0].reason}", &files).stdout;
    assert_eq!(reason, "FailedCreate");
    let message = cluster.execute("kubectl get rs -o jsonpath={.items[0].status.conditions[0].message}", &files).stdout;
    let waiting: usize = message.strip_prefix("kubeplay: not creating more pods while ").and_then(|m| m.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(waiting >= 500, "{message}");
    assert_eq!(message, format!("kubeplay: not creating more pods while {waiting} of this ReplicaSet's pods wait for a node (a bound of the simulation: at most 500 unscheduled pods per owner; a real controller keeps creating them)"));
}
