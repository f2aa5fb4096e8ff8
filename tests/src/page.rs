//! What every end-to-end test does to the page: run a script, type into the editor or the
//! terminal, click, wait for an element or for the command in progress to finish, read a text,
//! save a screenshot. Errors are strings naming what was looked for, so a failed step says which.

use crate::harness::screenshot_dir;
use fantoccini::{elements::Element, key::Key, Client, Locator};
use serde_json::Value;
use std::time::Duration;

pub type R<T> = Result<T, String>;

pub fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

pub async fn js(c: &Client, script: &str) -> R<Value> {
    c.execute(script, vec![]).await.map_err(e)
}

/// Replaces the editor's text as typing would (an `input` event follows).
pub async fn set_editor(c: &Client, text: &str) -> R<()> {
    c.execute(
        "const t = document.getElementById('manifest'); t.value = arguments[0]; \
         t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::json!(text)],
    )
    .await
    .map(|_| ())
    .map_err(e)
}

pub async fn click(c: &Client, css: &str) -> R<()> {
    c.find(Locator::Css(css)).await.map_err(|err| format!("{css}: {err}"))?.click().await.map_err(e)
}

pub async fn wait_for(c: &Client, css: &str, what: &str) -> R<Element> {
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await.map_err(|err| format!("{what} ({css}): {err}"))
}

pub async fn text(c: &Client, css: &str) -> R<String> {
    c.find(Locator::Css(css)).await.map_err(|err| format!("{css}: {err}"))?.text().await.map_err(e)
}

/// Types a line into the terminal and presses Enter.
pub async fn type_command(c: &Client, line: &str) -> R<()> {
    let input = c.find(Locator::Id("terminal-input")).await.map_err(e)?;
    input.send_keys(&format!("{line}{}", char::from(Key::Enter))).await.map_err(e)
}

/// Waits until the command in progress has run to its end (commands run in slices), for at most
/// 20 s.
pub async fn idle(c: &Client) -> R<()> {
    for _ in 0..400 {
        if js(c, "const a = document.querySelector('.app'); return a ? a.dataset.running : null;").await?.as_str() == Some("false") {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the command never finished running".into())
}

/// Saves a screenshot to `target/e2e/NAME`, to be looked at.
pub async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}
