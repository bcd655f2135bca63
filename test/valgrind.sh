#!/usr/bin/env bash
# Run the regression SQL against a server running under valgrind memcheck
# (every backend and worker).  Slow: not part of make test.  Reports the
# errors valgrind found outside the suppressions in test/valgrind.supp.
# SIDDHI_VG_SCHEDULE names another schedule (a few tests: minutes, not
# an hour).
set -uo pipefail
cd "$(dirname "$0")/.."
. test/common.sh
VG_DIR=${SIDDHI_VG_DIR:-/tmp/siddhi-valgrind}
PORT=${SIDDHI_VG_PORT:-55700}
SCHEDULE=${SIDDHI_VG_SCHEDULE:-test/schedule}

dpkg -s valgrind >/dev/null 2>&1 || apt-get install -y -q valgrind
build_and_install
init_cluster "$VG_DIR" "$PORT" <<CONF
siddhi.naptime = 200ms
CONF
cp test/valgrind.supp "$VG_DIR/"
[ "$(id -u)" = 0 ] && chown "$TEST_USER" "$VG_DIR/valgrind.supp"
$RUN_AS bash -c "cd '$VG_DIR' && valgrind --quiet --trace-children=yes \
	--suppressions='$VG_DIR/valgrind.supp' --num-callers=20 \
	--log-file='$VG_DIR/vg.%p.log' '$PG_BINDIR/postgres' -D '$VG_DIR/data' \
	> '$VG_DIR/server.log' 2>&1 &"
for i in $(seq 1 120); do
	$RUN_AS "$PG_BINDIR/pg_isready" -q -h "$VG_DIR" -p "$PORT" && break
	sleep 1
done
PSQL="$PG_BINDIR/psql -h $VG_DIR -p $PORT -U postgres -X -q"
$RUN_AS $PSQL -d postgres -c "CREATE DATABASE vgtest"
for t in $(sed -n 's/^test: //p' "$SCHEDULE"); do
	$RUN_AS timeout 600 $PSQL -d vgtest -f "sql/$t.sql" >"$VG_DIR/out.$t" 2>&1
	echo "ran $t"
done
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$VG_DIR/data" -m fast stop >/dev/null
sleep 2
errors=$(cat "$VG_DIR"/vg.*.log | grep -cE '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|.*definitely lost)')
echo "valgrind: $errors error reports (logs in $VG_DIR/vg.*.log)"
[ "$errors" = 0 ]
