#!/usr/bin/env bash
# Durability's cost on ingest: COPY of the same N (text, float8, int8) rows
# into a durable stream, into a non-durable stream (both feeding the same
# filter into a table) and into a logged heap table, in the same run.
# Each stream time runs until siddhi.flush() says the engine has processed
# and committed every row (for the durable stream, that includes deleting
# its staged chunks).  Goal (issue 15): durable at least 1.0x the logged
# COPY.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}

bench_start
csv=$BENCH_DIR/rows.csv
$RUN_AS $PSQL -d postgres -c "COPY (SELECT 'SYM' || (i % 1000), (i % 500)::float8 / 3, i::int8
	FROM generate_series(1, $ROWS) i) TO '$csv' (FORMAT csv)"
$RUN_AS $PSQL -d postgres <<'SQL'
CREATE TABLE logged (symbol text, price float8, volume int8);
SELECT siddhi.deploy('dura', $$
  CREATE STREAM ticks_durable (symbol text, price float8, volume bigint)
    WITH (durable = true);
  CREATE STREAM ticks_plain (symbol text, price float8, volume bigint);
  CREATE TABLE expensive (symbol text, price float8, volume bigint);
  INSERT INTO expensive SELECT * FROM ticks_durable WHERE price > 150.0;
  INSERT INTO expensive SELECT * FROM ticks_plain WHERE price > 150.0;
$$);
SELECT siddhi.flush();
SQL

run_stream() {
	local stream=$1
	$RUN_AS $PSQL -d postgres -c "TRUNCATE expensive" -c "VACUUM siddhi.stream_staging" -c "CHECKPOINT"
	local t0 t1 ok
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY $stream FROM '$csv' (FORMAT csv)"
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
	echo "$t1 - $t0" | bc -l
}

base_times=()
plain_times=()
durable_times=()
for r in $(seq 1 "$RUNS"); do
	$RUN_AS $PSQL -d postgres -c "TRUNCATE logged" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY logged FROM '$csv' (FORMAT csv)"
	t1=$(now)
	base_times+=("$(echo "$t1 - $t0" | bc -l)")
	plain_times+=("$(run_stream ticks_plain)")
	durable_times+=("$(run_stream ticks_durable)")
done
expect=$($RUN_AS $PSQL -d postgres -At -c "SELECT count(*) FROM generate_series(1, $ROWS) i WHERE (i % 500)::float8 / 3 > 150")
got=$($RUN_AS $PSQL -d postgres -At -c "SELECT count(*) FROM expensive")
backlog=$($RUN_AS $PSQL -d postgres -At -c "SELECT pieces FROM siddhi.durable_backlog")
bench_stop

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b=$(median "${base_times[@]}")
p=$(median "${plain_times[@]}")
d=$(median "${durable_times[@]}")
printf 'rows: %d (x%d runs, median)   machine: %s\n' "$ROWS" "$RUNS" "$(machine)"
printf 'COPY into logged heap table:          %8.2f s  %10.0f rows/s\n' "$b" "$(echo "$ROWS / $b" | bc -l)"
printf 'COPY into non-durable stream, done:   %8.2f s  %10.0f rows/s  ratio %.2f\n' "$p" "$(echo "$ROWS / $p" | bc -l)" "$(echo "$b / $p" | bc -l)"
printf 'COPY into durable stream, done:       %8.2f s  %10.0f rows/s  ratio %.2f\n' "$d" "$(echo "$ROWS / $d" | bc -l)" "$(echo "$b / $d" | bc -l)"
printf 'rows matched by the filter (last run): %s (expected %s); staged pieces left: %s\n' "$got" "$expect" "$backlog"
[ "$got" = "$expect" ] && [ "$backlog" = 0 ]
