#!/usr/bin/env python3
"""Compare two JSON-lines event outputs of a conformance case.

    compare.py [--case DIR] [--ordered | --unordered] [--tolerance T] EXPECTED ACTUAL
    compare.py --case DIR ACTUAL          (EXPECTED defaults to DIR/expected.jsonl)
    compare.py --self-test

Each line is one output event: {"stream": s, "expired": b, "ts": n, "data": [...]}.
Rules come from DIR/case.json ("ordered", "float_tolerance") when --case is
given; command-line flags override them. Defaults: ordered, tolerance 1e-9.

Two events are equal when stream names are equal ignoring case, "expired"
flags are equal (missing means false), timestamps are equal, and the data
lists have the same length with equal values: numbers compare numerically
(an int equals a float of the same value) and are equal when
|a - b| <= tol * max(1, |a|, |b|); booleans equal only booleans; strings and
null compare exactly.

Ordered: the sequences must match event for event. Unordered: they must be
equal as multisets. ACTUAL may be '-' for standard input.
Exit status: 0 equal, 1 different, 2 bad usage or unreadable input.
"""

import argparse
import difflib
import json
import math
import sys

DEFAULT_TOLERANCE = 1e-9


class InputError(Exception):
    pass


def load_events(path, text=None):
    """Read a JSON-lines file (or text) into a list of normalised events."""
    if text is None:
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
        except OSError as e:
            raise InputError("cannot read %s: %s" % (path, e))
    events = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise InputError("%s:%d: not JSON: %s" % (path, n, e))
        if not isinstance(obj, dict) or "stream" not in obj or "data" not in obj:
            raise InputError("%s:%d: an event needs \"stream\" and \"data\"" % (path, n))
        if not isinstance(obj["data"], list):
            raise InputError("%s:%d: \"data\" must be a list" % (path, n))
        events.append({
            "stream": str(obj["stream"]).lower(),
            "expired": bool(obj.get("expired", False)),
            "ts": obj.get("ts"),
            "data": obj["data"],
            "line": n,
        })
    return events


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def values_equal(a, b, tol):
    if _is_number(a) and _is_number(b):
        if a == b:
            return True
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y, tol) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def events_equal(e, a, tol):
    if e["stream"] != a["stream"] or e["expired"] != a["expired"]:
        return False
    if e["ts"] is not None or a["ts"] is not None:
        if not (_is_number(e["ts"]) and _is_number(a["ts"]) and e["ts"] == a["ts"]):
            return False
    return values_equal(e["data"], a["data"], tol)


def render(ev):
    return json.dumps({"stream": ev["stream"], "expired": ev["expired"],
                       "ts": ev["ts"], "data": ev["data"]})


def _coarse_key(ev):
    """A hashable key for alignment only; tolerance is applied afterwards."""
    def c(v):
        if _is_number(v):
            return ("n", float("%.6g" % v))
        if isinstance(v, list):
            return ("l", tuple(c(x) for x in v))
        return (type(v).__name__, v if not isinstance(v, dict) else json.dumps(v, sort_keys=True))
    return (ev["stream"], ev["expired"], ev["ts"], c(ev["data"]))


def compare_ordered(expected, actual, tol):
    """Returns a list of diff lines; empty when equal."""
    if len(expected) == len(actual) and all(
            events_equal(e, a, tol) for e, a in zip(expected, actual)):
        return []
    sm = difflib.SequenceMatcher(a=[_coarse_key(e) for e in expected],
                                 b=[_coarse_key(a) for a in actual], autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            # the coarse keys agree; the values may still differ beyond tolerance
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if not events_equal(expected[i], actual[j], tol):
                    out.append("@@ expected #%d, actual #%d @@" % (i + 1, j + 1))
                    out.append("- " + render(expected[i]))
                    out.append("+ " + render(actual[j]))
            continue
        if op == "replace" and (i2 - i1) == (j2 - j1) and all(
                events_equal(expected[i], actual[j], tol)
                for i, j in zip(range(i1, i2), range(j1, j2))):
            continue  # equal within tolerance
        out.append("@@ expected #%d-%d, actual #%d-%d @@" % (i1 + 1, i2, j1 + 1, j2))
        for i in range(i1, i2):
            out.append("- " + render(expected[i]))
        for j in range(j1, j2):
            out.append("+ " + render(actual[j]))
    if not out:
        # alignment found only tolerance-level differences but lengths differ?
        out.append("outputs differ (expected %d events, actual %d)" % (len(expected), len(actual)))
    return out


def compare_unordered(expected, actual, tol):
    remaining = list(actual)
    missing = []
    for e in expected:
        for k, a in enumerate(remaining):
            if events_equal(e, a, tol):
                del remaining[k]
                break
        else:
            missing.append(e)
    out = []
    if missing:
        out.append("expected but not produced (%d):" % len(missing))
        out.extend("- " + render(e) for e in missing)
    if remaining:
        out.append("produced but not expected (%d):" % len(remaining))
        out.extend("+ " + render(a) for a in remaining)
    return out


def compare(expected, actual, ordered=True, tol=DEFAULT_TOLERANCE):
    if ordered:
        return compare_ordered(expected, actual, tol)
    return compare_unordered(expected, actual, tol)


def self_test():
    def ev(text):
        return load_events("<test>", text)

    base = ev('{"stream": "Out", "ts": 1, "data": ["a", 1, 2.5, true, null]}\n'
              '{"stream": "out", "expired": true, "ts": 2, "data": ["b", 2, 0.1, false, null]}\n')
    checks = []

    def check(name, cond):
        checks.append((name, cond))

    check("identical", compare(base, base) == [])
    check("stream case folded",
          compare(base, ev('{"stream": "OUT", "ts": 1, "data": ["a", 1, 2.5, true, null]}\n'
                           '{"stream": "out", "expired": true, "ts": 2, "data": ["b", 2, 0.1, false, null]}')) == [])
    check("int equals float",
          compare(ev('{"stream": "s", "ts": 1, "data": [3]}'),
                  ev('{"stream": "s", "ts": 1, "data": [3.0]}')) == [])
    check("within tolerance",
          compare(ev('{"stream": "s", "ts": 1, "data": [0.30000000000000004]}'),
                  ev('{"stream": "s", "ts": 1, "data": [0.3]}')) == [])
    check("relative tolerance on large values",
          compare(ev('{"stream": "s", "ts": 1, "data": [1e12]}'),
                  ev('{"stream": "s", "ts": 1, "data": [1000000000000.0001]}')) == [])
    check("outside tolerance",
          compare(ev('{"stream": "s", "ts": 1, "data": [0.3]}'),
                  ev('{"stream": "s", "ts": 1, "data": [0.31]}')) != [])
    check("small difference beyond tolerance, ordered",
          compare(ev('{"stream": "s", "ts": 1, "data": [70.25]}'),
                  ev('{"stream": "s", "ts": 1, "data": [70.2500001]}')) != [])
    check("looser tolerance",
          compare(ev('{"stream": "s", "ts": 1, "data": [0.3]}'),
                  ev('{"stream": "s", "ts": 1, "data": [0.30001]}'), tol=1e-3) == [])
    check("bool is not int",
          compare(ev('{"stream": "s", "ts": 1, "data": [true]}'),
                  ev('{"stream": "s", "ts": 1, "data": [1]}')) != [])
    check("null is not empty string",
          compare(ev('{"stream": "s", "ts": 1, "data": [null]}'),
                  ev('{"stream": "s", "ts": 1, "data": [""]}')) != [])
    check("expired flag matters",
          compare(ev('{"stream": "s", "ts": 1, "data": [1]}'),
                  ev('{"stream": "s", "expired": true, "ts": 1, "data": [1]}')) != [])
    check("timestamp matters",
          compare(ev('{"stream": "s", "ts": 1, "data": [1]}'),
                  ev('{"stream": "s", "ts": 2, "data": [1]}')) != [])
    swapped = list(reversed(base))
    check("order matters when ordered", compare(base, swapped) != [])
    check("order ignored when unordered", compare(base, swapped, ordered=False) == [])
    check("multiset counts duplicates",
          compare(ev('{"stream": "s", "ts": 1, "data": [1]}\n{"stream": "s", "ts": 1, "data": [1]}'),
                  ev('{"stream": "s", "ts": 1, "data": [1]}'), ordered=False) != [])
    check("missing event reported",
          any(l.startswith("- ") for l in compare(base, base[:1])))
    check("extra event reported",
          any(l.startswith("+ ") for l in compare(base[:1], base)))
    check("empty vs empty", compare([], []) == [])
    try:
        load_events("<bad>", "{not json}")
        check("bad JSON rejected", False)
    except InputError:
        check("bad JSON rejected", True)

    failed = [name for name, ok in checks if not ok]
    for name, ok in checks:
        print("%s %s" % ("ok  " if ok else "FAIL", name))
    print("%d passed, %d failed" % (len(checks) - len(failed), len(failed)))
    return 1 if failed else 0


def main(argv):
    p = argparse.ArgumentParser(description="Compare conformance outputs (JSON lines).")
    p.add_argument("--case", help="case directory: rules from case.json, expected.jsonl by default")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--ordered", dest="ordered", action="store_true", default=None)
    g.add_argument("--unordered", dest="ordered", action="store_false")
    p.add_argument("--tolerance", type=float, help="float tolerance (relative, at least absolute)")
    p.add_argument("--self-test", action="store_true")
    p.add_argument("files", nargs="*", metavar="EXPECTED ACTUAL")
    args = p.parse_args(argv)

    if args.self_test:
        return self_test()

    ordered, tol = True, DEFAULT_TOLERANCE
    ignore = set()
    files = list(args.files)
    try:
        if args.case:
            try:
                with open("%s/case.json" % args.case, encoding="utf-8") as f:
                    meta = json.load(f)
            except (OSError, ValueError) as e:
                raise InputError("cannot read %s/case.json: %s" % (args.case, e))
            ordered = bool(meta.get("ordered", True))
            if meta.get("float_tolerance") is not None:
                tol = float(meta["float_tolerance"])
            # outputs the two engines cannot both observe, e.g. the rows a
            # query writes into a table (Siddhi reports them to a query
            # callback; siddhi shows them in the table itself)
            ignore = {str(s).lower() for s in meta.get("ignore_streams", [])}
            if len(files) == 1:
                files.insert(0, "%s/expected.jsonl" % args.case)
        if len(files) != 2:
            p.error("need EXPECTED and ACTUAL (or --case DIR ACTUAL)")
        if args.ordered is not None:
            ordered = args.ordered
        if args.tolerance is not None:
            tol = args.tolerance
        expected = [e for e in load_events(files[0]) if e["stream"] not in ignore]
        actual = [e for e in load_events(files[1]) if e["stream"] not in ignore]
    except InputError as e:
        print("compare: %s" % e, file=sys.stderr)
        return 2

    diff = compare(expected, actual, ordered, tol)
    if not diff:
        return 0
    print("--- expected %s (%d events)" % (files[0], len(expected)))
    print("+++ actual   %s (%d events)" % (files[1], len(actual)))
    print("(%s, float tolerance %g)" % ("ordered" if ordered else "unordered", tol))
    print("\n".join(diff))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
