//! The `?` overlay: every keyboard shortcut of the page.

use crate::i18n::{tr, Lang, T};
use yew::prelude::*;

/// (keys, English, Korean).
pub const SHORTCUTS: &[(&str, &str, &str)] = &[
    ("Ctrl+Enter", "apply the editor's manifest", "편집기의 매니페스트 적용"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo in the editor", "편집기 실행 취소 / 다시 실행"),
    ("←  →", "step back / forward one trace record", "기록 한 단계 뒤로 / 앞으로"),
    ("Shift+←  Shift+→", "previous / next request", "이전 / 다음 요청"),
    ("Space", "play / pause", "재생 / 일시 정지"),
    ("End", "back to live", "실시간으로 돌아가기"),
    ("1  2  3", "inspector: request / etcd / object", "인스펙터: 요청 / etcd / 오브젝트"),
    ("t", "light / dark theme", "라이트 / 다크 테마"),
    ("l", "English / 한국어", "English / 한국어"),
    ("/", "focus the terminal", "터미널로 이동"),
    ("↑  ↓  Tab", "terminal history and completion", "터미널 기록과 자동 완성"),
    ("?  Esc", "show / hide this help", "이 도움말 보이기 / 숨기기"),
];

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub lang: Lang,
    pub on_close: Callback<()>,
}

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let rows = SHORTCUTS.iter().map(|(keys, en, ko)| {
        html! { <tr><td><kbd>{ *keys }</kbd></td><td>{ if props.lang == Lang::Ko { *ko } else { *en } }</td></tr> }
    });
    html! {
        <div class="overlay" id="help" onclick={close.clone()}>
            <div class="dialog" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2>{ tr(props.lang, T::Shortcuts) }</h2>
                <table>{ for rows }</table>
                <p class="help-files">{ tr(props.lang, T::TerminalFiles) }{ " " }
                    { for crate::state::EXAMPLES.iter().map(|e| html! { <><code>{ e.file_name() }</code>{ " " }</> }) }
                </p>
                <button class="small" onclick={close}>{ tr(props.lang, T::Close) }</button>
            </div>
        </div>
    }
}
