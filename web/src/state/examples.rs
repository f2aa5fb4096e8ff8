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

/// One entry of the examples menu.
pub struct Example {
    pub title: &'static str,
    /// What to watch for, in English and Korean.
    pub why: (&'static str, &'static str),
    pub manifest: &'static str,
}

impl Example {
    /// The name `kubectl apply -f NAME` reads this example under in the page's terminal: the
    /// title in lower case, words joined by dashes (`Deployment + Service` is
    /// `deployment-service.yaml`).
    pub fn file_name(&self) -> String {
        let mut name = String::new();
        for c in self.title.chars() {
            if c.is_ascii_alphanumeric() {
                name.push(c.to_ascii_lowercase());
            } else if !name.is_empty() && !name.ends_with('-') {
                name.push('-');
            }
        }
        format!("{}.yaml", name.trim_end_matches('-'))
    }
}

/// The page's small file set for `-f`: `-` is the editor, and every example is a named file.
pub fn files(editor: &str) -> kubeplay::cli::MemoryFiles {
    EXAMPLES.iter().fold(kubeplay::cli::MemoryFiles::new().with("-", editor.as_bytes()), |files, e| {
        files.with(&e.file_name(), e.manifest.as_bytes())
    })
}

/// The examples menu: a title, a one-line explanation of what to watch for, and the manifest.
pub const EXAMPLES: &[Example] = &[
    Example {
        title: "Deployment + Service",
        why: (
            "Watch the Deployment become a ReplicaSet, Pods, a scheduler decision per Pod, and a ClusterIP.",
            "Deployment가 ReplicaSet과 파드가 되고, 파드마다 스케줄러가 노드를 고르고, 서비스가 ClusterIP를 받는 과정을 보세요.",
        ),
        manifest: EXAMPLE_MANIFEST,
    },
    Example {
        title: "Quota rejection",
        why: (
            "The namespace allows two pods; the third Pod is refused by the ResourceQuota admission plugin.",
            "네임스페이스에는 파드 두 개까지만 허용됩니다. 세 번째 파드는 ResourceQuota 어드미션 플러그인이 거부합니다.",
        ),
        manifest: "apiVersion: v1
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
    },
    Example {
        title: "RBAC: a read-only user",
        why: (
            "Apply, then in the terminal try: kubectl get pods -n dev --as jane, and kubectl get secrets -n dev --as jane.",
            "적용한 뒤 터미널에서 kubectl get pods -n dev --as jane 과 kubectl get secrets -n dev --as jane 을 실행해 보세요.",
        ),
        manifest: "apiVersion: v1
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
    },
    Example {
        title: "Validation errors",
        why: (
            "The selector does not match the template's labels and the replica count is negative: the API server answers 422 with every cause.",
            "셀렉터가 템플릿 레이블과 맞지 않고 replicas가 음수입니다. API 서버는 모든 원인과 함께 422로 답합니다.",
        ),
        manifest: "apiVersion: apps/v1
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
    },
    Example {
        title: "A pod that cannot be scheduled",
        why: (
            "It asks for 100 CPUs; no node has them, so it stays Pending with a FailedScheduling event.",
            "CPU 100개를 요청합니다. 그런 노드가 없으니 FailedScheduling 이벤트와 함께 Pending으로 남습니다.",
        ),
        manifest: "apiVersion: v1
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
    },
    Example {
        title: "A Job",
        why: (
            "A batch Job: its Pod runs to completion (restartPolicy must be OnFailure or Never).",
            "배치 Job: 파드가 끝까지 실행되고 완료됩니다 (restartPolicy는 OnFailure나 Never여야 합니다).",
        ),
        manifest: "apiVersion: batch/v1
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
    },
    Example {
        title: "Broken YAML",
        why: (
            "A tab in the indentation: kubectl stops before sending anything, and the editor marks the line.",
            "들여쓰기에 탭이 있습니다. kubectl은 아무것도 보내지 않고 멈추며, 편집기가 그 줄을 표시합니다.",
        ),
        manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\ndata:\n  mode: fast\n",
    },
    Example {
        title: "Rolling update",
        why: (
            "Apply, then change the image to nginx:1.28 and apply again: a second ReplicaSet grows while the first shrinks, within maxSurge and maxUnavailable.",
            "적용한 뒤 이미지를 nginx:1.28로 바꿔 다시 적용하세요. maxSurge와 maxUnavailable 범위 안에서 새 ReplicaSet이 늘고 옛 것이 줄어듭니다.",
        ),
        manifest: "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
",
    },
    Example {
        title: "A crash loop",
        why: (
            "The container exits with status 1: the kubelet restarts it with a back-off of 10 s, 20 s, 40 s... (CrashLoopBackOff). Type run 2m, then kubectl get pods.",
            "컨테이너가 상태 1로 끝납니다. kubelet이 10초, 20초, 40초... 간격으로 다시 시작합니다 (CrashLoopBackOff). run 2m 후 kubectl get pods 를 실행해 보세요.",
        ),
        manifest: "apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"echo starting; sleep 2; exit 1\"]
",
    },
    Example {
        title: "A node fails",
        why: (
            "Apply, press stop on a worker, then type run 6m: the node turns NotReady after 50 s, is tainted, and its pods are evicted after 300 s and replaced elsewhere.",
            "적용한 뒤 워커 노드의 stop을 누르고 run 6m 을 실행하세요. 50초 뒤 NotReady가 되고 테인트가 붙으며, 300초 뒤 파드가 축출되어 다른 노드에 다시 만들어집니다.",
        ),
        manifest: "apiVersion: apps/v1
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
",
    },
    Example {
        title: "A StatefulSet",
        why: (
            "Pods web-0, web-1, web-2 start one at a time, each with its own PersistentVolumeClaim from the template.",
            "web-0, web-1, web-2 파드가 하나씩 차례로 시작되고, 각자 템플릿으로 만든 PersistentVolumeClaim을 가집니다.",
        ),
        manifest: "apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels: {app: nginx}
spec:
  clusterIP: None
  selector: {app: nginx}
  ports:
  - port: 80
    name: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 3
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [\"ReadWriteOnce\"]
      resources:
        requests:
          storage: 1Gi
",
    },
];
