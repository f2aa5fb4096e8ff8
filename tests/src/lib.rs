//! Harness for the end-to-end suite: serves the release build in `dist/`, starts chromedriver and
//! opens headless Chromium on the page. The tests live in `tests/tests/`.

pub mod harness;
pub mod page;
pub mod timing;
