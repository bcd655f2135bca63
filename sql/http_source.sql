-- The http source's options at deploy (src/analyzer/analyze_http.c): a
-- webhook (receiver.url) or a polling source (url), never both, each with
-- its own options; secrets only as ${NAME}.  Nothing here is started: the
-- refusals come before any app loads.
\set VERBOSITY default
-- neither receiver.url nor url
SELECT siddhi.deploy('h1', $$
@source(type = 'http', @map(type = 'json'))
define stream S (id long);
$$);
-- both
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/a', url = 'http://x/', @map(type = 'json'))
define stream S (id long);
$$);
-- receiver.url without a port, of another scheme, with a query
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1/orders', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'ftp://127.0.0.1:8443/orders', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders?x=1', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:70000/orders', @map(type = 'json'))
define stream S (id long);
$$);
-- basic auth without credentials; a password in clear; a bad boolean
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', basic.auth.enabled = 'true', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', basic.auth.enabled = 'true',
        basic.auth.username = 'ann', basic.auth.password = 'pw', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', basic.auth.enabled = 'yes', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', hmac.secret = 'k', @map(type = 'json'))
define stream S (id long);
$$);
-- a polling option on a webhook, a webhook option on a polling source
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', interval = '1000', @map(type = 'json'))
define stream S (id long);
$$);
SELECT siddhi.deploy('h1', $$
@source(type = 'http', url = 'http://127.0.0.1:8280/feed', basic.auth.enabled = 'true', @map(type = 'json'))
define stream S (id long);
$$);
-- an option neither takes
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', publisher.url = 'http://x/', @map(type = 'json'))
define stream S (id long);
$$);
-- the polling source: scheme, method, auth.type, interval, the token
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'ftp://h/feed') MAP (type = 'json');
$$);
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'http://h/feed', method = 'PUT') MAP (type = 'json');
$$);
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'http://h/feed', auth.type = 'oauth') MAP (type = 'json');
$$);
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'http://h/feed', auth.type = 'bearer') MAP (type = 'json');
$$);
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'http://h/feed', auth.type = 'bearer', auth.token = 'abc') MAP (type = 'json');
$$);
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'http://h/feed', interval = '5') MAP (type = 'json');
$$);
SELECT siddhi.deploy('h1', $$
CREATE SOURCE S (id BIGINT) WITH (type = 'http', url = 'http://h/feed', interval = 'soon') MAP (type = 'json');
$$);
-- an http source reaches the network: only for siddhi_connector members
CREATE ROLE siddhi_http_nobody LOGIN;
GRANT CREATE ON SCHEMA public TO siddhi_http_nobody;
SET ROLE siddhi_http_nobody;
SELECT siddhi.deploy('h1', $$
@source(type = 'http', receiver.url = 'http://127.0.0.1:8280/orders', @map(type = 'json'))
define stream S (id long);
$$);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM siddhi_http_nobody;
DROP ROLE siddhi_http_nobody;
-- the roadmap's spelling; its token's secret is checked at deploy (there
-- is none: the deploy fails, saying which), and again when the app loads
SELECT siddhi.deploy('h_ok', $$
CREATE SOURCE Feed (id BIGINT) WITH (type = 'http', url = 'http://127.0.0.1:1/feed',
  method = 'GET', interval = '60000', auth.type = 'bearer', auth.token = '${NO_SUCH_TOKEN}') MAP (type = 'json');
$$);
-- stored at the deploy, gone by the load (the engine hears of the app
-- when the transaction commits)
BEGIN;
INSERT INTO siddhi.secrets VALUES ('NO_SUCH_TOKEN', 'gone-before-the-load');
SELECT count(*) FROM siddhi.deploy('h_ok', $$
CREATE SOURCE Feed (id BIGINT) WITH (type = 'http', url = 'http://127.0.0.1:1/feed',
  method = 'GET', interval = '60000', auth.type = 'bearer', auth.token = '${NO_SUCH_TOKEN}') MAP (type = 'json');
$$);
DELETE FROM siddhi.secrets WHERE name = 'NO_SUCH_TOKEN';
COMMIT;
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN (SELECT state FROM siddhi.apps WHERE name = 'h_ok') <> 'starting';
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
SELECT name, state, error FROM siddhi.apps WHERE name = 'h_ok';
SELECT siddhi.undeploy('h_ok');
