#!/usr/bin/env bash
# File source latency: a line appended to a tailed file -> its output event
# delivered by siddhi.poll(); baseline in the same run: a one-row INSERT
# into a stream -> its output event.  Roadmap target: under 10 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
RATE=${RATE:-200}
SECONDS_RUN=${SECONDS_RUN:-10}

gcc -O2 -Wall -o "$BENCH_DIR.file_latency" bench/file_latency.c -I"$(/usr/lib/postgresql/15/bin/pg_config --includedir)" -lpq
bench_start
files="$BENCH_DIR/files"
mkdir -p "$files"
[ "$(id -u)" = 0 ] && chown "$TEST_USER" "$files"
echo "siddhi.file_directory = '$files'" >>"$BENCH_DIR/data/postgresql.conf"
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" reload >/dev/null
sleep 1
echo "machine: $(machine); rate $RATE/s for $SECONDS_RUN s"
$RUN_AS "$BENCH_DIR.file_latency" "host=$BENCH_DIR port=$BENCH_PORT user=postgres dbname=postgres" "$files/lat.csv" "$RATE" "$SECONDS_RUN"
bench_stop
