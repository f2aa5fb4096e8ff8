//! The nat table kube-proxy writes in iptables mode (`syncProxyRules` in
//! `pkg/proxy/iptables/proxier.go`), as typed rules, and its rendering as `iptables-save -t nat`
//! prints it (addresses as `/32`, `-p` before the matches, comments quoted, MARK targets as
//! `--set-xmark`, probabilities as xt_statistic stores them).
//!
//! Per service port with ready endpoints (policy `Cluster`):
//! ```text
//! KUBE-SERVICES  -d <clusterIP>/32 -p tcp --dport <port>            -> KUBE-SVC-<hash>
//! KUBE-SVC-<hash> ! -s 10.244.0.0/16 (off-cluster source)            -> KUBE-MARK-MASQ
//! KUBE-SVC-<hash> -m statistic --probability 1/n, 1/(n-1), ... last  -> KUBE-SEP-<hash>
//! KUBE-SEP-<hash> -s <endpoint IP> (hairpin)                         -> KUBE-MARK-MASQ
//! KUBE-SEP-<hash> -j DNAT --to-destination <ip>:<port>
//! KUBE-NODEPORTS --dport <nodePort> -> KUBE-EXT-<hash> (masquerade)  -> KUBE-SVC-<hash>
//! ```
//! Services are written in order of their port names (kube-proxy's order is a Go map's);
//! endpoints in the string order of `ip:port`, as the EndpointSlice cache sorts them.
//! Not modelled: `Local` traffic policies (KUBE-SVL), session affinity, external and
//! load-balancer IPs, the filter table.

use super::hash::chain_hash;
use serde_json::Value;
use std::fmt::Write;

/// kubeadm's `--cluster-cidr` (kube-proxy's local-traffic detector).
pub const CLUSTER_CIDR: &str = "10.244.0.0/16";
/// `--iptables-masquerade-bit` 14.
const MASQ_MARK: &str = "0x4000";

/// One match module of a rule, in the order kube-proxy passes them.
#[derive(Clone, Debug, PartialEq)]
pub enum Match {
    Comment(String),
    /// `-m tcp [--dport N]`.
    Proto(String, Option<u16>),
    AddrtypeDstLocal,
    /// `-m statistic --mode random --probability p` (p as kube-proxy computed it).
    Probability(f64),
    NotMarked,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Jump(String),
    Dnat(String),
    Return,
    Masquerade,
    /// `MARK --set-xmark value/mask`.
    SetXmark(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub chain: String,
    /// `(negated, cidr)`.
    pub src: Option<(bool, String)>,
    pub dst: Option<String>,
    pub proto: Option<String>,
    pub matches: Vec<Match>,
    pub target: Target,
}

impl Rule {
    fn new(chain: &str, target: Target) -> Self {
        Rule { chain: chain.to_string(), src: None, dst: None, proto: None, matches: Vec::new(), target }
    }

    fn comment(mut self, c: &str) -> Self {
        self.matches.push(Match::Comment(c.to_string()));
        self
    }

    /// The line `iptables-save` prints for this rule.
    pub fn render(&self) -> String {
        let mut s = format!("-A {}", self.chain);
        if let Some((neg, cidr)) = &self.src {
            let _ = write!(s, "{} -s {}", if *neg { " !" } else { "" }, host_cidr(cidr));
        }
        if let Some(d) = &self.dst {
            let _ = write!(s, " -d {}", host_cidr(d));
        }
        if let Some(p) = &self.proto {
            let _ = write!(s, " -p {p}");
        }
        for m in &self.matches {
            let _ = match m {
                Match::Comment(c) => write!(s, " -m comment --comment \"{c}\""),
                Match::Proto(p, Some(port)) => write!(s, " -m {p} --dport {port}"),
                Match::Proto(p, None) => write!(s, " -m {p}"),
                Match::AddrtypeDstLocal => write!(s, " -m addrtype --dst-type LOCAL"),
                Match::Probability(p) => write!(s, " -m statistic --mode random --probability {}", saved_probability(*p)),
                Match::NotMarked => write!(s, " -m mark ! --mark {MASQ_MARK}/{MASQ_MARK}"),
            };
        }
        let _ = match &self.target {
            Target::Jump(c) => write!(s, " -j {c}"),
            Target::Dnat(to) => write!(s, " -j DNAT --to-destination {to}"),
            Target::Return => write!(s, " -j RETURN"),
            Target::Masquerade => write!(s, " -j MASQUERADE --random-fully"),
            Target::SetXmark(x) => write!(s, " -j MARK --set-xmark {x}"),
        };
        s
    }
}

fn host_cidr(addr: &str) -> String {
    if addr.contains('/') {
        addr.to_string()
    } else {
        format!("{addr}/32")
    }
}

/// kube-proxy writes `fmt.Sprintf("%0.10f", 1.0/n)`; xt_statistic keeps it as a 31-bit fraction
/// (`lround(p * 0x80000000)`) and iptables-save prints that back with `%.11f`.
pub fn saved_probability(p: f64) -> String {
    let written: f64 = format!("{p:.10}").parse().unwrap_or(p);
    let stored = (written * 2_147_483_648.0).round();
    format!("{:.11}", stored / 2_147_483_648.0)
}

/// The nat table of one node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NatTable {
    pub rules: Vec<Rule>,
}

/// One service port as kube-proxy sees it.
#[derive(Clone, Debug)]
pub struct ServicePort {
    /// `ServicePortName.String()`: `default/web` or `default/web:http`.
    pub name: String,
    pub cluster_ip: String,
    pub port: u16,
    /// Lower case, as kube-proxy hashes and writes it.
    pub protocol: String,
    pub node_port: Option<u16>,
    /// `ip:port`, sorted.
    pub endpoints: Vec<String>,
}

impl ServicePort {
    pub fn svc_chain(&self) -> String {
        format!("KUBE-SVC-{}", chain_hash(&format!("{}{}", self.name, self.protocol)))
    }

    pub fn ext_chain(&self) -> String {
        format!("KUBE-EXT-{}", chain_hash(&format!("{}{}", self.name, self.protocol)))
    }

    pub fn sep_chain(&self, endpoint: &str) -> String {
        format!("KUBE-SEP-{}", chain_hash(&format!("{}{}{}", self.name, self.protocol, endpoint)))
    }
}

/// The service ports kube-proxy proxies, from the Services and EndpointSlices its informers hold.
pub fn service_ports<'a>(services: impl Iterator<Item = &'a Value>, slices: &[&Value]) -> Vec<ServicePort> {
    let mut out = Vec::new();
    for svc in services {
        let ip = svc["spec"]["clusterIP"].as_str().unwrap_or("");
        if ip.is_empty() || ip == "None" || svc["spec"]["type"] == "ExternalName" {
            continue;
        }
        let ns = svc["metadata"]["namespace"].as_str().unwrap_or("");
        let name = svc["metadata"]["name"].as_str().unwrap_or("");
        let mine: Vec<&&Value> = slices
            .iter()
            .filter(|s| s["metadata"]["namespace"] == ns && s["metadata"]["labels"]["kubernetes.io/service-name"] == name)
            .collect();
        for port in svc["spec"]["ports"].as_array().into_iter().flatten() {
            let port_name = port["name"].as_str().unwrap_or("");
            let protocol = port["protocol"].as_str().unwrap_or("TCP");
            let spn = if port_name.is_empty() { format!("{ns}/{name}") } else { format!("{ns}/{name}:{port_name}") };
            let mut ready = Vec::new();
            let mut terminating = Vec::new();
            for slice in &mine {
                let Some(sp) = slice["ports"].as_array().into_iter().flatten().find(|p| p["name"].as_str().unwrap_or("") == port_name && p["protocol"].as_str().unwrap_or("TCP") == protocol) else { continue };
                let Some(target) = sp["port"].as_u64() else { continue };
                for ep in slice["endpoints"].as_array().into_iter().flatten() {
                    let Some(addr) = ep["addresses"][0].as_str() else { continue };
                    let c = &ep["conditions"];
                    let s = format!("{addr}:{target}");
                    if c["ready"] != false {
                        ready.push(s);
                    } else if c["serving"] == true && c["terminating"] == true {
                        terminating.push(s);
                    }
                }
            }
            // Serving-but-terminating endpoints are used only when none is ready (KEP-1669).
            let mut endpoints = if ready.is_empty() { terminating } else { ready };
            endpoints.sort();
            endpoints.dedup();
            out.push(ServicePort {
                name: spn,
                cluster_ip: ip.to_string(),
                port: u16::try_from(port["port"].as_u64().unwrap_or(0)).unwrap_or(0),
                protocol: protocol.to_ascii_lowercase(),
                node_port: port["nodePort"].as_u64().and_then(|p| u16::try_from(p).ok()),
                endpoints,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.protocol.cmp(&b.protocol)));
    out
}

/// `syncProxyRules` for the nat table.
pub fn nat_table(ports: &[ServicePort]) -> NatTable {
    let mut r = Vec::new();
    let jump = |chain: &str, to: &str, comment: &str| Rule::new(chain, Target::Jump(to.to_string())).comment(comment);
    // The jumps from the built-in chains (iptablesJumpChains).
    r.push(jump("PREROUTING", "KUBE-SERVICES", "kubernetes service portals"));
    r.push(jump("OUTPUT", "KUBE-SERVICES", "kubernetes service portals"));
    r.push(jump("POSTROUTING", "KUBE-POSTROUTING", "kubernetes postrouting rules"));
    let mut ret = Rule::new("KUBE-POSTROUTING", Target::Return);
    ret.matches.push(Match::NotMarked);
    r.push(ret);
    r.push(Rule::new("KUBE-POSTROUTING", Target::SetXmark(format!("{MASQ_MARK}/0x0"))));
    r.push(Rule::new("KUBE-POSTROUTING", Target::Masquerade).comment("kubernetes service traffic requiring SNAT"));
    r.push(Rule::new("KUBE-MARK-MASQ", Target::SetXmark(format!("{MASQ_MARK}/{MASQ_MARK}"))));
    for sp in ports.iter().filter(|p| !p.endpoints.is_empty()) {
        let svc = sp.svc_chain();
        let p = &sp.protocol;
        let mut entry = jump("KUBE-SERVICES", &svc, &format!("{} cluster IP", sp.name));
        entry.dst = Some(sp.cluster_ip.clone());
        entry.proto = Some(p.clone());
        entry.matches.push(Match::Proto(p.clone(), Some(sp.port)));
        r.push(entry);
        if let Some(np) = sp.node_port {
            let ext = sp.ext_chain();
            let mut n = jump("KUBE-NODEPORTS", &ext, &sp.name);
            n.proto = Some(p.clone());
            n.matches.push(Match::Proto(p.clone(), Some(np)));
            r.push(n);
            r.push(jump(&ext, "KUBE-MARK-MASQ", &format!("masquerade traffic for {} external destinations", sp.name)));
            r.push(Rule::new(&ext, Target::Jump(svc.clone())));
        }
        let mut masq = jump(&svc, "KUBE-MARK-MASQ", &format!("{} cluster IP", sp.name));
        masq.src = Some((true, CLUSTER_CIDR.to_string()));
        masq.dst = Some(sp.cluster_ip.clone());
        masq.proto = Some(p.clone());
        masq.matches.push(Match::Proto(p.clone(), Some(sp.port)));
        r.push(masq);
        let n = sp.endpoints.len();
        for (i, ep) in sp.endpoints.iter().enumerate() {
            let mut to = jump(&svc, &sp.sep_chain(ep), &format!("{} -> {ep}", sp.name));
            if i + 1 < n {
                to.matches.push(Match::Probability(1.0 / (n - i) as f64));
            }
            r.push(to);
        }
        for ep in &sp.endpoints {
            let sep = sp.sep_chain(ep);
            let ip = ep.rsplit_once(':').map_or(ep.as_str(), |(ip, _)| ip);
            let mut hairpin = jump(&sep, "KUBE-MARK-MASQ", &sp.name);
            hairpin.src = Some((false, ip.to_string()));
            r.push(hairpin);
            let mut dnat = Rule::new(&sep, Target::Dnat(ep.clone())).comment(&sp.name);
            dnat.proto = Some(p.clone());
            dnat.matches.push(Match::Proto(p.clone(), None));
            r.push(dnat);
        }
    }
    let mut last = jump("KUBE-SERVICES", "KUBE-NODEPORTS", "kubernetes service nodeports; NOTE: this must be the last rule in this chain");
    last.matches.push(Match::AddrtypeDstLocal);
    r.push(last);
    NatTable { rules: r }
}

const BUILTIN: [&str; 4] = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];

impl NatTable {
    /// The user-defined chains: kube-proxy's, plus the canaries kubelet and kube-proxy create.
    pub fn chains(&self) -> Vec<String> {
        let mut chains: Vec<String> = ["KUBE-KUBELET-CANARY", "KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-PROXY-CANARY", "KUBE-SERVICES"].iter().map(|s| s.to_string()).collect();
        for rule in &self.rules {
            if !BUILTIN.contains(&rule.chain.as_str()) && !chains.contains(&rule.chain) {
                chains.push(rule.chain.clone());
            }
        }
        chains.sort();
        chains
    }

    /// The rules of one chain, in order.
    pub fn chain(&self, name: &str) -> impl Iterator<Item = &Rule> {
        let name = name.to_string();
        self.rules.iter().filter(move |r| r.chain == name)
    }

    /// `iptables-save -t nat`: built-in chains, then the others by name (as iptables lists
    /// them), then each chain's rules in the same order. `stamp` is the ctime-style date.
    pub fn save(&self, stamp: &str) -> String {
        let mut out = format!("# Generated by iptables-save v1.8.9 (nf_tables) on {stamp}\n*nat\n");
        for b in BUILTIN {
            let _ = writeln!(out, ":{b} ACCEPT [0:0]");
        }
        let chains = self.chains();
        for c in &chains {
            let _ = writeln!(out, ":{c} - [0:0]");
        }
        for c in BUILTIN.iter().map(|s| s.to_string()).chain(chains) {
            for rule in self.chain(&c) {
                out.push_str(&rule.render());
                out.push('\n');
            }
        }
        let _ = writeln!(out, "COMMIT\n# Completed on {stamp}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn probabilities_print_as_iptables_save_prints_them() {
        assert_eq!(saved_probability(1.0 / 3.0), "0.33333333349");
        assert_eq!(saved_probability(0.5), "0.50000000000");
        assert_eq!(saved_probability(0.25), "0.25000000000");
    }

    #[test]
    fn a_service_with_three_endpoints_splits_one_third_then_one_half() {
        let svc = json!({"metadata": {"namespace": "default", "name": "web"}, "spec": {"clusterIP": "10.96.0.10", "type": "NodePort", "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]}});
        let slice = json!({"metadata": {"namespace": "default", "labels": {"kubernetes.io/service-name": "web"}}, "ports": [{"name": "", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": ["10.244.2.2"], "conditions": {"ready": true}}, {"addresses": ["10.244.1.2"], "conditions": {"ready": true}},
                          {"addresses": ["10.244.3.2"], "conditions": {"ready": true}}, {"addresses": ["10.244.3.9"], "conditions": {"ready": false}}]});
        let ports = service_ports([&svc].into_iter(), &[&slice]);
        assert_eq!(ports[0].endpoints, ["10.244.1.2:8080", "10.244.2.2:8080", "10.244.3.2:8080"]);
        let table = nat_table(&ports);
        let svc_chain = ports[0].svc_chain();
        let lines: Vec<String> = table.chain(&svc_chain).map(Rule::render).collect();
        assert_eq!(lines[0], format!("-A {svc_chain} ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ"));
        assert!(lines[1].contains("-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-"), "{}", lines[1]);
        assert!(lines[2].contains("--probability 0.50000000000"));
        assert!(!lines[3].contains("statistic"));
        let saved = table.save("Thu Jan  1 00:00:00 2026");
        assert!(saved.contains("-A KUBE-NODEPORTS -p tcp -m comment --comment \"default/web\" -m tcp --dport 30080 -j KUBE-EXT-"));
        assert!(saved.contains("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n"));
    }
}
