//! Fuzz target: command lines through the command language's entry point, `cli::parse` — the
//! shell-style word splitter, kubectl's pflag-style flags and every subcommand's parser, and the
//! builtins. etcdctl parses its arguments when it runs, so etcdctl lines are also run against a
//! bare etcd (`Cluster::etcd_only`, as `kubeplay --etcd-only` serves it), which is cheap.
//! The input is up to eight lines; the files `m.yaml` and `-` hold a small valid manifest.
#![no_main]

use kubeplay::cli::{parse, MemoryFiles, Parsed};
use kubeplay::{Cluster, Config};
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files = MemoryFiles::new().with("m.yaml", MANIFEST).with("-", MANIFEST);
    let mut etcd: Option<Cluster> = None;
    for line in text.lines().take(8) {
        match parse(line, &files) {
            Ok(Parsed::Etcdctl(_)) => {
                let cluster = etcd.get_or_insert_with(|| Cluster::etcd_only(Config::default()));
                let _ = cluster.execute(line, &files);
            }
            Ok(_) => {}
            Err(out) => assert!(!out.success() || out.stderr.is_empty(), "a parse error exits non-zero"),
        }
    }
});
