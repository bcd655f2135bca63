-- Streaming SQL calls any PostgreSQL function, user-defined ones too.
CREATE EXTENSION IF NOT EXISTS siddhi;

CREATE FUNCTION card_risk(amount numeric, country text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
           WHEN amount > 5000 THEN 'block'
           WHEN amount > 1000 AND country <> 'NL' THEN 'review'
           ELSE 'ok'
         END
$$;

SELECT siddhi.deploy('fraud', $$
  CREATE STREAM Payments (card TEXT, amount NUMERIC(12,2), country TEXT, at TIMESTAMPTZ);
  CREATE TABLE Flagged (card TEXT, amount NUMERIC(12,2), verdict TEXT, hour TIMESTAMPTZ);
  INSERT INTO Flagged
  SELECT card, amount, card_risk(amount, country) AS verdict,
         date_trunc('hour', at) AS hour
  FROM Payments
  WHERE card_risk(amount, country) <> 'ok';
$$);

INSERT INTO payments VALUES
  ('4111-0001', 25.00, 'NL', '2026-03-01 10:15:00+00'),
  ('4111-0002', 1500.00, 'US', '2026-03-01 10:20:00+00'),
  ('4111-0003', 1500.00, 'NL', '2026-03-01 10:25:00+00'),
  ('4111-0004', 9000.00, 'NL', '2026-03-01 11:05:00+00');
SELECT siddhi.flush();
SELECT * FROM flagged ORDER BY card;
