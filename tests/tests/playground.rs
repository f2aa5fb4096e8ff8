//! The playground in headless Chromium, driven as a learner drives it (clicks, keys, typing) with
//! assertions on the DOM: apply a Deployment and step its create request stage by stage, walk the
//! requests it caused until the last pod runs, step back and see the earlier etcd view, compare two
//! revisions of a key, be denied as the read-only viewer, switch theme and language, reload and
//! find everything kept, get a broken manifest marked at its line, and hit a quota.
//! Screenshots of each main state land in `target/e2e/` to be looked at.

use fantoccini::{key::Key, Client, Locator};
use kubeplay_e2e::harness::{dist_dir, open_browser, serve_dir, start_chromedriver};
use kubeplay_e2e::page::{click, e, idle, js, screenshot, set_editor, text, type_command, wait_for, R};
use serde_json::Value;
use std::time::Duration;

/// Line 4 has a tab in its indentation, which YAML forbids.
const BROKEN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\ndata:\n  a: b\n";

async fn select(c: &Client, id: &str, value: &str) -> R<()> {
    c.execute(
        "const s = document.getElementById(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![serde_json::json!(id), serde_json::json!(value)],
    )
    .await
    .map(|_| ())
    .map_err(e)
}

/// Presses a key on the page (not in a field), as the global shortcuts expect.
async fn press(c: &Client, key: &str, shift: bool) -> R<()> {
    c.execute(
        "document.activeElement && document.activeElement.blur(); \
         document.dispatchEvent(new KeyboardEvent('keydown', { key: arguments[0], shiftKey: arguments[1], bubbles: true }));",
        vec![serde_json::json!(key), serde_json::json!(shift)],
    )
    .await
    .map(|_| ())
    .map_err(e)
}

/// (key, revision) of every row in the etcd tab; `field` is `modRevision` or `createRevision`.
async fn rows(c: &Client, field: &str) -> R<Vec<(String, i64)>> {
    let script = format!("return [...document.querySelectorAll('tr.etcd-key')].map(r => [r.dataset.key, Number(r.dataset.{field})]);");
    serde_json::from_value(js(c, &script).await?).map_err(e)
}

async fn has_key(c: &Client, key: &str) -> R<bool> {
    Ok(rows(c, "modRevision").await?.iter().any(|(k, _)| k == key))
}

/// The text of the newest terminal entry's stdout or stderr.
async fn last_entry(c: &Client, stream: &str) -> R<String> {
    let v = js(c, &format!("const e = [...document.querySelectorAll('#output .entry .{stream}')]; return e.length ? e[e.length - 1].innerText : null;")).await?;
    v.as_str().map(|s| s.trim_end().to_string()).ok_or_else(|| format!("no terminal entry with {stream}"))
}

/// The stages the stepper shows as reached, in order.
async fn reached_stages(c: &Client) -> R<Vec<String>> {
    let v = js(c, "return [...document.querySelectorAll('#stepper .stage-row:not(.ahead)')].map(s => s.dataset.stage);").await?;
    serde_json::from_value(v).map_err(e)
}

async fn running_pods(c: &Client) -> R<usize> {
    // The example's `web` pods only: CoreDNS's two pods in kube-system run from the start.
    let v = js(c, "return [...document.querySelectorAll('#cluster-map .pod[data-status=\"Running\"]')].filter(p => p.dataset.pod.startsWith('web-')).length;").await?;
    Ok(v.as_u64().unwrap_or(0) as usize)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_steps_through_the_control_plane() {
    let base = serve_dir(dist_dir());
    let driver = start_chromedriver();
    let c = open_browser(&driver).await;
    let result = scenario(&c, &base).await;
    if result.is_err() {
        screenshot(&c, "99-failure.png").await;
    }
    let _ = c.close().await;
    drop(driver);
    result.unwrap();
}

async fn scenario(c: &Client, base: &str) -> R<()> {
    c.goto(base).await.map_err(e)?;
    wait_for(c, "#apply", "the page never showed the Apply button").await?;
    // A clean start whatever an earlier run left in this profile.
    js(c, "localStorage.clear();").await?;
    c.refresh().await.map_err(e)?;
    wait_for(c, "#apply", "the page never showed the Apply button").await?;
    let nodes = js(c, "return [...document.querySelectorAll('#cluster-map .node')].map(n => n.dataset.node);").await?;
    assert_eq!(nodes, serde_json::json!(["control-plane", "node-1", "node-2", "node-3"]), "the default cluster's nodes");
    for part in ["kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager"] {
        wait_for(c, &format!("#cluster-map .node.control-plane .part[data-component='{part}']"), "the control plane's parts").await?;
    }
    screenshot(c, "01-empty.png").await;

    // Apply the example: a namespace, a Deployment of three replicas and a Service.
    click(c, "#apply").await?;
    wait_for(c, "#status.ok", "the apply never reported success").await?;
    assert_eq!(last_entry(c, "stdout").await?, "namespace/shop created\ndeployment.apps/web created\nservice/web created");
    click(c, "#tab-etcd").await?;
    wait_for(c, "tr.etcd-key[data-key='/registry/services/specs/shop/web']", "the Service key").await?;
    let created = rows(c, "createRevision").await?;
    let rev = |key: &str| created.iter().find(|(k, _)| k == key).map(|(_, r)| *r);
    let (ns, deploy, svc) = (rev("/registry/namespaces/shop"), rev("/registry/deployments/shop/web"), rev("/registry/services/specs/shop/web"));
    assert!(ns < deploy && deploy < svc, "create revisions increase in apply order: {ns:?} {deploy:?} {svc:?}");
    assert_eq!(running_pods(c).await?, 3, "live, the three pods run");
    screenshot(c, "02-after-apply.png").await;

    // The request tab lists the command's requests; the Deployment's create opens in the stepper
    // at its first record, and each → reveals the next stage.
    click(c, "#tab-request").await?;
    let rows_js = "return [...document.querySelectorAll('#inspector li.request')].findIndex(r => r.querySelector('.method').innerText == 'POST' && r.querySelector('.path').innerText.endsWith('/namespaces/shop/deployments'));";
    let index = js(c, rows_js).await?.as_i64().unwrap_or(-1);
    assert!(index >= 0, "the Deployment's POST is listed");
    js(c, &format!("document.querySelectorAll('#inspector li.request')[{index}].click();")).await?;
    wait_for(c, "#stepper", "the stepper").await?;
    assert_eq!(reached_stages(c).await?, Vec::<String>::new(), "at the request's arrival no stage has run");
    assert_eq!(text(c, "#stepper .request-line .path").await?, "/apis/apps/v1/namespaces/shop/deployments");
    let order = ["authentication", "authorization", "decode", "mutating-admission", "validation", "validating-admission", "storage"];
    for (i, stage) in order.iter().enumerate() {
        // One record per step; the etcd write is its own record just before the storage stage.
        let mut reached = Vec::new();
        for _ in 0..3 {
            press(c, "ArrowRight", false).await?;
            reached = reached_stages(c).await?;
            if reached.len() == i + 1 {
                break;
            }
        }
        assert_eq!(reached.last().map(String::as_str), Some(*stage), "step {i} reveals {stage}: {reached:?}");
        if *stage == "authorization" {
            let detail = text(c, "#stepper .stage-row[data-stage='authorization'] .stage-detail").await?;
            assert!(detail.contains("system:masters") || detail.contains("cluster-admin"), "the stage says why it allowed: {detail}");
        }
        if *stage == "decode" {
            screenshot(c, "03-mid-pipeline.png").await;
        }
    }
    // Then the response, with the revision the Deployment got.
    for _ in 0..3 {
        if c.find(Locator::Id("response")).await.is_ok() {
            break;
        }
        press(c, "ArrowRight", false).await?;
    }
    let response = text(c, "#response").await?;
    assert!(response.starts_with("201 Created"), "{response}");
    assert!(response.ends_with(&deploy.unwrap_or_default().to_string()), "the response names the Deployment's revision: {response}");

    // Request by request, the controllers, the scheduler and the kubelets bring the pods up; the
    // map shows the cluster as of each step.
    let mut seen = 0;
    for _ in 0..600 {
        press(c, "ArrowRight", true).await?;
        let running = running_pods(c).await?;
        assert!(running >= seen, "pods do not stop running while stepping forward ({seen} → {running})");
        seen = running;
        if running == 3 {
            break;
        }
    }
    assert_eq!(seen, 3, "stepping forward reaches three Running pods");

    // Back to the Deployment's create: its key is not in etcd yet at that record.
    js(c, &format!("document.querySelectorAll('#inspector li.request')[{index}]?.click();")).await.ok();
    for _ in 0..800 {
        let path = text(c, "#stepper .request-line .path").await.unwrap_or_default();
        let method = text(c, "#stepper .request-line .method").await.unwrap_or_default();
        if method == "POST" && path.ends_with("/namespaces/shop/deployments") {
            break;
        }
        press(c, "ArrowLeft", true).await?;
    }
    click(c, "#tab-etcd").await?;
    assert!(!has_key(c, "/registry/deployments/shop/web").await?, "stepping back shows etcd before the Deployment was written");
    assert!(has_key(c, "/registry/namespaces/shop").await?, "the namespace was already there");
    assert_eq!(running_pods(c).await?, 0, "no pod yet at that record");
    press(c, "End", false).await?;
    wait_for(c, "#live.on", "back to live").await?;
    assert!(has_key(c, "/registry/deployments/shop/web").await?, "live again, the Deployment is there");

    // A key's history: the Deployment was written several times (create, then its status).
    click(c, "tr.etcd-key[data-key='/registry/deployments/shop/web']").await?;
    wait_for(c, "#object .object-history li", "the key's history").await?;
    assert!(text(c, "#object pre.yaml").await?.contains("kind: Deployment"));
    click(c, "#object .object-history button").await?;
    wait_for(c, "#object-diff .d-add", "a diff between two revisions").await?;
    screenshot(c, "04-etcd-history-diff.png").await;

    // As the read-only viewer: the grant is created by the admin in plain sight, then a delete is
    // refused by RBAC with kube-apiserver's words.
    select(c, "persona", "viewer").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='output']//pre[contains(., 'clusterrolebinding.rbac.authorization.k8s.io/viewer-view created')]"))
        .await
        .map_err(|err| format!("the viewer's grant: {err}"))?;
    type_command(c, "kubectl delete deployment web -n shop").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='output']//div[contains(@class,'prompt') and contains(., '--as=viewer')]"))
        .await
        .map_err(|err| format!("the command as the viewer: {err}"))?;
    assert_eq!(
        last_entry(c, "stderr").await?,
        "Error from server (Forbidden): deployments.apps \"web\" is forbidden: User \"viewer\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"shop\""
    );
    click(c, "#tab-request").await?;
    wait_for(c, "#inspector li.request .stage.rejected", "the denied request's authorization stage").await?;
    screenshot(c, "05-rbac-denied.png").await;

    // Help, theme and language.
    press(c, "?", false).await?;
    wait_for(c, "#help", "the shortcuts overlay").await?;
    press(c, "Escape", false).await?;
    press(c, "t", false).await?;
    let theme = js(c, "return document.documentElement.dataset.theme;").await?;
    assert_eq!(theme.as_str(), Some("dark"));
    screenshot(c, "06-dark.png").await;
    // The shortcut toggles every time, not only the first.
    for want in ["light", "dark"] {
        press(c, "t", false).await?;
        let mut now = Value::Null;
        for _ in 0..40 {
            now = js(c, "return document.documentElement.dataset.theme;").await?;
            if now.as_str() == Some(want) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(now.as_str(), Some(want), "t toggles the theme again");
    }
    select(c, "lang", "ko").await?;
    assert_eq!(text(c, "#apply").await?, "적용");
    assert_eq!(text(c, "#tab-etcd").await?, "etcd");
    assert_eq!(text(c, "#tab-object").await?, "오브젝트");
    screenshot(c, "07-korean.png").await;

    // A reload keeps the editor, the cluster (replayed), the user, the theme and the language.
    click(c, "#tab-etcd").await?;
    let keys_before = rows(c, "modRevision").await.ok();
    let editor_before = js(c, "return document.getElementById('manifest').value;").await?;
    c.refresh().await.map_err(e)?;
    wait_for(c, "#apply", "the page after a reload").await?;
    assert_eq!(js(c, "return document.getElementById('manifest').value;").await?, editor_before);
    assert_eq!(text(c, "#apply").await?, "적용", "Korean is kept");
    assert_eq!(js(c, "return document.documentElement.dataset.theme;").await?.as_str(), Some("dark"));
    assert_eq!(js(c, "return document.getElementById('persona').value;").await?.as_str(), Some("viewer"));
    click(c, "#tab-etcd").await?;
    if let Some(before) = keys_before.filter(|k| !k.is_empty()) {
        assert_eq!(rows(c, "modRevision").await?, before, "the replayed cluster has the same keys and revisions");
    }
    assert!(last_entry(c, "stderr").await?.contains("User \"viewer\" cannot delete"), "the terminal is replayed too");
    select(c, "lang", "en").await?;
    press(c, "t", false).await?;
    select(c, "persona", "admin").await?;

    // Broken YAML, applied with the keyboard: marked at line 4, nothing stored.
    let before = rows(c, "modRevision").await?;
    set_editor(c, BROKEN).await?;
    let editor = c.find(Locator::Id("manifest")).await.map_err(e)?;
    editor.send_keys(&format!("{}{}", char::from(Key::Control), char::from(Key::Enter))).await.map_err(e)?;
    let marker = wait_for(c, ".diagnostic", "a diagnostic marker after broken YAML").await?;
    assert_eq!(marker.attr("data-line").await.map_err(e)?.as_deref(), Some("4"));
    assert!(marker.text().await.map_err(e)?.starts_with("4:1 "));
    assert!(last_entry(c, "stderr").await?.contains("yaml: line 4: found character that cannot start any token"));
    assert_eq!(text(c, ".gutter-error").await?, "4");
    assert_eq!(rows(c, "modRevision").await?, before, "a failed apply leaves every key and revision as it was");
    screenshot(c, "08-broken-yaml.png").await;

    // The quota example: the third pod is refused at validating admission.
    select(c, "examples", "1").await?;
    click(c, "#apply").await?;
    click(c, "#tab-request").await?;
    wait_for(c, "#inspector li.request .stage.rejected[title='validating-admission']", "the quota rejection in the request list").await?;
    assert!(last_entry(c, "stderr").await?.contains("exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"));
    screenshot(c, "09-quota-example.png").await;

    nodes_from_the_map(c).await?;
    tooltips(c).await?;
    etcd_as_of_a_revision(c).await?;
    share_links(c, base).await?;
    scheduler_table(c).await?;
    watch_until_ctrl_c(c).await?;
    Ok(())
}

/// "+ node" runs `node add node-4` and "remove" `node remove node-4`, both in the terminal.
async fn nodes_from_the_map(c: &Client) -> R<()> {
    idle(c).await?;
    click(c, "#add-node").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='output']//pre[contains(., 'node-4: machine added, kubelet started')]"))
        .await
        .map_err(|err| format!("node add from the map: {err}"))?;
    // The new kubelet registers its Node at the control plane's next step.
    type_command(c, "kubectl get nodes").await?;
    wait_for(c, "#cluster-map .node[data-node='node-4']", "the added node on the map").await?;
    idle(c).await?;
    screenshot(c, "10-node-added.png").await;
    click(c, "#cluster-map .node[data-node='node-4'] button[data-action='remove']").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='output']//div[contains(@class,'prompt') and contains(., 'node remove node-4')]"))
        .await
        .map_err(|err| format!("node remove from the map: {err}"))?;
    idle(c).await?;
    let nodes = js(c, "return [...document.querySelectorAll('#cluster-map .node')].map(n => n.dataset.node);").await?;
    assert!(!nodes.as_array().is_some_and(|n| n.iter().any(|x| x == "node-4")), "node-4 is gone: {nodes}");
    Ok(())
}

/// Moves the pointer over the first element matching `css` (a `mouseover` at its top-left corner).
async fn hover(c: &Client, css: &str) -> R<()> {
    let found = c
        .execute(
            "const el = document.querySelector(arguments[0]); if (!el) return false; const r = el.getBoundingClientRect(); \
             el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true, clientX: r.left + 6, clientY: r.top + 6 })); return true;",
            vec![serde_json::json!(css)],
        )
        .await
        .map_err(e)?;
    if found != serde_json::json!(true) {
        return Err(format!("nothing to hover at {css}"));
    }
    Ok(())
}

/// Hovering a pod, a node or a component on the map shows what it is and does, in both languages.
async fn tooltips(c: &Client) -> R<()> {
    let pod = js(c, "const p = document.querySelector('#cluster-map .pod[data-status=\"Running\"]'); return [p.dataset.pod, p.closest('.node').dataset.node];").await?;
    let (name, node) = (pod[0].as_str().unwrap_or_default().to_string(), pod[1].as_str().unwrap_or_default().to_string());
    hover(c, "#cluster-map .pod[data-status='Running']").await?;
    let tip = wait_for(c, "#map-tooltip", "a pod's tooltip").await?.text().await.map_err(e)?;
    for want in ["kind", "Pod", &name, "Running", &node, "A Pod: one or more containers"] {
        assert!(tip.contains(want), "the pod's tooltip says {want}: {tip}");
    }
    screenshot(c, "14-pod-tooltip.png").await;
    js(c, "document.querySelector('#cluster-map .pod').dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));").await?;
    assert!(c.find(Locator::Id("map-tooltip")).await.is_err(), "the tooltip goes when the pointer leaves");
    hover(c, "#cluster-map .node[data-node='node-1'] .node-head").await?;
    let tip = wait_for(c, "#map-tooltip", "a node's tooltip").await?.text().await.map_err(e)?;
    assert!(tip.contains("Node") && tip.contains("node-1") && tip.contains("Ready"), "{tip}");
    select(c, "lang", "ko").await?;
    hover(c, "#cluster-map .part[data-component='kube-scheduler']").await?;
    let tip = wait_for(c, "#map-tooltip", "a component's tooltip").await?.text().await.map_err(e)?;
    assert!(["종류", "kube-scheduler", "control-plane", "노드를 거르고 점수를 매겨"].iter().all(|w| tip.contains(w)), "{tip}");
    screenshot(c, "15-component-tooltip-ko.png").await;
    js(c, "document.querySelector('#cluster-map .part').dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));").await?;
    select(c, "lang", "en").await?;
    Ok(())
}

/// Sets an input's value and fires `change`, as a learner's drag or typing ends.
async fn change(c: &Client, id: &str, value: &str) -> R<()> {
    c.execute(
        "const s = document.getElementById(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![serde_json::json!(id), serde_json::json!(value)],
    )
    .await
    .map(|_| ())
    .map_err(e)
}

/// The etcd tab as of an earlier revision, one key's history, the WAL, and a compaction.
async fn etcd_as_of_a_revision(c: &Client) -> R<()> {
    press(c, "End", false).await?;
    click(c, "#tab-etcd").await?;
    let created = rows(c, "createRevision").await?;
    let deploy = created.iter().find(|(k, _)| k == "/registry/deployments/shop/web").map(|(_, r)| *r).ok_or("the Deployment's key")?;
    change(c, "revision-slider", &deploy.to_string()).await?;
    wait_for(c, "#cursor", "the cursor").await?;
    let shown = js(c, "return document.getElementById('revision-number').value;").await?;
    assert_eq!(shown.as_str(), Some(deploy.to_string().as_str()), "the etcd tab is as of the Deployment's create");
    assert!(has_key(c, "/registry/deployments/shop/web").await?);
    assert!(!rows(c, "modRevision").await?.iter().any(|(k, _)| k.starts_with("/registry/pods/shop/")), "no pod at that revision");
    assert!(rows(c, "modRevision").await?.iter().all(|(_, r)| *r <= deploy), "nothing newer than the revision");
    press(c, "End", false).await?;
    click(c, "tr.etcd-key[data-key='/registry/deployments/shop/web'] .hist-toggle").await?;
    wait_for(c, "#key-history li.key-write", "the key's unfolded history").await?;
    let ops = js(c, "return [...document.querySelectorAll('#key-history li.key-write')].map(l => l.dataset.op);").await?;
    assert_eq!(ops[0], "create", "{ops}");
    assert!(ops.as_array().is_some_and(|o| o.len() >= 2 && o[1..].iter().all(|x| x == "update")), "{ops}");
    screenshot(c, "11-etcd-key-history.png").await;
    click(c, "#key-history li.key-write:nth-child(2) button").await?;
    wait_for(c, "#object-diff", "the write's diff in the object tab").await?;
    click(c, "#tab-etcd").await?;
    click(c, "#etcd-view-wal").await?;
    wait_for(c, "#wal-table tr.wal-row", "the WAL").await?;
    let newest = js(c, "const r = document.querySelector('#wal-table tr.wal-row'); return [r.dataset.revision, r.dataset.op];").await?;
    assert!(newest[0].as_str().and_then(|r| r.parse::<i64>().ok()).is_some(), "{newest}");
    assert!(text(c, "#raft-log").await?.contains("term 2"));
    screenshot(c, "12-etcd-wal.png").await;
    // Who is watching: every process's API watches and kube-apiserver's streams on etcd.
    click(c, "#etcd-view-watches").await?;
    wait_for(c, "#api-watches tr.api-watch", "the API watches").await?;
    let kubelet = js(c, "const r = document.querySelector('#api-watches tr[data-process=\"kubelet/node-1\"][data-resource=\"pods\"]'); return r ? r.innerText : '';").await?;
    assert!(kubelet.as_str().is_some_and(|t| t.contains("spec.nodeName=node-1")), "{kubelet}");
    let held = js(c, "return [...document.querySelectorAll('#etcd-watches tr.etcd-watch')].map(r => r.innerText).join('\\n');").await?;
    assert!(held.as_str().is_some_and(|t| t.contains("/registry/pods/") && t.contains("kube-apiserver")), "{held}");
    screenshot(c, "12b-etcd-watches.png").await;
    click(c, "#etcd-view-keys").await?;
    type_command(c, &format!("etcdctl compact {}", deploy + 3)).await?;
    idle(c).await?;
    click(c, "#tab-etcd").await?;
    assert!(text(c, "#compaction").await?.ends_with(&format!("compacted at revision {}", deploy + 3)));
    change(c, "revision-number", &deploy.to_string()).await?;
    wait_for(c, "#compacted-note", "the note below the compaction point").await?;
    assert!(rows(c, "modRevision").await?.is_empty(), "nothing to show below the compaction point");
    screenshot(c, "13-etcd-compacted.png").await;
    press(c, "End", false).await?;
    Ok(())
}

/// A share link is compressed (`#session=z1.`) and opens the same cluster; a link from before
/// compression still opens.
async fn share_links(c: &Client, base: &str) -> R<()> {
    click(c, "#tab-etcd").await?;
    let before = rows(c, "modRevision").await?;
    click(c, "#share").await?;
    let hash = js(c, "return location.hash;").await?;
    assert!(hash.as_str().is_some_and(|h| h.starts_with("#session=z1.")), "{hash}");
    js(c, "localStorage.clear();").await?;
    c.refresh().await.map_err(e)?;
    wait_for(c, "#apply", "the page from a compressed link").await?;
    idle(c).await?;
    click(c, "#tab-etcd").await?;
    assert_eq!(rows(c, "modRevision").await?, before, "the link rebuilt the same cluster");
    let old = serde_json::json!({ "version": 1, "seed": 1, "inputs": [{ "line": "kubectl create namespace from-an-old-link" }], "editor": "" }).to_string();
    let old = js(c, &format!("return btoa({}).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');", serde_json::json!(old))).await?;
    js(c, "localStorage.clear();").await?;
    c.goto(&format!("{base}/?old#session={}", old.as_str().unwrap_or(""))).await.map_err(e)?;
    wait_for(c, "#apply", "the page from an old link").await?;
    click(c, "#tab-etcd").await?;
    wait_for(c, "tr.etcd-key[data-key='/registry/namespaces/from-an-old-link']", "the old link's namespace").await?;
    Ok(())
}

/// The Scheduler view: with the cursor on a kube-scheduler record, the inspector shows the
/// attempt as nodes × filter and score plugins, the failing filter red, the chosen node marked.
async fn scheduler_table(c: &Client) -> R<()> {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sched}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: sched}}\n  template:\n    metadata: {labels: {app: sched}}\n    spec:\n      containers: [{name: nginx, image: 'nginx:1.27'}]\n";
    set_editor(c, deployment).await?;
    click(c, "#apply").await?;
    idle(c).await?;
    click(c, "#tab-request").await?;
    // Back along the timeline from the newest record until a scheduling record is listed.
    let mut found = false;
    for _ in 0..60 {
        let hit = js(c, "const s = [...document.querySelectorAll('#timeline li.step')].find(l => l.textContent.includes('scheduling default/sched-')); if (s) { s.click(); return true; } return false;").await?;
        if hit == Value::Bool(true) {
            found = true;
            break;
        }
        js(c, "const s = document.getElementById('scrubber'); s.value = Math.max(+s.min, +s.value - 40); s.dispatchEvent(new Event('input', { bubbles: true }));").await?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "a scheduling record of the Deployment's pods in the timeline");
    wait_for(c, "#scheduler-table tr.sched-row.chosen", "the chosen node in the Scheduler view").await?;
    assert_eq!(js(c, "return document.querySelector('#scheduler-table .sched-outcome').dataset.outcome;").await?, Value::from("bound"));
    let failed = text(c, "#scheduler-table tr.sched-row[data-node='control-plane'] td.sched-cell.failed").await?;
    assert!(failed.contains("untolerated taint"), "{failed}");
    let score = text(c, "#scheduler-table tr.sched-row.chosen td.sched-cell.score").await?;
    assert!(score.contains(" → ") && score.contains(" = "), "{score}");
    screenshot(c, "16-scheduler-table.png").await;
    // The score columns, further right.
    js(c, "const t = document.querySelector('#scheduler-table .sched-scroll'); t.scrollLeft = t.scrollWidth;").await?;
    screenshot(c, "16b-scheduler-scores.png").await;
    // A pod's object view answers "why this node?" with the same table.
    click(c, "#live").await?;
    idle(c).await?;
    click(c, "#tab-etcd").await?;
    let key = js(c, "const r = [...document.querySelectorAll('tr.etcd-key')].find(r => r.dataset.key.startsWith('/registry/pods/default/sched-')); if (!r) return ''; r.click(); return r.dataset.key;").await?;
    assert!(key.as_str().is_some_and(|k| !k.is_empty()), "a pod of the Deployment among the etcd keys");
    wait_for(c, "#object-scheduling", "the pod's last scheduling attempt beside its YAML").await?;
    click(c, "#object-scheduling summary").await?;
    wait_for(c, "#object-scheduling tr.sched-row.chosen", "the chosen node in the pod's object view").await?;
    screenshot(c, "16c-pod-why-this-node.png").await;
    Ok(())
}

/// `kubectl get -w` in the terminal stays open as the map's buttons change the cluster, the
/// prompt busy, until Ctrl+C prints `^C` and frees it.
async fn watch_until_ctrl_c(c: &Client) -> R<()> {
    click(c, "#live").await?;
    idle(c).await?;
    type_command(c, "kubectl get nodes -w").await?;
    wait_for(c, "#terminal-interrupt", "the Ctrl+C button of an open watch").await?;
    idle(c).await?;
    let first = last_entry(c, "stdout").await?;
    assert!(first.starts_with("NAME") && first.contains("node-3"), "{first}");
    // The map's "+ node" runs while the watch is open; the watch prints the new Node.
    click(c, "#add-node").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='output']//div[contains(@class,'entry')][.//div[contains(@class,'prompt') and contains(., 'get nodes -w')]]//pre[contains(., 'node-5') or contains(., 'node-4')]"))
        .await
        .map_err(|err| format!("the open watch printing the added node: {err}"))?;
    idle(c).await?;
    screenshot(c, "17-watch.png").await;
    // Ctrl+C in the busy prompt ends it.
    c.execute(
        "const i = document.getElementById('terminal-input'); i.focus(); \
         i.dispatchEvent(new KeyboardEvent('keydown', { key: 'c', ctrlKey: true, bubbles: true }));",
        vec![],
    )
    .await
    .map_err(e)?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='output']//pre[contains(@class,'stdout') and contains(., '^C')]"))
        .await
        .map_err(|err| format!("^C after Ctrl+C: {err}"))?;
    let gone = js(c, "return document.getElementById('terminal-interrupt') === null;").await?;
    assert_eq!(gone, Value::Bool(true), "the prompt is free again");
    screenshot(c, "17b-watch-interrupted.png").await;
    Ok(())
}
