//! The page's security and crash safety in headless Chromium (issue 9, items 4 and 5):
//!
//! - markup in a manifest (`<img onerror>`, `<script>`, `<svg onload>`, `javascript:` URLs) in
//!   annotations, ConfigMap data, an invalid name's error and the terminal's `-o yaml` renders as
//!   text everywhere: no element of it reaches the DOM and none of its code runs;
//! - the Content-Security-Policy holds (an inline script injected on purpose is refused and
//!   reported) and the page itself causes no violation;
//! - after load the page requests nothing but kubectl explain's documentation, from its own origin;
//! - a panic shows the crash banner (English and Korean), whose "Restore last good state" brings
//!   back the saved session and "Start fresh" a new one with the old kept aside; a saved copy that
//!   crashes on replay falls back to the copy one action earlier; an unreadable saved copy is set
//!   aside and reported; a full storage is reported.
//!
//! Screenshots: `target/e2e/20-xss.png`, `21-panic-banner.png`, `22-panic-banner-ko.png`.

use fantoccini::{Client, Locator};
use kubeplay_e2e::harness::{dist_dir, open_browser, serve_dir, start_chromedriver};
use kubeplay_e2e::page::{click, e, idle, js, screenshot, set_editor, type_command, wait_for, R};
use serde_json::json;
use std::time::Duration;

/// Every payload sets `window.__xss` if it ever runs.
const PAYLOADS: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: xss
  annotations:
    note: '<img src=x onerror="window.__xss=1">'
    link: 'javascript:window.__xss=2'
data:
  script: '<script>window.__xss=3</script>'
  img: '<img src=x onerror=window.__xss=4>'
  svg: '<svg onload=window.__xss=5></svg>'
  href: '<a href="javascript:window.__xss=6">click</a>'
"#;

/// A name Kubernetes refuses; the error quotes it back.
const BAD_NAME: &str = "<img src=x onerror=window.__xss=7>";

async fn run(c: &Client, line: &str) -> R<()> {
    let entries = js(c, "return document.querySelectorAll('#output .entry').length;").await?.as_u64().unwrap_or(0);
    type_command(c, line).await?;
    for _ in 0..400 {
        if js(c, "return document.querySelectorAll('#output .entry').length;").await?.as_u64().unwrap_or(0) > entries {
            return idle(c).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("`{line}` never printed"))
}

/// The text of the newest terminal entry's stdout or stderr.
async fn last_entry(c: &Client, stream: &str) -> R<String> {
    let v = js(c, &format!("const e = [...document.querySelectorAll('#output .entry .{stream}')]; return e.length ? e[e.length - 1].textContent : null;")).await?;
    v.as_str().map(str::to_string).ok_or_else(|| format!("no terminal entry with {stream}"))
}

async fn notice(c: &Client) -> R<String> {
    wait_for(c, "#notice", "the notice").await?.text().await.map_err(e)
}

async fn has_key(c: &Client, key: &str) -> R<bool> {
    click(c, "#tab-etcd").await?;
    let v = js(c, &format!("return !!document.querySelector(\"tr.etcd-key[data-key='{key}']\");")).await?;
    Ok(v.as_bool() == Some(true))
}

/// Opens the page on a clean profile.
async fn fresh_page(c: &Client, base: &str) -> R<()> {
    c.goto(base).await.map_err(e)?;
    wait_for(c, "#apply", "the page never showed the Apply button").await?;
    js(c, "localStorage.clear();").await?;
    c.goto(base).await.map_err(e)?;
    wait_for(c, "#apply", "the page after clearing storage").await?;
    idle(c).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_safe_and_survives_crashes() {
    let base = serve_dir(dist_dir());
    let driver = start_chromedriver();
    let c = open_browser(&driver).await;
    let result = scenario(&c, &base).await;
    if result.is_err() {
        screenshot(&c, "29-security-failure.png").await;
    }
    let _ = c.close().await;
    drop(driver);
    result.unwrap();
}

async fn scenario(c: &Client, base: &str) -> R<()> {
    fresh_page(c, base).await?;
    csp_and_no_network(c, base).await?;
    markup_renders_as_text(c).await?;
    crash_banner(c, base).await?;
    saving(c, base).await?;
    Ok(())
}

/// Starts collecting CSP violation reports, the ones since load included (`buffered`).
const WATCH_CSP: &str = "window.__csp = []; \
    new ReportingObserver((rs) => { for (const r of rs) window.__csp.push(r.body.effectiveDirective + ' ' + r.body.blockedURL); }, \
      { types: ['csp-violation'], buffered: true }).observe();";

async fn csp_reports(c: &Client) -> R<Vec<String>> {
    // Reports are delivered asynchronously.
    tokio::time::sleep(Duration::from_millis(300)).await;
    serde_json::from_value(js(c, "return window.__csp;").await?).map_err(e)
}

async fn resources(c: &Client) -> R<Vec<String>> {
    serde_json::from_value(js(c, "return performance.getEntriesByType('resource').map(r => r.name);").await?).map_err(e)
}

/// The policy is in force and the page does not break it; after load nothing but the explain
/// documentation is fetched, and everything ever fetched comes from the page's own origin.
async fn csp_and_no_network(c: &Client, base: &str) -> R<()> {
    js(c, WATCH_CSP).await?;
    let at_load = resources(c).await?;
    assert!(at_load.iter().any(|r| r.ends_with(".wasm")), "the wasm is among the resources: {at_load:?}");

    // A learner's session: apply, commands, tabs, theme, language, the timeline, a share link,
    // and an explain (which fetches its documentation, once).
    click(c, "#apply").await?;
    wait_for(c, "#status.ok", "the example applied").await?;
    idle(c).await?;
    for line in ["kubectl get pods -A", "kubectl describe deployment web -n shop", "etcdctl get /registry/namespaces --prefix --keys-only"] {
        run(c, line).await?;
    }
    for tab in ["#tab-etcd", "#tab-object", "#tab-request"] {
        click(c, tab).await?;
    }
    click(c, "#theme").await?;
    click(c, "#theme").await?;
    js(c, "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));").await?;
    js(c, "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));").await?;
    click(c, "#share").await?;
    run(c, "kubectl explain pod.spec.containers").await?;
    assert!(last_entry(c, "stdout").await?.contains("FIELDS:"), "explain printed its documentation");

    let after = resources(c).await?;
    let new: Vec<&String> = after.iter().skip(at_load.len()).collect();
    assert!(
        new.iter().all(|r| *r == &format!("{base}/explain/docs.txt")),
        "after load the page fetched only the explain documentation: {new:?}"
    );
    assert!(after.iter().all(|r| r.starts_with(base)), "everything fetched is the page's own: {after:?}");

    // The policy holds: an inline script put into the page does not run, and is reported.
    js(c, "const s = document.createElement('script'); s.id = 'csp-probe'; s.textContent = 'window.__inline = 1'; document.head.appendChild(s);").await?;
    assert_eq!(js(c, "return window.__inline === undefined;").await?, json!(true), "CSP refused the inline script");
    let reports = csp_reports(c).await?;
    assert!(reports.iter().any(|r| r.starts_with("script-src-elem inline")), "the refusal was reported: {reports:?}");
    let others: Vec<&String> = reports.iter().filter(|r| !r.starts_with("script-src-elem inline")).collect();
    assert!(others.is_empty(), "the page itself breaks its policy: {others:?}");
    js(c, "document.getElementById('csp-probe').remove();").await?;
    Ok(())
}

/// Nothing from the payloads becomes an element, and no payload runs.
async fn assert_inert(c: &Client, place: &str) -> R<()> {
    let probe = js(
        c,
        "return { xss: window.__xss === undefined ? null : window.__xss, \
                  img: document.querySelectorAll('img[src=\"x\"], [onerror], [onload]').length, \
                  svg: document.querySelectorAll('svg[onload]').length, \
                  js: [...document.querySelectorAll('a[href]')].filter(a => a.getAttribute('href').startsWith('javascript:')).length, \
                  scripts: [...document.querySelectorAll('script')].filter(s => !s.src).length };",
    )
    .await?;
    assert_eq!(probe, json!({ "xss": null, "img": 0, "svg": 0, "js": 0, "scripts": 0 }), "{place}: a payload reached the DOM");
    Ok(())
}

async fn markup_renders_as_text(c: &Client) -> R<()> {
    // In the editor (coloured copy, diagnostics) and through apply into the cluster.
    set_editor(c, PAYLOADS).await?;
    click(c, "#apply").await?;
    idle(c).await?;
    assert_eq!(last_entry(c, "stdout").await?.trim_end(), "configmap/xss created");
    assert_inert(c, "after apply").await?;

    // The terminal prints them back as YAML and in describe.
    run(c, "kubectl get configmap xss -o yaml").await?;
    let yaml = last_entry(c, "stdout").await?;
    for shown in ["<script>window.__xss=3</script>", "<img src=x onerror=window.__xss=4>", "javascript:window.__xss=2", "<svg onload=window.__xss=5></svg>"] {
        assert!(yaml.contains(shown), "-o yaml shows {shown} as text:\n{yaml}");
    }
    run(c, "kubectl describe configmap xss").await?;
    assert!(last_entry(c, "stdout").await?.contains("<script>window.__xss=3</script>"), "describe shows the data as text");
    assert_inert(c, "in the terminal").await?;

    // The object view and the etcd value.
    click(c, "#tab-etcd").await?;
    click(c, "tr.etcd-key[data-key='/registry/configmaps/default/xss']").await?;
    click(c, "#tab-object").await?;
    let object = wait_for(c, "#object", "the object view").await?.text().await.map_err(e)?;
    assert!(object.contains("<img src=x onerror=window.__xss=4>"), "the object view shows the data as text:\n{object}");
    assert_inert(c, "in the object view").await?;

    // An invalid name: the error quotes it, as text, in the terminal and the editor.
    set_editor(c, &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: '{BAD_NAME}'\n")).await?;
    click(c, "#apply").await?;
    idle(c).await?;
    wait_for(c, "#status.failed", "the invalid name failed").await?;
    let err = last_entry(c, "stderr").await?;
    assert!(err.contains(&format!("\"{BAD_NAME}\"")) && err.contains("is invalid"), "the error quotes the name as text: {err}");
    assert_inert(c, "after the invalid name").await?;
    let body = js(c, "return document.body.innerText;").await?;
    assert!(body.as_str().unwrap_or("").contains(BAD_NAME), "the name is on the page as text");
    screenshot(c, "20-xss.png").await;
    Ok(())
}

async fn crash_banner(c: &Client, base: &str) -> R<()> {
    // The session so far is saved (the payload ConfigMap exists); a deliberate panic then shows
    // the banner over the page, with the panic's message.
    assert!(has_key(c, "/registry/configmaps/default/xss").await?);
    type_command(c, "kubeplay-debug panic").await?;
    wait_for(c, "#panic-banner", "the crash banner").await?;
    assert_eq!(c.find(Locator::Id("panic-title")).await.map_err(e)?.text().await.map_err(e)?, "kubeplay stopped because of an internal error");
    let message = c.find(Locator::Id("panic-message")).await.map_err(e)?.text().await.map_err(e)?;
    assert!(message.contains("kubeplay-debug panic: a deliberate panic"), "the banner quotes the panic: {message}");
    screenshot(c, "21-panic-banner.png").await;

    // Restore: the page comes back with the saved session, the address without the query.
    click(c, "#panic-restore").await?;
    wait_for(c, "#apply", "the page after Restore").await?;
    idle(c).await?;
    assert!(notice(c).await?.contains("Restored the session as last saved."));
    assert_eq!(js(c, "return location.search;").await?, json!(""), "the ?restore query is dropped");
    assert!(has_key(c, "/registry/configmaps/default/xss").await?, "the restored session has the ConfigMap");

    // In Korean the banner is in Korean.
    js(c, "const s = document.getElementById('lang'); s.value = 'ko'; s.dispatchEvent(new Event('change', { bubbles: true }));").await?;
    wait_for(c, ".app[data-lang='ko']", "the page in Korean").await?;
    type_command(c, "kubeplay-debug panic").await?;
    wait_for(c, "#panic-banner[lang='ko']", "the Korean crash banner").await?;
    assert_eq!(c.find(Locator::Id("panic-restore")).await.map_err(e)?.text().await.map_err(e)?, "마지막 정상 상태로 복원");
    screenshot(c, "22-panic-banner-ko.png").await;

    // Start fresh: a new session, the old one kept aside.
    click(c, "#panic-fresh").await?;
    wait_for(c, "#apply", "the page after Start fresh").await?;
    idle(c).await?;
    assert!(notice(c).await?.contains("Started a fresh session"));
    assert!(!has_key(c, "/registry/configmaps/default/xss").await?, "a fresh cluster");
    let kept = js(c, "return localStorage.getItem('kubeplay.session.crashed');").await?;
    assert!(kept.as_str().is_some_and(|k| k.contains("kubectl apply -f -")), "the old session is kept aside: {kept}");
    js(c, "const s = document.getElementById('lang'); s.value = 'en'; s.dispatchEvent(new Event('change', { bubbles: true }));").await?;

    // A saved copy whose replay crashes the page (simulated: the marker a crash during the replay
    // leaves) is set aside on Restore, and the copy saved one action earlier comes back.
    run(c, "kubectl create namespace first").await?;
    run(c, "kubectl create namespace second").await?;
    js(c, "localStorage.setItem('kubeplay.session.replaying', '1');").await?;
    c.goto(&format!("{base}/?restore")).await.map_err(e)?;
    wait_for(c, "#apply", "the page after Restore of a crashing copy").await?;
    idle(c).await?;
    assert!(notice(c).await?.contains("Replaying the saved session crashed the page"));
    assert!(has_key(c, "/registry/namespaces/first").await?, "the earlier copy has the first namespace");
    assert!(!has_key(c, "/registry/namespaces/second").await?, "but not the action that crashed");
    let kept = js(c, "return localStorage.getItem('kubeplay.session.crashed');").await?;
    assert!(kept.as_str().is_some_and(|k| k.contains("namespace second")), "the crashing copy is kept aside: {kept}");
    Ok(())
}

async fn saving(c: &Client, base: &str) -> R<()> {
    // An unreadable saved copy is set aside and reported; the copy before it is loaded.
    run(c, "kubectl create namespace third").await?;
    let broken = "{\"version\":1,\"seed\":";
    c.execute(
        "const slot = localStorage.getItem('kubeplay.session.slot') === 'b' ? 'kubeplay.session.b' : 'kubeplay.session.a'; localStorage.setItem(slot, arguments[0]);",
        vec![json!(broken)],
    )
    .await
    .map_err(e)?;
    c.goto(base).await.map_err(e)?;
    wait_for(c, "#apply", "the page with an unreadable session").await?;
    idle(c).await?;
    let said = notice(c).await?;
    assert!(said.contains("The saved session could not be read") && said.contains("kubeplay.session.unreadable"), "{said}");
    assert!(said.contains("the copy saved one action earlier was loaded"), "{said}");
    assert_eq!(js(c, "return localStorage.getItem('kubeplay.session.unreadable');").await?, json!(broken), "kept aside as it was");
    assert!(has_key(c, "/registry/namespaces/first").await?, "the earlier copy is loaded");

    // A full storage: the next save is refused and the learner is told.
    js(
        c,
        "let size = 1 << 20, i = 0; \
         while (size >= 1) { try { localStorage.setItem('fill.' + i, 'x'.repeat(size)); i++; } catch (_) { size = Math.floor(size / 2); } }",
    )
    .await?;
    run(c, "kubectl create namespace fourth").await?;
    let said = notice(c).await?;
    assert!(said.contains("The browser refused to save this session (storage full or disabled); use Export to keep it."), "{said}");
    js(c, "for (const k of Object.keys(localStorage)) if (k.startsWith('fill.')) localStorage.removeItem(k);").await?;
    Ok(())
}
