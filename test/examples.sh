#!/usr/bin/env bash
# Run every example app (examples/sql/*.sql) and compare with its expected
# output, so that none of them can rot.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
. test/common.sh

work=$(make_workdir examples)
cp -r examples/sql examples/expected test "$work/"
[ "$(id -u)" = 0 ] && chown -R "$TEST_USER" "$work"
cd "$work"
tests=${SIDDHI_EXAMPLES:-$(ls sql/*.sql | xargs -n1 basename | sed 's/\.sql$//')}
status=0

# The Kafka examples talk to a real broker (test/kafka), started here and
# stopped whatever happens; they read its address from the environment.
kafka_dir=""
if grep -lq SIDDHI_KAFKA_BOOTSTRAP sql/*.sql; then
	kafka_dir="$work/kafka"
	bash "$top/test/kafka/fetch.sh" >/dev/null
	SIDDHI_KAFKA_BOOTSTRAP=$(KAFKA_OWNER_PID=$$ bash "$top/test/kafka/broker.sh" start "$kafka_dir")
	export SIDDHI_KAFKA_BOOTSTRAP
fi
# The HTTP example's webhook listens on a free port of the loopback.
if [ -z "${SIDDHI_HTTP_PORT:-}" ]; then
	SIDDHI_HTTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
export SIDDHI_HTTP_PORT
# The Redis example talks to Debian's redis-server, started here on a free
# loopback port (no persistence) and stopped whatever happens.
if grep -lq SIDDHI_REDIS_PORT sql/*.sql; then
	SIDDHI_REDIS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export SIDDHI_REDIS_PORT
	redis-server --port "$SIDDHI_REDIS_PORT" --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize yes --dir "$work" \
		--pidfile "$work/redis.pid" >/dev/null
	for _ in $(seq 50); do
		redis-cli -p "$SIDDHI_REDIS_PORT" ping >/dev/null 2>&1 && break
		sleep 0.1
	done
fi
stop_servers() {
	if [ -n "$kafka_dir" ]; then
		bash "$top/test/kafka/broker.sh" stop "$kafka_dir" >/dev/null 2>&1 || true
	fi
	if [ -f "$work/redis.pid" ]; then
		kill "$(cat "$work/redis.pid")" 2>/dev/null || true
	fi
}
trap stop_servers EXIT
$RUN_AS "$PG_REGRESS" --inputdir=. --outputdir=. --bindir="$PG_BINDIR" \
	--temp-instance=./instance --temp-config=test/siddhi.conf \
	--port=${SIDDHI_TEST_PORT:-55433} --dbname=examples $tests || status=$?
if [ $status != 0 ] && [ -f regression.diffs ]; then
	cat regression.diffs
fi
echo "results kept in $work"
exit $status
