//! Apply conflicts and their messages, as `merge.Conflicts` and kube-apiserver's
//! `internal/conflict.go` (`NewConflictError`, `getConflictMessage`) word them.

use super::entries::{Managed, Manager};
use super::set::{path_string, FieldSet, Path};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub manager: Manager,
    pub path: Path,
}

/// The fields other managers own that this write changes (`update` in SMD's `merge/update.go`):
/// their sets intersected with what was added or modified.
pub fn find(managed: &Managed, applier: &Manager, changed: &FieldSet) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (m, e) in managed.iter() {
        if m == applier {
            continue;
        }
        for path in e.set.intersection(changed).iterate() {
            out.push(Conflict { manager: m.clone(), path });
        }
    }
    out
}

/// The 409's message: `Apply failed with 1 conflict: conflict with "x" using apps/v1: .spec.replicas`,
/// or the grouped form for several.
pub fn message(conflicts: &[Conflict]) -> String {
    if let [one] = conflicts {
        return format!("Apply failed with 1 conflict: conflict with {}: {}", one.manager.describe(), path_string(&one.path));
    }
    let mut managers: Vec<&Manager> = conflicts.iter().map(|c| &c.manager).collect();
    managers.sort();
    managers.dedup();
    let mut lines = Vec::new();
    for m in managers {
        lines.push(format!("conflicts with {}:", m.describe()));
        for c in conflicts.iter().filter(|c| &c.manager == m) {
            lines.push(format!("- {}", path_string(&c.path)));
        }
    }
    format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::super::entries::{Entry, Operation};
    use super::super::set::PathElement;
    use super::*;

    #[test]
    fn conflicts_name_the_other_managers() {
        let f = PathElement::field;
        let mut owned = FieldSet::new();
        owned.insert(&[f("spec"), f("replicas")]);
        owned.insert(&[f("spec"), f("paused")]);
        let mut managed = Managed::new();
        let scaler = Manager::new("kubectl", Operation::Update, "apps/v1", "scale");
        managed.insert(scaler, Entry { set: owned.clone(), api_version: "apps/v1".into(), time: None });
        let applier = Manager::new("kubectl", Operation::Apply, "apps/v1", "");
        managed.insert(applier.clone(), Entry { set: owned.clone(), api_version: "apps/v1".into(), time: None });
        let mut changed = FieldSet::new();
        changed.insert(&[f("spec"), f("replicas")]);
        let found = find(&managed, &applier, &changed);
        assert_eq!(message(&found), "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas");
        let found = find(&managed, &applier, &owned);
        assert_eq!(
            message(&found),
            "Apply failed with 2 conflicts: conflicts with \"kubectl\" with subresource \"scale\" using apps/v1:\n- .spec.paused\n- .spec.replicas"
        );
        assert!(find(&managed, &applier, &FieldSet::new()).is_empty());
    }
}
