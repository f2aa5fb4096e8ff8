//! Fuzz target: `resource.Quantity` parsing as validation (`apiserver::validation::quantity`) and
//! admission/quota accounting (`apiserver::admission::quantity`) read it, and the durations the
//! command language takes (`run 30s`, `cli::parse_duration`). A quantity validation accepts
//! must print a canonical form that parses back to the same value — within the range it holds
//! exactly: values past an i128 of nano units saturate (Go's inf.Dec keeps them exact), which the
//! first run of this target showed with `9223372036854775807Ei` (see RELIABILITY.md).
#![no_main]

use kubeplay::apiserver::admission::quantity::Quantity as Accounted;
use kubeplay::apiserver::validation::quantity::Quantity;
use kubeplay::cli::parse_duration;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(q) = Quantity::parse(text).map_err(|_| ()).and_then(|q| if q.nanos.unsigned_abs() < i128::MAX as u128 / 1000 { Ok(q) } else { Err(()) }) {
        let canonical = q.canonical();
        let again = Quantity::parse(&canonical);
        assert!(again.is_ok(), "{text:?} prints as {canonical:?}, which does not parse");
        if let Ok(again) = again {
            assert_eq!(again.nanos, q.nanos, "{text:?} prints as {canonical:?}");
        }
        let _ = (q.is_zero(), q.sign(), q.is_integer());
    }
    if let Some(q) = Accounted::parse(text) {
        let _ = q.plus(q).minus(q).max(q);
        let _ = (q.milli_value(), q.is_zero(), q.is_negative());
    }
    let _ = parse_duration(text);
});
