//! The page's benchmark mode (issue 8): opened as `?bench=NAME&sizes...`, the page runs one of
//! the workloads of `kubeplay::bench` (the same library code `make bench` times natively) in
//! wasm instead of starting the playground, times its phases with `performance.now()` (the
//! wall clock lives here, in web/, never in core/), and writes the figures as JSON into
//! `<pre id="bench-result" data-done="true">`. The e2e test `tests/tests/browser_bench.rs`
//! drives it in headless Chromium.
//!
//! - `?bench=scheduling&nodes=5000&init_pods=1000&pods=10000`: scheduler_perf's SchedulingBasic.
//! - `?bench=scale&nodes=1000&replicas=100000[&budget_s=S]`: a Deployment applied until every pod
//!   is Running, or until S seconds have passed (then the result says how far it got).
//! - `?bench=api-writes&objects=20000`: creates and updates through every apiserver stage.
//! - `?bench=store&puts=200000&gets=200000&watchers=1000&watch_puts=1000`: etcd puts, gets, fan-out.
//!
//! Every workload runs in slices of about [`SLICE_MS`] with a zero-delay timeout between them, so
//! the tab stays responsive and WebDriver can poll it; `busy_ms` sums the slices (the work),
//! `wall_ms` adds the yields. Memory is the wasm linear memory's size (it only grows, so the
//! figure after a phase is the peak so far).

use kubeplay::bench::{api_writes, scale, scheduling, store};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// How long one slice of work runs before the page yields to the browser.
const SLICE_MS: f64 = 100.0;

/// The query's `bench` parameter and the other parameters, when the page was opened in bench
/// mode; None for the playground.
pub fn requested() -> Option<(String, BTreeMap<String, String>)> {
    let search = web_sys::window()?.location().search().ok()?;
    let params: BTreeMap<String, String> = search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let name = params.get("bench")?.clone();
    Some((name, params))
}

/// Starts the benchmark named in the query if there is one; true when the page is in bench
/// mode (and must not start the playground).
pub fn start_from_url() -> bool {
    let Some((name, params)) = requested() else { return false };
    show("bench-status", &format!("running benchmark {name}..."), false);
    yew::platform::spawn_local(async move {
        let mut b = Bench::new(&name, &params);
        let outcome = match name.as_str() {
            "scheduling" => run_scheduling(&mut b, &params).await,
            "scale" => run_scale(&mut b, &params).await,
            "api-writes" => run_api_writes(&mut b, &params).await,
            "store" => run_store(&mut b, &params).await,
            other => Err(format!("unknown benchmark {other:?} (scheduling, scale, api-writes, store)")),
        };
        b.finish(outcome);
    });
    true
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The wasm linear memory's size in bytes.
fn heap_bytes() -> f64 {
    wasm_bindgen::memory().dyn_into::<js_sys::WebAssembly::Memory>().ok().and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok()).map_or(0.0, |b| b.byte_length() as f64)
}

fn num(params: &BTreeMap<String, String>, key: &str, default: usize) -> usize {
    params.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Writes `text` into the element `id` (a `<pre>` made on first use under the body).
fn show(id: &str, text: &str, done: bool) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let el = match doc.get_element_by_id(id) {
        Some(el) => el,
        None => {
            let Ok(el) = doc.create_element("pre") else { return };
            el.set_id(id);
            if let Some(body) = doc.body() {
                let _ = body.append_child(&el);
            }
            el
        }
    };
    el.set_text_content(Some(text));
    if done {
        let _ = el.set_attribute("data-done", "true");
    }
}

/// The figures of one run, written to the page as it goes.
struct Bench {
    name: String,
    params: Value,
    heap_start: f64,
    started: f64,
    phases: Map<String, Value>,
    result: Map<String, Value>,
}

impl Bench {
    fn new(name: &str, params: &BTreeMap<String, String>) -> Self {
        Bench { name: name.into(), params: json!(params), heap_start: heap_bytes(), started: now(), phases: Map::new(), result: Map::new() }
    }

    /// Records a phase: its busy time (the slices), its wall time, and the heap after it.
    fn phase(&mut self, name: &str, busy_ms: f64, wall_ms: f64) {
        self.phases.insert(name.into(), json!({"busy_ms": round(busy_ms), "wall_ms": round(wall_ms), "heap_bytes": heap_bytes()}));
        show("bench-status", &format!("{}: {name} done in {:.0} ms", self.name, wall_ms), false);
    }

    fn set(&mut self, key: &str, v: Value) {
        self.result.insert(key.into(), v);
    }

    fn finish(self, outcome: Result<(), String>) {
        let doc = json!({
            "bench": self.name,
            "params": self.params,
            "ok": outcome.is_ok(),
            "error": outcome.err(),
            "phases": self.phases,
            "result": self.result,
            "heap_bytes_before": self.heap_start,
            "heap_bytes_after": heap_bytes(),
            "total_ms": round(now() - self.started),
            "user_agent": web_sys::window().and_then(|w| w.navigator().user_agent().ok()),
        });
        show("bench-status", &format!("benchmark {} finished", doc["bench"].as_str().unwrap_or("")), false);
        show("bench-result", &serde_json::to_string_pretty(&doc).unwrap_or_default(), true);
    }
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

async fn yield_now() {
    yew::platform::time::sleep(Duration::ZERO).await;
}

/// Runs `step(n)` (n units of work; Ok(true) once finished) in slices of about [`SLICE_MS`],
/// growing or shrinking n to fit; returns (busy ms, wall ms).
async fn sliced(mut step: impl FnMut(usize) -> Result<bool, String>) -> Result<(f64, f64), String> {
    let start = now();
    let mut busy = 0.0;
    let mut n = 16usize;
    loop {
        let t = now();
        let done = step(n)?;
        let took = now() - t;
        busy += took;
        if done {
            return Ok((busy, now() - start));
        }
        if took < SLICE_MS / 2.0 {
            n = n.saturating_mul(2);
        } else if took > SLICE_MS * 2.0 && n > 1 {
            n /= 2;
        }
        yield_now().await;
    }
}

/// Runs `f` once, timed; (value, busy ms).
fn once<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = now();
    let v = f();
    (v, now() - t)
}

/// Sends `items` in chunks through `send`, yielding between chunks; (busy ms, wall ms).
async fn chunked<T>(items: Vec<T>, mut send: impl FnMut(Vec<T>) -> Result<(), String>) -> Result<(f64, f64), String> {
    let mut items = items.into_iter();
    sliced(move |n| {
        let chunk: Vec<T> = items.by_ref().take(n).collect();
        let last = chunk.len() < n;
        send(chunk)?;
        Ok(last)
    })
    .await
}

fn per_s(count: usize, ms: f64) -> f64 {
    if ms <= 0.0 {
        0.0
    } else {
        (count as f64 * 1000.0 / ms).round()
    }
}

async fn run_scheduling(b: &mut Bench, p: &BTreeMap<String, String>) -> Result<(), String> {
    let w = scheduling::SchedulingBasic { nodes: num(p, "nodes", 5000), init_pods: num(p, "init_pods", 1000), measure_pods: num(p, "pods", 10_000), seed: num(p, "seed", 1) as u64 };
    yield_now().await;
    let (run, ms) = once(|| w.setup());
    let run = std::rc::Rc::new(std::cell::RefCell::new(run));
    b.phase("setup", ms, ms);
    yield_now().await;
    for (label, count) in [("init", w.init_pods), ("measure", w.measure_pods)] {
        let reqs = run.borrow().pod_requests(count);
        let r = run.clone();
        let (busy, wall) = chunked(reqs, move |chunk| r.borrow_mut().create(chunk)).await?;
        b.phase(&format!("{label}_create"), busy, wall);
        let r = run.clone();
        let (busy, wall) = sliced(move |n| r.borrow_mut().schedule(n)).await?;
        b.phase(&format!("{label}_schedule"), busy, wall);
        if label == "measure" {
            b.set("pods_scheduled_per_s_busy", json!(per_s(count, busy)));
            b.set("pods_scheduled_per_s_wall", json!(per_s(count, wall)));
        }
    }
    let counts = run.borrow().verify(w.nodes)?;
    b.set("pods", json!(counts.total));
    b.set("bound", json!(counts.bound));
    b.set("running", json!(counts.running));
    Ok(())
}

async fn run_scale(b: &mut Bench, p: &BTreeMap<String, String>) -> Result<(), String> {
    let defaults = scale::Scale::default();
    let w = scale::Scale {
        nodes: num(p, "nodes", defaults.nodes),
        replicas: num(p, "replicas", defaults.replicas),
        seed: num(p, "seed", 1) as u64,
        trace_records: num(p, "trace_records", defaults.trace_records),
    };
    yield_now().await;
    let (run, ms) = once(|| w.setup());
    let run = std::rc::Rc::new(std::cell::RefCell::new(run));
    b.phase("setup", ms, ms);
    let heap_setup = heap_bytes();
    // `budget_s`: the wall time the rollout may take before the run stops and reports how far it
    // got (the native bench's `--budget`); 0, the default, is no limit.
    let budget_ms = num(p, "budget_s", 0) as f64 * 1000.0;
    yield_now().await;
    let (_, apply_ms) = once(|| run.borrow_mut().apply());
    let r = run.clone();
    let started = now();
    let mut last_progress = started;
    let mut out_of_time = false;
    let (busy, wall) = sliced(|n| {
        if r.borrow_mut().run(n) {
            return Ok(true);
        }
        let t = now();
        if budget_ms > 0.0 && t - started > budget_ms {
            out_of_time = true;
            return Ok(true);
        }
        // Where the run is, every few seconds: what a watcher of the page (or a timed-out
        // WebDriver wait) sees. Counting reads every pod in etcd, so not at every slice.
        if t - last_progress > 5000.0 {
            last_progress = t;
            let c = r.borrow().counts();
            show("bench-status", &format!("scale: {:.0} s: {} pods, {} bound, {} Running", (t - started) / 1000.0, c.total, c.bound, c.running), false);
        }
        Ok(false)
    })
    .await?;
    b.phase("rollout", busy + apply_ms, wall + apply_ms);
    let heap_after = heap_bytes();
    let counts = run.borrow().counts();
    b.set("pods", json!(counts.total));
    b.set("bound", json!(counts.bound));
    b.set("running", json!(counts.running));
    b.set("steps", json!(run.borrow().steps()));
    b.set("heap_bytes_after_setup", json!(heap_setup));
    b.set("heap_bytes_after_rollout", json!(heap_after));
    b.set("heap_bytes_per_pod", json!(((heap_after - heap_setup) / counts.total.max(1) as f64).round()));
    if out_of_time {
        b.set("done", json!(false));
        return Err(format!("not done in {:.0} s: {} of {} pods created, {} bound, {} Running", wall / 1000.0, counts.total, w.replicas, counts.bound, counts.running));
    }
    b.set("done", json!(true));
    let verified = run.borrow().verify().map(|_| ());
    verified
}

async fn run_api_writes(b: &mut Bench, p: &BTreeMap<String, String>) -> Result<(), String> {
    let w = api_writes::ApiWrites { objects: num(p, "objects", 20_000), seed: num(p, "seed", 1) as u64 };
    yield_now().await;
    let (run, ms) = once(|| w.setup());
    let run = std::rc::Rc::new(std::cell::RefCell::new(run));
    b.phase("setup", ms, ms);
    yield_now().await;
    let reqs = run.borrow().create_requests();
    let r = run.clone();
    let (busy, wall) = chunked(reqs, move |chunk| r.borrow_mut().send(chunk).map(|_| ())).await?;
    b.phase("create", busy, wall);
    b.set("creates_per_s", json!(per_s(w.objects, busy)));
    yield_now().await;
    let reqs = run.borrow().update_requests();
    let r = run.clone();
    let (busy, wall) = chunked(reqs, move |chunk| r.borrow_mut().send(chunk).map(|_| ())).await?;
    b.phase("update", busy, wall);
    b.set("updates_per_s", json!(per_s(w.objects, busy)));
    let stored = run.borrow().verify()?;
    b.set("stored", json!(stored));
    b.set("stored_object_bytes", json!(run.borrow().stored_object_bytes()));
    Ok(())
}

async fn run_store(b: &mut Bench, p: &BTreeMap<String, String>) -> Result<(), String> {
    let (puts, gets, watchers, watch_puts) = (num(p, "puts", 200_000), num(p, "gets", 200_000), num(p, "watchers", 1000), num(p, "watch_puts", 1000));
    yield_now().await;
    let st = std::rc::Rc::new(std::cell::RefCell::new(kubeplay::store::Store::with_config(store::config())));
    let s = st.clone();
    let (busy, wall) = chunked(store::put_requests(puts), move |chunk| store::put_all(&mut s.borrow_mut(), chunk).map(|_| ())).await?;
    b.phase("put", busy, wall);
    b.set("puts_per_s", json!(per_s(puts, busy)));
    yield_now().await;
    let reqs = store::get_requests(gets, puts);
    let s = st.clone();
    let found = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let f = found.clone();
    let (busy, wall) = chunked(reqs, move |chunk| {
        f.set(f.get() + store::get_all(&s.borrow(), &chunk));
        Ok(())
    })
    .await?;
    b.phase("get", busy, wall);
    b.set("gets_per_s", json!(per_s(gets, busy)));
    if found.get() != gets {
        return Err(format!("{gets} gets found {} keys", found.get()));
    }
    drop(st);
    yield_now().await;
    let (mut fan, ms) = once(|| store::FanOut::new(watchers));
    b.phase("watch_create", ms, ms);
    yield_now().await;
    let (delivered, ms) = once(|| fan.run(watch_puts));
    b.phase("watch_fanout", ms, ms);
    b.set("events_delivered_per_s", json!(per_s(delivered, ms)));
    if delivered != watchers * watch_puts {
        return Err(format!("{watchers} watchers x {watch_puts} puts delivered {delivered} events"));
    }
    b.set("delivered", json!(delivered));
    Ok(())
}
