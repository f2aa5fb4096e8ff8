//! The manifest editor: a textarea over a YAML-coloured copy of its text, a line-number gutter,
//! Ctrl+Enter to apply, Tab inserting spaces, its own undo and redo (Ctrl+Z, Ctrl+Shift+Z or
//! Ctrl+Y; the browser's native undo forgets edits made from code, such as Tab), and each
//! diagnostic shown beside the line it points at.
//!
//! The textarea grows to fit its text and the surrounding box scrolls, so the gutter and the
//! markers share one coordinate system with the text and never drift out of line.

use crate::state::highlight::highlight_line;
use kubeplay::api::Diagnostic;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Pixel height of one editor line; `style.css` uses the same value.
const LINE_PX: usize = 20;
/// Undo steps kept.
const MAX_UNDO: usize = 200;

/// The editor's undo and redo stacks of whole texts (manifests are small).
#[derive(Default)]
struct History {
    undo: Vec<String>,
    redo: Vec<String>,
}

impl History {
    fn record(&mut self, before: &str) {
        if self.undo.last().map(String::as_str) != Some(before) {
            self.undo.push(before.to_string());
            if self.undo.len() > MAX_UNDO {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    pub on_edit: Callback<String>,
    pub on_apply: Callback<()>,
}

#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let lines = props.text.split('\n').count().max(1);
    let history: Rc<RefCell<History>> = use_mut_ref(History::default);
    let oninput = {
        let on_edit = props.on_edit.clone();
        let history = history.clone();
        let before = props.text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            history.borrow_mut().record(&before);
            on_edit.emit(area.value());
        })
    };
    let onkeydown = {
        let on_apply = props.on_apply.clone();
        let on_edit = props.on_edit.clone();
        let history = history.clone();
        let current = props.text.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key().to_ascii_lowercase();
            let ctrl = e.ctrl_key() || e.meta_key();
            if e.key() == "Enter" && ctrl {
                e.prevent_default();
                on_apply.emit(());
            } else if ctrl && (key == "z" || key == "y") {
                e.prevent_default();
                let mut h = history.borrow_mut();
                let redo = key == "y" || e.shift_key();
                let next = if redo { h.redo.pop() } else { h.undo.pop() };
                if let Some(text) = next {
                    if redo {
                        h.undo.push(current.clone());
                    } else {
                        h.redo.push(current.clone());
                    }
                    on_edit.emit(text);
                }
            } else if e.key() == "Tab" && !e.shift_key() {
                // Tab inserts two spaces: YAML forbids tabs in indentation.
                e.prevent_default();
                let area: HtmlTextAreaElement = e.target_unchecked_into();
                let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
                let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
                let value = area.value();
                let chars: Vec<char> = value.chars().collect();
                let (start, end) = (start.min(chars.len()), end.min(chars.len()));
                let text: String = chars[..start].iter().chain("  ".chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
                area.set_value(&text);
                let caret = (start + 2) as u32;
                let _ = area.set_selection_range(caret, caret);
                history.borrow_mut().record(&current);
                on_edit.emit(text);
            }
        })
    };
    let bad_lines: Vec<usize> = props.diagnostics.iter().map(|d| d.line).collect();
    let gutter = (1..=lines).map(|n| {
        let class = classes!("gutter-line", bad_lines.contains(&n).then_some("gutter-error"));
        html! { <div class={class}>{ n }</div> }
    });
    let text_lines: Vec<&str> = props.text.split('\n').collect();
    let markers = props.diagnostics.iter().map(|d| {
        let top = (d.line.saturating_sub(1)) * LINE_PX;
        // Just past the end of the offending line's text, in character cells.
        let after = text_lines.get(d.line.saturating_sub(1)).map_or(0, |l| display_width(l)) + 3;
        let first = d.message.lines().next().unwrap_or("").to_string();
        html! {
            <div class="diagnostic" style={format!("top: {top}px; left: calc({after}ch + 10px)")} title={d.message.clone()}
                 data-line={d.line.to_string()} data-column={d.column.to_string()}>
                <span>{ format!("{}:{} {}", d.line, d.column, first) }</span>
            </div>
        }
    });
    let coloured = text_lines.iter().map(|line| {
        let spans = highlight_line(line);
        html! { <div class="hl-line">{ for spans.into_iter().map(|s| html! { <span class={classes!("hl", s.class)}>{ s.text }</span> }) }{ "\u{200b}" }</div> }
    });
    let width = text_lines.iter().map(|l| display_width(l)).max().unwrap_or(0) + 4;
    let height = lines * LINE_PX + 2 * LINE_PX;
    html! {
        <div class="editor-scroll">
            <div class="editor" style={format!("height: {height}px")}>
                <div class="gutter" aria-hidden="true">{ for gutter }</div>
                <div class="highlight" aria-hidden="true">{ for coloured }</div>
                <textarea id="manifest" class="code" spellcheck="false" wrap="off"
                    style={format!("width: {width}ch")}
                    aria-label="Manifest (YAML or JSON)" value={props.text.clone()}
                    {oninput} {onkeydown} />
                <div class="markers">{ for markers }</div>
            </div>
        </div>
    }
}

/// Columns a line takes in a monospace font: wide (CJK, Hangul) characters take two, tabs
/// advance to the next multiple of two as the editor's `tab-size` does.
fn display_width(line: &str) -> usize {
    line.chars().fold(0, |w, c| match c {
        '\t' => w + 2 - w % 2,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FF60}' => w + 2,
        _ => w + 1,
    })
}
