#!/usr/bin/env bash
# Check that Siddhi Java still produces the checked-in expected outputs.
#   test/reference/check.sh [CASE...]
# Runs the reference on every case (or the named ones) and compares with
# CASE/expected.jsonl under the case's rules (test/conformance/compare.py).
# Fails if any case differs or the reference fails on it.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="$(cd "$here/../conformance" && pwd)"
source "$here/cases.sh"

"$here/run-reference.sh" --build-only || exit 2
pass=0 fail=0
tmp="$(mktemp)"
trap 'rm -f "$tmp" "$tmp.err"' EXIT
cases="$(list_cases "$conf" "$@")" || exit 2
for dir in $cases; do
    name="$(basename "$dir")"
    if [[ ! -f "$dir/expected.jsonl" ]]; then
        echo "FAIL $name: no expected.jsonl (run test/reference/regen.sh $name)"
        fail=$((fail + 1))
    elif ! "$here/run-reference.sh" "$dir" >"$tmp" 2>"$tmp.err"; then
        echo "FAIL $name: reference runner failed"; sed 's/^/    /' "$tmp.err"
        fail=$((fail + 1))
    elif python3 "$conf/compare.py" --case "$dir" "$dir/expected.jsonl" "$tmp" >"$tmp.err"; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name"; sed 's/^/    /' "$tmp.err"
        fail=$((fail + 1))
    fi
done
echo "reference: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
