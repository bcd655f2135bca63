#!/usr/bin/env bash
# Fuzz the mappers (bash test/fuzz/mappers.sh): feed mutated payloads of every mapper format to
# siddhi.map_decode() on a cluster of its own, and report (crashes, hangs,
# internal errors fail it).  See test/fuzz/mappers.py.
#
#   FUZZ_COUNT  inputs (default 200000)   FUZZ_SEED  (default 1)
#   FUZZ_PORT   (default 55498)           SIDDHI_PREFIX as for the others
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/common.sh

COUNT=${FUZZ_COUNT:-200000}
SEED=${FUZZ_SEED:-1}
PORT=${FUZZ_PORT:-55498}

bash test/install-deps.sh
build_and_install
work=$(make_workdir mapfuzz)
init_cluster "$work" "$PORT" <<CONF
log_min_messages = warning
fsync = off
synchronous_commit = off
CONF
cleanup() {
	$RUN_AS "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
PSQL="$PG_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql
$PSQL -X -q -h "$work" -p "$PORT" -U postgres -d postgres -c "CREATE EXTENSION siddhi"
status=0
PSQL="$PSQL" FUZZ_KEEP="$work" python3 test/fuzz/mappers.py "$work" "$PORT" "$COUNT" "$SEED" \
	"$work/server.log" || status=$?
echo "server log and failing payloads kept in $work"
exit $status
