#!/usr/bin/env python3
"""Drive make fuzz against a running cluster (test/fuzz/run.sh starts it).

    drive.py HOST PORT COUNT SEED JOBS LOGFILE ROOT

Loads COUNT inputs from gen.py, feeds them to siddhi.parse() (and a sample
to siddhi.deploy()) from JOBS sessions, one statement per input under
statement_timeout = 10s, watching for crashes; then times parse and deploy
of the constructs that were once quadratic at doubling sizes (time and
peak backend memory); prints the report and exits non-zero on a crash, a
hang, a restart or non-linear growth.
"""

import os
import re
import subprocess
import sys
import threading
import time

HOST, PORT, COUNT, SEED, JOBS, LOGFILE, ROOT = sys.argv[1:8]
COUNT, SEED, JOBS = int(COUNT), int(SEED), int(JOBS)
HERE = os.path.dirname(os.path.abspath(__file__))
PSQL = os.environ.get("PSQL", "psql")
USER = os.environ.get("FUZZ_DBUSER", "postgres")
CHUNK = 2000
BATCH = int(os.environ.get("FUZZ_BATCH", "10"))


def psql(args, stdin=None, check=True):
    cmd = [PSQL, "-X", "-q", "-h", HOST, "-p", PORT, "-U", USER,
           "-d", "postgres"] + args
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit("psql failed: %s\n%s" % (" ".join(args), p.stderr))
    return p


def scalar(sql):
    return psql(["-At", "-c", sql]).stdout.strip()


def wait_ready():
    for _ in range(600):
        p = subprocess.run(["pg_isready" if not os.environ.get("PG_BINDIR")
                            else os.path.join(os.environ["PG_BINDIR"],
                                              "pg_isready"),
                            "-h", HOST, "-p", PORT, "-q"])
        if p.returncode == 0:
            return
        time.sleep(0.5)
    sys.exit("the server did not come back")


def log_crashes():
    try:
        text = open(LOGFILE, errors="replace").read()
    except OSError:
        return []
    return [l for l in text.splitlines()
            if "terminated by signal" in l or
            "was terminated by exception" in l or
            "all server processes terminated" in l]


# ---- phase 1: load -------------------------------------------------------
t_start = time.time()
if int(scalar("SELECT count(*) FROM fuzz.input")) != COUNT:
    psql(["-c", "TRUNCATE fuzz.input, fuzz.result"])
    gen = subprocess.Popen([sys.executable, os.path.join(HERE, "gen.py"),
                            str(COUNT), str(SEED), ROOT],
                           stdout=subprocess.PIPE)
    load = subprocess.run(
        [PSQL, "-X", "-q", "-h", HOST, "-p", PORT, "-U", USER, "-d",
         "postgres", "-c", "\\copy fuzz.input FROM STDIN"],
        stdin=gen.stdout, capture_output=True, text=True)
    gen.wait()
    if load.returncode != 0 or gen.returncode != 0:
        sys.exit("loading the inputs failed: %s" % load.stderr)
else:
    print("resuming: the inputs are loaded, answered ones are skipped")
t_loaded = time.time()
start_time = scalar("SELECT pg_postmaster_start_time()")

# ---- phase 2: feed -------------------------------------------------------
lock = threading.Lock()
crashes = []     # (id, stderr line)
hangs = []       # (id, stderr line)
next_chunk = [1]


def run_ids(worker, ids, batch):
    """Feed ids, batch inputs per statement; a batch that is cancelled or
    loses its connection is fed again one input per statement, which names
    the input that hung or crashed."""
    groups = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    while groups:
        script = ["SET search_path = fz%d, public;" % worker,
                  "SET statement_timeout = '10s';",
                  "SET client_min_messages = error;"]
        script += ["SELECT fuzz.one(i) FROM unnest('{%s}'::int[]) i;" %
                   ",".join(str(i) for i in g) for g in groups]
        p = psql(["-v", "ON_ERROR_STOP=0", "-o", "/dev/null", "-f", "-"],
                 stdin="\n".join(script) + "\n", check=False)
        lost = None
        retry = []
        for line in p.stderr.splitlines():
            m = re.match(r"psql:<stdin>:(\d+): (.*)", line)
            if not m:
                continue
            n = int(m.group(1)) - 4   # the script's line -> its group
            if not 0 <= n < len(groups):
                continue
            if "statement timeout" in m.group(2) or \
                    "canceling statement" in m.group(2):
                if len(groups[n]) == 1:
                    with lock:
                        hangs.append((groups[n][0], m.group(2)))
                else:
                    retry += groups[n]
            elif "connection" in m.group(2) or \
                    "terminated" in m.group(2) or \
                    "closed the connection" in m.group(2):
                lost = n
                break
        if p.returncode == 2 and lost is None:
            # the connection died: the first group without all its results
            wait_ready()
            got = set(int(x) for x in scalar(
                "SELECT string_agg(id::text, ' ') FROM fuzz.result "
                "WHERE id BETWEEN %d AND %d" % (groups[0][0], groups[-1][-1])
            ).split())
            lost = next((k for k, g in enumerate(groups)
                         if any(i not in got for i in g)), len(groups) - 1)
        if retry:
            run_ids(worker, retry, 1)
        if lost is None:
            return
        wait_ready()
        if len(groups[lost]) == 1:
            with lock:
                crashes.append((groups[lost][0], p.stderr.strip()[-300:]))
        else:
            run_ids(worker, groups[lost], 1)
        groups = groups[lost + 1:]


def run_chunk(worker, lo, hi):
    # inputs already answered (a resumed run) are not fed again
    done = set(int(x) for x in scalar(
        "SELECT string_agg(DISTINCT id::text, ' ') FROM fuzz.result "
        "WHERE id BETWEEN %d AND %d" % (lo, hi - 1)).split())
    ids = [i for i in range(lo, hi) if i not in done]
    if ids:
        run_ids(worker, ids, BATCH)


def worker(w):
    psql(["-c", "CREATE SCHEMA IF NOT EXISTS fz%d" % w])
    while True:
        with lock:
            lo = next_chunk[0]
            if lo > COUNT:
                return
            next_chunk[0] = lo + CHUNK
        run_chunk(w, lo, min(lo + CHUNK, COUNT + 1))
        if lo % (CHUNK * 25) == 1:
            print("  .. %d of %d inputs sent (%.0f s)" %
                  (lo + CHUNK - 1, COUNT, time.time() - t_loaded), flush=True)


threads = [threading.Thread(target=worker, args=(w,)) for w in range(JOBS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
t_fed = time.time()

# ---- phase 3: growth -----------------------------------------------------


def construct(kind, n, sql):
    if kind == "plus":
        e = " + ".join(["a"] * n)
    elif kind == "not":
        e = "not " * n + "(a > 0)"
    elif kind == "parens":
        e = "(" * n + "a" + ")" * n
    elif kind == "and":
        e = " and ".join("a > %d" % i for i in range(n))
    elif kind in ("pattern", "sequence"):
        sep = " -> " if kind == "pattern" else ", "
        pat = sep.join("e%d=S[a > %d]" % (i, i) for i in range(n))
        if sql:
            return ("CREATE STREAM S (a INT); INSERT INTO O SELECT e0.a "
                    "FROM %s (every %s);" % (kind.upper(), pat))
        return ("define stream S (a int); from every %s select e0.a "
                "insert into O;" % pat)
    elif kind == "options":
        # one connector clause of n options (the duplicate check sorts them)
        opts = ", ".join("o%d.k = 'v%d'" % (i, i) for i in range(n))
        if sql:
            return ("CREATE STREAM S (a INT); INSERT INTO O SELECT a FROM S "
                    "SINK (type = 'log', %s);" % opts)
        return ("define stream S (a int); @sink(type = 'log', %s) define "
                "stream O (a int); from S select a insert into O;" % opts)
    elif kind == "sinks":
        # n queries with a sink each, on as many streams
        if sql:
            return "CREATE STREAM S (a INT); " + " ".join(
                "INSERT INTO O%d SELECT a FROM S SINK (type = 'log');" % i
                for i in range(n))
        return "define stream S (a int); " + " ".join(
            "@sink(type = 'log') define stream O%d (a int); "
            "from S select a insert into O%d;" % (i, i) for i in range(n))
    elif kind == "queries":
        if sql:
            return "CREATE STREAM S (a INT); " + " ".join(
                "INSERT INTO O%d SELECT a FROM S WHERE a > %d;" % (i, i)
                for i in range(n))
        return "define stream S (a int); " + " ".join(
            "from S[a > %d] select a insert into O%d;" % (i, i)
            for i in range(n))
    if sql:
        if kind in ("not", "and"):
            return ("CREATE STREAM S (a INT); INSERT INTO O SELECT a FROM S "
                    "WHERE %s;" % e)
        return ("CREATE STREAM S (a INT); INSERT INTO O SELECT %s AS x "
                "FROM S;" % e)
    if kind in ("not", "and"):
        return "define stream S (a int); from S[%s] select a insert into O;" \
            % e
    return "define stream S (a int); from S select %s as x insert into O;" % e


def measure(text, deploy):
    """(us, sqlstate, output length, peak memory growth in kB)"""
    script = ("SET statement_timeout = '10s';\n"
              "SET search_path = fzg, public;\n"
              "SELECT fuzz.peak_kb() AS before \\gset\n"
              "SELECT us, state, outlen, fuzz.peak_kb() - :before "
              "FROM fuzz.timed($fz$%s$fz$, %s);\n" %
              (text, "true" if deploy else "false"))
    p = psql(["-At", "-F", " ", "-f", "-"], stdin=script, check=False)
    if p.returncode != 0 or not p.stdout.strip():
        return None, "cancel" if "timeout" in p.stderr else \
            p.stderr.strip()[-100:], 0, 0
    us, st, outlen, mem = p.stdout.split("\n")[-2 if p.stdout.endswith(
        "\n") else -1].split(" ")
    return int(us), st, int(outlen or 0), int(mem)


psql(["-c", "CREATE SCHEMA IF NOT EXISTS fzg"])
growth = []
bad_growth = []
SIZES = {"plus": [500, 1000, 2000, 4000], "not": [500, 1000, 2000, 4000],
         "parens": [250, 500, 1000, 2000], "and": [500, 1000, 2000, 4000],
         "pattern": [500, 1000, 2000, 4000],
         "sequence": [500, 1000, 2000, 4000],
         "queries": [50, 100, 200, 400],
         "options": [500, 1000, 2000, 4000], "sinks": [50, 100, 200, 400]}
for kind, sizes in SIZES.items():
    for sql in (False, True):
        for deploy in (False, True):
            rows = []
            for n in sizes:
                text = construct(kind, n, sql)
                # the best of three: the machine may be shared
                best = None
                for attempt in range(3):
                    m = measure(text, deploy)
                    if m[0] is None:
                        best = m
                        break
                    if best is None or m[0] < best[0]:
                        best = m
                    if m[0] > 1000000:
                        break
                us, st, outlen, mem = best
                row = (kind, "sql" if sql else "siddhiql",
                       "deploy" if deploy else "parse", n, len(text), us, st,
                       outlen, mem)
                growth.append(row)
                rows.append(row)
                if us is None:
                    bad_growth.append(row + ("no answer",))
                    break
            # from the smallest to the largest size, per byte of text:
            # time may grow 3 times (noise), memory and output 1.5 times
            ok_rows = [r for r in rows if r[5] is not None]
            if len(ok_rows) >= 2:
                lo, hi = ok_rows[0], ok_rows[-1]
                k = hi[4] / lo[4]
                if hi[5] > 100000 and hi[5] > 3 * k * max(lo[5], 5000):
                    bad_growth.append(hi + ("time x%.1f for text x%.1f" %
                                            (hi[5] / lo[5], k),))
                if hi[8] > 16384 and hi[8] > 1.5 * k * max(lo[8], 4096):
                    bad_growth.append(hi + ("memory x%.1f for text x%.1f" %
                                            (hi[8] / max(lo[8], 1), k),))
                if lo[7] and hi[7] > 1.5 * k * lo[7]:
                    bad_growth.append(hi + ("output x%.1f for text x%.1f" %
                                            (hi[7] / lo[7], k),))
t_end = time.time()

# ---- report --------------------------------------------------------------
restarted = scalar("SELECT pg_postmaster_start_time()") != start_time
log_lines = log_crashes()
print()
print("==== make fuzz: %d inputs, seed %d, %d sessions" % (COUNT, SEED, JOBS))
print("time: generate+load %.0f s, feed %.0f s (%.0f inputs/s), growth "
      "%.0f s" % (t_loaded - t_start, t_fed - t_loaded,
                  COUNT / max(t_fed - t_loaded, 1), t_end - t_fed))
print()
print("inputs by dialect and origin (gen = grammar, mut = mutation, big = "
      "one large construct):")
print(psql(["-c", "SELECT dialect, origin, count(*) AS inputs, "
            "count(*) FILTER (WHERE deploy) AS also_deployed, "
            "sum(octet_length(src)) AS bytes FROM fuzz.input "
            "GROUP BY 1, 2 ORDER BY 1, 2"]).stdout)
print("answers by dialect, phase and SQLSTATE (00000 = accepted):")
print(psql(["-c", "SELECT i.dialect, r.phase, r.sqlstate, count(*) "
            "FROM fuzz.result r JOIN fuzz.input i USING (id) "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC"]).stdout)
print("internal errors (SQLSTATE XX...) and resource errors, by message:")
print(psql(["-c", "SELECT r.sqlstate, r.phase, left(r.message, 90) AS "
            "message, count(*), min(r.id) AS example_id FROM fuzz.result r "
            "WHERE r.message IS NOT NULL GROUP BY 1, 2, 3 "
            "ORDER BY 4 DESC"]).stdout)
print("time per input (us): by phase; worst time per KB over inputs of 1 KB "
      "and more:")
print(psql(["-c", "SELECT phase, count(*), "
            "percentile_disc(0.5) WITHIN GROUP (ORDER BY us) AS median_us, "
            "percentile_disc(0.99) WITHIN GROUP (ORDER BY us) AS p99_us, "
            "max(us) AS max_us, max(len) AS max_bytes, "
            "round(max(us * 1024.0 / len) FILTER (WHERE len >= 1024)) "
            "AS worst_us_per_kb, "
            "round(percentile_disc(0.5) WITHIN GROUP (ORDER BY us * 1024.0 "
            "/ len) FILTER (WHERE len >= 1024)) AS median_us_per_kb "
            "FROM fuzz.result GROUP BY 1 ORDER BY 1"]).stdout)
outliers = psql(["-At", "-F", " ", "-c",
                 "SELECT r.id, r.phase, r.len, r.us, "
                 "round(r.us * 1024.0 / r.len) FROM fuzz.result r "
                 "WHERE r.len >= 1024 AND r.us > 1000000 AND "
                 "r.us * 1024.0 / r.len > 20 * (SELECT percentile_disc(0.5) "
                 "WITHIN GROUP (ORDER BY q.us * 1024.0 / q.len) FROM "
                 "fuzz.result q WHERE q.phase = r.phase AND q.len >= 1024) "
                 "ORDER BY 5 DESC LIMIT 20"]).stdout.split("\n")
outliers = [o for o in outliers if o.strip()]
print("outliers (over 1 s and 20 times the median time per KB): %d" %
      len(outliers))
for o in outliers:
    print("  id len us us/KB: " + o)
print()
print("growth (doubling sizes of constructs that were quadratic once):")
print("  %-8s %-8s %-6s %6s %8s %9s %-6s %9s %8s" %
      ("kind", "dialect", "phase", "n", "bytes", "us", "state", "out_len",
       "mem_kB"))
for g in growth:
    print("  %-8s %-8s %-6s %6d %8d %9s %-6s %9d %8d" %
          (g[0], g[1], g[2], g[3], g[4], g[5], str(g[6])[:6], g[7], g[8]))
print()
print("crashes: %d" % len(crashes))
for c in crashes:
    print("  input %d: %s" % (c[0], c[1].replace("\n", " ")[:200]))
print("server log lines about crashed processes: %d" % len(log_lines))
for l in log_lines[:20]:
    print("  " + l)
print("server restarted: %s" % ("YES" if restarted else "no"))
print("hangs (cancelled by statement_timeout = 10s): %d" % len(hangs))
for h in hangs:
    print("  input %d: %s" % h)
print("non-linear growth: %d" % len(bad_growth))
for b in bad_growth:
    print("  " + " ".join(str(x) for x in b))
missing = scalar("SELECT %d - count(DISTINCT id) FROM fuzz.result" % COUNT)
print("inputs without an answer: %s" % missing)
ok = not crashes and not log_lines and not restarted and not hangs and \
    not bad_growth
print("RESULT: %s" % ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
