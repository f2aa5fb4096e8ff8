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

use fantoccini::{Client, Locator};
use kubeplay_e2e::harness::{dist_dir, open_browser, screenshot_dir, serve_dir, start_chromedriver};
use serde_json::Value;
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

/// Runs `body` (JavaScript) after starting a long-task observer, waits until `UNTIL` holds (checked
/// every animation frame: a command runs in slices, see web/src/state/run.rs), resolves once the
/// page has rendered (two animation frames later), and returns `[elapsed_ms, longest_task_ms,
/// tasks over 50 ms]`.
const TIMED: &str = "
const done = arguments[arguments.length - 1];
const tasks = [];
let obs = null;
try { obs = new PerformanceObserver(l => l.getEntries().forEach(e => tasks.push(e.duration))); obs.observe({ entryTypes: ['longtask'] }); } catch (_) {}
const t0 = performance.now();
(function () { BODY })();
const finish = () => requestAnimationFrame(() => requestAnimationFrame(() => {
  const t1 = performance.now();
  setTimeout(() => { if (obs) obs.disconnect(); done([t1 - t0, tasks.length ? Math.max(...tasks) : 0, tasks.length]); }, 0);
}));
const poll = () => { if (UNTIL) { finish(); } else { requestAnimationFrame(poll); } };
poll();
";

/// (elapsed ms, longest task ms, long tasks)
async fn timed_until(c: &Client, body: &str, until: &str) -> Result<(f64, f64, f64), String> {
    let v: Value = c.execute_async(&TIMED.replace("BODY", body).replace("UNTIL", until), vec![]).await.map_err(|e| e.to_string())?;
    serde_json::from_value(v).map_err(|e| e.to_string())
}

async fn timed(c: &Client, body: &str) -> Result<(f64, f64), String> {
    timed_until(c, body, "true").await.map(|(ms, long, _)| (ms, long))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
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
    let (apply_ms, apply_longest, apply_long_tasks) = timed_until(
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
    let mut steps = Vec::new();
    let mut longest: f64 = 0.0;
    for direction in ["ArrowLeft", "ArrowRight"] {
        for _ in 0..STEPS {
            let (ms, long) = timed(c, &key(direction, false)).await?;
            steps.push(ms);
            longest = longest.max(long);
        }
    }
    let mut requests = Vec::new();
    for _ in 0..20 {
        let (ms, long) = timed(c, &key("ArrowLeft", true)).await?;
        requests.push(ms);
        longest = longest.max(long);
    }
    let cursor = c.execute("return document.getElementById('cursor').innerText;", vec![]).await.map_err(|e| e.to_string())?;
    assert!(cursor.as_str().is_some_and(|s| s.contains('#')), "the cursor moved: {cursor}");
    steps.sort_by(f64::total_cmp);
    requests.sort_by(f64::total_cmp);
    let many = if std::env::var("KUBEPLAY_UI_BENCH_MANY").is_ok_and(|v| v == "1") { many(c).await? } else { String::new() };
    Ok(format!(
        "ui-bench (headless Chromium, {base})\n\
         page interactive after load: {interactive_ms:.0} ms\n\
         apply of a 10-replica Deployment until the map shows it: {apply_ms:.1} ms (longest task {apply_longest:.0} ms, {apply_long_tasks} tasks over 50 ms); trace {}\n\
         one step (record), {} steps: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms\n\
         one request jump, {} jumps: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms\n\
         longest task while stepping: {longest:.0} ms\n{many}",
        records.as_str().unwrap_or(""),
        steps.len(),
        percentile(&steps, 0.5),
        percentile(&steps, 0.95),
        steps.last().copied().unwrap_or(0.0),
        requests.len(),
        percentile(&requests, 0.5),
        percentile(&requests, 0.95),
        requests.last().copied().unwrap_or(0.0),
    ))
}

const MANY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: many\nspec:\n  replicas: 1000\n  selector:\n    matchLabels: {app: many}\n  template:\n    metadata:\n      labels: {app: many}\n    spec:\n      containers:\n      - name: pause\n        image: registry.k8s.io/pause:3.10.1\n";

const RUN_OVER: &str = "document.querySelector('.app').dataset.running === 'false' && document.querySelector('#status.ok, #status.failed')";

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

/// A fresh session (the Reset button, its confirmation answered yes).
async fn reset(c: &Client) -> Result<(), String> {
    c.execute("window.confirm = () => true; document.getElementById('reset').click();", vec![]).await.map_err(|e| e.to_string())?;
    timed_until(c, "", "!document.querySelector('#status') && document.querySelector('.app').dataset.running === 'false'").await.map(|_| ())
}

/// Puts `yaml` in the editor and presses Apply: (ms until the map shows the outcome, longest
/// task ms, whether it applied).
async fn apply(c: &Client, yaml: &str) -> Result<(f64, f64, bool), String> {
    c.execute(
        "const t = document.getElementById('manifest'); t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::json!(yaml)],
    )
    .await
    .map_err(|e| e.to_string())?;
    let (ms, longest, _) = timed_until(c, "document.getElementById('apply').click();", RUN_OVER).await?;
    let ok = c.execute("return !!document.querySelector('#status.ok');", vec![]).await.map_err(|e| e.to_string())?;
    Ok((ms, longest, ok == serde_json::json!(true)))
}

fn corpus_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            corpus_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The 1,000-replica figures and a corpus sample's Apply to map, as report lines.
async fn many(c: &Client) -> Result<String, String> {
    let t = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), Some(Duration::from_secs(300)), None);
    c.update_timeouts(t).await.map_err(|e| e.to_string())?;
    reset(c).await?;
    let (apply_ms, apply_longest, ok) = apply(c, MANY).await?;
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
    let mut applies = Vec::new();
    let mut longest: f64 = 0.0;
    let mut slowest = (0.0, String::new());
    for f in &files {
        let Ok(yaml) = std::fs::read_to_string(f) else { continue };
        reset(c).await?;
        let (ms, long, _) = apply(c, &yaml).await?;
        applies.push(ms);
        longest = longest.max(long);
        if ms > slowest.0 {
            slowest = (ms, f.display().to_string());
        }
    }
    applies.sort_by(f64::total_cmp);
    Ok(format!(
        "apply of a 1,000-replica Deployment on the default cluster ({pods} pods on the map): {apply_ms:.1} ms (longest task {apply_longest:.0} ms)\n\
         frame time stepping the trace one record a frame with them on the map, {} frames: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (longest task {frames_longest:.0} ms)\n\
         apply to map, {} corpus manifests each in a reset session: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (longest task {longest:.0} ms; slowest {})\n",
        frames.len(),
        percentile(&frames, 0.5),
        percentile(&frames, 0.95),
        frames.last().copied().unwrap_or(0.0),
        applies.len(),
        percentile(&applies, 0.5),
        percentile(&applies, 0.95),
        applies.last().copied().unwrap_or(0.0),
        slowest.1,
    ))
}
