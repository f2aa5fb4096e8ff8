//! Runs kubeplay's machine and network commands (`cli::builtins`): node stop/start/add/remove act
//! on the machines the control plane steps (the Node object changes only through the kubelet's and
//! the controllers' requests, or `kubectl delete node`); `iptables-save` prints a node's nat table;
//! `connect` walks it. Each action is a trace record. `wait` with no duration lets virtual time
//! pass until the cluster has settled.

use super::Cluster;
use crate::apiserver::{handle, rfc3339, Request, User, Verb};
use crate::cli::builtins::{Builtin, NodeAdd};
use crate::cli::Output;
use crate::controllers::{parse_taint, NodeSpec};
use crate::proxy::route::{is_pod_ip, route, Source};
use crate::store::RangeRequest;
use crate::trace::{Actor, Event};
use serde_json::Value;
use std::fmt::Write;

/// `Thu Jan  1 00:00:10 2026`, the date iptables-save stamps (C's `ctime`).
fn ctime(now: crate::sim::Time) -> String {
    let iso = rfc3339(now); // 2026-01-01T00:00:10Z
    let days = (1_767_225_600 + now.as_ms() / 1000) / 86_400;
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let month: usize = iso.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let day: u32 = iso.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(1);
    format!("{weekday} {} {day:>2} {} {}", months[(month.clamp(1, 12)) - 1], iso.get(11..19).unwrap_or(""), iso.get(0..4).unwrap_or(""))
}

impl Cluster {
    fn note(&mut self, actor: &str, node: &str, detail: String) {
        self.trace.push(self.now(), Actor::User(actor.into()), Event::Node { node: node.to_string(), detail });
    }

    /// Objects under an etcd prefix, decoded (what a node-local agent would know of them).
    fn stored(&self, prefix: &str) -> Vec<Value> {
        let mut end = prefix.as_bytes().to_vec();
        if let Some(last) = end.last_mut() {
            *last += 1;
        }
        let req = RangeRequest { key: prefix.as_bytes().to_vec(), range_end: end, ..Default::default() };
        self.store.range(&req).map(|r| r.kvs.iter().filter_map(|kv| serde_json::from_slice(&kv.value).ok()).collect()).unwrap_or_default()
    }

    pub(super) fn builtin(&mut self, b: Builtin, cause: Option<u64>) -> Output {
        if b == Builtin::Watches {
            return Output::ok(self.watches_table());
        }
        let Some(mut cp) = self.control_plane.take() else { return Output::fail("kubeplay: no cluster (--etcd-only)\n") };
        let out = match b {
            Builtin::NodeList => {
                let mut s = String::from("NAME            KUBELET   INTERNAL-IP     POD-CIDR\n");
                for (spec, running) in cp.machines() {
                    let _ = writeln!(s, "{:<15} {:<9} {:<15} 10.244.{}.0/24", spec.name, if running { "running" } else { "stopped" }, spec.internal_ip, spec.pod_cidr_octet);
                }
                Output::ok(s)
            }
            Builtin::NodeStop(name) => match cp.stop_node(&name) {
                Ok(true) => {
                    self.note("kubernetes-admin", &name, "kubelet stopped".into());
                    Output::ok(format!("{name}: kubelet stopped\n"))
                }
                Ok(false) => Output::ok(format!("{name}: kubelet already stopped\n")),
                Err(e) => Output::fail(format!("node: {e}\n")),
            },
            Builtin::NodeStart(name) => match cp.start_node(&name) {
                Ok(true) => {
                    self.note("kubernetes-admin", &name, "kubelet started".into());
                    Output::ok(format!("{name}: kubelet started\n"))
                }
                Ok(false) => Output::ok(format!("{name}: kubelet already running\n")),
                Err(e) => Output::fail(format!("node: {e}\n")),
            },
            Builtin::NodeAdd(add) => match node_spec(&add).and_then(|spec| cp.add_node(spec)) {
                Ok(()) => {
                    self.note("kubernetes-admin", &add.name, "machine added, kubelet started".into());
                    Output::ok(format!("{}: machine added, kubelet started\n", add.name))
                }
                Err(e) => Output::fail(format!("node: {e}\n")),
            },
            Builtin::NodeRemove(name) => match cp.remove_node(&name) {
                Ok(()) => {
                    self.note("kubernetes-admin", &name, "machine removed".into());
                    let mut s = format!("{name}: machine removed\n");
                    // What an operator then runs: kubectl delete node NAME.
                    if let Some(kind) = crate::api::lookup("v1", "Node") {
                        let mut req = Request::new(Verb::Delete, kind, "", &name);
                        req.user = User::admin();
                        req.cause = cause;
                        if handle(&mut self.api_context(), &req).result.is_ok() {
                            let _ = writeln!(s, "node \"{name}\" deleted");
                        }
                    }
                    Output::ok(s)
                }
                Err(e) => Output::fail(format!("node: {e}\n")),
            },
            Builtin::IptablesSave(node) => match cp.nat_table(&node) {
                Some(t) => Output::ok(t.save(&ctime(self.now()))),
                None => Output::fail(format!("iptables-save: node {node:?} not found\n")),
            },
            Builtin::Connect { ip, port, from, namespace } => self.connect(&cp, &ip, port, from.as_deref(), &namespace),
            Builtin::SchedulerExplain { namespace, pod } => self.scheduler_explain(&namespace, &pod),
            Builtin::Watches => Output::default(), // answered above, with the control plane in place
            Builtin::Load(l) => super::load::run(&mut cp, l),
        };
        self.control_plane = Some(cp);
        self.notify_controllers();
        out
    }

    fn connect(&mut self, cp: &crate::controllers::ControlPlane, ip: &str, port: u16, from: Option<&str>, namespace: &str) -> Output {
        let machines: Vec<(String, String)> = cp.machines().iter().map(|(s, _)| (s.name.clone(), s.internal_ip.clone())).collect();
        let (source, label) = match from.unwrap_or("node/node-1").split_once('/') {
            Some(("node" | "no" | "nodes", name)) => match machines.iter().find(|(n, _)| n == name) {
                Some((n, addr)) => (Source { node: n.clone(), ip: addr.clone(), from_pod: false, local_addresses: vec![addr.clone()] }, format!("node {n} ({addr})")),
                None => return Output::fail(format!("connect: node {name:?} not found\n")),
            },
            Some(("pod" | "po" | "pods", name)) => {
                let pod = self.stored(&format!("/registry/pods/{namespace}/{name}")).into_iter().find(|p| p["metadata"]["name"] == name);
                let Some(pod) = pod else { return Output::fail(format!("connect: pod {namespace}/{name} not found\n")) };
                let node = pod["spec"]["nodeName"].as_str().unwrap_or("").to_string();
                let pod_ip = pod["status"]["podIP"].as_str().unwrap_or("").to_string();
                let Some((_, addr)) = machines.iter().find(|(n, _)| *n == node) else { return Output::fail(format!("connect: pod {namespace}/{name} is not running on a node\n")) };
                if pod_ip.is_empty() {
                    return Output::fail(format!("connect: pod {namespace}/{name} has no IP yet\n"));
                }
                (Source { node: node.clone(), ip: pod_ip.clone(), from_pod: true, local_addresses: vec![addr.clone()] }, format!("pod {namespace}/{name} ({pod_ip}) on {node}"))
            }
            _ => return Output::fail(format!("connect: --from wants pod/NAME or node/NAME, not {:?}\n", from.unwrap_or(""))),
        };
        let Some(table) = cp.nat_table(&source.node) else { return Output::fail(format!("connect: node {:?} has no kube-proxy\n", source.node)) };
        let r = route(table, &source, ip, port, &mut self.rng);
        let mut s = format!("{label} -> {ip}:{port}/TCP\n");
        for hop in &r.hops {
            let note = match (hop.random, hop.matched) {
                (true, true) => "   (random: taken)",
                (true, false) => "   (random: not taken)",
                _ => "",
            };
            let line = format!("{}{note}", hop.rule.render());
            let _ = writeln!(s, "{}: {line}", source.node);
            self.note("netfilter", &source.node, line);
        }
        let Some(dest) = r.destination else {
            let msg = format!("no kube-proxy rule matched {ip}:{port} on {}: nothing answers", source.node);
            self.note("netfilter", &source.node, msg.clone());
            return Output { stdout: s, stderr: format!("connect: {msg}\n"), exit_code: 1, ..Default::default() };
        };
        let backend_ip = dest.rsplit_once(':').map_or(dest.as_str(), |(a, _)| a);
        let backend = self
            .stored("/registry/pods/")
            .into_iter()
            .find(|p| p["status"]["podIP"] == backend_ip && p["metadata"]["deletionTimestamp"].is_null())
            .or_else(|| self.stored("/registry/pods/").into_iter().find(|p| p["status"]["podIP"] == backend_ip));
        let who = match &backend {
            Some(p) if is_pod_ip(backend_ip) => format!(
                "pod {}/{} on {}",
                p["metadata"]["namespace"].as_str().unwrap_or(""),
                p["metadata"]["name"].as_str().unwrap_or(""),
                p["spec"]["nodeName"].as_str().unwrap_or("")
            ),
            _ => machines.iter().find(|(_, a)| a == backend_ip).map_or_else(|| "a host outside the pod network".to_string(), |(n, _)| format!("host network of {n}")),
        };
        let snat = if r.masquerade { format!(", source masqueraded to {} (KUBE-MARK-MASQ)", machines.iter().find(|(n, _)| *n == source.node).map_or("", |(_, a)| a.as_str())) } else { String::new() };
        let last = format!("DNAT {ip}:{port} -> {dest}: {who}{snat}");
        let _ = writeln!(s, "{last}");
        self.note("netfilter", &source.node, last);
        Output::ok(s)
    }
}

/// The kubelet configuration `node add` boots with.
fn node_spec(add: &NodeAdd) -> Result<NodeSpec, String> {
    let mut spec = NodeSpec::worker(&add.name, 0);
    if add.name.is_empty() || add.name.len() > 63 || !add.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.') {
        return Err(format!("invalid node name {:?}", add.name));
    }
    if let Some(c) = &add.cpu {
        spec.cpu = c.clone();
    }
    if let Some(m) = &add.memory {
        spec.memory = m.clone();
    }
    if let Some(p) = &add.pods {
        spec.pods = p.clone();
    }
    for (k, v) in &add.labels {
        spec.labels.insert(k.clone(), v.clone());
    }
    if let Some(z) = &add.zone {
        spec.labels.insert("topology.kubernetes.io/zone".into(), z.clone());
    }
    for t in &add.taints {
        spec.taints.push(parse_taint(t).ok_or_else(|| format!("invalid taint {t:?} (want key[=value]:NoSchedule|PreferNoSchedule|NoExecute)"))?);
    }
    Ok(spec)
}

impl Cluster {
    /// `scheduler explain`: the newest scheduling-attempt record of the pod still in the trace,
    /// as tables (`trace::scheduling::SchedulingAttempt::render_table`).
    fn scheduler_explain(&self, namespace: &str, pod: &str) -> Output {
        let key = format!("{namespace}/{pod}");
        let attempt = self.trace.records().rev().find_map(|r| match &r.event {
            Event::Scheduling(a) if a.pod == key => Some(a),
            _ => None,
        });
        match attempt {
            Some(a) => Output::ok(a.render_table()),
            None => Output::fail(format!("scheduler explain: no scheduling attempt for pod {key} in the trace\n")),
        }
    }
}

/// How long `wait` lets virtual time pass with no change that matters before it calls the
/// cluster settled: long enough for a node to be marked NotReady (50 s without a heartbeat) and
/// for a crash-looping container's next restarts, short of the five-minute eviction timers.
const SETTLE_QUIET_MS: u64 = 60_000;
/// The most virtual time one `wait` lets pass (a CronJob every minute never settles).
const SETTLE_MAX_MS: u64 = 3_600_000;

/// Store keys whose writes are the cluster's pulse rather than a change a learner waits for:
/// kubelets' and leaders' Lease renewals, and Events (which accompany the real change).
fn is_heartbeat_key(key: &str) -> bool {
    key.starts_with("/registry/leases/") || key.starts_with("/registry/events/")
}

impl Cluster {
    /// `wait` with no duration: steps through everything queued, timers included, until a
    /// minute of virtual time passes without a store write other than leases and events, or the
    /// queue is empty; bounded by an hour of virtual time and `max_steps_per_run`.
    pub(super) fn settle(&mut self) -> Output {
        let start = self.now();
        let deadline = start.after(crate::sim::Duration::from_ms(SETTLE_MAX_MS));
        let mut last_change = start;
        let mut seen = self.trace.records().next_back().map_or(0, |r| r.seq);
        let mut steps = 0;
        loop {
            let Some(next) = self.queue.peek_time() else { return Output::default() };
            if next > last_change.after(crate::sim::Duration::from_ms(SETTLE_QUIET_MS)) {
                return Output::default();
            }
            if next > deadline || steps >= self.config.max_steps_per_run {
                let what = format!("wait: the cluster was still changing after {} steps ({} of virtual time)", steps, crate::cli::printers::human_duration((self.now().as_ms() - start.as_ms()) as i64));
                self.trace.push(self.now(), Actor::ApiServer, Event::Bound { what: what.clone() });
                return Output { stderr: format!("kubeplay: {what}\n"), ..Default::default() };
            }
            self.step();
            steps += 1;
            let changed = self
                .trace
                .records()
                .rev()
                .take_while(|r| r.seq > seen)
                .any(|r| matches!(&r.event, Event::StoreWrite { key, .. } if !is_heartbeat_key(key)));
            seen = self.trace.records().next_back().map_or(seen, |r| r.seq);
            if changed {
                last_change = self.now();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iptables_save_stamps_the_date_as_ctime_does() {
        assert_eq!(ctime(crate::sim::Time(10_000)), "Thu Jan  1 00:00:10 2026");
        assert_eq!(ctime(crate::sim::Time(86_400_000 * 3)), "Sun Jan  4 00:00:00 2026");
    }
}
