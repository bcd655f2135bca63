-- A query that fails on one event skips that event, counts the error and
-- keeps going; the other queries never notice.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('ratios', $$
  define stream Measurements (name string, part int, whole int);
  define table Ratios (name string, percent int);
  define table Received (name string);
  @info(name = 'percent') from Measurements
  select name, part * 100 / whole as percent insert into Ratios;
  @info(name = 'log') from Measurements select name insert into Received;
$$);

INSERT INTO measurements VALUES ('a', 1, 4), ('broken', 1, 0), ('c', 3, 4);
SELECT siddhi.flush();
SELECT * FROM ratios ORDER BY name;
SELECT count(*) AS received FROM received;
SELECT query, events_in, events_out, errors, last_error
  FROM siddhi.queries WHERE app = 'ratios' ORDER BY query;
