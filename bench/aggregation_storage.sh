#!/usr/bin/env bash
# Storage of an incremental aggregation against the raw rows, for a feed
# too large to ingest on a shared machine (ROWS=100000000 by default):
# the raw rows are generated into a table (UNLOGGED heap, no index, as the
# baseline of bench/aggregation.sh), and the granularity tables' rows are
# generated directly, as the engine would leave them after its last purge
# (Siddhi's default retention, the app clock = the last event time: sec
# 120 s, min 24 h, hour 30 days, day 1 year, month and year all), into
# tables made LIKE the deployed aggregation's tables (same columns,
# indexes and fillfactor).  Both are measured with pg_total_relation_size
# after VACUUM: live rows, as after the engine's purges and autovacuum.
# The feed is bench/aggregation.sh's: 1,000 groups in turn, times evenly
# over DAYS days.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-100000000}
DAYS=${DAYS:-30}
BASE_TS=1700000000000
SPAN=$((DAYS * 86400000))

bench_start
t0=$(now)
$RUN_AS $PSQL -d postgres <<SQL
SELECT siddhi.deploy('aggstore', \$\$
  @app:playback
  @eventTime('ts')
  define stream Trades (symbol string, price double, volume long, ts long);
  define aggregation TradeAgg from Trades
  select symbol, sum(volume) as total, avg(price) as avgprice, count() as n,
         min(price) as lo, max(price) as hi
  group by symbol
  aggregate by ts every sec ... year;
\$\$);
CREATE UNLOGGED TABLE raw_trades (symbol text, price float8, volume int8, ts int8);
INSERT INTO raw_trades SELECT 'G' || (i % 1000), 10 + (i % 97)::float8 / 7, 1 + i % 50,
	$BASE_TS + (i::numeric * $SPAN / $ROWS)::int8
	FROM generate_series(0::int8, $ROWS - 1) i;
-- the last event time: the app clock at the end
SELECT $BASE_TS + (($ROWS - 1)::numeric * $SPAN / $ROWS)::int8 AS last \gset
DO \$\$
DECLARE g text;
BEGIN
  FOREACH g IN ARRAY ARRAY['sec', 'min', 'hour', 'day', 'month', 'year'] LOOP
    EXECUTE format('CREATE TABLE gen_%s (LIKE tradeagg_%s INCLUDING ALL)', g, g);
    EXECUTE format('ALTER TABLE gen_%s SET (fillfactor = 70)', g);
  END LOOP;
END \$\$;
-- one pass over the events for every hour bucket, the coarser ones
-- rolled up from them (partial states merge exactly)
CREATE TEMP TABLE all_hour AS
  SELECT ts / 3600000 * 3600000 AS agg_timestamp, symbol, sum(volume) AS total,
         sum(price) AS avgprice_sum, count(*) AS avgprice_count, count(*) AS n,
         min(price) AS lo, max(price) AS hi
    FROM raw_trades GROUP BY 1, 2;
INSERT INTO gen_hour SELECT * FROM all_hour
  WHERE agg_timestamp >= :last - 30 * 86400000::int8;
INSERT INTO gen_day
  SELECT agg_timestamp / 86400000 * 86400000, symbol, sum(total), sum(avgprice_sum),
         sum(avgprice_count), sum(n), min(lo), max(hi)
    FROM all_hour WHERE agg_timestamp / 86400000 * 86400000 >= :last - 31536000000 GROUP BY 1, 2;
INSERT INTO gen_month
  SELECT (extract(epoch FROM date_trunc('month', to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC')) * 1000)::int8,
         symbol, sum(total), sum(avgprice_sum), sum(avgprice_count), sum(n), min(lo), max(hi)
    FROM gen_day GROUP BY 1, 2;
INSERT INTO gen_year
  SELECT (extract(epoch FROM date_trunc('year', to_timestamp(agg_timestamp / 1000.0) AT TIME ZONE 'UTC')) * 1000)::int8,
         symbol, sum(total), sum(avgprice_sum), sum(avgprice_count), sum(n), min(lo), max(hi)
    FROM gen_month GROUP BY 1, 2;
INSERT INTO gen_min
  SELECT ts / 60000 * 60000, symbol, sum(volume), sum(price), count(*),
         count(*), min(price), max(price)
    FROM raw_trades WHERE ts / 60000 * 60000 >= :last - 86400000 GROUP BY 1, 2;
INSERT INTO gen_sec
  SELECT ts / 1000 * 1000, symbol, sum(volume), sum(price), count(*),
         count(*), min(price), max(price)
    FROM raw_trades WHERE ts / 1000 * 1000 >= :last - 120000 GROUP BY 1, 2;
VACUUM ANALYZE;
SQL
# the hour table's columns must be those the engine made
$RUN_AS $PSQL -d postgres -At -c "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'tradeagg_hour'::regclass AND attnum > 0"
got=$($RUN_AS $PSQL -d postgres -At -c "SELECT sum(n) FROM gen_year")
[ "$got" = "$ROWS" ] || { echo "year buckets count $got events, not $ROWS" >&2; exit 1; }
res=$($RUN_AS $PSQL -d postgres -At -F ' ' -c "
	SELECT (SELECT sum(pg_total_relation_size(('gen_' || g)::regclass))
	          FROM unnest(ARRAY['sec', 'min', 'hour', 'day', 'month', 'year']) g),
	       pg_total_relation_size('raw_trades')")
rows=$($RUN_AS $PSQL -d postgres -At -c "
	SELECT string_agg(g || ' ' || (xpath('/row/c/text()',
	         query_to_xml('SELECT count(*) AS c FROM gen_' || g, false, true, '')))[1]::text
	         || ' (' || pg_size_pretty(pg_total_relation_size(('gen_' || g)::regclass)) || ')', ', ')
	  FROM unnest(ARRAY['sec', 'min', 'hour', 'day', 'month', 'year']) g")
t1=$(now)
bench_stop
agg=${res% *}
raw=${res#* }
printf 'events: %d over %d days, 1000 groups; machine: %s; %.0f s\n' "$ROWS" "$DAYS" "$(machine)" "$(echo "$t1 - $t0" | bc -l)"
printf 'granularity tables: %s\n' "$rows"
printf 'storage: granularity tables %d bytes vs raw rows %d bytes: %.1f %% smaller\n' \
	"$agg" "$raw" "$(echo "100 * (1 - $agg / $raw)" | bc -l)"
