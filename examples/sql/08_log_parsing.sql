-- Parse access-log lines as they arrive, keep the server errors.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('logs', $$
  CREATE STREAM AccessLog (line TEXT);
  CREATE TABLE ServerErrors (path TEXT, status INT, millis INT);
  INSERT INTO ServerErrors
  SELECT split_part(line, ' ', 2) AS path,
         split_part(line, ' ', 3)::int AS status,
         (regexp_match(line, 'took=(\d+)ms'))[1]::int AS millis
  FROM AccessLog
  WHERE split_part(line, ' ', 3) LIKE '5%';
$$);

COPY accesslog FROM STDIN;
GET /index.html 200 took=3ms
POST /api/orders 503 took=1200ms
GET /api/stock 500 took=45ms
GET /favicon.ico 404 took=1ms
\.
SELECT siddhi.flush();
SELECT * FROM servererrors ORDER BY path;
