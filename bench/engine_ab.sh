#!/usr/bin/env bash
# Engine rate of one bench/compare app under two (or more) installs,
# alternated run by run in one invocation, so that a shared machine's
# drift falls on both: deploy, feed 200,000 events (warm-up), feed EVENTS
# more, and report events / busy time of the engine (siddhi.engine_stats).
#
#   bash bench/engine_ab.sh APP EVENTS RUNS PREFIX_A PREFIX_B [...]
#
# APP is a file name under bench/compare/ without .siddhi; each PREFIX is
# an install made with SIDDHI_PREFIX=<dir> (test/common.sh's
# build_and_install), for instance of the commit before a change.
set -euo pipefail
cd "$(dirname "$0")/.."
app=bench/compare/$1.siddhi
N=$2
R=$3
shift 3
for r in $(seq 1 "$R"); do
	for pf in "$@"; do
		(
			export SIDDHI_PREFIX=$pf SIDDHI_BENCH_DIR=/tmp/engine-ab-$$ \
				SIDDHI_BENCH_PORT=${SIDDHI_BENCH_PORT:-56099}
			. test/common.sh
			. bench/common.sh
			sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }
			PARTS=10
			bench_start >/dev/null
			compare_deploy "$app"
			insert_events "$streams" 0 200000
			s1=$(sql "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() LIMIT 1")
			insert_events "$streams" 200000 $((200000 + N))
			s2=$(sql "SELECT events || ' ' || busy_us FROM siddhi.engine_stats() LIMIT 1")
			set -- $s1 $s2
			echo "$(basename "$pf") run $r: $(((($3 - $1) * 1000000) / ($4 - $2))) events/s"
			bench_stop >/dev/null
		)
	done
done
