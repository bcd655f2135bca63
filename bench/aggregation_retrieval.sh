#!/usr/bin/env bash
# Retrieval from an incremental aggregation without ingesting it first:
# the hour table of bench/aggregation.sh's feed (ROWS events over 30 days,
# 1,000 groups) is generated directly, in time order as the engine writes
# it, into the deployed aggregation's table (its write guard off for the
# load).  Then one random group's hourly buckets over the 30 days (720
# rows), QUERIES times each, p50 and p99 (pgbench): siddhi.query(), plain
# SQL on the view, siddhi.aggregation() with on_values; the baseline is the
# same rows read from the hour table itself (no view, no JSON).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-10000000}
QUERIES=${QUERIES:-500}
BASE_TS=1700000000000
SPAN=$((30 * 86400000))

bench_start
$RUN_AS $PSQL -d postgres <<SQL
SELECT siddhi.deploy('aggbench', \$\$
  @app:playback
  @eventTime('ts')
  define stream Trades (symbol string, price double, volume long, ts long);
  define aggregation TradeAgg from Trades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi
  group by symbol
  aggregate by ts every sec ... year;
\$\$);
SET session_replication_role = replica;
INSERT INTO tradeagg_hour
  SELECT ts / 3600000 * 3600000, 'G' || (i % 1000), sum(1 + i % 50),
         sum(10 + (i % 97)::float8 / 7), count(*), count(*),
         min(10 + (i % 97)::float8 / 7), max(10 + (i % 97)::float8 / 7)
    FROM (SELECT i, $BASE_TS + (i::numeric * $SPAN / $ROWS)::int8 AS ts
            FROM generate_series(0, $ROWS - 1) i) e
   GROUP BY 1, 2 ORDER BY 1, 2;
VACUUM ANALYZE tradeagg_hour;
SQL
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
cat >"$BENCH_DIR/q_table.sql" <<SQL
\set g random(0, 999)
SELECT count(*) FROM (SELECT agg_timestamp, total, avgprice_sum / avgprice_count, n, lo, hi
  FROM tradeagg_hour WHERE symbol = 'G' || :g
    AND agg_timestamp >= $start AND agg_timestamp < $end ORDER BY agg_timestamp) s;
SQL
chmod a+r "$BENCH_DIR"/q_*.sql
pct() {
	sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f %.2f", a[int(NR*0.50+0.5)]/1000, a[int(NR*0.99+0.5)]/1000}'
}
lat() {
	rm -f "$BENCH_DIR"/pgbench_log.*
	$RUN_AS bash -c "cd '$BENCH_DIR' && '$PG_BINDIR/pgbench' -h '$BENCH_DIR' -p $BENCH_PORT -U postgres -n -c 1 -t $QUERIES -l -f '$1' postgres >/dev/null"
	awk '{print $3}' "$BENCH_DIR"/pgbench_log.* >"$BENCH_DIR/lat.txt"
	pct "$BENCH_DIR/lat.txt"
}
l_table=$(lat "$BENCH_DIR/q_table.sql")
l_view=$(lat "$BENCH_DIR/q_view.sql")
l_od=$(lat "$BENCH_DIR/q_ondemand.sql")
l_agg=$(lat "$BENCH_DIR/q_agg.sql")
bench_stop
printf 'hour table of %d events over 30 days, 1000 groups; machine: %s\n' "$ROWS" "$(machine)"
printf 'one group per hour over 30 days (720 rows), ms (p50 p99) over %d queries:\n' "$QUERIES"
printf '  baseline, the hour table itself:                  %s\n' "$l_table"
printf '  plain SQL on the view:                            %s\n' "$l_view"
printf '  siddhi.query(from A on .. within .. per "hours"): %s\n' "$l_od"
printf '  siddhi.aggregation(.., on_values):                %s\n' "$l_agg"
printf '  ratio p99 view/table: %.3f   query/table: %.3f   aggregation/table: %.3f\n' \
	"$(echo "${l_view#* } / ${l_table#* }" | bc -l)" "$(echo "${l_od#* } / ${l_table#* }" | bc -l)" \
	"$(echo "${l_agg#* } / ${l_table#* }" | bc -l)"
