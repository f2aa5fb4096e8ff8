//! The playground mounted in a real browser (wasm-bindgen-test in headless Chromium): the page
//! renders the etcd keys of a fresh cluster and an Apply adds the manifest's keys; stepping back
//! shows the keys as they were; the session is saved once the command is over (in a task after
//! the frame that shows its outcome).

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

#[wasm_bindgen_test]
async fn the_session_is_saved_once_the_command_is_over() {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("localStorage");
    storage.clear().expect("clear");
    let div = root();
    yew::Renderer::<kubeplay_web::App>::with_root(div.clone()).render();
    settle().await;
    let saved = || {
        let slot = storage.get_item("kubeplay.session.slot").ok().flatten().unwrap_or_default();
        let key = if slot == "b" { "kubeplay.session.b" } else { "kubeplay.session.a" };
        storage.get_item(key).ok().flatten().unwrap_or_default()
    };
    assert!(!saved().contains("kubectl apply -f -"), "nothing applied yet");
    let button: web_sys::HtmlElement = div.query_selector("#apply").expect("query").expect("an Apply button").dyn_into().expect("an HTML element");
    button.click();
    for _ in 0..600 {
        settle().await;
        if div.query_selector("#status.running").expect("query").is_none() {
            break;
        }
    }
    // The save waits for the next frame, then a task of its own.
    settle().await;
    assert!(saved().contains("kubectl apply -f -"), "the applied command is in the saved session: {}", saved());
    // The other test's page starts from storage: leave none behind.
    storage.clear().expect("clear");
}

use wasm_bindgen::JsCast;
