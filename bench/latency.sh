#!/usr/bin/env bash
# Latency: one-row autocommit INSERTs at a steady rate; time from the
# INSERT's commit to the output event delivered by siddhi.poll() in another
# session.  Baseline in the same run: NOTIFY commit to LISTEN delivery.
# Then read-your-writes: an autocommit INSERT alone, with siddhi.flush()
# after it, and under siddhi.synchronous_commit = on (issue 15).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
RATE=${RATE:-1000}
SECONDS_RUN=${SECONDS_RUN:-10}

gcc -O2 -Wall -o "$BENCH_DIR.latency" bench/latency.c -I"$(/usr/lib/postgresql/15/bin/pg_config --includedir)" -lpq
bench_start
echo "machine: $(machine); rate $RATE/s for $SECONDS_RUN s"
$RUN_AS "$BENCH_DIR.latency" "host=$BENCH_DIR port=$BENCH_PORT user=postgres dbname=postgres" "$RATE" "$SECONDS_RUN"
bench_stop
