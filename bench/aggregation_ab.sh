#!/usr/bin/env bash
# The engine's time to fold bench/aggregation.sh's sparse feed (ROWS
# events, 1,000 groups, 30 days of event time, every sec ... year) into
# an incremental aggregation and write its tables, under two (or more)
# installs, alternated run by run in one invocation so that a shared
# machine's drift falls on all: the engine's busy time
# (siddhi.engine_stats) from the COPY into the stream until
# siddhi.flush() returns.  Each run starts a fresh cluster.
#
#   ROWS=2000000 RUNS=2 bash bench/aggregation_ab.sh PREFIX_A PREFIX_B [...]
#
# Each PREFIX is an install made with SIDDHI_PREFIX=<dir>
# (test/common.sh's build_and_install), for instance of the commit
# before a change.  The last line gives each install's mean time and its
# ratio to the first install's.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-2000000}
RUNS=${RUNS:-2}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq 1 "$RUNS"); do
	for pf in "$@"; do
		(
			export SIDDHI_PREFIX=$pf SIDDHI_BENCH_DIR=/tmp/aggregation-ab-$$ \
				SIDDHI_BENCH_PORT=${SIDDHI_BENCH_PORT:-56096}
			. test/common.sh
			. bench/common.sh
			sql() { $RUN_AS $PSQL -d postgres -qAt -c "$1"; }
			bench_start >/dev/null
			csv=$BENCH_DIR/agg.csv
			sql "COPY (SELECT 'G' || (i % 1000), 10 + (i % 97)::float8 / 7,
				1 + i % 50, 1700000000000 + (i::numeric * 2592000000 / $ROWS)::int8
				FROM generate_series(0, $ROWS - 1) i) TO '$csv' (FORMAT csv)"
			sql "SELECT siddhi.deploy('aggab', \$\$
				@app:playback
				@eventTime('ts')
				define stream Trades (symbol string, price double, volume long, ts long);
				define aggregation TradeAgg from Trades
				select symbol, sum(volume) as total, avg(price) as avgprice,
				       count() as n, min(price) as lo, max(price) as hi
				group by symbol
				aggregate by ts every sec ... year;
			\$\$)" >/dev/null
			sql "SELECT siddhi.flush()" >/dev/null
			s1=$(sql "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() LIMIT 1")
			sql "COPY trades FROM '$csv' (FORMAT csv)"
			sql "SELECT siddhi.flush(3600000)" >/dev/null
			s2=$(sql "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() LIMIT 1")
			bench_stop >/dev/null 2>&1
			set -- $s1 $s2
			echo "$(basename "$pf") run $r: $((($4 - $2) / 1000)) ms for $(($3 - $1)) events"
			echo "$pf $((($4 - $2) / 1000))" >>"$out"
		)
	done
done
awk -v first="$1" '{ t[$1] += $2; n[$1]++; if (!($1 in o)) { o[$1] = ++k; name[k] = $1 } }
	END { base = t[first] / n[first];
		for (i = 1; i <= k; i++) { m = t[name[i]] / n[name[i]];
			printf "%s: mean %.0f ms, %.2f of the first\n", name[i], m, m / base } }' "$out"
