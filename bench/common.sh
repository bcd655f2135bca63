# Shared by the benchmarks: a throw-away cluster with siddhi preloaded.
# BENCH_CONF: more postgresql.conf lines (for example
# BENCH_CONF='siddhi.kafka_source_memory = 256MB').
. "$(dirname "${BASH_SOURCE[0]}")/../test/common.sh"

BENCH_DIR=${SIDDHI_BENCH_DIR:-/tmp/siddhi-bench}
BENCH_PORT=${SIDDHI_BENCH_PORT:-55600}
PSQL="$PG_BINDIR/psql -h $BENCH_DIR -p $BENCH_PORT -U postgres -X -q -v ON_ERROR_STOP=1"

bench_start() {
	init_cluster "$BENCH_DIR" "$BENCH_PORT" <<CONF
shared_buffers = 1GB
max_wal_size = 8GB
siddhi.ring_size = 64MB
${BENCH_CONF:-}
CONF
	$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w start >/dev/null
	$RUN_AS $PSQL -d postgres -c "CREATE EXTENSION siddhi"
}

bench_stop() {
	$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" -m fast stop >/dev/null
}

now() { date +%s.%N; }

machine() {
	echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
}

# bench/compare's generator: insert events $2 .. $3-1 into the app's input
# streams ($1), in $PARTS transactions, generated as Bench.java generates
# them ($keys distinct keys, $rate events a second of event time); wait for
# the engine.  Needs sql() and PSQL.
insert_events() {
	local streams=$1 from=$2 to=$3 nstreams per p lo hi k s cols ok
	nstreams=$(echo "$streams" | wc -l)
	per=$(((to - from + PARTS - 1) / PARTS))
	for p in $(seq 0 $((PARTS - 1))); do
		lo=$((from + p * per))
		hi=$((lo + per < to ? lo + per : to))
		k=0
		for s in $streams; do
			cols=$(sql "SELECT string_agg(CASE format_type(atttypid, NULL)
				WHEN 'text' THEN '''S'' || (i % $keys)' WHEN 'integer' THEN '(i % $keys)::int'
				WHEN 'bigint' THEN CASE attname WHEN 'ts' THEN 'i::int8 * 1000 / $rate' ELSE 'i' END
				WHEN 'double precision' THEN '(i % 500) / 3.0'
				WHEN 'real' THEN '((i % 500) / 3.0)::real' ELSE 'i % 2 = 0' END, ', ' ORDER BY attnum)
				FROM pg_attribute WHERE attrelid = '$s'::regclass AND attnum > 0 AND NOT attisdropped")
			$RUN_AS $PSQL -d postgres -c "INSERT INTO $s SELECT $cols FROM generate_series($lo, $((hi - 1))) i WHERE i % $nstreams = $k" >/dev/null
			k=$((k + 1))
		done
	done
	ok=$(sql "SELECT siddhi.flush(600000)")
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
}

# Deploy bench/compare app file $1 as app ab, with keys and rate from its
# "-- bench:" line, and load its table when that line names one (load=,
# rows=); sets streams to its other input streams.  Needs sql() and
# PARTS.
compare_deploy() {
	local app=$1 load rows
	keys=$(sed -n 's/^-- bench:.*keys=\([0-9]*\).*/\1/p' "$app")
	rate=$(sed -n 's/^-- bench:.*rate=\([0-9]*\).*/\1/p' "$app")
	keys=${keys:-1000} rate=${rate:-1000}
	sql "SELECT count(*) FROM siddhi.deploy('ab', \$app\$$(cat "$app")\$app\$)" >/dev/null
	load=$(sed -n 's/^-- bench:.*load=\([A-Za-z_0-9]*\).*/\1/p' "$app" | tr '[:upper:]' '[:lower:]')
	rows=$(sed -n 's/^-- bench:.*rows=\([0-9]*\).*/\1/p' "$app")
	[ -n "$load" ] && insert_events "$load" 0 "$rows"
	streams=$(sed -n 's/^[[:space:]]*define stream \([A-Za-z_0-9]*\).*/\1/p' "$app" |
		tr '[:upper:]' '[:lower:]' | grep -vx -e out -e "${load:-out}" | sort)
}
