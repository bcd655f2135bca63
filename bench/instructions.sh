#!/usr/bin/env bash
# Instructions per event of the engine, for one bench/compare app under
# one or more installs: valgrind's callgrind counts the instructions the
# engine executes feeding the app's events (siddhi_runtime_feed_chunk and
# all it calls, not the batch's commit), which a shared machine's noise
# does not move, so a change of a few percent shows where engine_ab.sh
# cannot see it.  Each install: deploy, load (when the app says so), feed
# EVENTS events; the count is of every event fed, the load's too (an app
# with a large load needs EVENTS well above it).  The first install is
# the baseline of the ratio.  Slow (callgrind runs the whole server about
# fifty times slower): 100,000 events take a minute or two.
#
#   bash bench/instructions.sh APP EVENTS PREFIX_A [PREFIX_B ...]
#
# Prints "<install>: <instructions an event> (<ratio to the first>)" and
# keeps the profile of each in /tmp/instructions.<app>.<install>.out
# (callgrind_annotate reads it).
set -euo pipefail
cd "$(dirname "$0")/.."
app=bench/compare/$1.siddhi
N=$2
shift 2
command -v valgrind >/dev/null || apt-get install -y -q valgrind >/dev/null
results=$(mktemp)
for pf in "$@"; do
	(
		export SIDDHI_PREFIX=$pf SIDDHI_BENCH_DIR=/tmp/instructions-$$ \
			SIDDHI_BENCH_PORT=${SIDDHI_BENCH_PORT:-56092}
		. test/common.sh
		. bench/common.sh
		sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }
		rm -rf "$BENCH_DIR"
		init_cluster "$BENCH_DIR" "$BENCH_PORT" <<CONF
shared_buffers = 256MB
siddhi.ring_size = 64MB
CONF
		$RUN_AS bash -c "cd '$BENCH_DIR' && valgrind --tool=callgrind \
			--trace-children=yes --toggle-collect=siddhi_runtime_feed_chunk \
			--callgrind-out-file='$BENCH_DIR/cg.%p' '$PG_BINDIR/postgres' \
			-D '$BENCH_DIR/data' > '$BENCH_DIR/server.log' 2>&1 &" </dev/null >/dev/null 2>&1
		for i in $(seq 1 180); do
			$RUN_AS "$PG_BINDIR/pg_isready" -q -h "$BENCH_DIR" -p "$BENCH_PORT" && break
			sleep 1
		done
		sql "CREATE EXTENSION siddhi" >/dev/null
		PARTS=4
		compare_deploy "$app"
		insert_events "$streams" 0 "$N"
		events=$(sql "SELECT events FROM siddhi.engine_stats() LIMIT 1")
		# the server's processes write their counts as they exit
		$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" -m fast -t 600 stop >/dev/null
		sleep 2
		# the engine's: the one with the most instructions
		best=0 bestf=""
		for f in "$BENCH_DIR"/cg.*; do
			ir=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$f" | tail -1)
			if [ "${ir:-0}" -gt "$best" ]; then best=$ir bestf=$f; fi
		done
		name=$(basename "$pf")
		cp "$bestf" "/tmp/instructions.$(basename "$app" .siddhi).$name.out"
		echo "$name $((best / events))" >>"$results"
		rm -rf "$BENCH_DIR"
	)
done
first=""
while read -r name per; do
	[ -z "$first" ] && first=$per
	echo "$name: $per instructions an event ($(echo "scale=3; $per / $first" | bc))"
done <"$results"
rm -f "$results"
