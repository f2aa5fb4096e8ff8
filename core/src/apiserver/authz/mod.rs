//! Authorization: RBAC over Roles, ClusterRoles and their bindings, the bootstrap policy, and the
//! `system:masters` bypass. (Being built; see issue 4.)
