#!/usr/bin/env bash
# The webhook http source: POSTs of one JSON event each, sent by wrk (Debian's
# wrk; for DURATION seconds) or, without it, REQUESTS (20,000) by curl
# --parallel, with CLIENTS (16) connections at once to a siddhi
# app (@source http -> filter -> heap table), each answered 200 after its
# batch committed; against the same events sent as INSERTs into a stream in
# autocommit by pgbench with CLIENTS connections, in the same run.
# Both report events/s; the ratio is webhook / INSERT.
# Then the sink: SINK_EVENTS (5,000) events -> @sink http (one request each,
# max.connections = 16) to test/http/server.py, until siddhi.sinks says all
# were sent, against that server's own ceiling: the same number of POSTs
# from curl --parallel with 16 connections.
#
#   REQUESTS=20000 CLIENTS=16 bash bench/http.sh
#   ARRAY=100 bash bench/http.sh   # each request a JSON array of 100 events
#
#   HTTP_CLIENT=curl bash bench/http.sh   # curl even when wrk is there
#   DURATION=10: seconds of wrk (REQUESTS is then what wrk got answered)
#
# SIDDHI_BENCH_DIR / SIDDHI_BENCH_PORT place the cluster; the webhook takes
# a free port of the loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
REQUESTS=${REQUESTS:-20000}
SINK_EVENTS=${SINK_EVENTS:-5000}
CLIENTS=${CLIENTS:-16}
ARRAY=${ARRAY:-1}
psql_pg() { $RUN_AS $PSQL -d postgres "$@"; }
rate() { echo "scale=0; $1 / $2" | bc -l; }

server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	[ -f "$BENCH_DIR/data/postmaster.pid" ] && bench_stop || true
	rm -f "$BENCH_DIR/sink_requests.jsonl" "$BENCH_DIR/server.out"
	rm -f "$BENCH_DIR/body.json" "$BENCH_DIR/insert.sql"
}
trap cleanup EXIT

HPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bench_start
psql_pg -c "ALTER SYSTEM SET siddhi.http_max_requests = 1024"
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w restart >/dev/null
psql_pg -c "INSERT INTO siddhi.secrets VALUES ('BENCH_PW', 'pw')"
psql_pg -c "SELECT siddhi.deploy('hook', \$\$
	@source(type = 'http', receiver.url = 'http://127.0.0.1:$HPORT/orders',
	        basic.auth.enabled = 'true', basic.auth.username = 'bench',
	        basic.auth.password = '\${BENCH_PW}', @map(type = 'json'))
	define stream Orders (id long, symbol string, price double, volume long);
	define stream Direct (id long, symbol string, price double, volume long);
	define table Kept (id long, symbol string, price double);
	define table KeptDirect (id long, symbol string, price double);
	from Orders[price > 10.0] select id, symbol, price insert into Kept;
	from Direct[price > 10.0] select id, symbol, price insert into KeptDirect;
\$\$)"

event='{"event":{"id":1,"symbol":"SYM1","price":12.5,"volume":100}}'
if [ "$ARRAY" -gt 1 ]; then
	body="[$event"
	for _ in $(seq 2 "$ARRAY"); do body="$body,$event"; done
	body="$body]"
else
	body=$event
fi
printf '%s' "$body" > "$BENCH_DIR/body.json"
chmod 644 "$BENCH_DIR/body.json"
# the listener opens the port once the source runs
for _ in $(seq 1 300); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -u bench:pw -d @"$BENCH_DIR/body.json" \
		"http://127.0.0.1:$HPORT/orders" || true)
	[ "$code" = 200 ] && break
	sleep 0.1
done
[ "$code" = 200 ] || { echo "the webhook did not answer 200: $code" >&2; exit 1; }
psql_pg -c "TRUNCATE kept"

# the webhook: wrk (Debian's wrk) when installed, for DURATION seconds with
# CLIENTS connections; else REQUESTS POSTs by curl --parallel, CLIENTS at once
# (curl costs about as much CPU as the server: install wrk for real numbers)
if [ "${HTTP_CLIENT:-wrk}" = wrk ] && command -v wrk >/dev/null; then
	client="wrk (${DURATION:-10} s, 2 threads)"
	out=$(BODY_FILE="$BENCH_DIR/body.json" wrk -t "$((CLIENTS < 2 ? 1 : 2))" -c "$CLIENTS" -d "${DURATION:-10}s" \
		--timeout 10s -s bench/http_wrk.lua "http://127.0.0.1:$HPORT/orders")
	read -r _ done_n hook_s bad econn eread ewrite etime p50 p99 <<<"$(grep '^WRK ' <<<"$out")"
	REQUESTS=$((done_n - bad))
	codes="$REQUESTS x 200, $bad other, socket errors $econn/$eread/$ewrite/$etime"
	codes="$codes (connect/read/write/timeout), latency p50 ${p50} us p99 ${p99} us"
else
	[ "${HTTP_CLIENT:-wrk}" = wrk ] &&
		echo "wrk not found (apt-get install wrk): falling back to curl --parallel" >&2
	client="curl --parallel"
	t0=$(now)
	codes=$(curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$CLIENTS" \
		-u bench:pw -H 'Content-Type: application/json' -d @"$BENCH_DIR/body.json" \
		-o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$HPORT/orders?[1-$REQUESTS]" |
		sort | uniq -c | tr '\n' ' ')
	t1=$(now)
	hook_s=$(echo "$t1 - $t0" | bc -l)
fi
rows=$(psql_pg -Atc "SELECT count(*) FROM kept")
events=$((REQUESTS * ARRAY))

# the same events as INSERTs in autocommit, CLIENTS sessions
echo "INSERT INTO direct VALUES (1, 'SYM1', 12.5, 100);" > "$BENCH_DIR/insert.sql"
chmod 644 "$BENCH_DIR/insert.sql"
# (at most 64 sessions: max_connections is 100)
ins_clients=$((CLIENTS < 64 ? CLIENTS : 64))
per_client=$((events / ins_clients))
t0=$(now)
$RUN_AS "$PG_BINDIR/pgbench" -h "$BENCH_DIR" -p "$BENCH_PORT" -U postgres -n \
	-c "$ins_clients" -j 2 -t "$per_client" -f "$BENCH_DIR/insert.sql" postgres >/dev/null
psql_pg -Atc "SELECT siddhi.flush(600000)" >/dev/null
t1=$(now)
ins_s=$(echo "$t1 - $t0" | bc -l)
ins_rows=$(psql_pg -Atc "SELECT count(*) FROM keptdirect")

hook_rate=$(rate "$events" "$hook_s")
ins_rate=$(rate "$((per_client * ins_clients))" "$ins_s")
echo "machine: $(machine)"
echo "webhook: $client, $REQUESTS requests x $ARRAY event(s), $CLIENTS clients: answers $codes"
echo "webhook: $events events in $(printf '%.2f' "$hook_s") s = $hook_rate events/s," \
	"$(rate "$REQUESTS" "$hook_s") requests/s; rows kept: $rows"
echo "INSERT:  $ins_clients sessions, $((per_client * ins_clients)) events in $(printf '%.2f' "$ins_s") s = $ins_rate events/s; rows kept: $ins_rows"
echo "ratio webhook / INSERT: $(echo "scale=2; $hook_rate / $ins_rate" | bc -l)"

# the sink against the local server's own ceiling
[ "$SINK_EVENTS" -gt 0 ] || exit 0
python3 test/http/server.py --log "$BENCH_DIR/sink_requests.jsonl" > "$BENCH_DIR/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q listening "$BENCH_DIR/server.out" 2>/dev/null && break; sleep 0.1; done
SPORT=$(sed -n 's/^listening //p' "$BENCH_DIR/server.out")
t0=$(now)
curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 16 \
	-H 'Content-Type: application/json' -d "$event" -o /dev/null \
	"http://127.0.0.1:$SPORT/ceiling?[1-$SINK_EVENTS]"
t1=$(now)
ceil_s=$(echo "$t1 - $t0" | bc -l)
psql_pg -c "ALTER SYSTEM SET siddhi.http_allowed_hosts = '127.0.0.1'" -c "SELECT pg_reload_conf()" >/dev/null
psql_pg -c "SELECT siddhi.deploy('out', \$\$
	define stream Ticks (id long, symbol string, price double, volume long);
	@sink(type = 'http', publisher.url = 'http://127.0.0.1:$SPORT/sink',
	      max.connections = '16', @map(type = 'json'))
	define stream Sent (id long, symbol string, price double, volume long);
	from Ticks select * insert into Sent;
\$\$)" >/dev/null
t0=$(now)
psql_pg -c "INSERT INTO ticks SELECT i, 'SYM1', 12.5, 100 FROM generate_series(1, $SINK_EVENTS) i"
for _ in $(seq 1 6000); do
	[ "$(psql_pg -Atc "SELECT sent FROM siddhi.sinks WHERE app = 'out'")" = "$SINK_EVENTS" ] && break
	sleep 0.05
done
t1=$(now)
sink_s=$(echo "$t1 - $t0" | bc -l)
sent=$(psql_pg -Atc "SELECT sent FROM siddhi.sinks WHERE app = 'out'")
ceil_rate=$(rate "$SINK_EVENTS" "$ceil_s")
sink_rate=$(rate "$sent" "$sink_s")
echo "server ceiling (curl, 16 connections): $SINK_EVENTS requests in $(printf '%.2f' "$ceil_s") s = $ceil_rate requests/s"
echo "sink: $sent of $SINK_EVENTS events sent in $(printf '%.2f' "$sink_s") s = $sink_rate requests/s"
echo "ratio sink / server ceiling: $(echo "scale=2; $sink_rate / $ceil_rate" | bc -l)"
