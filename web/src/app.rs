//! The page: a header with the user switcher, language, theme, session actions and help; the editor
//! on the left, the cluster map in the centre, the inspector on the right; the timeline and the
//! terminal below. Side panels can be collapsed and the columns resized by dragging the splitters.
//!
//! Side effects live here (timers for playback and for a running command's slices, files), in
//! `app/` (the browser calls, the starting session, the keyboard, the splitters) and in `hooks/`
//! (saving the session, the URL fragment, explain's documentation). The state (`state/`) is pure.

mod browser;
mod initial;
mod shortcuts;
mod splitter;

use crate::hooks::{explain_docs, share, storage};
use crate::i18n::{tr, Lang, T};
use crate::panic_banner;
use crate::state::{Action, Session, EXAMPLES, PERSONAS};
use crate::views::etcd_keys::{EtcdContext, MAX_KEY_HISTORY, MAX_WAL_ROWS};
use crate::views::{ClusterMap, CommandOutput, Editor, Help, Inspector, Tab, Timeline};
use browser::{confirm, download, now_ms, set_root_attr, window};
use gloo::timers::callback::{Interval, Timeout};
use initial::initial;
use splitter::start_drag;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Milliseconds between two steps when playing at 1×.
const PLAY_INTERVAL_MS: u32 = 600;
/// Trace records listed around the cursor in the timeline.
const STEPS_AROUND: u64 = 40;
/// Kernel events one slice of a running command may run at most; a slice normally ends by time
/// first (`state::SLICE_BUDGET_MS`, measured with the clock set below), leaving room for Yew's
/// render and the browser's paint in the same task (the goal is no task over 100 ms).
const SLICE_MAX_STEPS: usize = 20_000;


#[component]
pub fn App() -> Html {
    let notice = use_state(|| None::<String>);
    let state = {
        let notice = notice.clone();
        use_reducer(move || {
            // Slices of a running command end by time (state/run.rs); the page's clock.
            crate::state::set_slice_clock(now_ms);
            let (p, why) = initial();
            if let Some(why) = why {
                notice.set(Some(why));
            }
            p
        })
    };
    let lang = use_state(|| {
        storage::get_pref("kubeplay.lang")
            .map(|l| Lang::from_tag(&l))
            .or_else(|| window().and_then(|w| w.navigator().language()).map(|l| Lang::from_tag(&l)))
            .unwrap_or_default()
    });
    let dark = use_state(|| match storage::get_pref("kubeplay.theme").as_deref() {
        Some("dark") => true,
        Some(_) => false,
        None => window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches()),
    });
    let tab = use_state(|| Tab::Request);
    let playing = use_state(|| false);
    let speed = use_state(|| 1u32);
    let help = use_state(|| false);
    let collapsed_left = use_state(|| false);
    let collapsed_right = use_state(|| false);
    let widths = use_state(|| (32.0f64, 34.0f64));
    let diff = use_state(|| None::<(i64, i64)>);
    let chosen = use_state(|| 0usize);

    // A restored session with explain commands is replayed again once their documentation is in.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            if explain_docs::needed_by(state.session.inputs.iter().map(|i| i.line.as_str())) {
                let session = state.session.clone();
                explain_docs::when_ready("kubectl explain", move || state.dispatch(Action::Load(session)));
            }
        });
    }
    // The replayed session rendered: it does not crash the page (hooks/storage.rs).
    use_effect_with((), |_| storage::replayed());
    // Save the session whenever it changes (two slots, then the pointer: see hooks/storage.rs),
    // but only between commands: a command still running may yet crash the page, and the copy
    // the crash banner restores must be one that replays. The save waits for the next frame and
    // runs in a task of its own: serializing the session and localStorage's synchronous write
    // took up to 7 ms of the task that ends an Apply (0.9 ms at p95), before the map's paint.
    // When the session changes again first, the cleanup saves the pending copy at once, so every
    // copy that was due is still written, in order.
    {
        let notice = notice.clone();
        use_effect_with((state.session.clone(), state.running.is_some()), move |(session, running)| {
            let pending = Rc::new(RefCell::new((!*running).then(|| session.clone())));
            let save: Rc<dyn Fn()> = {
                let pending = pending.clone();
                Rc::new(move || {
                    if let Some(session) = pending.borrow_mut().take() {
                        if let Err(why) = storage::save(&session) {
                            notice.set(Some(why));
                        }
                    }
                })
            };
            // A hidden tab gets no frames (a command can end in a background tab): saved now.
            if window().and_then(|w| w.document()).is_some_and(|d| d.hidden()) {
                save();
            }
            let timer = Rc::new(RefCell::new(None::<Timeout>));
            let frame = pending.borrow().is_some().then(|| {
                let (timer, save) = (timer.clone(), save.clone());
                gloo::render::request_animation_frame(move |_| {
                    *timer.borrow_mut() = Some(Timeout::new(0, move || save()));
                })
            });
            move || {
                drop(frame);
                timer.borrow_mut().take();
                save();
            }
        });
    }
    {
        let l = *lang;
        use_effect_with(l, move |l| {
            set_root_attr("lang", l.code());
            storage::set_pref("kubeplay.lang", l.code());
            panic_banner::set_lang(*l);
        });
    }
    {
        let d = *dark;
        use_effect_with(d, move |d| {
            set_root_attr("data-theme", if *d { "dark" } else { "light" });
            storage::set_pref("kubeplay.theme", if *d { "dark" } else { "light" });
        });
    }
    // Playback: one step per tick until the newest record.
    {
        let state = state.clone();
        let playing_handle = playing.clone();
        use_effect_with((*playing, *speed), move |(on, speed)| {
            let timer = on.then(|| {
                let state = state.clone();
                Interval::new(PLAY_INTERVAL_MS / (*speed).max(1), move || state.dispatch(Action::StepForward))
            });
            let _ = playing_handle;
            move || drop(timer)
        });
    }
    // A command runs in slices (state/run.rs): one slice per browser task, the page painting and
    // answering keys in between, each slice ending once it has used its time budget.
    {
        let state = state.clone();
        let progress = state.running.as_ref().map(|r| (r.id, r.slices));
        use_effect_with(progress, move |progress| {
            let timer = progress.map(|_| Timeout::new(0, move || state.dispatch(Action::Continue(SLICE_MAX_STEPS))));
            move || drop(timer)
        });
    }
    {
        let playing = playing.clone();
        let live = state.cursor.is_none();
        use_effect_with(live, move |live| {
            if *live {
                playing.set(false);
            }
        });
    }

    let run_line = {
        let state = state.clone();
        let lang = *lang;
        Callback::from(move |line: String| {
            if line.trim() == panic_banner::DEBUG_PANIC {
                panic!("{}: a deliberate panic, to show the crash banner", panic_banner::DEBUG_PANIC);
            }
            if state.cursor.is_some() && !line.trim().is_empty() && !confirm(tr(lang, T::ForkConfirm)) {
                return;
            }
            // An explain may first need its documentation fetched (hooks/explain_docs.rs). The
            // command's first slice runs in the same task: one render for a quick command.
            let state = state.clone();
            explain_docs::when_ready(&line.clone(), move || {
                state.dispatch(Action::Run(line));
                state.dispatch(Action::Continue(SLICE_MAX_STEPS));
            });
        })
    };
    // The editor's callbacks stay the same object between renders (they change only with what
    // they read), so the editor, whose render highlights every line of the manifest, is skipped
    // when neither its text nor its diagnostics changed: an Apply's slices and every step of the
    // cursor no longer re-highlight it.
    let on_apply = {
        let state = state.clone();
        use_callback((state.cursor.is_some(), *lang), move |(), (stepping, lang)| {
            if *stepping && !confirm(tr(*lang, T::ForkConfirm)) {
                return;
            }
            state.dispatch(Action::Apply);
            state.dispatch(Action::Continue(SLICE_MAX_STEPS));
        })
    };
    let on_dry_run = {
        let state = state.clone();
        let lang = *lang;
        Callback::from(move |_: MouseEvent| {
            if state.cursor.is_some() && !confirm(tr(lang, T::ForkConfirm)) {
                return;
            }
            state.dispatch(Action::DryRun);
            state.dispatch(Action::Continue(SLICE_MAX_STEPS));
        })
    };
    let on_edit = {
        let state = state.clone();
        use_callback((), move |text: String, _| state.dispatch(Action::Edit(text)))
    };
    let on_example = {
        let state = state.clone();
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(i) = select.value().parse::<usize>().ok().filter(|i| *i < EXAMPLES.len()) {
                chosen.set(i);
                state.dispatch(Action::Edit(EXAMPLES[i].manifest.to_string()));
            }
        })
    };
    let on_persona = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            state.dispatch(Action::SwitchPersona(select.value()));
        })
    };
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            lang.set(Lang::from_tag(&select.value()));
        })
    };
    let on_theme = {
        let dark = dark.clone();
        Callback::from(move |_: MouseEvent| dark.set(!*dark))
    };
    let on_reset = {
        let state = state.clone();
        let lang = *lang;
        Callback::from(move |_: MouseEvent| {
            if confirm(tr(lang, T::ResetConfirm)) {
                storage::clear();
                state.dispatch(Action::Reset);
            }
        })
    };
    let on_export = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| download("kubeplay-session.json", &state.session.to_json()))
    };
    let on_import = {
        let state = state.clone();
        let notice = notice.clone();
        let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            if file.size() > crate::state::MAX_SESSION_BYTES as f64 {
                notice.set(Some(format!("The file is {} bytes; at most {} are accepted.", file.size(), crate::state::MAX_SESSION_BYTES)));
                return;
            }
            let state = state.clone();
            let notice = notice.clone();
            let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| match text.map_err(|e| e.to_string()).and_then(|t| Session::from_json(&t)) {
                Ok(session) => state.dispatch(Action::Load(session)),
                Err(why) => notice.set(Some(why)),
            });
            *reader.borrow_mut() = Some(task);
            input.set_value("");
        })
    };
    let on_share = {
        let state = state.clone();
        let notice = notice.clone();
        let lang = *lang;
        Callback::from(move |_: MouseEvent| match share::encode(&state.session) {
            Ok(fragment) => {
                if let Some(w) = window() {
                    let _ = w.location().set_hash(&fragment);
                }
                notice.set(Some(tr(lang, T::ShareCopied).to_string()));
            }
            Err(why) => notice.set(Some(why)),
        })
    };
    let dispatch = |a: Action| {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(a.clone()))
    };
    let on_seek = {
        let state = state.clone();
        Callback::from(move |seq: u64| state.dispatch(Action::Seek(seq)))
    };
    let on_play = {
        let playing = playing.clone();
        let state = state.clone();
        Callback::from(move |on: bool| {
            if on && state.cursor.is_none() {
                state.dispatch(Action::Seek(state.first_seq));
            }
            playing.set(on)
        })
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |v: u32| speed.set(v))
    };
    let on_select_key = {
        let state = state.clone();
        let tab = tab.clone();
        let diff = diff.clone();
        Callback::from(move |key: String| {
            diff.set(None);
            state.dispatch(Action::SelectKey(key));
            tab.set(Tab::Object);
        })
    };
    let on_tab = {
        let tab = tab.clone();
        Callback::from(move |t: Tab| tab.set(t))
    };
    let on_compare = {
        let diff = diff.clone();
        Callback::from(move |pair: (i64, i64)| diff.set(Some(pair)))
    };
    let on_seek_request = {
        let state = state.clone();
        let tab = tab.clone();
        Callback::from(move |seq: u64| {
            state.dispatch(Action::Seek(seq));
            tab.set(Tab::Request);
        })
    };

    // The etcd browser's history, revision control and WAL (see views/etcd_keys.rs).
    let etcd_context = {
        let view_revision = state.view.revision;
        let on_revision = {
            let state = state.clone();
            Callback::from(move |revision: i64| match state.seq_at_revision(revision) {
                Some(seq) => state.dispatch(Action::Seek(seq)),
                None => state.dispatch(Action::Live),
            })
        };
        let history = {
            let state = state.clone();
            Callback::from(move |key: String| state.key_history(&key, view_revision, MAX_KEY_HISTORY))
        };
        let wal = {
            let state = state.clone();
            Callback::from(move |()| state.wal_rows(view_revision, MAX_WAL_ROWS))
        };
        let watches = {
            let state = state.clone();
            let cursor = state.cursor;
            Callback::from(move |()| state.watch_streams(cursor))
        };
        let on_compare = {
            let state = state.clone();
            let tab = tab.clone();
            let diff = diff.clone();
            Callback::from(move |(key, a, b): (String, i64, i64)| {
                state.dispatch(Action::SelectKey(key));
                diff.set(Some((a, b)));
                tab.set(Tab::Object);
            })
        };
        EtcdContext { current: state.revision, compacted: state.compact_revision(), raft: state.raft_log(), on_revision, history, wal, watches, on_compare }
    };
    shortcuts::use_shortcuts(state.clone(), playing.clone(), help.clone(), tab.clone(), dark.clone(), lang.clone());

    let l = *lang;
    let status = match &state.last {
        _ if state.running.is_some() => {
            let steps = state.running.as_ref().map_or(0, |r| r.steps);
            html! { <span class="status running" id="status" title={format!("{steps} kernel events so far")}>{ tr(l, T::Running) }</span> }
        }
        Some((_, out)) if out.success() => html! { <span class="status ok" id="status">{ tr(l, T::Applied) }</span> },
        Some(_) => html! { <span class="status failed" id="status">{ tr(l, T::Failed) }</span> },
        None => html! {},
    };
    let diff_texts = diff.and_then(|(a, b)| {
        let key = state.selected_key.clone()?;
        Some((a, b, state.value_at(&key, a), state.value_at(&key, b)))
    });
    let at = state.cursor.unwrap_or(state.last_seq);
    let left_w = if *collapsed_left { "36px".to_string() } else { format!("{:.1}%", widths.0) };
    let right_w = if *collapsed_right { "36px".to_string() } else { format!("{:.1}%", widths.1) };
    let history: Vec<String> = state.session.inputs.iter().map(|i| i.line.clone()).collect();
    let shown_notice = (*notice).clone().or_else(|| state.notice.clone());
    let close_notice = {
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| notice.set(None))
    };
    let toggle = |h: &UseStateHandle<bool>| {
        let h = h.clone();
        Callback::from(move |_: MouseEvent| h.set(!*h))
    };
    html! {
        <div class="app" data-lang={l.code()} data-running={state.running.is_some().to_string()}>
            <header>
                <h1>{ "kubeplay" }</h1>
                <span class="tagline">{ tr(l, T::Tagline) }</span>
                <span class="spacer"></span>
                <label class="persona" title={tr(l, T::UserTitle)}>{ tr(l, T::User) }
                    <select id="persona" onchange={on_persona}>
                        { for PERSONAS.iter().map(|p| html! {
                            <option value={p.id} selected={p.id == state.persona.id} title={if l == Lang::Ko { p.about.1 } else { p.about.0 }}>
                                { if p.user.is_empty() { "kubernetes-admin" } else { p.user } }
                            </option>
                        }) }
                    </select>
                </label>
                <select id="lang" onchange={on_lang} title={tr(l, T::Language)}>
                    <option value="en" selected={l == Lang::En}>{ "English" }</option>
                    <option value="ko" selected={l == Lang::Ko}>{ "한국어" }</option>
                </select>
                <button id="theme" class="icon" onclick={on_theme} title={tr(l, T::Theme)}>{ if *dark { "☀" } else { "☾" } }</button>
                <button id="export" class="icon" onclick={on_export}>{ tr(l, T::Export) }</button>
                <label class="icon file" id="import-label">{ tr(l, T::Import) }<input id="import" type="file" accept=".json,application/json" onchange={on_import} /></label>
                <button id="share" class="icon" onclick={on_share}>{ tr(l, T::Share) }</button>
                <button id="reset" class="icon" onclick={on_reset}>{ tr(l, T::Reset) }</button>
                <button id="help-button" class="icon" onclick={toggle(&help)} title={tr(l, T::Help)}>{ "?" }</button>
            </header>
            if let Some(text) = shown_notice {
                <div class="notice" id="notice">{ text }<button class="small" onclick={close_notice}>{ "×" }</button></div>
            }
            <main style={format!("grid-template-columns: {left_w} 6px minmax(0, 1fr) 6px {right_w}")}>
                <section class={classes!("panel", "editor-panel", collapsed_left.then_some("collapsed"))}>
                    <div class="toolbar">
                        <button class="collapse" onclick={toggle(&collapsed_left)} title={tr(l, if *collapsed_left { T::Expand } else { T::Collapse })}>{ if *collapsed_left { "»" } else { "«" } }</button>
                        <h2>{ tr(l, T::Manifest) }</h2>
                        <button id="dry-run" onclick={on_dry_run} title={tr(l, T::DryRunTitle)}>{ tr(l, T::DryRun) }</button>
                        <button id="apply" class="primary" onclick={let a = on_apply.clone(); Callback::from(move |_: MouseEvent| a.emit(()))} title={tr(l, T::ApplyTitle)}>{ tr(l, T::Apply) }</button>
                        { status }
                    </div>
                    <div class="examples-row">
                        <select id="examples" onchange={on_example} title={tr(l, T::ExamplesTitle)}>
                            { for EXAMPLES.iter().enumerate().map(|(i, x)| html! { <option value={i.to_string()} selected={i == *chosen}>{ x.title }</option> }) }
                        </select>
                    </div>
                    <p class="explanation" id="explanation">{ EXAMPLES.get(*chosen).map_or("", |x| if l == Lang::Ko { x.why.1 } else { x.why.0 }) }</p>
                    <Editor text={state.editor.clone()} diagnostics={state.diagnostics().to_vec()} {on_edit} on_apply={on_apply.clone()} />
                </section>
                <div class="splitter" onmousedown={start_drag(&widths, 0)} title="drag to resize"></div>
                <ClusterMap nodes={state.view.nodes.clone()} active={state.view.active.clone()} path={state.view.path.clone()} lang={l}
                    on_select={on_select_key.clone()} on_command={run_line.clone()} />
                <div class="splitter" onmousedown={start_drag(&widths, 1)} title="drag to resize"></div>
                <div class={classes!("right", collapsed_right.then_some("collapsed"))}>
                    <button class="collapse" onclick={toggle(&collapsed_right)} title={tr(l, if *collapsed_right { T::Expand } else { T::Collapse })}>{ if *collapsed_right { "«" } else { "»" } }</button>
                    <ContextProvider<EtcdContext> context={etcd_context}>
                    <Inspector tab={*tab} {on_tab} lang={l} cursor={state.cursor} request={state.view.request.clone()} caused={state.view.caused.clone()}
                        requests={state.requests.clone()} keys={state.view.keys.clone()} revision={state.view.revision}
                        changed_since={state.revision_before_last} object={state.view.object.clone()} diff={diff_texts} scheduling={state.view.scheduling.clone()}
                        on_select_key={on_select_key.clone()} on_seek={on_seek_request} {on_compare} />
                    </ContextProvider<EtcdContext>>
                </div>
            </main>
            <footer>
                <Timeline lang={l} first={state.first_seq} last={state.last_seq} cursor={state.cursor}
                    steps={state.steps_near(at, STEPS_AROUND)} playing={*playing} speed={*speed}
                    on_seek={on_seek.clone()} on_back={dispatch(Action::StepBack)} on_forward={dispatch(Action::StepForward)}
                    on_prev_request={dispatch(Action::PrevRequest)} on_next_request={dispatch(Action::NextRequest)}
                    on_live={dispatch(Action::Live)} {on_play} {on_speed} />
                <CommandOutput transcript={state.transcript.clone()} {history} keys={state.view.keys.clone()} lang={l} on_run={run_line.clone()}
                    busy={state.watching.is_some()} on_interrupt={let s = state.clone(); Callback::from(move |()| s.dispatch(Action::Interrupt))} />
            </footer>
            if *help {
                <Help lang={l} on_close={let h = help.clone(); Callback::from(move |()| h.set(false))} />
            }
        </div>
    }
}
