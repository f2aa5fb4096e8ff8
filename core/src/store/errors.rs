//! The errors the store returns, each displayed with etcd's exact text so `etcdctl` can print
//! `Error: <text>` as the real tool does.
//!
//! The texts are etcd 3.4's `rpctypes` (`api/v3rpc/rpctypes/error.go`) and `mvcc` errors as the
//! gRPC status carries them to the client.

/// A failed store request. Mirrors the gRPC errors etcd's v3 server returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// `ErrGRPCEmptyKey`: a request named no key.
    EmptyKey,
    /// `ErrGRPCRequestTooLarge`: the encoded request is over `--max-request-bytes` (1.5 MiB).
    RequestTooLarge,
    /// `ErrGRPCTooManyOps`: a txn branch or its compares hold more than `--max-txn-ops` (128).
    TooManyOps,
    /// `ErrGRPCDuplicateKey`: one txn branch writes the same key twice.
    DuplicateKey,
    /// `mvcc.ErrCompacted`: the requested revision is older than the last compaction.
    Compacted,
    /// `mvcc.ErrFutureRev`: the requested revision has not been written yet.
    FutureRev,
    /// `ErrGRPCLeaseNotFound`: a put or lease call named a lease that does not exist.
    LeaseNotFound,
    /// `ErrGRPCLeaseExist`: a grant asked for an ID that is already in use.
    LeaseExist,
    /// `ErrGRPCNoSpace`: the backend is over its quota (`--quota-backend-bytes`).
    NoSpace,
    /// `ErrGRPCKeyNotFound`: `ignore_value`/`ignore_lease` on a key that does not exist.
    KeyNotFound,
    /// `ErrGRPCValueProvided`: `ignore_value` together with a value.
    ValueProvided,
    /// `ErrGRPCLeaseProvided`: `ignore_lease` together with a lease.
    LeaseProvided,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreError::EmptyKey => "etcdserver: key is not provided",
            StoreError::RequestTooLarge => "etcdserver: request is too large",
            StoreError::TooManyOps => "etcdserver: too many operations in txn request",
            StoreError::DuplicateKey => "etcdserver: duplicate key given in txn request",
            StoreError::Compacted => "etcdserver: mvcc: required revision has been compacted",
            StoreError::FutureRev => "etcdserver: mvcc: required revision is a future revision",
            StoreError::LeaseNotFound => "etcdserver: requested lease not found",
            StoreError::LeaseExist => "etcdserver: lease already exists",
            StoreError::NoSpace => "etcdserver: mvcc: database space exceeded",
            StoreError::KeyNotFound => "etcdserver: key not found",
            StoreError::ValueProvided => "etcdserver: value is provided",
            StoreError::LeaseProvided => "etcdserver: lease is provided",
        })
    }
}

impl std::error::Error for StoreError {}
