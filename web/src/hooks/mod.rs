//! The page's only side effects, at the edge: browser storage, the URL fragment, files, the
//! document's theme and language attributes, and fetching kubectl explain's documentation. The
//! state in `state/` never touches the browser.

pub mod explain_docs;
pub mod storage;
pub mod share;
