#!/usr/bin/env bash
# bench/soak: issue 15's soak (make soak; not part of make test).
#
# One cluster of its own (SIDDHI_SOAK_DIR, port SIDDHI_SOAK_PORT) runs a
# playback app over a durable stream s with state in every query: a
# time(10 sec) window group by (50 keys), an every pattern, a partition
# (PKEYS keys, 100 by default, a length(4) window each) and a plain filter writing every
# event's id into the table ids.  A client (bench/soak_feed.pl) feeds
# small transactions (1 to 40 events, each with a unique id; each
# transaction also writes its ids into the logged table fed, so fed holds
# exactly what committed).
#
#   1. the sustained rate: MEASURE seconds fed as fast as the client can,
#      then until the engine has committed every result; the rate is the
#      events committed over that whole time;
#   2. DURATION seconds at PERCENT % of it, the engine worker killed with
#      kill -9 every KILL_EVERY seconds (+-30 % random jitter), every
#      fifth kill (at least one) an immediate stop and start of the
#      postmaster instead; every SAMPLE seconds the worker's VmRSS and
#      RssAnon (/proc/PID/status), the committed and processed ids and the
#      lag go into $SIDDHI_SOAK_DIR/samples.csv;
#   3. the engine drains; then every committed id must be in ids exactly
#      once (lost, duplicated, and ids never committed are counted), and
#      the outputs of the stateful queries must equal, row for row, what
#      plain SQL computes from the committed ids (the values of an event
#      are functions of its id, and the app runs in playback on the ids'
#      event time, so the uninterrupted result is exactly defined; see
#      "the references" below).  With REF_APP=1 (the default when at most
#      REF_APP_MAX events committed) the same app is also deployed over a
#      non-durable stream after the soak and fed the committed events in
#      order: its outputs must equal both.
#
# The worker restarts at every kill, so RSS is judged per incarnation:
# for each, the samples after WARMUP seconds of its life give the slope of
# RssAnon (kB per hour), and the maximum of each incarnation, against time,
# gives the trend across the run.  Exits non-zero on any loss, duplicate,
# phantom or difference.
#
#   DURATION=3600 KILL_EVERY=180 nice -n 5 bash bench/soak.sh
#   (SOAK_BUILD=0: use the installed build; SIDDHI_PREFIX as for the tests;
#   also MEASURE, PERCENT, SAMPLE, WARMUP, PKEYS, REF_APP, REF_APP_MAX,
#   SOAK_MIN_FREE_MB, SOAK_KEEP=1 to keep the cluster of a passing run)
set -euo pipefail
cd "$(dirname "$0")/.."
export SIDDHI_BENCH_DIR=${SIDDHI_SOAK_DIR:-/tmp/siddhi-soak}
export SIDDHI_BENCH_PORT=${SIDDHI_SOAK_PORT:-55497}
. bench/common.sh
DURATION=${DURATION:-3600}
KILL_EVERY=${KILL_EVERY:-180}
MEASURE=${MEASURE:-60}
PERCENT=${PERCENT:-80}
# a sample every 15 s (10 s with kills every minute), a warm-up of 60 s
# (KILL_EVERY / 3 when shorter)
SAMPLE=${SAMPLE:-$((KILL_EVERY / 6 < 15 ? (KILL_EVERY / 6 > 5 ? KILL_EVERY / 6 : 5) : 15))}
WARMUP=${WARMUP:-$((KILL_EVERY / 3 < 60 ? KILL_EVERY / 3 : 60))}
REF_APP_MAX=${REF_APP_MAX:-3000000}
# keys of the partition.  Its state is saved whole at every batch of a
# durable stream (not incrementally, unlike a window's), so it is the bulk
# of what the soak writes into siddhi.query_state: with 1,000 keys, about
# 440 kB per batch, which outran autovacuum on this machine (see
# bench/RESULTS.md, the soak)
PKEYS=${PKEYS:-100}
# the soak stops (and fails) when the disk of $SIDDHI_SOAK_DIR has less free
MIN_FREE_MB=${SOAK_MIN_FREE_MB:-2000}
D=$BENCH_DIR

[ "${SOAK_BUILD:-1}" = 0 ] || build_and_install
# a small max_wal_size: the soak writes for an hour on a shared disk.
# Every batch of a durable stream rewrites the state of each query it
# changed in siddhi.query_state (the partition's whole, 4 kB to 0.5 MB,
# mostly TOAST): with the default autovacuum_vacuum_cost_delay (2 ms) and
# its workers killed at every crash, that table grew by 2.7 GB in 7
# minutes; unthrottled autovacuum keeps it bounded (samples.csv tracks its
# size)
BENCH_CONF="max_wal_size = 1GB
autovacuum_naptime = 15s
autovacuum_vacuum_cost_delay = 0
siddhi.naptime = 100ms
restart_after_crash = on
log_min_messages = warning" bench_start >/dev/null
sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }
try_sql() { $RUN_AS $PSQL -d postgres -At -c "$1" 2>/dev/null || true; }

# the app over stream $1 into tables with suffix $2
app() {
	local d=''
	[ "$3" = durable ] && d='@durable '
	cat <<APP
@app:playback
${d}@eventTime('ts') define stream $1 (ts long, id long, k int, p int, v int, x int);
define table ids$2 (id long);
define table win$2 (id long, k int, n long, s long);
define table pat$2 (id1 long, id2 long);
define table part$2 (id long, p int, s long);
@info(name = 'ids')
from $1[v >= 0] select id insert into ids$2;
@info(name = 'win')
from $1#window.time(10 sec)
select id, k, count() as n, sum(x) as s group by k insert into win$2;
@info(name = 'pat')
from every e1 = $1[v == 1] -> e2 = $1[k == e1.k and v == 2] within 1 sec
select e1.id as id1, e2.id as id2 insert into pat$2;
partition with (p of $1)
begin
	@info(name = 'part')
	from $1#window.length(4) select id, p, sum(x) as s insert into part$2;
end;
APP
}
sql "SELECT count(*) FROM siddhi.deploy('soak', \$\$$(app S '' durable)\$\$)" >/dev/null
sql "CREATE TABLE fed (id bigint PRIMARY KEY); CREATE INDEX ON ids (id)"
sql "SELECT siddhi.flush()" >/dev/null
ENGINE_PID="SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND datname = 'postgres'"
FEED_PSQL="$RUN_AS $PSQL -d postgres"
rm -f "$D/stop" "$D/feed.err"
touch "$D/feed.err" && chmod 666 "$D/feed.err"

# wait until the engine has committed the results of every committed event
drain() {
	local i
	for i in $(seq 1 600); do
		[ "$(try_sql "SELECT siddhi.flush(10000) AND (SELECT pieces = 0 FROM siddhi.durable_backlog)")" = t ] && return 0
		sleep 1
	done
	echo "the engine did not drain in 10 minutes" >&2
	return 1
}

# 1. the sustained rate
busy() { try_sql "SELECT busy_us FROM siddhi.engine_stats() WHERE database = (SELECT oid FROM pg_database WHERE datname = 'postgres')"; }
b0=$(busy)
t0=$(now)
perl bench/soak_feed.pl "$FEED_PSQL" 0 "$(($(date +%s) + MEASURE))" "$D/stop" "$D/feed.err" "$PKEYS" >"$D/measure.out"
t_fed=$(now)
drain
t1=$(now)
b1=$(busy)
measured=$(sql "SELECT count(*) FROM fed")
SUSTAINED=$(awk -v n="$measured" -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", n / (b - a)}')
CLIENT=$(awk -v n="$measured" -v a="$t0" -v b="$t_fed" 'BEGIN {printf "%d", n / (b - a)}')
RATE=$((SUSTAINED * PERCENT / 100))
echo "machine: $(machine); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sustained rate: $SUSTAINED events/s ($measured events fed in ${MEASURE} s by one client at $CLIENT events/s, all committed by the engine after $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s; the engine busy $(awk -v a="$t0" -v b="$t1" -v u="$((b1 - b0))" 'BEGIN {printf "%.0f", u / 1e4 / (b - a)}') % of that time); soak rate ($PERCENT %): $RATE events/s"

# 2. the soak
echo "time_s,incarnation,pid,vm_rss_kb,rss_anon_kb,committed_id,processed_id,lag_events,backlog_pieces,state_bytes,state_table_bytes,wal_bytes,free_mb,load1" >"$D/samples.csv"
start=$(date +%s)
end=$((start + DURATION))
perl bench/soak_feed.pl "$FEED_PSQL" "$RATE" "$end" "$D/stop" "$D/feed.err" "$PKEYS" >"$D/soak.out" &
feeder=$!
jitter() { echo $((KILL_EVERY * (70 + RANDOM % 61) / 100)); }
next_kill=$((start + $(jitter)))
next_sample=$start
kills=0 stops=0 incarnation=0 last_pid= short=
while [ "$(date +%s)" -lt "$end" ]; do
	t=$(date +%s)
	free=$(df -Pm "$D" | awk 'NR == 2 {print $4}')
	if [ "$free" -lt "$MIN_FREE_MB" ]; then
		# stop feeding, then check what was fed (the checks need some
		# disk too); the run fails as too short
		echo "$((t - start)) s: only $free MB free on the disk of $D: the feed stops here" >&2
		touch "$D/stop"
		short=$((t - start))
		break
	fi
	if [ "$t" -ge "$next_sample" ]; then
		pid=$(try_sql "$ENGINE_PID")
		if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
			[ "$pid" = "$last_pid" ] || { incarnation=$((incarnation + 1)); last_pid=$pid; }
			rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
			anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status")
			read -r c p b sb st w <<<"$(try_sql "SELECT (SELECT COALESCE(max(id), 0) FROM fed) || ' ' || (SELECT COALESCE(max(id), 0) FROM ids) || ' ' ||
			  (SELECT pieces FROM siddhi.durable_backlog) || ' ' || (SELECT COALESCE(sum(bytes), 0) FROM siddhi.query_states WHERE app = 'soak') || ' ' ||
			  pg_total_relation_size('siddhi.query_state') + pg_total_relation_size('siddhi.query_state_part') || ' ' ||
			  pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")"
			if [ -n "${w:-}" ]; then
				echo "$((t - start)),$incarnation,$pid,$rss,$anon,$c,$p,$((c - p)),$b,$sb,$st,$w,$free,$(cut -d' ' -f1 /proc/loadavg)" >>"$D/samples.csv"
			fi
		fi
		next_sample=$((t + SAMPLE))
	fi
	if [ "$t" -ge "$next_kill" ]; then
		kills=$((kills + 1))
		# the 5th, 15th, ... kill stops the postmaster instead (at least
		# once: the last kill does if none did before)
		left=$((end - t))
		if [ $((kills % 10)) = 5 ] || { [ "$stops" = 0 ] && [ "$left" -lt "$KILL_EVERY" ]; }; then
			$RUN_AS "$PG_BINDIR/pg_ctl" -D "$D/data" -m immediate stop >/dev/null
			$RUN_AS "$PG_BINDIR/pg_ctl" -D "$D/data" -l "$D/server.log" -w start >/dev/null
			stops=$((stops + 1))
			echo "$((t - start)) s: postmaster stopped (immediate) and started"
		else
			pid=$(try_sql "$ENGINE_PID")
			if [ -n "$pid" ]; then
				kill -9 "$pid"
				echo "$((t - start)) s: engine worker $pid killed"
			else
				kills=$((kills - 1))
			fi
		fi
		next_kill=$((t + $(jitter)))
	fi
	sleep 1
done
wait "$feeder"
read -r sessions xacts sent <"$D/soak.out"
t_end=$(date +%s)
drain
drained=$(($(date +%s) - t_end))
worker_kills=$((kills - stops))

# 3. the checks
read -r committed lost dup phantom <<<"$(sql "SELECT (SELECT count(*) FROM fed) || ' ' ||
  (SELECT count(*) FROM fed f WHERE NOT EXISTS (SELECT FROM ids i WHERE i.id = f.id)) || ' ' ||
  (SELECT COALESCE(sum(c - 1), 0) FROM (SELECT count(*) c FROM ids GROUP BY id HAVING count(*) > 1) d) || ' ' ||
  (SELECT count(*) FROM ids i WHERE NOT EXISTS (SELECT FROM fed f WHERE f.id = i.id))")"

# the references, from the committed ids (the values of event g: ts = g
# ms, k = g % 50, p = g % PKEYS, v = (g / 50 + k) % 4, x = g * 31 % 97):
#  - win: at event g the window holds the events of its key with ts in
#    (g - 10000, g] (an event expires when the clock reaches its ts plus
#    10 s, before the event that moved the clock is added);
#  - pat: each committed e1 (v = 1) matches the first later committed
#    event of its key with v = 2, if that is within 1 s (the first is 50 ms
#    later when it committed; never exactly 1 s later);
#  - part: each event's key's last 4 events, itself included.
sql "CREATE VIEW win_sql AS SELECT id, (id % 50)::int AS k, count(*) OVER w AS n, sum(x) OVER w AS s
       FROM (SELECT id, (id * 31 % 97)::int AS x FROM fed) f
     WINDOW w AS (PARTITION BY id % 50 ORDER BY id RANGE BETWEEN 9999 PRECEDING AND CURRENT ROW);
     CREATE VIEW pat_sql AS SELECT id AS id1, nxt AS id2 FROM (
       SELECT id, (id / 50 + id % 50) % 4 AS v,
              min(id) FILTER (WHERE (id / 50 + id % 50) % 4 = 2)
                OVER (PARTITION BY id % 50 ORDER BY id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS nxt
         FROM fed) f
      WHERE v = 1 AND nxt IS NOT NULL AND nxt - id <= 1000;
     CREATE VIEW part_sql AS SELECT id, (id % $PKEYS)::int AS p,
            sum((id * 31 % 97)::int) OVER (PARTITION BY id % $PKEYS ORDER BY id ROWS 3 PRECEDING) AS s
       FROM fed" >/dev/null
diff_of() { # rows of $1 not in $2 and of $2 not in $1 (multisets)
	sql "SELECT count(*) FROM ((TABLE $1 EXCEPT ALL TABLE $2) UNION ALL (TABLE $2 EXCEPT ALL TABLE $1)) d"
}
fail=0
[ "$lost" = 0 ] && [ "$dup" = 0 ] && [ "$phantom" = 0 ] || fail=1
declare -A DIFF ROWS
for t in win pat part; do
	ROWS[$t]=$(sql "SELECT count(*) FROM $t")
	DIFF[$t]=$(diff_of "$t" "${t}_sql")
	[ "${DIFF[$t]}" = 0 ] && [ "${ROWS[$t]}" -gt 0 ] || fail=1
done
ref_app=${REF_APP:-$([ "$committed" -le "$REF_APP_MAX" ] && echo 1 || echo 0)}
ref_line="not run (REF_APP=0 or more than $REF_APP_MAX events)"
if [ "$ref_app" = 1 ]; then
	sql "SELECT count(*) FROM siddhi.deploy('ref', \$\$$(app R _ref plain)\$\$)" >/dev/null
	sql "INSERT INTO r SELECT id, id, (id % 50)::int, (id % $PKEYS)::int, ((id / 50 + id % 50) % 4)::int, (id * 31 % 97)::int
	       FROM fed ORDER BY id" >/dev/null
	drain
	ref_line=""
	for t in ids win pat part; do
		dd=$(diff_of "$t" "${t}_ref")
		ref_line="$ref_line $t $dd,"
		[ "$dd" = 0 ] || fail=1
	done
fi
errors=$(grep -c 'ERROR' "$D/feed.err" || true)
other_errors=$(grep 'ERROR' "$D/feed.err" | grep -vc 'terminating connection\|server closed\|connection to server\|shutting down\|starting up\|recovery mode' || true)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# RSS: per incarnation, after its warm-up
sql "CREATE TABLE samples (t int, inc int, pid int, rss bigint, anon bigint, committed bigint,
       processed bigint, lag bigint, backlog bigint, state_bytes bigint, state_table bigint, wal numeric, free_mb int, load1 float8)"
$RUN_AS $PSQL -d postgres -c "\\copy samples FROM '$D/samples.csv' (FORMAT csv, HEADER)"
sql "CREATE VIEW inc AS SELECT inc, min(t) AS t0, max(t) AS t1, count(*) AS n, max(anon) AS max_anon, max(rss) AS max_rss,
       min(anon) FILTER (WHERE t >= t0w) AS min_anon_w,
       regr_slope(anon, t) FILTER (WHERE t >= t0w) * 3600 AS slope_kb_h,
       count(*) FILTER (WHERE t >= t0w) AS nw
     FROM (SELECT *, min(t) OVER (PARTITION BY inc) + $WARMUP AS t0w FROM samples) s GROUP BY inc"
echo
echo "== soak: $DURATION s at $RATE events/s, kills about every $KILL_EVERY s =="
[ -z "$short" ] || { echo "STOPPED EARLY for lack of disk, after $short s"; fail=1; }
echo "client: $sessions sessions, $xacts transactions sent ($sent events; the ones cut by a crash rolled back)"
echo "kills: $worker_kills of the engine worker (kill -9), $stops immediate stops of the postmaster"
echo "drained $drained s after the feed stopped; load average at the end: $load_end"
echo "events committed: $committed (incl. the rate measurement's $measured)"
echo "lost: $lost   duplicated: $dup   processed but never committed: $phantom"
for t in win pat part; do
	echo "$t: ${ROWS[$t]} rows; differences from the SQL reference: ${DIFF[$t]}"
done
echo "reference app (same app, non-durable, never interrupted, fed the committed events in order):${ref_line%,}"
echo "client errors: $errors (other than lost connections: $other_errors)"
echo "samples: $(sql "SELECT count(*) FROM samples") in $D/samples.csv; lag max $(sql "SELECT max(lag) FROM samples") events, median $(sql "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY lag) FROM samples")"
echo "saved state of the app (siddhi.query_states): $(sql "SELECT min(state_bytes) || ' to ' || max(state_bytes) FROM samples") bytes; siddhi.query_state and _part on disk: up to $(sql "SELECT pg_size_pretty(max(state_table)) FROM samples"); WAL written: $(sql "SELECT round((max(wal) - min(wal)) / 1048576) || ' MB, ' || round((max(wal) - min(wal)) / nullif(max(committed) - min(committed), 0)) || ' bytes per event' FROM samples")"
# the time from each kill to the engine's restored state and replay
awk '/terminated by signal 9|received immediate shutdown/ {split($2, a, ":"); k = a[1] * 3600 + a[2] * 60 + a[3]}
     /restored the saved state/ && k {split($2, a, ":"); d = a[1] * 3600 + a[2] * 60 + a[3] - k; if (d < 0) d += 86400; printf "%.1f\n", d; k = 0}' \
	"$D/server.log" | sort -g >"$D/recovery.txt"
echo "from a kill to the app's state restored: $(awk '{a[NR] = $1} END {if (NR) printf "median %s s, max %s s over %d restarts", a[int((NR + 1) / 2)], a[NR], NR}' "$D/recovery.txt") (crash recovery of the whole cluster included)"
echo "RSS (kB) of the worker, first / middle / last sample: $(sql "SELECT string_agg(rss || ' (anon ' || anon || ')', ' / ' ORDER BY t) FROM samples
       WHERE t IN ((SELECT min(t) FROM samples), (SELECT t FROM samples ORDER BY abs(t - (SELECT max(t) / 2 FROM samples)) LIMIT 1), (SELECT max(t) FROM samples))")"
echo "per incarnation (samples after ${WARMUP} s of its life: RssAnon min, max, slope):"
$RUN_AS $PSQL -d postgres -c "SELECT inc, t0 AS start_s, t1 - t0 AS life_s, n AS samples, max_rss, max_anon, min_anon_w AS anon_after_warmup,
       round(slope_kb_h) AS anon_slope_kb_per_h FROM inc ORDER BY inc"
echo "across incarnations (those with 3 samples after warm-up): trend of max RssAnon $(sql "SELECT round(regr_slope(max_anon, t0) * 3600) FROM inc WHERE nw >= 3") kB/h; median slope after warm-up $(sql "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY slope_kb_h)) FROM inc WHERE nw >= 3") kB/h"
bench_stop
# the cluster is kept (for a look) when something failed, unless the disk ran short
[ -z "$short" ] || rm -rf "$D/data" # the disk is short
[ "$fail" = 0 ] || { echo "soak: FAIL${short:+ (stopped early for lack of disk)}"; exit 1; }
[ "${SOAK_KEEP:-0}" = 1 ] || rm -rf "$D/data"
echo "soak: PASS"
