#!/usr/bin/env bash
# bench/memory: memory per held event (each window kind) and per group key
# (the group-by map), siddhi's engine worker against Siddhi Java's heap for
# the same state, in one invocation.
#
#   SIZES="100000 1000000" SMALL=1000 bash bench/memory.sh [kind ...]
#
# SIZES defaults to 100000 (about 3 minutes); with 1000000 too, about 9.
#
# Each kind is one app: stream Feed (sym string, price double, vol long,
# ts long) into one query whose state, after N events, is N held events
# (windows) or N group keys (group_by; partition: N partition keys, each
# with a running sum; partition_length: each with a length(2) window and
# its average): the window's parameter is chosen so
# that it holds every event fed (length(N), lengthBatch(N+1) collecting,
# time(1 day) at 1,000 events per second of event time, ...) and the keyed
# ones see N distinct keys.  Both engines get the same generated events (as
# bench/compare generates them).  The figure per event is the difference
# between the app fed N events and the same app fed SMALL events, divided
# by N - SMALL, so the fixed costs of an app and of the engine cancel.
#
# siddhi: the engine worker's memory contexts (pg_log_backend_memory_contexts,
# "Grand total" used bytes, from the server log) and, as a check, its
# RssAnon (/proc/PID/status), measured with the app deployed and fed, then
# the app is undeployed; the server restarts before each app, so that the
# worker's RssAnon starts from nothing.  Siddhi Java: siddhiref.Memory, one JVM for all
# sizes of a kind, used heap (totalMemory - freeMemory) after System.gc()
# settles, with the app still running (serial GC, so the figure is stable).
# unique and firstUnique need Siddhi's unique extension on the Java side:
# SIDDHI_REF_EXTRA_CP=DIR, built as test/conformance/README.md says; without
# it their Java column is "-".
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
SIZES=${SIZES:-100000}
SMALL=${SMALL:-1000}
RATE=1000
CHUNK=200000
kinds=${*:-"length time lengthBatch timeBatch externalTime session sort unique firstUnique frequent group_by partition partition_length"}

# the query of a kind holding n events (or n keys); keys fed: keys_of
query_of() {
	local kind=$1 n=$2
	case $kind in
	length) echo "from Feed#window.length($n) select sym, price, vol insert into Out;" ;;
	time) echo "from Feed#window.time(1 day) select sym, price, vol insert into Out;" ;;
	lengthBatch) echo "from Feed#window.lengthBatch($((n + 1))) select sym, price, vol insert into Out;" ;;
	timeBatch) echo "from Feed#window.timeBatch(1 day) select sym, price, vol insert into Out;" ;;
	externalTime) echo "from Feed#window.externalTime(ts, 1 day) select sym, price, vol insert into Out;" ;;
	session) echo "from Feed#window.session(1 day) select sym, price, vol insert into Out;" ;;
	sort) echo "from Feed#window.sort($n, price, 'asc') select sym, price, vol insert into Out;" ;;
	unique) echo "from Feed#window.unique:ever(sym) select sym, price, vol insert into Out;" ;;
	firstUnique) echo "from Feed#window.unique:first(sym) select sym, price, vol insert into Out;" ;;
	frequent) echo "from Feed#window.frequent($n, sym) select sym, price, vol insert into Out;" ;;
	group_by) echo "from Feed select sym, sum(price) as total, count() as n group by sym insert into Out;" ;;
	partition) echo "partition with (sym of Feed) begin from Feed select sym, sum(price) as total, count() as n insert into Out; end;" ;;
	partition_length) echo "partition with (sym of Feed) begin from Feed#window.length(2) select sym, avg(price) as mean insert into Out; end;" ;;
	*) echo "unknown kind $kind" >&2; exit 2 ;;
	esac
}
# distinct keys among n events: n for the keyed kinds, else 1000
keys_of() {
	case $1 in unique | firstUnique | frequent | group_by | partition*) echo "$2" ;; *) echo 1000 ;; esac
}
app_file() {
	local f="$BENCH_DIR/mem_$1_$2.siddhi"
	{
		echo "@app:playback"
		echo "@eventTime('ts')"
		echo "define stream Feed (sym string, price double, vol long, ts long);"
		query_of "$1" "$2"
	} >"$f"
	echo "$f"
}

jar=test/reference/target/siddhi-reference.jar
bash test/reference/run-reference.sh --build-only
bench_start
sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }
sql "ALTER SYSTEM SET siddhi.max_groups = 100000000" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null
LOG=$BENCH_DIR/server.log

# the engine worker of database postgres (started by the first deploy)
worker_pid() {
	sql "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND datid = (SELECT oid FROM pg_database WHERE datname = 'postgres')"
}

# used bytes of the worker's memory contexts, from its log
ctx_used() {
	local pid=$1 from used i
	from=$(wc -l <"$LOG")
	sql "SELECT pg_log_backend_memory_contexts($pid)" >/dev/null
	for i in $(seq 1 100); do
		used=$(tail -n +"$((from + 1))" "$LOG" | grep "Grand total:" |
			sed -n 's/.*Grand total: .*; \([0-9]*\) used.*/\1/p' | tail -1)
		[ -n "$used" ] && { echo "$used"; return; }
		sleep 0.1
	done
	echo "no memory context report from $pid" >&2
	exit 1
}
rss_anon() { awk '/^RssAnon:/ {print $2 * 1024}' "/proc/$1/status"; }

# deploy kind at n, feed n events, print "ctx_used rss_anon"
ours() {
	local kind=$1 n=$2 keys lo hi pid in
	keys=$(keys_of "$kind" "$n")
	# a fresh server: a worker's RssAnon never shrinks after an undeploy
	$RUN_AS "$PG_BINDIR/pg_ctl" -D "$BENCH_DIR/data" -l "$LOG" -w restart >/dev/null
	sql "SELECT siddhi.deploy('mem', \$app\$$(cat "$(app_file "$kind" "$n")")\$app\$)" >/dev/null
	for ((lo = 0; lo < n; lo += CHUNK)); do
		hi=$((lo + CHUNK < n ? lo + CHUNK : n))
		sql "INSERT INTO feed SELECT 'S' || (i % $keys), (i % 500) / 3.0, i, i::int8 * 1000 / $RATE FROM generate_series($lo, $((hi - 1))) i" >/dev/null
		[ "$(sql "SELECT siddhi.flush(600000)")" = t ] || { echo "engine did not finish $kind" >&2; exit 1; }
	done
	# every event reached the query (its counter in siddhi.queries)
	in=$(sql "SELECT sum(events_in) FROM siddhi.queries WHERE app = 'mem'")
	[ "$in" = "$n" ] || { echo "$kind: the query took $in events of $n" >&2; exit 1; }
	pid=$(worker_pid)
	echo "$(ctx_used "$pid") $(rss_anon "$pid")"
	sql "SELECT siddhi.undeploy('mem', drop_tables => true)" >/dev/null
}

echo "machine: $(machine); sizes: $SIZES (baseline $SMALL)"
printf '%-13s %9s %10s %10s %10s %9s\n' kind N "ours B/ev" "(rss B/ev)" "java B/ev" java/ours
for kind in $kinds; do
	args=("$(app_file "$kind" "$SMALL")" "$SMALL" "$(keys_of "$kind" "$SMALL")")
	for n in $SIZES; do
		args+=("$(app_file "$kind" "$n")" "$n" "$(keys_of "$kind" "$n")")
	done
	mapfile -t java < <(java -XX:+UseSerialGC -Xmx4g -cp "$jar${SIDDHI_REF_EXTRA_CP:+:$SIDDHI_REF_EXTRA_CP}" siddhiref.Memory "$RATE" "${args[@]}" 2>/dev/null |
		sed -n 's/.*used=\([0-9]*\).*/\1/p')
	read -r c0 r0 <<<"$(ours "$kind" "$SMALL")"
	i=1
	for n in $SIZES; do
		read -r c1 r1 <<<"$(ours "$kind" "$n")"
		ob=$(echo "($c1 - $c0) / ($n - $SMALL)" | bc -l)
		rb=$(echo "($r1 - $r0) / ($n - $SMALL)" | bc -l)
		if [ -n "${java[$i]:-}" ]; then
			jb=$(echo "(${java[$i]} - ${java[0]}) / ($n - $SMALL)" | bc -l)
			printf '%-13s %9s %10.1f %10.1f %10.1f %9.2f\n' "$kind" "$n" "$ob" "$rb" "$jb" "$(echo "$jb / $ob" | bc -l)"
		else
			printf '%-13s %9s %10.1f %10.1f %10s %9s\n' "$kind" "$n" "$ob" "$rb" - -
		fi
		i=$((i + 1))
	done
done
bench_stop
