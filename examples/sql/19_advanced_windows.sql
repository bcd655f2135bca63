-- Roadmap block 4 (advanced windows, "Example Usage"): FREQUENT, CRON and
-- UNIQUE with DISTINCT, in one app, as the roadmap writes them.  Adapted:
-- the stream definitions and @app:playback are added (the clock follows
-- the events, so that midnight comes when the test says); SalesStream's
-- `timestamp` is a TIMESTAMP column, so that DATE(timestamp) is
-- PostgreSQL's date() of it, as written.  The roadmap's fourth query,
-- `FROM lastHourPrices.find(symbol == 'AAPL')`, is left out: another
-- example covers it (it is not SQL; its plain-SQL form reads the window's
-- table).  Without INSERT INTO, the rows of the n-th query go to the
-- stream advanced_windows_query<n>.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('advanced_windows', $$
  @app:playback
  CREATE STREAM TransactionStream (itemset STRING, frequency INT);
  CREATE STREAM SalesStream (timestamp TIMESTAMP, revenue DOUBLE);
  CREATE STREAM UserActivityStream (userId STRING, action STRING);

  -- Frequent pattern mining
  SELECT itemset, frequency
  FROM TransactionStream
  WINDOW FREQUENT(100)  -- Track top 100 frequent patterns
  GROUP BY itemset;

  -- Cron-based window for daily reports
  SELECT
      DATE(timestamp) as day,
      SUM(revenue) as daily_revenue
  FROM SalesStream
  WINDOW CRON('0 0 * * *')  -- Trigger at midnight
  GROUP BY DATE(timestamp);

  -- Unique deduplication
  SELECT DISTINCT userId, action
  FROM UserActivityStream
  WINDOW UNIQUE(userId)  -- Keep only unique users
  ;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('advanced_windows_query' || n) FROM generate_series(1, 3) n;

-- FREQUENT(100) keeps the 100 most frequent itemsets (all of these); a
-- GROUP BY without an aggregate outputs each arrival's row, as Siddhi does
SET siddhi.event_time = 1704196800000;
INSERT INTO transactionstream VALUES ('bread,milk', 3);
SET siddhi.event_time = 1704196801000;
INSERT INTO transactionstream VALUES ('beer,chips', 1);
SET siddhi.event_time = 1704196802000;
INSERT INTO transactionstream VALUES ('bread,milk', 4);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('advanced_windows_query1', 100, 0) ORDER BY seq;

-- sales on 2 January (12:00 to 14:00 UTC) and on 3 January; the window
-- sends a day's sales at the next midnight (server time), one row per day
SET siddhi.event_time = 1704196803000;
INSERT INTO salesstream VALUES ('2024-01-02 12:00', 100.0);
SET siddhi.event_time = 1704200400000;
INSERT INTO salesstream VALUES ('2024-01-02 13:00', 250.5);
SET siddhi.event_time = 1704204000000;
INSERT INTO salesstream VALUES ('2024-01-02 14:00', 49.5);
SET siddhi.event_time = 1704283200000;
INSERT INTO salesstream VALUES ('2024-01-03 12:00', 80.0);
RESET siddhi.event_time;
SELECT siddhi.advance_clock(1704369600000);  -- 2024-01-04 12:00 UTC
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('advanced_windows_query2', 100, 0) ORDER BY seq;

-- UNIQUE(userId) holds each user's latest event; DISTINCT sends a
-- (userId, action) row when no equal row is in the window: when a user's
-- action changes
SET siddhi.event_time = 1704369601000;
INSERT INTO useractivitystream VALUES ('u1', 'login');
SET siddhi.event_time = 1704369602000;
INSERT INTO useractivitystream VALUES ('u2', 'login');
SET siddhi.event_time = 1704369603000;
INSERT INTO useractivitystream VALUES ('u1', 'login');
SET siddhi.event_time = 1704369604000;
INSERT INTO useractivitystream VALUES ('u1', 'purchase');
SET siddhi.event_time = 1704369605000;
INSERT INTO useractivitystream VALUES ('u2', 'login');
SET siddhi.event_time = 1704369606000;
INSERT INTO useractivitystream VALUES ('u1', 'login');
RESET siddhi.event_time;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('advanced_windows_query3', 100, 0) ORDER BY seq;

SELECT siddhi.unsubscribe('advanced_windows_query' || n) FROM generate_series(1, 3) n;
SELECT siddhi.undeploy('advanced_windows');
