//! etcdctl 3.4's printers: `simple` (`printer_simple.go`), `json` (Go's `encoding/json` of the
//! client response structs, bytes in base64, zero fields left out) and `fields`
//! (`printer_fields.go`). Each function returns the exact text etcdctl writes to stdout.

use super::format::{base64, go_quote, json_string, Obj};
use crate::store::*;

/// `-w`/`--write-out`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Simple,
    Json,
    Fields,
    Table,
    Protobuf,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "simple" => Format::Simple,
            "json" => Format::Json,
            "fields" => Format::Fields,
            "table" => Format::Table,
            "protobuf" => Format::Protobuf,
            _ => return None,
        })
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// How the simple printer shows a key-value pair: `--print-value-only` and `--hex`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KvStyle {
    pub value_only: bool,
    pub hex: bool,
}

/// `--hex`: every byte as `\xNN`, as etcdctl's `addHexPrefix`.
fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("\\x{c:02x}")).collect()
}

/// `printKV`: the key unless only values are wanted, then the value.
pub fn simple_kv(out: &mut String, style: KvStyle, kv: &KeyValue) {
    let show = |b: &[u8]| if style.hex { hex(b) } else { lossy(b) };
    if !style.value_only {
        out.push_str(&show(&kv.key));
        out.push('\n');
    }
    out.push_str(&show(&kv.value));
    out.push('\n');
}

pub fn simple_get(out: &mut String, style: KvStyle, r: &RangeResponse) {
    for kv in &r.kvs {
        simple_kv(out, style, kv);
    }
}

pub fn simple_put(out: &mut String, style: KvStyle, r: &PutResponse) {
    out.push_str("OK\n");
    if let Some(p) = &r.prev_kv {
        simple_kv(out, style, p);
    }
}

pub fn simple_del(out: &mut String, style: KvStyle, r: &DeleteRangeResponse) {
    out.push_str(&format!("{}\n", r.deleted));
    for kv in &r.prev_kvs {
        simple_kv(out, style, kv);
    }
}

pub fn simple_txn(out: &mut String, style: KvStyle, r: &TxnResponse) {
    out.push_str(if r.succeeded { "SUCCESS\n" } else { "FAILURE\n" });
    for op in &r.responses {
        out.push('\n');
        match op {
            ResponseOp::Range(g) => simple_get(out, style, g),
            ResponseOp::Put(p) => simple_put(out, style, p),
            ResponseOp::DeleteRange(d) => simple_del(out, style, d),
        }
    }
}

pub fn simple_watch(out: &mut String, style: KvStyle, r: &WatchResponse) {
    for ev in &r.events {
        out.push_str(event_type(ev.kind));
        out.push('\n');
        if let Some(p) = &ev.prev_kv {
            simple_kv(out, style, p);
        }
        simple_kv(out, style, &ev.kv);
    }
}

fn event_type(t: EventType) -> &'static str {
    match t {
        EventType::Put => "PUT",
        EventType::Delete => "DELETE",
    }
}

// ---- json ----

pub fn header_fields(o: Obj, h: &ResponseHeader) -> Obj {
    o.num_omit("cluster_id", h.cluster_id).num_omit("member_id", h.member_id).num_omit("revision", h.revision).num_omit(
        "raft_term",
        h.raft_term,
    )
}

pub fn json_header(h: &ResponseHeader) -> String {
    header_fields(Obj::new(), h).end()
}

pub fn json_kv(kv: &KeyValue) -> String {
    Obj::new()
        .bytes_omit("key", &kv.key)
        .num_omit("create_revision", kv.create_revision)
        .num_omit("mod_revision", kv.mod_revision)
        .num_omit("version", kv.version)
        .bytes_omit("value", &kv.value)
        .num_omit("lease", kv.lease)
        .end()
}

fn kvs(list: &[KeyValue]) -> Vec<String> {
    list.iter().map(json_kv).collect()
}

pub fn json_get(r: &RangeResponse) -> String {
    Obj::new()
        .raw("header", &json_header(&r.header))
        .list_omit("kvs", &kvs(&r.kvs))
        .bool_omit("more", r.more)
        .num_omit("count", r.count)
        .end()
}

pub fn json_put(r: &PutResponse) -> String {
    let o = Obj::new().raw("header", &json_header(&r.header));
    match &r.prev_kv {
        Some(p) => o.raw("prev_kv", &json_kv(p)).end(),
        None => o.end(),
    }
}

pub fn json_del(r: &DeleteRangeResponse) -> String {
    Obj::new()
        .raw("header", &json_header(&r.header))
        .num_omit("deleted", r.deleted)
        .list_omit("prev_kvs", &kvs(&r.prev_kvs))
        .end()
}

pub fn json_txn(r: &TxnResponse) -> String {
    let ops: Vec<String> = r
        .responses
        .iter()
        .map(|op| {
            let (name, body) = match op {
                ResponseOp::Range(g) => ("ResponseRange", json_get(g)),
                ResponseOp::Put(p) => ("ResponsePut", json_put(p)),
                ResponseOp::DeleteRange(d) => ("ResponseDeleteRange", json_del(d)),
            };
            Obj::new().raw("Response", &Obj::new().raw(name, &body).end()).end()
        })
        .collect();
    Obj::new()
        .raw("header", &json_header(&r.header))
        .bool_omit("succeeded", r.succeeded)
        .list_omit("responses", &ops)
        .end()
}

pub fn json_event(ev: &Event) -> String {
    let o = Obj::new().num_omit("type", if ev.kind == EventType::Delete { 1 } else { 0 }).raw("kv", &json_kv(&ev.kv));
    match &ev.prev_kv {
        Some(p) => o.raw("prev_kv", &json_kv(p)).end(),
        None => o.end(),
    }
}

/// clientv3's `WatchResponse` has no JSON tags, so its fields keep their Go names.
pub fn json_watch(r: &WatchResponse) -> String {
    let evs: Vec<String> = r.events.iter().map(json_event).collect();
    Obj::new()
        .raw("Header", &json_header(&r.header))
        .raw("Events", &format!("[{}]", evs.join(",")))
        .num("CompactRevision", r.compact_revision)
        .bool("Canceled", r.canceled)
        .bool("Created", r.created)
        .end()
}

// ---- fields ----

pub fn fields_header(out: &mut String, h: &ResponseHeader) {
    out.push_str(&format!(
        "\"ClusterID\" : {}\n\"MemberID\" : {}\n\"Revision\" : {}\n\"RaftTerm\" : {}\n",
        h.cluster_id, h.member_id, h.revision, h.raft_term
    ));
}

pub fn fields_kv(out: &mut String, pfx: &str, kv: &KeyValue) {
    out.push_str(&format!("\"{pfx}Key\" : {}\n", go_quote(&kv.key)));
    out.push_str(&format!("\"{pfx}CreateRevision\" : {}\n", kv.create_revision));
    out.push_str(&format!("\"{pfx}ModRevision\" : {}\n", kv.mod_revision));
    out.push_str(&format!("\"{pfx}Version\" : {}\n", kv.version));
    out.push_str(&format!("\"{pfx}Value\" : {}\n", go_quote(&kv.value)));
    out.push_str(&format!("\"{pfx}Lease\" : {}\n", kv.lease));
}

pub fn fields_get(out: &mut String, r: &RangeResponse) {
    fields_header(out, &r.header);
    for kv in &r.kvs {
        fields_kv(out, "", kv);
    }
    out.push_str(&format!("\"More\" : {}\n\"Count\" : {}\n", r.more, r.count));
}

pub fn fields_put(out: &mut String, r: &PutResponse) {
    fields_header(out, &r.header);
    if let Some(p) = &r.prev_kv {
        fields_kv(out, "Prev", p);
    }
}

pub fn fields_del(out: &mut String, r: &DeleteRangeResponse) {
    fields_header(out, &r.header);
    out.push_str(&format!("\"Deleted\" : {}\n", r.deleted));
    for kv in &r.prev_kvs {
        fields_kv(out, "Prev", kv);
    }
}

pub fn fields_txn(out: &mut String, r: &TxnResponse) {
    fields_header(out, &r.header);
    out.push_str(&format!("\"Succeeded\" : {}\n", r.succeeded));
    for op in &r.responses {
        match op {
            ResponseOp::Range(g) => fields_get(out, g),
            ResponseOp::Put(p) => fields_put(out, p),
            ResponseOp::DeleteRange(d) => fields_del(out, d),
        }
    }
}

pub fn fields_watch(out: &mut String, r: &WatchResponse) {
    fields_header(out, &r.header);
    for ev in &r.events {
        out.push_str(&format!("\"Type\" : {}\n", event_type(ev.kind)));
        if let Some(p) = &ev.prev_kv {
            fields_kv(out, "Prev", p);
        }
        fields_kv(out, "", &ev.kv);
    }
}

/// A JSON array of base64 byte strings, or `null` when empty (a nil Go slice).
pub fn json_bytes_list(list: &[Vec<u8>]) -> String {
    if list.is_empty() {
        return "null".into();
    }
    let items: Vec<String> = list.iter().map(|k| json_string(&base64(k))).collect();
    format!("[{}]", items.join(","))
}
