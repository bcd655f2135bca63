#!/usr/bin/env python3
"""Fuzz the mappers' decoders through siddhi.map_decode() on a running
cluster (test/fuzz/mappers.sh starts one).

    mappers.py HOST PORT COUNT SEED LOGFILE

For each mapper configuration below, mutates valid payloads (byte flips,
inserted structure characters, NUL and invalid UTF-8 bytes, truncation,
splices, deep nesting, huge lengths and numbers) and decodes them in
batches, each payload in its own subtransaction, under statement_timeout
= 10s.  passThrough is fuzzed on a row type without values of inner structure
(its decoder checks the row's layout, not the contents of values, which
only our own encoder writes).  Counts the SQLSTATEs met; fails on a crash (the server log says a
backend was terminated by a signal), a lost connection, a hang, or an
internal error (XX000, which an input must never cause).  A batch that
fails that way is replayed one payload at a time to name the culprit,
which is printed in hex.
"""

import os
import random
import re
import subprocess
import sys
import time

HOST, PORT, COUNT, SEED, LOGFILE = sys.argv[1:6]
COUNT, SEED = int(COUNT), int(SEED)
PSQL = os.environ.get("PSQL", "psql")
BATCH = 200

SCHEMA = ('{"type": "record", "name": "r", "fields": ['
          '{"name": "i", "type": "int"}, {"name": "l", "type": "long"},'
          '{"name": "f", "type": "float"}, {"name": "d", "type": ["null", "double"]},'
          '{"name": "b", "type": "boolean"}, {"name": "s", "type": ["string", "null"]},'
          '{"name": "o", "type": ["null", "string"]},'
          '{"name": "e", "type": ["null", {"type": "array", "items": {"type": "map", "values": "bytes"}}]}]}')

CONFIGS = [
    ("json", "@map(type='json')",
     [b'{"event": {"i": 1, "l": 2, "f": 1.5, "d": 2.5, "b": true, "s": "x", "o": {"a": [1]}}}',
      b'[{"i": 1, "l": 2, "f": 1, "d": 2, "b": false, "s": "\\u00e9\\n", "o": null}]']),
    ("json-paths", "@map(type='json', enclosing.element='$.p', fail.on.missing.attribute='false', "
     "@attributes(i='$.a[0]', l='$.b.c', s=\"$['s']\", o='$.o', b='$.a[1]'))",
     [b'{"p": [{"a": [1, true], "b": {"c": 9}, "s": "q", "o": {"z": 1}}], "x": [1, {"p": 2}]}']),
    ("csv", "@map(type='csv')",
     [b'1,2,1.5,2.5,true,"a ""b"", c","{""k"": 1}"\n3,4,5,6,false,,\r\n']),
    ("csv-custom", "@map(type='csv', delimiter='|', header.present='true', "
     "fail.on.unknown.attribute='false', @attributes(s='2', i='0'))",
     [b'h|h|h\n1|x|"q|""r"""\n']),
    ("text", "@map(type='text')",
     [b'i:1,\nl:2,\nf:1.5,\nd:null,\nb:true,\ns:"a \\"q\\"",\no:"[1]"']),
    ("text-regex", "@map(type='text', fail.on.missing.attribute='false', "
     "regex.A='(\\w+)\\s([-0-9]+)', regex.B='v=([0-9.]+)', @attributes(s='A[1]', i='A[2]', d='B'))",
     [b'IBM 12 and v=1.5']),
    ("keyvalue", "@map(type='keyvalue')",
     [b'i=1,l=2,f=1.5,d=,b=true,s=" a, ""b""",o={"k": 1}']),
    ("avro", "@map(type='avro', schema.def='%s')" % SCHEMA,
     [bytes.fromhex('02030000c03f0001000649424d02107b226b223a20317d00'),
      bytes.fromhex('02030000c03f0001000649424d0000' + '02' + '02' + '02' + '0261' + '0478797a' + '00' + '00')]),
    ("passThrough", "", None),   # seeds made by map_encode below
]

SPECIAL = [b'{', b'}', b'[', b']', b'"', b',', b':', b'\\', b'\n', b'\r',
           b'\x00', b'\xff', b'\xc3', b'\xe2\x82', b'=', b'|', b'~~~~~~~~~~',
           b'\\u0000', b'\\ud800', b'1e999999', b'-', b'null', b'""',
           b'\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01', b'\xfe\xff\xff\xff\x0f']


def mutate(rng, seed):
    b = bytearray(seed)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(9)
        pos = rng.randint(0, len(b)) if b else 0
        if op == 0 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 1:
            b[pos:pos] = rng.choice(SPECIAL)
        elif op == 2 and b:
            del b[pos:pos + rng.randint(1, 8)]
        elif op == 3:
            b = b[:pos]
        elif op == 4 and b:
            s = rng.randrange(len(b))
            b[pos:pos] = b[s:s + rng.randint(1, 32)]
        elif op == 5:
            d = rng.choice([10, 100, 3000, 100000])
            b[pos:pos] = (b'[' * d + b']' * d) if rng.random() < .5 else b'{"a":' * d
        elif op == 6:
            b[pos:pos] = b'"' + b'x' * rng.choice([1000, 70000]) + b'"'
        elif op == 7:
            b[pos:pos] = str(rng.choice([2**31, 2**63, -2**64, 10**400])).encode()
        elif op == 8 and b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def psql(sql, check=True):
    p = subprocess.run([PSQL, "-X", "-q", "-At", "-h", HOST, "-p", PORT, "-U",
                        "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"],
                       input=sql, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit("psql failed: %s" % p.stderr)
    return p


def log_crashes():
    try:
        text = open(LOGFILE, errors="replace").read()
    except OSError:
        return []
    return [l for l in text.splitlines() if "terminated by signal" in l or
            "all server processes terminated" in l]


def wait_ready():
    for _ in range(600):
        if subprocess.run(["pg_isready", "-h", HOST, "-p", PORT, "-q"]).returncode == 0 and \
                psql("SELECT 1", check=False).returncode == 0:
            return
        time.sleep(0.5)
    sys.exit("the server did not come back")


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def run_batch(map_text, payloads):
    """Returns (counts, failure) for a batch."""
    arr = "ARRAY[%s]::bytea[]" % ",".join("'\\x%s'" % p.hex() for p in payloads)
    sql = ("SET statement_timeout = '10s';\n"
           "SELECT fz_map.run(%s, %s);\n" % (lit(map_text), arr))
    p = psql(sql, check=False)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return p.stdout.strip(), None


def main():
    rng = random.Random(SEED)
    psql("""
CREATE SCHEMA IF NOT EXISTS fz_map;
DROP TABLE IF EXISTS fz_map.t;
CREATE TABLE fz_map.t (i int, l bigint, f real, d double precision,
                       b boolean, s text, o jsonb);
-- passThrough trusts the contents of values (its bytes come from our own
-- encoder): fuzz its layout checks on a row type whose values have no
-- inner structure
DROP TABLE IF EXISTS fz_map.p;
CREATE TABLE fz_map.p (i int, l bigint, f real, d double precision,
                       b boolean, s text, c char(3));
CREATE OR REPLACE FUNCTION fz_map.run(map text, payloads bytea[])
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    p bytea; st text; n int; counts jsonb := '{}';
BEGIN
    FOREACH p IN ARRAY payloads LOOP
        BEGIN
            SELECT count(*) INTO n FROM siddhi.map_decode(
                CASE WHEN map = '' THEN 'fz_map.p' ELSE 'fz_map.t' END::regclass,
                map, p);
            st := 'ok';
        EXCEPTION WHEN OTHERS THEN
            st := SQLSTATE;
            IF st = 'XX000' THEN
                RAISE EXCEPTION 'internal error: % (payload %)', SQLERRM, p;
            END IF;
        END;
        counts := jsonb_set(counts, ARRAY[st],
                            to_jsonb(coalesce((counts->>st)::int, 0) + 1));
    END LOOP;
    RETURN counts::text;
END $$;
""")
    pt = psql("SELECT encode(siddhi.map_encode('fz_map.p', '', %s), 'hex');"
              % lit('{"i": 1, "d": 2.5, "s": "a string that is long enough", "c": "abc"}'))
    CONFIGS[:] = CONFIGS[-1:] if os.environ.get("FUZZ_ONLY") == "passThrough" else CONFIGS
    CONFIGS[-1] = ("passThrough", "", [bytes.fromhex(pt.stdout.strip())])
    per = max(COUNT // len(CONFIGS), 1)
    failures = []
    totals = {}
    crashes0 = len(log_crashes())
    t0 = time.time()
    for name, map_text, seeds in CONFIGS:
        done = 0
        counts = {}
        while done < per:
            n = min(BATCH, per - done)
            batch = [mutate(rng, rng.choice(seeds)) if rng.random() < .95
                     else rng.choice(seeds) for _ in range(n)]
            out, err = run_batch(map_text, batch)
            if err is not None:
                # replay one by one to name the payload
                for p in batch:
                    o2, e2 = run_batch(map_text, [p])
                    if e2 is not None:
                        keep = os.path.join(os.environ.get("FUZZ_KEEP", "/tmp"),
                                            "mapfuzz-%s-%d.hex" % (name, len(failures)))
                        open(keep, "w").write(map_text + "\n" + p.hex() + "\n")
                        failures.append((name, keep, e2[:300]))
                        print("FAIL %s: %s\n  payload in %s" % (name, e2[:300], keep))
                        wait_ready()
                        break
                else:
                    failures.append((name, "(batch)", err[:300]))
                wait_ready()
            else:
                for k, v in __import__("json").loads(out).items():
                    counts[k] = counts.get(k, 0) + v
            done += n
        totals[name] = counts
        print("%-12s %7d inputs  %s" % (name, done, counts), flush=True)
    crashes = log_crashes()[crashes0:]
    print("%d inputs in %.0f s; %d failures; %d crashes in the log"
          % (per * len(CONFIGS), time.time() - t0, len(failures), len(crashes)))
    for c in crashes:
        print("CRASH:", c)
    sys.exit(1 if failures or crashes else 0)


main()
