//! Validation with kube-apiserver's messages and field paths. (Being built; see issue 4.)
