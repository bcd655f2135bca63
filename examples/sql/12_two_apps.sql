-- Two apps joined by a stream: the second declares the stream the first
-- writes, and reads it.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('ingest', $$
  define stream RawTemps (sensor string, raw int);
  from RawTemps[raw >= 0] select sensor, raw / 10.0 as celsius insert into CleanTemps;
$$);
SELECT siddhi.deploy('consume', $$
  define stream CleanTemps (sensor string, celsius double);
  define table Warm (sensor string, celsius double);
  from CleanTemps[celsius > 25] select sensor, celsius insert into Warm;
$$);

INSERT INTO rawtemps VALUES ('s1', 215), ('s2', 301), ('s3', -1), ('s4', 255);
SELECT siddhi.flush();
SELECT * FROM warm ORDER BY sensor;
SELECT name, state FROM siddhi.apps WHERE name IN ('ingest', 'consume') ORDER BY name;
