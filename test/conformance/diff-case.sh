#!/usr/bin/env bash
# Run one case through both engines and show the difference:
#   test/conformance/diff-case.sh CASE_DIR
# Siddhi Java via test/reference/run-reference.sh; siddhi via run_ours.py
# against SIDDHI_CONNINFO (a server with the extension), or a throw-away
# cluster when that is not set.  Exit 0 when they agree (case.json rules).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
. test/common.sh
case_dir=$(cd "$1" && pwd)
work=$(make_workdir diff-case)
cp -r "$case_dir" "$work/case"
[ "$(id -u)" = 0 ] && chown -R "$TEST_USER" "$work"

bash test/reference/run-reference.sh "$case_dir" >"$work/java.jsonl"
if [ -z "${SIDDHI_CONNINFO:-}" ]; then
	init_cluster "$work/pg" "${SIDDHI_DIFF_PORT:-55810}" </dev/null
	$RUN_AS "$PG_BINDIR/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w start >/dev/null
	trap '$RUN_AS "$PG_BINDIR/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null' EXIT
	SIDDHI_CONNINFO="host=$work/pg port=${SIDDHI_DIFF_PORT:-55810} dbname=postgres user=postgres"
	$RUN_AS "$PG_BINDIR/psql" "$SIDDHI_CONNINFO" -Xq -c "CREATE EXTENSION siddhi"
fi
$RUN_AS python3 test/conformance/run_ours.py "$work/case" --psql "$PG_BINDIR/psql" \
	--conninfo "$SIDDHI_CONNINFO" >"$work/siddhi.jsonl"
python3 test/conformance/compare.py --case "$case_dir" "$work/java.jsonl" "$work/siddhi.jsonl"
