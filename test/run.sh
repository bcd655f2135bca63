#!/usr/bin/env bash
# The README's test command (make test): install, build, check formatting,
# then run every suite.  Prints "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/common.sh

bash test/install-deps.sh || exit 1
build_and_install || exit 1

passed=0
failed=0
suite() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== $name: ok"
	else
		failed=$((failed + 1))
		echo "=== $name: FAILED"
	fi
}

suite "format" make -s format-check
suite "packaging" bash test/packaging.sh
suite "regress" bash test/regress.sh
suite "examples" bash test/examples.sh
suite "tap" bash test/tap.sh

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
