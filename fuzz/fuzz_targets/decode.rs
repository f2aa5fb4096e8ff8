//! Fuzz target: manifest bytes through `api::decode_manifest`, the path every `kubectl apply -f`
//! and the editor's diagnostics take (document splitting, YAML 1.1 scalars, go-yaml and Go JSON
//! error wording, strict unknown-field detection). Any panic is a finding; so is a diagnostic
//! whose line lies outside the input, since the editor draws it beside that line.
#![no_main]

use kubeplay::api::{decode_manifest, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    for result in decode_manifest(data, "fuzz.yaml", &Limits::default()) {
        match result {
            Ok(decoded) => {
                assert!(decoded.object.is_object(), "a decoded object is a JSON object");
                assert!(decoded.line >= 1 && decoded.line <= lines, "object line {} of {lines}", decoded.line);
            }
            Err(d) => {
                assert!(d.line >= 1 && d.line <= lines, "diagnostic line {} of {lines}: {}", d.line, d.message);
                assert!(!d.message.is_empty());
            }
        }
    }
});
