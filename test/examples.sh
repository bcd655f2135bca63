#!/usr/bin/env bash
# Run every example app (examples/sql/*.sql) and compare with its expected
# output, so that none of them can rot.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/common.sh

work=$(make_workdir examples)
cp -r examples/sql examples/expected test "$work/"
[ "$(id -u)" = 0 ] && chown -R "$TEST_USER" "$work"
cd "$work"
tests=$(ls sql/*.sql | xargs -n1 basename | sed 's/\.sql$//')
status=0
$RUN_AS "$PG_REGRESS" --inputdir=. --outputdir=. --bindir="$PG_BINDIR" \
	--temp-instance=./instance --temp-config=test/siddhi.conf \
	--port=${SIDDHI_TEST_PORT:-55433} --dbname=examples $tests || status=$?
if [ $status != 0 ] && [ -f regression.diffs ]; then
	cat regression.diffs
fi
echo "results kept in $work"
exit $status
