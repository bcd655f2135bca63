-- Vehicles that leave a circle around the depot (SiddhiQL arithmetic and
-- PostgreSQL's math functions).
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('geofence', $$
  define stream Positions (vehicle string, x double, y double);
  define table Outside (vehicle string, distance double);
  from Positions[sqrt(power(x - 10.0, 2) + power(y - 20.0, 2)) > 5.0]
  select vehicle, round(sqrt(power(x - 10.0, 2) + power(y - 20.0, 2))) as distance
  insert into Outside;
$$);

INSERT INTO positions VALUES ('truck-1', 11, 21), ('truck-2', 20, 20), ('van-7', 10, 26);
SELECT siddhi.flush();
SELECT * FROM outside ORDER BY vehicle;
