-- The streaming SQL front end: siddhi.parse() of apps written in SQL.
-- Every location printed is a byte offset into the app text.
CREATE EXTENSION IF NOT EXISTS siddhi;
\pset format unaligned
\pset tuples_only on

-- the issue's example
SELECT siddhi.parse($$
CREATE STREAM Trades (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
CREATE TABLE Big (symbol TEXT, price DOUBLE PRECISION, notional DOUBLE PRECISION);
INSERT INTO Big SELECT symbol, price, price * volume AS notional FROM Trades WHERE volume > 1000;
$$);

-- roadmap: type aliases, a tumbling window, EMIT CHANGES without INSERT
SELECT siddhi.parse($$
-- Create input stream with SQL
CREATE STREAM StockStream (
    symbol STRING,
    price DOUBLE,
    volume LONG
);
SELECT
    symbol,
    AVG(price) as avg_price,
    SUM(volume) as total_volume
FROM StockStream
WINDOW TUMBLING(5 minutes)
GROUP BY symbol
EMIT CHANGES;
$$);

-- roadmap: a SiddhiQL-style filter on the stream
SELECT siddhi.parse($$
INSERT INTO HighVolumeStocks
SELECT symbol, price, volume
FROM StockStream[volume > 1000000];
$$);

-- roadmap: WHERE is a filter before the window, whichever comes first
SELECT siddhi.parse($$
SELECT symbol, AVG(price) as avg_price, COUNT(*) as count
FROM StockStream
WINDOW TUMBLING(1 minute)
WHERE volume > 100000
GROUP BY symbol;
$$);

-- roadmap: HAVING, ORDER BY, LIMIT, OFFSET, EMIT FINAL
SELECT siddhi.parse($$
SELECT symbol, AVG(price) as avg_price, COUNT(*) as trade_count
FROM StockStream
WINDOW TUMBLING(5 minutes)
GROUP BY symbol
HAVING AVG(price) > 100 AND COUNT(*) > 50
ORDER BY avg_price DESC
LIMIT 10 OFFSET 5
EMIT FINAL;
$$);

-- roadmap: FREQUENT, CRON, UNIQUE
SELECT siddhi.parse($$
SELECT itemset, frequency FROM TransactionStream WINDOW FREQUENT(100) GROUP BY itemset;
SELECT DATE(timestamp) as day, SUM(revenue) as daily_revenue
FROM SalesStream
WINDOW CRON('0 0 * * *')  -- Trigger at midnight
GROUP BY DATE(timestamp);
SELECT userId, action FROM UserActivityStream WINDOW UNIQUE(userId);
$$);

-- every window: SQL spellings and Siddhi names in any case, durations
SELECT siddhi.parse($$
SELECT * FROM s WINDOW SLIDING(30 seconds);
SELECT * FROM s WINDOW HOPPING(SIZE 5 minutes, ADVANCE 1 minute);
SELECT * FROM s WINDOW hopping(INTERVAL '1 hour', 10 min);
SELECT * FROM s WINDOW SESSION(2 hours, user_id);
SELECT * FROM s WINDOW length(5);
SELECT * FROM s WINDOW LENGTHBATCH(10);
SELECT * FROM s WINDOW timeLength(1 minute, 10);
SELECT * FROM s WINDOW externalTime(ts, 1 hour);
SELECT * FROM s WINDOW externaltimebatch(ts, 1 day, 0);
SELECT * FROM s WINDOW time(1 hour 30 minutes 500 milliseconds);
SELECT * FROM s WINDOW timeBatch(1 week);
SELECT * FROM s WINDOW sort(3, price, 'asc');
SELECT * FROM s WINDOW batch();
SELECT * FROM s WINDOW delay(1.5 sec);
SELECT * FROM s WINDOW expression('count() <= 20');
SELECT * FROM s WINDOW expressionBatch('count() <= 20');
SELECT * FROM s WINDOW lossyFrequent(0.1, 0.01);
SELECT * FROM s WINDOW unique:time(k, 1 sec);
SELECT * FROM s WINDOW Unique:FirstLengthBatch(k, 10);
SELECT * FROM s WINDOW unique:ever(k);
$$);

-- SQL's INTERVAL 'n' UNIT (and the plural), folded to milliseconds
SELECT siddhi.parse($$
SELECT * FROM s WINDOW TUMBLING(INTERVAL '5' MINUTE);
SELECT * FROM s WINDOW TUMBLING(INTERVAL '2' Hours);
SELECT * FROM s WINDOW SLIDING(interval '1.5' second);
$$);

-- all of PostgreSQL's expressions, durations inside them
SELECT siddhi.parse($$
SELECT CASE WHEN price > 10 THEN 'high' ELSE 'low' END AS band,
       CAST(volume AS numeric(10, 2)) AS v, price::int AS p,
       symbol IN ('A', 'B') AS ab, price BETWEEN 1 AND 2 AS b,
       symbol LIKE 'I%' AS i, coalesce(note, 'none') AS note,
       upper(symbol) AS s, ts + 5 minutes AS later,
       a IS DISTINCT FROM b AS d
FROM s
WHERE ts > -(1.5 hours) AND price IS NOT NULL;
$$);

-- joins: windows, aliases in either order, UNIDIRECTIONAL, outer joins
SELECT siddhi.parse($$
@info(name = 'news')
INSERT INTO StockNews
SELECT s.symbol, s.price, n.headline
FROM StockStream WINDOW length(10) AS s UNIDIRECTIONAL
LEFT OUTER JOIN NewsStream AS n WINDOW time(1 minute)
    ON s.symbol = n.symbol
    AND n.timestamp BETWEEN s.timestamp - 5 minutes AND s.timestamp;
SELECT a.x, b.y FROM a[x > 0] WINDOW length(1) JOIN b WINDOW lengthBatch(10) ON a.id = b.id WHERE a.x < 5;
SELECT a.x, b.y FROM a, b UNIDIRECTIONAL WHERE a.id = b.id;
SELECT * FROM a RIGHT JOIN b ON a.k = b.k;
SELECT * FROM a FULL JOIN b ON a.k = b.k;
$$);

-- tables, keys, indexes, windows, WITH options, annotations
SELECT siddhi.parse($$
@app:name('Retail')
@app:playback
CREATE TABLE CustomerProfiles (
    customerId STRING PRIMARY KEY,
    name STRING,
    tier STRING,
    totalSpent DOUBLE
);
CREATE TABLE Orders (region text, id int8, amount numeric, PRIMARY KEY (region, id));
CREATE INDEX ON Orders (amount);
CREATE STREAM SensitiveData (
    userId STRING,
    ssn STRING,
    salary DOUBLE
) WITH (
    access.control = 'RBAC',
    allowed.roles = 'admin,data-analyst',
    basic.auth.enabled = true,
    retries = 3
);
@sink(type = 'log', prefix = 'out', @map(type = 'json'))
CREATE STREAM "MixedCase" (payload jsonb, at timestamptz, tags text[], n NUMERIC(10, 2), f FLOAT, r REAL, i INT, ok BOOLEAN);
CREATE WINDOW LastHourTrades (symbol text, price float8)
    TUMBLING(1 hour) WITH (queryable = true);
CREATE WINDOW Recent (symbol text) WINDOW length(10) OUTPUT ALL EVENTS;
CREATE WINDOW Gone (symbol text) unique:length(symbol, 5) OUTPUT EXPIRED EVENTS;
$$);

-- patterns and sequences
SELECT siddhi.parse($$SELECT userId
FROM PATTERN (
    failedLogin<3:5> -> successLogin
    WITHIN 10 minutes
);$$);
SELECT siddhi.parse($$SELECT * FROM SEQUENCE (a, b);$$);
SELECT siddhi.parse($$SELECT a.x, b[last].y FROM PATTERN (
    every (a=s1 -> b=s2<1:5>[b.k == a.k]) -> NOT s3[k = a.k] FOR 5 minutes
    WITHIN 1 hour);$$);
SELECT siddhi.parse($$SELECT a.x FROM SEQUENCE (every a=s1, b=s2+, c=s3?, d=s4*);$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (login AS a -> purchase<1:5> AS b[b.u = a.u]);$$);
SELECT siddhi.parse($$SELECT a.x FROM PATTERN (a=s1 -> b=s2<3:1>);$$);

-- errors: message, line, column and a caret
SELECT siddhi.parse($$CREATE STREAM s (a int, b text);
SELECT a FROM s WINDOW tumbler(5 minutes);$$);
SELECT siddhi.parse($$CREATE STREAM s (a int,
  b text;$$);
SELECT siddhi.parse($$SELECT a +
FROM s;$$);
SELECT siddhi.parse($$SELECT a FROM s WHERE b = 'x$$);
SELECT siddhi.parse($$CREATE STREAM s (a int PRIMARY KEY);$$);
SELECT siddhi.parse($$CREATE TABLE t (a int NOT NULL);$$);
SELECT siddhi.parse($$CREATE TABLE t (a int, PRIMARY KEY (b));$$);
SELECT siddhi.parse($$CREATE WINDOW LastHourTrades
    TUMBLING(1 hour)
WITH (queryable = true);$$);
SELECT siddhi.parse($$SELECT a FROM s WINDOW length(5) WINDOW time(1 sec);$$);
SELECT siddhi.parse($$SELECT a FROM s[a >];$$);
SELECT siddhi.parse($$SELECT a FROM s WINDOW HOPPING(5 minutes);$$);
SELECT siddhi.parse($$SELECT a FROM a JOIN b ON a.x = b.x WINDOW length(4);$$);
SELECT siddhi.parse($$SELECT a FROM a LEFT JOIN b ON a.x = b.x WHERE a.y > 1;$$);
SELECT siddhi.parse($$SELECT a FROM a JOIN b ON a.x = b.x JOIN c ON c.x = a.x;$$);
SELECT siddhi.parse($$SELECT DISTINCT userId, action
FROM UserActivityStream
WINDOW UNIQUE(userId);$$);
SELECT siddhi.parse($$CREATE INDEX ON nosuch (a);$$);
SELECT siddhi.parse($$SELECT a FROM s WINDOW unique:nope(a);$$);
SELECT siddhi.parse($$SELECT a FROM s WINDOW time(INTERVAL 'five minutes');$$);
SELECT siddhi.parse($$SELECT a FROM s WINDOW time(5 minutes;$$);
SELECT siddhi.parse($$SELECT 'é' AS x FROM s WINDOW cron('ééé') WHERE a = = 1;$$);
SELECT siddhi.parse($$SELECT * FROM lastHourPrices.find(symbol == 'AAPL');$$);
SELECT siddhi.parse($$SELECT a FROM s UNION SELECT a FROM t;$$);
SELECT siddhi.parse($$SELECT a FROM s WINDOW time(1 sec, a b);$$);
SELECT siddhi.parse($$SELECT *, a FROM s;$$);
SELECT siddhi.parse($$SELECT a FROM s WHERE a = interval '1' hour minutes;$$);
SELECT siddhi.parse($$WITH h AS (SELECT * FROM s) SELECT * FROM h;$$);
SELECT siddhi.parse($$CREATE AGGREGATION SalesAggregation WITH (by = 'ts', granularity = 'hour ... day') AS SELECT region, sum(amount) AS total FROM SalesStream WHERE amount > 0 GROUP BY region;$$);
SELECT siddhi.parse($$INSERT INTO Big (a, b) SELECT a, b FROM s;$$);
SELECT siddhi.parse($$SELECT a FROM public.s;$$);
SELECT siddhi.parse($$@app:name('a') @app:name('b') SELECT * FROM s;$$);
SELECT siddhi.parse($$@info(name = ) SELECT * FROM s;$$);
SELECT siddhi.parse($$CREATE STREAM s (a int) WITH (k 'v');$$);
SELECT siddhi.parse($$SELECT * FROM a UNIDIRECTIONAL JOIN b UNIDIRECTIONAL ON a.x = b.x;$$);

-- table operations: DELETE .. USING, UPDATE .. FROM, INSERT .. ON CONFLICT
-- and EXISTS / IN subqueries become the AST of SiddhiQL's delete, update,
-- update or insert into and `cond in T`
SELECT siddhi.parse($$
CREATE STREAM S (k INT, v TEXT);
CREATE TABLE T (k INT PRIMARY KEY, v TEXT);
DELETE FROM T AS t USING S AS s WHERE t.k = s.k;
UPDATE T SET v = s.v FROM S AS s WINDOW length(2) WHERE T.k = s.k;
INSERT INTO T SELECT k, v FROM S ON CONFLICT (k) DO UPDATE SET v = v || EXCLUDED.v;
INSERT INTO O SELECT k FROM S WHERE EXISTS (SELECT 1 FROM T AS x WHERE x.k = S.k) AND k NOT IN (SELECT k FROM T);
$$);
