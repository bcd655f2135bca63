-- The roadmap's M9 "Example Usage" block 9: logins followed by purchases
-- far away within an hour, and devices whose heartbeat stopped.
-- Adapted, and why:
--   * `distance(a.location, b.location) > 1000 km` has no unit syntax in
--     SQL: distance_km() below (haversine over latitude and longitude)
--     returns kilometres, compared with 1000.
--   * the device pattern reads `NOT heartbeat[..] FOR 5 minutes AFTER
--     device as d` as written: X AFTER Y means Y -> X. `every` is added
--     before `device as d` so that each device is watched, not only the
--     first one; and the select names d.deviceId (heartbeat has a
--     deviceId too, and SQL refuses an ambiguous column).
CREATE EXTENSION IF NOT EXISTS siddhi;

CREATE FUNCTION distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT 2 * 6371 * asin(sqrt(
           power(sin(radians(lat2 - lat1) / 2), 2)
           + cos(radians(lat1)) * cos(radians(lat2))
             * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;

SELECT siddhi.deploy('fraud_complex', $$
  @app:playback
  CREATE STREAM login (ts BIGINT, userId INT, lat FLOAT8, lon FLOAT8, location TEXT) WITH (event_time = 'ts');
  CREATE STREAM purchase (ts BIGINT, userId INT, lat FLOAT8, lon FLOAT8, location TEXT) WITH (event_time = 'ts');
  CREATE STREAM device (ts BIGINT, deviceId INT) WITH (event_time = 'ts');
  CREATE STREAM heartbeat (ts BIGINT, deviceId INT) WITH (event_time = 'ts');
  CREATE TABLE FarPurchases (userId INT, loginLocation TEXT, purchaseLocation TEXT);
  CREATE TABLE SilentDevices (deviceId INT);

  -- Complex fraud detection pattern
  INSERT INTO FarPurchases
  SELECT
      a.userId,
      a.location as loginLocation,
      b.location as purchaseLocation
  FROM PATTERN (
      every (
          login as a ->
          purchase<1:5> as b[b.userId == a.userId]
      )
      WITHIN 1 hour
  )
  WHERE
      distance_km(a.lat, a.lon, b.lat, b.lon) > 1000;

  -- Absence pattern: No heartbeat
  INSERT INTO SilentDevices
  SELECT d.deviceId
  FROM PATTERN (
      NOT heartbeat[deviceId == d.deviceId]
      FOR 5 minutes
      AFTER every device as d
  );
$$);

-- user 1 logs in in Amsterdam and buys in New York; user 2 buys at home
INSERT INTO login VALUES (1000, 1, 52.37, 4.90, 'Amsterdam'), (2000, 2, 48.86, 2.35, 'Paris');
INSERT INTO purchase VALUES (3000, 1, 40.71, -74.01, 'New York'), (4000, 2, 48.85, 2.34, 'Paris');
-- device 10 beats within 5 minutes, device 20 never does
INSERT INTO device VALUES (10000, 10), (11000, 20);
INSERT INTO heartbeat VALUES (60000, 10);
SELECT siddhi.advance_clock(400000);
SELECT siddhi.flush();
SELECT * FROM farpurchases ORDER BY userid;
SELECT * FROM silentdevices;
-- free the names for the next example
SELECT siddhi.undeploy('fraud_complex', drop_tables => true);
DROP FUNCTION distance_km(float8, float8, float8, float8);
