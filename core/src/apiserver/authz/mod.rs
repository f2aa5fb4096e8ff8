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
//! - `bootstrap.rs` — the default policy as API objects, assembled from the data tables:
//!   `cluster_roles.rs` (policy.go), `controller_roles.rs` (controller_policy.go),
//!   `namespace_roles.rs` (namespace_policy.go), `kubeadm_roles.rs` (what kubeadm adds),
//!   written with `rule_builder.rs` (`rbacv1helpers.NewRule`).

mod aggregation;
mod attributes;
mod bootstrap;
mod can_i;
mod cluster_roles;
mod controller_roles;
mod escalation;
mod evaluator;
mod kubeadm_roles;
mod memo;
mod messages;
mod namespace_roles;
mod node;
mod rbac;
mod resolver;
mod rule_builder;
mod user;

#[cfg(test)]
mod decision_table;

pub use aggregation::{aggregate_cluster_roles, selector_matches, settle_aggregation};
pub use attributes::Attributes;
pub use bootstrap::{bootstrap_policy, resource_of};
pub use cluster_roles::node_rules;
pub use can_i::{render_can_i_list, rules_for, rules_review, CanIRow, RulesReview};
pub use escalation::check_escalation;
pub use evaluator::{authorize, authorize_request, authorize_with, Decision};
pub use memo::RbacMemo;
pub use messages::{denial_text, forbidden_message};
pub use rbac::{compact_string, rule_allows};
pub use user::UserInfo;
