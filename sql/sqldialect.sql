-- The same data path in streaming SQL.
SELECT siddhi.deploy('trading_sql', $$
  CREATE STREAM Trades (symbol TEXT, price DOUBLE PRECISION, volume BIGINT);
  CREATE TABLE Big (symbol TEXT, price DOUBLE PRECISION, notional DOUBLE PRECISION);
  INSERT INTO Big SELECT symbol, price, price * volume AS notional FROM Trades WHERE volume > 1000;
$$);
SELECT wait_app('trading_sql');
SELECT dialect FROM siddhi.apps WHERE name = 'trading_sql';
COPY trades FROM STDIN (FORMAT csv);
IBM,75.5,5000
WSO2,5.0,9000
TINY,1.0,10
\.
SELECT wait_for('SELECT count(*) FROM big', 2);
SELECT * FROM big ORDER BY symbol;

-- any PostgreSQL expression and function, including user-defined ones
CREATE FUNCTION risk(price float8, volume int8) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN price * volume > 100000 THEN 'high' ELSE 'low' END $$;
SELECT siddhi.deploy('sql_functions', $$
  CREATE STREAM Orders (id INT, customer TEXT, price DOUBLE PRECISION, qty BIGINT, placed TIMESTAMPTZ);
  INSERT INTO Risky
  SELECT id, upper(customer) AS customer, risk(price, qty) AS risk,
         date_trunc('day', placed) AS day, price::numeric(10,2) AS price
  FROM Orders
  WHERE customer LIKE 'a%' AND qty BETWEEN 1 AND 1000000;
  CREATE TABLE RiskLog (id INT, customer TEXT, risk TEXT);
  INSERT INTO RiskLog SELECT id, customer, risk FROM Risky WHERE risk = 'high';
$$);
SELECT wait_app('sql_functions');
INSERT INTO orders VALUES (1, 'acme', 10.123, 100, '2026-01-02 03:04:05+00'),
  (2, 'alpha', 1000, 500, '2026-01-03 00:00:00+00'),
  (3, 'beta', 1000, 500, '2026-01-03 00:00:00+00');
SELECT wait_for('SELECT count(*) FROM risklog', 1);
SELECT * FROM risklog;
