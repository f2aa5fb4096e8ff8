//! The timeline: step back and forward one trace record, jump between requests, play and pause at
//! a chosen speed, and a scrubber over the whole history. Below the controls, the records around
//! the cursor as the trace prints them; clicking one moves the cursor there.

use crate::i18n::{tr, Lang, T};
use crate::state::{Step, StepKind};
use kubeplay::trace::Verdict;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub lang: Lang,
    pub first: u64,
    pub last: u64,
    /// `None`: following the newest record.
    pub cursor: Option<u64>,
    pub steps: Vec<Step>,
    pub playing: bool,
    pub speed: u32,
    pub on_seek: Callback<u64>,
    pub on_back: Callback<()>,
    pub on_forward: Callback<()>,
    pub on_prev_request: Callback<()>,
    pub on_next_request: Callback<()>,
    pub on_live: Callback<()>,
    pub on_play: Callback<bool>,
    pub on_speed: Callback<u32>,
}

fn kind_class(k: StepKind) -> &'static str {
    match k {
        StepKind::Command => "k-command",
        StepKind::Request => "k-request",
        StepKind::Stage(Verdict::Rejected) => "k-rejected",
        StepKind::Stage(Verdict::Changed) => "k-changed",
        StepKind::Stage(_) => "k-stage",
        StepKind::Write => "k-write",
        StepKind::Response(true) => "k-ok",
        StepKind::Response(false) => "k-bad",
        StepKind::Other => "k-other",
    }
}

#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let lang = props.lang;
    let at = props.cursor.unwrap_or(props.last);
    let list = use_node_ref();
    {
        // Keep the current record in the middle of the list. Reading offsets lays the page out, so
        // it waits for the next frame, which lays it out anyway: a running command's slices and
        // a burst of steps in one frame then cost one layout, not one each (a newer cursor
        // cancels the frame asked for an older one).
        let list = list.clone();
        use_effect_with(at, move |_| {
            let frame = gloo::render::request_animation_frame(move |_| {
                if let Some(ol) = list.cast::<web_sys::HtmlElement>() {
                    if let Ok(Some(current)) = ol.query_selector(".current") {
                        if let Ok(current) = current.dyn_into::<web_sys::HtmlElement>() {
                            // A row's offsets are from the list itself when the list is contained
                            // (views::CONTAINED makes it the rows' offset parent), else from the page.
                            let own = current.offset_parent().is_some_and(|p| wasm_bindgen::JsValue::from(p) == wasm_bindgen::JsValue::from(ol.clone()));
                            let base = if own { 0 } else { ol.offset_top() };
                            ol.set_scroll_top(current.offset_top() - base - ol.client_height() / 2);
                        }
                    }
                }
            });
            move || drop(frame)
        });
    }
    let button = |id: &'static str, label: &'static str, title: T, cb: Callback<()>| {
        html! { <button {id} class="small" title={tr(lang, title)} onclick={Callback::from(move |_: MouseEvent| cb.emit(()))}>{ label }</button> }
    };
    let oninput = {
        let on_seek = props.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<u64>() {
                on_seek.emit(v);
            }
        })
    };
    let play = {
        let on_play = props.on_play.clone();
        let playing = props.playing;
        Callback::from(move |_: MouseEvent| on_play.emit(!playing))
    };
    let speed = {
        let on_speed = props.on_speed.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<u32>() {
                on_speed.emit(v);
            }
        })
    };
    let rows = props.steps.iter().map(|s| {
        let on_seek = props.on_seek.clone();
        let seq = s.seq;
        let class = classes!("step", kind_class(s.kind), (s.seq == at).then_some("current"));
        // Keyed by record: a step shifts the window by one record, and only that row is added
        // and one removed, instead of every row's text rewritten.
        html! { <li key={seq} {class} data-seq={seq.to_string()} onclick={Callback::from(move |_: MouseEvent| on_seek.emit(seq))}>{ &s.text }</li> }
    });
    html! {
        <section class="panel timeline" id="timeline">
            <div class="timeline-controls">
                <h2>{ tr(lang, T::Timeline) }</h2>
                { button("prev-request", "«", T::PrevRequest, props.on_prev_request.clone()) }
                { button("step-back", "‹", T::StepBack, props.on_back.clone()) }
                <button id="play" class="small" onclick={play} title={tr(lang, if props.playing { T::Pause } else { T::Play })}>{ if props.playing { "||" } else { "▶" } }</button>
                { button("step-forward", "›", T::StepForward, props.on_forward.clone()) }
                { button("next-request", "»", T::NextRequest, props.on_next_request.clone()) }
                <button id="live" class={classes!("small", props.cursor.is_none().then_some("on"))} title={tr(lang, T::LiveTitle)}
                    onclick={let cb = props.on_live.clone(); Callback::from(move |_: MouseEvent| cb.emit(()))}>{ tr(lang, T::Live) }</button>
                <label class="speed">{ tr(lang, T::Speed) }
                    <select id="speed" onchange={speed}>
                        { for [1u32, 2, 5, 10, 25].iter().map(|v| html! { <option value={v.to_string()} selected={*v == props.speed}>{ format!("{v}×") }</option> }) }
                    </select>
                </label>
                <span class="cursor" id="cursor">{ format!("{} #{at} / #{}", tr(lang, T::AsOfRecord), props.last) }</span>
            </div>
            <input id="scrubber" type="range" min={props.first.to_string()} max={props.last.to_string()} value={at.to_string()} {oninput} aria-label="timeline scrubber" />
            <ol class="steps" style={super::CONTAINED} ref={list}>{ for rows }</ol>
        </section>
    }
}
