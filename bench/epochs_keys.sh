#!/usr/bin/env bash
# bench/epochs_keys: what a save of a partitioned query writes when few of
# its keys change (issue 15, epochs).  1,000 keys of a durable stream (every
# batch saves), each with a length(10) window and a sum; then BATCHES
# batches of 3 events, each its own save.  Prints the query's saved bytes
# and the WAL written per batch (results, staging rows and the save).
#
#   BATCHES=50 bash bench/epochs_keys.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BATCHES=${BATCHES:-50}
sql() { $RUN_AS $PSQL -d postgres -At -c "$1"; }
bench_start >/dev/null
sql "SELECT count(*) FROM siddhi.deploy('few', \$\$
@durable define stream FIn (k string, v long);
partition with (k of FIn)
begin
  @info(name = 'sums') from FIn#window.length(10) select k, sum(v) as total insert into FOut;
end;
\$\$)" >/dev/null
sql "INSERT INTO fin SELECT 'k' || i, i FROM generate_series(1, 1000) i; SELECT siddhi.flush();" >/dev/null
sleep 1
b0=$(sql "SELECT bytes FROM siddhi.query_states WHERE app = 'few' AND query = 'sums'")
w0=$(sql "SELECT pg_current_wal_lsn()")
for i in $(seq 1 "$BATCHES"); do
	sql "INSERT INTO fin VALUES ('k$((i % 1000 + 1))', $i), ('k$((i * 7 % 1000 + 1))', $i), ('k$((i * 13 % 1000 + 1))', $i); SELECT siddhi.flush();" >/dev/null
done
sleep 1
w1=$(sql "SELECT pg_current_wal_lsn()")
b1=$(sql "SELECT bytes FROM siddhi.query_states WHERE app = 'few' AND query = 'sums'")
wal=$(sql "SELECT pg_wal_lsn_diff('$w1', '$w0')::bigint")
head=$(sql "SELECT octet_length(state) FROM siddhi.query_state WHERE app = 'few' AND query = 'sums'")
echo "machine: $(machine); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "after the 1,000-key batch: state bytes $b0"
echo "after $BATCHES batches of 3 events: state bytes $b1 (the row: $head bytes)"
echo "WAL per batch (3 events, 1 save): $((wal / BATCHES)) bytes"
bench_stop
