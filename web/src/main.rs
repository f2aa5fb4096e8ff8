//! The browser entry point: mounts the playground on the page's body.

fn main() {
    yew::Renderer::<kubeplay_web::App>::new().render();
}
