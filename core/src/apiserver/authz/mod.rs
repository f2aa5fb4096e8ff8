//! Authorization: who a request comes from ([`UserInfo`]), what it asks ([`Attributes`]) and
//! whether kube-apiserver's authorizer chain of a kubeadm cluster allows it ([`authorize`]):
//! the `system:masters` superuser check, the Node authorizer for kubelets, then RBAC over the
//! stored Roles, ClusterRoles and their bindings. Also the texts of a denial
//! ([`forbidden_message`]), the default policy a new cluster starts with ([`bootstrap_policy`]),
//! aggregated ClusterRoles ([`aggregate_cluster_roles`]), privilege-escalation prevention for
//! RBAC writes ([`check_escalation`]) and `kubectl auth can-i --list` ([`rules_for`]).
//!
//! One concept per file:
//! - `user.rs` — identities (`user.Info`): admin, service accounts, nodes, components, anonymous.
//! - `attributes.rs` — `authorizer.Attributes`.
//! - `rbac.rs` — rule matching (`evaluation_helpers.go`, `RuleAllows`).
//! - `resolver.rs` — which bindings and rules apply to a user (`DefaultRuleResolver`).
//! - `evaluator.rs` — the authorizer chain and the [`Decision`].
//! - `node.rs` — the Node authorizer.
//! - `messages.rs` — 403 texts and Go `%q` formatting.
//! - `aggregation.rs` — aggregated ClusterRoles.
//! - `escalation.rs` — `ConfirmNoEscalation`.
//! - `can_i.rs` — SelfSubjectRulesReview and `kubectl auth can-i --list`.
//! - `bootstrap.rs`, `controller_roles.rs` — the default policy as data tables.

mod aggregation;
mod attributes;
mod bootstrap;
mod can_i;
mod controller_roles;
mod escalation;
mod evaluator;
mod messages;
mod node;
mod rbac;
mod resolver;
mod user;

#[cfg(test)]
mod decision_table;

pub use aggregation::{aggregate_cluster_roles, selector_matches, settle_aggregation};
pub use attributes::Attributes;
pub use bootstrap::{bootstrap_policy, node_rules, resource_of};
pub use can_i::{render_can_i_list, rules_for, rules_review, CanIRow, RulesReview};
pub use escalation::check_escalation;
pub use evaluator::{authorize, Decision};
pub use messages::{denial_text, forbidden_message};
pub use rbac::{compact_string, rule_allows};
pub use user::UserInfo;
