-- The two sinks that stay inside the server (issue 14, "Small sinks"; no
-- roadmap block uses them, so nothing was adapted): hot readings go to
-- the server log (@sink(type = 'log'), one WARNING line each, prefixed
-- HOT) and to LISTEN clients (@sink(type = 'notify'): pg_notify at the
-- commit of the delivery, as Siddhi's default JSON, and as text with a
-- @payload template).  Both go through the outbox: an event is in its
-- sink's outbox table once its batch commits, and leaves it once
-- delivered; siddhi.sinks and the outbox tables show the queues settle.
-- (A client runs LISTEN hot_readings to get them; psql would print each
-- notification with the sender's PID, which changes from run to run, so
-- this example shows the counts instead: t/022_local_sinks.pl checks the
-- payloads a listener receives.)
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA sinks36;
SET search_path = sinks36;

SELECT siddhi.deploy('hot_sensors', $$
  define stream Readings (sensor string, temp double);

  @sink(type = 'log', priority = 'WARN', prefix = 'HOT')
  define stream HotLog (sensor string, temp double);

  @sink(type = 'notify', channel = 'hot_readings', @map(type = 'json'))
  @sink(type = 'notify', channel = 'hot_text',
        @map(type = 'text', @payload('{{sensor}} is at {{temp}}')))
  define stream HotLive (sensor string, temp double);

  from Readings[temp > 40] select sensor, temp insert into HotLog;
  from Readings[temp > 40] select sensor, temp insert into HotLive;
$$);

-- the outbox of each sink: a table of its own in schema siddhi_outbox
SELECT sink FROM siddhi.outbox WHERE app = 'hot_sensors' ORDER BY sink;

INSERT INTO readings VALUES ('a', 20), ('b', 45.5), ('c', 50), ('a', 39.9),
                            ('d', 41);
SELECT siddhi.flush();

-- wait (at most 10 s) until every sink has sent n events
CREATE FUNCTION wait_sent(n int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..100 LOOP
    IF (SELECT bool_and(sent >= n AND queued = 0) FROM siddhi.sinks
         WHERE app = 'hot_sensors') THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.1);
  END LOOP;
  RETURN false;
END $$;
-- the rows waiting in a sink's outbox table
CREATE FUNCTION outbox_rows(rel name) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM siddhi_outbox.%I', rel) INTO n;
  RETURN n;
END $$;

SELECT wait_sent(3);
-- settled: 3 hot readings sent by each sink, nothing queued or in flight
SELECT stream, sink, type, state, queued, in_flight, sent, failed, dropped
  FROM siddhi.sinks WHERE app = 'hot_sensors' ORDER BY sink;
SELECT sink, outbox_rows(relname) AS rows_waiting
  FROM siddhi.outbox WHERE app = 'hot_sensors' ORDER BY sink;

-- more readings: the counters go on
INSERT INTO readings VALUES ('e', 60), ('f', 10);
SELECT siddhi.flush();
SELECT wait_sent(4);
SELECT sink, queued, sent FROM siddhi.sinks
 WHERE app = 'hot_sensors' ORDER BY sink;

-- undeploy drops the outboxes (look at siddhi.sinks.queued first)
SELECT siddhi.undeploy('hot_sensors');
SELECT count(*) AS outboxes_left FROM siddhi.outbox WHERE app = 'hot_sensors';
DROP SCHEMA sinks36 CASCADE;
RESET search_path;
