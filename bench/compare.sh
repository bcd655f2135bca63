#!/usr/bin/env bash
# bench/compare: the same queries on the same generated events through
# Siddhi Java (in process, InputHandler.send, after JIT warm-up) and through
# siddhi's engine (busy time of the engine worker, from siddhi.engine_stats:
# ring to committed results), in one invocation; plus siddhi's end-to-end
# rate (INSERT into the stream to results committed).
#
#   EVENTS=10000000 WARMUP=1000000 bash bench/compare.sh [query ...]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
EVENTS=${EVENTS:-10000000}
WARMUP=${WARMUP:-1000000}
PARTS=10
queries=${*:-"filter projection length_avg tumbling_group_by window_join every_pattern"}

jar=test/reference/target/siddhi-reference.jar
bash test/reference/run-reference.sh --build-only
bench_start

echo "machine: $(machine); events per query: $EVENTS (Java warm-up $WARMUP)"
printf '%-18s %14s %14s %8s %14s\n' query "java ev/s" "siddhi ev/s" ratio "siddhi e2e"
for q in $queries; do
	app=bench/compare/$q.siddhi
	java_rate=$(java -cp "$jar" siddhiref.Bench "$app" "$EVENTS" "$WARMUP" 2>/dev/null |
		sed -n 's/.*events_per_second=\([0-9]*\).*/\1/p')

	# siddhi: deploy; insert the same events in $PARTS transactions
	if ! $RUN_AS $PSQL -d postgres -c "SELECT siddhi.deploy('cmp_$q', \$app\$$(cat "$app")\$app\$)" >/dev/null 2>"$BENCH_DIR/$q.err"; then
		printf '%-18s %14s %14s %8s %14s  (%s)\n' "$q" "$java_rate" "-" "-" "-" \
			"$(sed -n 's/^ERROR: *//p' "$BENCH_DIR/$q.err" | head -1)"
		continue
	fi
	$RUN_AS $PSQL -d postgres -c "SELECT siddhi.flush()" >/dev/null
	streams=$($RUN_AS $PSQL -d postgres -At -c "SELECT relname FROM siddhi.app_relation WHERE app = 'cmp_$q' AND kind = 'stream' AND relname <> 'out' ORDER BY relname")
	nstreams=$(echo "$streams" | wc -l)
	before=$($RUN_AS $PSQL -d postgres -At -c "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())")
	t0=$(now)
	per=$((EVENTS / PARTS))
	for p in $(seq 0 $((PARTS - 1))); do
		k=0
		for s in $streams; do
			# columns of the stream, generated as Bench.java does
			cols=$($RUN_AS $PSQL -d postgres -At -c "SELECT string_agg(CASE format_type(atttypid, NULL)
				WHEN 'text' THEN '''S'' || (i % 1000)' WHEN 'integer' THEN '(i % 1000)::int'
				WHEN 'bigint' THEN 'i' WHEN 'double precision' THEN '(i % 500) / 3.0'
				WHEN 'real' THEN '((i % 500) / 3.0)::real' ELSE 'i % 2 = 0' END, ', ' ORDER BY attnum)
				FROM pg_attribute WHERE attrelid = '$s'::regclass AND attnum > 0 AND NOT attisdropped")
			$RUN_AS $PSQL -d postgres -c "INSERT INTO $s SELECT $cols FROM generate_series($((p * per)), $(((p + 1) * per - 1))) i WHERE i % $nstreams = $k" >/dev/null
			k=$((k + 1))
		done
	done
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish $q" >&2; exit 1; }
	after=$($RUN_AS $PSQL -d postgres -At -c "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())")
	read -r e0 b0 <<<"$before"
	read -r e1 b1 <<<"$after"
	ours=$(echo "($e1 - $e0) * 1000000 / ($b1 - $b0)" | bc)
	e2e=$(echo "$EVENTS / ($t1 - $t0)" | bc)
	printf '%-18s %14s %14s %8.2f %14s\n' "$q" "$java_rate" "$ours" "$(echo "$ours / $java_rate" | bc -l)" "$e2e"
	$RUN_AS $PSQL -d postgres -c "SELECT siddhi.undeploy('cmp_$q')" >/dev/null
done
bench_stop
