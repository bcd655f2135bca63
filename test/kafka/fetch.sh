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
trap 'rm -rf "$tmp" "$tmp.log"' EXIT
mkdir -p "$tmp"
if ! mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
	-DincludeScope=runtime -DoutputDirectory="$tmp" ${KAFKA_MVN_FLAGS:-} \
	>"$tmp.log" 2>&1; then
	cat "$tmp.log" >&2
	echo "fetch.sh: Maven could not fetch the Kafka jars (above)" >&2
	rm -f "$tmp.log"
	exit 1
fi
rm -f "$tmp.log"
ls "$tmp"/kafka_2.13-*.jar >/dev/null
echo "$want" >"$tmp/.stamp"
chmod -R a+rX "$tmp"
rm -rf "$lib"
mv "$tmp" "$lib"
trap - EXIT
# a class-data archive of the broker's classes: each broker and tool JVM
# then starts about a quarter quicker (optional: without it they work)
adir=$(mktemp -d /tmp/kafka-archive.XXXXXX)
if KAFKA_LIB="$lib" bash "$here/broker.sh" archive "$adir"; then
	rm -rf "$adir"
else
	echo "fetch.sh: no class archive (the brokers will start without it; log in $adir)" >&2
fi
echo "Kafka jars ready: $(ls "$lib" | wc -l) files, $(du -sh "$lib" | cut -f1)"
