#!/usr/bin/env bash
# Kafka: EVENTS (10 M) JSON records of about 150 bytes, preloaded into a
# 4-partition topic (lz4) of a real local broker (test/kafka/broker.sh),
# read by a siddhi app (@source kafka -> filter -> heap table) until the
# results are committed, against two baselines measured in the same run:
#   (a) kcat -C reading the whole topic to /dev/null (msg/s);
#   (b) COPY of the same JSON lines into an UNLOGGED table's jsonb column.
# Then the sink: SINK_EVENTS (1 M) rows -> @sink kafka (json) until the
# topic holds them all, against kcat -P of a file of the same lines.
#
#   EVENTS=10000000 SINK_EVENTS=1000000 RUNS=1 bash bench/kafka.sh
#   SKIP_SIDDHI=1 bash bench/kafka.sh      # the baselines only
#   SKIP_SOURCE=1 EVENTS=100000 bash bench/kafka.sh   # baselines and sink
#
# JSON_EVENT=1 wraps each record as {"event":{..}} (Siddhi's default JSON
# mapping); SOURCE_MAP / SINK_MAP replace the @map(..) of the apps;
# SOURCE_CONF the source's optional.configuration (librdkafka settings);
# TIMEOUT (s, default 1800) bounds each wait for the engine.
# OUT_UNLOGGED=1 makes the results table UNLOGGED beforehand (the app uses
# it as it is): like for like with baseline (b), whose table is unlogged.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
EVENTS=${EVENTS:-10000000}
SINK_EVENTS=${SINK_EVENTS:-1000000}
RUNS=${RUNS:-1}
SKIP_SIDDHI=${SKIP_SIDDHI:-0}
TIMEOUT=${TIMEOUT:-1800}
SOURCE_MAP=${SOURCE_MAP:-"@map(type='json')"}
SINK_MAP=${SINK_MAP:-"@map(type='json')"}
KAFKA_DIR=${SIDDHI_BENCH_KAFKA_DIR:-$BENCH_DIR-kafka}
BROKER=test/kafka/broker.sh
PARTS=4
TOPIC=bench_orders

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { echo "$1 / $2" | bc -l; }
psql_pg() { $RUN_AS $PSQL -d postgres "$@"; }

# the records: id i, symbol SYM(i % 1000), price (i % 1000) / 50 (so
# price > 10 for i % 1000 > 500: 499 of each 1000), volume i % 100000;
# written round robin into $PARTS files, one per partition
generate() { # n prefix
	mawk -v n="$1" -v prefix="$2" -v parts=$PARTS -v wrap="${JSON_EVENT:-0}" 'BEGIN {
		note = "quick brown fox jumps over the lazy dog 0123456789abcdefghij"
		pre = wrap ? "{\"event\":{" : "{"; post = wrap ? "}}" : "}"
		for (i = 1; i <= n; i++)
			printf "%s\"id\":%d,\"symbol\":\"SYM%d\",\"price\":%.2f,\"volume\":%d,\"ts\":%.0f,\"note\":\"%s\"%s\n",
				pre, i, i % 1000, (i % 1000) / 50, i % 100000, 1764900000000 + i, note, post \
				> (prefix "." (i % parts))
	}'
	chmod 644 "$2".*
}
expected_matches() { # n: ids 1..n with i % 1000 > 500
	echo $(($1 / 1000 * 499 + ($1 % 1000 > 500 ? $1 % 1000 - 500 : 0)))
}
topic_count() { # topic: the sum of its partitions' end offsets
	local args=() p
	for p in $(seq 0 $((PARTS - 1))); do args+=(-t "$1:$p:-1"); done
	kcat -Q -b "$bootstrap" "${args[@]}" 2>/dev/null |
		awk '/offset/ {s += $NF} END {print s + 0}'
}

# the broker and the records go (KEEP=1 keeps the broker's directory)
cleanup() {
	"$BROKER" stop "$KAFKA_DIR" || true
	[ -f "$BENCH_DIR/data/postmaster.pid" ] && bench_stop || true
	rm -f "$BENCH_DIR"/orders.json.* "$BENCH_DIR"/sink.json.*
	[ "${KEEP:-0}" = 1 ] || rm -rf "$KAFKA_DIR"
}
trap cleanup EXIT

bash test/kafka/fetch.sh
bench_start
psql_pg -c "DO \$\$ BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'siddhi_connector') THEN
		GRANT siddhi_connector TO postgres;
	END IF; END \$\$"
"$BROKER" stop "$KAFKA_DIR" 2>/dev/null || true
rm -rf "$KAFKA_DIR"
t0=$(now)
bootstrap=$("$BROKER" start "$KAFKA_DIR")
t1=$(now)
broker_start=$(echo "$t1 - $t0" | bc -l)

t0=$(now)
generate "$EVENTS" "$BENCH_DIR/orders.json"
t1=$(now)
gen_time=$(echo "$t1 - $t0" | bc -l)
bytes=$(cat "$BENCH_DIR"/orders.json.* | wc -c)

"$BROKER" topic "$KAFKA_DIR" "$TOPIC" $PARTS
t0=$(now)
for p in $(seq 0 $((PARTS - 1))); do
	kcat -P -b "$bootstrap" -t "$TOPIC" -p "$p" -z lz4 -X linger.ms=100 \
		-X batch.size=1000000 -X queue.buffering.max.messages=1000000 \
		-l "$BENCH_DIR/orders.json.$p" &
done
wait
t1=$(now)
load_time=$(echo "$t1 - $t0" | bc -l)
loaded=$(topic_count "$TOPIC")
[ "$loaded" = "$EVENTS" ] || { echo "the topic holds $loaded records, not $EVENTS" >&2; exit 1; }

psql_pg -c "CREATE UNLOGGED TABLE copy_baseline (doc jsonb)"
copies=""
for p in $(seq 0 $((PARTS - 1))); do
	# csv with quote and delimiter bytes that JSON text never holds
	copies="$copies -c \"COPY copy_baseline FROM '$BENCH_DIR/orders.json.$p' (FORMAT csv, QUOTE e'\\\\x01', DELIMITER e'\\\\x02')\""
done
kcat_times=()
copy_times=()
for r in $(seq 1 "$RUNS"); do
	t0=$(now)
	kcat -C -b "$bootstrap" -t "$TOPIC" -o beginning -e -q >/dev/null
	t1=$(now)
	kcat_times+=("$(echo "$t1 - $t0" | bc -l)")

	psql_pg -c "TRUNCATE copy_baseline" -c "CHECKPOINT"
	t0=$(now)
	eval "$RUN_AS $PSQL -d postgres $copies"
	t1=$(now)
	copy_times+=("$(echo "$t1 - $t0" | bc -l)")
done
copied=$(psql_pg -At -c "SELECT count(*) FROM copy_baseline")
[ "$copied" = "$EVENTS" ] || { echo "COPY loaded $copied rows, not $EVENTS" >&2; exit 1; }
psql_pg -c "DROP TABLE copy_baseline"

k=$(median "${kcat_times[@]}")
c=$(median "${copy_times[@]}")
kcat_rate=$(rate "$EVENTS" "$k")
copy_rate=$(rate "$EVENTS" "$c")
printf 'records: %d JSON, %d bytes on average, %d partitions, lz4 (x%d runs, median)\n' \
	"$EVENTS" $((bytes / EVENTS)) $PARTS "$RUNS"
printf 'machine: %s\n' "$(machine)"
printf 'broker start (format + JVM + serving):   %8.2f s\n' "$broker_start"
printf 'generate the records (mawk):             %8.2f s\n' "$gen_time"
printf 'preload: %d x kcat -P -z lz4:             %8.2f s  %10.0f msg/s\n' $PARTS "$load_time" "$(rate "$EVENTS" "$load_time")"
printf '(a) kcat -C whole topic to /dev/null:    %8.2f s  %10.0f msg/s\n' "$k" "$kcat_rate"
printf '(b) COPY into UNLOGGED (doc jsonb):      %8.2f s  %10.0f rows/s\n' "$c" "$copy_rate"

if [ "$SKIP_SIDDHI" = 1 ]; then
	echo "SKIP_SIDDHI=1: the siddhi source and sink runs were skipped"
	exit 0
fi

deploy_failed() {
	echo "bench/kafka.sh: deploying the $1 app failed (above). The Kafka $1 must" >&2
	echo "be built into this siddhi; SKIP_SIDDHI=1 runs the baselines only." >&2
	exit 1
}
# ---- siddhi: @source kafka -> filter -> heap table ----
# SKIP_SOURCE=1: the sink only (with the baselines)
if [ "${SKIP_SOURCE:-0}" != 1 ]; then
expect=$(expected_matches "$EVENTS")
src_times=()
for r in $(seq 1 "$RUNS"); do
	psql_pg -c "SELECT siddhi.undeploy('kbench')" >/dev/null 2>&1 || true
	psql_pg -c "DROP TABLE IF EXISTS bench_out"
	# OUT_UNLOGGED=1: the results go to an UNLOGGED table made beforehand
	# (the app uses it as it is), like for like with baseline (b)
	if [ "${OUT_UNLOGGED:-0}" = 1 ]; then
		psql_pg -c "CREATE UNLOGGED TABLE bench_out (id bigint, symbol text, price float8)" >/dev/null
	fi
	# positions outlive an undeploy: each run reads the topic from the start
	psql_pg -c "DELETE FROM siddhi.source_offsets WHERE app = 'kbench'" >/dev/null
	group="bench-$r-$$"
	t0=$(now)
	psql_pg <<SQL || deploy_failed source
SELECT siddhi.deploy('kbench', \$app\$
  @source(type='kafka', topic.list='$TOPIC', group.id='$group',
          bootstrap.servers='$bootstrap', threading.option='single.thread',
          optional.configuration='${SOURCE_CONF:-auto.offset.reset:earliest}',
          $SOURCE_MAP)
  define stream Orders (id long, symbol string, price double, volume long, ts long, note string);
  define table bench_out (id long, symbol string, price double);
  from Orders[price > 10] select id, symbol, price insert into bench_out;
\$app\$);
SQL
	# cheap progress first (events the query took in), then the exact
	# committed count; 0.2 s resolution
	waited=0
	while :; do
		seen=$(psql_pg -At -c "SELECT coalesce(sum(events_in), 0) FROM siddhi.queries WHERE app = 'kbench'")
		if [ "$seen" -ge "$EVENTS" ]; then
			got=$(psql_pg -At -c "SELECT count(*) FROM bench_out")
			[ "$got" -lt "$expect" ] || break
		fi
		state=$(psql_pg -At -c "SELECT state FROM siddhi.apps WHERE name = 'kbench'")
		if [ "$state" != running ]; then
			echo "the source app is $state" >&2
			exit 1
		fi
		sleep 0.2
		waited=$((waited + 1))
		if [ $waited -gt $((TIMEOUT * 5)) ]; then
			echo "the source app did not finish in $TIMEOUT s ($seen of $EVENTS events in)" >&2
			exit 1
		fi
	done
	t1=$(now)
	src_times+=("$(echo "$t1 - $t0" | bc -l)")
	[ "$got" = "$expect" ] || { echo "bench_out holds $got rows, not $expect" >&2; exit 1; }
	engine=$(psql_pg -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND datname = 'postgres'" | head -1)
	hwm=$(awk '/VmHWM/ {print $2 / 1024 " MB"}' "/proc/$engine/status" 2>/dev/null || echo "?")
done
s=$(median "${src_times[@]}")
src_rate=$(rate "$EVENTS" "$s")
printf 'siddhi source -> filter -> %d rows:  %8.2f s  %10.0f msg/s\n' "$expect" "$s" "$src_rate"
printf '  ratio to (a) kcat -C:                  %8.2f\n' "$(echo "$src_rate / $kcat_rate" | bc -l)"
printf '  ratio to (b) COPY:                     %8.2f\n' "$(echo "$src_rate / $copy_rate" | bc -l)"
printf '  engine worker peak RSS (VmHWM, with the shared memory it touched): %s\n' "$hwm"
psql_pg -c "SELECT siddhi.undeploy('kbench')" >/dev/null
fi

# ---- the sink: SINK_EVENTS rows -> @sink kafka, against kcat -P ----
generate "$SINK_EVENTS" "$BENCH_DIR/sink.json"
cat "$BENCH_DIR"/sink.json.* >"$BENCH_DIR/sink.json.all"
kcatp_times=()
sink_times=()
for r in $(seq 1 "$RUNS"); do
	"$BROKER" topic "$KAFKA_DIR" "bench_kcat_$r" $PARTS
	t0=$(now)
	kcat -P -b "$bootstrap" -t "bench_kcat_$r" -l "$BENCH_DIR/sink.json.all"
	t1=$(now)
	kcatp_times+=("$(echo "$t1 - $t0" | bc -l)")
	n=$(topic_count "bench_kcat_$r")
	[ "$n" = "$SINK_EVENTS" ] || { echo "kcat -P wrote $n, not $SINK_EVENTS" >&2; exit 1; }

	"$BROKER" topic "$KAFKA_DIR" "bench_sink_$r" $PARTS
	psql_pg -c "SELECT siddhi.undeploy('ksink')" >/dev/null 2>&1 || true
	psql_pg <<SQL || deploy_failed sink
SELECT siddhi.deploy('ksink', \$app\$
  define stream SinkIn (id long, symbol string, price double, volume long, ts long, note string);
  @sink(type='kafka', topic='bench_sink_$r', bootstrap.servers='$bootstrap', $SINK_MAP)
  define stream SinkOut (id long, symbol string, price double, volume long, ts long, note string);
  from SinkIn select * insert into SinkOut;
\$app\$);
SQL
	t0=$(now)
	psql_pg -c "INSERT INTO sinkin SELECT i, 'SYM' || (i % 1000), round((i % 1000) / 50.0, 2),
		i % 100000, 1764900000000 + i, 'quick brown fox jumps over the lazy dog 0123456789abcdefghij'
		FROM generate_series(1, $SINK_EVENTS) i"
	waited=0
	until [ "$(topic_count "bench_sink_$r")" -ge "$SINK_EVENTS" ]; do
		sleep 0.2
		waited=$((waited + 1))
		if [ $waited -gt $((TIMEOUT * 5)) ]; then
			echo "the sink did not deliver $SINK_EVENTS events in $TIMEOUT s" >&2
			exit 1
		fi
	done
	t1=$(now)
	sink_times+=("$(echo "$t1 - $t0" | bc -l)")
done
kp=$(median "${kcatp_times[@]}")
sk=$(median "${sink_times[@]}")
kp_rate=$(rate "$SINK_EVENTS" "$kp")
sk_rate=$(rate "$SINK_EVENTS" "$sk")
printf 'kcat -P of %d lines from a file:    %8.2f s  %10.0f msg/s\n' "$SINK_EVENTS" "$kp" "$kp_rate"
printf 'siddhi INSERT -> @sink kafka, delivered: %8.2f s  %10.0f msg/s  ratio %.2f\n' \
	"$sk" "$sk_rate" "$(echo "$sk_rate / $kp_rate" | bc -l)"
