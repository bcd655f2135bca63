#!/usr/bin/env python3
"""Run one conformance case through the siddhi extension.

    run_ours.py CASE_DIR [--psql PSQL] [--conninfo CONNINFO]

Deploys CASE_DIR/app.siddhi in playback mode, watches every stream the
app writes, feeds CASE_DIR/input.jsonl with each event's own timestamp
(siddhi.event_time), waits for the engine (siddhi.flush), and prints every
output event as a JSON line:

    {"stream": "outstream", "expired": false, "ts": 1000, "data": [...]}

Events come in the order the engine delivered them (siddhi.poll's seq,
which is ordered across all the streams a session watches).  Uses psql
only (no driver needed).
"""
import argparse
import json
import os
import re
import subprocess
import sys


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def run_psql(psql, conninfo, script):
    r = subprocess.run(psql + [conninfo, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
                       input=script, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(2)
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--psql", default=os.environ.get("PSQL", "psql"))
    ap.add_argument("--conninfo", default=os.environ.get("SIDDHI_CONNINFO", ""))
    args = ap.parse_args()
    psql = args.psql.split()

    with open(os.path.join(args.case, "app.siddhi")) as f:
        app = f.read()
    if not re.search(r"@app:playback", app, re.I):
        app = "@app:playback\n" + app
    events = []
    with open(os.path.join(args.case, "input.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                events.append(json.loads(line))
    name = "conformance_" + re.sub(r"[^a-z0-9_]", "_", os.path.basename(os.path.normpath(args.case)).lower())
    inputs = sorted({e["stream"].lower() for e in events if "stream" in e})
    tag = "$siddhi_app$"

    script = []
    script.append("SET client_min_messages = warning;")
    script.append(f"SELECT siddhi.undeploy(name, drop_tables => true) FROM siddhi.apps WHERE name = {sql_literal(name)};")
    script.append(f"SELECT siddhi.deploy({sql_literal(name)}, {tag}{app}{tag});")
    script.append("SELECT siddhi.flush();")
    # watch every stream the app uses that the case does not feed
    in_list = ", ".join(sql_literal(s) for s in inputs) or "''"
    # a partition's inner streams (<app>_p<n>_<name>) are internal to it,
    # as in Siddhi, where no callback can watch them
    inner = "^" + name + "_p[0-9]+_"
    script.append(
        "SELECT format('SELECT siddhi.subscribe(%L)', format('%I.%I', nspname, relname)) "
        f"FROM siddhi.app_relation WHERE app = {sql_literal(name)} AND kind IN ('stream', 'window') "
        f"AND relname NOT IN ({in_list}) AND relname !~ {sql_literal(inner)} ORDER BY relname \\gexec")
    for e in events:
        if "advance_to" in e:
            # time passes without an event: the playback clock moves on
            script.append(f"SELECT siddhi.advance_clock({int(e['advance_to'])});")
            continue
        vals = ", ".join(sql_literal(v) for v in e["data"])
        script.append(f"SET siddhi.event_time = {int(e['ts'])};")
        # quoted: a stream may be named as an SQL keyword (Right, Check)
        script.append(f"INSERT INTO \"{e['stream'].lower()}\" VALUES ({vals});")
    script.append("RESET siddhi.event_time;")
    script.append("SELECT siddhi.flush(60000);")
    # every watched stream, with its columns in order
    script.append(
        "SELECT format($q$SELECT p.seq, json_build_object('stream', %L, 'expired', p.expired, "
        "'ts', (extract(epoch FROM p.event_time) * 1000)::bigint, 'data', "
        "json_build_array(%s))::text FROM siddhi.poll(%L, 1000000, 0) p ORDER BY p.seq$q$, "
        "r.relname, string_agg(format('p.event->%L', a.attname), ', ' ORDER BY a.attnum), "
        "format('%I.%I', r.nspname, r.relname)) "
        "FROM siddhi.app_relation r "
        "JOIN pg_class c ON c.relname = r.relname "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.nspname "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        f"WHERE r.app = {sql_literal(name)} AND r.kind IN ('stream', 'window') AND r.relname NOT IN ({in_list}) "
        f"AND r.relname !~ {sql_literal(inner)} "
        "GROUP BY r.relname, r.nspname ORDER BY r.relname \\gexec")
    script.append(f"SELECT siddhi.undeploy({sql_literal(name)}, drop_tables => true);")
    out = run_psql(psql, args.conninfo, "\n".join(script) + "\n")
    # merge the streams by seq: the order the engine delivered them in
    rows = []
    for line in out.splitlines():
        seq, sep, rest = line.partition("|")
        if sep and seq.isdigit() and rest.startswith("{"):
            rows.append((int(seq), json.loads(rest)))
    for _, event in sorted(rows, key=lambda r: r[0]):
        print(json.dumps(event, separators=(", ", ": ")))


if __name__ == "__main__":
    main()
