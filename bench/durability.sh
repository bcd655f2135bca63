# Durability's cost on ingest: COPY of the same N (text, float8, int8) rows
# into a durable stream, into a non-durable stream (both feeding the same
# filter into a table) and into a logged heap table, in the same run.
# Each stream has two times: until its COPYs returned (the rows are then
# committed: for the durable stream, on disk as firmly as the logged
# table's, to be processed exactly once whatever happens), and until
# siddhi.flush() says the engine has processed and committed every row
# (for the durable stream, that includes deleting its staged chunks).
# Goal (issue 15): durable at least 1.0x the logged COPY.
#
# The rows go in as one COPY (one transaction), then as a feed of TXNS
# COPYs of N/TXNS rows each, back to back in one session (default 10).
# One transaction serializes the work: the engine feeds a transaction only
# once it has committed, so its processing all comes after the COPY.  In a
# feed, the engine processes one transaction while the next is copied in,
# as it does under a sustained load.
#
#   ROWS=1000000 RUNS=3 TXNS=10 bash bench/durability.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
TXNS=${TXNS:-10}

bench_start
csv=$BENCH_DIR/rows.csv
$RUN_AS $PSQL -d postgres -c "COPY (SELECT 'SYM' || (i % 1000), (i % 500)::float8 / 3, i::int8
	FROM generate_series(1, $ROWS) i) TO '$csv' (FORMAT csv)"
# the same rows in TXNS files, for the feed
per=$(((ROWS + TXNS - 1) / TXNS))
for t in $(seq 0 $((TXNS - 1))); do
	$RUN_AS $PSQL -d postgres -c "COPY (SELECT 'SYM' || (i % 1000), (i % 500)::float8 / 3, i::int8
		FROM generate_series($((t * per + 1)), LEAST($(((t + 1) * per)), $ROWS)) i) TO '$csv.$t' (FORMAT csv)" >/dev/null
done
# copy_sql TABLE N: the COPY statements of N transactions into TABLE
copy_sql() {
	if [ "$2" = 1 ]; then
		echo "COPY $1 FROM '$csv' (FORMAT csv);"
	else
		for t in $(seq 0 $(($2 - 1))); do echo "COPY $1 FROM '$csv.$t' (FORMAT csv);"; done
	fi
}
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

run_stream() { # stream, transactions
	$RUN_AS $PSQL -d postgres -c "TRUNCATE expensive" -c "VACUUM siddhi.stream_staging" -c "CHECKPOINT" >/dev/null
	local t0 t1 ok
	t0=$(now)
	copy_sql "$1" "$2" | $RUN_AS $PSQL -d postgres >/dev/null
	tc=$(now)
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
	echo "$(echo "$tc - $t0" | bc -l) $(echo "$t1 - $t0" | bc -l)"
}
run_logged() { # transactions
	local t0 t1
	$RUN_AS $PSQL -d postgres -c "TRUNCATE logged" -c "CHECKPOINT" >/dev/null
	t0=$(now)
	copy_sql logged "$1" | $RUN_AS $PSQL -d postgres >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
line() { # label, base time, time
	printf '%-44s %8.2f s  %10.0f rows/s  ratio %.2f\n' "$1" "$3" "$(echo "$ROWS / $3" | bc -l)" "$(echo "$2 / $3" | bc -l)"
}
report() { # transactions, then the times: base, plain copied, plain done,
	# durable copied, durable done
	printf '%-44s %8.2f s  %10.0f rows/s\n' "COPY into logged heap table:" "$2" "$(echo "$ROWS / $2" | bc -l)"
	line "COPY into non-durable stream, committed:" "$2" "$3"
	line "COPY into non-durable stream, processed:" "$2" "$4"
	line "COPY into durable stream, committed:" "$2" "$5"
	line "COPY into durable stream, processed:" "$2" "$6"
}

results=()
for txns in 1 "$TXNS"; do
	base_times=()
	plain_copied=()
	plain_done=()
	durable_copied=()
	durable_done=()
	for r in $(seq 1 "$RUNS"); do
		base_times+=("$(run_logged "$txns")")
		read -r c d <<<"$(run_stream ticks_plain "$txns")"
		plain_copied+=("$c")
		plain_done+=("$d")
		read -r c d <<<"$(run_stream ticks_durable "$txns")"
		durable_copied+=("$c")
		durable_done+=("$d")
	done
	results+=("$txns $(median "${base_times[@]}") $(median "${plain_copied[@]}") $(median "${plain_done[@]}") $(median "${durable_copied[@]}") $(median "${durable_done[@]}")")
	[ "$TXNS" = 1 ] && break
done
expect=$($RUN_AS $PSQL -d postgres -At -c "SELECT count(*) FROM generate_series(1, $ROWS) i WHERE (i % 500)::float8 / 3 > 150")
got=$($RUN_AS $PSQL -d postgres -At -c "SELECT count(*) FROM expensive")
backlog=$($RUN_AS $PSQL -d postgres -At -c "SELECT pieces FROM siddhi.durable_backlog")
bench_stop

printf 'rows: %d (x%d runs, median)   machine: %s\n' "$ROWS" "$RUNS" "$(machine)"
for res in "${results[@]}"; do
	read -r txns b pc pd dc dd <<<"$res"
	echo "-- in $txns transaction(s):"
	report "$txns" "$b" "$pc" "$pd" "$dc" "$dd"
done
printf 'rows matched by the filter (last run): %s (expected %s); staged pieces left: %s\n' "$got" "$expect" "$backlog"
[ "$got" = "$expect" ] && [ "$backlog" = 0 ]
