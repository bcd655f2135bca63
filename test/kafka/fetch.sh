#!/usr/bin/env bash
# Copy the Apache Kafka jars that test/kafka/pom.xml names (and everything
# they need) from Maven Central into test/kafka/lib (or $KAFKA_LIB), once.
# A stamp holding pom.xml's checksum says the copy is complete and current:
# with it in place this does nothing.  The copy goes to a temporary
# directory first, so a failed or interrupted download leaves no half lib.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=${KAFKA_LIB:-$here/lib}
want=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)

if [ -f "$lib/.stamp" ] && [ "$(cat "$lib/.stamp")" = "$want" ]; then
	exit 0
fi
for tool in mvn java; do
	if ! command -v $tool >/dev/null; then
		echo "fetch.sh: $tool not found (test/install-deps.sh installs it)" >&2
		exit 1
	fi
done
echo "fetching the Kafka jars into $lib (Maven, once)"
tmp="$lib.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
if ! mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
	-DincludeScope=runtime -DoutputDirectory="$tmp" ${KAFKA_MVN_FLAGS:-}; then
	echo "fetch.sh: Maven could not fetch the Kafka jars (see above)" >&2
	exit 1
fi
ls "$tmp"/kafka_2.13-*.jar >/dev/null
echo "$want" >"$tmp/.stamp"
chmod -R a+rX "$tmp"
rm -rf "$lib"
mv "$tmp" "$lib"
trap - EXIT
echo "Kafka jars ready: $(ls "$lib" | wc -l) files, $(du -sh "$lib" | cut -f1)"
