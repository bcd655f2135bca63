#!/usr/bin/env bash
# Mappers: decode rate of N JSON records of about 150 bytes and 6
# attributes through siddhi.map_decode() in one SQL call, against
# jsonb_populate_record() of the same records in the same run (and the
# same for csv and avro, whose baselines are the json decode).  Each
# figure is the median of RUNS; "records/s" counts whole records mapped
# into events (the function also turns each event into a jsonb row, as
# the baseline does).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}

bench_start
trap bench_stop EXIT
$RUN_AS $PSQL -d postgres <<SQL
CREATE TABLE s (id bigint, symbol text, price double precision,
                volume int, ts bigint, note text);
CREATE TABLE js AS SELECT convert_to('{"id":' || g || ',"symbol":"IBM","price":12.5,"volume":100,"ts":1700000000000,"note":"some text here to pad the record"}', 'UTF8') AS p
  FROM generate_series(1, $ROWS) g;
CREATE TABLE csv AS SELECT siddhi.map_encode('s', '@map(type=''csv'')', convert_from(p, 'UTF8')::jsonb) AS p FROM js;
CREATE TABLE avro AS SELECT siddhi.map_encode('s', '@map(type=''avro'', schema.def=''{"type":"record","name":"s","fields":[{"name":"id","type":"long"},{"name":"symbol","type":"string"},{"name":"price","type":"double"},{"name":"volume","type":"int"},{"name":"ts","type":"long"},{"name":"note","type":"string"}]}'')', convert_from(p, 'UTF8')::jsonb) AS p FROM js;
VACUUM ANALYZE;
SQL
avg=$($RUN_AS $PSQL -d postgres -At -c "SELECT avg(octet_length(p))::int FROM js")

time_sql() {	# median seconds of RUNS runs of a query
	local q=$1 t0 t1 ts=()
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		$RUN_AS $PSQL -d postgres -At -c "$q" >/dev/null
		t1=$(now)
		ts+=("$(echo "$t1 - $t0" | bc -l)")
	done
	printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

inline="convert_to('{\"id\":'||g||',\"symbol\":\"IBM\",\"price\":12.5,\"volume\":100,\"ts\":1700000000000,\"note\":\"some text here to pad the record\"}','UTF8')"
declare -A T
T[gen]=$(time_sql "SELECT count(*) FROM generate_series(1,$ROWS) g, LATERAL (SELECT $inline) x")
T[base_inline]=$(time_sql "SELECT count(*) FROM generate_series(1,$ROWS) g, jsonb_populate_record(null::s, convert_from($inline, 'UTF8')::jsonb)")
T[json_inline]=$(time_sql "SELECT count(*) FROM generate_series(1,$ROWS) g, siddhi.map_decode('s', '@map(type=''json'')', $inline)")
T[scan]=$(time_sql "SELECT count(*) FROM js")
T[base]=$(time_sql "SELECT count(*) FROM js, jsonb_populate_record(null::s, convert_from(p, 'UTF8')::jsonb)")
T[json]=$(time_sql "SELECT count(*) FROM js, siddhi.map_decode('s', '@map(type=''json'')', p)")
T[json_paths]=$(time_sql "SELECT count(*) FROM js, siddhi.map_decode('s', '@map(type=''json'', @attributes(id=''\$.id'', symbol=''\$.symbol'', price=''\$.price'', volume=''\$.volume'', ts=''\$.ts'', note=''\$.note''))', p)")
T[csv]=$(time_sql "SELECT count(*) FROM csv, siddhi.map_decode('s', '@map(type=''csv'')', p)")
T[avro]=$(time_sql "SELECT count(*) FROM avro, siddhi.map_decode('s', '@map(type=''avro'', schema.def=''{\"type\":\"record\",\"name\":\"s\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"symbol\",\"type\":\"string\"},{\"name\":\"price\",\"type\":\"double\"},{\"name\":\"volume\",\"type\":\"int\"},{\"name\":\"ts\",\"type\":\"long\"},{\"name\":\"note\",\"type\":\"string\"}]}'')', p)")

rate() { echo "$ROWS / $1" | bc -l | xargs printf '%.0f'; }
ratio() { echo "$2 / $1" | bc -l | xargs printf '%.2f'; }
echo "machine: $(machine); $ROWS records of $avg bytes (json), median of $RUNS"
echo
echo "| query | time | records/s | speed vs jsonb_populate_record |"
echo "|---|---|---|---|"
printf '| generate the payloads only (generate_series + convert_to) | %.2f s | %s | |\n' "${T[gen]}" "$(rate "${T[gen]}")"
printf '| jsonb_populate_record(payload::jsonb), payloads generated inline (baseline) | %.2f s | %s | 1 |\n' "${T[base_inline]}" "$(rate "${T[base_inline]}")"
printf '| map_decode(json), payloads generated inline | %.2f s | %s | **%s** |\n' "${T[json_inline]}" "$(rate "${T[json_inline]}")" "$(ratio "${T[json_inline]}" "${T[base_inline]}")"
printf '| scan of the stored payloads only | %.2f s | %s | |\n' "${T[scan]}" "$(rate "${T[scan]}")"
printf '| jsonb_populate_record(payload::jsonb), stored payloads (baseline) | %.2f s | %s | 1 |\n' "${T[base]}" "$(rate "${T[base]}")"
printf '| map_decode(json), stored payloads | %.2f s | %s | **%s** |\n' "${T[json]}" "$(rate "${T[json]}")" "$(ratio "${T[json]}" "${T[base]}")"
printf '| map_decode(json with 6 @attributes paths) | %.2f s | %s | %s |\n' "${T[json_paths]}" "$(rate "${T[json_paths]}")" "$(ratio "${T[json_paths]}" "${T[base]}")"
printf '| map_decode(csv), same events | %.2f s | %s | %s |\n' "${T[csv]}" "$(rate "${T[csv]}")" "$(ratio "${T[csv]}" "${T[base]}")"
printf '| map_decode(avro), same events | %.2f s | %s | %s |\n' "${T[avro]}" "$(rate "${T[avro]}")" "$(ratio "${T[avro]}" "${T[base]}")"
