//! `kubectl explain` in the page. The API documentation it prints (the core's `docs.txt`, about
//! 640 KB, 157 KB gzipped) stays out of the wasm bundle: Trunk copies it beside the page as
//! `explain/docs.txt` (see static/index.html), and it is fetched the first time a command needs
//! it, then handed to the core with `explain::set_docs`.
//!
//! Commands given while the file is on its way wait behind the one that asked for it, so they
//! still run, and are recorded in the session, in the order they were typed.

use kubeplay::cli::kubectl::explain;
use std::cell::RefCell;

/// Where Trunk puts the documentation, relative to the page.
const URL: &str = "explain/docs.txt";

type Pending = Vec<Box<dyn FnOnce()>>;

thread_local! {
    /// `Some` while the documentation is being fetched: what runs once it is in.
    static WAITING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// Whether `line` is a `kubectl explain` command.
pub fn is_explain(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some("kubectl") && words.next() == Some("explain")
}

/// Whether replaying these command lines needs the documentation.
pub fn needed_by<'a>(mut lines: impl Iterator<Item = &'a str>) -> bool {
    !explain::has_docs() && lines.any(is_explain)
}

/// Runs `then` once what `line` needs is there: at once, unless `line` is an explain without
/// the documentation loaded yet or an earlier command is still waiting for it. Without the file
/// (offline, a failed request) the command still runs, and the core says the documentation is
/// not loaded; the next explain asks again.
pub fn when_ready(line: &str, then: impl FnOnce() + 'static) {
    let fetching = WAITING.with_borrow(Option::is_some);
    if !fetching && (!is_explain(line) || explain::has_docs()) {
        then();
        return;
    }
    let start = WAITING.with_borrow_mut(|waiting| {
        let start = waiting.is_none();
        waiting.get_or_insert_with(Vec::new).push(Box::new(then));
        start
    });
    if start {
        yew::platform::spawn_local(async {
            if let Err(why) = fetch().await {
                web_sys::console::warn_1(&format!("kubectl explain: {why}").into());
            }
            let pending = WAITING.with_borrow_mut(Option::take).unwrap_or_default();
            for run in pending {
                run();
            }
        });
    }
}

async fn fetch() -> Result<(), String> {
    let response = gloo::net::http::Request::get(URL).send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("{URL}: HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    explain::set_docs(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_explain_lines() {
        assert!(is_explain("kubectl explain pods.spec"));
        assert!(is_explain("  kubectl   explain deploy --recursive"));
        assert!(!is_explain("kubectl get pods"));
        assert!(!is_explain("explain pods"));
    }
}
