//! `endpoint status` and `snapshot save | status`, with the table layout etcdctl draws through
//! olekukonko/tablewriter (headers centred, cells right-aligned).

use super::format::{humanize_bytes, Obj};
use super::print::{self, Format};
use super::{fail, Ctx, EXIT_BAD_ARGS, EXIT_ERROR};
use crate::cli::Output;
use crate::store::Store;

/// A tablewriter table: `+---+` borders, one space of padding, headers centred (extra space
/// on the right), data right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..headers.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([headers[c].len()]).max().unwrap_or(0))
        .collect();
    let border = {
        let mut s = String::from("+");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s + "\n"
    };
    let mut out = border.clone();
    out.push('|');
    for (h, w) in headers.iter().zip(&widths) {
        let gap = w - h.len();
        let left = gap / 2;
        out.push_str(&format!(" {}{}{} |", " ".repeat(left), h, " ".repeat(gap - left)));
    }
    out.push('\n');
    out.push_str(&border);
    for row in rows {
        out.push('|');
        for (cell, w) in row.iter().zip(&widths) {
            out.push_str(&format!(" {cell:>w$} |"));
        }
        out.push('\n');
    }
    out.push_str(&border);
    out
}

pub fn endpoint_status(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let s = store.status();
    let id = format!("{:x}", s.header.member_id);
    let fields = [
        ctx.endpoint.clone(),
        id,
        s.version.clone(),
        humanize_bytes(s.db_size as u64),
        (s.leader == s.header.member_id).to_string(),
        s.is_learner.to_string(),
        s.raft_term.to_string(),
        s.raft_index.to_string(),
        s.raft_applied_index.to_string(),
        s.errors.join(", "),
    ];
    Output::ok(match ctx.format {
        Format::Table => table(
            &[
                "ENDPOINT",
                "ID",
                "VERSION",
                "DB SIZE",
                "IS LEADER",
                "IS LEARNER",
                "RAFT TERM",
                "RAFT INDEX",
                "RAFT APPLIED INDEX",
                "ERRORS",
            ],
            &[fields.to_vec()],
        ),
        Format::Json => {
            let status = Obj::new()
                .raw("header", &print::json_header(&s.header))
                .str("version", &s.version)
                .num_omit("dbSize", s.db_size)
                .num_omit("leader", s.leader)
                .num_omit("raftIndex", s.raft_index)
                .num_omit("raftTerm", s.raft_term)
                .num_omit("raftAppliedIndex", s.raft_applied_index)
                .list_omit("errors", &s.errors.iter().map(|e| super::format::json_string(e)).collect::<Vec<_>>())
                .num_omit("dbSizeInUse", s.db_size_in_use)
                .bool_omit("isLearner", s.is_learner)
                .end();
            format!("[{}]\n", Obj::new().str("Endpoint", &ctx.endpoint).raw("Status", &status).end())
        }
        Format::Fields => {
            let mut out = String::new();
            print::fields_header(&mut out, &s.header);
            out.push_str(&format!("\"Version\" : {}\n", super::format::go_quote(s.version.as_bytes())));
            out.push_str(&format!("\"DBSize\" : {}\n\"Leader\" : {}\n", s.db_size, s.leader));
            out.push_str(&format!("\"IsLearner\" : {}\n\"RaftIndex\" : {}\n", s.is_learner, s.raft_index));
            out.push_str(&format!("\"RaftTerm\" : {}\n\"RaftAppliedIndex\" : {}\n", s.raft_term, s.raft_applied_index));
            out.push_str(&format!("\"Errors\" : [{}]\n", s.errors.join(" ")));
            out.push_str(&format!("\"Endpoint\" : {}\n\n", super::format::go_quote(ctx.endpoint.as_bytes())));
            out
        }
        _ => fields.join(", ") + "\n",
    })
}

pub fn snapshot_save(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let [path] = ctx.flags.args.as_slice() else {
        return fail(EXIT_BAD_ARGS, "snapshot save expects one argument");
    };
    store.save_snapshot(path);
    Output::ok(format!("Snapshot saved at {path}\n"))
}

pub fn snapshot_status(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let [path] = ctx.flags.args.as_slice() else {
        return fail(EXIT_BAD_ARGS, "snapshot status requires exactly one argument");
    };
    let Some(snap) = store.saved_snapshot(path) else {
        return fail(EXIT_ERROR, format!("stat {path}: no such file or directory"));
    };
    let meta = snap.meta();
    // The file size of our snapshot: the db size the store had when it was saved.
    let size = store.db_size();
    let hash = snap.hash();
    Output::ok(match ctx.format {
        Format::Table => table(
            &["HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"],
            &[vec![format!("{hash:x}"), meta.revision.to_string(), meta.total_keys.to_string(), humanize_bytes(size as u64)]],
        ),
        Format::Json => {
            Obj::new()
                .num("hash", hash)
                .num("revision", meta.revision)
                .num("totalKey", meta.total_keys as i64)
                .num("totalSize", size)
                .end()
                + "\n"
        }
        _ => format!("{hash:x}, {}, {}, {}\n", meta.revision, meta.total_keys, humanize_bytes(size as u64)),
    })
}

/// `alarm list` and `alarm disarm`: one line per alarm, as Go's `%+v` of an `AlarmMember`.
pub fn alarm(ctx: &Ctx<'_>, store: &mut Store, disarm: bool) -> Output {
    if !ctx.flags.args.is_empty() {
        let what = if disarm { "disarm" } else { "list" };
        return fail(EXIT_BAD_ARGS, format!("alarm {what} command accepts no arguments"));
    }
    let header = store.header();
    let alarms = if disarm { store.alarm_disarm() } else { store.alarms() };
    Output::ok(match ctx.format {
        Format::Json => {
            // NOSPACE is alarm type 1 in etcd's protobuf enum.
            let items: Vec<String> =
                alarms.iter().map(|_| Obj::new().num("memberID", header.member_id).num("alarm", 1).end()).collect();
            Obj::new().raw("header", &print::json_header(&header)).list_omit("alarms", &items).end() + "\n"
        }
        _ => alarms.iter().map(|a| format!("{a}\n")).collect(),
    })
}
