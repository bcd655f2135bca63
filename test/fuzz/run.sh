#!/usr/bin/env bash
# make fuzz: feed generated and mutated apps in both dialects to
# siddhi.parse() and siddhi.deploy() on a cluster of its own, and report.
#
#   FUZZ_COUNT   inputs (default 1000000)      FUZZ_SEED  (default 1)
#   FUZZ_JOBS    sessions (default: cores)     FUZZ_PORT  (default 55499)
#   FUZZ_BATCH   inputs per statement (default 10; a batch that is cancelled
#                or crashes is fed again one input per statement)
#   FUZZ_WORKDIR resume the run kept in that directory (same COUNT, PORT)
#   SIDDHI_PREFIX as for the other test scripts (a private install)
#
# Installs the build dependencies when run as root on a fresh machine (as
# make test does), builds and installs the extension, starts a cluster as
# an unprivileged user, and runs test/fuzz/drive.py (make fuzz runs all
# of it under nice -n 10).  Exits
# non-zero on a crash, a restart, a hang over 10 s or non-linear growth.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/common.sh

COUNT=${FUZZ_COUNT:-1000000}
SEED=${FUZZ_SEED:-1}
JOBS=${FUZZ_JOBS:-$(nproc)}
PORT=${FUZZ_PORT:-55499}

bash test/install-deps.sh
build_and_install

if [ -n "${FUZZ_WORKDIR:-}" ] && [ -d "$FUZZ_WORKDIR/data" ]; then
	# resume an earlier run: its cluster, inputs and answers
	work=$FUZZ_WORKDIR
	fresh=0
else
	work=$(make_workdir fuzz)
	fresh=1
	init_cluster "$work" "$PORT" <<CONF
log_min_messages = warning
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
max_worker_processes = 16
siddhi.naptime = 100ms
CONF
fi
cleanup() {
	$RUN_AS "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
export PG_BINDIR
PSQL="$PG_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql
export PSQL
if [ $fresh = 1 ]; then
	$PSQL -X -q -h "$work" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-f test/fuzz/fuzz.sql >/dev/null
fi
status=0
$RUN_AS env PSQL="$PSQL" PG_BINDIR="$PG_BINDIR" python3 test/fuzz/drive.py \
	"$work" "$PORT" "$COUNT" "$SEED" "$JOBS" "$work/server.log" "$PWD" || status=$?
echo "server log and data kept in $work"
exit $status
