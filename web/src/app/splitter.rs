//! The splitters between the editor, the map and the inspector: dragging one sets a side
//! column's width in percent of the window (bounded so no panel disappears).

use super::browser::window;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The mousedown handler of splitter `side` (0: left of the map, 1: right of it); `widths` is
/// (left, right) in percent.
pub fn start_drag(widths: &UseStateHandle<(f64, f64)>, side: u8) -> Callback<MouseEvent> {
    let widths = widths.clone();
    Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        let widths = widths.clone();
        let Some(w) = window() else { return };
        let total = w.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1280.0).max(1.0);
        let moving = std::rc::Rc::new(std::cell::RefCell::new(None::<(EventListener, EventListener)>));
        let stop = moving.clone();
        let mv = EventListener::new(&w, "mousemove", move |ev| {
            let Some(ev) = ev.dyn_ref::<MouseEvent>() else { return };
            let x = f64::from(ev.client_x()) / total * 100.0;
            let (l, r) = *widths;
            widths.set(if side == 0 { (x.clamp(18.0, 50.0), r) } else { (l, (100.0 - x).clamp(20.0, 55.0)) });
        });
        let up = EventListener::new(&w, "mouseup", move |_| {
            stop.borrow_mut().take();
        });
        *moving.borrow_mut() = Some((mv, up));
    })
}
