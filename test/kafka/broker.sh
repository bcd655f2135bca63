#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft: broker and controller in
# one JVM, no ZooKeeper) on 127.0.0.1, for the tests and benchmarks.
# Runs as the calling user from the jars test/kafka/fetch.sh copies.
#
#   broker.sh start <dir> [port]     format <dir> (first time), start, wait
#                                    until it serves, print host:port
#   broker.sh stop <dir>             stop it (SIGTERM, SIGKILL after 30 s)
#   broker.sh kill9 <dir>            SIGKILL it (broker-down tests)
#   broker.sh topic <dir> <name> <partitions>   create a topic
#   broker.sh offsets <dir> <topic>  "partition end-offset" lines
#   broker.sh bootstrap <dir>        print host:port
#   broker.sh status <dir>           exit 0 when it runs
#
# A second start of the same <dir> keeps its data, port and cluster id.
# Environment: KAFKA_HEAP (default 384m), KAFKA_START_TIMEOUT (seconds,
# default 90), KAFKA_LOG (its log file, default <dir>/kafka.log),
# KAFKA_OWNER_PID (stop the broker when this process is gone: the TAP
# module passes its own pid, so a killed test leaves no broker behind),
# KAFKA_LIB (the jars, default test/kafka/lib).  See test/kafka/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=${KAFKA_LIB:-$here/lib}

die() {
	echo "broker.sh: $*" >&2
	exit 1
}

need_lib() {
	[ -f "$lib/.stamp" ] ||
		die "no Kafka jars in $lib: run bash test/kafka/fetch.sh (test/install-deps.sh does)"
}

# pid of the broker of $dir if it is running, else nothing
broker_pid() {
	local pid
	[ -f "$dir/broker.pid" ] || return 0
	pid=$(cat "$dir/broker.pid")
	# the pid may have been reused: ours names our properties file
	if [ -r "/proc/$pid/cmdline" ] &&
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$dir/server.properties"; then
		echo "$pid"
	fi
}

free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
			Proto => "tcp", Listen => 1) or die "no free port: $!\n";
		print $s->sockport, "\n";'
}

bootstrap() { echo "127.0.0.1:$(cat "$dir/port")"; }

serving() {
	kcat -L -b "$(bootstrap)" -m 2 2>/dev/null | grep -q ' 1 brokers:'
}

log_tail() {
	echo "--- last lines of $(cat "$dir/log.path"):" >&2
	tail -n 30 "$(cat "$dir/log.path")" >&2 || true
}

write_config() {
	local port=$1 cport=$2
	cat >"$dir/server.properties" <<CONF
# written by test/kafka/broker.sh
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
metadata.log.dir=$dir/meta
auto.create.topics.enable=true
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# after a kill -9 the new incarnation can register only once the old one's
# session has expired (default 9 s): keep restarts quick
broker.session.timeout.ms=5000
broker.heartbeat.interval.ms=1000
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=8388608
log.cleaner.threads=1
CONF
	echo "$port" >"$dir/port"
	cat >"$dir/log4j2.properties" <<CONF
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = info
logger.state.name = state.change.logger
logger.state.level = warn
logger.req.name = kafka.request.logger
logger.req.level = warn
CONF
}

java_cp() { echo "$lib/*"; }

cmd_start() {
	local port=${1:-} cport pid t0 timeout log
	need_lib
	command -v java >/dev/null || die "java not found (test/install-deps.sh installs it)"
	command -v kcat >/dev/null || die "kcat not found (test/install-deps.sh installs it)"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	pid=$(broker_pid)
	[ -z "$pid" ] || die "a broker already runs for $dir (pid $pid, $(bootstrap))"
	if [ ! -f "$dir/server.properties" ]; then
		[ -n "$port" ] || port=$(free_port)
		cport=$(free_port)
		while [ "$cport" = "$port" ]; do cport=$(free_port); done
		write_config "$port" "$cport"
	elif [ -n "$port" ] && [ "$port" != "$(cat "$dir/port")" ]; then
		die "$dir was made for port $(cat "$dir/port"), not $port"
	fi
	log=${KAFKA_LOG:-$dir/kafka.log}
	echo "$log" >"$dir/log.path"
	mkdir -p "$dir/tmp"
	if [ ! -f "$dir/meta/meta.properties" ]; then
		# a Kafka cluster id: 16 random bytes, base64url without padding
		local id
		id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
		java -Xmx128m -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
			-Dlog4j2.configurationFile="$dir/log4j2.properties" \
			-cp "$(java_cp)" kafka.tools.StorageTool format \
			-t "$id" -c "$dir/server.properties" >>"$log" 2>&1 ||
			{
				log_tail
				die "formatting the storage in $dir failed"
			}
	fi
	echo "=== broker.sh start $(date -u '+%F %T') UTC" >>"$log"
	# setsid: a Ctrl-C in the caller's terminal is for the caller; the
	# broker goes with "stop" or with its owner (below)
	setsid java -Xms${KAFKA_HEAP:-384m} -Xmx${KAFKA_HEAP:-384m} -XX:+UseG1GC \
		-XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData \
		-Djava.awt.headless=true -Djava.io.tmpdir="$dir/tmp" \
		-Dlog4j2.configurationFile="$dir/log4j2.properties" \
		-cp "$(java_cp)" kafka.Kafka "$dir/server.properties" \
		</dev/null >>"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/broker.pid"
	if [ -n "${KAFKA_OWNER_PID:-}" ]; then
		# stop the broker when its owner is gone; done when the broker is
		setsid bash -c '
			while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do
				sleep 1
			done
			if kill -0 "$2" 2>/dev/null; then
				kill -TERM "$2"
				sleep 10
				kill -KILL "$2" 2>/dev/null
			fi' watchdog "$KAFKA_OWNER_PID" "$pid" </dev/null >/dev/null 2>&1 &
	fi
	timeout=${KAFKA_START_TIMEOUT:-90}
	t0=$SECONDS
	until serving; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$dir/broker.pid"
			log_tail
			die "the broker exited while starting"
		fi
		if [ $((SECONDS - t0)) -ge "$timeout" ]; then
			log_tail
			kill -KILL "$pid" 2>/dev/null || true
			rm -f "$dir/broker.pid"
			die "the broker did not serve $(bootstrap) within $timeout s"
		fi
		sleep 0.2
	done
	bootstrap
}

cmd_stop() {
	local pid i
	pid=$(broker_pid)
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "broker.sh: the broker did not stop in 30 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "$dir/broker.pid"
}

cmd_kill9() {
	local pid
	pid=$(broker_pid)
	[ -n "$pid" ] || die "no broker runs for $dir"
	kill -KILL "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$dir/broker.pid"
}

# a Kafka command-line tool, quickly started (it is short-lived)
tool() {
	java -Xmx128m -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
		-Dlog4j2.configurationFile="$dir/log4j2-tool.properties" \
		-cp "$(java_cp)" "$@"
}

tool_config() {
	[ -f "$dir/log4j2-tool.properties" ] || cat >"$dir/log4j2-tool.properties" <<CONF
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m%n
rootLogger.level = warn
rootLogger.appenderRef.err.ref = err
CONF
}

cmd_topic() {
	local name=${1:?topic name} parts=${2:?partitions}
	need_lib
	[ -n "$(broker_pid)" ] || die "no broker runs for $dir"
	tool_config
	tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" \
		--create --if-not-exists --topic "$name" --partitions "$parts" \
		--replication-factor 1 >/dev/null
}

cmd_offsets() {
	local name=${1:?topic name}
	need_lib
	[ -n "$(broker_pid)" ] || die "no broker runs for $dir"
	tool_config
	tool org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$(bootstrap)" \
		--topic "$name" --time latest | awk -F: '{print $(NF-1), $NF}' | sort -n
}

[ $# -ge 2 ] || die "usage: broker.sh start|stop|kill9|topic|offsets|bootstrap|status <dir> ..."
cmd=$1
dir=$2
shift 2
if [ -d "$dir" ]; then dir=$(cd "$dir" && pwd); fi
case $cmd in
start) cmd_start "$@" ;;
stop) [ ! -d "$dir" ] || cmd_stop ;;
kill9) cmd_kill9 ;;
topic) cmd_topic "$@" ;;
offsets) cmd_offsets "$@" ;;
bootstrap) bootstrap ;;
status) [ -n "$(broker_pid)" ] ;;
*) die "unknown command $cmd" ;;
esac
