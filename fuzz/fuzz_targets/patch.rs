//! Fuzz target: the three patch types the API server applies (`apiserver::patch`): JSON merge
//! patch (RFC 7386), strategic merge patch with its merge keys and `$patch` directives, and JSON
//! patch (RFC 6902). The input is two JSON documents separated by a NUL byte: the stored object
//! and the patch. A merge patch applied twice gives the same result as once (RFC 7386 is
//! idempotent), which is checked too.
#![no_main]

use kubeplay::apiserver::patch::{json_patch, merge, strategic};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |&b| b == 0);
    let (Some(target), Some(patch)) = (parts.next(), parts.next()) else { return };
    let (Ok(target), Ok(patch)) = (serde_json::from_slice::<Value>(target), serde_json::from_slice::<Value>(patch)) else {
        return;
    };
    let mut once = target.clone();
    merge(&mut once, &patch);
    let mut twice = once.clone();
    merge(&mut twice, &patch);
    assert_eq!(once, twice, "a JSON merge patch is idempotent");

    let mut s = target.clone();
    strategic(&mut s, &patch);

    let mut j = target;
    let _ = json_patch(&mut j, &patch);
});
