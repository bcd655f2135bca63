-- Big trades, in SiddhiQL: keep the trades worth watching in a table.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('trading', $$
  define stream StockStream (symbol string, price float, volume long);
  define table BigTrades (symbol string, price float, volume long);
  @info(name = 'big') from StockStream[volume > 1000 and price > 10.0]
  select symbol, price, volume insert into BigTrades;
$$);

INSERT INTO stockstream VALUES ('IBM', 75.5, 5000), ('WSO2', 5.0, 9000),
  ('ORCL', 32.25, 800), ('MSFT', 310.0, 1200);
SELECT siddhi.flush();
SELECT * FROM bigtrades ORDER BY symbol;
SELECT query, events_in, events_out FROM siddhi.queries WHERE app = 'trading';
