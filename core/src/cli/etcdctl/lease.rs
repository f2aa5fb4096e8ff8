//! `lease grant | revoke | keep-alive --once | timetolive [--keys] | list`, as
//! `etcdctl/ctlv3/command/lease_command.go` and its printers.

use super::format::Obj;
use super::print::{self, header_fields, Format};
use super::{fail, Ctx, EXIT_BAD_ARGS, EXIT_BAD_CONNECTION, EXIT_ERROR};
use crate::cli::Output;
use crate::store::*;

/// `leaseFromArgs`: a lease ID in hex.
fn lease_arg(arg: &str) -> Result<i64, Output> {
    i64::from_str_radix(arg, 16).map_err(|_| {
        fail(EXIT_BAD_ARGS, format!("bad lease ID arg (strconv.ParseInt: parsing {arg:?}: invalid syntax), expecting ID in Hex"))
    })
}

fn one_arg<'a>(ctx: &'a Ctx<'_>, msg: &str) -> Result<&'a str, Output> {
    match ctx.flags.args.as_slice() {
        [a] => Ok(a.as_str()),
        _ => Err(fail(EXIT_BAD_ARGS, msg)),
    }
}

pub fn grant(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let arg = match one_arg(ctx, "lease grant command needs TTL argument") {
        Ok(a) => a,
        Err(o) => return o,
    };
    let Ok(ttl) = arg.parse::<i64>() else {
        return fail(EXIT_BAD_ARGS, format!("bad TTL (strconv.ParseInt: parsing {arg:?}: invalid syntax)"));
    };
    match store.lease_grant(LeaseGrantRequest { ttl, id: 0 }) {
        Ok(r) => Output::ok(match ctx.format {
            Format::Json => {
                header_fields(Obj::new(), &r.header).num("ID", r.id).num("TTL", r.ttl).str("Error", &r.error).end() + "\n"
            }
            Format::Fields => {
                let mut s = String::new();
                print::fields_header(&mut s, &r.header);
                s + &format!("\"ID\" : {}\n\"TTL\" : {}\n", r.id, r.ttl)
            }
            _ => format!("lease {:016x} granted with TTL({}s)\n", r.id, r.ttl),
        }),
        Err(e) => fail(EXIT_ERROR, format!("failed to grant lease ({e})")),
    }
}

pub fn revoke(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let id = match one_arg(ctx, "lease revoke command needs 1 argument").and_then(lease_arg) {
        Ok(id) => id,
        Err(o) => return o,
    };
    match store.lease_revoke(id) {
        Ok(r) => Output::ok(match ctx.format {
            Format::Json => Obj::new().raw("header", &print::json_header(&r.header)).end() + "\n",
            Format::Fields => {
                let mut s = String::new();
                print::fields_header(&mut s, &r.header);
                s
            }
            _ => format!("lease {id:016x} revoked\n"),
        }),
        Err(e) => fail(EXIT_ERROR, format!("failed to revoke lease ({e})")),
    }
}

pub fn keep_alive(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let id = match one_arg(ctx, "lease keep-alive command needs lease ID as argument").and_then(lease_arg) {
        Ok(id) => id,
        Err(o) => return o,
    };
    // Without --once etcdctl keeps renewing until interrupted; the simulation renews once.
    match store.lease_keep_alive(id) {
        Ok(r) => Output::ok(match ctx.format {
            Format::Json => header_fields(Obj::new(), &r.header).num("ID", r.id).num("TTL", r.ttl).end() + "\n",
            Format::Fields => {
                let mut s = String::new();
                print::fields_header(&mut s, &r.header);
                s + &format!("\"ID\" : {}\n\"TTL\" : {}\n", r.id, r.ttl)
            }
            _ => format!("lease {:016x} keepalived with TTL({})\n", r.id, r.ttl),
        }),
        Err(e) => fail(EXIT_BAD_CONNECTION, e),
    }
}

pub fn time_to_live(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let id = match one_arg(ctx, "lease timetolive command needs lease ID as argument").and_then(lease_arg) {
        Ok(id) => id,
        Err(o) => return o,
    };
    let with_keys = ctx.flags.bool("keys");
    let r = store.lease_time_to_live(id, with_keys);
    Output::ok(match ctx.format {
        Format::Json => {
            header_fields(Obj::new(), &r.header)
                .num("id", r.id)
                .num("ttl", r.ttl)
                .num("granted-ttl", r.granted_ttl)
                .raw("keys", &print::json_bytes_list(&r.keys))
                .end()
                + "\n"
        }
        Format::Fields => {
            let mut s = String::new();
            print::fields_header(&mut s, &r.header);
            s.push_str(&format!("\"ID\" : {}\n\"TTL\" : {}\n\"GrantedTTL\" : {}\n", r.id, r.ttl, r.granted_ttl));
            for k in &r.keys {
                s.push_str(&format!("\"Key\" : {}\n", super::format::go_quote(k)));
            }
            s
        }
        _ if r.granted_ttl == 0 && r.ttl == -1 => format!("lease {id:016x} already expired\n"),
        _ => {
            let mut txt = format!("lease {id:016x} granted with TTL({}s), remaining({}s)", r.granted_ttl, r.ttl);
            if with_keys {
                let keys: Vec<String> = r.keys.iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect();
                txt.push_str(&format!(", attached keys([{}])", keys.join(" ")));
            }
            txt + "\n"
        }
    })
}

pub fn list(ctx: &Ctx<'_>, store: &mut Store) -> Output {
    let r = store.lease_leases();
    Output::ok(match ctx.format {
        Format::Json => {
            let items: Vec<String> = r.leases.iter().map(|id| Obj::new().num("id", *id).end()).collect();
            header_fields(Obj::new(), &r.header).raw("leases", &format!("[{}]", items.join(","))).end() + "\n"
        }
        Format::Fields => {
            let mut s = String::new();
            print::fields_header(&mut s, &r.header);
            for id in &r.leases {
                s.push_str(&format!("\"ID\" : {id}\n"));
            }
            s
        }
        _ => {
            let mut s = format!("found {} leases\n", r.leases.len());
            for id in &r.leases {
                s.push_str(&format!("{id:016x}\n"));
            }
            s
        }
    })
}
