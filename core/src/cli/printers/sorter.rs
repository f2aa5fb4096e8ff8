//! `kubectl get --sort-by=JSONPATH`: kubectl's sorter (`pkg/cmd/get/sorter.go`).
//!
//! kubectl reads every object as unstructured JSON, so each value the path finds is an
//! `interface{}` and `isLess` compares by its dynamic type: integers (`int64`) and floats
//! (`float64`) numerically, strings as `resource.Quantity` values when both parse as quantities
//! (`100m` < `1`) and otherwise in natural order (`sortorder.NaturalLess`: digit runs compare as
//! numbers, so `web-2` < `web-10`, and RFC 3339 timestamps compare by time). An object where the
//! path finds nothing sorts first. Mixed types, booleans, maps and lists are unsortable, and kubectl
//! exits through `klog.Exitf`.
//!
//! Two entry points, as `get` uses them: tables (`-o wide` or none) are sorted one table at a time
//! ([`sort_table`], `TableSorter`), the rest (`-o name|json|yaml|jsonpath|custom-columns`) as one
//! list across every type ([`sort_objects`], `SortObjects`). Go's `sort.Sort` is an insertion sort
//! below 12 elements; kubeplay uses that insertion sort for every length so ties (and the order
//! of objects without the field) come out as kubectl prints them for short lists.

use super::jsonpath::{relaxed, JsonPath};
use crate::apiserver::validation::quantity::Quantity;
use crate::sim::Time;
use serde_json::Value;

/// Where a sort runs: kubectl names the Go type in its unsortable-type message (`%T`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sorter {
    Table,
    Objects,
}

/// `NewRuntimeSorter`: the relaxed form of the field (`.a.b` -> `{.a.b}`), or the field as typed
/// when it cannot be relaxed.
fn parsed_field(field: &str) -> String {
    relaxed(field).unwrap_or_else(|_| field.to_string())
}

/// The path parsed as `jsonpath.New("sorting").Parse` does; its error without the printer's
/// `error parsing jsonpath` wording, which the sorter does not add.
fn parse(field: &str) -> Result<JsonPath, String> {
    JsonPath::parse(field).map_err(|e| e.strip_prefix(&format!("error parsing jsonpath {field}, ")).unwrap_or(&e).to_string())
}

/// `iValues[0][0]`: the first value the path finds, if any.
fn first(path: &JsonPath, obj: &Value) -> Option<Value> {
    path.find(obj).into_iter().next()
}

fn not_found(field: &str) -> String {
    format!("error: couldn't find any field with path {field:?} in the list of objects\n")
}

/// `TableSorter`: the rows of one server-side table (each row's full object, as kubectl asks
/// for with `includeObject=Object`), sorted; an error when no row has the field.
pub fn sort_table(objects: &mut [Value], field: &str, now: Time) -> Result<(), String> {
    let field = parsed_field(field);
    let path = parse(&field).map_err(|e| format!("error: sorting error: {e}\n"))?;
    let keys: Vec<Option<Value>> = objects.iter().map(|o| first(&path, o)).collect();
    if !objects.is_empty() && keys.iter().all(Option::is_none) {
        return Err(not_found(&field));
    }
    insertion_sort(objects, keys, &field, Sorter::Table, now)
}

/// `SortObjects`: every object of a list output (`-o name|json|yaml|jsonpath|custom-columns`)
/// sorted together; an error when the list has objects and none has the field. kubectl leaves a
/// single object that was asked for by name (not a list) unsorted: the caller skips that case.
pub fn sort_objects<T>(objects: &mut [(T, Value)], field: &str, now: Time) -> Result<(), String> {
    if objects.is_empty() {
        return Ok(());
    }
    let field = parsed_field(field);
    // `SortObjects` relaxes the (already relaxed) field again and reports its error as it is.
    let field = relaxed(&field).map_err(|e| format!("error: {e}\n"))?;
    let path = parse(&field).map_err(|e| format!("error: {e}\n"))?;
    let keys: Vec<Option<Value>> = objects.iter().map(|(_, o)| first(&path, o)).collect();
    if keys.iter().all(Option::is_none) {
        return Err(not_found(&field));
    }
    insertion_sort(objects, keys, &field, Sorter::Objects, now)
}

/// Go's `insertionSort` over `Less`: each element moves left while it is less than its
/// neighbour. An object without the field is less than everything (`Less` checks `i` first),
/// so such objects gather at the front in reverse order, as kubectl prints them.
fn insertion_sort<T>(items: &mut [T], mut keys: Vec<Option<Value>>, field: &str, sorter: Sorter, now: Time) -> Result<(), String> {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && less(&keys[j], &keys[j - 1]).map_err(|e| unsortable(field, sorter, &e, now))? {
            items.swap(j, j - 1);
            keys.swap(j, j - 1);
            j -= 1;
        }
    }
    Ok(())
}

/// `RuntimeSort.Less` / `TableSorter.Less`.
fn less(i: &Option<Value>, j: &Option<Value>) -> Result<bool, String> {
    match (i, j) {
        (None, _) => Ok(true),
        (_, None) => Ok(false),
        (Some(i), Some(j)) => is_less(i, j),
    }
}

/// `isLess` for two `interface{}` values of unstructured JSON.
fn is_less(i: &Value, j: &Value) -> Result<bool, String> {
    const MISMATCH: &str = "unsortable interface: interface";
    match (i, j) {
        (Value::Null, Value::Null) => Ok(false),
        (Value::Null, _) => Ok(true),
        (_, Value::Null) => Ok(false),
        // Unstructured JSON holds whole numbers as int64 and the rest as float64.
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Ok(x < y),
            (None, None) => Ok(a.as_f64().unwrap_or(0.0) < b.as_f64().unwrap_or(0.0)),
            _ => Err(MISMATCH.into()),
        },
        (Value::Number(_), _) => Err(MISMATCH.into()),
        (Value::String(a), Value::String(b)) => match (Quantity::parse(a), Quantity::parse(b)) {
            (Ok(x), Ok(y)) => Ok(x.nanos < y.nanos),
            _ => Ok(natural_less(a, b)),
        },
        (Value::String(_), _) => Err(MISMATCH.into()),
        (Value::Bool(_), _) => Err("unsortable type: bool".into()),
        (Value::Object(_), _) => Err("unsortable type: map[string]interface {}".into()),
        (Value::Array(_), _) => Err("unsortable type: []interface {}".into()),
    }
}

/// What `klog.Exitf` prints when two values cannot be compared: a fatal log line (its header
/// stamped with the virtual clock; the process id is kubeplay's fixed 1), then exit status 1.
fn unsortable(field: &str, sorter: Sorter, err: &str, now: Time) -> String {
    let (ty, line) = match sorter {
        Sorter::Table => ("[][][]reflect.Value", 345),
        Sorter::Objects => ("*unstructured.Unstructured", 284),
    };
    let ts = crate::apiserver::rfc3339(now); // 2026-01-01T00:00:05Z
    let (month, day, clock) = (ts.get(5..7).unwrap_or("01"), ts.get(8..10).unwrap_or("01"), ts.get(11..19).unwrap_or("00:00:00"));
    format!("F{month}{day} {clock}.000000       1 sorter.go:{line}] Field {field} in {ty} is an unsortable type: interface, err: {err}\n")
}

/// `sortorder.NaturalLess`: byte-wise, except that runs of digits compare as numbers (leading
/// zeros ignored; with equal numbers, fewer zeros first) and a digit sorts before any other byte.
pub fn natural_less(a: &str, b: &str) -> bool {
    let (s1, s2) = (a.as_bytes(), b.as_bytes());
    let (mut i1, mut i2) = (0, 0);
    while i1 < s1.len() && i2 < s2.len() {
        let (c1, c2) = (s1[i1], s2[i2]);
        let (d1, d2) = (c1.is_ascii_digit(), c2.is_ascii_digit());
        if d1 != d2 {
            return d1;
        }
        if !d1 {
            if c1 != c2 {
                return c1 < c2;
            }
            i1 += 1;
            i2 += 1;
            continue;
        }
        while i1 < s1.len() && s1[i1] == b'0' {
            i1 += 1;
        }
        while i2 < s2.len() && s2[i2] == b'0' {
            i2 += 1;
        }
        let (nz1, nz2) = (i1, i2);
        while i1 < s1.len() && s1[i1].is_ascii_digit() {
            i1 += 1;
        }
        while i2 < s2.len() && s2[i2].is_ascii_digit() {
            i2 += 1;
        }
        let (len1, len2) = (i1 - nz1, i2 - nz2);
        if len1 != len2 {
            return len1 < len2;
        }
        if s1[nz1..i1] != s2[nz2..i2] {
            return s1[nz1..i1] < s2[nz2..i2];
        }
        if nz1 != nz2 {
            return nz1 < nz2;
        }
    }
    s1.len() < s2.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(objs: &[Value]) -> Vec<&str> {
        objs.iter().map(|o| o["metadata"]["name"].as_str().unwrap_or("")).collect()
    }

    fn pod(name: &str, extra: Value) -> Value {
        let mut p = json!({"metadata": {"name": name}});
        if let (Some(m), Some(e)) = (p.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        p
    }

    #[test]
    fn natural_order_as_sortorder() {
        assert!(natural_less("web-2", "web-10"));
        assert!(!natural_less("web-10", "web-2"));
        assert!(natural_less("a1", "ab"), "a digit sorts before a letter");
        assert!(natural_less("x01", "x001"), "equal numbers: fewer zeros first");
        assert!(natural_less("abc", "abcd"));
        assert!(natural_less("2026-01-01T00:00:05Z", "2026-01-01T00:01:00Z"));
    }

    #[test]
    fn numbers_quantities_and_missing_fields() {
        let mut objs = vec![
            pod("b", json!({"spec": {"n": 10, "q": "1Gi"}})),
            pod("a", json!({"spec": {"n": 9, "q": "512Mi"}})),
            pod("none1", json!({})),
            pod("c", json!({"spec": {"n": 100, "q": "2G"}})),
            pod("none2", json!({})),
        ];
        sort_table(&mut objs, ".spec.n", Time(0)).unwrap();
        assert_eq!(names(&objs), ["none2", "none1", "a", "b", "c"]);
        sort_table(&mut objs, "{.spec.q}", Time(0)).unwrap();
        assert_eq!(names(&objs), ["none1", "none2", "a", "b", "c"]);
        assert_eq!(
            sort_table(&mut objs, ".spec.nope", Time(0)).unwrap_err(),
            "error: couldn't find any field with path \"{.spec.nope}\" in the list of objects\n"
        );
    }

    #[test]
    fn unsortable_values_exit_as_klog_does() {
        let mut objs = vec![pod("a", json!({"spec": {"m": {"x": 1}}})), pod("b", json!({"spec": {"m": {"y": 1}}}))];
        let e = sort_table(&mut objs, ".spec.m", Time(0)).unwrap_err();
        assert!(e.ends_with("Field {.spec.m} in [][][]reflect.Value is an unsortable type: interface, err: unsortable type: map[string]interface {}\n"), "{e}");
        let mut mixed = vec![((), pod("a", json!({"spec": {"v": 1}}))), ((), pod("b", json!({"spec": {"v": "1"}})))];
        assert!(sort_objects(&mut mixed, ".spec.v", Time(0)).unwrap_err().contains("err: unsortable interface: interface"));
    }

    #[test]
    fn objects_sort_across_the_list() {
        let mut objs = vec![((), pod("web-10", json!({}))), ((), pod("web-2", json!({})))];
        sort_objects(&mut objs, "metadata.name", Time(0)).unwrap();
        assert_eq!(objs[0].1["metadata"]["name"], "web-2");
        let mut empty: Vec<((), Value)> = Vec::new();
        assert!(sort_objects(&mut empty, ".x", Time(0)).is_ok());
    }
}
