//! The requests and responses of etcd's v3 API (`etcdserverpb`), field for field.
//!
//! Names are etcd's own (`create_revision`, `mod_revision`, `prev_kv`, `range_end`), so what a
//! learner reads here is what `etcdctl -w json` shows on a real cluster. `range_end` follows
//! etcd's convention everywhere: empty means the single key `key`, `"\0"` means every key from
//! `key` on, anything else the half-open interval `[key, range_end)`.

use serde::Serialize;

/// One key as etcd reports it (`mvccpb.KeyValue`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: Vec<u8>,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
    pub value: Vec<u8>,
    pub lease: i64,
}

/// The header every etcd response carries. `revision` is the store revision when it was served;
/// the responses nested in a txn carry only `revision`, as in etcd.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResponseHeader {
    pub cluster_id: u64,
    pub member_id: u64,
    pub revision: i64,
    pub raft_term: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum SortOrder {
    #[default]
    None,
    Ascend,
    Descend,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum SortTarget {
    #[default]
    Key,
    Version,
    Create,
    Mod,
    Value,
}

/// `RangeRequest`. `revision <= 0` reads the current revision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RangeRequest {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub limit: i64,
    pub revision: i64,
    pub sort_order: SortOrder,
    pub sort_target: SortTarget,
    pub serializable: bool,
    pub keys_only: bool,
    pub count_only: bool,
}

impl RangeRequest {
    /// The request `etcdctl get <key>` sends.
    pub fn key(key: &[u8]) -> Self {
        RangeRequest { key: key.to_vec(), ..Default::default() }
    }

    /// The request `etcdctl get <prefix> --prefix` sends.
    pub fn prefix(prefix: &[u8]) -> Self {
        RangeRequest { key: prefix.to_vec(), range_end: prefix_range_end(prefix), ..Default::default() }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RangeResponse {
    pub header: ResponseHeader,
    pub kvs: Vec<KeyValue>,
    pub more: bool,
    pub count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PutRequest {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub lease: i64,
    pub prev_kv: bool,
    /// Keep the current value and only update the lease (the key must exist).
    pub ignore_value: bool,
    /// Keep the current lease and only update the value (the key must exist).
    pub ignore_lease: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PutResponse {
    pub header: ResponseHeader,
    pub prev_kv: Option<KeyValue>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeleteRangeRequest {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub prev_kv: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeleteRangeResponse {
    pub header: ResponseHeader,
    pub deleted: i64,
    pub prev_kvs: Vec<KeyValue>,
}

/// `Compare.result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CompareResult {
    Equal,
    Greater,
    Less,
    NotEqual,
}

/// `Compare.target` together with its `target_union` value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CompareTarget {
    Version(i64),
    Create(i64),
    Mod(i64),
    Value(Vec<u8>),
    Lease(i64),
}

/// One txn guard: `target(key) result value`, applied to every key of `[key, range_end)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Compare {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub result: CompareResult,
    pub target: CompareTarget,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RequestOp {
    Range(RangeRequest),
    Put(PutRequest),
    DeleteRange(DeleteRangeRequest),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ResponseOp {
    Range(RangeResponse),
    Put(PutResponse),
    DeleteRange(DeleteRangeResponse),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TxnRequest {
    pub compare: Vec<Compare>,
    pub success: Vec<RequestOp>,
    pub failure: Vec<RequestOp>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TxnResponse {
    pub header: ResponseHeader,
    pub succeeded: bool,
    pub responses: Vec<ResponseOp>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CompactionRequest {
    pub revision: i64,
    pub physical: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CompactionResponse {
    pub header: ResponseHeader,
}

/// `LeaseGrantRequest`; `id == 0` lets the store choose the ID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaseGrantRequest {
    pub ttl: i64,
    pub id: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaseGrantResponse {
    pub header: ResponseHeader,
    pub id: i64,
    pub ttl: i64,
    pub error: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaseRevokeResponse {
    pub header: ResponseHeader,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaseKeepAliveResponse {
    pub header: ResponseHeader,
    pub id: i64,
    pub ttl: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaseTimeToLiveResponse {
    pub header: ResponseHeader,
    pub id: i64,
    /// Seconds left, truncated as etcd does; -1 when the lease does not exist.
    pub ttl: i64,
    pub granted_ttl: i64,
    pub keys: Vec<Vec<u8>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeaseLeasesResponse {
    pub header: ResponseHeader,
    pub leases: Vec<i64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum EventType {
    #[default]
    Put,
    Delete,
}

/// `mvccpb.Event`. A delete's `kv` holds only `key` and `mod_revision`, as in etcd.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Event {
    pub kind: EventType,
    pub kv: KeyValue,
    pub prev_kv: Option<KeyValue>,
}

/// `WatchCreateRequest`. `start_revision == 0` watches from the next revision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WatchCreateRequest {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub start_revision: i64,
    pub prev_kv: bool,
    pub no_put: bool,
    pub no_delete: bool,
}

/// `WatchResponse`. A progress notification has no events; a cancel sets `canceled` and, when
/// the start revision was compacted, `compact_revision`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WatchResponse {
    pub header: ResponseHeader,
    pub watch_id: i64,
    pub created: bool,
    pub canceled: bool,
    pub compact_revision: i64,
    pub cancel_reason: String,
    pub events: Vec<Event>,
}

/// `StatusResponse`, what `etcdctl endpoint status` prints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusResponse {
    pub header: ResponseHeader,
    pub version: String,
    pub db_size: i64,
    pub leader: u64,
    pub raft_index: u64,
    pub raft_term: u64,
    pub raft_applied_index: u64,
    pub db_size_in_use: i64,
    pub is_learner: bool,
    pub errors: Vec<String>,
}

/// The key just past every key that starts with `prefix` (etcd's `GetPrefixRangeEnd`): the prefix
/// with its last byte below 0xff incremented and the rest dropped; all-0xff prefixes give `"\0"`,
/// meaning "to the end of the keyspace".
pub fn prefix_range_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// Whether `key` falls in the range `(start, range_end)` under etcd's `range_end` convention.
pub fn in_range(start: &[u8], range_end: &[u8], key: &[u8]) -> bool {
    if range_end.is_empty() {
        key == start
    } else if range_end == [0] {
        key >= start
    } else {
        key >= start && key < range_end
    }
}
