-- Issue 14's webhook: an http source takes orders as JSON POSTs, with
-- basic auth, and a query keeps the big ones in a table.  No roadmap block
-- has a webhook (the roadmap's HTTP source, block 2, polls a server:
-- example 30 deploys it as written).  What was adapted, and why:
--  * receiver.url's port 8280 (issue 14's text) becomes a free port of
--    the test machine (:'hport', from SIDDHI_HTTP_PORT, which
--    test/examples.sh picks), so that runs side by side do not collide;
--  * the client is curl, run from psql with \!: each request prints its
--    answer and status.  A 200 means the events are committed: the rows
--    are in the table when the SELECT after it runs.
-- The polling source (url = .., interval = ..) needs a server to poll and
-- is exercised by t/029_http_poll.pl; the webhook's failure modes (413,
-- 503, restarts) by t/028_http_source.pl.
CREATE EXTENSION IF NOT EXISTS siddhi;
\getenv hport SIDDHI_HTTP_PORT
CREATE SCHEMA hook34;
SET search_path = hook34;
-- the password lives in siddhi.secrets, never in the app's text
INSERT INTO siddhi.secrets VALUES ('SHOP_HOOK_PW', 's3cret');

SELECT siddhi.deploy('orders_hook', format($app$
  @OnError(action = 'STORE')
  @source(type = 'http', receiver.url = 'http://127.0.0.1:%1$s/orders',
          basic.auth.enabled = 'true', basic.auth.username = 'shop',
          basic.auth.password = '${SHOP_HOOK_PW}', @map(type = 'json'))
  define stream Orders (id long, customer string, amount double);
  define table BigOrders (id long, customer string, amount double);
  from Orders[amount >= 100]
  select id, customer, amount
  insert into BigOrders;
$app$, :'hport'));

-- the first order (curl tries again until the listener has opened the port)
\! for i in $(seq 1 200); do c=$(curl -s -o /dev/null -w '%{http_code}' -u shop:s3cret -d '{"event":{"id":1,"customer":"ann","amount":250.0}}' http://127.0.0.1:$SIDDHI_HTTP_PORT/orders); [ "$c" = 200 ] && break; sleep 0.1; done; echo "first order: $c"
-- a JSON array is many events
\! curl -s -w ' %{http_code}\n' -u shop:s3cret -d '[{"event":{"id":2,"customer":"bob","amount":40.0}},{"event":{"id":3,"customer":"cy","amount":120.5}}]' http://127.0.0.1:$SIDDHI_HTTP_PORT/orders
SELECT id, customer, amount FROM bigorders ORDER BY id;

-- a body that does not map: 400 with the error, and @OnError stores it
\! curl -s -w ' %{http_code}\n' -u shop:s3cret -d '{"event":{"id":"four","customer":"dee","amount":10}}' http://127.0.0.1:$SIDDHI_HTTP_PORT/orders
SELECT stream, source, error FROM siddhi.errors WHERE app = 'orders_hook';
-- wrong credentials: 401, nothing reaches the stream
\! curl -s -w ' %{http_code}\n' -u shop:guess -d '{"event":{"id":5,"customer":"eve","amount":500}}' http://127.0.0.1:$SIDDHI_HTTP_PORT/orders
-- a path no source listens at: 404
\! curl -s -w ' %{http_code}\n' -u shop:s3cret -d '{}' http://127.0.0.1:$SIDDHI_HTTP_PORT/refunds

SELECT source, type, state, connected, records_in, events_out, errors
  FROM siddhi.sources WHERE app = 'orders_hook';

SELECT siddhi.undeploy('orders_hook', true);
DELETE FROM siddhi.secrets WHERE name = 'SHOP_HOOK_PW';
DELETE FROM siddhi.errors WHERE app = 'orders_hook';
