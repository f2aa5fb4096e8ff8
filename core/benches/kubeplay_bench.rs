//! The native benchmarks of issue 8, one command each (BENCHMARKS.md has the figures):
//!
//! ```text
//! cargo bench -p kubeplay --bench kubeplay_bench -- scheduling [--nodes 5000 --init-pods 1000 --pods 10000]
//! cargo bench -p kubeplay --bench kubeplay_bench -- scale      [--nodes 1000 --replicas 100000]
//! cargo bench -p kubeplay --bench kubeplay_bench -- api-writes [--objects 20000]
//! cargo bench -p kubeplay --bench kubeplay_bench -- store      [--puts 1000000 --watchers 1000]
//! cargo bench -p kubeplay --bench kubeplay_bench -- scaling
//! cargo bench -p kubeplay --bench kubeplay_bench -- all --write BENCHMARKS.md [--etcd-puts N]
//! ```
//!
//! The workloads are the library's (`kubeplay::bench`), deterministic for a seed (`--seed`);
//! this binary only times them: the wall clock (`Instant`), this thread's CPU time from
//! `/proc/thread-self/schedstat`, and a counting global allocator (live, peak and total bytes).
//! `--budget SECONDS` bounds each cluster run's wall time; a run cut short says how far it got.
//! `all --write FILE` replaces the part of FILE between the `bench:begin` and `bench:end`
//! markers with the figures, the machine and the anchors (`make bench`).

use kubeplay::bench::{api_writes, scale, scheduling, store};
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts heap bytes as asked for (not allocator overhead): live now, the peak of live since
/// the last reset, and everything ever allocated.
///
/// The workloads run on this one thread, so the counters are read and written with plain
/// loads and stores: the locked read-modify-writes (`fetch_add`, and `fetch_max`'s
/// compare-exchange loop) on every allocation were about 3% of a scheduling run's samples,
/// a cost of the measuring, not of the simulation. Another thread's allocations could be
/// miscounted, never unsafely.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

fn add(counter: &AtomicUsize, n: usize) -> usize {
    let v = counter.load(Ordering::Relaxed).wrapping_add(n);
    counter.store(v, Ordering::Relaxed);
    v
}

fn shrank(n: usize) {
    add(&LIVE, n.wrapping_neg());
}

fn grew(n: usize) {
    let live = add(&LIVE, n);
    add(&TOTAL, n);
    if live > PEAK.load(Ordering::Relaxed) {
        PEAK.store(live, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        grew(l.size());
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        grew(l.size());
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        shrank(l.size());
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if n >= l.size() {
            grew(n - l.size());
        } else {
            shrank(l.size() - n);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}
fn total() -> usize {
    TOTAL.load(Ordering::Relaxed)
}
fn reset_peak() -> usize {
    let l = live();
    PEAK.store(l, Ordering::Relaxed);
    l
}
fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// CPU time this thread has run (the wall clock also counts waiting for a core).
fn cpu() -> Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// A timed phase: wall and CPU time.
#[derive(Clone, Copy, Debug, Default)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Timing) {
    let (t, c) = (Instant::now(), cpu());
    let r = f();
    (r, Timing { wall: t.elapsed(), cpu: cpu().saturating_sub(c) })
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn mib(b: usize) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

/// Thousands separators, as BENCHMARKS.md writes numbers.
fn commas(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The command-line options (`--name value`).
struct Args {
    words: Vec<String>,
}

impl Args {
    fn get(&self, name: &str) -> Option<&str> {
        self.words.iter().position(|w| w == name).and_then(|i| self.words.get(i + 1)).map(String::as_str)
    }
    fn num(&self, name: &str, default: usize) -> usize {
        self.get(name).and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
    }
    fn seed(&self) -> u64 {
        self.num("--seed", 1) as u64
    }
    fn budget(&self) -> Duration {
        Duration::from_secs(self.num("--budget", 600) as u64)
    }
}

/// One figure of the table: what, the result, and the anchor and goal beside it.
#[derive(Default)]
struct Figure {
    what: String,
    result: String,
    anchor: String,
    goal: String,
}

/// Everything one subcommand measured: the table's rows and lines of detail (phases).
#[derive(Default)]
struct Report {
    figures: Vec<Figure>,
    details: Vec<String>,
    scaling: Vec<String>,
}

impl Report {
    fn figure(&mut self, what: impl Into<String>, result: impl Into<String>, anchor: impl Into<String>, goal: impl Into<String>) {
        let f = Figure { what: what.into(), result: result.into(), anchor: anchor.into(), goal: goal.into() };
        println!("{:<58} {:>30}   {} {}", f.what, f.result, f.anchor, f.goal);
        self.figures.push(f);
    }
    fn detail(&mut self, line: String) {
        println!("  {line}");
        self.details.push(line);
    }
}

/// Anchors from issue 8 (BENCHMARKS.md cites them).
const SCHEDULER_PERF: f64 = 680.0;
const ETCD_ANCHOR: f64 = 850.0;
const KWOK_OBJECTS: f64 = 20.0;

fn ratio(ours: f64, anchor: f64) -> String {
    format!("{:.1}x", ours / anchor)
}

/// `scheduling`: SchedulingBasic; pods scheduled per second of wall time.
fn bench_scheduling(args: &Args, r: &mut Report) {
    let w = scheduling::SchedulingBasic {
        nodes: args.num("--nodes", 5000),
        init_pods: args.num("--init-pods", 1000),
        measure_pods: args.num("--pods", 10_000),
        seed: args.seed(),
    };
    let budget = args.budget();
    let base = reset_peak();
    let (mut run, setup) = timed(|| w.setup());
    r.detail(format!("scheduling: {} nodes registered and Ready in {} (cluster start, not measured)", w.nodes, secs(setup.wall)));
    // initPods: created and scheduled before the measurement, as scheduler_perf does.
    let reqs = run.pod_requests(w.init_pods);
    let (created, init_create) = timed(|| run.create(reqs));
    if let Err(e) = created {
        r.figure("scheduling: SchedulingBasic", format!("failed: {e}"), "", "");
        return;
    }
    let (done, init_sched) = timed(|| drive(budget, |steps| run.schedule(steps)));
    r.detail(format!("scheduling: {} init pods created in {}, scheduled in {}", w.init_pods, secs(init_create.wall), secs(init_sched.wall)));
    if let Err(e) = done {
        r.figure("scheduling: SchedulingBasic", format!("init pods: {e}"), "", "");
        return;
    }
    let reqs = run.pod_requests(w.measure_pods);
    let (created, create) = timed(|| run.create(reqs));
    if let Err(e) = created {
        r.figure("scheduling: SchedulingBasic", format!("failed: {e}"), "", "");
        return;
    }
    let (done, sched) = timed(|| drive(budget, |steps| run.schedule(steps)));
    let (_, bound) = run.progress();
    let measured = bound.saturating_sub(w.init_pods);
    let name = format!("scheduling: SchedulingBasic, {} nodes, {} + {} pods", commas(w.nodes as f64), commas(w.init_pods as f64), commas(w.measure_pods as f64));
    let both = Duration::from_secs_f64(create.wall.as_secs_f64() + sched.wall.as_secs_f64());
    match done {
        Ok(true) => match run.verify(w.nodes) {
            Ok(_) => {
                let pods_s = rate(w.measure_pods, sched.wall);
                r.figure(format!("{name}: pods scheduled/s (wall)"), format!("**{}** ({} per CPU-s)", commas(pods_s), commas(rate(w.measure_pods, sched.cpu))), format!("scheduler_perf 680: {}", ratio(pods_s, SCHEDULER_PERF)), ">= 10,000");
                r.figure(format!("{name}: created and scheduled/s"), commas(rate(w.measure_pods, both)), format!("real clusters 100-300: {}", ratio(rate(w.measure_pods, both), 300.0)), "");
            }
            Err(e) => r.figure(name, format!("wrong result: {e}"), "", ""),
        },
        Ok(false) => r.figure(format!("{name}: pods scheduled/s (wall)"), format!("not done in {}: {measured} of {} bound ({} pods/s)", secs(budget), w.measure_pods, commas(rate(measured, sched.wall))), "", ">= 10,000"),
        Err(e) => r.figure(name, format!("failed: {e}"), "", ""),
    }
    r.detail(format!(
        "scheduling: {} pods POSTed in {} ({} creates/s), bound in {} wall, {} CPU; peak heap {:.0} MiB",
        w.measure_pods,
        secs(create.wall),
        commas(rate(w.measure_pods, create.wall)),
        secs(sched.wall),
        secs(sched.cpu),
        mib(peak().saturating_sub(base))
    ));
}

/// Steps `f` (which takes a step count) in slices until done, failed, or the wall budget is spent.
/// The slices are short: one control-plane step of a 5,000-node cluster takes about a second.
fn drive(budget: Duration, mut f: impl FnMut(usize) -> Result<bool, String>) -> Result<bool, String> {
    let t = Instant::now();
    loop {
        if f(5)? {
            return Ok(true);
        }
        if t.elapsed() > budget {
            return Ok(false);
        }
    }
}

/// What one scale run measured.
struct ScaleResult {
    nodes: usize,
    replicas: usize,
    setup: Timing,
    run: Timing,
    done: Result<(), String>,
    counts: kubeplay::bench::PodCounts,
    steps: usize,
    peak: usize,
    held: usize,
}

fn run_scale(w: scale::Scale, budget: Duration) -> ScaleResult {
    let base = reset_peak();
    let (mut run, setup) = timed(|| w.setup());
    let before = live();
    let t = Instant::now();
    let (idle, timing) = timed(|| {
        run.apply();
        loop {
            if run.run(5) {
                return true;
            }
            if t.elapsed() > budget {
                return false;
            }
        }
    });
    let held = live().saturating_sub(before);
    let peak = peak().saturating_sub(base);
    let done = if idle { run.verify().map(|_| ()) } else { Err(format!("not done in {}", secs(budget))) };
    ScaleResult { nodes: w.nodes, replicas: w.replicas, setup, run: timing, counts: run.counts(), steps: run.steps(), done, peak, held }
}

fn describe(s: &ScaleResult) -> String {
    format!(
        "{} nodes, {} replicas: {} in {} wall ({} CPU, {} kernel events; cluster start {}); {} pods, {} bound, {} Running; peak heap {:.0} MiB, held {:.0} MiB ({} B per pod)",
        s.nodes,
        s.replicas,
        match &s.done {
            Ok(()) => "all Running".to_string(),
            Err(e) => e.clone(),
        },
        secs(s.run.wall),
        secs(s.run.cpu),
        s.steps,
        secs(s.setup.wall),
        s.counts.total,
        s.counts.bound,
        s.counts.running,
        mib(s.peak),
        mib(s.held),
        commas(s.held as f64 / s.counts.total.max(1) as f64)
    )
}

/// `scale`: 1,000 nodes, a 100,000-replica Deployment until every pod is Running.
fn bench_scale(args: &Args, r: &mut Report) -> ScaleResult {
    let w = scale::Scale {
        nodes: args.num("--nodes", 1000),
        replicas: args.num("--replicas", 100_000),
        seed: args.seed(),
        trace_records: args.num("--trace-records", scale::Scale::default().trace_records),
    };
    let s = run_scale(w, args.budget());
    let name = format!("scale: {} nodes, Deployment of {} replicas, apply to all Running", commas(w.nodes as f64), commas(w.replicas as f64));
    match &s.done {
        Ok(()) => {
            let per_s = rate(w.replicas, s.run.wall);
            r.figure(format!("{name}: wall time"), format!("**{}** ({} pods/s)", secs(s.run.wall), commas(per_s)), format!("KWOK 20 objects/s: {}", ratio(per_s, KWOK_OBJECTS)), "<= 30 s (browser)");
        }
        Err(e) => r.figure(format!("{name}: wall time"), format!("{e}: {} of {} Running after {}", commas(s.counts.running as f64), commas(w.replicas as f64), secs(s.run.wall)), "", "<= 30 s (browser)"),
    }
    let per_pod = s.peak as f64 / s.counts.total.max(1) as f64;
    r.figure(format!("{name}: peak heap"), format!("{:.0} MiB, {} B per pod", mib(s.peak), commas(per_pod)), "", "<= 1 GB, <= 10 KB per pod");
    r.detail(format!("scale: {}", describe(&s)));
    s
}

/// `api-writes`: creates and updates per second through the whole pipeline, bytes allocated per write.
fn bench_api_writes(args: &Args, r: &mut Report) {
    let w = api_writes::ApiWrites { objects: args.num("--objects", 20_000), seed: args.seed() };
    let mut run = w.setup();
    let reqs = run.create_requests();
    let a = total();
    let (res, create) = timed(|| run.send(reqs));
    let create_alloc = total() - a;
    if let Err(e) = res {
        r.figure("api writes: creates", format!("failed: {e}"), "", "");
        return;
    }
    let size = run.stored_object_bytes();
    let reqs = run.update_requests();
    let a = total();
    let (res, update) = timed(|| run.send(reqs));
    let update_alloc = total() - a;
    if let Err(e) = res {
        r.figure("api writes: updates", format!("failed: {e}"), "", "");
        return;
    }
    if let Err(e) = run.verify() {
        r.figure("api writes", format!("wrong result: {e}"), "", "");
        return;
    }
    let n = w.objects;
    let creates = rate(n, create.wall);
    r.figure(format!("api writes: pod creates/s, all stages ({} pods)", commas(n as f64)), format!("**{}** ({} per CPU-s)", commas(creates), commas(rate(n, create.cpu))), format!("KWOK 20 objects/s: {}", ratio(creates, KWOK_OBJECTS)), ">= 50,000");
    r.figure(format!("api writes: pod updates/s (PUT with resourceVersion, {} pods)", commas(n as f64)), format!("{} ({} per CPU-s)", commas(rate(n, update.wall)), commas(rate(n, update.cpu))), "", "");
    r.figure(
        format!("api writes: bytes allocated per create / per update (stored pod {size} B)"),
        format!("{} / {} B ({:.0}x / {:.0}x the object)", commas((create_alloc / n) as f64), commas((update_alloc / n) as f64), create_alloc as f64 / n as f64 / size.max(1) as f64, update_alloc as f64 / n as f64 / size.max(1) as f64),
        "",
        "",
    );
    r.detail(format!("api writes: {n} creates in {} wall ({} CPU), {n} updates in {} wall ({} CPU)", secs(create.wall), secs(create.cpu), secs(update.wall), secs(update.cpu)));
}

/// `store`: puts, ranges and watch fan-out with 1,000 watchers.
fn bench_store(args: &Args, r: &mut Report, etcd: Option<f64>) {
    let n = args.num("--puts", 1_000_000);
    let watchers = args.num("--watchers", 1000);
    let mut s = kubeplay::store::Store::with_config(store::config());
    let reqs = store::put_requests(n);
    let (res, put) = timed(|| store::put_all(&mut s, reqs));
    if let Err(e) = res {
        r.figure("store: puts", format!("failed: {e}"), "", "");
        return;
    }
    let puts = rate(n, put.wall);
    let (etcd_rate, etcd_src) = match etcd {
        Some(e) => (e, format!("real etcd 3.4 here {}/s", commas(e))),
        None => (ETCD_ANCHOR, "etcd 850/s".to_string()),
    };
    r.figure(format!("store: sequential puts/s ({} new keys)", commas(n as f64)), format!("**{}** ({} per CPU-s)", commas(puts), commas(rate(n, put.cpu))), format!("{etcd_src}: {}", ratio(puts, etcd_rate)), ">= 1,000,000; >= 100x etcd");
    let gets = store::get_requests(n, n);
    let (found, get) = timed(|| store::get_all(&s, &gets));
    r.figure("store: single-key ranges/s, scattered", format!("{} ({} per CPU-s)", commas(rate(n, get.wall)), commas(rate(n, get.cpu))), "", "");
    if found != n {
        r.detail(format!("store: only {found} of {n} gets found their key"));
    }
    drop(s);
    let mut fan = store::FanOut::new(watchers);
    let events = 10_000;
    let (delivered, t) = timed(|| fan.run(events));
    r.figure(format!("store: watch events delivered/s ({} watchers, {} puts)", commas(watchers as f64), commas(events as f64)), format!("{} ({} per CPU-s)", commas(rate(delivered, t.wall)), commas(rate(delivered, t.cpu))), "", "");
    if delivered != events * watchers {
        r.detail(format!("store: {delivered} events delivered, {} expected", events * watchers));
    }
    r.detail(format!("store: {n} puts in {} wall ({} CPU)", secs(put.wall), secs(put.cpu)));
}

/// `scaling`: time and memory as nodes and pods grow.
fn bench_scaling(args: &Args, r: &mut Report, known: Option<&ScaleResult>) {
    let budget = Duration::from_secs(args.num("--point-budget", 300) as u64);
    let points = [(10, 1000), (100, 1000), (1000, 1000), (5000, 1000), (1000, 10_000), (1000, 100_000)];
    r.scaling.push("| Nodes | Pods | Apply to all Running (wall) | Pods/s | Kernel events | Peak heap | Held per pod |".into());
    r.scaling.push("|---:|---:|---|---:|---:|---:|---:|".into());
    for (nodes, pods) in points {
        let s = match known {
            Some(k) if k.nodes == nodes && k.replicas == pods => None,
            _ => Some(run_scale(scale::Scale { nodes, replicas: pods, seed: args.seed(), ..scale::Scale::default() }, budget)),
        };
        let Some(s) = s.as_ref().or(known) else { continue };
        println!("  scaling: {}", describe(s));
        let time = match &s.done {
            Ok(()) => secs(s.run.wall),
            Err(_) => format!("not done in {}: {} Running", secs(s.run.wall), commas(s.counts.running as f64)),
        };
        r.scaling.push(format!(
            "| {} | {} | {time} | {} | {} | {:.0} MiB | {} B |",
            commas(nodes as f64),
            commas(pods as f64),
            commas(rate(s.counts.running, s.run.wall)),
            commas(s.steps as f64),
            mib(s.peak),
            commas(s.held as f64 / s.counts.total.max(1) as f64)
        ));
    }
}

fn sh(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd).args(args).output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())).unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())))
        .map_or(String::new(), |kb| format!(", {:.0} GiB", kb / 1024.0 / 1024.0));
    format!("{model}, {cores} vCPU{mem}")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").ok().map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

/// The section `make bench` writes into BENCHMARKS.md.
fn markdown(r: &Report, load_before: &str, load_after: &str, wall: Duration) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Native figures (`make bench`)\n");
    let _ = writeln!(
        s,
        "Measured {} UTC at commit {} on {} (load average {load_before} before, {load_after} after; the machine is shared, so wall-clock rates drop when other work competes for the cores). The whole run took {}.\n",
        sh("date", &["-u", "+%Y-%m-%d %H:%M"]),
        sh("git", &["rev-parse", "--short", "HEAD"]),
        machine(),
        secs(wall)
    );
    let _ = writeln!(s, "Command: `make bench` (`cargo bench -p kubeplay --bench kubeplay_bench -- all --write BENCHMARKS.md`, release profile, one thread; the real etcd figure from `store_bench`).\n");
    let _ = writeln!(s, "| What | Result | Anchor: ratio | Goal (issue 8) |");
    let _ = writeln!(s, "|---|---|---|---|");
    for f in &r.figures {
        let _ = writeln!(s, "| {} | {} | {} | {} |", f.what, f.result, f.anchor, f.goal);
    }
    let _ = writeln!(s, "\nPhases:\n");
    for d in &r.details {
        let _ = writeln!(s, "- {d}");
    }
    if !r.scaling.is_empty() {
        let _ = writeln!(s, "\n### How it scales\n");
        let _ = writeln!(s, "Scale runs (a Deployment from `kubectl apply` until every pod is Running), each bounded to `--point-budget` seconds of wall time. \"Held per pod\" is the heap the run added and kept, divided by the pods in etcd.\n");
        for l in &r.scaling {
            let _ = writeln!(s, "{l}");
        }
    }
    s
}

const BEGIN: &str = "<!-- bench:begin (written by `make bench`; edits between the markers are overwritten) -->";
const END: &str = "<!-- bench:end -->";

fn write_section(path: &str, section: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let block = format!("{BEGIN}\n{section}{END}");
    let new = match (text.find(BEGIN), text.find(END)) {
        (Some(b), Some(e)) if e > b => format!("{}{block}{}", &text[..b], &text[e + END.len()..]),
        _ => format!("{}\n{block}\n", text.trim_end()),
    };
    std::fs::write(path, new).map_err(|e| format!("{path}: {e}"))
}

fn main() {
    // `cargo bench` adds `--bench`; it means nothing here.
    let words: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(cmd) = words.first().cloned() else {
        eprintln!("usage: kubeplay_bench scheduling|scale|api-writes|store|scaling|all [--write FILE] [--seed N] [--budget SECONDS]");
        std::process::exit(2);
    };
    let args = Args { words };
    let etcd = args.get("--etcd-puts").and_then(|v| v.parse::<f64>().ok());
    let load_before = loadavg();
    let start = Instant::now();
    let mut r = Report::default();
    match cmd.as_str() {
        "scheduling" => bench_scheduling(&args, &mut r),
        "scale" => {
            bench_scale(&args, &mut r);
        }
        "api-writes" => bench_api_writes(&args, &mut r),
        "store" => bench_store(&args, &mut r, etcd),
        "scaling" => bench_scaling(&args, &mut r, None),
        "all" => {
            bench_store(&args, &mut r, etcd);
            bench_api_writes(&args, &mut r);
            bench_scheduling(&args, &mut r);
            let s = bench_scale(&args, &mut r);
            bench_scaling(&args, &mut r, Some(&s));
        }
        other => {
            eprintln!("unknown benchmark {other:?}");
            std::process::exit(2);
        }
    }
    if let Some(path) = args.get("--write") {
        let section = markdown(&r, &load_before, &loadavg(), start.elapsed());
        if let Err(e) = write_section(path, &section) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        println!("wrote the figures into {path}");
    }
}
