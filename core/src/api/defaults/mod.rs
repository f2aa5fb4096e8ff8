//! Scheme defaulting: the `SetDefaults_*` functions and `+default` markers. (Being built; see
//! issue 4.)
