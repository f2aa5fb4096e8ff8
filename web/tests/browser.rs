//! The playground mounted in a real browser (wasm-bindgen-test in headless Chromium): the page
//! renders the etcd keys of a fresh cluster and an Apply adds the manifest's keys; stepping back
//! shows the keys as they were.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn root() -> web_sys::Element {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let div = document.create_element("div").expect("create div");
    document.body().expect("body").append_child(&div).expect("append");
    div
}

async fn settle() {
    // Yew renders on the next tick of the scheduler; a short timer lets it flush.
    gloo::timers::future::TimeoutFuture::new(50).await;
}

#[wasm_bindgen_test]
async fn renders_keys_and_applies_the_example() {
    let div = root();
    yew::Renderer::<kubeplay_web::App>::with_root(div.clone()).render();
    settle().await;
    // The etcd keys are the inspector's second tab.
    let tab: web_sys::HtmlElement = div.query_selector("#tab-etcd").expect("query").expect("an etcd tab").dyn_into().expect("an HTML element");
    tab.click();
    settle().await;
    let before = div.query_selector_all("tr.etcd-key").expect("query").length();
    assert!(div.query_selector("tr.etcd-key[data-key='/registry/namespaces/kube-system']").expect("query").is_some());
    let button: web_sys::HtmlElement = div
        .query_selector("#apply")
        .expect("query")
        .expect("an Apply button")
        .dyn_into()
        .expect("an HTML element");
    button.click();
    // Apply runs in slices between browser tasks; wait (bounded) until the run is over.
    for _ in 0..600 {
        settle().await;
        let running = div.query_selector("#status.running").expect("query").is_some();
        if !running {
            break;
        }
    }
    let rows = div.query_selector_all("tr.etcd-key").expect("query").length();
    assert!(rows > before, "the example adds keys");
    for key in ["/registry/namespaces/shop", "/registry/deployments/shop/web", "/registry/services/specs/shop/web"] {
        let sel = format!("tr.etcd-key[data-key='{key}']");
        assert!(div.query_selector(&sel).expect("query").is_some(), "{key} is listed");
    }
    let status = div.query_selector("#status").expect("query").expect("a status badge");
    assert_eq!(status.text_content().as_deref(), Some("applied"));

    // Back to the first request of the apply: the namespace's key is not written yet.
    let first = div.query_selector("#prev-request").expect("query").expect("a previous-request button");
    let first: web_sys::HtmlElement = first.dyn_into().expect("an HTML element");
    for _ in 0..200 {
        if div.query_selector("tr.etcd-key[data-key='/registry/namespaces/shop']").expect("query").is_none() {
            break;
        }
        first.click();
        settle().await;
    }
    assert!(div.query_selector("tr.etcd-key[data-key='/registry/namespaces/shop']").expect("query").is_none(), "stepping back un-writes the key");
    assert!(div.query_selector("tr.etcd-key[data-key='/registry/namespaces/kube-system']").expect("query").is_some());
}

use wasm_bindgen::JsCast;
