#!/usr/bin/env bash
# Regenerate expected outputs of conformance cases with Siddhi Java.
#   test/reference/regen.sh            every case under test/conformance/
#   test/reference/regen.sh CASE...    only these (names or directories)
# Rewrites CASE/expected.jsonl and reports which ones changed. Exit status
# is non-zero when the reference failed on some case (its file is kept).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="$(cd "$here/../conformance" && pwd)"
source "$here/cases.sh"

"$here/run-reference.sh" --build-only || exit 2
changed=0 same=0 failed=0 new=0
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
cases="$(list_cases "$conf" "$@")" || exit 2
for dir in $cases; do
    name="$(basename "$dir")"
    if ! "$here/run-reference.sh" "$dir" >"$tmp" 2>"$tmp.err"; then
        echo "FAILED   $name"; sed 's/^/    /' "$tmp.err"
        failed=$((failed + 1))
        continue
    fi
    if [[ ! -f "$dir/expected.jsonl" ]]; then
        echo "new      $name ($(wc -l <"$tmp") events)"
        new=$((new + 1))
    elif cmp -s "$tmp" "$dir/expected.jsonl"; then
        same=$((same + 1))
        continue
    else
        echo "changed  $name"
        diff -u "$dir/expected.jsonl" "$tmp" | sed -n '3,40p' | sed 's/^/    /'
        changed=$((changed + 1))
    fi
    cp "$tmp" "$dir/expected.jsonl"
done
rm -f "$tmp.err"
echo "regen: $same unchanged, $changed changed, $new new, $failed failed"
[[ $failed -eq 0 ]]
