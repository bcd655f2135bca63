#!/usr/bin/env bash
# Run one conformance case through Siddhi Java (the reference engine).
#   test/reference/run-reference.sh CASE_DIR
# Prints the case's output events as JSON lines on stdout (format:
# test/conformance/README.md). Builds the runner jar first when it is
# missing or older than its sources (Maven offline, then online).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/siddhi-reference.jar"

build_jar() {
    if [[ -f "$jar" ]] && [[ -z "$(find "$here/pom.xml" "$here/src" -newer "$jar" -type f 2>/dev/null | head -1)" ]]; then
        return 0
    fi
    echo "run-reference: building $jar" >&2
    if ! (cd "$here" && mvn -q -o package -DskipTests >&2); then
        echo "run-reference: offline build failed, trying online" >&2
        (cd "$here" && mvn -q package -DskipTests >&2)
    fi
}

if [[ $# -ne 1 ]]; then
    echo "usage: $0 CASE_DIR" >&2
    exit 2
fi
if [[ "$1" == "--build-only" ]]; then
    build_jar
    exit 0
fi
build_jar
# SIDDHI_REF_EXTRA_CP: more jars or class directories for the runner, such
# as Siddhi extensions that are not on Maven Central (see the README).
if [[ -n "${SIDDHI_REF_EXTRA_CP:-}" ]]; then
    exec java ${SIDDHI_REF_JAVA_OPTS:-} -cp "$jar:$SIDDHI_REF_EXTRA_CP" siddhiref.Runner "$1"
fi
exec java ${SIDDHI_REF_JAVA_OPTS:-} -jar "$jar" "$1"
