-- The HTTP sink (issue 14, "HTTP"; no roadmap block posts results to a
-- webhook, so nothing was adapted but the address): a query's alerts are
-- POSTed as JSON by an http sink, through its outbox, with retries until
-- the far side answers 2xx.  The far side here is a second app's webhook
-- http source on the loopback, so the example needs no other server; the
-- rows arriving there show every alert delivered, once.
-- Setup, as a superuser: sinks may reach only the addresses of
-- siddhi.http_allowed_hosts, whose default leaves out the loopback (and
-- link-local addresses such as 169.254.169.254): allow 127.0.0.1 here.
CREATE EXTENSION IF NOT EXISTS siddhi;
\getenv hport SIDDHI_HTTP_PORT
ALTER SYSTEM SET siddhi.http_allowed_hosts = '127.0.0.1';
SELECT pg_reload_conf();
CREATE SCHEMA sink38;
SET search_path = sink38;

-- the receiving side: a webhook keeps what it is sent
SELECT siddhi.deploy('alert_inbox', format($app$
  @source(type = 'http', receiver.url = 'http://127.0.0.1:%1$s/alerts',
          @map(type = 'json'))
  define stream Incoming (symbol string, price double, volume long);
  define table Received (symbol string, price double, volume long);
  from Incoming select * insert into Received;
$app$, :'hport'));

-- the sending side: large trades become alerts, POSTed one per request
SELECT siddhi.deploy('alert_out', format($app$
  define stream Trades (symbol string, price double, volume long);
  @sink(type = 'http', publisher.url = 'http://127.0.0.1:%1$s/alerts',
        method = 'POST', headers = "'X-Source:siddhi'", @map(type = 'json'))
  define stream Alerts (symbol string, price double, volume long);
  from Trades[volume >= 1000] select symbol, price, volume insert into Alerts;
$app$, :'hport'));

INSERT INTO trades VALUES ('IBM', 101.5, 1200), ('ORCL', 40.2, 10),
  ('MSFT', 330.0, 5000), ('IBM', 102.0, 999), ('AAPL', 190.3, 2500);

-- delivery is asynchronous: wait (at most 20 s) until the inbox has them
DO $$
BEGIN
  FOR i IN 1..400 LOOP
    EXIT WHEN (SELECT count(*) FROM sink38.received) >= 3;
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
SELECT symbol, price, volume FROM received ORDER BY symbol;
-- the sink's counters: all sent, none queued or failed (the outbox is empty)
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN (SELECT queued + in_flight FROM siddhi.sinks
                WHERE app = 'alert_out') = 0;
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
SELECT sink, type, state, queued, in_flight, sent, dropped
  FROM siddhi.sinks WHERE app = 'alert_out';

SELECT siddhi.undeploy('alert_out', true);
SELECT siddhi.undeploy('alert_inbox', true);
RESET search_path;
DROP SCHEMA sink38;
ALTER SYSTEM RESET siddhi.http_allowed_hosts;
SELECT pg_reload_conf();
