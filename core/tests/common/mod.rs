//! What the corpus tests share: the shared corpus's manifests in a stable order, and a `Files`
//! that reads `-f` paths relative to the corpus root so messages name a file as the tables do.

use kubeplay::cli::Files;
use std::path::{Path, PathBuf};

pub struct Corpus(pub PathBuf);

impl Files for Corpus {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(path)).map_err(|e| format!("open {path}: {e}"))
    }
}

pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// Every `.yaml`, `.yml` and `.json` file under `dir`, sorted by path.
pub fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            manifests(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
}
