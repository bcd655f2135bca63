#!/usr/bin/env bash
# Packaging checks: META.json and the control file agree on the version,
# and the install script for that version exists.
set -euo pipefail
cd "$(dirname "$0")/.."
control=$(sed -n "s/^default_version = '\(.*\)'/\1/p" siddhi.control)
meta=$(python3 -c 'import json; m = json.load(open("META.json")); print(m["version"]); assert m["provides"]["siddhi"]["version"] == m["version"]')
echo "control: $control  META.json: $meta"
[ "$control" = "$meta" ]
[ -f "siddhi--$control.sql" ]
grep -q "siddhi--$control.sql" META.json
