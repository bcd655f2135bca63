#!/usr/bin/env bash
# Install what building, testing and the demo need, from Debian's archive.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

PACKAGES="postgresql-15 postgresql-server-dev-15
  build-essential libipc-run-perl clang-format python3 bc libpq-dev
  kcat librdkafka-dev libavro-dev libcurl4-openssl-dev
  libhiredis-dev redis-server zlib1g-dev libmicrohttpd-dev
  curl openssl"
# the tests' Kafka broker (test/kafka) runs on Java 17 from Maven's jars:
# taken from Debian only when the machine has none
command -v java >/dev/null || PACKAGES="$PACKAGES openjdk-17-jre-headless"
command -v mvn >/dev/null || PACKAGES="$PACKAGES maven"

missing=""
for p in $PACKAGES; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi

# promtool (t/032_metrics.pl checks the /metrics text with it) comes in
# Debian's prometheus package, whose install would start a Prometheus
# server on port 9090: a policy-rc.d that refuses every start is put in
# place for the install (when the machine has none), and on a systemd
# machine the unit is stopped and disabled after it.
if ! command -v promtool >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing package: prometheus (run as root to install it)" >&2
		exit 1
	fi
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=ours
	fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends prometheus
	[ "$policy" = ours ] && rm -f /usr/sbin/policy-rc.d
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now prometheus.service || true
	fi
fi

# The Kafka jars, once (about 45 s from an empty Maven cache): the tests
# never download.
bash "$(dirname "$0")/kafka/fetch.sh"
