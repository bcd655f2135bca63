-- Events with a JSON payload: pick fields with PostgreSQL's operators.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('clicks', $$
  CREATE STREAM Clicks (user_id BIGINT, payload JSONB);
  CREATE TABLE Checkouts (user_id BIGINT, cart_total NUMERIC, items INT);
  INSERT INTO Checkouts
  SELECT user_id, (payload->>'total')::numeric AS cart_total,
         jsonb_array_length(payload->'items') AS items
  FROM Clicks
  WHERE payload->>'type' = 'checkout';
$$);

INSERT INTO clicks VALUES
  (7, '{"type": "view", "page": "/shoes"}'),
  (7, '{"type": "checkout", "total": 99.90, "items": ["shoe", "sock"]}'),
  (9, '{"type": "checkout", "total": 5, "items": ["pen"]}');
SELECT siddhi.flush();
SELECT * FROM checkouts ORDER BY user_id, cart_total;
