-- Durations count a month as 30 days and a year as 365, as Siddhi's
-- Expression.Time does, however they are written: SiddhiQL's 1 year,
-- the SQL dialect's 1 year, '1 year' and INTERVAL '1 year', retention and
-- purge periods.  An interval's text tells a year from 12 months; a
-- computed interval value no longer does, and counts 12 months a year.

SELECT "QUERY PLAN" FROM siddhi.explain_text($$
  CREATE STREAM du_in (x INT);
  SELECT x FROM du_in WINDOW TUMBLING(1 year);
  SELECT x FROM du_in WINDOW TUMBLING('1 year');
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL '1 year');
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL '1' YEAR);
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL 'P1Y');
  SELECT x FROM du_in WINDOW TUMBLING(12 months);
  SELECT x FROM du_in WINDOW TUMBLING('12 months');
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL '12' MONTH);
  SELECT x FROM du_in WINDOW TUMBLING(1 year 2 months);
  SELECT x FROM du_in WINDOW TUMBLING('1 year 2 months');
  -- computed values: every 12 months a year; '1-2' is 14 months to PostgreSQL
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL '1 year' + INTERVAL '1 day');
  SELECT x FROM du_in WINDOW TUMBLING('14 months'::interval + '0 days');
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL '1-2');
$$) WHERE "QUERY PLAN" LIKE '%Duration%';

SELECT "QUERY PLAN" FROM siddhi.explain_text($$
  define stream du_s (x int);
  from du_s#window.timeBatch(1 year) select x insert into du_o1;
  from du_s#window.timeBatch(1 year and 2 months) select x insert into du_o2;
$$) WHERE "QUERY PLAN" LIKE '%Duration%';

-- retention periods (the default for day is 1 year: the same 365 days)
SELECT "QUERY PLAN" FROM siddhi.explain_text($$
  define stream du_t (k string, v long, ts long);
  @purge(enable = 'true', interval = '1 min',
         @retentionPeriod(day = '1 year', month = '13 months'))
  define aggregation du_agg from du_t select k, sum(v) as total group by k
  aggregate by ts every day ... year;
  define aggregation du_agg2 from du_t select k, sum(v) as total group by k
  aggregate by ts every day ... year;
$$) WHERE "QUERY PLAN" LIKE '%day%' OR "QUERY PLAN" LIKE '%month%';

-- out of range, and not a duration
SELECT siddhi.explain_text($$
  CREATE STREAM du_in (x INT);
  SELECT x FROM du_in WINDOW TUMBLING(INTERVAL '200000000 years');
$$);
SELECT siddhi.explain_text($$
  CREATE STREAM du_in (x INT);
  SELECT x FROM du_in WINDOW TUMBLING('1 fortnight');
$$);
