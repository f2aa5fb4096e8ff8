//! The key-value commands: `get`, `put`, `del`, `txn`, `compaction`, and the request `watch`
//! sends. Mirrors `etcdctl/ctlv3/command/{get,put,del,txn,compaction,watch}_command.go`.

use super::print::{self, Format};
use super::txn_input::{self, Lines};
use super::{fail, flags, Ctx, EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_ERROR, EXIT_INVALID_INPUT};
use crate::cli::Output;
use crate::store::*;

/// `key` and `range_end` for `--prefix`/`--from-key`/an explicit range end, as clientv3's
/// `WithPrefix`, `WithFromKey` and `WithRange` set them.
fn key_range(key: &str, end: Option<&str>, prefix: bool, from_key: bool) -> (Vec<u8>, Vec<u8>) {
    let mut k = key.as_bytes().to_vec();
    let mut e = end.map(|e| e.as_bytes().to_vec()).unwrap_or_default();
    if prefix {
        if k.is_empty() {
            k = vec![0];
            e = vec![0];
        } else {
            e = prefix_range_end(&k);
        }
    }
    if from_key {
        if k.is_empty() {
            k = vec![0];
        }
        e = vec![0];
    }
    (k, e)
}

/// `getGetOp`: the range request for `get` (also used by `get` lines inside a txn).
fn get_op(f: &flags::Parsed) -> Result<RangeRequest, Output> {
    let Some(key) = f.args.first() else {
        return Err(fail(EXIT_BAD_ARGS, "get command needs one argument as key and an optional argument as range_end"));
    };
    let (prefix, from_key) = (f.bool("prefix"), f.bool("from-key"));
    if prefix && from_key {
        return Err(fail(EXIT_BAD_ARGS, "`--prefix` and `--from-key` cannot be set at the same time, choose one"));
    }
    let serializable = match f.str("consistency").unwrap_or("l") {
        "l" => false,
        "s" => true,
        other => return Err(fail(EXIT_BAD_FEATURE, format!("unknown consistency flag {other:?}"))),
    };
    if f.args.len() > 1 && (prefix || from_key) {
        return Err(fail(
            EXIT_BAD_ARGS,
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set",
        ));
    }
    let order_flag = f.str("order").unwrap_or("");
    let mut sort_order = match order_flag.to_uppercase().as_str() {
        "ASCEND" => SortOrder::Ascend,
        "DESCEND" => SortOrder::Descend,
        "" => SortOrder::None,
        _ => return Err(fail(EXIT_BAD_FEATURE, format!("bad sort order {order_flag}"))),
    };
    let target_flag = f.str("sort-by").unwrap_or("");
    let sort_target = match target_flag.to_uppercase().as_str() {
        "CREATE" => SortTarget::Create,
        "KEY" | "" => SortTarget::Key,
        "MODIFY" => SortTarget::Mod,
        "VALUE" => SortTarget::Value,
        "VERSION" => SortTarget::Version,
        _ => return Err(fail(EXIT_BAD_FEATURE, format!("bad sort target {target_flag}"))),
    };
    // clientv3's `WithSort`: by key ascending is the server's natural order, so it sends none.
    if sort_target == SortTarget::Key && sort_order == SortOrder::Ascend {
        sort_order = SortOrder::None;
    }
    let (key, range_end) = key_range(key, f.args.get(1).map(String::as_str), prefix, from_key);
    Ok(RangeRequest {
        key,
        range_end,
        limit: f.int("limit"),
        revision: f.int("rev").max(0),
        sort_order,
        sort_target,
        serializable,
        keys_only: f.bool("keys-only"),
        count_only: false,
    })
}

pub fn get(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let req = match get_op(&ctx.flags) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let value_only = ctx.flags.bool("print-value-only");
    if value_only && ctx.format != Format::Simple {
        return fail(EXIT_BAD_ARGS, "print-value-only is only for `--write-out=simple`");
    }
    match store.range(&req) {
        Ok(r) => Output::ok(match ctx.format {
            Format::Json => print::json_get(&r) + "\n",
            Format::Fields => {
                let mut s = String::new();
                print::fields_get(&mut s, &r);
                s
            }
            _ => {
                let mut s = String::new();
                print::simple_get(&mut s, print::KvStyle { value_only, hex: ctx.flags.bool("hex") }, &r);
                s
            }
        }),
        Err(e) => fail(EXIT_ERROR, e),
    }
}

/// `getPutOp`.
fn put_op(f: &flags::Parsed, stdin: &str) -> Result<PutRequest, Output> {
    let Some(key) = f.args.first() else {
        return Err(fail(EXIT_BAD_ARGS, "put command needs 1 argument and input from stdin or 2 arguments"));
    };
    let ignore_value = f.bool("ignore-value");
    if ignore_value && f.args.len() > 1 {
        return Err(fail(EXIT_BAD_ARGS, "put command needs only 1 argument when 'ignore-value' is set"));
    }
    let value = if ignore_value {
        String::new()
    } else if let Some(v) = f.args.get(1) {
        v.clone()
    } else if !stdin.is_empty() {
        stdin.to_string()
    } else {
        return Err(fail(EXIT_BAD_ARGS, "put command needs 1 argument and input from stdin or 2 arguments"));
    };
    let lease_arg = f.str("lease").unwrap_or("0");
    let lease = i64::from_str_radix(lease_arg, 16).map_err(|_| {
        fail(EXIT_BAD_ARGS, format!("bad lease ID (strconv.ParseInt: parsing {lease_arg:?}: invalid syntax), expecting ID in Hex"))
    })?;
    Ok(PutRequest {
        key: key.as_bytes().to_vec(),
        value: value.into_bytes(),
        lease,
        prev_kv: f.bool("prev-kv"),
        ignore_value,
        ignore_lease: f.bool("ignore-lease"),
    })
}

pub fn put(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let req = match put_op(&ctx.flags, ctx.stdin) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match store.put(req) {
        Ok(r) => Output::ok(match ctx.format {
            Format::Json => print::json_put(&r) + "\n",
            Format::Fields => {
                let mut s = String::new();
                print::fields_put(&mut s, &r);
                s
            }
            _ => {
                let mut s = String::new();
                print::simple_put(&mut s, ctx.style(), &r);
                s
            }
        }),
        Err(e) => fail(EXIT_ERROR, e),
    }
}

/// `getDelOp`.
fn del_op(f: &flags::Parsed) -> Result<DeleteRangeRequest, Output> {
    if f.args.is_empty() || f.args.len() > 2 {
        return Err(fail(EXIT_BAD_ARGS, "del command needs one argument as key and an optional argument as range_end"));
    }
    let (prefix, from_key) = (f.bool("prefix"), f.bool("from-key"));
    if prefix && from_key {
        return Err(fail(EXIT_BAD_ARGS, "`--prefix` and `--from-key` cannot be set at the same time, choose one"));
    }
    if f.args.len() > 1 && (prefix || from_key) {
        return Err(fail(
            EXIT_BAD_ARGS,
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set",
        ));
    }
    let (key, range_end) = key_range(&f.args[0], f.args.get(1).map(String::as_str), prefix, from_key);
    Ok(DeleteRangeRequest { key, range_end, prev_kv: f.bool("prev-kv") })
}

pub fn del(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let req = match del_op(&ctx.flags) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match store.delete_range(req) {
        Ok(r) => Output::ok(match ctx.format {
            Format::Json => print::json_del(&r) + "\n",
            Format::Fields => {
                let mut s = String::new();
                print::fields_del(&mut s, &r);
                s
            }
            _ => {
                let mut s = String::new();
                print::simple_del(&mut s, ctx.style(), &r);
                s
            }
        }),
        Err(e) => fail(EXIT_ERROR, e),
    }
}

/// One op line of a txn (`put k v`, `get k --prefix`, `del k`), parsed with that command's
/// flags; a flag error also prints cobra's usage for that command, as etcdctl does.
fn txn_op(words: &[String]) -> Result<RequestOp, String> {
    let (cmd, _) = words.split_first().ok_or_else(String::new)?;
    match txn_op_flags(words) {
        Some(Ok(op)) => Ok(op),
        Some(Err(())) => Err(super::usage::txn_op_usage(cmd).unwrap_or("").to_string()),
        None => Err(String::new()),
    }
}

/// `None` when the line is not a valid op, `Some(Err)` when its flags do not parse.
fn txn_op_flags(words: &[String]) -> Option<Result<RequestOp, ()>> {
    use flags::{flag, Kind};
    let (cmd, rest) = words.split_first()?;
    let specs: &[flags::Spec] = match cmd.as_str() {
        "get" => &[
            flag("consistency", Kind::Str),
            flag("from-key", Kind::Bool),
            flag("keys-only", Kind::Bool),
            flag("limit", Kind::Int),
            flag("order", Kind::Str),
            flag("prefix", Kind::Bool),
            flag("print-value-only", Kind::Bool),
            flag("rev", Kind::Int),
            flag("sort-by", Kind::Str),
        ],
        "put" => &[
            flag("ignore-lease", Kind::Bool),
            flag("ignore-value", Kind::Bool),
            flag("lease", Kind::Str),
            flag("prev-kv", Kind::Bool),
        ],
        "del" => &[flag("from-key", Kind::Bool), flag("prefix", Kind::Bool), flag("prev-kv", Kind::Bool)],
        _ => return None,
    };
    let Ok(f) = flags::parse(rest, specs) else { return Some(Err(())) };
    match cmd.as_str() {
        "get" => get_op(&f).ok().map(RequestOp::Range),
        "put" => put_op(&f, "").ok().map(RequestOp::Put),
        _ => del_op(&f).ok().map(RequestOp::DeleteRange),
    }
    .map(Ok)
}

pub fn txn(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    if !ctx.flags.args.is_empty() {
        return fail(EXIT_BAD_ARGS, "txn command does not accept argument");
    }
    let mut lines = Lines::new(ctx.stdin);
    let parsed = (|| {
        let compare = txn_input::read_compares(&mut lines)?;
        let success = txn_input::read_ops(&mut lines, &txn_op)?;
        let failure = txn_input::read_ops(&mut lines, &txn_op)?;
        Ok::<_, String>(TxnRequest { compare, success, failure })
    })();
    let req = match parsed {
        Ok(r) => r,
        Err(e) if e.contains("Error: ") => {
            return Output { stderr: format!("{e}\n"), exit_code: EXIT_INVALID_INPUT, ..Default::default() }
        }
        Err(e) => return fail(EXIT_INVALID_INPUT, e),
    };
    match store.txn(req) {
        Ok(r) => {
            let mut s = String::new();
            match ctx.format {
                Format::Json => s = print::json_txn(&r) + "\n",
                Format::Fields => print::fields_txn(&mut s, &r),
                _ => print::simple_txn(&mut s, ctx.style(), &r),
            }
            Output::ok(s)
        }
        Err(e) => fail(EXIT_ERROR, e),
    }
}

pub fn compact(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    if ctx.flags.args.len() != 1 {
        return fail(EXIT_BAD_ARGS, "compaction command needs 1 argument");
    }
    let arg = &ctx.flags.args[0];
    let Ok(rev) = arg.parse::<i64>() else {
        return fail(EXIT_ERROR, format!("strconv.ParseInt: parsing {arg:?}: invalid syntax"));
    };
    match store.compact(CompactionRequest { revision: rev, physical: ctx.flags.bool("physical") }) {
        Ok(_) => Output::ok(format!("compacted revision {rev}\n")),
        Err(e) => fail(EXIT_ERROR, e),
    }
}

/// `getWatchChan`: the watch request for `watch [--prefix] [--rev N] [--prev-kv] key [end]`.
pub fn watch_request(ctx: &Ctx<'_>) -> Result<WatchCreateRequest, Output> {
    let f = &ctx.flags;
    if f.bool("interactive") {
        return Err(fail(EXIT_BAD_ARGS, "interactive watch is not supported here"));
    }
    if f.args.is_empty() || f.args.len() > 2 {
        return Err(fail(EXIT_BAD_ARGS, "bad number of arguments"));
    }
    if f.args.len() == 2 && f.bool("prefix") {
        return Err(fail(EXIT_BAD_ARGS, "`range_end` and `--prefix` are mutually exclusive"));
    }
    let (key, range_end) = key_range(&f.args[0], f.args.get(1).map(String::as_str), f.bool("prefix"), false);
    Ok(WatchCreateRequest { key, range_end, start_revision: f.int("rev"), prev_kv: f.bool("prev-kv"), ..Default::default() })
}
