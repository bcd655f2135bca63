-- The log and notify sinks: deploy-time checks (delivery is in
-- t/022_local_sinks.pl, which listens for the notifications)
\set VERBOSITY default

-- notify needs a channel
SELECT siddhi.deploy('sl1', $$
define stream S (sym string, px double);
@sink(type = 'notify') define stream N (sym string, px double);
from S select * insert into N;
$$);

-- a channel is a name: at most 63 bytes
SELECT siddhi.deploy('sl1', $$
define stream S (sym string, px double);
@sink(type = 'notify', channel = 'a_channel_name_that_is_much_longer_than_postgres_allows_for_names')
define stream N (sym string, px double);
from S select * insert into N;
$$);

-- an unknown priority, with the ones there are
SELECT siddhi.deploy('sl1', $$
define stream S (sym string, px double);
@sink(type = 'log', priority = 'LOUD') define stream L (sym string, px double);
from S select * insert into L;
$$);

-- log and notify carry text: passThrough is refused when written
SELECT siddhi.deploy('sl1', $$
define stream S (sym string, px double);
@sink(type = 'log', @map(type = 'passThrough')) define stream L (sym string, px double);
from S select * insert into L;
$$);

-- unknown option
SELECT siddhi.deploy('sl1', $$
define stream S (sym string, px double);
@sink(type = 'log', topic = 'x') define stream L (sym string, px double);
from S select * insert into L;
$$);

-- neither needs siddhi_connector: an ordinary role deploys them
CREATE ROLE sl_user LOGIN;
GRANT USAGE ON SCHEMA siddhi TO sl_user;
GRANT CREATE ON SCHEMA public TO sl_user;
SET ROLE sl_user;
SELECT siddhi.deploy('sl2', $$
define stream S (sym string, px double);
@sink(type = 'log', priority = 'warn', prefix = 'alert')
define stream L (sym string, px double);
@sink(type = 'notify', channel = 'alerts', @map(type = 'text', @payload('{{sym}} {{px}}')))
define stream N (sym string, px double);
from S select * insert into L;
from S select * insert into N;
$$);
SELECT siddhi.flush();
SELECT app, stream, sink, type FROM siddhi.sinks WHERE app = 'sl2' ORDER BY sink;
SELECT siddhi.undeploy('sl2');
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM sl_user;
REVOKE USAGE ON SCHEMA siddhi FROM sl_user;
DROP ROLE sl_user;

-- The http sink's deploy-time checks (delivery: t/023_http_sink.pl)
SELECT siddhi.deploy('sl3', $$
define stream S (a int);
@sink(type = 'http', publisher.url = 'ftp://example.org/x') define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl3', $$
define stream S (a int);
@sink(type = 'http', publisher.url = 'http://example.org/x', method = 'FETCH') define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl3', $$
define stream S (a int);
@sink(type = 'http', publisher.url = 'http://example.org/x', max.connections = '0') define stream O (a int);
from S select a insert into O;
$$);
-- a password is a secret: only ${NAME} may stand for it
SELECT siddhi.deploy('sl3', $$
define stream S (a int);
@sink(type = 'http', publisher.url = 'http://example.org/x',
      basic.auth.username = 'u', basic.auth.password = 'hunter2') define stream O (a int);
from S select a insert into O;
$$);
-- the allow-list is checked when it is set
ALTER SYSTEM SET siddhi.http_allowed_hosts = '*, 10.0.0.0/33';
ALTER SYSTEM SET siddhi.http_allowed_hosts = 'example.org';
SHOW siddhi.http_allowed_hosts;

-- The redis sink's deploy-time checks (delivery: t/024_redis_sink.pl)
SELECT siddhi.deploy('sl4', $$
define stream S (a int);
@sink(type = 'redis', mode = 'zadd', key = 'k') define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl4', $$
define stream S (a int);
@sink(type = 'redis', mode = 'set') define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl4', $$
define stream S (a int);
@sink(type = 'redis') define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl4', $$
define stream S (a int);
@sink(type = 'redis', mode = 'set', key = 'k:{{b}}') define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl4', $$
define stream S (a int);
@sink(type = 'redis', channel = 'c', port = '70000') define stream O (a int);
from S select a insert into O;
$$);

-- The file sink's deploy-time checks (writing: t/025_file_sink.pl)
-- siddhi.file_directory is not set here: file connectors are off
SELECT siddhi.deploy('sl5', $$
define stream S (a int);
@sink(type = 'file', file.uri = 'file:///tmp/out.csv', @map(type = 'csv')) define stream O (a int);
from S select a insert into O;
$$);
SELECT siddhi.deploy('sl5', $$
define stream S (a int);
@sink(type = 'file', file.uri = 'out.csv', append = 'false') define stream O (a int);
from S select a insert into O;
$$);
-- writing server files takes pg_write_server_files, as COPY TO a file does
CREATE ROLE sl_file LOGIN;
GRANT USAGE ON SCHEMA siddhi TO sl_file;
GRANT CREATE ON SCHEMA public TO sl_file;
SET ROLE sl_file;
SELECT siddhi.deploy('sl5', $$
define stream S (a int);
@sink(type = 'file', file.uri = 'out.csv') define stream O (a int);
from S select a insert into O;
$$);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM sl_file;
REVOKE USAGE ON SCHEMA siddhi FROM sl_file;
DROP ROLE sl_file;
