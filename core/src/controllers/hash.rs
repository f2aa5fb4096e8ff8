//! The pod-template-hash (`controller.ComputeHash`): FNV-32a over a stable dump of the pod
//! template, plus the collision count when there is one, the uint32 printed in decimal and each
//! digit mapped onto the name alphabet (`rand.SafeEncodeString`).
//!
//! Go hashes its own deep dump of the internal structs, which a simulator cannot reproduce bit
//! for bit; we hash the template's JSON with its keys sorted, so the same template always gives
//! the same hash and any change gives (almost surely) another.

use crate::apiserver::strategy::NAME_ALPHABET;
use serde_json::Value;

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// FNV-1a from the hash of the bytes before `bytes`.
fn fnv32a_on(h: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(h, |h, b| (h ^ u32::from(*b)).wrapping_mul(FNV_PRIME))
}

/// FNV-1a over the bytes written to it.
struct Fnv(u32);

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = fnv32a_on(self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `rand.SafeEncodeString`: each byte of the string replaced by `alphabet[byte % 27]`.
fn safe_encode(s: &str) -> String {
    s.bytes().map(|b| NAME_ALPHABET[usize::from(b) % NAME_ALPHABET.len()] as char).collect()
}

/// The hash of a pod template, as the `pod-template-hash` label and the ReplicaSet name suffix.
///
/// serde_json's objects keep their keys sorted (its `preserve_order` feature is off), so its
/// compact dump, hashed as it is written, is the stable dump; a test holds it to one that sorts.
pub fn pod_template_hash(template: &Value, collision_count: Option<i32>) -> String {
    use std::io::Write;
    let mut h = Fnv(FNV_OFFSET);
    // Writing to `Fnv` cannot fail, nor can serialising a `Value`.
    let _ = serde_json::to_writer(&mut h, template);
    if let Some(c) = collision_count {
        let _ = h.write(&i64::from(c).to_le_bytes());
    }
    safe_encode(&h.0.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// FNV-1a, 32 bits.
    fn fnv32a(bytes: &[u8]) -> u32 {
        fnv32a_on(FNV_OFFSET, bytes)
    }

    /// The dump hashed before: `v` written with object keys sorted, whatever the map's own order is.
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    canonical(&m[k.as_str()], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    #[test]
    fn the_hash_is_of_the_dump_with_keys_sorted_however_they_were_inserted() {
        let mut m = serde_json::Map::new();
        for k in ["zeta", "alpha", "Mid", "é", "a\"b"] {
            m.insert(k.to_string(), json!({"y": [1, 2.5, "s\n"], "b": null, "a": {"k": true}}));
        }
        let template = Value::Object(m);
        let mut dump = String::new();
        canonical(&template, &mut dump);
        assert_eq!(serde_json::to_string(&template).unwrap(), dump);
        assert_eq!(pod_template_hash(&template, None), safe_encode(&fnv32a(dump.as_bytes()).to_string()));
        let mut bytes = dump.into_bytes();
        bytes.extend_from_slice(&3i64.to_le_bytes());
        assert_eq!(pod_template_hash(&template, Some(3)), safe_encode(&fnv32a(&bytes).to_string()));
    }

    #[test]
    fn fnv_matches_the_reference_vectors() {
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
        assert_eq!(fnv32a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn digits_map_onto_the_alphabet_like_safe_encode_string() {
        // '0' is byte 48, 48 % 27 = 21 -> '4'; '6' is 54 % 27 = 0 -> 'b'.
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
    }

    #[test]
    fn hash_is_stable_under_key_order_and_changes_with_the_template() {
        let a = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}});
        let b: Value = serde_json::from_str(r#"{"spec": {"containers": [{"image": "nginx:1.27", "name": "nginx"}]}, "metadata": {"labels": {"app": "web"}}}"#).unwrap();
        assert_eq!(pod_template_hash(&a, None), pod_template_hash(&b, None));
        let mut c = a.clone();
        c["spec"]["containers"][0]["image"] = json!("nginx:1.28");
        assert_ne!(pod_template_hash(&a, None), pod_template_hash(&c, None));
        assert_ne!(pod_template_hash(&a, None), pod_template_hash(&a, Some(1)));
        let h = pod_template_hash(&a, None);
        assert!((1..=10).contains(&h.len()) && h.bytes().all(|x| NAME_ALPHABET.contains(&x)));
    }
}
