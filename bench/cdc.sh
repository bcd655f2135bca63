#!/usr/bin/env bash
# Postgres CDC source: ROWS rows inserted, then updated, in a table by
# CLIENTS concurrent pgbench clients (one row per transaction) -> cdc
# stream -> aggregation (timeBatch(100 ms), group by grp) -> table, until
# the aggregation has counted every change; against the same rows
# INSERTed into a plain stream with the same query, in the same run.
# Then the lag at a steady RATE changes/s for LAG_SECONDS: commit time
# (the event's, from the WAL) to the query computing it, p50 and p99.
#
#   ROWS=200000 CLIENTS=4 RATE=2000 LAG_SECONDS=10 bash bench/cdc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-200000}
CLIENTS=${CLIENTS:-4}
RATE=${RATE:-2000}
LAG_SECONDS=${LAG_SECONDS:-10}
LAG_CLIENTS=${LAG_CLIENTS:-2}
TIMEOUT=${TIMEOUT:-900}
# clients commit without waiting for the WAL flush (both arms): the
# clients, not fsync, set the pace
export PGOPTIONS="-c synchronous_commit=off"
PGBENCH="$PG_BINDIR/pgbench -h $BENCH_DIR -p $BENCH_PORT -U postgres -n"
psql_pg() { $RUN_AS $PSQL -d postgres "$@"; }

cleanup() {
	[ -f "$BENCH_DIR/data/postmaster.pid" ] && bench_stop || true
	rm -f "$BENCH_DIR"/*.pgb
}
trap cleanup EXIT

init_cluster "$BENCH_DIR" "$BENCH_PORT" <<CONF
shared_buffers = 1GB
max_wal_size = 8GB
siddhi.ring_size = 64MB
wal_level = logical
max_replication_slots = 10
CONF
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w start >/dev/null
psql_pg -c "CREATE EXTENSION siddhi"

psql_pg <<'SQL'
CREATE TABLE src (id int PRIMARY KEY, grp int, v int);
SELECT siddhi.deploy('bench_cdc', $$
  @source(type = 'cdc', table.name = 'src', operation = 'insert,update')
  define stream Changes (id int, grp int, v int);
  define table AggCdc (grp int, n long, s long);
  from Changes#window.timeBatch(100 milliseconds)
  select grp, count() as n, sum(v) as s group by grp insert into AggCdc;
$$);
SELECT siddhi.deploy('bench_stream', $$
  define stream Direct (id int, grp int, v int);
  define table AggStream (grp int, n long, s long);
  from Direct#window.timeBatch(100 milliseconds)
  select grp, count() as n, sum(v) as s group by grp insert into AggStream;
$$);
SQL
for i in $(seq 1 100); do
	[ "$(psql_pg -Atc "SELECT count(*) FROM siddhi.sources WHERE app = 'bench_cdc' AND state = 'running'")" = 1 ] && break
	sleep 0.2
done

# the clients' scripts: each transaction one row, ids from a sequence
per=$((ROWS / CLIENTS))
psql_pg -c "CREATE SEQUENCE seq_ins; CREATE SEQUENCE seq_upd; CREATE SEQUENCE seq_str"
echo "INSERT INTO src SELECT n, n % 100, 1 FROM nextval('seq_ins') n;" >"$BENCH_DIR/ins.pgb"
echo "UPDATE src SET v = 2 WHERE id = (SELECT nextval('seq_upd'));" >"$BENCH_DIR/upd.pgb"
echo "INSERT INTO direct SELECT n, n % 100, 1 FROM nextval('seq_str') n;" >"$BENCH_DIR/str.pgb"
chmod 644 "$BENCH_DIR"/*.pgb

wait_total() { # table want -> seconds since $t0 when sum(n) reached want
	local t=$1 want=$2 got
	while :; do
		got=$(psql_pg -Atc "SELECT coalesce(sum(n), 0) FROM $t")
		[ "$got" -ge "$want" ] && break
		if [ "$(echo "$(now) - $t0 > $TIMEOUT" | bc)" = 1 ]; then
			echo "timeout: $t has $got of $want" >&2
			exit 1
		fi
		sleep 0.05
	done
	echo "$(now) - $t0" | bc -l
}

echo "== $ROWS inserts + $ROWS updates by $CLIENTS clients through the cdc source"
t0=$(now)
$RUN_AS $PGBENCH -c "$CLIENTS" -j "$CLIENTS" -t "$per" -f "$BENCH_DIR/ins.pgb" postgres >/dev/null
$RUN_AS $PGBENCH -c "$CLIENTS" -j "$CLIENTS" -t "$per" -f "$BENCH_DIR/upd.pgb" postgres >/dev/null
t_clients=$(echo "$(now) - $t0" | bc -l)
t_cdc=$(wait_total aggcdc $((2 * per * CLIENTS)))
echo "clients done after ${t_clients}s; all changes aggregated after ${t_cdc}s"

echo "== the same $((2 * per * CLIENTS)) rows INSERTed into a stream by $CLIENTS clients"
t0=$(now)
$RUN_AS $PGBENCH -c "$CLIENTS" -j "$CLIENTS" -t "$((2 * per))" -f "$BENCH_DIR/str.pgb" postgres >/dev/null
t_str=$(wait_total aggstream $((2 * per * CLIENTS)))
echo "all rows aggregated after ${t_str}s"

n=$((2 * per * CLIENTS))
r_cdc=$(echo "$n / $t_cdc" | bc -l)
r_str=$(echo "$n / $t_str" | bc -l)
printf 'cdc: %.0f changes/s   stream insert: %.0f events/s   ratio %.2f\n' \
	"$r_cdc" "$r_str" "$(echo "$r_cdc / $r_str" | bc -l)"

echo "== lag at $RATE changes/s for ${LAG_SECONDS}s (commit -> query)"
psql_pg <<'SQL'
SELECT siddhi.undeploy('bench_cdc', drop_tables => true);
SELECT siddhi.undeploy('bench_stream', drop_tables => true);
CREATE TABLE lagsrc (id bigserial PRIMARY KEY, v int);
SELECT siddhi.deploy('bench_lag', $$
  @source(type = 'cdc', table.name = 'lagsrc', operation = 'insert')
  define stream L (id long, commit_time long);
  define table Lags (id long, lag_ms long);
  from L select id, currentTimeMillis() - commit_time as lag_ms insert into Lags;
$$);
SQL
for i in $(seq 1 100); do
	[ "$(psql_pg -Atc "SELECT count(*) FROM siddhi.sources WHERE app = 'bench_lag' AND state = 'running'")" = 1 ] && break
	sleep 0.2
done
echo "INSERT INTO lagsrc (v) VALUES (1);" >"$BENCH_DIR/lag.pgb"
chmod 644 "$BENCH_DIR/lag.pgb"
# synchronous commits here: decoding reads up to the flushed WAL, and an
# asynchronous commit is flushed by the WAL writer up to 3 x
# wal_writer_delay later
PGOPTIONS= $RUN_AS $PGBENCH -c "$LAG_CLIENTS" -j "$LAG_CLIENTS" -R "$RATE" -T "$LAG_SECONDS" -f "$BENCH_DIR/lag.pgb" postgres >/dev/null
sleep 1
psql_pg -Atc "SELECT format('lag over %s changes: p50 %s ms, p99 %s ms, max %s ms',
	count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms),
	percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms), max(lag_ms))
	FROM lags"
# the distribution: where the tail sits (a timer period shows as a bump)
psql_pg -Atc "SELECT 'lag histogram (ms bucket: changes): ' || string_agg(format('%s-%s: %s', b * 10, b * 10 + 9, n), ', ' ORDER BY b)
	FROM (SELECT least(lag_ms / 10, 15) AS b, count(*) AS n FROM lags GROUP BY 1) h"
psql_pg -Atc "SELECT format('reached %s changes/s', round(count(*) / greatest($LAG_SECONDS, 1)::numeric)) FROM lags"
# the engine's CPU while the source is idle (its wake-ups' cost)
IDLE_SECONDS=${IDLE_SECONDS:-10}
epid=$(psql_pg -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine' LIMIT 1")
ticks() { awk '{print $14 + $15}' "/proc/$epid/stat"; }
sleep 3
c0=$(ticks)
sleep "$IDLE_SECONDS"
c1=$(ticks)
printf 'engine CPU while idle: %.2f %% of a core over %ss\n' \
	"$(echo "($c1 - $c0) * 100 / $(getconf CLK_TCK) / $IDLE_SECONDS" | bc -l)" "$IDLE_SECONDS"
echo "machine: $(machine)"
