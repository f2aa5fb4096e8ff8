//! kubeplay's front end: a Yew application that renders only what the core records.
//!
//! - [`state`]: the `Reducible` playground state and pure derive functions (tested natively).
//! - [`views`]: one component per file (editor, etcd key list, output).
//! - [`app`]: layout and wiring.
//! - [`bench`]: the page's benchmark mode (`?bench=NAME`, issue 8).
//! - [`panic_banner`]: what a panic shows instead of a frozen page.

pub mod app;
pub mod bench;
pub mod hooks;
pub mod i18n;
pub mod panic_banner;
pub mod state;
pub mod views;

pub use app::App;
