#!/usr/bin/env bash
# Batch isolation: the cost of giving every unit of work that can fail its
# own subtransaction.  N events go through three apps: two plain inserts
# into tables (one with a primary key), a join that looks a table up for
# every event (each lookup writes the rows buffered for that table first),
# and an upsert for every 100th event.  The stream time runs until
# siddhi.flush() says the engine processed (and committed) all events;
# the baseline is COPY of the same rows into an UNLOGGED table, in the
# same run.  Compare builds by the ratio, the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-500000}
RUNS=${RUNS:-3}

bench_start
csv=$BENCH_DIR/rows.csv
$RUN_AS $PSQL -d postgres -c "COPY (SELECT i, 'SYM' || (i % 1000), (i % 500)::float8 / 3
	FROM generate_series(1, $ROWS) i) TO '$csv' (FORMAT csv)"
$RUN_AS $PSQL -d postgres <<'SQL'
CREATE UNLOGGED TABLE baseline (id int, symbol text, price float8);
CREATE TABLE iso_keyed (id int PRIMARY KEY, symbol text, price float8);
CREATE TABLE iso_last (symbol text PRIMARY KEY, price float8);
SELECT siddhi.deploy('iso_a', $$
  define stream IsoTicks (id int, symbol string, price double);
  define table IsoAll (id int, symbol string, price double);
  define table IsoSeen (symbol string);
  define table IsoJoined (id int, symbol string);
  from IsoTicks insert into IsoAll;
  from IsoTicks[id % 1000 == 0] select symbol insert into IsoSeen;
  from IsoTicks[id % 10 == 0] join IsoSeen on IsoSeen.symbol == IsoTicks.symbol
  select IsoTicks.id, IsoTicks.symbol insert into IsoJoined;
$$);
SELECT siddhi.deploy('iso_b', $$
  define stream IsoTicks (id int, symbol string, price double);
  define table Iso_Keyed (id int, symbol string, price double);
  @PrimaryKey('symbol')
  define table Iso_Last (symbol string, price double);
  from IsoTicks insert into Iso_Keyed;
  from IsoTicks[id % 100 == 0] select symbol, price
  update or insert into Iso_Last
    set Iso_Last.price = price on Iso_Last.symbol == symbol;
$$);
SELECT siddhi.flush();
SQL

base_times=()
stream_times=()
for r in $(seq 1 "$RUNS"); do
	$RUN_AS $PSQL -d postgres -c "TRUNCATE baseline" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY baseline FROM '$csv' (FORMAT csv)"
	t1=$(now)
	base_times+=("$(echo "$t1 - $t0" | bc -l)")

	$RUN_AS $PSQL -d postgres -c "TRUNCATE isoall, isoseen, isojoined, iso_keyed, iso_last" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY isoticks FROM '$csv' (FORMAT csv)"
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
	stream_times+=("$(echo "$t1 - $t0" | bc -l)")
done
counts=$($RUN_AS $PSQL -d postgres -At -c "SELECT (SELECT count(*) FROM isoall) || ' ' || (SELECT count(*) FROM iso_keyed) || ' ' || (SELECT count(*) FROM isojoined) || ' ' || (SELECT count(*) FROM iso_last)")
errors=$($RUN_AS $PSQL -d postgres -At -c "SELECT sum(errors) FROM siddhi.queries")
bench_stop

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b=$(median "${base_times[@]}")
s=$(median "${stream_times[@]}")
printf 'rows: %d (x%d runs, median)   machine: %s\n' "$ROWS" "$RUNS" "$(machine)"
printf 'COPY into UNLOGGED table:            %8.2f s  %10.0f rows/s\n' "$b" "$(echo "$ROWS / $b" | bc -l)"
printf 'COPY into stream, 3 apps, done:      %8.2f s  %10.0f rows/s\n' "$s" "$(echo "$ROWS / $s" | bc -l)"
printf 'ratio stream/unlogged (rows/s):      %8.3f\n' "$(echo "$b / $s" | bc -l)"
printf 'rows in isoall iso_keyed isojoined iso_last: %s; errors: %s\n' "$counts" "$errors"
