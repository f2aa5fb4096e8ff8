//! The playground's panels, one component per file with its props beside it.

pub mod cluster_map;
pub mod editor;
pub mod etcd_keys;
pub mod output;
pub mod pipeline;

pub use cluster_map::ClusterMap;
pub use editor::Editor;
pub use etcd_keys::EtcdKeys;
pub use output::CommandOutput;
pub use pipeline::Pipeline;
