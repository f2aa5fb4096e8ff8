//! kubectl's `ServiceAccountDescriber`: the image pull secrets, mountable secrets and tokens,
//! each list under a header padded to the same width, as kubectl prints them:
//!
//! ```text
//! Image pull secrets:  <none>
//! Mountable secrets:   <none>
//! Tokens:              <none>
//! ```

use super::fields::{annotations_multiline, arr, labels_multiline, s};
use super::tabwriter::PrefixWriter;
use serde_json::Value;

pub(super) fn service_account(w: &mut PrefixWriter, sa: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(sa, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(sa, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &sa["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &sa["metadata"]["annotations"]);
    let names = |field: &str| arr(sa, &[field]).iter().map(|r| s(r, &["name"]).to_string()).collect::<Vec<_>>();
    // The headers in the order of their sorted set; tokens are no longer listed in secrets
    // since 1.24, so kubeplay (which creates none) always prints `<none>` for them.
    let lists = [("Image pull secrets:", names("imagePullSecrets")), ("Mountable secrets: ", names("secrets")), ("Tokens:             ", Vec::new())];
    const EMPTY_HEADER: &str = "                   ";
    for (header, list) in lists {
        if list.is_empty() {
            w.write(0, &format!("{header}\t<none>\n"));
            continue;
        }
        let mut prefix = header;
        for name in &list {
            w.write(0, &format!("{prefix}\t{name}\n"));
            prefix = EMPTY_HEADER;
        }
    }
}
