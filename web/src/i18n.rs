//! Every label, tooltip and explanation of the page in English and Korean. Kubernetes' own words
//! (kinds, stages' messages, kubectl output) stay as Kubernetes prints them; only the page's own
//! words are translated. One table, so a missing translation is a compile error, not a blank.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// From the browser's `navigator.language` (`ko`, `ko-KR` → Korean; anything else English).
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

/// The page's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T {
    Tagline,
    Manifest,
    Apply,
    ApplyTitle,
    DryRun,
    DryRunTitle,
    Applied,
    Failed,
    Running,
    ExamplesTitle,
    ClusterMap,
    ControlPlane,
    Worker,
    AddNode,
    RemoveNode,
    TipKind,
    TipName,
    TipStatus,
    TipNode,
    TipOwner,
    TipComponent,
    TipActing,
    TipWaiting,
    Unscheduled,
    Inspector,
    TabPipeline,
    TabEtcd,
    TabObject,
    Timeline,
    Terminal,
    TerminalPlaceholder,
    StepBack,
    StepForward,
    PrevRequest,
    NextRequest,
    Play,
    Pause,
    Live,
    LiveTitle,
    Speed,
    AsOfRecord,
    NoRequestSelected,
    RequestsCaused,
    WatchersNotified,
    StagesAhead,
    EtcdFilter,
    KeysNewestFirst,
    Revision,
    AsOfRevision,
    CompactedAt,
    NeverCompacted,
    CompactedNote,
    OlderCompacted,
    Keys,
    RaftLog,
    Watches,
    WatchesApi,
    WatchesEtcd,
    NoEventYet,
    WhyThisNode,
    EntriesSinceSnapshot,
    Snapshots,
    KeyHistory,
    Compare,
    NoObjectSelected,
    User,
    UserTitle,
    Theme,
    Language,
    Help,
    Shortcuts,
    /// The help overlay's line about the files `-f` can read.
    TerminalFiles,
    Reset,
    ResetConfirm,
    ForkConfirm,
    Export,
    Import,
    Share,
    ShareCopied,
    Collapse,
    Expand,
    CorruptSession,
    Close,
    RequestsInCommand,
    /// "request": the count is one.
    RequestInCommand,
    NoRequests,
    SchedulerTitle,
    SchedulerAttempt,
    SchedulerPriority,
    SchedulerFeasible,
    SchedulerBoundTo,
    SchedulerNominated,
    SchedulerVictims,
    SchedulerFailed,
    SchedulerPreFilter,
    SchedulerNode,
    SchedulerTotal,
    SchedulerNotRun,
    SchedulerScoringSkipped,
    SchedulerTied,
    SchedulerSummarised,
    SchedulerSearched,
    SchedulerSearchedTail,
}

/// The translation of `t` in `lang`.
pub fn tr(lang: Lang, t: T) -> &'static str {
    let (en, ko) = match t {
        T::Tagline => ("a Kubernetes control plane, simulated in your browser", "브라우저 안에서 돌아가는 쿠버네티스 컨트롤 플레인 시뮬레이터"),
        T::Manifest => ("manifest", "매니페스트"),
        T::Apply => ("Apply", "적용"),
        T::ApplyTitle => ("kubectl apply -f - (Ctrl+Enter)", "kubectl apply -f - (Ctrl+Enter)"),
        T::DryRun => ("Dry run", "드라이 런"),
        T::DryRunTitle => (
            "kubectl apply -f - --dry-run=server: every stage but the write",
            "kubectl apply -f - --dry-run=server: etcd 저장만 빼고 모든 단계를 실행합니다",
        ),
        T::Applied => ("applied", "적용됨"),
        T::Failed => ("failed", "실패"),
        T::Running => ("running…", "실행 중…"),
        T::ExamplesTitle => ("Load an example into the editor", "예제를 편집기에 불러옵니다"),
        T::ClusterMap => ("cluster", "클러스터"),
        T::ControlPlane => ("control plane", "컨트롤 플레인"),
        T::Worker => ("worker", "워커"),
        T::AddNode => ("+ node", "+ 노드"),
        T::RemoveNode => ("remove", "제거"),
        T::TipKind => ("kind", "종류"),
        T::TipName => ("name", "이름"),
        T::TipStatus => ("status", "상태"),
        T::TipNode => ("node", "노드"),
        T::TipOwner => ("owner", "소유자"),
        T::TipComponent => ("component", "구성 요소"),
        T::TipActing => ("acting at this record", "이 기록에서 동작 중"),
        T::TipWaiting => ("waiting for a change it watches", "지켜보는 변화를 기다리는 중"),
        T::Unscheduled => ("not scheduled yet", "아직 스케줄되지 않음"),
        T::Inspector => ("inspector", "인스펙터"),
        T::TabPipeline => ("request", "요청"),
        T::TabEtcd => ("etcd", "etcd"),
        T::TabObject => ("object", "오브젝트"),
        T::Timeline => ("timeline", "타임라인"),
        T::Terminal => ("terminal", "터미널"),
        T::TerminalPlaceholder => (
            "kubectl get pods -A · etcdctl get /registry --prefix --keys-only · run 30s",
            "kubectl get pods -A · etcdctl get /registry --prefix --keys-only · run 30s",
        ),
        T::StepBack => ("Step back one record (←)", "한 단계 뒤로 (←)"),
        T::StepForward => ("Step forward one record (→)", "한 단계 앞으로 (→)"),
        T::PrevRequest => ("Previous request (Shift+←)", "이전 요청 (Shift+←)"),
        T::NextRequest => ("Next request (Shift+→)", "다음 요청 (Shift+→)"),
        T::Play => ("Play", "재생"),
        T::Pause => ("Pause", "일시 정지"),
        T::Live => ("live", "실시간"),
        T::LiveTitle => ("Jump to the latest record (End)", "가장 최근 기록으로 이동 (End)"),
        T::Speed => ("speed", "속도"),
        T::AsOfRecord => ("as of record", "기록 시점"),
        T::NoRequestSelected => (
            "Step to a request, or click one, to see each stage kube-apiserver ran.",
            "요청으로 이동하거나 요청을 클릭하면 kube-apiserver가 거친 단계를 하나씩 볼 수 있습니다.",
        ),
        T::SchedulerTitle => ("Scheduler", "스케줄러"),
        T::SchedulerAttempt => ("attempt", "시도"),
        T::SchedulerPriority => ("priority", "우선순위"),
        T::SchedulerFeasible => ("nodes feasible", "노드가 조건을 통과"),
        T::SchedulerBoundTo => ("bound to", "바인딩된 노드:"),
        T::SchedulerNominated => ("preemption nominated", "선점(preemption)으로 지명된 노드:"),
        T::SchedulerVictims => ("victims", "축출될 파드"),
        T::SchedulerFailed => ("FailedScheduling", "FailedScheduling (스케줄링 실패)"),
        T::SchedulerPreFilter => ("PreFilter rejected the pod on every node", "PreFilter가 모든 노드에서 파드를 거부함"),
        T::SchedulerNode => ("node", "노드"),
        T::SchedulerTotal => ("total", "합계"),
        T::SchedulerNotRun => ("not run: an earlier filter rejected this node", "실행 안 됨: 앞선 필터가 이 노드를 거부함"),
        T::SchedulerScoringSkipped => ("only one node fitted, so kube-scheduler bound it without scoring", "조건을 통과한 노드가 하나뿐이라 점수 계산 없이 바인딩함"),
        T::SchedulerTied => ("nodes tied for the best total; one was picked at random", "개 노드가 최고 합계로 동점, 그중 하나를 무작위로 선택"),
        T::SchedulerSummarised => ("more nodes not listed, feasible among them:", "개 노드는 생략됨, 그중 조건 통과:"),
        T::SchedulerSearched => ("nodes filtered: kube-scheduler stops once", "개 노드만 필터링: kube-scheduler는 조건을 통과한 노드가"),
        T::SchedulerSearchedTail => ("pass (numFeasibleNodesToFind, percentageOfNodesToScore)", "개가 되면 멈춥니다 (numFeasibleNodesToFind, percentageOfNodesToScore)"),
        T::RequestsCaused => ("requests this one led to", "이 요청이 이어서 일으킨 요청"),
        T::WatchersNotified => ("watchers notified", "알림을 받은 감시자(watcher)"),
        T::StagesAhead => ("not reached yet at this record", "이 시점에는 아직 도달하지 않음"),
        T::EtcdFilter => ("filter keys, e.g. /registry/pods", "키 필터, 예: /registry/pods"),
        T::KeysNewestFirst => ("keys, newest first", "개 키, 최근 것부터"),
        T::Revision => ("revision", "리비전"),
        T::AsOfRevision => ("as of revision", "리비전 시점"),
        T::CompactedAt => ("compacted at revision", "컴팩션된 리비전"),
        T::NeverCompacted => ("never compacted: every revision is kept", "컴팩션 없음: 모든 리비전이 남아 있습니다"),
        T::CompactedNote => (
            "etcd no longer keeps the keyspace as of this revision; a read there fails with \"mvcc: required revision has been compacted\".",
            "etcd는 이 리비전 시점의 키 공간을 더 이상 보관하지 않습니다. 이 시점을 읽으면 \"mvcc: required revision has been compacted\" 오류가 납니다.",
        ),
        T::OlderCompacted => ("revisions before this were compacted:", "이보다 앞선 리비전은 컴팩션으로 지워졌습니다:"),
        T::Keys => ("keys", "키"),
        T::RaftLog => ("raft log", "raft 로그"),
        T::Watches => ("watches", "watch"),
        T::WatchesApi => (
            "API watches: each process keeps one watch per resource (a shared informer) and learns only through it",
            "API watch: 각 프로세스는 리소스마다 watch를 하나씩 열어 두고(shared informer), 그것으로만 변화를 알게 됩니다",
        ),
        T::WatchesEtcd => (
            "etcd watches: kube-apiserver's watch cache holds one stream per resource prefix and fans each event out",
            "etcd watch: kube-apiserver의 watch 캐시가 리소스 접두사마다 스트림 하나를 열고, 이벤트를 각 watcher에게 나눠 줍니다",
        ),
        T::NoEventYet => ("no event since its list", "list 이후 받은 이벤트 없음"),
        T::WhyThisNode => ("kube-scheduler's last decision for this pod: filters and scores per node", "이 파드에 대한 kube-scheduler의 마지막 결정: 노드별 필터와 점수"),
        T::EntriesSinceSnapshot => ("entries since the last snapshot", "개 항목 (마지막 스냅샷 이후)"),
        T::Snapshots => ("snapshots", "개 스냅샷"),
        T::KeyHistory => ("history", "이력"),
        T::Compare => ("compare", "비교"),
        T::NoObjectSelected => ("Click a key, a node or a pod to see it here.", "키, 노드 또는 파드를 클릭하면 여기에 표시됩니다."),
        T::User => ("user", "사용자"),
        T::UserTitle => (
            "Every request is sent as this user; switch to try RBAC",
            "모든 요청이 이 사용자로 전송됩니다. 바꿔서 RBAC를 체험해 보세요",
        ),
        T::Theme => ("Switch light/dark theme", "라이트/다크 테마 전환"),
        T::Language => ("Language", "언어"),
        T::Help => ("Keyboard shortcuts (?)", "키보드 단축키 (?)"),
        T::Shortcuts => ("keyboard shortcuts", "키보드 단축키"),
        T::TerminalFiles => (
            "Files for kubectl -f in the terminal: - is the editor; each example is a file:",
            "터미널의 kubectl -f 로 읽을 수 있는 파일: - 는 편집기이고, 예제마다 파일이 있습니다:",
        ),
        T::Reset => ("Reset", "초기화"),
        T::ResetConfirm => (
            "Start a new cluster? The commands of this session are forgotten (export first to keep them).",
            "새 클러스터로 시작할까요? 이 세션의 명령은 사라집니다 (보관하려면 먼저 내보내기 하세요).",
        ),
        T::ForkConfirm => (
            "You are looking at the past. Running this forks history from here: later commands are dropped. Continue?",
            "지금은 과거 시점을 보고 있습니다. 실행하면 여기서부터 기록이 갈라지고 이후 명령은 버려집니다. 계속할까요?",
        ),
        T::Export => ("Export", "내보내기"),
        T::Import => ("Import", "가져오기"),
        T::Share => ("Share link", "링크 공유"),
        T::ShareCopied => ("The link in the address bar now carries this session.", "주소창의 링크에 이 세션이 담겼습니다."),
        T::Collapse => ("Collapse", "접기"),
        T::Expand => ("Expand", "펼치기"),
        T::CorruptSession => (
            "The saved session could not be read and was set aside; a new cluster was started.",
            "저장된 세션을 읽을 수 없어 따로 보관하고 새 클러스터를 시작했습니다.",
        ),
        T::Close => ("Close", "닫기"),
        T::RequestsInCommand => ("requests", "개 요청"),
        T::RequestInCommand => ("request", "개 요청"),
        T::NoRequests => (
            "No request reached the API server (kubectl stops before sending when it cannot read a manifest).",
            "API 서버에 도달한 요청이 없습니다 (kubectl은 매니페스트를 읽지 못하면 요청을 보내지 않습니다).",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// What a component is, in a sentence, for the map's tooltips.
pub fn explain_component(lang: Lang, id: &str) -> &'static str {
    let (en, ko) = match id {
        "kube-apiserver" => (
            "kube-apiserver: the only door to the cluster. Every request is authenticated, authorized, admitted, validated, then stored in etcd.",
            "kube-apiserver: 클러스터로 들어가는 유일한 문. 모든 요청은 인증, 인가, 어드미션, 검증을 거쳐 etcd에 저장됩니다.",
        ),
        "etcd" => (
            "etcd: the key-value store holding every object under /registry, each write a new revision.",
            "etcd: 모든 오브젝트를 /registry 아래에 보관하는 키-값 저장소. 쓰기마다 새 리비전이 생깁니다.",
        ),
        "kube-scheduler" => (
            "kube-scheduler: watches pods without a node, filters and scores the nodes, and binds each pod to the best one.",
            "kube-scheduler: 노드가 정해지지 않은 파드를 지켜보다가 노드를 거르고 점수를 매겨 가장 좋은 노드에 바인딩합니다.",
        ),
        "kube-controller-manager" => (
            "kube-controller-manager: the controllers (Deployment, ReplicaSet, Job, ...) that watch objects and act until reality matches the spec.",
            "kube-controller-manager: 오브젝트를 지켜보며 실제 상태가 spec과 같아질 때까지 움직이는 컨트롤러(Deployment, ReplicaSet, Job 등)의 묶음.",
        ),
        "kubelet" => (
            "kubelet: the node agent. It runs the pods bound to its node through the container runtime and reports their status.",
            "kubelet: 노드 에이전트. 자기 노드에 바인딩된 파드를 컨테이너 런타임으로 실행하고 상태를 보고합니다.",
        ),
        "kube-proxy" => (
            "kube-proxy: programs the node's iptables rules so traffic to a Service reaches one of its pods.",
            "kube-proxy: 서비스로 가는 트래픽이 파드 중 하나에 닿도록 노드의 iptables 규칙을 만듭니다.",
        ),
        "container-runtime" => (
            "container runtime: pulls images and starts containers for the kubelet.",
            "컨테이너 런타임: kubelet을 위해 이미지를 받고 컨테이너를 실행합니다.",
        ),
        "user" => ("you: kubectl sends your requests to kube-apiserver.", "나: kubectl이 내 요청을 kube-apiserver로 보냅니다."),
        _ => ("", ""),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// What an object kind on the map is, in a sentence, for its tooltip.
pub fn explain_kind(lang: Lang, kind: &str) -> &'static str {
    let (en, ko) = match kind {
        "Pod" => (
            "A Pod: one or more containers that run together on one node. The scheduler picks the node; that node's kubelet runs it.",
            "파드: 한 노드에서 함께 실행되는 하나 이상의 컨테이너. 스케줄러가 노드를 고르고 그 노드의 kubelet이 실행합니다.",
        ),
        "Node" => (
            "A Node: a machine whose kubelet registered it and renews its Lease; the scheduler places pods on the Ready ones.",
            "노드: kubelet이 등록하고 Lease를 갱신하는 머신. 스케줄러는 Ready 상태인 노드에 파드를 배치합니다.",
        ),
        "control-plane" => (
            "The control-plane node: it runs kube-apiserver, etcd, kube-scheduler and kube-controller-manager, and is tainted so ordinary pods go elsewhere.",
            "컨트롤 플레인 노드: kube-apiserver, etcd, kube-scheduler, kube-controller-manager를 실행하며, 일반 파드가 다른 곳으로 가도록 테인트가 걸려 있습니다.",
        ),
        _ => ("", ""),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// What a pipeline stage does, in a sentence.
pub fn explain_stage(lang: Lang, stage: &str) -> &'static str {
    let (en, ko) = match stage {
        "authentication" => ("Authentication: who is asking? (certificate, token, service account)", "인증: 누가 요청했는가? (인증서, 토큰, 서비스 어카운트)"),
        "authorization" => (
            "Authorization: may this user do this verb on this resource? RBAC looks for a binding and rule that allow it.",
            "인가: 이 사용자가 이 리소스에 이 동작을 해도 되는가? RBAC가 허용하는 바인딩과 규칙을 찾습니다.",
        ),
        "decode" => (
            "Decode: the body is parsed strictly (unknown fields fail) and defaults are filled in.",
            "디코딩: 본문을 엄격하게 해석하고(모르는 필드는 실패) 기본값을 채웁니다.",
        ),
        "mutating-admission" => (
            "Mutating admission: plugins may change the object (service account token volume, tolerations, limits...).",
            "변경 어드미션: 플러그인이 오브젝트를 바꿀 수 있습니다 (서비스 어카운트 토큰 볼륨, 톨러레이션, 리밋 등).",
        ),
        "validation" => ("Validation: the object must follow the API's rules (names, required fields, ranges).", "검증: 오브젝트가 API 규칙(이름, 필수 필드, 범위)을 지켜야 합니다."),
        "validating-admission" => (
            "Validating admission: policies that may only say yes or no (ResourceQuota, PodSecurity, ValidatingAdmissionPolicy).",
            "검증 어드미션: 허용 또는 거부만 하는 정책 (ResourceQuota, PodSecurity, ValidatingAdmissionPolicy).",
        ),
        "storage" => ("Storage: an etcd transaction writes the object at its key; the revision is its resourceVersion.", "저장: etcd 트랜잭션이 오브젝트를 키에 씁니다. 리비전이 곧 resourceVersion입니다."),
        _ => ("", ""),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_language_picks_korean() {
        assert_eq!(Lang::from_tag("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_tag("KO"), Lang::Ko);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }

    #[test]
    fn every_stage_and_component_is_explained_in_both() {
        for s in ["authentication", "authorization", "decode", "mutating-admission", "validation", "validating-admission", "storage"] {
            assert!(!explain_stage(Lang::En, s).is_empty() && !explain_stage(Lang::Ko, s).is_empty(), "{s}");
        }
        for c in ["kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager", "kubelet", "kube-proxy", "container-runtime", "user"] {
            assert!(!explain_component(Lang::En, c).is_empty() && !explain_component(Lang::Ko, c).is_empty(), "{c}");
        }
        for k in ["Pod", "Node", "control-plane"] {
            assert!(!explain_kind(Lang::En, k).is_empty() && !explain_kind(Lang::Ko, k).is_empty(), "{k}");
        }
        assert_ne!(tr(Lang::En, T::Apply), tr(Lang::Ko, T::Apply));
    }
}
