#!/usr/bin/env bash
# pg_regress on a temporary instance with siddhi preloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/common.sh

work=$(make_workdir regress)
cp -r sql expected test "$work/"
# SIDDHI_EXTRA_CONF: more server settings (e.g. siddhi.state_roundtrip = on)
[ -n "${SIDDHI_EXTRA_CONF:-}" ] && printf '%s\n' "$SIDDHI_EXTRA_CONF" >>"$work/test/siddhi.conf"
[ "$(id -u)" = 0 ] && chown -R "$TEST_USER" "$work"
cd "$work"
status=0
$RUN_AS "$PG_REGRESS" --inputdir=. --outputdir=. --bindir="$PG_BINDIR" \
	--temp-instance=./instance --temp-config=test/siddhi.conf \
	--port=${SIDDHI_TEST_PORT:-55432} \
	--schedule=${SIDDHI_SCHEDULE:-test/schedule} --dbname=regression || status=$?
if [ $status != 0 ] && [ -f regression.diffs ]; then
	cat regression.diffs
fi
echo "results kept in $work"
exit $status
