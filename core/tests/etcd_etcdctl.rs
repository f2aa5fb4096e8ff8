//! The etcdctl session as a terminal uses it: a watch started on one line prints the events
//! later lines cause, and virtual time expires leases.

use kubeplay::cli::etcdctl::{self, Etcdctl};
use kubeplay::cli::split_words;
use kubeplay::store::Store;

fn line(s: &str) -> Vec<String> {
    split_words(s).expect("valid words")
}

#[test]
fn a_watch_streams_what_later_commands_write() {
    let mut store = Store::new();
    let mut sh = Etcdctl::new();
    assert_eq!(sh.run(&line("watch k --prefix"), "", &mut store).stdout, "");
    assert_eq!(sh.run(&line("put k1 v1"), "", &mut store).stdout, "OK\n");
    assert_eq!(sh.poll(&mut store).stdout, "PUT\nk1\nv1\n");
    let txn = "\nput k2 a\ndel k1\n\n\n";
    assert_eq!(sh.run(&line("txn"), txn, &mut store).stdout, "SUCCESS\n\nOK\n\n1\n");
    assert_eq!(sh.poll(&mut store).stdout, "PUT\nk2\na\nDELETE\nk1\n\n");
    sh.stop_watches(&mut store);
    sh.run(&line("put k3 x"), "", &mut store);
    assert_eq!(sh.poll(&mut store).stdout, "");
}

#[test]
fn leases_expire_in_virtual_time() {
    let mut store = Store::new();
    let mut sh = Etcdctl::new();
    let out = sh.run(&line("lease grant 10"), "", &mut store).stdout;
    let id = out.split(' ').nth(1).expect("lease id").to_string();
    sh.run(&line(&format!("put a 1 --lease={id}")), "", &mut store);
    sh.run(&line("watch a"), "", &mut store);
    store.advance_to(9_999);
    assert_eq!(sh.poll(&mut store).stdout, "");
    store.advance_to(10_000);
    assert_eq!(sh.poll(&mut store).stdout, "DELETE\na\n\n");
    let ttl = sh.run(&line(&format!("lease timetolive {id}")), "", &mut store);
    assert_eq!(ttl.stdout, format!("lease {id} already expired\n"));
}

#[test]
fn one_shot_run_and_errors() {
    let mut store = Store::new();
    assert_eq!(etcdctl::run(&line("put a 1"), &mut store).stdout, "OK\n");
    let err = etcdctl::run(&line("get a --rev=9"), &mut store);
    assert_eq!((err.stderr.as_str(), err.exit_code), ("Error: etcdserver: mvcc: required revision is a future revision\n", 1));
    let json = etcdctl::run(&line("get a -w json"), &mut store).stdout;
    assert!(json.contains("\"kvs\":[{\"key\":\"YQ==\",\"create_revision\":2,\"mod_revision\":2,\"version\":1,\"value\":\"MQ==\"}]"));
}
