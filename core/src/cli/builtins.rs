//! kubeplay's own commands for what happens outside the API: machines and the network.
//!
//! ```text
//! node [list]                     the machines, and whether each kubelet runs
//! node stop NAME                  stop the kubelet (systemctl stop kubelet): no more heartbeats,
//!                                 the containers keep running, unobserved
//! node start NAME                 start it again
//! node add NAME [--cpu 4] [--memory 8Gi] [--pods 110] [--labels k=v,...]
//!               [--taints k=v:NoSchedule,...] [--zone Z]
//!                                 boot a new machine; its kubelet registers the Node
//! node remove NAME                take the machine away and `kubectl delete node NAME`
//! iptables-save [-t nat] NODE     the nat table kube-proxy wrote on NODE
//! connect IP:PORT [--from pod/NAME|node/NAME] [-n NAMESPACE]
//!                                 follow a TCP connection through the source node's rules to
//!                                 one backend (default source: node node-1)
//! scheduler explain [-n NS] pod/NAME
//!                                 kube-scheduler's last attempt for the pod: each node's filter
//!                                 verdicts and scores, the node chosen, preemption
//! load [TYPE/NAME [-n NS] [--cpu=QTY] [--memory=QTY]]
//!                                 drive CPU/memory load on a workload (spread over its Ready
//!                                 pods) or a pod, as a load generator would (`cli/load.rs`)
//! watches                         the watch streams open: each process's API watches with the
//!                                 last event they got, and the streams open on etcd
//! ```

use super::Output;

pub const NODE_USAGE: &str = "usage: node [list]
       node stop NAME      stop NAME's kubelet: no more heartbeats, containers keep running
       node start NAME     start NAME's kubelet again
       node add NAME [--cpu 4] [--memory 8Gi] [--pods 110] [--labels k=v,...] [--taints k=v:NoSchedule,...] [--zone ZONE]
       node remove NAME    remove the machine and its Node object
";
pub const IPTABLES_SAVE_USAGE: &str = "usage: iptables-save [-t nat] NODE   (the nat table kube-proxy wrote on NODE)\n";
pub const SCHEDULER_USAGE: &str = "usage: scheduler explain [-n NAMESPACE] pod/NAME   (kube-scheduler's last attempt for a pod: filters and scores per node)\n";

/// `scheduler explain [-n NS] pod/NAME` (or `NAME`).
pub fn parse_scheduler(args: &[String]) -> Result<Builtin, Output> {
    let (pos, flags) = split_flags(args, &["n", "namespace"]).map_err(|e| usage(&format!("scheduler: {e}\n{SCHEDULER_USAGE}")))?;
    let [verb, target] = pos.as_slice() else { return Err(usage(SCHEDULER_USAGE)) };
    if verb != "explain" {
        return Err(usage(SCHEDULER_USAGE));
    }
    let pod = match target.split_once('/') {
        Some(("pod" | "pods" | "po", name)) => name,
        Some(_) => return Err(usage(&format!("scheduler explain: only pods are scheduled, not {target:?}\n"))),
        None => target.as_str(),
    };
    let namespace = flags.iter().rev().find(|(k, _)| k == "n" || k == "namespace").map_or("default".to_string(), |(_, v)| v.clone());
    Ok(Builtin::SchedulerExplain { namespace, pod: pod.to_string() })
}

pub const CONNECT_USAGE: &str = "usage: connect IP:PORT [--from pod/NAME|node/NAME] [-n NAMESPACE]   (a TCP connection through kube-proxy's rules)\n";

/// A machine to add.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NodeAdd {
    pub name: String,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub pods: Option<String>,
    pub labels: Vec<(String, String)>,
    pub taints: Vec<String>,
    pub zone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Builtin {
    NodeList,
    NodeStop(String),
    NodeStart(String),
    NodeAdd(NodeAdd),
    NodeRemove(String),
    IptablesSave(String),
    Connect { ip: String, port: u16, from: Option<String>, namespace: String },
    /// `watches`: who watches what (`cluster/watch_streams.rs`).
    Watches,
    /// `scheduler explain [-n NS] pod/NAME`: the scheduler's last attempt for a pod, as a table.
    SchedulerExplain { namespace: String, pod: String },
    /// `load ...`: outside demand on a workload or pod (`cli/load.rs`).
    Load(super::load::Load),
}

fn usage(text: &str) -> Output {
    Output { stderr: text.to_string(), exit_code: 1, ..Default::default() }
}

/// Positional words, then `(flag, value)` pairs.
type Split = (Vec<String>, Vec<(String, String)>);

/// `--flag value` and `--flag=value`, the rest positional.
fn split_flags(args: &[String], with_value: &[&str]) -> Result<Split, String> {
    let mut positional = Vec::new();
    let mut flags = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(flag) = a.strip_prefix("--").or_else(|| a.strip_prefix('-').filter(|f| f.len() == 1)) {
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            if !with_value.contains(&name) {
                return Err(format!("unknown flag: {a}"));
            }
            let value = match inline {
                Some(v) => v,
                None => it.next().cloned().ok_or_else(|| format!("flag needs an argument: {a}"))?,
            };
            flags.push((name.to_string(), value));
        } else {
            positional.push(a.clone());
        }
    }
    Ok((positional, flags))
}

/// Parses `node`, `watches`, `iptables-save` and `connect`; `tool` is the first word.
pub fn parse(tool: &str, args: &[String]) -> Result<Builtin, Output> {
    match tool {
        "node" => parse_node(args),
        "watches" if args.is_empty() => Ok(Builtin::Watches),
        "watches" => Err(usage("usage: watches   (the watch streams open: who watches which resource, and on etcd)\n")),
        "iptables-save" => {
            let (pos, flags) = split_flags(args, &["t", "table"]).map_err(|e| usage(&format!("iptables-save: {e}\n{IPTABLES_SAVE_USAGE}")))?;
            if let Some((_, t)) = flags.iter().find(|(_, v)| v != "nat") {
                return Err(usage(&format!("iptables-save: kubeplay shows only the nat table (not {t:?})\n")));
            }
            match pos.as_slice() {
                [node] => Ok(Builtin::IptablesSave(node.clone())),
                _ => Err(usage(IPTABLES_SAVE_USAGE)),
            }
        }
        _ => {
            let (pos, flags) = split_flags(args, &["from", "n", "namespace"]).map_err(|e| usage(&format!("connect: {e}\n{CONNECT_USAGE}")))?;
            let [target] = pos.as_slice() else { return Err(usage(CONNECT_USAGE)) };
            let (ip, port) = target.rsplit_once(':').ok_or_else(|| usage(CONNECT_USAGE))?;
            let port: u16 = port.parse().map_err(|_| usage(&format!("connect: invalid port {port:?}\n")))?;
            let from = flags.iter().find(|(k, _)| k == "from").map(|(_, v)| v.clone());
            let namespace = flags.iter().find(|(k, _)| k == "n" || k == "namespace").map_or("default".to_string(), |(_, v)| v.clone());
            Ok(Builtin::Connect { ip: ip.to_string(), port, from, namespace })
        }
    }
}

fn parse_node(args: &[String]) -> Result<Builtin, Output> {
    let Some((verb, rest)) = args.split_first() else { return Ok(Builtin::NodeList) };
    let one = |rest: &[String]| match rest {
        [name] => Ok(name.clone()),
        _ => Err(usage(NODE_USAGE)),
    };
    match verb.as_str() {
        "list" | "ls" if rest.is_empty() => Ok(Builtin::NodeList),
        "stop" => one(rest).map(Builtin::NodeStop),
        "start" => one(rest).map(Builtin::NodeStart),
        "remove" | "rm" => one(rest).map(Builtin::NodeRemove),
        "add" => {
            let (pos, flags) = split_flags(rest, &["cpu", "memory", "pods", "labels", "taints", "zone"]).map_err(|e| usage(&format!("node add: {e}\n{NODE_USAGE}")))?;
            let [name] = pos.as_slice() else { return Err(usage(NODE_USAGE)) };
            let mut add = NodeAdd { name: name.clone(), ..Default::default() };
            for (k, v) in flags {
                match k.as_str() {
                    "cpu" => add.cpu = Some(v),
                    "memory" => add.memory = Some(v),
                    "pods" => add.pods = Some(v),
                    "zone" => add.zone = Some(v),
                    "labels" => {
                        for kv in v.split(',').filter(|s| !s.is_empty()) {
                            let (k, v) = kv.split_once('=').ok_or_else(|| usage(&format!("node add: invalid label {kv:?} (want key=value)\n")))?;
                            add.labels.push((k.to_string(), v.to_string()));
                        }
                    }
                    _ => add.taints.extend(v.split(',').filter(|s| !s.is_empty()).map(str::to_string)),
                }
            }
            Ok(Builtin::NodeAdd(add))
        }
        _ => Err(usage(NODE_USAGE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn node_commands_parse_with_their_flags() {
        assert_eq!(parse("node", &words("stop node-2")), Ok(Builtin::NodeStop("node-2".into())));
        assert_eq!(parse("node", &[]), Ok(Builtin::NodeList));
        let Ok(Builtin::NodeAdd(add)) = parse("node", &words("add node-4 --cpu 2 --memory=4Gi --labels disk=ssd,tier=web --taints gpu=true:NoSchedule --zone z1")) else { panic!() };
        assert_eq!(add.cpu.as_deref(), Some("2"));
        assert_eq!(add.labels, [("disk".to_string(), "ssd".to_string()), ("tier".to_string(), "web".to_string())]);
        assert_eq!(add.taints, ["gpu=true:NoSchedule"]);
        assert!(parse("node", &words("stop")).is_err());
        assert!(parse("node", &words("add node-4 --gpus 1")).is_err());
    }

    #[test]
    fn iptables_save_and_connect_parse() {
        assert_eq!(parse("iptables-save", &words("-t nat node-1")), Ok(Builtin::IptablesSave("node-1".into())));
        assert!(parse("iptables-save", &words("-t filter node-1")).is_err());
        assert_eq!(
            parse("connect", &words("10.96.0.10:80 --from pod/client")),
            Ok(Builtin::Connect { ip: "10.96.0.10".into(), port: 80, from: Some("pod/client".into()), namespace: "default".into() })
        );
        assert!(parse("connect", &words("10.96.0.10")).is_err());
    }
}
