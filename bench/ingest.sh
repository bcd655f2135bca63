#!/usr/bin/env bash
# Ingest: COPY of N (text, float8, int8) rows into a stream whose app
# filters them into a table, against COPY of the same rows into an
# UNLOGGED table, in the same run.  The stream time runs until
# siddhi.flush() says the engine has processed (and committed) all rows.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-5000000}
RUNS=${RUNS:-3}

bench_start
csv=$BENCH_DIR/rows.csv
$RUN_AS $PSQL -d postgres -c "COPY (SELECT 'SYM' || (i % 1000), (i % 500)::float8 / 3, i::int8
	FROM generate_series(1, $ROWS) i) TO '$csv' (FORMAT csv)"
$RUN_AS $PSQL -d postgres <<'SQL'
CREATE UNLOGGED TABLE baseline (symbol text, price float8, volume int8);
SELECT siddhi.deploy('ingest', $$
  define stream Ticks (symbol string, price double, volume long);
  define table Expensive (symbol string, price double, volume long);
  from Ticks[price > 150.0] select symbol, price, volume insert into Expensive;
$$);
SELECT siddhi.flush();
SQL
# the same rows in 10 files, for the run that commits every 10th of them
parts=10
$RUN_AS bash -c "cd '$BENCH_DIR' && split -n l/$parts -d rows.csv part."
copy_parts=""
for f in "$BENCH_DIR"/part.*; do
	copy_parts="$copy_parts -c \"COPY ticks FROM '$f' (FORMAT csv)\""
done

base_times=()
stream_times=()
batched_times=()
for r in $(seq 1 "$RUNS"); do
	$RUN_AS $PSQL -d postgres -c "TRUNCATE baseline" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY baseline FROM '$csv' (FORMAT csv)"
	t1=$(now)
	base_times+=("$(echo "$t1 - $t0" | bc -l)")

	$RUN_AS $PSQL -d postgres -c "TRUNCATE expensive" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY ticks FROM '$csv' (FORMAT csv)"
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
	stream_times+=("$(echo "$t1 - $t0" | bc -l)")

	$RUN_AS $PSQL -d postgres -c "TRUNCATE expensive" -c "CHECKPOINT"
	t0=$(now)
	eval "$RUN_AS $PSQL -d postgres $copy_parts"
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
	batched_times+=("$(echo "$t1 - $t0" | bc -l)")
done
expect=$($RUN_AS $PSQL -d postgres -At -c "SELECT count(*) FROM generate_series(1, $ROWS) i WHERE (i % 500)::float8 / 3 > 150")
got=$($RUN_AS $PSQL -d postgres -At -c "SELECT count(*) FROM expensive")
bench_stop

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b=$(median "${base_times[@]}")
s=$(median "${stream_times[@]}")
m=$(median "${batched_times[@]}")
printf 'rows: %d (x%d runs, median)   machine: %s\n' "$ROWS" "$RUNS" "$(machine)"
printf 'COPY into UNLOGGED table:          %8.2f s  %10.0f rows/s\n' "$b" "$(echo "$ROWS / $b" | bc -l)"
printf 'COPY into stream, filtered, done:  %8.2f s  %10.0f rows/s\n' "$s" "$(echo "$ROWS / $s" | bc -l)"
printf 'ratio stream/unlogged (rows/s):    %8.2f\n' "$(echo "$b / $s" | bc -l)"
printf 'same, as %d COPY transactions:     %8.2f s  %10.0f rows/s  ratio %.2f\n' "$parts" "$m" "$(echo "$ROWS / $m" | bc -l)" "$(echo "$b / $m" | bc -l)"
printf 'rows matched by the filter: %s (expected %s)\n' "$got" "$expect"
[ "$got" = "$expect" ]
