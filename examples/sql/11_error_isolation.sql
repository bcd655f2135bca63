-- A query that fails on one event skips that event, counts the error and
-- keeps going; the other queries never notice.  (A zero divisor is no
-- error in SiddhiQL: a / 0 is null, as in Siddhi.  The logarithm of zero
-- is one: PostgreSQL's log10 refuses it.)
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('ratios', $$
  define stream Measurements (name string, part int, whole int);
  define table Ratios (name string, percent int, magnitude double);
  define table Received (name string);
  @info(name = 'percent') from Measurements
  select name, part * 100 / whole as percent, log10(part * 1.0) as magnitude
  insert into Ratios;
  @info(name = 'log') from Measurements select name insert into Received;
$$);

INSERT INTO measurements VALUES ('a', 1, 4), ('broken', 0, 4), ('c', 3, 4),
  ('no_whole', 5, 0);
SELECT siddhi.flush();
SELECT name, percent, round(magnitude::numeric, 3) AS magnitude
  FROM ratios ORDER BY name;
SELECT count(*) AS received FROM received;
SELECT query, events_in, events_out, errors, last_error
  FROM siddhi.queries WHERE app = 'ratios' ORDER BY query;
