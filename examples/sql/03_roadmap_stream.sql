-- The roadmap's first example: a stream declared with STRING, DOUBLE and
-- LONG, and a filter writing to a table.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('roadmap_stream', $$
  CREATE STREAM StockStream2 (
      symbol STRING,
      price DOUBLE,
      volume LONG
  );
  CREATE TABLE Expensive (symbol TEXT, price DOUBLE PRECISION);
  INSERT INTO Expensive SELECT symbol, price FROM StockStream2 WHERE price > 100;
$$);
\d stockstream2

INSERT INTO stockstream2 VALUES ('AAPL', 189.5, 100), ('F', 12.1, 5000), ('NVDA', 920, 10);
SELECT siddhi.flush();
SELECT * FROM expensive ORDER BY symbol;
