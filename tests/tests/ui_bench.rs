//! The page's responsiveness, measured in headless Chromium with `performance.now()` and the Long
//! Tasks API: a 10-replica Deployment applied to the default cluster, then single steps back and
//! forward through the trace. Prints the figures and writes them to `target/e2e/ui-bench.txt`
//! (BENCHMARKS.md records them from a release build). As a test it checks only that the work ran
//! and that its result is right — the figures are measurements, not assertions.
//!
//! With `KUBEPLAY_UI_BENCH_MANY=1` it also measures what `make bench-browser` records for issue 8's
//! UI goals, without the rest of that run: a 1,000-replica Deployment applied to a reset session,
//! frame times stepping the trace one record a frame with its pods on the map, and Apply to map for
//! the first `KUBEPLAY_UI_BENCH_CORPUS` corpus manifests (default 60; `KUBEPLAY_CORPUS` is the dir).
//!
//! Each figure runs until the frame that shows the outcome has painted; the figure as measured
//! before session 16 (two animation frames later) is printed beside it (`tests/src/timing.rs`).

use fantoccini::{Client, Locator};
use kubeplay_e2e::harness::{dist_dir, open_browser, screenshot_dir, serve_dir, start_chromedriver};
use kubeplay_e2e::timing::{apply, corpus_files, p50_p95, percentile, reset, timed_until, Timed};
use std::time::Duration;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 10
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

/// Steps timed in each direction.
const STEPS: usize = 60;

/// Runs `body` and measures until the page has painted its effect (nothing to wait for).
async fn timed(c: &Client, body: &str) -> Result<Timed, String> {
    timed_until(c, body, "true").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_and_apply_timings() {
    let base = serve_dir(dist_dir());
    let driver = start_chromedriver();
    let c = open_browser(&driver).await;
    let result = measure(&c, &base).await;
    let _ = c.close().await;
    drop(driver);
    let report = result.unwrap();
    println!("{report}");
    std::fs::write(screenshot_dir().join("ui-bench.txt"), report).expect("write ui-bench.txt");
}

async fn measure(c: &Client, base: &str) -> Result<String, String> {
    let load_start = std::time::Instant::now();
    c.goto(base).await.map_err(|e| e.to_string())?;
    c.wait().at_most(Duration::from_secs(60)).for_element(Locator::Id("apply")).await.map_err(|e| e.to_string())?;
    let interactive_ms = load_start.elapsed().as_secs_f64() * 1000.0;
    c.execute("localStorage.clear();", vec![]).await.map_err(|e| e.to_string())?;
    c.refresh().await.map_err(|e| e.to_string())?;
    c.wait().at_most(Duration::from_secs(60)).for_element(Locator::Id("apply")).await.map_err(|e| e.to_string())?;
    c.execute(
        "const t = document.getElementById('manifest'); t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::json!(DEPLOYMENT)],
    )
    .await
    .map_err(|e| e.to_string())?;

    // The apply is over when the page says so (data-running) and the status shows its outcome.
    let Timed { ms: apply_ms, longest: apply_longest, long_tasks: apply_long_tasks, .. } = timed_until(
        c,
        "document.getElementById('apply').click();",
        "document.querySelector('.app').dataset.running === 'false' && document.querySelector('#status.ok')",
    )
    .await?;
    let running = c
        .execute("return [...document.querySelectorAll('#cluster-map .pod[data-status=\"Running\"]')].filter(p => p.dataset.pod.startsWith('web-')).length;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(running.as_u64(), Some(10), "the apply brought up ten running pods");
    let records = c.execute("return document.getElementById('cursor').innerText;", vec![]).await.map_err(|e| e.to_string())?;

    let key = |k: &str, shift: bool| {
        format!("document.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{k}', shiftKey: {shift}, bubbles: true }}));")
    };
    let (mut steps, mut step_tasks, mut steps_two_frames) = (Vec::new(), Vec::new(), Vec::new());
    let mut step_rendered = Vec::new();
    let mut longest: f64 = 0.0;
    for direction in ["ArrowLeft", "ArrowRight"] {
        for _ in 0..STEPS {
            let t = timed(c, &key(direction, false)).await?;
            steps.push(t.ms);
            step_tasks.push(t.task_ms);
            step_rendered.push(t.rendered_ms);
            steps_two_frames.push(t.two_frames_ms);
            longest = longest.max(t.longest);
        }
    }
    let mut requests = Vec::new();
    for _ in 0..20 {
        let t = timed(c, &key("ArrowLeft", true)).await?;
        requests.push(t.ms);
        longest = longest.max(t.longest);
    }
    let cursor = c.execute("return document.getElementById('cursor').innerText;", vec![]).await.map_err(|e| e.to_string())?;
    assert!(cursor.as_str().is_some_and(|s| s.contains('#')), "the cursor moved: {cursor}");
    for v in [&mut steps, &mut step_tasks, &mut step_rendered, &mut steps_two_frames, &mut requests] {
        v.sort_by(f64::total_cmp);
    }
    let many = if std::env::var("KUBEPLAY_UI_BENCH_MANY").is_ok_and(|v| v == "1") { many(c).await? } else { String::new() };
    Ok(format!(
        "ui-bench (headless Chromium, {base})\n\
         page interactive after load: {interactive_ms:.0} ms\n\
         apply of a 10-replica Deployment until the map shows it: {apply_ms:.1} ms (longest task {apply_longest:.0} ms, {apply_long_tasks} tasks over 50 ms); trace {}\n\
         one step (record), {} steps, until painted: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; its reducer {}, with the render {}; to the second frame after, {}\n\
         one request jump, {} jumps: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms\n\
         longest task while stepping: {longest:.0} ms\n{many}",
        records.as_str().unwrap_or(""),
        steps.len(),
        percentile(&steps, 0.5),
        percentile(&steps, 0.95),
        steps.last().copied().unwrap_or(0.0),
        p50_p95(&step_tasks),
        p50_p95(&step_rendered),
        p50_p95(&steps_two_frames),
        requests.len(),
        percentile(&requests, 0.5),
        percentile(&requests, 0.95),
        requests.last().copied().unwrap_or(0.0),
    ))
}

const MANY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: many\nspec:\n  replicas: 1000\n  selector:\n    matchLabels: {app: many}\n  template:\n    metadata:\n      labels: {app: many}\n    spec:\n      containers:\n      - name: pause\n        image: registry.k8s.io/pause:3.10.1\n";

/// Frame deltas (requestAnimationFrame) while stepping one record a frame, 60 back then 60
/// forward, twice: what browser_bench.rs measures as "stepping the trace one record a frame".
const STEP_FRAMES: &str = "
const done = arguments[arguments.length - 1];
const deltas = [], tasks = [];
let obs = null;
try { obs = new PerformanceObserver(l => l.getEntries().forEach(e => tasks.push(e.duration))); obs.observe({ entryTypes: ['longtask'] }); } catch (_) {}
let last = performance.now(), i = 0;
const frame = (t) => {
  deltas.push(t - last); last = t; i++;
  document.dispatchEvent(new KeyboardEvent('keydown', { key: Math.floor(i / 60) % 2 ? 'ArrowRight' : 'ArrowLeft', bubbles: true }));
  if (i < 240) requestAnimationFrame(frame); else setTimeout(() => { if (obs) obs.disconnect(); done([deltas.slice(1), tasks.length ? Math.max(...tasks) : 0]); }, 0);
};
requestAnimationFrame((t) => { last = t; requestAnimationFrame(frame); });
";

/// The 1,000-replica figures and a corpus sample's Apply to map, as report lines.
async fn many(c: &Client) -> Result<String, String> {
    let t = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), Some(Duration::from_secs(300)), None);
    c.update_timeouts(t).await.map_err(|e| e.to_string())?;
    reset(c).await?;
    let (Timed { ms: apply_ms, longest: apply_longest, .. }, ok) = apply(c, MANY).await?;
    assert!(ok, "the 1,000-replica Deployment applied");
    let pods = c.execute("return document.querySelectorAll('#cluster-map .pod').length;", vec![]).await.map_err(|e| e.to_string())?;
    let v = c.execute_async(STEP_FRAMES, vec![]).await.map_err(|e| e.to_string())?;
    let (mut frames, frames_longest): (Vec<f64>, f64) = serde_json::from_value(v).map_err(|e| e.to_string())?;
    frames.sort_by(f64::total_cmp);
    let dir = std::env::var("KUBEPLAY_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let limit: usize = std::env::var("KUBEPLAY_UI_BENCH_CORPUS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let mut files = Vec::new();
    corpus_files(std::path::Path::new(&dir), &mut files);
    files.truncate(limit);
    let (mut applies, mut tasks, mut seen, mut two_frames) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rendered = Vec::new();
    let mut longest: f64 = 0.0;
    let mut slowest = (0.0, String::new());
    for f in &files {
        let Ok(yaml) = std::fs::read_to_string(f) else { continue };
        reset(c).await?;
        let (t, _) = apply(c, &yaml).await?;
        applies.push(t.ms);
        tasks.push(t.task_ms);
        rendered.push(t.rendered_ms);
        seen.push(t.seen_ms);
        two_frames.push(t.two_frames_ms);
        longest = longest.max(t.longest);
        if t.ms > slowest.0 {
            slowest = (t.ms, f.display().to_string());
        }
    }
    for v in [&mut applies, &mut tasks, &mut rendered, &mut seen, &mut two_frames] {
        v.sort_by(f64::total_cmp);
    }
    Ok(format!(
        "apply of a 1,000-replica Deployment on the default cluster ({pods} pods on the map): {apply_ms:.1} ms (longest task {apply_longest:.0} ms)\n\
         frame time stepping the trace one record a frame with them on the map, {} frames: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (longest task {frames_longest:.0} ms)\n\
         apply to map, {} corpus manifests each in a reset session, until painted: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (longest task {longest:.0} ms; slowest {})\n\
         of which the click's reducers (the run's first slice, the views' refresh): {}, with Yew's render {}; the run seen over: {}\n\
         apply to map to the second frame after (the figure before session 16): {}\n",
        frames.len(),
        percentile(&frames, 0.5),
        percentile(&frames, 0.95),
        frames.last().copied().unwrap_or(0.0),
        applies.len(),
        percentile(&applies, 0.5),
        percentile(&applies, 0.95),
        applies.last().copied().unwrap_or(0.0),
        slowest.1,
        p50_p95(&tasks),
        p50_p95(&rendered),
        p50_p95(&seen),
        p50_p95(&two_frames),
    ))
}
