-- Chained queries in SiddhiQL: readings are converted to Fahrenheit in one
-- query, a second query raises alerts from the converted stream.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('temperature', $$
  @app:name('temperature')
  define stream SensorReadings (room string, celsius double);
  define table Alerts (room string, fahrenheit double, level string);

  @info(name = 'to-fahrenheit')
  from SensorReadings[not (celsius is null)]
  select room, celsius * 9 / 5 + 32 as fahrenheit
  insert into FahrenheitReadings;

  @info(name = 'alert')
  from FahrenheitReadings[fahrenheit > 86]
  select room, fahrenheit,
         ifThenElse(fahrenheit > 104, 'critical', 'warning') as level
  insert into Alerts;
$$);

INSERT INTO sensorreadings VALUES ('lab', 21.5), ('server-room', 35), ('boiler', 45), ('attic', NULL);
SELECT siddhi.flush();
SELECT * FROM alerts ORDER BY room;
SELECT query, events_in, events_out FROM siddhi.queries WHERE app = 'temperature' ORDER BY query;
