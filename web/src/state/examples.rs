//! The manifest the editor opens with: a namespace, a Deployment and a Service, the shape most
//! Kubernetes books start with.

pub const EXAMPLE_MANIFEST: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
";

/// The examples menu: a title, a one-line explanation of what to watch for, and the manifest.
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    ("Deployment + Service", "Watch the Deployment become a ReplicaSet, Pods, a scheduler decision per Pod, and a ClusterIP.", EXAMPLE_MANIFEST),
    (
        "Quota rejection",
        "The namespace allows two pods; the third Pod is refused by the ResourceQuota admission plugin.",
        "apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: pods
  namespace: team-a
spec:
  hard:
    pods: \"2\"
---
apiVersion: v1
kind: Pod
metadata: {name: one, namespace: team-a}
spec:
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata: {name: two, namespace: team-a}
spec:
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata: {name: three, namespace: team-a}
spec:
  containers: [{name: app, image: nginx:1.27}]
",
    ),
    (
        "RBAC: a read-only user",
        "Apply, then in the terminal try: kubectl get pods -n dev --as jane, and kubectl get secrets -n dev --as jane.",
        "apiVersion: v1
kind: Namespace
metadata:
  name: dev
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: jane-view
  namespace: dev
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: view
  apiGroup: rbac.authorization.k8s.io
",
    ),
    (
        "Validation errors",
        "The selector does not match the template's labels and the replica count is negative: the API server answers 422 with every cause.",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  replicas: -1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: web
        image: nginx:1.27
",
    ),
    (
        "A pod that cannot be scheduled",
        "It asks for 100 CPUs; no node has them, so it stays Pending with a FailedScheduling event.",
        "apiVersion: v1
kind: Pod
metadata:
  name: too-big
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: \"100\"
",
    ),
    (
        "A Job",
        "A batch Job: its Pod runs to completion (restartPolicy must be OnFailure or Never).",
        "apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34
        command: [\"perl\", \"-Mbignum=bpi\", \"-wle\", \"print bpi(200)\"]
",
    ),
    (
        "Broken YAML",
        "A tab in the indentation: kubectl stops before sending anything, and the editor marks the line.",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\ndata:\n  mode: fast\n",
    ),
];
