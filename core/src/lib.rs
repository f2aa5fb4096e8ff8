//! kubeplay's core: a deterministic, sans-IO simulation of a Kubernetes control plane.
//!
//! The map (see ARCHITECTURE.md for the whole picture):
//! - [`sim`]: virtual clock, the one seeded RNG, the event queue.
//! - [`api`]: manifests to typed k8s-openapi objects, with line:column diagnostics; served kinds.
//! - [`store`]: the etcd v3 store.
//! - [`apiserver`]: requests and the stages they pass through on their way to etcd.
//! - [`proxy`]: kube-proxy's iptables rules per node and connections through them.
//! - [`cluster`]: the [`Cluster`] that ties them together and is stepped one event at a time.
//! - [`cli`]: the kubectl/etcdctl command language shared by the native CLI and the web terminal.
//! - [`trace`]: the records of everything that happened, one line each.
//! - [`bench`]: the benchmark workloads (issue 8), timed by `core/benches/kubeplay_bench.rs`.
//!
//! Nothing here performs IO, reads the wall clock or asks the OS for randomness.

pub mod api;
pub mod apiserver;
pub mod bench;
pub mod cli;
pub mod cluster;
pub mod controllers;
pub mod proxy;
pub mod sim;
pub mod store;
pub mod trace;

pub use cluster::{Cluster, Config};
pub use trace::Trace;
