#!/usr/bin/env bash
# bench/epochs: what saving the queries' state costs (issue 15, epochs).
# Each query below runs with siddhi.save_state off and on, in one
# invocation on one cluster, the runs alternating; the figure is the
# engine's busy time per event (siddhi.engine_stats: ring to committed
# results) and its CPU time per event (utime + stime of the engine
# worker), each the median of RUNS runs, and the ratio on/off.  The
# events go in as PARTS transactions, so the engine runs (and saves) at
# least PARTS batches.
#
#   EVENTS=1000000 RUNS=3 PARTS=200 bash bench/epochs.sh [query ...]
#
# The outputs go into a stream no one reads (the same work either way).
# Queries: length1000_avg (bench/compare's: a length(1000) window's
# average; the window saved incrementally, the aggregator whole),
# time_group_by (a time(1 min) window, 1,000 groups), time_10min (a
# time(10 min) window holding every event of the run: incremental saves
# keep it cheap), filter (stateless: nothing to save), named_length1000
# (length1000_avg over a named window: the window saved as app state),
# keyed_pattern (a pattern keyed on one symbol beside a filter keyed on
# another: the dispatch index's event time saved with the app); and any
# query of bench/compare by its name (bench/compare/NAME.siddhi, fed by
# compare's generator) as compare/NAME; compare_windows names all its
# window benchmarks.
#
# ON='name=value ..': settings for the runs with save_state on (the
# epoch's length), e.g. ON='siddhi.state_interval=0' (every batch) or
# ON='siddhi.state_interval=10s siddhi.state_budget=0'; reset for the
# runs with it off.  (Results commit with every batch whatever the
# epoch's length; a batch that saves commits its results later by what
# the save took.)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
EVENTS=${EVENTS:-1000000}
WARMUP=${WARMUP:-100000}
RUNS=${RUNS:-3}
PARTS=${PARTS:-200}
QUERIES=${*:-length1000_avg time_group_by time_10min filter}
# bench/compare's window benchmarks (issue 15: epochs under 10 % on them)
QUERIES=${QUERIES/compare_windows/compare/length_avg compare/tumbling_group_by compare/window_join compare/length1000_avg compare/time_group_by compare/tumbling_100k compare/length100_join compare/partition_100k_sum}

sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }

query_text() {
	case $1 in
	length1000_avg) echo "from Ticks#window.length(1000) select symbol, avg(price) as avg_price insert into Out;" ;;
	time_group_by) echo "from Ticks#window.time(1 min) select symbol, sum(volume) as total group by symbol insert into Out;" ;;
	time_10min) echo "from Ticks#window.time(10 min) select symbol, price insert expired events into Out;" ;;
	filter) echo "from Ticks[price > 150.0] select symbol, price, volume insert into Out;" ;;
	named_length1000) echo "from W select symbol, avg(price) as avg_price insert into Out;" ;;
	keyed_pattern) echo "from every e1=Ticks[symbol == 'S1'] -> e2=Ticks[symbol == 'S1' and price > e1.price] within 1 sec select e1.symbol, e2.price insert into Out;" ;;
	*) echo "unknown query $1" >&2; exit 1 ;;
	esac
}
query_defs() { # what the query needs besides the stream
	case $1 in
	named_length1000) echo "define window W (symbol string, price double, volume long) length(1000); from Ticks insert into W;" ;;
	keyed_pattern) echo "from Ticks[symbol == 'S2'] select symbol, price insert into Out2;" ;;
	esac
}

HZ=$(getconf CLK_TCK)
busy() { # events, busy us, CPU ticks of the engine
	local e b pid
	read -r e b pid <<<"$(sql "SELECT events || ' ' || busy_us || ' ' || pid FROM siddhi.engine_stats()
	      WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())")"
	echo "$e $b $(awk '{print $14 + $15}' "/proc/$pid/stat")"
}
insert() { # events $1 .. $2-1 in $PARTS transactions, then wait
	local per=$((($2 - $1 + PARTS - 1) / PARTS)) lo hi
	for p in $(seq 0 $((PARTS - 1))); do
		lo=$(($1 + p * per))
		hi=$((lo + per < $2 ? lo + per : $2))
		[ "$lo" -lt "$hi" ] || continue
		sql "INSERT INTO ticks SELECT 'S' || (i % 1000), (i % 500) / 3.0, i
		       FROM generate_series($lo, $((hi - 1))) i" >/dev/null
	done
	sql "SELECT siddhi.flush()" >/dev/null
}
# "busy_ns cpu_ns" per event of one run of query $1 with save_state $2
one_run() {
	local setting
	for setting in ${ON:-}; do
		if [ "$2" = on ]; then
			sql "ALTER SYSTEM SET ${setting%%=*} = '${setting#*=}'" >/dev/null
		else
			sql "ALTER SYSTEM RESET ${setting%%=*}" >/dev/null
		fi
	done
	sql "ALTER SYSTEM SET siddhi.save_state = $2" >/dev/null
	sql "SELECT pg_reload_conf()" >/dev/null
	sleep 0.3
	# the rows an earlier run saved and its undeploy deleted: vacuumed, as
	# autovacuum would between deploys, so that each run starts alike
	sql "VACUUM siddhi.query_state, siddhi.query_state_part" >/dev/null
	sql "CHECKPOINT" >/dev/null
	case $1 in compare/*)
		compare_run "${1#compare/}"
		return ;;
	esac
	sql "SELECT count(*) FROM siddhi.deploy('ep', \$\$
	  define stream Ticks (symbol string, price double, volume long);
	  $(query_defs "$1")
	  @info(name = 'out') $(query_text "$1")
	\$\$)" >/dev/null
	insert 0 "$WARMUP"
	read -r e0 b0 c0 <<<"$(busy)"
	insert "$WARMUP" $((WARMUP + EVENTS))
	read -r e1 b1 c1 <<<"$(busy)"
	sql "SELECT siddhi.undeploy('ep', drop_tables => true)" >/dev/null
	local n=$((e1 - e0))
	[ "$n" -gt 0 ] || n=1
	echo "$(((b1 - b0) * 1000 / n)) $(((c1 - c0) * 1000000000 / HZ / n))"
}
# one run of bench/compare/$1.siddhi, fed by compare's generator
compare_run() {
	local app=bench/compare/$1.siddhi streams load e0 b0 c0 e1 b1 c1 n
	keys=$(sed -n 's/^-- bench:.*keys=\([0-9]*\).*/\1/p' "$app")
	rate=$(sed -n 's/^-- bench:.*rate=\([0-9]*\).*/\1/p' "$app")
	load=$(sed -n 's/^-- bench:.*load=\([A-Za-z_0-9]*\).*/\1/p' "$app" | tr '[:upper:]' '[:lower:]')
	rows=$(sed -n 's/^-- bench:.*rows=\([0-9]*\).*/\1/p' "$app")
	keys=${keys:-1000} rate=${rate:-1000}
	sql "SELECT count(*) FROM siddhi.deploy('ep', \$app\$$(cat "$app")\$app\$)" >/dev/null
	[ -n "$load" ] && insert_events "$load" 0 "${rows:-0}"
	streams=$(sed -n 's/^[[:space:]]*define stream \([A-Za-z_0-9]*\).*/\1/p' "$app" |
		tr '[:upper:]' '[:lower:]' | grep -vx -e out -e "$load" | sort)
	insert_events "$streams" 0 "$WARMUP"
	read -r e0 b0 c0 <<<"$(busy)"
	insert_events "$streams" "$WARMUP" $((WARMUP + EVENTS))
	read -r e1 b1 c1 <<<"$(busy)"
	sql "SELECT siddhi.undeploy('ep', drop_tables => true)" >/dev/null
	n=$((e1 - e0))
	[ "$n" -gt 0 ] || n=1
	echo "$(((b1 - b0) * 1000 / n)) $(((c1 - c0) * 1000000000 / HZ / n))"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

bench_start >/dev/null
echo "machine: $(machine); load: $(cut -d' ' -f1-3 /proc/loadavg); events: $EVENTS (warm-up $WARMUP) in $PARTS transactions; median of $RUNS run(s)${ON:+; on: $ON}"
printf '%-28s %12s %12s %8s %12s %12s %8s\n' query "busy off" "busy on" ratio "cpu off" "cpu on" ratio
for q in $QUERIES; do
	: >"$BENCH_DIR.off" && : >"$BENCH_DIR.on" && : >"$BENCH_DIR.coff" && : >"$BENCH_DIR.con"
	for r in $(seq 1 "$RUNS"); do
		read -r b c <<<"$(one_run "$q" off)"
		echo "$b" >>"$BENCH_DIR.off"; echo "$c" >>"$BENCH_DIR.coff"
		read -r b c <<<"$(one_run "$q" on)"
		echo "$b" >>"$BENCH_DIR.on"; echo "$c" >>"$BENCH_DIR.con"
	done
	boff=$(median <"$BENCH_DIR.off"); bon=$(median <"$BENCH_DIR.on")
	coff=$(median <"$BENCH_DIR.coff"); con=$(median <"$BENCH_DIR.con")
	printf '%-28s %9s ns %9s ns %8s %9s ns %9s ns %8s\n' "$q" "$boff" "$bon" \
		"$(awk -v a="$bon" -v b="$boff" 'BEGIN {printf "%.3f", b ? a / b : 0}')" \
		"$coff" "$con" "$(awk -v a="$con" -v b="$coff" 'BEGIN {printf "%.3f", b ? a / b : 0}')"
done
rm -f "$BENCH_DIR.off" "$BENCH_DIR.on" "$BENCH_DIR.coff" "$BENCH_DIR.con"
bench_stop
