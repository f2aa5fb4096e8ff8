//! The page's responsiveness, measured in headless Chromium with `performance.now()` and the Long
//! Tasks API: a 10-replica Deployment applied to the default cluster, then single steps back and
//! forward through the trace. Prints the figures and writes them to `target/e2e/ui-bench.txt`
//! (BENCHMARKS.md records them from a release build). As a test it checks only that the work ran
//! and that its result is right — the figures are measurements, not assertions.

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
    Ok(format!(
        "ui-bench (headless Chromium, {base})\n\
         page interactive after load: {interactive_ms:.0} ms\n\
         apply of a 10-replica Deployment until the map shows it: {apply_ms:.1} ms (longest task {apply_longest:.0} ms, {apply_long_tasks} tasks over 50 ms); trace {}\n\
         one step (record), {} steps: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms\n\
         one request jump, {} jumps: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms\n\
         longest task while stepping: {longest:.0} ms\n",
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
