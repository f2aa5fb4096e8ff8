//! The terminal's lifecycle commands in headless Chromium, as a course uses them: apply the
//! example, `kubectl wait` for the Deployment, `kubectl exec` into one of its pods, then
//! `kubectl delete namespace`, after which the namespace controller has emptied the namespace
//! and the map shows none of its pods. Screenshots land in `target/e2e/` to be looked at.

use fantoccini::Client;
use kubeplay_e2e::harness::{dist_dir, open_browser, serve_dir, start_chromedriver};
use kubeplay_e2e::page::{click, idle, js, screenshot, type_command, wait_for, R};

/// The text of the terminal's last entry on `stream` (`stdout` or `stderr`).
async fn last(c: &Client, stream: &str) -> R<String> {
    let v = js(c, &format!("const e = [...document.querySelectorAll('#output .entry .{stream}')]; return e.length ? e[e.length - 1].innerText : null;")).await?;
    v.as_str().map(|s| s.trim_end().to_string()).ok_or_else(|| format!("no terminal entry with {stream}"))
}

async fn web_pods(c: &Client) -> R<u64> {
    let v = js(c, "return [...document.querySelectorAll('#cluster-map .pod')].filter(p => p.dataset.pod.startsWith('web-')).length;").await?;
    Ok(v.as_u64().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_exec_and_delete_a_namespace_from_the_terminal() {
    let base = serve_dir(dist_dir());
    let driver = start_chromedriver();
    let c = open_browser(&driver).await;
    let result = scenario(&c, &base).await;
    if result.is_err() {
        screenshot(&c, "98-lifecycle-failure.png").await;
    }
    let _ = c.close().await;
    drop(driver);
    result.unwrap();
}

async fn scenario(c: &Client, base: &str) -> R<()> {
    c.goto(base).await.map_err(|e| e.to_string())?;
    wait_for(c, "#apply", "the page never showed the Apply button").await?;
    js(c, "localStorage.clear();").await?;
    c.refresh().await.map_err(|e| e.to_string())?;
    wait_for(c, "#apply", "the page never showed the Apply button").await?;
    // The example: namespace shop, Deployment web (3 replicas), Service web.
    click(c, "#apply").await?;
    wait_for(c, "#status.ok", "the apply never reported success").await?;
    idle(c).await?;
    assert_eq!(web_pods(c).await?, 3, "the example's pods are on the map");

    type_command(c, "kubectl wait --for=condition=Available deployment/web -n shop --timeout=60s").await?;
    idle(c).await?;
    assert_eq!(last(c, "stdout").await?, "deployment.apps/web condition met");

    type_command(c, "kubectl exec -n shop deploy/web -- cat /etc/resolv.conf").await?;
    idle(c).await?;
    let resolv = last(c, "stdout").await?;
    assert!(resolv.starts_with("search shop.svc.cluster.local"), "{resolv}");
    screenshot(c, "18-wait-and-exec.png").await;

    type_command(c, "kubectl delete namespace shop").await?;
    idle(c).await?;
    assert_eq!(last(c, "stdout").await?, "namespace \"shop\" deleted");
    type_command(c, "kubectl get ns").await?;
    idle(c).await?;
    let namespaces = last(c, "stdout").await?;
    assert!(!namespaces.contains("shop"), "the namespace is gone once the command ends: {namespaces}");
    assert_eq!(web_pods(c).await?, 0, "its pods are gone from the map");
    screenshot(c, "19-namespace-deleted.png").await;
    Ok(())
}
