//! The browser entry point: installs the crash banner's panic hook, then mounts the playground
//! on the page's body.

fn main() {
    kubeplay_web::panic_banner::install();
    yew::Renderer::<kubeplay_web::App>::new().render();
}
