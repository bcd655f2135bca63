#!/usr/bin/env bash
# bench/roadmap: the roadmap's M3 speed table (issue 16), measured.  The
# roadmap's rows are a complex join, a multi-aggregation and pattern
# matching, "before" and "after" the optimizer, with targets of 10x, 8x and
# 5x.  This runs bench/compare.sh on the same events twice in one
# invocation, once with a build from before the optimizer work (the
# "before") and once with this one, each against Siddhi Java, and prints
# each query's engine rate after / before.
#
#   EVENTS=1000000 WARMUP=200000 RUNS=3 bash bench/roadmap.sh [query ...]
#
# The queries (bench/compare/): length100_join (complex join: two
# length(100) windows joined on the symbol), multi_agg (six aggregates of
# a sliding minute grouped by 1,000 symbols), pattern_match (a three-state
# every pattern, 7 % of events completing a match) and pattern_100 (100
# patterns on one stream, the optimizer's dispatch index).
#
# BEFORE_COMMIT (default 867c70a, the last commit before EXPLAIN, the
# dispatch index and the window's join index) is built into
# /tmp/siddhi-before-<commit> (kept for the next run) unless BEFORE_PREFIX
# names an install of it made with test/common.sh's build_and_install;
# this build goes into /tmp/siddhi-after unless SIDDHI_PREFIX names one.
# (Not under SIDDHI_BENCH_DIR: bench/compare.sh makes its cluster there
# anew.)
set -euo pipefail
cd "$(dirname "$0")/.."
. test/common.sh
BEFORE_COMMIT=${BEFORE_COMMIT:-867c70a}
queries=${*:-"length100_join multi_agg pattern_match pattern_100"}
after_prefix=${SIDDHI_PREFIX:-}
out=$(mktemp -d /tmp/siddhi-roadmap.XXXXXX)

if [ -z "${BEFORE_PREFIX:-}" ]; then
	before=/tmp/siddhi-before-$BEFORE_COMMIT
	BEFORE_PREFIX=$before/prefix
	if [ ! -f "$BEFORE_PREFIX/built-$BEFORE_COMMIT" ]; then
		rm -rf "$before"
		mkdir -p "$before"
		git worktree add --detach "$before/src" "$BEFORE_COMMIT" >/dev/null
		(cd "$before/src" && SIDDHI_PREFIX=$BEFORE_PREFIX &&
			export SIDDHI_PREFIX && . test/common.sh && build_and_install) >"$out/build.log" 2>&1
		git worktree remove --force "$before/src"
		touch "$BEFORE_PREFIX/built-$BEFORE_COMMIT"
	fi
fi
# this build, installed as the suites install it
[ -n "$after_prefix" ] || { after_prefix=/tmp/siddhi-after/prefix; SIDDHI_PREFIX=$after_prefix build_and_install >/dev/null; }

echo "== before: $BEFORE_COMMIT"
SIDDHI_PREFIX=$BEFORE_PREFIX bash bench/compare.sh $queries | tee "$out/before"
echo "== after: $(git rev-parse --short HEAD)"
SIDDHI_PREFIX=$after_prefix bash bench/compare.sh $queries | tee "$out/after"

# query, engine rate before and after, after / before, after / Java
echo "== the roadmap's table: the engine's rate after / before"
printf '%-16s %12s %12s %8s %10s\n' query before after "x before" "x java"
for q in $queries; do
	b=$(awk -v q="$q" '$1 == q {print $3}' "$out/before")
	a=$(awk -v q="$q" '$1 == q {print $3}' "$out/after")
	r=$(awk -v q="$q" '$1 == q {print $4}' "$out/after")
	if [ -z "$b" ] || [ -z "$a" ] || [ "$b" = - ] || [ "$a" = - ]; then
		printf '%-16s %12s %12s %8s %10s\n' "$q" "${b:--}" "${a:--}" - "${r:--}"
		continue
	fi
	printf '%-16s %12s %12s %8.2f %10s\n' "$q" "$b" "$a" "$(echo "$a / $b" | bc -l)" "$r"
done
