//! The usage text etcdctl 3.4 prints with `--help` and, on stdout, after a flag error.
//!
//! Copied verbatim from `etcdctl <command> --help` of etcd 3.4.23 (cobra's template). Most
//! commands share the `GLOBAL OPTIONS` tail; `endpoint` commands add `--cluster` to theirs.

const GLOBAL_OPTIONS: &str = r#"GLOBAL OPTIONS:
      --cacert=""				verify certificates of TLS-enabled secure servers using this CA bundle
      --cert=""					identify secure client using this TLS certificate file
      --command-timeout=5s			timeout for short running command (excluding dial timeout)
      --debug[=false]				enable client-side debug logging
      --dial-timeout=2s				dial timeout for client connections
  -d, --discovery-srv=""			domain name to query for SRV records describing cluster endpoints
      --discovery-srv-name=""			service name to query when using DNS discovery
      --endpoints=[127.0.0.1:2379]		gRPC endpoints
      --hex[=false]				print byte strings as hex encoded strings
      --insecure-discovery[=true]		accept insecure SRV records describing cluster endpoints
      --insecure-skip-tls-verify[=false]	skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)
      --insecure-transport[=true]		disable transport security for client connections
      --keepalive-time=2s			keepalive time for client connections
      --keepalive-timeout=6s			keepalive timeout for client connections
      --key=""					identify secure client using this TLS key file
      --password=""				password for authentication (if this option is used, --user option shouldn't include password)
      --user=""					username[:password] for authentication (prompt if password is not supplied)
  -w, --write-out="simple"			set the output format (fields, json, protobuf, simple, table)

"#;

/// The full usage text for `command` (e.g. `"lease grant"`), if we know the command.
pub fn usage(command: &str) -> Option<String> {
    let (head, tail) = match command {
        "get" => (r#"NAME:
	get - Gets the key or a range of keys

USAGE:
	etcdctl get [options] <key> [range_end] [flags]

OPTIONS:
      --consistency="l"			Linearizable(l) or Serializable(s)
      --from-key[=false]		Get keys that are greater than or equal to the given key using byte compare
  -h, --help[=false]			help for get
      --keys-only[=false]		Get only the keys
      --limit=0				Maximum number of results
      --order=""			Order of results; ASCEND or DESCEND (ASCEND by default)
      --prefix[=false]			Get keys with matching prefix
      --print-value-only[=false]	Only write values when using the "simple" output format
      --rev=0				Specify the kv revision
      --sort-by=""			Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION

"#, GLOBAL_OPTIONS),
        "put" => (r#"NAME:
	put - Puts the given key into the store

USAGE:
	etcdctl put [options] <key> <value> (<value> can also be given from stdin) [flags]

DESCRIPTION:
	Puts the given key into the store.
	
	When <value> begins with '-', <value> is interpreted as a flag.
	Insert '--' for workaround:
	
	$ put <key> -- <value>
	$ put -- <key> <value>
	
	If <value> isn't given as a command line argument and '--ignore-value' is not specified,
	this command tries to read the value from standard input.
	
	If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
	this command tries to read the value from standard input.
	
	For example,
	$ cat file | put <key>
	will store the content of the file to <key>.

OPTIONS:
  -h, --help[=false]		help for put
      --ignore-lease[=false]	updates the key using its current lease
      --ignore-value[=false]	updates the key using its current value
      --lease="0"		lease ID (in hexadecimal) to attach to the key
      --prev-kv[=false]		return the previous key-value pair before modification

"#, GLOBAL_OPTIONS),
        "del" => (r#"NAME:
	del - Removes the specified key or range of keys [key, range_end)

USAGE:
	etcdctl del [options] <key> [range_end] [flags]

OPTIONS:
      --from-key[=false]	delete keys that are greater than or equal to the given key using byte compare
  -h, --help[=false]		help for del
      --prefix[=false]		delete keys with matching prefix
      --prev-kv[=false]		return deleted key-value pairs

"#, GLOBAL_OPTIONS),
        "watch" => (r#"NAME:
	watch - Watches events stream on keys or prefixes

USAGE:
	etcdctl watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...] [flags]

OPTIONS:
  -h, --help[=false]		help for watch
  -i, --interactive[=false]	Interactive mode
      --prefix[=false]		Watch on a prefix if prefix is set
      --prev-kv[=false]		get the previous key-value pair before the event happens
      --rev=0			Revision to start watching

"#, GLOBAL_OPTIONS),
        "txn" => (r#"NAME:
	txn - Txn processes all the requests in one transaction

USAGE:
	etcdctl txn [options] [flags]

OPTIONS:
  -h, --help[=false]		help for txn
  -i, --interactive[=false]	Input transaction in interactive mode

"#, GLOBAL_OPTIONS),
        "compaction" => (r#"NAME:
	compaction - Compacts the event history in etcd

USAGE:
	etcdctl compaction [options] <revision> [flags]

OPTIONS:
  -h, --help[=false]		help for compaction
      --physical[=false]	'true' to wait for compaction to physically remove all old revisions

"#, GLOBAL_OPTIONS),
        "lease grant" => (r#"NAME:
	lease grant - Creates leases

USAGE:
	etcdctl lease grant <ttl> [flags]

OPTIONS:
  -h, --help[=false]	help for grant

"#, GLOBAL_OPTIONS),
        "lease revoke" => (r#"NAME:
	lease revoke - Revokes leases

USAGE:
	etcdctl lease revoke <leaseID> [flags]

OPTIONS:
  -h, --help[=false]	help for revoke

"#, GLOBAL_OPTIONS),
        "lease keep-alive" => (r#"NAME:
	lease keep-alive - Keeps leases alive (renew)

USAGE:
	etcdctl lease keep-alive [options] <leaseID> [flags]

OPTIONS:
  -h, --help[=false]	help for keep-alive
      --once[=false]	Resets the keep-alive time to its original value and exits immediately

"#, GLOBAL_OPTIONS),
        "lease timetolive" => (r#"NAME:
	lease timetolive - Get lease information

USAGE:
	etcdctl lease timetolive <leaseID> [options] [flags]

OPTIONS:
  -h, --help[=false]	help for timetolive
      --keys[=false]	Get keys attached to this lease

"#, GLOBAL_OPTIONS),
        "lease list" => (r#"NAME:
	lease list - List all active leases

USAGE:
	etcdctl lease list [flags]

OPTIONS:
  -h, --help[=false]	help for list

"#, GLOBAL_OPTIONS),
        "endpoint status" => (r#"NAME:
	endpoint status - Prints out the status of endpoints specified in `--endpoints` flag

USAGE:
	etcdctl endpoint status [flags]

DESCRIPTION:
	When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
	The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.

OPTIONS:
  -h, --help[=false]	help for status

GLOBAL OPTIONS:
      --cacert=""				verify certificates of TLS-enabled secure servers using this CA bundle
      --cert=""					identify secure client using this TLS certificate file
      --cluster[=false]				use all endpoints from the cluster member list
      --command-timeout=5s			timeout for short running command (excluding dial timeout)
      --debug[=false]				enable client-side debug logging
      --dial-timeout=2s				dial timeout for client connections
  -d, --discovery-srv=""			domain name to query for SRV records describing cluster endpoints
      --discovery-srv-name=""			service name to query when using DNS discovery
      --endpoints=[127.0.0.1:2379]		gRPC endpoints
      --hex[=false]				print byte strings as hex encoded strings
      --insecure-discovery[=true]		accept insecure SRV records describing cluster endpoints
      --insecure-skip-tls-verify[=false]	skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)
      --insecure-transport[=true]		disable transport security for client connections
      --keepalive-time=2s			keepalive time for client connections
      --keepalive-timeout=6s			keepalive timeout for client connections
      --key=""					identify secure client using this TLS key file
      --password=""				password for authentication (if this option is used, --user option shouldn't include password)
      --user=""					username[:password] for authentication (prompt if password is not supplied)
  -w, --write-out="simple"			set the output format (fields, json, protobuf, simple, table)

"#, ""),
        "snapshot save" => (r#"NAME:
	snapshot save - Stores an etcd node backend snapshot to a given file

USAGE:
	etcdctl snapshot save <filename> [flags]

OPTIONS:
  -h, --help[=false]	help for save

"#, GLOBAL_OPTIONS),
        "snapshot status" => (r#"NAME:
	snapshot status - Gets backend snapshot status of a given file

USAGE:
	etcdctl snapshot status <filename> [flags]

DESCRIPTION:
	When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
	The items in the lists are hash, revision, total keys, total size.

OPTIONS:
  -h, --help[=false]	help for status

"#, GLOBAL_OPTIONS),
        _ => return None,
    };
    Some(format!("{head}{tail}"))
}

/// The usage cobra prints on stderr when an op line inside `txn` has a bad flag (its default
/// template, since those commands are built fresh for each line).
pub fn txn_op_usage(command: &str) -> Option<&'static str> {
    Some(match command {
        "get" => r#"Usage:
   get [options] <key> [range_end] [flags]

Flags:
      --consistency string   Linearizable(l) or Serializable(s) (default "l")
      --from-key             Get keys that are greater than or equal to the given key using byte compare
  -h, --help                 help for get
      --keys-only            Get only the keys
      --limit int            Maximum number of results
      --order string         Order of results; ASCEND or DESCEND (ASCEND by default)
      --prefix               Get keys with matching prefix
      --print-value-only     Only write values when using the "simple" output format
      --rev int              Specify the kv revision
      --sort-by string       Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION

"#,
        "put" => r#"Usage:
   put [options] <key> <value> (<value> can also be given from stdin) [flags]

Flags:
  -h, --help           help for put
      --ignore-lease   updates the key using its current lease
      --ignore-value   updates the key using its current value
      --lease string   lease ID (in hexadecimal) to attach to the key (default "0")
      --prev-kv        return the previous key-value pair before modification

"#,
        "del" => r#"Usage:
   del [options] <key> [range_end] [flags]

Flags:
      --from-key   delete keys that are greater than or equal to the given key using byte compare
  -h, --help       help for del
      --prefix     delete keys with matching prefix
      --prev-kv    return deleted key-value pairs

"#,
        _ => return None,
    })
}
