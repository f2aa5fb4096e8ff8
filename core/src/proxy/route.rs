//! A simulated connection through a node's nat table: the packet enters `PREROUTING` (from a pod)
//! or `OUTPUT` (from the node itself), walks the chains rule by rule as netfilter does (a jump
//! returns when its chain runs out), `-m statistic --mode random` draws from the cluster's seeded
//! RNG, and the first `DNAT` decides the backend.

use super::rules::{Match, NatTable, Rule, Target, CLUSTER_CIDR};
use crate::sim::Rng;

/// Where the connection starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub node: String,
    pub ip: String,
    /// A pod's traffic arrives through PREROUTING; the node's own through OUTPUT.
    pub from_pod: bool,
    /// The node's own addresses (`-m addrtype --dst-type LOCAL`).
    pub local_addresses: Vec<String>,
}

/// One rule the packet met and whether it matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub rule: Rule,
    pub matched: bool,
    /// For a `--probability` rule: the draw decided it.
    pub random: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub hops: Vec<Hop>,
    /// `ip:port` after DNAT, or `None` when no rule rewrote the destination.
    pub destination: Option<String>,
    pub masquerade: bool,
}

fn in_cidr(ip: &str, cidr: &str) -> bool {
    let parse = |s: &str| -> Option<u32> {
        let o: Vec<u8> = s.split('.').map(|p| p.parse().ok()).collect::<Option<Vec<u8>>>()?;
        (o.len() == 4).then(|| u32::from_be_bytes([o[0], o[1], o[2], o[3]]))
    };
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let bits: u32 = bits.parse().unwrap_or(32).min(32);
    match (parse(ip), parse(net)) {
        (Some(a), Some(n)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            a & mask == n & mask
        }
        _ => false,
    }
}

/// Chains a packet may pass at most (no rule set kube-proxy writes nests deeper than 5).
const MAX_DEPTH: usize = 8;

/// Follows `dst_ip:dst_port` (TCP) from `source` through `table`.
pub fn route(table: &NatTable, source: &Source, dst_ip: &str, dst_port: u16, rng: &mut Rng) -> Route {
    let mut r = Route { hops: Vec::new(), destination: None, masquerade: false };
    let entry = if source.from_pod { "PREROUTING" } else { "OUTPUT" };
    walk(table, entry, source, dst_ip, dst_port, rng, &mut r, 0);
    r
}

#[allow(clippy::too_many_arguments)]
fn walk(table: &NatTable, chain: &str, source: &Source, dst_ip: &str, dst_port: u16, rng: &mut Rng, r: &mut Route, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    for rule in table.chain(chain) {
        let mut random = false;
        let mut matched = rule.src.as_ref().is_none_or(|(neg, cidr)| in_cidr(&source.ip, cidr) != *neg)
            && rule.dst.as_ref().is_none_or(|d| in_cidr(dst_ip, d))
            && rule.proto.as_ref().is_none_or(|p| p == "tcp");
        for m in &rule.matches {
            matched = matched
                && match m {
                    Match::Comment(_) | Match::NotMarked => true,
                    Match::Proto(p, port) => p == "tcp" && port.is_none_or(|port| port == dst_port),
                    Match::AddrtypeDstLocal => source.local_addresses.iter().any(|a| a == dst_ip) || in_cidr(dst_ip, "127.0.0.0/8"),
                    Match::Probability(p) => {
                        random = true;
                        // 53 random bits as a fraction in [0, 1).
                        ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < *p
                    }
                };
        }
        // Rules that did not match are shown only where chance decided.
        if matched || random {
            r.hops.push(Hop { rule: rule.clone(), matched, random });
        }
        if !matched {
            continue;
        }
        match &rule.target {
            Target::Jump(next) if next == "KUBE-MARK-MASQ" => r.masquerade = true,
            Target::Jump(next) => {
                if walk(table, next, source, dst_ip, dst_port, rng, r, depth + 1) {
                    return true;
                }
            }
            Target::Dnat(to) => {
                r.destination = Some(to.clone());
                return true;
            }
            Target::Return => return false,
            Target::Masquerade | Target::SetXmark(_) => {}
        }
    }
    false
}

/// True when `ip` is a pod address (the cluster CIDR).
pub fn is_pod_ip(ip: &str) -> bool {
    in_cidr(ip, CLUSTER_CIDR)
}

#[cfg(test)]
mod tests {
    use super::super::rules::{nat_table, ServicePort};
    use super::*;

    fn table() -> NatTable {
        nat_table(&[ServicePort {
            name: "default/web".into(),
            cluster_ip: "10.96.0.10".into(),
            port: 80,
            protocol: "tcp".into(),
            node_port: Some(30080),
            endpoints: vec!["10.244.1.2:80".into(), "10.244.2.2:80".into(), "10.244.3.2:80".into()],
        }])
    }

    #[test]
    fn every_connection_reaches_one_backend_and_all_backends_get_some() {
        let source = Source { node: "node-1".into(), ip: "10.244.1.5".into(), from_pod: true, local_addresses: vec!["192.168.49.3".into()] };
        let mut rng = Rng::new(7);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..60 {
            let r = route(&table(), &source, "10.96.0.10", 80, &mut rng);
            seen.insert(r.destination.expect("a backend"));
            assert!(!r.masquerade, "pod traffic inside the cluster CIDR keeps its source");
        }
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn a_node_port_on_the_nodes_address_is_masqueraded_and_a_wrong_port_goes_nowhere() {
        let node = Source { node: "node-1".into(), ip: "192.168.49.3".into(), from_pod: false, local_addresses: vec!["192.168.49.3".into()] };
        let mut rng = Rng::new(1);
        let r = route(&table(), &node, "192.168.49.3", 30080, &mut rng);
        assert!(r.destination.is_some() && r.masquerade);
        assert!(r.hops.iter().any(|h| h.rule.chain == "KUBE-NODEPORTS"));
        assert_eq!(route(&table(), &node, "10.96.0.10", 81, &mut rng).destination, None);
        assert!(in_cidr("10.244.3.7", "10.244.0.0/16") && !in_cidr("10.245.0.1", "10.244.0.0/16"));
    }
}
