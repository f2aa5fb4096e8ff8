//! The live entries an update cannot change, kept as they are stored instead of decoded into
//! field sets and encoded again.
//!
//! An update takes the fields it changed from every other manager (`record_update_sent`). An
//! entry none of whose top-level fields the write changed or removed loses nothing: a kubelet's
//! status update leaves the entry of whoever wrote the pod's spec as it was, and so does a
//! controller's status update of a Deployment. Decoding such an entry and encoding it back gives
//! the same JSON only when the stored JSON is what encoding gives (canonical): the API server
//! writes every entry that way, but `etcdctl put` can store anything. So an entry is kept only
//! when it is canonical in every part; otherwise all entries take the decoding path, as before,
//! which also drops them all when one is malformed (`decodeLiveOrNew`).

use super::entries::{self, Managed, Manager, MAX_UPDATE_MANAGERS};
use super::set::{FieldSet, PathElement};
use serde_json::{Map, Value};

/// The metadata fields `strip_meta` takes from every entry: a kept entry must hold none of them.
const STRIPPED: [&str; 9] =
    ["f:name", "f:namespace", "f:creationTimestamp", "f:selfLink", "f:uid", "f:clusterName", "f:generation", "f:managedFields", "f:resourceVersion"];

/// Splits the live `entries` of an update by `writer` that modified, added and removed the
/// given fields: the entries it may change, decoded, and the others as stored (copied out).
/// `None` when the entries must all be decoded: one is not canonical or is malformed, two name
/// the same manager, or there are enough `Update` managers that capping could merge some.
pub fn split(entries: &Value, modified: &FieldSet, added: &FieldSet, removed: &FieldSet, writer: &Manager) -> Option<(Managed, Vec<Value>)> {
    let list = entries.as_array()?;
    let updates = list.iter().filter(|e| e["operation"] == "Update").count();
    if updates >= MAX_UPDATE_MANAGERS {
        return None;
    }
    let touched: Vec<String> = modified.0.keys().chain(added.0.keys()).chain(removed.0.keys()).map(PathElement::encode).collect();
    let (mut kept, mut decoded, mut ids) = (Vec::new(), Managed::new(), Vec::new());
    for e in list {
        let (id, mut entry) = entries::identity(e)?;
        if ids.contains(&id) {
            return None;
        }
        let fields = e.get("fieldsV1").and_then(Value::as_object);
        let untouched = id != *writer && fields.is_some_and(|f| !touched.iter().any(|t| f.contains_key(t)));
        if untouched && canonical_entry(e) {
            kept.push(e.clone());
        } else {
            if let Some(f) = e.get("fieldsV1") {
                entry.set = super::fields_memo::decode(f)?;
            }
            decoded.insert(id.clone(), entry);
        }
        ids.push(id);
    }
    Some((decoded, kept))
}

/// Whether `e` is exactly what [`entries::encode`] writes for what [`entries::decode_one`] reads
/// from it, with a non-empty field set from which `strip_meta` would take nothing.
fn canonical_entry(e: &Value) -> bool {
    let Some(m) = e.as_object() else { return false };
    let string = |k: &str| m.get(k).is_some_and(Value::is_string);
    let known = ["manager", "operation", "apiVersion", "fieldsType", "fieldsV1", "time", "subresource"];
    string("manager")
        && string("apiVersion")
        && m.get("fieldsType").is_some_and(|t| t == "FieldsV1")
        && m.get("time").is_none_or(Value::is_string)
        && m.get("subresource").is_none_or(|s| s.as_str().is_some_and(|s| !s.is_empty()))
        && m.keys().all(|k| known.contains(&k.as_str()))
        && m.get("fieldsV1").and_then(Value::as_object).is_some_and(|f| !f.is_empty() && canonical_root(f))
}

/// A `fieldsV1` root that holds none of the fields `strip_meta` removes.
fn canonical_root(f: &Map<String, Value>) -> bool {
    if f.contains_key(".") || f.contains_key("f:apiVersion") || f.contains_key("f:kind") {
        return false;
    }
    let meta_ok = f.get("f:metadata").is_none_or(|meta| {
        meta.as_object().is_some_and(|m| !m.is_empty() && !m.contains_key(".") && STRIPPED.iter().all(|s| !m.contains_key(*s)))
    });
    meta_ok && canonical_children(f)
}

/// The children of a node as `FieldSet::to_fields_v1` writes them: each an object, keyed by an
/// element in its encoded form, with `"."` (as `{}`) only beside other children.
fn canonical_children(f: &Map<String, Value>) -> bool {
    f.iter().all(|(k, child)| {
        if k == "." {
            return true;
        }
        let Some(c) = child.as_object() else { return false };
        let dot_ok = c.get(".").is_none_or(|d| d.as_object().is_some_and(Map::is_empty) && c.len() > 1);
        dot_ok && canonical_key(k) && canonical_children(c)
    })
}

/// A path element key that decodes and encodes back to itself, told from its text (parsing the
/// keys of list items took most of the check). Conservative: a key it cannot tell from its text
/// alone (a float, an escape) counts as not canonical, which only sends its entries the
/// decoding way.
fn canonical_key(k: &str) -> bool {
    let rest = k.get(2..).unwrap_or("");
    match k.get(..2) {
        Some("f:") => true,
        Some("k:") => canonical_key_fields(rest),
        Some("v:") => canonical_scalar(rest),
        Some("i:") => rest.parse::<i64>().is_ok_and(|i| i.to_string() == rest),
        _ => false,
    }
}

/// `{"name":scalar,...}` as serde_json writes a map of scalars: compact, names in order.
fn canonical_key_fields(s: &str) -> bool {
    let Some(mut rest) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else { return false };
    let mut last: Option<&str> = None;
    while !rest.is_empty() {
        let Some((name, after)) = plain_string(rest) else { return false };
        if last.is_some_and(|l| l >= name) {
            return false;
        }
        last = Some(name);
        let Some(after) = after.strip_prefix(':') else { return false };
        let end = if after.starts_with('"') { plain_string(after).map(|(v, _)| v.len() + 2) } else { Some(after.find(',').unwrap_or(after.len())) };
        let Some(end) = end else { return false };
        if !canonical_scalar(&after[..end]) {
            return false;
        }
        rest = &after[end..];
        if let Some(more) = rest.strip_prefix(',') {
            if more.is_empty() {
                return false;
            }
            rest = more;
        }
    }
    true
}

/// A key's scalar as serde_json writes it: a string without escapes, an integer, a boolean, null.
fn canonical_scalar(s: &str) -> bool {
    match s {
        "true" | "false" | "null" => true,
        _ if s.starts_with('"') => plain_string(s).is_some_and(|(_, rest)| rest.is_empty()),
        _ => s.parse::<i64>().is_ok_and(|i| i.to_string() == s),
    }
}

/// A JSON string at the start of `s` that needs no escape: its contents and what follows it.
fn plain_string(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let end = body.find('"')?;
    let text = &body[..end];
    (!text.bytes().any(|b| b == b'\\' || b < 0x20)).then(|| (text, &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::super::entries::Operation;
    use super::super::{record_update, record_update_in_place, Writer};
    use super::*;
    use serde_json::json;

    fn writer<'a>(manager: &'a str, subresource: &'a str, now: &'a str) -> Writer<'a> {
        Writer { kind: "Pod", api_version: "v1", manager, subresource, has_status: true, now }
    }

    /// The entries an update writes, with everything decoded and encoded again: what
    /// `record_update_sent` wrote before kept entries.
    fn decoded_everything(w: &Writer, old: &Value, new: &Value) -> Value {
        let mut old_stripped = old.clone();
        let live = old_stripped["metadata"].as_object_mut().and_then(|m| m.remove("managedFields"));
        let mut managed = live.as_ref().and_then(entries::decode).unwrap_or_default();
        let c = super::super::walk::compare(w.kind, &old_stripped, &super::super::without_managed_fields(new));
        let id = Manager::new(w.manager, Operation::Update, w.api_version, w.subresource);
        super::super::take_changed(w, &mut managed, c, id);
        if managed.is_empty() { Value::Null } else { entries::encode(&managed) }
    }

    fn pod() -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}});
        record_update(&writer("kube-controller-manager", "", "2026-01-01T00:00:00Z"), None, &mut p);
        p
    }

    fn status_update(old: &Value, ip: &str, manager: &str, now: &str) -> (Value, Value) {
        let mut new = old.clone();
        new["status"] = json!({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]});
        let want = decoded_everything(&writer(manager, "status", now), old, &new);
        let mut live = old.clone();
        record_update_in_place(&writer(manager, "status", now), Some(&mut live), &mut new);
        assert_eq!(&live, old, "the live object ends as it began");
        (new, want)
    }

    #[test]
    fn a_status_update_keeps_the_spec_writers_entry_as_stored_and_writes_what_decoding_would() {
        let p = pod();
        let (once, want) = status_update(&p, "10.244.1.2", "kubelet", "2026-01-01T00:00:05Z");
        assert_eq!(once["metadata"]["managedFields"], want);
        assert_eq!(once["metadata"]["managedFields"][0], p["metadata"]["managedFields"][0], "the spec writer's entry is untouched");
        let entries = &once["metadata"]["managedFields"];
        let changed = FieldSet::from_fields_v1(&json!({"f:status": {"f:phase": {}}})).unwrap_or_default();
        let kubelet = Manager::new("kubelet", Operation::Update, "v1", "status");
        let (decoded, kept) = split(entries, &FieldSet::new(), &changed, &FieldSet::new(), &kubelet).unwrap_or_default();
        assert_eq!((kept.len(), decoded.keys().cloned().collect::<Vec<_>>()), (1, vec![kubelet]), "the kubelet's own entry is decoded");
        // Again, with another IP (a list key changes), and by another manager.
        let (twice, want) = status_update(&once, "10.244.1.3", "kubelet", "2026-01-01T00:00:09Z");
        assert_eq!(twice["metadata"]["managedFields"], want);
        let (thrice, want) = status_update(&twice, "10.244.1.4", "other", "2026-01-01T00:00:10Z");
        assert_eq!(thrice["metadata"]["managedFields"], want);
        let managers: Vec<&str> = thrice["metadata"]["managedFields"].as_array().into_iter().flatten().filter_map(|e| e["manager"].as_str()).collect();
        assert_eq!(managers, ["kube-controller-manager", "kubelet", "other"], "the kubelet keeps the phase; `other` took the IPs");
        let kubelet = &thrice["metadata"]["managedFields"][1]["fieldsV1"]["f:status"];
        assert!(kubelet.get("f:phase").is_some() && kubelet.get("f:podIP").is_none(), "{kubelet}");
    }

    #[test]
    fn entries_not_as_the_server_writes_them_are_all_decoded_as_before() {
        let p = pod();
        let spec_entry = p["metadata"]["managedFields"][0].clone();
        let variants: Vec<Value> = vec![
            // A member written as {".": {}}, a key not in its encoded form, an index with a zero.
            json!({"f:metadata": {"f:labels": {"f:app": {".": {}}}}, "f:spec": {}}),
            json!({"f:spec": {"f:containers": {"k:{\"name\": \"nginx\"}": {}}}}),
            json!({"f:spec": {"f:x": {"i:01": {}}}}),
            // Fields strip_meta removes; a "." at the root; a malformed tree (all entries dropped).
            json!({"f:metadata": {"f:name": {}, "f:labels": {}}}),
            json!({".": {}, "f:spec": {"f:x": {}}}),
            json!({"f:spec": {"x:y": {}}}),
            json!({"f:spec": 5}),
        ];
        for fields in variants {
            let mut old = p.clone();
            let mut entry = spec_entry.clone();
            entry["fieldsV1"] = fields.clone();
            old["metadata"]["managedFields"] = json!([entry]);
            let (new, want) = status_update(&old, "10.244.1.2", "kubelet", "2026-01-01T00:00:05Z");
            assert_eq!(new["metadata"]["managedFields"], want, "{fields}");
        }
        // Extra or missing keys on the entry itself, and two entries of one manager.
        for entry in [json!({"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}, "extra": 1}),
            json!({"manager": "m", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}),
            json!({"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}, "subresource": ""})]
        {
            let mut old = p.clone();
            old["metadata"]["managedFields"] = json!([entry.clone(), spec_entry.clone()]);
            let (new, want) = status_update(&old, "10.244.1.2", "kubelet", "2026-01-01T00:00:05Z");
            assert_eq!(new["metadata"]["managedFields"], want, "{entry}");
        }
        let mut old = p.clone();
        old["metadata"]["managedFields"] = json!([spec_entry.clone(), spec_entry]);
        let (new, want) = status_update(&old, "10.244.1.2", "kubelet", "2026-01-01T00:00:05Z");
        assert_eq!(new["metadata"]["managedFields"], want);
    }

    #[test]
    fn a_key_counts_as_canonical_only_when_it_decodes_and_encodes_back_to_itself() {
        let canonical = [
            "f:spec", "f:", "i:0", "i:-3", "v:\"x\"", "v:5", "v:true", "v:null", "k:{}", "k:{\"name\":\"nginx\"}",
            "k:{\"containerPort\":80,\"protocol\":\"TCP\"}", "k:{\"ip\":\"10.244.1.2\"}", "k:{\"a\":\"x,y\",\"b\":-1}", "k:{\"é\":\"ü\"}",
        ];
        let not = [
            "i:01", "i:-0", "i:+1", "i:", "v:1.0", "v:-0", "v:\"a\\\"b\"", "k:{\"name\": \"nginx\"}", "k:{\"protocol\":\"TCP\",\"containerPort\":80}",
            "k:{\"a\":1,}", "k:{\"a\":1,\"a\":2}", "k:{\"a\":[1]}", "k:{\"a\":1.5}", "k:{\"a\":\"\\u0041\"}", "k:{\"a\"}", "k:{", "x:y", "f",
        ];
        for k in canonical {
            assert!(canonical_key(k), "{k}");
            assert_eq!(PathElement::decode(k).map(|pe| pe.encode()).as_deref(), Some(k), "{k}");
        }
        for k in not {
            assert!(!canonical_key(k), "{k}");
        }
    }

    #[test]
    fn many_update_managers_take_the_decoding_path_where_capping_merges_them() {
        let mut p = pod();
        for i in 0..MAX_UPDATE_MANAGERS + 2 {
            // A controller's PUT: the object without its entries, which come from the live one.
            let mut new = p.clone();
            new["metadata"].as_object_mut().map(|m| m.remove("managedFields"));
            new["metadata"]["labels"][format!("l{i}")] = json!("x");
            let now = format!("2026-01-01T00:01:{i:02}Z");
            let want = decoded_everything(&writer(&format!("m{i:02}"), "", &now), &p, &new);
            let mut live = p.clone();
            record_update_in_place(&writer(&format!("m{i:02}"), "", &now), Some(&mut live), &mut new);
            assert_eq!(new["metadata"]["managedFields"], want, "writer {i}");
            p = new;
        }
        assert!(p["metadata"]["managedFields"].as_array().is_some_and(|a| a.iter().any(|e| e["manager"] == "ancient-changes")));
        // Ten `Update` managers own only metadata; a status update adds an eleventh, so capping
        // merges two, entries the status update itself leaves untouched.
        let (new, want) = status_update(&p, "10.244.1.2", "kubelet", "2026-01-01T00:02:00Z");
        assert_eq!(new["metadata"]["managedFields"], want);
        assert_eq!(want.as_array().map(|a| a.iter().filter(|e| e["operation"] == "Update").count()), Some(MAX_UPDATE_MANAGERS));
    }
}
