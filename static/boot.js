// kubeplay's loader: starts the wasm build of the page. It is a file of the page's own origin
// rather than the inline script Trunk writes by default, so the Content-Security-Policy in
// index.html can allow scripts from 'self' only (no 'unsafe-inline', no per-build hash). Trunk
// writes this script tag from Trunk.toml's `pattern_script`, naming the hashed files in data-*.
const tag = document.querySelector('script[data-wasm]');
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
