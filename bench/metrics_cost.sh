#!/usr/bin/env bash
# bench/metrics_cost: what the metrics of issue 16 cost per event.  The
# filter of bench/compare (Ticks[price > 150.0] into Out) runs on this
# build (SIDDHI_PREFIX) and on a build without the metrics (BASE_PREFIX,
# e.g. the commit before them built with build_and_install into another
# prefix), in one invocation, the runs alternating between the two; the
# figure is the engine's busy time per event (siddhi.engine_stats: ring
# to committed results) and, less disturbed by other processes on a
# shared machine, its CPU time per event (utime + stime of the engine
# worker, /proc/PID/stat), and, when perf is installed, the instructions
# the engine ran per event (perf stat: what contention for the cores does
# not change); each the median of RUNS runs.
#
#   EVENTS=2000000 RUNS=3 bash bench/metrics_cost.sh
#
# Without BASE_PREFIX, the baseline is this commit (HEAD: commit first)
# built with -DSIDDHI_NO_METRICS, which leaves of the metrics only the
# per-query event count that was there before them (src/ipc/stats.c,
# metrics.c, src/runtime/metrics_probe.c): the same code otherwise, so
# the difference is the metrics' and nothing else's.  BASE_PREFIX names
# another build to compare with instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
: "${SIDDHI_PREFIX:?set SIDDHI_PREFIX to the prefix holding this build}"
if [ -z "${BASE_PREFIX:-}" ]; then
	BASE_PREFIX=$BENCH_DIR-nometrics
	src=$(mktemp -d /tmp/siddhi-nometrics.XXXXXX)
	git archive HEAD | tar -x -C "$src"
	(cd "$src" && SIDDHI_PREFIX=$BASE_PREFIX COPT=-DSIDDHI_NO_METRICS \
		bash -c '. test/common.sh && build_and_install') >/dev/null
	rm -rf "$src"
fi
EVENTS=${EVENTS:-2000000}
WARMUP=${WARMUP:-200000}
RUNS=${RUNS:-3}
PARTS=10

use_build() {
	PG_BINDIR=$1/usr/lib/postgresql/15/bin
	PSQL="$PG_BINDIR/psql -h $BENCH_DIR -p $BENCH_PORT -U postgres -X -q -v ON_ERROR_STOP=1"
}
sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }
HZ=$(getconf CLK_TCK)
# events, busy us, CPU ticks of the engine
busy() {
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
		sql "INSERT INTO ticks SELECT 'S' || (i % 1000), (i % 500) / 3.0, i
		       FROM generate_series($lo, $((hi - 1))) i" >/dev/null
	done
	sql "SELECT siddhi.flush()" >/dev/null
}
# ns of engine busy time per event, one run of build $1
one_run() {
	use_build "$1"
	bench_start >/dev/null
	sql "SELECT siddhi.deploy('filter', \$\$
	  define stream Ticks (symbol string, price double, volume long);
	  @info(name = 'out') from Ticks[price > 150.0] select symbol, price, volume insert into Out;
	\$\$)" >/dev/null
	insert 0 "$WARMUP"
	read -r e0 b0 c0 <<<"$(busy)"
	local pid perfpid="" ins=0
	pid=$(sql "SELECT pid FROM siddhi.engine_stats()
	            WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())")
	if command -v perf >/dev/null; then
		perf stat -x, -e instructions -p "$pid" -o "$BENCH_DIR.perf" &
		perfpid=$!
		sleep 0.5
	fi
	insert "$WARMUP" $((WARMUP + EVENTS))
	read -r e1 b1 c1 <<<"$(busy)"
	if [ -n "$perfpid" ]; then
		kill -INT "$perfpid"
		wait "$perfpid" || true
		ins=$(awk -F, '/instructions/ {print $1}' "$BENCH_DIR.perf")
		case $ins in '' | *[!0-9]*) ins=0 ;; esac # a VM without the counter
	fi
	bench_stop
	echo "$(echo "scale=1; ($b1 - $b0) * 1000 / ($e1 - $e0)" | bc)" \
		"$(echo "scale=1; ($c1 - $c0) * 1000000000 / $HZ / ($e1 - $e0)" | bc)" \
		"$(echo "scale=1; ${ins:-0} / ($e1 - $e0)" | bc)"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

base=()
this=()
basecpu=()
thiscpu=()
baseins=()
thisins=()
for r in $(seq 1 "$RUNS"); do
	read -r b c i <<<"$(one_run "$BASE_PREFIX")"
	base+=("$b")
	basecpu+=("$c")
	baseins+=("$i")
	read -r b c i <<<"$(one_run "$SIDDHI_PREFIX")"
	this+=("$b")
	thiscpu+=("$c")
	thisins+=("$i")
	echo "run $r: without metrics ${base[-1]} ns/event busy, ${basecpu[-1]} CPU," \
		"${baseins[-1]} instructions; with ${this[-1]} busy, ${thiscpu[-1]} CPU," \
		"${thisins[-1]} instructions" >&2
done
echo "machine: $(machine)"
for what in busy CPU instructions; do
	if [ $what = busy ]; then
		mb=$(median "${base[@]}") mt=$(median "${this[@]}")
	elif [ $what = CPU ]; then
		mb=$(median "${basecpu[@]}") mt=$(median "${thiscpu[@]}")
	else
		mb=$(median "${baseins[@]}") mt=$(median "${thisins[@]}")
		[ "$mb" = 0 ] && continue
	fi
	echo "filter, $EVENTS events, engine $what per event (busy, CPU: ns), median of $RUNS:" \
		"without metrics $mb, with $mt," \
		"cost $(echo "scale=2; ($mt - $mb) * 100 / $mb" | bc) %"
done
