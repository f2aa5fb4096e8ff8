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

pub use cluster_map::ClusterMap;
pub use editor::Editor;
pub use etcd_keys::EtcdKeys;
pub use help::Help;
pub use inspector::{Inspector, Tab};
pub use output::CommandOutput;
pub use timeline::Timeline;
