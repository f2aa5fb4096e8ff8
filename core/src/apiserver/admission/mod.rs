//! Admission control: the mutating and validating plugins kube-apiserver runs, in its default
//! order. (Being built; see issue 4.)
