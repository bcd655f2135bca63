-- The Redis sink (issue 14, "Small sinks"; no roadmap block uses Redis,
-- so nothing was adapted): each symbol's last price is SET under
-- last:<symbol> as JSON, and every large trade is RPUSHed as text to the
-- list large_trades.  Events go through the outbox, so a Redis that is
-- down loses nothing; siddhi.sinks shows them settle.  The Redis server
-- is Debian's redis-server, started by test/examples.sh on a free port
-- (SIDDHI_REDIS_PORT); replace :'redis' with your server's port.  The
-- example reads the keys back with redis-cli (a superuser's COPY .. FROM
-- PROGRAM, the example's stand-in for a Redis client).
CREATE EXTENSION IF NOT EXISTS siddhi;
\getenv redis SIDDHI_REDIS_PORT
CREATE SCHEMA redis37;
SET search_path = redis37;

SELECT siddhi.deploy('redis_prices', format($app$
  define stream Trades (sym string, px double, qty int);

  @sink(type = 'redis', host = '127.0.0.1', port = '%1$s', mode = 'set',
        key = 'last:{{sym}}', @map(type = 'json'))
  define stream LastPrice (sym string, px double);

  @sink(type = 'redis', host = '127.0.0.1', port = '%1$s', mode = 'rpush',
        key = 'large_trades',
        @map(type = 'text', @payload('{{sym}} {{qty}} @ {{px}}')))
  define stream LargeTrades (sym string, px double, qty int);

  from Trades select sym, px insert into LastPrice;
  from Trades[qty >= 1000] select sym, px, qty insert into LargeTrades;
$app$, :'redis'));

INSERT INTO trades VALUES ('IBM', 150.5, 100), ('ORCL', 40.25, 2000),
                          ('IBM', 151.0, 5000), ('MSFT', 300.0, 10);
SELECT siddhi.flush();

-- wait (at most 10 s) until the sinks have sent n and m events and
-- settled: a sink counts an event sent when Redis answers, and takes it
-- out of its queue once its outbox row's delete commits, a moment later
CREATE FUNCTION wait_sent(n int, m int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..100 LOOP
    IF (SELECT sent FROM siddhi.sinks WHERE app = 'redis_prices'
         AND sink = 'lastprice.sink1') >= n
       AND (SELECT sent FROM siddhi.sinks WHERE app = 'redis_prices'
         AND sink = 'largetrades.sink1') >= m
       AND (SELECT bool_and(queued = 0 AND in_flight = 0) FROM siddhi.sinks
             WHERE app = 'redis_prices') THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.1);
  END LOOP;
  RETURN false;
END $$;
-- a redis-cli command's output lines
CREATE TEMP TABLE redis_out (line text);
CREATE FUNCTION redis(cmd text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE redis_out;
  EXECUTE format('COPY redis_out FROM PROGRAM %L',
                 'redis-cli -p ' || current_setting('siddhi_example.redis')
                 || ' --raw ' || cmd);
  RETURN QUERY SELECT line FROM redis_out;
END $$;
SELECT set_config('siddhi_example.redis', :'redis', false) IS NOT NULL AS ok;

SELECT wait_sent(4, 2);
SELECT sink, type, state, queued, in_flight, sent, failed
  FROM siddhi.sinks WHERE app = 'redis_prices' ORDER BY sink;

-- what Redis holds: the last price of each symbol, the large trades in order
SELECT redis('GET last:IBM') AS "GET last:IBM";
SELECT redis('GET last:ORCL') AS "GET last:ORCL";
SELECT redis('LRANGE large_trades 0 -1') AS "LRANGE large_trades";

SELECT siddhi.undeploy('redis_prices');
SELECT redis('DEL last:IBM last:ORCL last:MSFT large_trades') AS deleted;
DROP SCHEMA redis37 CASCADE;
RESET search_path;
