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
