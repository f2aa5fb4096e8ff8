//! Issue 8's benchmarks in the browser: the page's benchmark mode (`?bench=NAME`,
//! web/src/bench.rs) runs the workloads of `kubeplay::bench` — the same code `make bench` times
//! natively — in wasm in headless Chromium, timed with `performance.now()`; this test opens it
//! for each workload and reads the JSON it writes into `#bench-result`.
//!
//! By default (`make test`) every workload runs small and the test checks its result (every pod
//! bound or Running, every write stored, every watch event delivered), not its speed. With
//! `KUBEPLAY_BENCH_FULL=1` (`make bench-browser`) it runs the full sizes of issue 8 (each can be
//! overridden: `KUBEPLAY_BENCH_SCHEDULING`, `_API_WRITES`, `_STORE`, `_SCALE`, `_TIMEOUT`) and the UI
//! figures: Apply-to-map time for every corpus manifest (`KUBEPLAY_CORPUS`, default
//! /work/shared/corpus; `KUBEPLAY_CORPUS_LIMIT` bounds how many), frame times with 1,000 pods on
//! the map, and the release `.wasm` raw, gzip and brotli. Figures go to
//! `target/e2e/browser-bench.txt` (and `.json`); BENCHMARKS.md records them.

use fantoccini::{Client, Locator};
use kubeplay_e2e::harness::{dist_dir, open_browser, serve_dir, start_chromedriver};
use kubeplay_e2e::timing::{apply, corpus_files, percentile, reset};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `target/e2e/` of this checkout (named here, not through the harness, so the figures land beside
/// the sources that were built even when a shared target dir holds a harness built elsewhere).
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    dir
}

fn full() -> bool {
    std::env::var("KUBEPLAY_BENCH_FULL").is_ok_and(|v| v == "1")
}

/// (workload, query) in the order they run. In full mode the scale workload runs last (it is the
/// one that may exhaust the tab) at each size of `KUBEPLAY_BENCH_SCALE` (`;`-separated queries,
/// default `nodes=1000&replicas=100000`), so a growth curve is one run.
fn workloads(full: bool) -> Vec<(&'static str, String)> {
    if full {
        // KUBEPLAY_BENCH_<WORKLOAD> overrides a size (a query, e.g. `nodes=500&init_pods=100&pods=1000`).
        let size = |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.into());
        let mut w: Vec<(&'static str, String)> = vec![
            ("scheduling", size("KUBEPLAY_BENCH_SCHEDULING", "nodes=5000&init_pods=1000&pods=10000")),
            ("api-writes", size("KUBEPLAY_BENCH_API_WRITES", "objects=20000")),
            ("store", size("KUBEPLAY_BENCH_STORE", "puts=200000&gets=200000&watchers=1000&watch_puts=1000")),
        ];
        let scale = std::env::var("KUBEPLAY_BENCH_SCALE").unwrap_or_else(|_| "nodes=1000&replicas=100000".into());
        w.extend(scale.split(';').filter(|q| !q.is_empty()).map(|q| ("scale", q.to_string())));
        w
    } else {
        vec![
            ("scheduling", "nodes=20&init_pods=20&pods=200".into()),
            ("scale", "nodes=5&replicas=200".into()),
            ("api-writes", "objects=200".into()),
            ("store", "puts=2000&gets=2000&watchers=50&watch_puts=100".into()),
        ]
    }
}

/// Opens the page in bench mode and waits for its result.
async fn run_bench(c: &Client, base: &str, name: &str, query: &str, timeout: Duration) -> Result<Value, String> {
    c.goto(&format!("{base}/?bench={name}&{query}")).await.map_err(|e| e.to_string())?;
    let el = c.wait().at_most(timeout).every(Duration::from_millis(500)).for_element(Locator::Css("#bench-result[data-done]")).await.map_err(|e| format!("{name}: {e}"))?;
    let text = el.text().await.map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{name}: {e}: {text}"))
}

/// What each workload's result must say (the small run's correctness check).
fn check(name: &str, query: &str, v: &Value) {
    assert_eq!(v["ok"], true, "{name} failed: {v}");
    let param = |k: &str| query.split('&').find_map(|kv| kv.strip_prefix(&format!("{k}="))).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
    let r = &v["result"];
    match name {
        "scheduling" => {
            let pods = param("init_pods") + param("pods");
            assert_eq!(r["pods"].as_u64(), Some(pods), "{v}");
            assert_eq!(r["bound"].as_u64(), Some(pods), "every pod bound: {v}");
        }
        "scale" => {
            assert_eq!(r["pods"].as_u64(), Some(param("replicas")), "{v}");
            assert_eq!(r["running"].as_u64(), Some(param("replicas")), "every replica Running: {v}");
        }
        "api-writes" => assert_eq!(r["stored"].as_u64(), Some(param("objects")), "{v}"),
        "store" => assert_eq!(r["delivered"].as_u64(), Some(param("watchers") * param("watch_puts")), "{v}"),
        _ => {}
    }
    assert!(v["heap_bytes_after"].as_f64() >= v["heap_bytes_before"].as_f64(), "{v}");
}

fn stats(mut v: Vec<f64>) -> Value {
    v.sort_by(f64::total_cmp);
    json!({"n": v.len(), "p50": percentile(&v, 0.5), "p95": percentile(&v, 0.95), "max": v.last().copied().unwrap_or(0.0)})
}

/// Apply-to-map for every corpus manifest, each in a fresh session: until the frame that shows
/// the outcome has painted, and (as measured before session 16) until the second frame after.
async fn corpus_apply(c: &Client, base: &str) -> Result<Value, String> {
    let dir = std::env::var("KUBEPLAY_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let limit: usize = std::env::var("KUBEPLAY_CORPUS_LIMIT").ok().and_then(|v| v.parse().ok()).unwrap_or(usize::MAX);
    let mut files = Vec::new();
    corpus_files(Path::new(&dir), &mut files);
    files.truncate(limit);
    c.goto(base).await.map_err(|e| e.to_string())?;
    c.wait().at_most(Duration::from_secs(60)).for_element(Locator::Id("apply")).await.map_err(|e| e.to_string())?;
    let (mut all, mut applied, mut slowest) = (Vec::new(), Vec::new(), (0.0, String::new()));
    let (mut tasks, mut two_frames) = (Vec::new(), Vec::new());
    for f in &files {
        let Ok(yaml) = std::fs::read_to_string(f) else { continue };
        reset(c).await?;
        let (t, ok) = apply(c, &yaml).await?;
        all.push(t.ms);
        tasks.push(t.task_ms);
        two_frames.push(t.two_frames_ms);
        if ok {
            applied.push(t.ms);
        }
        if t.ms > slowest.0 {
            slowest = (t.ms, f.display().to_string());
        }
    }
    Ok(json!({"manifests": files.len(), "all": stats(all), "applied": stats(applied), "slowest": {"ms": slowest.0, "file": slowest.1},
        "click_task": stats(tasks), "two_frames": stats(two_frames)}))
}

const FRAMES: &str = "
const done = arguments[arguments.length - 1];
const mode = arguments[0];
const map = document.getElementById('cluster-map');
let scroller = map;
while (scroller && scroller.scrollHeight <= scroller.clientHeight) { scroller = scroller.parentElement; }
const deltas = [], tasks = [];
let obs = null;
try { obs = new PerformanceObserver(l => l.getEntries().forEach(e => tasks.push(e.duration))); obs.observe({ entryTypes: ['longtask'] }); } catch (_) {}
let last = performance.now(), i = 0;
const frame = (t) => {
  deltas.push(t - last); last = t; i++;
  if (mode === 'scroll') { if (scroller) scroller.scrollTop += (Math.floor(i / 60) % 2 ? -15 : 15); }
  else { document.dispatchEvent(new KeyboardEvent('keydown', { key: Math.floor(i / 60) % 2 ? 'ArrowRight' : 'ArrowLeft', bubbles: true })); }
  if (i < 240) requestAnimationFrame(frame); else setTimeout(() => { if (obs) obs.disconnect(); done([deltas.slice(1), tasks.length ? Math.max(...tasks) : 0]); }, 0);
};
requestAnimationFrame((t) => { last = t; requestAnimationFrame(frame); });
";

/// A Deployment of 1,000 replicas on the default cluster (those that do not fit wait on the
/// map, unscheduled), then requestAnimationFrame deltas while scrolling the map and stepping.
async fn frames_with_pods(c: &Client, base: &str) -> Result<Value, String> {
    c.goto(base).await.map_err(|e| e.to_string())?;
    c.wait().at_most(Duration::from_secs(60)).for_element(Locator::Id("apply")).await.map_err(|e| e.to_string())?;
    reset(c).await?;
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: many\nspec:\n  replicas: 1000\n  selector:\n    matchLabels: {app: many}\n  template:\n    metadata:\n      labels: {app: many}\n    spec:\n      containers:\n      - name: pause\n        image: registry.k8s.io/pause:3.10.1\n";
    let (t, ok) = apply(c, yaml).await?;
    let apply_ms = t.ms;
    let pods = c.execute("return document.querySelectorAll('#cluster-map .pod').length;", vec![]).await.map_err(|e| e.to_string())?;
    let mut out = json!({"apply_1000_replicas_ms": apply_ms, "applied": ok, "pods_on_map": pods});
    for mode in ["scroll", "step"] {
        let v = c.execute_async(FRAMES, vec![json!(mode)]).await.map_err(|e| e.to_string())?;
        let (deltas, longest): (Vec<f64>, f64) = serde_json::from_value(v).map_err(|e| e.to_string())?;
        out[mode] = stats(deltas);
        out[mode]["longest_task"] = json!(longest);
    }
    Ok(out)
}

/// Brotli at quality 11 through Node's zlib, for machines without the `brotli` CLI (Debian's
/// `brotli` package is not always installed; Node is, for wasm-opt). Writes the compressed bytes.
const NODE_BROTLI: &str = "const z=require('zlib');const b=require('fs').readFileSync(process.argv[1]);\
process.stdout.write(z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,\
[z.constants.BROTLI_PARAM_SIZE_HINT]:b.length}}))";

/// The release `.wasm`: raw, `gzip -9` and `brotli -q 11` sizes (the compressors' CLIs, or
/// Node's brotli when the CLI is missing).
fn wasm_sizes(dist: &Path) -> Value {
    let Some(wasm) = std::fs::read_dir(dist).ok().and_then(|d| d.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|e| e == "wasm"))) else {
        return json!(null);
    };
    let size_of = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd).args(args).arg(&wasm).output().ok().filter(|o| o.status.success()).map(|o| o.stdout.len())
    };
    json!({
        "file": wasm.file_name().map(|n| n.to_string_lossy().to_string()),
        "raw": std::fs::metadata(&wasm).map(|m| m.len()).ok(),
        "gzip_9": size_of("gzip", &["-9", "-c"]),
        "brotli_11": size_of("brotli", &["-q", "11", "-c"]).or_else(|| size_of("node", &["-e", NODE_BROTLI])),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_benchmarks() {
    let full = full();
    let dist = dist_dir();
    let base = serve_dir(dist.clone());
    let driver = start_chromedriver();
    let c = open_browser(&driver).await;
    let result = measure(&c, &base, &dist, full).await;
    let _ = c.close().await;
    drop(driver);
    let report = result.unwrap();
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    println!("{text}");
    let stem = if full { "browser-bench-full" } else { "browser-bench" };
    std::fs::write(screenshot_dir().join(format!("{stem}.json")), &text).expect("write the figures");
    let table = markdown(&report);
    println!("{table}");
    std::fs::write(screenshot_dir().join(format!("{stem}.md")), &table).expect("write the table");
    // `make bench-browser` rewrites BENCHMARKS.md's browser table (between its markers).
    if let (true, Ok(path)) = (full, std::env::var("KUBEPLAY_BENCH_WRITE")) {
        write_between_markers(Path::new(&path), &table);
    }
}

const BEGIN: &str = "<!-- browser-bench:begin";
const END: &str = "<!-- browser-bench:end -->";

fn write_between_markers(path: &Path, table: &str) {
    let Ok(doc) = std::fs::read_to_string(path) else { return };
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else { return };
    let Some(line_end) = doc[b..].find('\n').map(|i| b + i + 1) else { return };
    if line_end > e {
        return;
    }
    let out = format!("{}{table}{}", &doc[..line_end], &doc[e..]);
    std::fs::write(path, out).expect("rewrite BENCHMARKS.md");
}

/// Thousands separators, as the native table prints them.
fn commas(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn mb(bytes: &Value) -> String {
    bytes.as_f64().map_or("?".into(), |b| format!("{:.0} MiB", b / 1048576.0))
}

/// `name`'s value in a query (`nodes=1000&replicas=100000`).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')).map(str::to_string)
}

/// The figures as BENCHMARKS.md's table: what, result, anchor ratio, goal.
fn markdown(r: &Value) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let ms = |v: &Value| v.as_f64().map_or("?".into(), |x| format!("{x:.1} ms"));
    let fail = |v: &Value| format!("failed: {}", v["error"].as_str().unwrap_or("?"));
    let s = &r["scheduling"];
    if s["ok"] == true {
        let busy = s["result"]["pods_scheduled_per_s_busy"].as_f64().unwrap_or(0.0);
        let wall = s["result"]["pods_scheduled_per_s_wall"].as_f64().unwrap_or(0.0);
        rows.push([
            format!("scheduling, SchedulingBasic {}: pods scheduled/s", s["params"]["nodes"].as_str().map_or(String::new(), |n| format!("{n} nodes, {} + {} pods", s["params"]["init_pods"].as_str().unwrap_or("?"), s["params"]["pods"].as_str().unwrap_or("?")))),
            format!("**{}** ({} with the page's yields)", commas(busy), commas(wall)),
            format!("scheduler_perf 680: {:.1}x", busy / 680.0),
            ">= 5,000".into(),
        ]);
        rows.push(["scheduling: cluster start (nodes registered, Ready)".into(), ms(&s["phases"]["setup"]["busy_ms"]), String::new(), String::new()]);
        rows.push(["scheduling: wasm heap after".into(), mb(&s["heap_bytes_after"]), String::new(), String::new()]);
    } else if !s.is_null() {
        rows.push(["scheduling".into(), fail(s), String::new(), ">= 5,000".into()]);
    }
    if let Some(obj) = r.as_object() {
        for (key, v) in obj.iter().filter(|(k, _)| k.starts_with("scale ")) {
            // The size from the page's answer, or from the query in the key (`scale nodes=1000&
            // replicas=100000`) when the run failed and the page never answered.
            let size = |name: &str| {
                v["params"][name].as_str().map(str::to_string).or_else(|| query_param(key.trim_start_matches("scale "), name)).unwrap_or_else(|| "?".into())
            };
            let what = format!("scale, {} nodes, Deployment of {} replicas to Running", size("nodes"), size("replicas"));
            if v["ok"] == true {
                let t = v["phases"]["rollout"]["busy_ms"].as_f64().unwrap_or(0.0) / 1000.0;
                let pods = v["result"]["pods"].as_f64().unwrap_or(0.0);
                rows.push([format!("{what}: wall time"), format!("**{t:.1} s** ({} pods/s)", commas(pods / t.max(1e-9))), "KWOK creates 20 objects/s".into(), "<= 30 s".into()]);
                rows.push([format!("{what}: wasm heap"), format!("**{}** ({} B/pod over the cluster's start)", mb(&v["heap_bytes_after"]), commas(v["result"]["heap_bytes_per_pod"].as_f64().unwrap_or(0.0))), String::new(), "<= 1 GB, <= 10 KB/pod".into()]);
            } else if v["result"]["done"] == false {
                // Out of its time budget: how far it got, and the heap it took to get there.
                rows.push([format!("{what}: wall time"), v["error"].as_str().unwrap_or("not done").to_string(), String::new(), "<= 30 s".into()]);
                rows.push([format!("{what}: wasm heap"), format!("{} at {} pods ({} B/pod over the cluster's start)", mb(&v["heap_bytes_after"]), commas(v["result"]["pods"].as_f64().unwrap_or(0.0)), commas(v["result"]["heap_bytes_per_pod"].as_f64().unwrap_or(0.0))), String::new(), "<= 1 GB, <= 10 KB/pod".into()]);
            } else {
                rows.push([what, fail(v), String::new(), "<= 30 s, <= 1 GB".into()]);
            }
        }
    }
    let a = &r["api-writes"];
    if a["ok"] == true {
        rows.push([format!("api-writes, {} pods: creates/s through every stage", a["params"]["objects"].as_str().unwrap_or("?")), format!("**{}**", commas(a["result"]["creates_per_s"].as_f64().unwrap_or(0.0))), String::new(), String::new()]);
        rows.push(["api-writes: updates/s (PUT with resourceVersion)".into(), commas(a["result"]["updates_per_s"].as_f64().unwrap_or(0.0)), String::new(), String::new()]);
    } else if !a.is_null() {
        rows.push(["api-writes".into(), fail(a), String::new(), String::new()]);
    }
    let st = &r["store"];
    if st["ok"] == true {
        let puts = st["result"]["puts_per_s"].as_f64().unwrap_or(0.0);
        rows.push([format!("store: {} puts to new keys", st["params"]["puts"].as_str().unwrap_or("?")), format!("**{}** puts/s", commas(puts)), format!("etcd 3.4 here 850: {:.0}x", puts / 850.0), String::new()]);
        rows.push(["store: single-key gets".into(), format!("{} gets/s", commas(st["result"]["gets_per_s"].as_f64().unwrap_or(0.0))), String::new(), String::new()]);
        rows.push([format!("store: watch fan-out, {} watchers", st["params"]["watchers"].as_str().unwrap_or("?")), format!("{} events delivered/s", commas(st["result"]["events_delivered_per_s"].as_f64().unwrap_or(0.0))), String::new(), String::new()]);
    } else if !st.is_null() {
        rows.push(["store".into(), fail(st), String::new(), String::new()]);
    }
    let c = &r["corpus_apply"];
    if c["all"].is_object() {
        let p95 = c["all"]["p95"].as_f64().unwrap_or(0.0);
        rows.push([
            format!("Apply to map (until the frame showing it has painted), {} corpus manifests, each in a reset session", c["manifests"]),
            format!("p50 {:.1} ms, **p95 {p95:.1} ms**, max {:.0} ms", c["all"]["p50"].as_f64().unwrap_or(0.0), c["all"]["max"].as_f64().unwrap_or(0.0)),
            format!("Yew 1,000 rows 31 ms: {:.1}x", p95 / 31.0),
            "p95 <= 50 ms".into(),
        ]);
        rows.push([format!("Apply to map, the {} that applied", c["applied"]["n"]), format!("p50 {:.1} ms, p95 {:.1} ms", c["applied"]["p50"].as_f64().unwrap_or(0.0), c["applied"]["p95"].as_f64().unwrap_or(0.0)), String::new(), String::new()]);
        let (task, two) = (&c["click_task"], &c["two_frames"]);
        rows.push(["of which the click's reducers (the run's first slice, the views' refresh; Yew renders after)".into(), format!("p50 {:.1} ms, p95 {:.1} ms", task["p50"].as_f64().unwrap_or(0.0), task["p95"].as_f64().unwrap_or(0.0)), String::new(), String::new()]);
        rows.push(["Apply to map until the second frame after it (the measure before session 16)".into(), format!("p50 {:.1} ms, p95 {:.1} ms", two["p50"].as_f64().unwrap_or(0.0), two["p95"].as_f64().unwrap_or(0.0)), String::new(), String::new()]);
        rows.push(["slowest corpus manifest".into(), format!("{:.0} ms, `{}`", c["slowest"]["ms"].as_f64().unwrap_or(0.0), c["slowest"]["file"].as_str().unwrap_or("")), String::new(), String::new()]);
    }
    let f = &r["frames_1000_pods"];
    if f["scroll"].is_object() {
        rows.push([format!("Apply of a 1,000-replica Deployment on the default cluster ({} pods on the map)", f["pods_on_map"]), ms(&f["apply_1000_replicas_ms"]), format!("Yew 1,000 rows 31 ms: {:.1}x", f["apply_1000_replicas_ms"].as_f64().unwrap_or(0.0) / 31.0), String::new()]);
        for mode in ["scroll", "step"] {
            rows.push([
                format!("frame time with them on the map, {}", if mode == "scroll" { "scrolling the map" } else { "stepping the trace one record a frame" }),
                format!(
                    "p50 {:.1} ms, p95 {:.1} ms, max {:.0} ms (longest task {:.0} ms)",
                    f[mode]["p50"].as_f64().unwrap_or(0.0),
                    f[mode]["p95"].as_f64().unwrap_or(0.0),
                    f[mode]["max"].as_f64().unwrap_or(0.0),
                    f[mode]["longest_task"].as_f64().unwrap_or(0.0)
                ),
                String::new(),
                "<= 16 ms".into(),
            ]);
        }
    }
    let w = &r["wasm"];
    if w.is_object() {
        let br = w["brotli_11"].as_f64().map_or("no brotli (CLI or Node)".into(), |b| format!("{} B brotli -q 11", commas(b)));
        rows.push(["release `.wasm`".into(), format!("{} B raw, {} B gzip -9, {br}", commas(w["raw"].as_f64().unwrap_or(0.0)), commas(w["gzip_9"].as_f64().unwrap_or(0.0))), String::new(), "<= 600 KB gzip".into()]);
    }
    let mut out = String::from("| What | Result | Anchor | Goal |\n|---|---|---|---|\n");
    for row in rows {
        out.push_str(&format!("| {} | {} | {} | {} |\n", row[0], row[1], row[2], row[3]));
    }
    out
}

async fn measure(c: &Client, base: &str, dist: &Path, full: bool) -> Result<Value, String> {
    // KUBEPLAY_BENCH_TIMEOUT: seconds one full-size workload may take before it is recorded as not done.
    let full_timeout = std::env::var("KUBEPLAY_BENCH_TIMEOUT").ok().and_then(|v| v.parse().ok()).unwrap_or(1800);
    let timeout = Duration::from_secs(if full { full_timeout } else { 60 });
    let mut report = json!({"full": full, "dist": dist.display().to_string()});
    if full {
        // A 1,000-replica apply runs longer than WebDriver's default 30 s script timeout.
        let t = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(900)), Some(Duration::from_secs(300)), None);
        c.update_timeouts(t).await.map_err(|e| e.to_string())?;
    }
    let mut ui_done = false;
    for (name, query) in workloads(full) {
        if full && name == "scale" && !ui_done {
            report["wasm"] = wasm_sizes(dist);
            report["frames_1000_pods"] = frames_with_pods(c, base).await.unwrap_or_else(|e| json!({"error": e}));
            report["corpus_apply"] = corpus_apply(c, base).await.unwrap_or_else(|e| json!({"error": e}));
            eprintln!("browser-bench ui: wasm {} frames {} corpus {}", report["wasm"], report["frames_1000_pods"], report["corpus_apply"]);
            ui_done = true;
        }
        // A full-size scale run stops itself before WebDriver gives up on it, and says how far
        // it got (pods, bound, Running, heap) instead of only that it timed out.
        let query = if full && name == "scale" && query_param(&query, "budget_s").is_none() { format!("{query}&budget_s={}", timeout.as_secs().saturating_sub(30).max(10)) } else { query };
        let v = match run_bench(c, base, name, &query, timeout).await {
            Ok(v) => v,
            // A full-size run that does not finish (out of time or memory) is a figure too.
            Err(e) if full => json!({"ok": false, "error": e}),
            Err(e) => return Err(e),
        };
        // A full run records a failure as its figure; a small run must succeed.
        if !full || v["ok"] == true {
            check(name, &query, &v);
        }
        if name == "scheduling" {
            let png = c.screenshot().await.map_err(|e| e.to_string())?;
            std::fs::write(screenshot_dir().join("browser-bench.png"), png).map_err(|e| e.to_string())?;
        }
        let key = if name == "scale" { format!("scale {query}") } else { name.to_string() };
        // Each figure as soon as it is known, so an interrupted full run still reports its part.
        eprintln!("browser-bench {key}: {v}");
        report[key] = v;
    }
    if !full {
        // The playground still starts without `?bench` (bench mode must not leak into it).
        c.goto(base).await.map_err(|e| e.to_string())?;
        c.wait().at_most(Duration::from_secs(60)).for_element(Locator::Id("apply")).await.map_err(|e| e.to_string())?;
        let leaked = c.execute("return !!document.getElementById('bench-result');", vec![]).await.map_err(|e| e.to_string())?;
        assert_eq!(leaked, json!(false), "no bench result on the playground");
    }
    Ok(report)
}

#[test]
fn a_scale_run_out_of_time_says_how_far_it_got() {
    let report = json!({"scale nodes=1000&replicas=100000&budget_s=170": {
        "ok": false,
        "error": "not done in 170 s: 60000 of 100000 pods created, 59000 bound, 100 Running",
        "params": {"nodes": "1000", "replicas": "100000"},
        "heap_bytes_after": 2147483648.0,
        "result": {"done": false, "pods": 60000, "bound": 59000, "running": 100, "heap_bytes_per_pod": 30000.0}
    }});
    let table = markdown(&report);
    assert!(table.contains("| scale, 1000 nodes, Deployment of 100000 replicas to Running: wall time | not done in 170 s: 60000 of 100000 pods created, 59000 bound, 100 Running |"), "{table}");
    assert!(table.contains("| scale, 1000 nodes, Deployment of 100000 replicas to Running: wasm heap | 2048 MiB at 60,000 pods (30,000 B/pod over the cluster's start) |"), "{table}");
}

#[test]
fn a_failed_scale_run_still_names_its_size() {
    let report = json!({"scale nodes=1000&replicas=100000": {"ok": false, "error": "timed out"}});
    let table = markdown(&report);
    assert!(table.contains("| scale, 1000 nodes, Deployment of 100000 replicas to Running | failed: timed out |"), "{table}");
}
