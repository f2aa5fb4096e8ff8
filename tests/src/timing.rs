//! Timing the page from the test's side, shared by `ui_bench.rs` and `browser_bench.rs`: run a
//! piece of JavaScript (a click, a key) and measure with `performance.now()` until the page shows
//! its outcome.
//!
//! "Shows" is the paint of the frame that has it. The outcome is polled once per animation frame
//! (a command runs in slices, web/src/state/run.rs); a frame's `requestAnimationFrame` callbacks
//! run just before its rendering, so a DOM change made before or in them is painted at the end of
//! that frame, and a zero-delay timeout queued from the frame's callback runs right after that
//! paint. Until session 16 the benchmarks waited two more animation frames instead, so every
//! figure carried one or two frames (17–33 ms at 60 Hz) past the paint; that figure is still
//! measured beside the new one, to compare with the earlier runs in BENCHMARKS.md.

use fantoccini::Client;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs `BODY`, polls `UNTIL` (synchronously once, then every animation frame), and answers
/// `[to_paint, to_two_frames, longest_task, tasks_over_50ms, body, body_task, until]`, in ms from
/// the body's start.
const TIMED: &str = "
const done = arguments[arguments.length - 1];
const tasks = [];
let obs = null;
try { obs = new PerformanceObserver(l => l.getEntries().forEach(e => tasks.push(e.duration))); obs.observe({ entryTypes: ['longtask'] }); } catch (_) {}
const t0 = performance.now();
(function () { BODY })();
const ts = performance.now();
let tr = 0;
queueMicrotask(() => { tr = performance.now(); });
let tu = 0, tp = 0;
const painted = () => setTimeout(() => { tp = performance.now(); }, 0);
const finish = (inFrame) => {
  tu = performance.now();
  if (inFrame) { painted(); } else { requestAnimationFrame(painted); }
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const t2 = performance.now();
    setTimeout(() => { if (obs) obs.disconnect(); done([tp - t0, t2 - t0, tasks.length ? Math.max(...tasks) : 0, tasks.length, ts - t0, tr - t0, tu - t0]); }, 0);
  }));
};
const poll = (inFrame) => { if (UNTIL) { finish(inFrame); } else { requestAnimationFrame(() => poll(true)); } };
poll(false);
";

/// What [`timed_until`] measured, in ms from the body's start.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timed {
    /// Until the frame that shows the outcome has painted.
    pub ms: f64,
    /// Until the second animation frame after the one at which the outcome was seen (the
    /// benchmarks' figure before session 16).
    pub two_frames_ms: f64,
    /// The longest task in between (Long Tasks API: only tasks over 50 ms are reported).
    pub longest: f64,
    pub long_tasks: f64,
    /// The body's synchronous part: for a click or a key, the page's reducers (for an Apply, the
    /// first slice of the run, which is the whole run of most corpus manifests, and the views'
    /// refresh). Yew renders after it, in the same task's microtasks.
    pub task_ms: f64,
    /// The body and Yew's render after it: Yew's scheduler runs in a microtask the body queued
    /// (wasm-bindgen-futures drains its queue in one), so a microtask queued after the body runs
    /// when the render is done, unless the scheduler yielded to the browser past its 16 ms.
    pub rendered_ms: f64,
    /// Until the outcome was seen (synchronously after the body, or at an animation frame).
    pub seen_ms: f64,
}

/// Runs `body` and measures until `until` (a JavaScript expression) holds and is painted.
pub async fn timed_until(c: &Client, body: &str, until: &str) -> Result<Timed, String> {
    let v: Value = c.execute_async(&TIMED.replace("BODY", body).replace("UNTIL", until), vec![]).await.map_err(|e| e.to_string())?;
    let [ms, two_frames_ms, longest, long_tasks, task_ms, rendered_ms, seen_ms]: [f64; 7] = serde_json::from_value(v).map_err(|e| e.to_string())?;
    Ok(Timed { ms, two_frames_ms, longest, long_tasks, task_ms, rendered_ms, seen_ms })
}

/// The page's command is over and its outcome is on the status line.
pub const RUN_OVER: &str = "document.querySelector('.app').dataset.running === 'false' && document.querySelector('#status.ok, #status.failed')";

/// Puts `yaml` into the editor and presses Apply: the timings until the map shows the outcome,
/// and whether it applied.
pub async fn apply(c: &Client, yaml: &str) -> Result<(Timed, bool), String> {
    c.execute(
        "const t = document.getElementById('manifest'); t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::json!(yaml)],
    )
    .await
    .map_err(|e| e.to_string())?;
    let t = timed_until(c, "document.getElementById('apply').click();", RUN_OVER).await?;
    let ok = c.execute("return !!document.querySelector('#status.ok');", vec![]).await.map_err(|e| e.to_string())?;
    Ok((t, ok == serde_json::json!(true)))
}

/// A fresh session (the Reset button, its confirmation answered yes).
pub async fn reset(c: &Client) -> Result<(), String> {
    c.execute("window.confirm = () => true; document.getElementById('reset').click();", vec![]).await.map_err(|e| e.to_string())?;
    timed_until(c, "", "!document.querySelector('#status') && document.querySelector('.app').dataset.running === 'false'").await.map(|_| ())
}

/// The YAML files under `dir`, in path order.
pub fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            corpus_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The `p` quantile of sorted figures (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// `p50 X ms, p95 Y ms` of sorted figures.
pub fn p50_p95(sorted: &[f64]) -> String {
    format!("p50 {:.1} ms, p95 {:.1} ms", percentile(sorted, 0.5), percentile(sorted, 0.95))
}
