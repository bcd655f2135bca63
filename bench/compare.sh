#!/usr/bin/env bash
# bench/compare: the same queries on the same generated events through
# Siddhi Java (in process, InputHandler.send, after JIT warm-up) and through
# siddhi's engine (busy time of the engine worker, from siddhi.engine_stats:
# ring to committed results), in one invocation; plus siddhi's end-to-end
# rate (INSERT into the stream to results committed).
#
#   EVENTS=10000000 WARMUP=1000000 RUNS=1 bash bench/compare.sh [query ...]
#
# A query is bench/compare/NAME.siddhi.  A line "-- bench: keys=K rate=R"
# in it sets the generator: K distinct strings and ints (default 1000), R
# events per second of event time (default 1000).  "load=L rows=N" in it
# names a stream L that fills a table: events 0 .. N-1 go into L first,
# untimed, and L is not one of the timed inputs.  Both engines see events
# 0 .. WARMUP-1 untimed, then WARMUP .. WARMUP+EVENTS-1 timed, so that their
# windows hold the same events when the timed part starts, and the outputs
# of the timed part (which both count) must be equal: Java counts the
# events of stream Out, siddhi those of the query named out
# (@info(name = 'out')) when there is one, else of all queries.  The
# input streams are those the app defines, sent round robin.  With
# RUNS > 1 every figure is the median of the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
EVENTS=${EVENTS:-10000000}
WARMUP=${WARMUP:-1000000}
RUNS=${RUNS:-1}
PARTS=10
queries=${*:-"filter projection length_avg tumbling_group_by window_join every_pattern length1000_avg time_group_by tumbling_100k table_join_1m length100_join partition_100k_sum"}

jar=test/reference/target/siddhi-reference.jar
bash test/reference/run-reference.sh --build-only
bench_start

sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }

# engine events and busy microseconds so far
engine_stats() {
	sql "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# SETTINGS='name=value ..': server settings for this invocation, e.g.
# SETTINGS=siddhi.dispatch_index=off for the engine without its dispatch
# index (issue 16)
for setting in ${SETTINGS:-}; do
	sql "ALTER SYSTEM SET ${setting%%=*} = '${setting#*=}'" >/dev/null
done
[ -z "${SETTINGS:-}" ] || sql "SELECT pg_reload_conf()" >/dev/null

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "machine: $(machine); load: $(cut -d' ' -f1-3 /proc/loadavg); events per query: $EVENTS (warm-up $WARMUP), median of $RUNS run(s)${SETTINGS:+; $SETTINGS}"
printf '%-18s %12s %12s %7s %12s %11s %11s\n' query "java ev/s" "siddhi ev/s" ratio "siddhi e2e" "java out" "siddhi out"
for q in $queries; do
	app=bench/compare/$q.siddhi
	keys=$(sed -n 's/^-- bench:.*keys=\([0-9]*\).*/\1/p' "$app")
	rate=$(sed -n 's/^-- bench:.*rate=\([0-9]*\).*/\1/p' "$app")
	load=$(sed -n 's/^-- bench:.*load=\([A-Za-z_0-9]*\).*/\1/p' "$app")
	rows=$(sed -n 's/^-- bench:.*rows=\([0-9]*\).*/\1/p' "$app")
	keys=${keys:-1000}
	rate=${rate:-1000}
	rows=${rows:-0}
	loadl=$(echo "$load" | tr '[:upper:]' '[:lower:]')
	javas=() ourss=() ratios=() e2es=()
	for r in $(seq 1 "$RUNS"); do
		java_out=$(java -cp "$jar" siddhiref.Bench "$app" "$EVENTS" "$WARMUP" "$keys" "$rate" $load ${load:+$rows} 2>/dev/null)
		java_rate=$(echo "$java_out" | sed -n 's/.*events_per_second=\([0-9]*\).*/\1/p')
		java_outputs=$(echo "$java_out" | sed -n 's/.*outputs=\([0-9]*\).*/\1/p')

		# siddhi: deploy, the warm-up events, then the timed events
		if ! $RUN_AS $PSQL -d postgres -c "SELECT siddhi.deploy('cmp_$q', \$app\$$(cat "$app")\$app\$)" >/dev/null 2>"$BENCH_DIR/$q.err"; then
			printf '%-18s %12s %12s %7s %12s %11s %11s  (skipped, siddhi refused the app: %s)\n' "$q" "$java_rate" "-" "-" "-" "$java_outputs" "-" \
				"$(sed -n 's/^ERROR: *//p' "$BENCH_DIR/$q.err" | head -1)"
			continue 2
		fi
		sql "SELECT siddhi.flush()" >/dev/null
		[ -n "$load" ] && insert_events "$loadl" 0 "$rows"
		# the input streams: those the app defines (as Bench.java sends)
		streams=$(sed -n 's/^[[:space:]]*define stream \([A-Za-z_0-9]*\).*/\1/p' "$app" |
			tr '[:upper:]' '[:lower:]' | grep -vx -e out -e "$loadl" | sort)
		[ "$WARMUP" -gt 0 ] && insert_events "$streams" 0 "$WARMUP"
		out0=$(sql "SELECT COALESCE(sum(events_out) FILTER (WHERE query = 'out'), sum(events_out)) FROM siddhi.queries WHERE app = 'cmp_$q'")
		read -r e0 b0 <<<"$(engine_stats)"
		t0=$(now)
		insert_events "$streams" "$WARMUP" $((WARMUP + EVENTS))
		t1=$(now)
		read -r e1 b1 <<<"$(engine_stats)"
		out1=$(sql "SELECT COALESCE(sum(events_out) FILTER (WHERE query = 'out'), sum(events_out)) FROM siddhi.queries WHERE app = 'cmp_$q'")
		# an app's tables outlive it unless dropped: the next run loads again
		sql "SELECT siddhi.undeploy('cmp_$q', drop_tables => true)" >/dev/null

		ours=$(echo "($e1 - $e0) * 1000000 / ($b1 - $b0)" | bc)
		javas+=("$java_rate")
		ourss+=("$ours")
		ratios+=("$(echo "$ours / $java_rate" | bc -l)")
		e2es+=("$(echo "$EVENTS / ($t1 - $t0)" | bc)")
		[ "$RUNS" -gt 1 ] && printf '  run %d: java %s, siddhi %s\n' "$r" "$java_rate" "$ours" >&2
	done
	ours_outputs=$((out1 - out0))
	printf '%-18s %12s %12s %7.2f %12s %11s %11s%s\n' "$q" "$(median "${javas[@]}")" \
		"$(median "${ourss[@]}")" "$(median "${ratios[@]}")" "$(median "${e2es[@]}")" \
		"$java_outputs" "$ours_outputs" "$([ "$java_outputs" = "$ours_outputs" ] || echo '  OUTPUTS DIFFER')"
done
bench_stop
