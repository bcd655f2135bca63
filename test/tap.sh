#!/usr/bin/env bash
# TAP tests (t/*.pl) with PostgreSQL::Test::Cluster, as the cluster user.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/common.sh
# the Kafka jars the tests' broker runs from (nothing to do once fetched)
bash test/kafka/fetch.sh
kafka_dir=$PWD/test/kafka
http_server=$PWD/test/http/server.py

work=$(make_workdir tap)
cp -r t "$work/"
[ "$(id -u)" = 0 ] && chown -R "$TEST_USER" "$work"
cd "$work"
status=0
$RUN_AS env PATH="$PG_BINDIR:$PATH" TESTDIR="$work" \
	PG_REGRESS="$PG_REGRESS" SIDDHI_KAFKA_DIR="$kafka_dir" \
	SIDDHI_HTTP_SERVER="$http_server" \
	prove -I "$PGXS_DIR/test/perl" -I t/lib ${SIDDHI_PROVE_FLAGS:-} t/*.pl || status=$?
if [ $status != 0 ]; then
	for f in tmp_check/log/*; do
		echo "=== $f"
		tail -n 40 "$f"
	done
fi
echo "logs kept in $work"
exit $status
