#!/usr/bin/env bash
# Incremental aggregation, three measures, each with a baseline from the
# same invocation:
#  1. ingest: COPY of ROWS events (1,000 groups, times spread over DAYS
#     days) into a stream aggregated every sec ... year, until
#     siddhi.flush() says all are in the tables, against COPY of the same
#     rows into an UNLOGGED table;
#  2. retrieval: on-demand `from A on symbol == 'Gk' within <30 days> per
#     'hours'` through siddhi.query() (and the view in plain SQL, and
#     siddhi.aggregation() with on_values {"symbol": "Gk"}), p50 and
#     p99 over QUERIES runs with a random group each, against computing
#     the same hourly sums from the raw rows (UNLOGGED table with an index
#     on (symbol, ts));
#  3. storage: all granularity tables (with Siddhi's default retention,
#     the app clock following event time) against the raw rows' table;
#  4. ingest of a denser feed (DENSE_ROWS events, 1,000 groups, 1,000
#     events a second of event time, so a min bucket holds 60 events of a
#     group), against COPY of the same rows into an UNLOGGED table.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-10000000}
DAYS=${DAYS:-30}
RUNS=${RUNS:-1}
QUERIES=${QUERIES:-500}
DENSE_ROWS=${DENSE_ROWS:-$ROWS}
BASE_TS=1700000000000 # 2023-11-14 22:13:20 UTC
SPAN=$((DAYS * 86400000))

bench_start
csv=$BENCH_DIR/agg.csv
# time ascending, group = i mod 1000, as a feed of trades would come
$RUN_AS $PSQL -d postgres -c "COPY (SELECT 'G' || (i % 1000), 10 + (i % 97)::float8 / 7, 1 + i % 50,
	$BASE_TS + (i::numeric * $SPAN / $ROWS)::int8
	FROM generate_series(0, $ROWS - 1) i) TO '$csv' (FORMAT csv)"
$RUN_AS $PSQL -d postgres <<SQL
CREATE UNLOGGED TABLE raw_trades (symbol text, price float8, volume int8, ts int8);
SELECT siddhi.deploy('aggbench', \$\$
  @app:playback
  @eventTime('ts')
  define stream Trades (symbol string, price double, volume long, ts long);
  ${PURGE_ANNOTATION:-}
  define aggregation TradeAgg from Trades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi
  group by symbol
  aggregate by ts every sec ... year;
\$\$);
SELECT siddhi.flush();
SQL

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base_times=()
agg_times=()
for r in $(seq 1 "$RUNS"); do
	$RUN_AS $PSQL -d postgres -c "TRUNCATE raw_trades" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY raw_trades FROM '$csv' (FORMAT csv)"
	t1=$(now)
	base_times+=("$(echo "$t1 - $t0" | bc -l)")

	$RUN_AS $PSQL -d postgres -c "SELECT siddhi.undeploy('aggbench', drop_tables => true)" >/dev/null
	$RUN_AS $PSQL -d postgres <<SQL
SELECT siddhi.deploy('aggbench', \$\$
  @app:playback
  @eventTime('ts')
  define stream Trades (symbol string, price double, volume long, ts long);
  ${PURGE_ANNOTATION:-}
  define aggregation TradeAgg from Trades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi
  group by symbol
  aggregate by ts every sec ... year;
\$\$);
SELECT siddhi.flush();
CHECKPOINT;
SQL
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY trades FROM '$csv' (FORMAT csv)"
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(3600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish" >&2; exit 1; }
	agg_times+=("$(echo "$t1 - $t0" | bc -l)")
done
b=$(median "${base_times[@]}")
a=$(median "${agg_times[@]}")

# correctness: the year buckets hold every event once
got=$($RUN_AS $PSQL -d postgres -At -c "SELECT sum(n) FROM tradeagg_year")
[ "$got" = "$ROWS" ] || { echo "year buckets count $got events, not $ROWS" >&2; exit 1; }

# storage, after the last purge (default retention, app clock = event time)
$RUN_AS $PSQL -d postgres -c "VACUUM ANALYZE" >/dev/null
storage=$($RUN_AS $PSQL -d postgres -At -F ' ' -c "
	SELECT (SELECT sum(pg_total_relation_size(('public.' || t)::regclass))
	          FROM siddhi.aggregations, unnest(tables) t WHERE aggregation = 'tradeagg'),
	       pg_total_relation_size('raw_trades')")
rows_per_table=$($RUN_AS $PSQL -d postgres -At -c "
	SELECT string_agg(t || ' ' || (xpath('/row/c/text()',
	         query_to_xml('SELECT count(*) AS c FROM public.' || t, false, true, '')))[1]::text, ', ')
	  FROM siddhi.aggregations, unnest(tables) t WHERE aggregation = 'tradeagg'")
agg_bytes=${storage% *}
raw_bytes=${storage#* }
# the same after VACUUM FULL: live rows only (one COPY is one transaction,
# so the sec and min rows it purged are dead space nothing could reuse yet)
$RUN_AS $PSQL -d postgres -c "VACUUM FULL tradeagg_sec, tradeagg_min, tradeagg_hour, tradeagg_day, tradeagg_month, tradeagg_year" >/dev/null
agg_live=$($RUN_AS $PSQL -d postgres -At -c "
	SELECT sum(pg_total_relation_size(('public.' || t)::regclass))
	  FROM siddhi.aggregations, unnest(tables) t WHERE aggregation = 'tradeagg'")

# retrieval: one group, per hour, over the whole span
$RUN_AS $PSQL -d postgres -c "CREATE INDEX ON raw_trades (symbol, ts)" -c "VACUUM ANALYZE raw_trades"
start=$BASE_TS
end=$((BASE_TS + SPAN))
cat >"$BENCH_DIR/q_ondemand.sql" <<SQL
\set g random(0, 999)
SELECT count(*) FROM siddhi.query('aggbench', 'from TradeAgg on symbol == "G' || :g || '" within ${start}L, ${end}L per "hours" select AGG_TIMESTAMP, total, avgprice, n, lo, hi');
SQL
cat >"$BENCH_DIR/q_view.sql" <<SQL
\set g random(0, 999)
SELECT count(*) FROM (SELECT agg_timestamp, total, avgprice, n, lo, hi FROM tradeagg
  WHERE agg_granularity = 'hour' AND symbol = 'G' || :g
    AND agg_timestamp >= $start AND agg_timestamp < $end ORDER BY agg_timestamp) s;
SQL
cat >"$BENCH_DIR/q_agg.sql" <<SQL
\set g random(0, 999)
SELECT count(*) FROM siddhi.aggregation('tradeagg', $start, $end, 'hours', jsonb_build_object('symbol', 'G' || :g));
SQL
cat >"$BENCH_DIR/q_raw.sql" <<SQL
\set g random(0, 999)
SELECT count(*) FROM (SELECT ts / 3600000 AS h, sum(volume), avg(price), count(*), min(price), max(price)
  FROM raw_trades WHERE symbol = 'G' || :g AND ts >= $start AND ts < $end
  GROUP BY 1 ORDER BY 1) s;
SQL
chmod a+r "$BENCH_DIR"/q_*.sql
pct() { # file with one latency (us) per line -> "p50 p99"
	sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f %.2f", a[int(NR*0.50+0.5)]/1000, a[int(NR*0.99+0.5)]/1000}'
}
lat() {
	rm -f "$BENCH_DIR"/pgbench_log.*
	$RUN_AS bash -c "cd '$BENCH_DIR' && '$PG_BINDIR/pgbench' -h '$BENCH_DIR' -p $BENCH_PORT -U postgres -n -c 1 -t $QUERIES -l -f '$1' postgres >/dev/null"
	awk '{print $3}' "$BENCH_DIR"/pgbench_log.* >"$BENCH_DIR/lat.txt"
	pct "$BENCH_DIR/lat.txt"
}
l_od=$(lat "$BENCH_DIR/q_ondemand.sql")
l_view=$(lat "$BENCH_DIR/q_view.sql")
l_agg=$(lat "$BENCH_DIR/q_agg.sql")
l_raw=$(lat "$BENCH_DIR/q_raw.sql")

# the denser feed: event i at BASE_TS + i ms, group i mod 1000
dcsv=$BENCH_DIR/agg_dense.csv
$RUN_AS $PSQL -d postgres -c "COPY (SELECT 'G' || (i % 1000), 10 + (i % 97)::float8 / 7, 1 + i % 50,
	$BASE_TS + i FROM generate_series(0, $DENSE_ROWS - 1) i) TO '$dcsv' (FORMAT csv)"
dbase_times=()
dagg_times=()
for r in $(seq 1 "$RUNS"); do
	$RUN_AS $PSQL -d postgres -c "TRUNCATE raw_trades" -c "DROP INDEX IF EXISTS raw_trades_symbol_ts_idx" -c "CHECKPOINT"
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY raw_trades FROM '$dcsv' (FORMAT csv)"
	t1=$(now)
	dbase_times+=("$(echo "$t1 - $t0" | bc -l)")
	$RUN_AS $PSQL -d postgres -c "SELECT siddhi.undeploy('aggbench', drop_tables => true)" >/dev/null
	$RUN_AS $PSQL -d postgres <<SQL
SELECT siddhi.deploy('aggbench', \$\$
  @app:playback
  @eventTime('ts')
  define stream Trades (symbol string, price double, volume long, ts long);
  ${PURGE_ANNOTATION:-}
  define aggregation TradeAgg from Trades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi
  group by symbol
  aggregate by ts every sec ... year;
\$\$);
SELECT siddhi.flush();
CHECKPOINT;
SQL
	t0=$(now)
	$RUN_AS $PSQL -d postgres -c "COPY trades FROM '$dcsv' (FORMAT csv)"
	ok=$($RUN_AS $PSQL -d postgres -At -c "SELECT siddhi.flush(3600000)")
	t1=$(now)
	[ "$ok" = t ] || { echo "engine did not finish (dense feed)" >&2; exit 1; }
	dagg_times+=("$(echo "$t1 - $t0" | bc -l)")
done
got=$($RUN_AS $PSQL -d postgres -At -c "SELECT sum(n) FROM tradeagg_year")
[ "$got" = "$DENSE_ROWS" ] || { echo "dense: year buckets count $got events, not $DENSE_ROWS" >&2; exit 1; }
db=$(median "${dbase_times[@]}")
da=$(median "${dagg_times[@]}")
bench_stop

printf 'events: %d over %d days, 1000 groups, every sec ... year (x%d runs, median)   machine: %s\n' "$ROWS" "$DAYS" "$RUNS" "$(machine)"
printf 'COPY into UNLOGGED table:            %8.2f s  %10.0f rows/s\n' "$b" "$(echo "$ROWS / $b" | bc -l)"
printf 'COPY into aggregated stream, done:   %8.2f s  %10.0f rows/s\n' "$a" "$(echo "$ROWS / $a" | bc -l)"
printf 'ratio aggregation/unlogged (rows/s): %8.3f\n' "$(echo "$b / $a" | bc -l)"
printf 'retrieval, 1 group per hour over %d days, ms (p50 p99) over %d queries:\n' "$DAYS" "$QUERIES"
printf '  siddhi.query(from A on .. within .. per "hours"): %s\n' "$l_od"
printf '  plain SQL on the view:                           %s\n' "$l_view"
printf '  siddhi.aggregation(.., on_values => one group):  %s\n' "$l_agg"
printf '  baseline, GROUP BY hour over the raw rows:       %s\n' "$l_raw"
printf '  ratio p99 on-demand/raw: %.3f   view/raw: %.3f\n' \
	"$(echo "${l_od#* } / ${l_raw#* }" | bc -l)" "$(echo "${l_view#* } / ${l_raw#* }" | bc -l)"
printf 'storage: granularity tables %d bytes (%s) vs raw rows %d bytes: %.1f %% smaller\n' \
	"$agg_bytes" "$rows_per_table" "$raw_bytes" "$(echo "100 * (1 - $agg_bytes / $raw_bytes)" | bc -l)"
printf 'dense feed: %d events, 1000 groups, 1000 events/s of event time\n' "$DENSE_ROWS"
printf '  COPY into UNLOGGED table:            %8.2f s  %10.0f rows/s\n' "$db" "$(echo "$DENSE_ROWS / $db" | bc -l)"
printf '  COPY into aggregated stream, done:   %8.2f s  %10.0f rows/s\n' "$da" "$(echo "$DENSE_ROWS / $da" | bc -l)"
printf '  ratio aggregation/unlogged (rows/s): %8.3f\n' "$(echo "$db / $da" | bc -l)"
printf 'storage after VACUUM FULL: granularity tables %d bytes vs raw rows %d bytes: %.1f %% smaller\n' \
	"$agg_live" "$raw_bytes" "$(echo "100 * (1 - $agg_live / $raw_bytes)" | bc -l)"
