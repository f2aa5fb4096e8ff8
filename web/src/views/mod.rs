//! The playground's panels, one component per file with its props beside it.

pub mod cluster_map;
pub mod cluster_map_tooltip;
pub mod editor;
pub mod etcd_keys;
pub mod etcd_watches;
pub mod help;
pub mod inspector;
pub mod output;
pub mod scheduler_table;
pub mod timeline;

/// The inline style of a panel's scrolling body (the map's nodes, the inspector's tab, the
/// timeline's records, the terminal's entries), each sized by its panel, never by its content:
/// CSS containment makes a change inside one lay out that body alone, not the whole page (a
/// step's layout went from about 3 ms to 1). An attribute rather than style.css, so the panel and
/// the promise it relies on stay together.
pub const CONTAINED: &str = "contain: strict";

pub use cluster_map::ClusterMap;
pub use editor::Editor;
pub use etcd_keys::EtcdKeys;
pub use help::Help;
pub use inspector::{Inspector, Tab};
pub use output::CommandOutput;
pub use timeline::Timeline;
