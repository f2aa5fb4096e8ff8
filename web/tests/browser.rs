//! The playground mounted in a real browser (wasm-bindgen-test in headless Chromium): the page
//! renders the etcd keys of a fresh cluster and an Apply adds the manifest's keys.

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
    let before = div.query_selector_all("tr.etcd-key").expect("query").length();
    assert!(div.query_selector("tr.etcd-key[data-key='/registry/namespaces/kube-system']").expect("query").is_some());
    let button: web_sys::HtmlElement = div
        .query_selector("#apply")
        .expect("query")
        .expect("an Apply button")
        .dyn_into()
        .expect("an HTML element");
    button.click();
    settle().await;
    let rows = div.query_selector_all("tr.etcd-key").expect("query").length();
    assert!(rows > before, "the example adds keys");
    for key in ["/registry/namespaces/shop", "/registry/deployments/shop/web", "/registry/services/specs/shop/web"] {
        let sel = format!("tr.etcd-key[data-key='{key}']");
        assert!(div.query_selector(&sel).expect("query").is_some(), "{key} is listed");
    }
    let status = div.query_selector("#status").expect("query").expect("a status badge");
    assert_eq!(status.text_content().as_deref(), Some("applied"));
}

use wasm_bindgen::JsCast;
