//! The playground in headless Chromium: apply a multi-document manifest, see its etcd keys with
//! increasing revisions; apply broken YAML, see the error at its line and the keys still there.
//! Screenshots land in `target/e2e/` to be looked at.

use fantoccini::{key::Key, Client, Locator};
use kubeplay_e2e::harness::{dist_dir, open_browser, screenshot_dir, serve_dir, start_chromedriver};
use std::time::Duration;

const MANIFEST: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
";

/// Line 4 has a tab in its indentation, which YAML forbids.
const BROKEN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\ndata:\n  a: b\n";

async fn set_editor(c: &Client, text: &str) {
    c.execute(
        "const t = document.getElementById('manifest'); t.value = arguments[0]; \
         t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::json!(text)],
    )
    .await
    .expect("set the editor text");
}

/// (key, mod_revision) of every row in the etcd panel.
async fn keys(c: &Client) -> Vec<(String, i64)> {
    rows(c, "modRevision").await
}

/// (key, create_revision) of every row: the revision each object was created at.
async fn created(c: &Client) -> Vec<(String, i64)> {
    rows(c, "createRevision").await
}

async fn rows(c: &Client, field: &str) -> Vec<(String, i64)> {
    let script = format!("return [...document.querySelectorAll('tr.etcd-key')].map(r => [r.dataset.key, Number(r.dataset.{field})]);");
    let rows = c.execute(&script,
        vec![],
    )
    .await
    .expect("read etcd rows");
    serde_json::from_value(rows).expect("rows as (key, revision)")
}

/// The text of the newest terminal entry's stdout or stderr.
async fn last_entry(c: &Client, stream: &str) -> Result<String, String> {
    let v = c
        .execute(&format!("const e = [...document.querySelectorAll('#output .entry .{stream}')]; return e.length ? e[e.length - 1].innerText : null;"), vec![])
        .await
        .map_err(|e| e.to_string())?;
    v.as_str().map(|s| s.trim_end().to_string()).ok_or_else(|| format!("no terminal entry with {stream}"))
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_then_broken_yaml_keeps_keys_and_points_at_the_line() {
    let base = serve_dir(dist_dir());
    let driver = start_chromedriver();
    let c = open_browser(&driver).await;
    let result = scenario(&c, &base).await;
    let _ = c.close().await;
    drop(driver);
    result.unwrap();
}

async fn scenario(c: &Client, base: &str) -> Result<(), String> {
    c.goto(base).await.map_err(|e| e.to_string())?;
    let apply = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("apply"))
        .await
        .map_err(|e| format!("the page never showed the Apply button: {e}"))?;
    let boot = keys(c).await;
    assert!(boot.iter().any(|(k, _)| k == "/registry/namespaces/default"), "a fresh cluster has the default namespace: {boot:?}");

    set_editor(c, MANIFEST).await;
    apply.click().await.map_err(|e| e.to_string())?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("tr.etcd-key[data-key='/registry/services/specs/shop/web']"))
        .await
        .map_err(|e| format!("the Service key never appeared: {e}"))?;
    // The objects were created in apply order (the Deployment's mod_revision then moves on as
    // its controller writes status).
    let creations = created(c).await;
    let rev = |key: &str| creations.iter().find(|(k, _)| k == key).map(|(_, r)| *r);
    let ns = rev("/registry/namespaces/shop").expect("namespace key");
    let deploy = rev("/registry/deployments/shop/web").expect("deployment key");
    let svc = rev("/registry/services/specs/shop/web").expect("service key");
    assert!(ns < deploy && deploy < svc, "create revisions increase in apply order: {ns} {deploy} {svc}");
    let stdout = last_entry(c, "stdout").await?;
    assert_eq!(stdout, "namespace/shop created\ndeployment.apps/web created\nservice/web created");
    screenshot(c, "01-applied.png").await;

    // The terminal runs kubectl against the same cluster.
    let input = c.find(Locator::Id("terminal-input")).await.map_err(|e| e.to_string())?;
    input.send_keys(&format!("kubectl get deploy,svc -n shop{}", char::from(Key::Enter))).await.map_err(|e| e.to_string())?;
    let table = last_entry(c, "stdout").await?;
    assert!(table.starts_with("NAME") && table.contains("deployment.apps/web") && table.contains("service/web"), "{table}");

    // Broken YAML, applied with the keyboard shortcut. The cluster is idle between commands, so
    // every key and revision must be exactly as before.
    let after = keys(c).await;
    set_editor(c, BROKEN).await;
    let editor = c.find(Locator::Id("manifest")).await.map_err(|e| e.to_string())?;
    editor.send_keys(&format!("{}{}", char::from(Key::Control), char::from(Key::Enter))).await.map_err(|e| e.to_string())?;
    let marker = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".diagnostic"))
        .await
        .map_err(|e| format!("no diagnostic marker after broken YAML: {e}"))?;
    assert_eq!(marker.attr("data-line").await.map_err(|e| e.to_string())?.as_deref(), Some("4"));
    let text = marker.text().await.map_err(|e| e.to_string())?;
    assert!(text.starts_with("4:1 "), "marker names line 4: {text}");
    let stderr = last_entry(c, "stderr").await?;
    assert!(stderr.contains("yaml: line 4: found character that cannot start any token"), "stderr: {stderr}");
    let gutter_error = c.find(Locator::Css(".gutter-error")).await.map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())?;
    assert_eq!(gutter_error, "4");
    let still = keys(c).await;
    assert_eq!(still, after, "a failed apply leaves every key and revision as it was");
    screenshot(c, "02-broken-yaml.png").await;

    // The manifest survives a reload (it is kept in localStorage).
    c.refresh().await.map_err(|e| e.to_string())?;
    c.wait().at_most(Duration::from_secs(30)).for_element(Locator::Id("apply")).await.map_err(|e| e.to_string())?;
    let kept = c.execute("return document.getElementById('manifest').value;", vec![]).await.map_err(|e| e.to_string())?;
    assert_eq!(kept.as_str(), Some(BROKEN), "the editor keeps the learner's text across a reload");

    // An example from the menu: the quota rejects the third pod, and the pipeline shows where.
    c.execute(
        "const s = document.getElementById('examples'); s.value = '1'; s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![],
    )
    .await
    .map_err(|e| e.to_string())?;
    c.find(Locator::Id("apply")).await.map_err(|e| e.to_string())?.click().await.map_err(|e| e.to_string())?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#pipeline .stage.rejected[data-stage='validating-admission']"))
        .await
        .map_err(|e| format!("the pipeline never showed the quota rejection: {e}"))?;
    let stderr = last_entry(c, "stderr").await?;
    assert!(stderr.contains("exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"), "stderr: {stderr}");
    screenshot(c, "03-quota-example.png").await;
    Ok(())
}
