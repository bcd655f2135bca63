#!/usr/bin/env python3
"""Inputs for make fuzz: apps in both dialects, generated and mutated.

    gen.py COUNT SEED ROOT > inputs.tsv

Writes COUNT lines in COPY text format: id, dialect (siddhiql | sql),
origin (gen | mut | big), deploy (t | f: also deployed, in a rolled-back
subtransaction, to reach the analyser: 3 in 100) and the app text.  About
half are built from a grammar of both dialects' constructs (streams, tables,
windows, triggers, aggregations, functions, filters, windows, joins,
patterns with -> every within not/for and counts, sequences, partitions,
table changes, rate limits; the SQL dialect's CREATE STREAM/TABLE/WINDOW/
TRIGGER/AGGREGATION/INDEX/SOURCE/SINK, WITH (connector ..), MAP (..),
INSERT .. SELECT with WINDOW, JOIN, FROM PATTERN/SEQUENCE, EMIT, PARTITION
BY, SINK (..), ON CONFLICT, DELETE/UPDATE), mostly
well formed so that the analyser has work to do; the other half are
mutations (deletions, duplications, token swaps, inserted tokens and random
characters, truncations) of those and of the app texts found under ROOT
(examples/, sql/*.sql, test/conformance).  The same COUNT and SEED give the
same inputs.
"""

import glob
import os
import random
import re
import sys

TYPES_Q = ["int", "long", "double", "float", "string", "bool"]
TYPES_S = {"int": "INT", "long": "BIGINT", "double": "DOUBLE PRECISION",
           "float": "REAL", "string": "TEXT", "bool": "BOOLEAN"}
NUMERIC = ("int", "long", "double", "float")


class Gen:
    def __init__(self, rnd, sql):
        self.r = rnd
        self.sql = sql
        self.streams = {}   # name -> [(attr, type)]
        self.tables = {}
        self.windows = {}
        self.n = 0

    # ---- helpers -------------------------------------------------------
    def name(self, prefix):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(list(seq))

    def attrs(self):
        k = self.r.randint(1, 5)
        out = [("k", "string")]
        for i in range(k):
            out.append(("v%d" % i, self.pick(TYPES_Q)))
        return out

    def duration(self):
        n = self.r.choice([1, 2, 5, 10, 30, 100])
        if self.sql:
            return "%d %s" % (n, self.pick(["second", "seconds", "minute",
                                            "minutes", "hour", "day",
                                            "milliseconds"]))
        return "%d %s" % (n, self.pick(["sec", "min", "hour", "day",
                                        "seconds", "minutes", "millisec"]))

    # ---- expressions ---------------------------------------------------
    def literal(self, t):
        if t in ("int", "long"):
            return str(self.r.randint(-5, 1000)) + ("L" if t == "long" and
                                                    not self.sql else "")
        if t in ("double", "float"):
            return "%.2f" % self.r.uniform(-10, 100)
        if t == "bool":
            return self.pick(["true", "false"])
        return "'%s'" % self.pick(["a", "IBM", "x y", "", "%"])

    def col(self, attrs, t=None, qual=None):
        cands = [a for a in attrs if t is None or a[1] == t or
                 (t == "num" and a[1] in NUMERIC)]
        if not cands:
            return None
        a = self.pick(cands)[0]
        return "%s.%s" % (qual, a) if qual else a

    def expr(self, attrs, t, depth=0, qual=None, aggs=False):
        """An expression of type t (num, bool, string, any)."""
        r = self.r
        if depth > 3 or r.random() < 0.35:
            c = self.col(attrs, "num" if t == "num" else
                         (t if t in ("bool", "string") else None), qual)
            if c and r.random() < 0.7:
                return c
            if t == "any":
                return self.literal(self.pick(TYPES_Q))
            return self.literal("int" if t == "num" else t)
        if t == "num" or (t == "any" and r.random() < 0.5):
            choice = r.randint(0, 7)
            if choice <= 2:
                return "%s %s %s" % (self.expr(attrs, "num", depth + 1, qual,
                                               aggs),
                                     self.pick("+-*/%"),
                                     self.expr(attrs, "num", depth + 1, qual,
                                               aggs))
            if choice == 3:
                return "(%s)" % self.expr(attrs, "num", depth + 1, qual, aggs)
            if choice == 4 and aggs:
                fn = self.pick(["sum", "avg", "min", "max", "count",
                                "stddev", "distinctCount", "maxForever",
                                "minForever"] if not self.sql else
                               ["sum", "avg", "min", "max", "count"])
                if fn == "count" and r.random() < 0.5:
                    return "count()" if not self.sql else "count(*)"
                return "%s(%s)" % (fn, self.expr(attrs, "num", depth + 2,
                                                 qual))
            if choice == 5:
                if self.sql:
                    return "CASE WHEN %s THEN %s ELSE %s END" % (
                        self.expr(attrs, "bool", depth + 1, qual),
                        self.expr(attrs, "num", depth + 1, qual, aggs),
                        self.expr(attrs, "num", depth + 1, qual, aggs))
                return "ifThenElse(%s, %s, %s)" % (
                    self.expr(attrs, "bool", depth + 1, qual),
                    self.expr(attrs, "num", depth + 1, qual, aggs),
                    self.expr(attrs, "num", depth + 1, qual, aggs))
            if choice == 6:
                if self.sql:
                    return "coalesce(%s, %s)" % (
                        self.expr(attrs, "num", depth + 1, qual),
                        self.literal("int"))
                return "%s(%s, %s)" % (
                    self.pick(["coalesce", "default", "maximum", "minimum"]),
                    self.expr(attrs, "num", depth + 1, qual),
                    self.literal("int"))
            if self.sql:
                return "CAST(%s AS %s)" % (self.expr(attrs, "num", depth + 1,
                                                     qual),
                                           self.pick(["INT", "BIGINT",
                                                      "DOUBLE PRECISION"]))
            return "convert(%s, '%s')" % (self.expr(attrs, "num", depth + 1,
                                                    qual),
                                          self.pick(["int", "long", "double",
                                                     "float", "string"]))
        if t == "bool" or t == "any":
            choice = r.randint(0, 5)
            if choice <= 2:
                op = self.pick(["==", "!=", "<", "<=", ">", ">="]
                               if not self.sql else
                               ["=", "<>", "<", "<=", ">", ">="])
                return "%s %s %s" % (self.expr(attrs, "num", depth + 1, qual),
                                     op,
                                     self.expr(attrs, "num", depth + 1, qual))
            if choice == 3:
                return "%s %s %s" % (self.expr(attrs, "bool", depth + 1,
                                               qual),
                                     self.pick(["and", "or"]),
                                     self.expr(attrs, "bool", depth + 1,
                                               qual))
            if choice == 4:
                return "not %s" % self.expr(attrs, "bool", depth + 1, qual)
            c = self.col(attrs, None, qual) or "k"
            return "%s is null" % c if not self.sql else \
                "%s IS %sNULL" % (c, self.pick(["", "NOT "]))
        # string
        if self.sql:
            return "%s || %s" % (self.expr(attrs, "string", depth + 1, qual),
                                 self.literal("string"))
        return "str:concat(%s, %s)" % (self.expr(attrs, "string", depth + 1,
                                                 qual),
                                       self.literal("string"))

    # ---- definitions ---------------------------------------------------
    def def_cols(self, attrs):
        if self.sql:
            return ", ".join("%s %s" % (a, TYPES_S[t]) for a, t in attrs)
        return ", ".join("%s %s" % (a, t) for a, t in attrs)

    def define_stream(self):
        name = self.name("S")
        attrs = self.attrs()
        self.streams[name] = attrs
        if self.sql:
            w = ""
            kw = "STREAM"
            if self.chance(0.1):
                w = " WITH (%s)" % self.pick(["event_time = 'v0'",
                                               "foo = 'bar'"])
            elif self.chance(0.1):
                kw, w = self.connector_s()
            return "CREATE %s %s (%s)%s;" % (kw, name, self.def_cols(attrs), w)
        ann = ""
        if self.chance(0.1):
            ann = self.pick(["@source(type='kafka') ", "@sink(type='log') ",
                             "@async(buffer.size='64') "])
        return "%sdefine stream %s (%s);" % (ann, name, self.def_cols(attrs))

    def connector_opts(self):
        opts = [self.pick(["type = 'kafka'", "connector = 'kafka'",
                           "type = 'log'", "TYPE = 'http'"])]
        for _ in range(self.r.randint(0, 4)):
            opts.append(self.pick([
                "topic = 'orders'", "bootstrap.servers = '127.0.0.1:9092'",
                "group.id = 'g1'", "format = 'json'", "on_error = 'STORE'",
                "'optional.configuration' = 'a:b'", "\"Partition.No\" = 0",
                "seq.enabled = false", "event_time = 'v0'", "key = -1.5"]))
        return ", ".join(opts)

    def map_s(self):
        items = ["type = '%s'" % self.pick(["json", "csv", "text", "avro"])]
        if self.chance(0.4):
            items.append(self.pick(["ATTRIBUTES (v0 = '$.a')",
                                    "ATTRIBUTES ('$.a', '$.b')",
                                    "PAYLOAD '{\"a\":\"{{v0}}\"}'",
                                    "PAYLOAD (k = 'v0')"]))
        return " MAP (%s)" % ", ".join(items)

    def connector_s(self):
        """A stream's connector in SQL: (keyword, clauses)."""
        kw = self.pick(["STREAM", "SOURCE", "SINK"])
        w = " WITH (%s)" % self.connector_opts()
        if kw != "STREAM" and self.chance(0.5):
            w += self.map_s()
        return kw, w

    def define_table(self):
        name = self.name("T")
        attrs = self.attrs()
        self.tables[name] = attrs
        if self.sql:
            pk = ", PRIMARY KEY (k)" if self.chance(0.5) else ""
            s = "CREATE TABLE %s (%s%s);" % (name, self.def_cols(attrs), pk)
            if self.chance(0.3):
                s += " CREATE INDEX ON %s (%s);" % (name, attrs[-1][0])
            return s
        ann = ""
        if self.chance(0.5):
            ann += "@PrimaryKey('k') "
        if self.chance(0.3):
            ann += "@Index('%s') " % attrs[-1][0]
        return "%sdefine table %s (%s);" % (ann, name, self.def_cols(attrs))

    def window_spec_q(self, attrs):
        c = self.col(attrs, "num") or "k"
        return self.pick([
            "length(%d)" % self.r.randint(0, 10),
            "lengthBatch(%d)" % self.r.randint(1, 10),
            "time(%s)" % self.duration(),
            "timeBatch(%s)" % self.duration(),
            "externalTime(%s, %s)" % (c, self.duration()),
            "sort(3, %s, 'asc')" % c,
            "unique:length(k, 3)",
            "unique:time(k, %s)" % self.duration(),
            "frequent(2, k)",
            "lossyFrequent(0.1, 0.01)",
            "session(%s, k)" % self.duration(),
            "delay(%s)" % self.duration(),
            "cron('*/5 * * * * ?')",
            "expression('count() <= 3')",
            "timeLength(%s, 5)" % self.duration(),
        ])

    def window_spec_s(self, attrs):
        return self.pick([
            "TUMBLING(%s)" % self.duration(),
            "SLIDING(%s)" % self.duration(),
            "HOPPING(SIZE %s, ADVANCE %s)" % (self.duration(),
                                              self.duration()),
            "length(%d)" % self.r.randint(0, 10),
            "lengthBatch(%d)" % self.r.randint(1, 10),
            "SESSION(%s)" % self.duration(),
            "UNIQUE(k)",
            "FREQUENT(2, k)",
            "CRON('*/5 * * * *')",
        ])

    def define_window(self):
        name = self.name("W")
        attrs = self.attrs()
        self.windows[name] = attrs
        if self.sql:
            return "CREATE WINDOW %s (%s) %s%s;" % (
                name, self.def_cols(attrs), self.window_spec_s(attrs),
                self.pick(["", " OUTPUT ALL EVENTS", " OUTPUT CURRENT EVENTS",
                           " OUTPUT EXPIRED EVENTS"]))
        return "define window %s (%s) %s%s;" % (
            name, self.def_cols(attrs), self.window_spec_q(attrs),
            self.pick(["", " output all events", " output current events",
                       " output expired events"]))

    def define_trigger(self):
        name = self.name("Tr")
        if self.sql:
            return "CREATE TRIGGER %s AT %s;" % (
                name, self.pick(["START", "EVERY %s" % self.duration(),
                                 "'*/5 * * * * ?'"]))
        return "define trigger %s at %s;" % (
            name, self.pick(["'start'", "every %s" % self.duration(),
                             "'*/5 * * * * ?'"]))

    def define_aggregation(self):
        if not self.streams:
            self.define_stream()
        s = self.pick(self.streams)
        attrs = self.streams[s]
        name = self.name("A")
        num = self.col(attrs, "num") or "k"
        fn = self.pick(["sum", "avg", "min", "max", "count", "distinctCount"])
        arg = num if fn != "count" else self.pick(["", num, "nosuch"])
        if self.sql:
            gran = self.pick(["second", "minute ... day", "second, hour",
                              "day"])
            return ("CREATE AGGREGATION %s WITH (granularity = '%s'%s) AS "
                    "SELECT k, %s(%s) AS total FROM %s%s GROUP BY k%s;" % (
                        name, gran,
                        self.pick(["", ", timezone = 'UTC'",
                                   ", retention = '90 days'"]),
                        fn, arg or "*", s,
                        " WHERE %s" % self.expr(attrs, "bool")
                        if self.chance(0.3) else "",
                        " PARTITION BY k" if self.chance(0.05) else ""))
        return ("define aggregation %s from %s%s select k, %s(%s) as total "
                "group by k aggregate every %s;" % (
                    name, s,
                    "[%s]" % self.expr(attrs, "bool") if self.chance(0.3)
                    else "",
                    fn, arg, self.pick(["sec ... year", "min, hour",
                                        "day", "sec ... min"])))

    def define_function(self):
        name = self.name("f")
        if self.sql:
            return "CREATE FUNCTION %s() RETURNS INT;" % name
        return ("define function %s[javascript] return int { return 1; };"
                % name)

    # ---- queries -------------------------------------------------------
    def any_source(self):
        pools = [self.streams] * 3 + [self.windows, self.tables]
        pool = self.pick([p for p in pools if p] or [self.streams])
        if not pool:
            self.define_stream()
            pool = self.streams
        s = self.pick(pool)
        return s, pool[s]

    def selector(self, attrs, aggs, qual=None):
        items = []
        for i in range(self.r.randint(1, 4)):
            e = self.expr(attrs, "any", 0, qual, aggs)
            items.append("%s as o%d" % (e, i) if not self.sql else
                         "%s AS o%d" % (e, i))
        return ", ".join(items)

    def output_q(self):
        r = self.r.random()
        if r < 0.7 or not self.tables:
            return "insert %sinto %s" % (
                self.pick(["", "all events ", "expired events ",
                           "current events "]), self.name("Out"))
        t = self.pick(self.tables)
        return self.pick([
            "insert into %s" % t,
            "delete %s on %s.k == k" % (t, t),
            "update %s set %s.k = k on %s.k == k" % (t, t, t),
            "update or insert into %s on %s.k == k" % (t, t),
        ])

    def rate_q(self):
        if not self.chance(0.15):
            return ""
        return " output %s every %s" % (
            self.pick(["", "all", "first", "last", "snapshot"]),
            self.pick(["%d events" % self.r.randint(1, 5), self.duration()]))

    def query_q(self):
        kind = self.r.randint(0, 9)
        ann = "@info(name = '%s') " % self.name("q") if self.chance(0.3) \
            else ""
        if kind <= 3:
            s, attrs = self.any_source()
            src = s
            if self.chance(0.5):
                src += "[%s]" % self.expr(attrs, "bool")
            if self.chance(0.5) and s in self.streams:
                src += "#window.%s" % self.window_spec_q(attrs)
            aggs = self.chance(0.5)
            q = "from %s select %s" % (src, self.selector(attrs, aggs))
            if aggs and self.chance(0.5):
                q += " group by k"
                if self.chance(0.4):
                    q += " having o0 > %s" % self.literal("int")
            if self.chance(0.1):
                q += " order by o0 limit %d" % self.r.randint(1, 5)
            return ann + q + self.rate_q() + " " + self.output_q() + ";"
        if kind <= 5:
            a, aa = self.any_source()
            b, ba = self.any_source()
            jt = self.pick(["join", "left outer join", "right outer join",
                            "full outer join", "unidirectional join",
                            "join"])
            wa = "#window.%s" % self.window_spec_q(aa) \
                if a in self.streams else ""
            wb = "#window.%s" % self.window_spec_q(ba) \
                if b in self.streams else ""
            both = [(x, t) for x, t in aa]
            q = "from %s%s as x %s %s%s as y on x.k == y.k select %s" % (
                a, wa, jt, b, wb,
                ", ".join("x.%s as o%d" % (c, i)
                          for i, (c, _) in enumerate(both[:3])))
            if self.chance(0.2):
                q += ", eventTimestamp(%s) as ets" % self.pick(["x", "y"])
            if self.chance(0.3):
                q += ", sum(y.%s) as tot group by x.k" % (
                    self.col(ba, "num") or "k")
            return ann + q + " " + self.output_q() + ";"
        if kind <= 8:
            return ann + self.pattern_q() + ";"
        s, attrs = self.any_source()
        return "from %s select * insert into %s;" % (s, self.name("Out"))

    def pattern_state(self, names, qual_attrs, counted=True):
        s = self.pick(self.streams)
        attrs = self.streams[s]
        e = self.name("e")
        cond = ""
        if self.chance(0.6):
            c = self.col(attrs, "num")
            if c and names and self.chance(0.5):
                prev = self.pick(names)
                cond = "[%s > %s.%s]" % (c, prev[0],
                                         self.col(prev[1], "num") or c)
            else:
                cond = "[%s]" % self.expr(attrs, "bool")
        count = ""
        if counted and self.chance(0.2):
            count = self.pick(["<2>", "<1:3>", "<2:>", "<:4>"])
        names.append((e, attrs))
        return "%s=%s%s%s" % (e, s, cond, count)

    def pattern_body(self, names, depth, seq):
        sep = ", " if seq else " -> "
        parts = []
        for i in range(self.r.randint(1, 4)):
            r = self.r.random()
            if r < 0.1 and depth < 3:
                parts.append("(%s)" % self.pattern_body(names, depth + 1,
                                                        seq))
            elif r < 0.2 and not seq:
                s = self.pick(self.streams)
                parts.append("not %s[%s] for %s" % (
                    s, self.expr(self.streams[s], "bool"), self.duration())
                    if not self.sql else "NOT %s[%s] FOR %s" % (
                    s, self.expr(self.streams[s], "bool"), self.duration()))
            elif r < 0.3 and not seq:
                parts.append("%s %s %s" % (
                    self.pattern_state(names, None, False),
                    self.pick(["and", "or"]),
                    self.pattern_state(names, None, False)))
            else:
                st = self.pattern_state(names, None)
                if seq and self.chance(0.2):
                    st += self.pick(["+", "*", "?"])
                parts.append(st)
        body = sep.join(parts)
        if self.chance(0.5):
            body = "every " + body if not self.sql else "every " + body
        return body

    def pattern_q(self):
        if not self.streams:
            self.define_stream()
        seq = self.chance(0.3)
        names = []
        body = self.pattern_body(names, 0, seq)
        if not names:
            body = self.pattern_state(names, None) + " -> " + body
        e, attrs = names[0]
        sel = "%s.%s as o0" % (e, self.col(attrs, None))
        if len(names) > 1 and self.chance(0.5):
            e2, a2 = names[-1]
            sel += ", %s.%s as o1" % (e2, self.col(a2, None))
        if self.chance(0.2):
            e2, a2 = self.pick(names)
            ref = e2 + self.pick(["", "", "[0]", "[last]", "[last - 1]"])
            sel += (", siddhi.event_timestamp(%s) as o2" if self.sql
                    else ", eventTimestamp(%s) as o2") % ref
        within = " within %s" % self.duration() if self.chance(0.3) else ""
        if self.sql:
            return "INSERT INTO %s SELECT %s FROM %s (%s)%s%s" % (
                self.name("Out"), sel.replace(" as ", " AS "),
                "SEQUENCE" if seq else "PATTERN", body, within.upper(),
                " PARTITION BY k" if self.chance(0.05) else "")
        return "from %s%s select %s insert into %s" % (body, within, sel,
                                                        self.name("Out"))

    def query_s(self):
        kind = self.r.randint(0, 9)
        if kind <= 3:
            s, attrs = self.any_source()
            aggs = self.chance(0.5)
            q = "SELECT %s FROM %s" % (self.selector(attrs, aggs), s)
            if self.chance(0.5) and s in self.streams:
                q += " WINDOW %s" % self.window_spec_s(attrs)
            if self.chance(0.5):
                q += " WHERE %s" % self.expr(attrs, "bool")
            if aggs and self.chance(0.5):
                q += " GROUP BY k"
                if self.chance(0.4):
                    q += " HAVING count(*) > 1"
            if self.chance(0.2):
                q += " EMIT %s" % self.pick(["CHANGES", "FINAL"])
            if self.chance(0.1):
                q += " PARTITION BY k"
            sink = ""
            if self.chance(0.1):
                sink = " SINK (%s)%s" % (self.connector_opts(),
                                         self.map_s() if self.chance(0.3)
                                         else "")
            q += sink
            if self.chance(0.8):
                if self.tables and self.chance(0.3):
                    t = self.pick(self.tables)
                    return "INSERT INTO %s %s%s;" % (
                        t, q.replace(" AS o0", " AS k", 1),
                        " ON CONFLICT (k) DO %s" % self.pick(
                            ["NOTHING", "UPDATE SET k = excluded.k"])
                        if self.chance(0.5) else "")
                return "INSERT INTO %s %s;" % (self.name("Out"), q)
            return q + ";"
        if kind <= 5:
            a, aa = self.any_source()
            b, ba = self.any_source()
            jt = self.pick(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN",
                            "LEFT OUTER JOIN"])
            wa = " WINDOW length(%d)" % self.r.randint(1, 5) \
                if a in self.streams else ""
            wb = " WINDOW %s" % self.window_spec_s(ba) \
                if b in self.streams else ""
            return ("INSERT INTO %s SELECT x.k AS o0, y.k AS o1 FROM %s%s "
                    "AS x%s %s %s%s AS y ON x.k = y.k%s;" % (
                        self.name("Out"), a, wa,
                        " UNIDIRECTIONAL" if self.chance(0.2) else "", jt, b,
                        wb, " WHERE %s" % self.expr(aa, "bool", qual="x")
                        if jt == "JOIN" and self.chance(0.3) else ""))
        if kind <= 7:
            return self.pattern_q() + ";"
        if self.tables:
            t = self.pick(self.tables)
            s = self.pick(self.streams) if self.streams else None
            if s:
                if self.chance(0.5):
                    return "DELETE FROM %s USING %s WHERE %s.k = %s.k;" % (
                        t, s, t, s)
                return "UPDATE %s SET k = %s.k FROM %s WHERE %s.k = %s.k;" % (
                    t, s, s, t, s)
        s, attrs = self.any_source()
        return "SELECT * FROM %s;" % s

    def partition(self):
        if not self.streams:
            self.define_stream()
        s = self.pick(self.streams)
        attrs = self.streams[s]
        if self.chance(0.5):
            key = "k of %s" % s
        else:
            c = self.col(attrs, "num") or "k"
            key = "%s < 10 as 'lo' or %s >= 10 as 'hi' of %s" % (c, c, s)
        body = []
        for i in range(self.r.randint(1, 3)):
            if self.chance(0.3):
                body.append("from #%s select * insert into %s;" % (
                    self.name("In"), self.name("Out")))
            if self.chance(0.2):
                # the built-in stream functions
                body.append(self.pick([
                    "from %s#log('seen')[k > 1]#log() select k insert into %s;",
                    "from %s#log('DEBUG', 'm', false) select * insert into %s;",
                    "from %s#pol2Cart(k, k)[x > 0] select x, y insert into %s;",
                    "from %s#pol2Cart(k, k, k)#window.length(2) select * "
                    "insert into %s;",
                ]) % (s, self.name("Out")))
            if self.chance(0.3):
                # an inner stream read by a join side and by pattern states
                inner = self.name("In")
                body.append("from %s select * insert into #%s;" % (s, inner))
                body.append(self.pick([
                    "from #%s#window.length(2) join %s#window.length(2) "
                    "on #%s.k == %s.k select #%s.k as a, %s.k as b "
                    "insert into %s;" % (inner, s, inner, s, inner, s,
                                         self.name("Out")),
                    "from every e1=#%s -> e2=%s[k == e1.k] select e1.k, "
                    "eventTimestamp(e2) - eventTimestamp(e1) as d "
                    "insert into %s;" % (inner, s, self.name("Out")),
                    "from e1=#%s<1:3>, e2=#%s select eventTimestamp(e1[last]) "
                    "as t insert into %s;" % (inner, inner, self.name("Out")),
                ]))
            body.append(self.query_q())
        return "partition with (%s) begin %s end;" % (key, " ".join(body))

    # ---- apps ----------------------------------------------------------
    def app(self):
        out = []
        if self.chance(0.2):
            out.append(self.pick(["@app:name('fz')", "@app:playback",
                                  "@app:statistics('true')"]))
        for i in range(self.r.randint(1, 4)):
            out.append(self.define_stream())
        defs = [self.define_table, self.define_window, self.define_trigger,
                self.define_aggregation]
        if not self.sql or self.chance(0.1):
            defs.append(self.define_function)
        for i in range(self.r.randint(0, 3)):
            out.append(self.pick(defs)())
        for i in range(self.r.randint(0, 5)):
            if self.sql:
                out.append(self.query_s())
            elif self.chance(0.15):
                out.append(self.partition())
            else:
                out.append(self.query_q())
        sep = self.pick(["\n", " ", "\n\n  "])
        return sep.join(out)


def big(rnd, sql):
    """A large input of one construct that was quadratic once."""
    n = rnd.choice([100, 300, 1000, 3000])
    kind = rnd.randint(0, 5)
    if kind == 0:
        e = " + ".join(["a"] * n)
    elif kind == 1:
        e = "not " * n + "(a > 0)"
    elif kind == 2:
        e = "(" * n + "a" + ")" * n
    elif kind == 3:
        e = " and ".join("a > %d" % i for i in range(n))
    elif kind == 4:
        pat = " -> ".join("e%d=S[a > %d]" % (i, i) for i in range(n))
        if sql:
            return ("CREATE STREAM S (a INT); INSERT INTO O SELECT e0.a "
                    "FROM PATTERN (every %s);" % pat)
        return ("define stream S (a int); from every %s select e0.a "
                "insert into O;" % pat)
    else:
        qs = ["from S[a > %d] select a insert into O%d;" % (i, i)
              for i in range(n // 10)]
        if sql:
            qs = ["INSERT INTO O%d SELECT a FROM S WHERE a > %d;" % (i, i)
                  for i in range(n // 10)]
            return "CREATE STREAM S (a INT); " + " ".join(qs)
        return "define stream S (a int); " + " ".join(qs)
    if sql:
        if kind == 1 or kind == 3:
            return ("CREATE STREAM S (a INT); INSERT INTO O SELECT a FROM S "
                    "WHERE %s;" % e)
        return "CREATE STREAM S (a INT); INSERT INTO O SELECT %s AS x FROM S;" \
            % e
    if kind == 1 or kind == 3:
        return "define stream S (a int); from S[%s] select a insert into O;" \
            % e
    return "define stream S (a int); from S select %s as x insert into O;" % e


# ---- seeds and mutations ----------------------------------------------

DOLLAR = re.compile(r"\$([A-Za-z_]*)\$(.*?)\$\1\$", re.S)


def seeds(root):
    out = []
    files = (glob.glob(os.path.join(root, "sql", "*.sql")) +
             glob.glob(os.path.join(root, "examples", "sql", "*.sql")))
    for f in sorted(files):
        text = open(f, encoding="utf-8", errors="replace").read()
        for m in DOLLAR.finditer(text):
            body = m.group(2)
            if re.search(r"(?i)\b(define|create|from|select|insert)\b",
                         body) and "LANGUAGE" not in body and \
                    "plpgsql" not in body:
                out.append(body)
    for f in sorted(glob.glob(os.path.join(root, "test", "conformance", "*",
                                           "app.siddhi"))):
        out.append(open(f, encoding="utf-8", errors="replace").read())
    return out


TOKEN = re.compile(r"\s+|[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d+)?|'[^']*'|"
                   r"->|==|!=|<=|>=|\.\.\.|.", re.S)
VOCAB = ["define", "stream", "table", "window", "from", "select", "insert",
         "into", "every", "->", "within", "not", "for", "and", "or", "(",
         ")", "[", "]", "#window.length(", "#window.time(", "<1:3>", "<2:>",
         ",", ";", "@info(name='x')", "@app:playback", "partition", "with",
         "begin", "end", "of", "join", "on", "as", "group", "by", "having",
         "output", "last", "first", "snapshot", "events", "delete", "update",
         "set", "or", "CREATE", "STREAM", "TABLE", "WINDOW", "TRIGGER",
         "AGGREGATION", "INDEX", "AS", "SELECT", "FROM", "WHERE", "GROUP BY",
         "PATTERN", "SEQUENCE", "EMIT", "CHANGES", "FINAL", "PARTITION BY",
         "INSERT INTO", "ON CONFLICT", "DO NOTHING", "UNIDIRECTIONAL",
         "TUMBLING(", "HOPPING(SIZE", "NOT", "FOR", "count(", "sum(", "e1.",
         "e1[0].", "e1[last].", "'", "\"", "`", "/*", "*/", "--", "\n", "0",
         "-1", "99999999999999999999", "1e400", "null", "*", "+", "?", "=",
         "WITH (by = 'ts')", "aggregate by", "every sec ... year", "$",
         "\\", "e=", "#", ".", "::", "ifThenElse(", "convert(", "'long')",
         "str:concat(", "math:", "#log()", "@PrimaryKey('k')", "%", "!",
         "1 sec", "5 minutes", "ALL EVENTS", "EXPIRED EVENTS", "IN", "LIKE",
         "CASE WHEN", "THEN", "ELSE", "END", "OVER ()", "LIMIT", "OFFSET",
         "ORDER BY", "DISTINCT", "EXISTS", "ARRAY[", "]", "{", "}", "::int",
         "SINK (", "MAP (", "ATTRIBUTES (", "PAYLOAD", "CREATE SOURCE",
         "CREATE SINK", "connector = 'kafka'", "type = 'kafka'",
         "format = 'json'", "topic = 'x'", "on_error = 'LOG'",
         "bootstrap.servers", "sink(", "WITH h AS (", "(SELECT v0 FROM t0)",
         "FOR SYSTEM_TIME AS OF a.v0", "WITHIN last '7 days'", "PER 'hour'",
         "WITHIN '2024-01-01 00:00:00', '2024-02-01 00:00:00'",
         "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY v0)",
         "percentile(v0, 95)", "FILTER (WHERE v0 > 0)", "COUNT(DISTINCT v0)",
         "STDDEV(v0)", "ROW_NUMBER() OVER (PARTITION BY v0 ORDER BY v1)",
         "LAG(v0, 1) OVER (ORDER BY v1)", ") OR (", ") AND (", "AFTER",
         "NOT a ->", ".find(v0 == 1)", ".current()", "type = 'http'",
         "type = 'redis'", "type = 'notify'", "type = 'file'",
         "type = 'log'", "BETWEEN a.v0 - 5 minutes AND b.v0", "EXPLAIN",
         "EXPLAIN SELECT"]
ODD = ["\u00e9", "\u00a0", "\u2192", "\U0001F600", "\t", "\r", "\x01",
       "\x7f", "\ufeff", "\u200b"]


def mutate(rnd, text):
    toks = TOKEN.findall(text)
    if not toks:
        toks = [""]
    for _ in range(rnd.randint(1, 4)):
        m = rnd.randint(0, 8)
        n = len(toks)
        i = rnd.randrange(n) if n else 0
        if m == 0 and n > 1:                    # delete a run
            del toks[i:i + rnd.randint(1, 6)]
        elif m == 1 and n:                      # duplicate a run
            j = i + rnd.randint(1, 12)
            toks[i:i] = toks[i:j] * rnd.randint(1, 3)
        elif m == 2 and n > 1:                  # swap two tokens
            j = rnd.randrange(n)
            toks[i], toks[j] = toks[j], toks[i]
        elif m == 3:                            # insert a known token
            toks.insert(i, " " + rnd.choice(VOCAB) + " ")
        elif m == 4:                            # random characters
            s = "".join(rnd.choice(ODD) if rnd.random() < 0.2 else
                        chr(rnd.randint(32, 126))
                        for _ in range(rnd.randint(1, 8)))
            toks.insert(i, s)
        elif m == 5 and n:                      # truncate
            toks = toks[:i]
        elif m == 6 and n:                      # replace a token
            toks[i] = rnd.choice(VOCAB)
        elif m == 7 and n > 2:                  # move a run
            j = i + rnd.randint(1, 8)
            run = toks[i:j]
            del toks[i:j]
            k = rnd.randrange(len(toks) + 1)
            toks[k:k] = run
        elif m == 8 and n:                      # splice in another number
            toks[i] = rnd.choice(["0", "-0", "2147483648", "-1L", "1.5e308",
                                  "9223372036854775808", "0x10", ".5"])
    out = "".join(toks)
    if len(out) > 200000:
        out = out[:200000]
    return out


def escape(s):
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def looks_sql(text):
    return re.search(r"(?i)\bcreate\s+(stream|table|window|trigger|"
                     r"aggregation|index|source|sink)\b|\binsert\s+into\b.*\bselect\b",
                     text, re.S) is not None


def main():
    count = int(sys.argv[1])
    seed = int(sys.argv[2])
    root = sys.argv[3] if len(sys.argv) > 3 else "."
    rnd = random.Random(seed)
    corpus = seeds(root)
    pool = list(corpus)
    w = sys.stdout.write
    for i in range(1, count + 1):
        sql = rnd.random() < 0.5
        r = rnd.random()
        if r < 0.45:
            origin = "gen"
            text = Gen(rnd, sql).app()
            if len(pool) < 20000:
                pool.append(text)
            elif rnd.random() < 0.05:
                pool[rnd.randrange(len(pool))] = text
        elif r < 0.455:
            origin = "big"
            text = big(rnd, sql)
        else:
            origin = "mut"
            base = rnd.choice(pool if rnd.random() < 0.7 else corpus)
            text = mutate(rnd, base)
            sql = looks_sql(text)
        text = text.replace("\x00", "")
        deploy = "t" if rnd.random() < 0.03 else "f"
        w("%d\t%s\t%s\t%s\t%s\n" % (i, "sql" if sql else "siddhiql", origin,
                                    deploy, escape(text)))


if __name__ == "__main__":
    main()
