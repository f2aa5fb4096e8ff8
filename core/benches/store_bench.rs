//! Benchmarks the etcd store: puts, ranges, watch fan-out, memory per key and per watcher,
//! and the same put/get workload against a real etcd through its v3 JSON gateway.
//!
//! `cargo bench -p kubeplay --bench store_bench` (add `-- --no-etcd` to skip the real etcd).
//! Wall-clock time and a counting allocator live here, in a binary, never in the library.

use kubeplay::cli::etcdctl::base64;
use kubeplay::store::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

/// Counts live heap bytes (requested sizes), to measure memory per key and per watcher.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn key(i: usize) -> Vec<u8> {
    format!("/registry/k{i:08}").into_bytes()
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// CPU time this thread has run, from the scheduler's own accounting: on a shared machine the
/// wall clock also counts time spent waiting for a core.
fn cpu() -> Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Times `f`, returning wall and CPU time.
fn timed(f: impl FnOnce()) -> (Duration, Duration) {
    let (t, c) = (Instant::now(), cpu());
    f();
    (t.elapsed(), cpu() - c)
}

fn bench_config() -> StoreConfig {
    // etcd's own default: snapshots every 100,000 entries.
    StoreConfig { snapshot_count: std::env::var("SNAP").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000), quota_bytes: i64::MAX, ..Default::default() }
}

fn main() {
    let no_etcd = std::env::args().any(|a| a == "--no-etcd");
    const N: usize = 1_000_000;
    let make = |n: usize| -> Vec<PutRequest> {
        (0..n).map(|i| PutRequest { key: key(i), value: b"value-01".to_vec(), ..Default::default() }).collect()
    };

    // Puts: one million small puts to distinct keys, single thread. The requests are built
    // beforehand and handed over, as a server receives them.
    let reqs = make(N);
    let before = live();
    let mut s = Store::with_config(bench_config());
    let (put_time, put_cpu) = timed(|| {
        for r in reqs {
            let _ = s.put(r);
        }
    });
    let bytes_per_key = (live() - before) as f64 / N as f64;
    println!(
        "put            {:>12.0} puts/s   ({:.0} per CPU-second; {N} keys of 20 B + 8 B values)",
        rate(N, put_time),
        rate(N, put_cpu)
    );
    println!("memory/key     {:>12.0} bytes     (index + history + WAL since the last snapshot)", bytes_per_key);
    if std::env::args().any(|a| a == "--puts-only") {
        return;
    }

    // Overwrites of a small hot set, the apiserver's pattern for status updates.
    let over = make(1000);
    let reqs: Vec<PutRequest> = (0..N).map(|i| over[i % 1000].clone()).collect();
    let (wall, cpu_t) = timed(|| {
        for r in reqs {
            let _ = s.put(r);
        }
    });
    println!("put (overwrite){:>12.0} puts/s   ({:.0} per CPU-second; 1,000 hot keys)", rate(N, wall), rate(N, cpu_t));

    // Ranges: single-key gets, then 100-key prefix pages.
    let gets: Vec<RangeRequest> = (0..N).map(|i| RangeRequest::key(&key((i * 7919) % N))).collect();
    let mut found = 0usize;
    let (wall, cpu_t) = timed(|| {
        for g in &gets {
            found += s.range(g).map_or(0, |r| r.kvs.len());
        }
    });
    println!("range (1 key)  {:>12.0} gets/s   ({:.0} per CPU-second; {found} found, scattered)", rate(N, wall), rate(N, cpu_t));
    let get_wall = wall;
    let pages = 100_000;
    let t = Instant::now();
    for i in 0..pages {
        // A bounded page: etcd 3.4 walks the whole range to count it, so an open-ended range
        // would measure the keyspace size, not the page.
        let first = (i * 7919) % (N - 100);
        let _ = s.range(&RangeRequest { key: key(first), range_end: key(first + 100), limit: 100, ..Default::default() });
    }
    println!("range (100)    {:>12.0} pages/s", rate(pages, t.elapsed()));
    drop(s);

    // Watch fan-out: 1,000 watchers on one prefix, each event delivered to all of them.
    let mut s = Store::with_config(bench_config());
    let before = live();
    let ids: Vec<i64> =
        (0..1000).map(|_| s.watch(WatchCreateRequest { key: b"/fan/".to_vec(), range_end: b"/fan0".to_vec(), ..Default::default() })).collect();
    let per_watcher = (live() - before) as f64 / 1000.0;
    let events = 10_000;
    let (t, c) = (Instant::now(), cpu());
    let mut delivered = 0usize;
    for batch in 0..events / 100 {
        for i in 0..100 {
            let _ = s.put(PutRequest { key: format!("/fan/{}", batch * 100 + i).into_bytes(), value: b"v".to_vec(), ..Default::default() });
        }
        for id in &ids {
            delivered += s.take_watch_responses(*id).iter().map(|r| r.events.len()).sum::<usize>();
        }
    }
    let (fan, fan_cpu) = (t.elapsed(), cpu() - c);
    println!(
        "watch fan-out  {:>12.0} events/s delivered ({:.0} per CPU-second; {events} puts x 1000 watchers = {delivered})",
        rate(delivered, fan),
        rate(delivered, fan_cpu)
    );
    println!("bytes/watcher  {:>12.0} bytes     (1000 prefix watchers, idle)", per_watcher);
    let mut s2 = Store::with_config(bench_config());
    let before = live();
    for i in 0..100_000 {
        s2.watch(WatchCreateRequest { key: key(i), ..Default::default() });
    }
    println!("bytes/watcher  {:>12.0} bytes     (100,000 single-key watchers, idle)", (live() - before) as f64 / 100_000.0);

    if no_etcd {
        return;
    }
    match real_etcd(&make(20_000)) {
        Ok(r) => {
            println!("real etcd put  {:>12.0} puts/s   (v3 JSON gateway, 1 connection)", r.put);
            println!("real etcd get  {:>12.0} gets/s   (1 connection)", r.get);
            println!("real etcd put  {:>12.0} puts/s   ({CONNS} connections in parallel)", r.put_parallel);
            println!("ratio put      {:>12.0}x  (ours, one thread / real etcd, 1 connection)", rate(N, put_time) / r.put);
            println!("ratio put      {:>12.0}x  (ours, one thread / real etcd, {CONNS} connections)", rate(N, put_time) / r.put_parallel);
            println!("ratio get      {:>12.0}x  (ours, one thread / real etcd, 1 connection)", rate(N, get_wall) / r.get);
        }
        Err(e) => println!("real etcd: {e}"),
    }
}

/// Connections used for the parallel real-etcd run.
const CONNS: usize = 16;

struct RealRates {
    put: f64,
    get: f64,
    put_parallel: f64,
}

fn put_body(r: &PutRequest) -> String {
    format!("{{\"key\":\"{}\",\"value\":\"{}\"}}", base64(&r.key), base64(&r.value))
}

/// Starts a real etcd and runs puts then gets through `/v3/kv/put` and `/v3/kv/range`, then the
/// puts again over several connections at once.
fn real_etcd(reqs: &[PutRequest]) -> Result<RealRates, String> {
    let dir = std::env::temp_dir().join(format!("kubeplay-bench-etcd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let port = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).and_then(|l| l.local_addr()).map(|a| a.port());
    let (client, peer) = (port(0).map_err(|e| e.to_string())?, port(0).map_err(|e| e.to_string())?);
    let peer_url = format!("http://127.0.0.1:{peer}");
    let child = Command::new("/usr/bin/etcd")
        .arg("--data-dir")
        .arg(&dir)
        .args(["--listen-client-urls", &format!("http://127.0.0.1:{client}")])
        .args(["--advertise-client-urls", &format!("http://127.0.0.1:{client}")])
        .args(["--listen-peer-urls", &peer_url, "--initial-advertise-peer-urls", &peer_url])
        .args(["--initial-cluster", &format!("default={peer_url}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start /usr/bin/etcd: {e}"))?;
    struct Guard(Child, std::path::PathBuf);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
            let _ = std::fs::remove_dir_all(&self.1);
        }
    }
    let _guard = Guard(child, dir);
    let addr = format!("127.0.0.1:{client}");
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut conn = loop {
        if let Ok(c) = TcpStream::connect(&addr) {
            let mut conn = Conn::new(c)?;
            if conn.post("/v3/kv/range", &format!("{{\"key\":\"{}\"}}", base64(b"x"))).is_ok() {
                break conn;
            }
        }
        if Instant::now() > deadline {
            return Err("etcd did not come up".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let t = Instant::now();
    for r in reqs {
        conn.post("/v3/kv/put", &put_body(r))?;
    }
    let put = rate(reqs.len(), t.elapsed());
    let t = Instant::now();
    for r in reqs {
        conn.post("/v3/kv/range", &format!("{{\"key\":\"{}\"}}", base64(&r.key)))?;
    }
    let get = rate(reqs.len(), t.elapsed());
    let t = Instant::now();
    let results: Vec<Result<(), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = reqs
            .chunks(reqs.len().div_ceil(CONNS))
            .map(|chunk| {
                let addr = addr.clone();
                s.spawn(move || -> Result<(), String> {
                    let mut c = Conn::new(TcpStream::connect(&addr).map_err(|e| e.to_string())?)?;
                    for r in chunk {
                        c.post("/v3/kv/put", &put_body(r))?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("client thread panicked".into()))).collect()
    });
    let put_parallel = rate(reqs.len(), t.elapsed());
    results.into_iter().collect::<Result<Vec<()>, String>>()?;
    Ok(RealRates { put, get, put_parallel })
}

/// One keep-alive HTTP/1.1 connection to the gateway.
struct Conn {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

impl Conn {
    fn new(c: TcpStream) -> Result<Conn, String> {
        c.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Conn { r: BufReader::new(c.try_clone().map_err(|e| e.to_string())?), w: c })
    }

    fn post(&mut self, path: &str, body: &str) -> Result<Vec<u8>, String> {
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: etcd\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.w.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
        let mut status = String::new();
        self.r.read_line(&mut status).map_err(|e| e.to_string())?;
        let (mut len, mut chunked) = (0usize, false);
        loop {
            let mut h = String::new();
            self.r.read_line(&mut h).map_err(|e| e.to_string())?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let lower = h.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                self.r.read_line(&mut size).map_err(|e| e.to_string())?;
                let n = usize::from_str_radix(size.trim(), 16).map_err(|e| e.to_string())?;
                let mut chunk = vec![0; n + 2];
                self.r.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            body.resize(len, 0);
            self.r.read_exact(&mut body).map_err(|e| e.to_string())?;
        }
        if !status.contains(" 200 ") {
            return Err(format!("{}: {}", status.trim(), String::from_utf8_lossy(&body)));
        }
        Ok(body)
    }
}
