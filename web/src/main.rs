//! The browser entry point: installs the crash banner's panic hook, then mounts the playground
//! on the page's body.

fn main() {
    kubeplay_web::panic_banner::install();
    // `?bench=NAME`: the benchmark mode (web/src/bench.rs) runs instead of the playground.
    if kubeplay_web::bench::start_from_url() {
        return;
    }
    yew::Renderer::<kubeplay_web::App>::new().render();
}
