-- Sinks (docs/connectors.md, "Sinks"): the outbox each sink but inMemory
-- writes in the batch's transaction, its bound and on.error, siddhi.sinks,
-- and who may do what.  The broker here is unreachable (127.0.0.1:1): the
-- events wait in the outbox, which is what this file looks at; delivery to
-- a real broker is t/019_kafka_sink.pl.
CREATE ROLE siddhi_sk_owner LOGIN;
CREATE ROLE siddhi_sk_plain LOGIN;
CREATE ROLE siddhi_sk_other LOGIN;
GRANT siddhi_connector TO siddhi_sk_owner;
CREATE SCHEMA sk AUTHORIZATION siddhi_sk_owner;
GRANT USAGE, CREATE ON SCHEMA sk TO siddhi_sk_plain;
SET ROLE siddhi_sk_owner;
SET search_path = sk, public;
\set VERBOSITY default

-- refused at deploy, at their positions
SELECT siddhi.deploy('sk_bad', $$define stream SkS (sym string);
@sink(type = 'kafka', topic = 't', bootstrap.servers = '127.0.0.1:1',
      on.error = 'RETRY', @map(type = 'json'))
define stream SkO (sym string);
from SkS select sym insert into SkO;$$);
SELECT siddhi.deploy('sk_bad', $$define stream SkS (sym string);
@sink(type = 'kafka', topic = 't', bootstrap.servers = '127.0.0.1:1',
      on.error = 'STREAM', @map(type = 'json'))
define stream SkO (sym string);
from SkS select sym insert into SkO;$$);
SELECT siddhi.deploy('sk_bad', $$define stream SkS (sym string);
@sink(type = 'kafka', topic = 't', bootstrap.servers = '127.0.0.1:1',
      key = '{{symbol}}', @map(type = 'json'))
define stream SkO (sym string);
from SkS select sym insert into SkO;$$);
SELECT siddhi.deploy('sk_bad', $$define stream SkS (sym string);
@sink(type = 'kafka', topic = 't', bootstrap.servers = '127.0.0.1:1',
      outbox.max.events = '0', @map(type = 'json'))
define stream SkO (sym string);
from SkS select sym insert into SkO;$$);
SELECT siddhi.deploy('sk_bad', $$define stream SkS (sym string);
@sink(type = 'kafka', topic = 't', bootstrap.servers = '127.0.0.1:1',
      partition.no = 'first', @map(type = 'json'))
define stream SkO (sym string);
from SkS select sym insert into SkO;$$);
\set VERBOSITY terse

-- a kafka sink whose broker is down: the events wait in its outbox, with
-- their key (key template), partition and dynamic topic; bound 5, LOG
SELECT siddhi.deploy('sk_app', $$
  define stream SkTrades (sym string, px double);
  @sink(type = 'kafka', topic = 'alerts-{{sym}}',
        bootstrap.servers = '127.0.0.1:1', key = 'k-{{sym}}',
        partition.no = '3', outbox.max.events = '5',
        @map(type = 'json'))
  define stream SkAlerts (sym string, px double);
  from SkTrades[px > 10] select sym, px insert into SkAlerts;
$$);
RESET ROLE;
-- deploy made the outbox (the app's and sink's names), owned by no user
SELECT app, sink, relname FROM siddhi.outbox ORDER BY app, sink;
SELECT c.relname, pg_get_userbyid(c.relowner) = current_user AS by_superuser,
       c.relacl IS NULL AS no_grants
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'siddhi_outbox' AND c.relkind = 'r' ORDER BY 1;
SET ROLE siddhi_sk_owner;
SET search_path = sk, public;
SELECT * FROM wait_for($$SELECT count(*) FROM siddhi.sinks
                         WHERE app = 'sk_app' AND state <> 'starting'$$, 1);
INSERT INTO sktrades VALUES ('a', 11), ('b', 5), ('c', 12), (NULL, 13);
INSERT INTO sktrades VALUES ('d', 14), ('e', 15), ('f', 16), ('g', 17);
SELECT siddhi.flush();
-- the owner sees its sink: 5 queued (the bound), 2 dropped by on.error LOG
SELECT app, stream, sink, type, queued, sent, dropped FROM siddhi.sinks;
-- the client's error shows (connection refused), and the state
SELECT * FROM wait_for($$SELECT count(*) FROM siddhi.sinks
                         WHERE last_error LIKE '%127.0.0.1:1%'
                           AND state = 'full'$$, 1);
-- ... but not the outbox itself
SELECT count(*) FROM siddhi_outbox."sk_app.skalerts.sink1";
SELECT * FROM siddhi.outbox;
RESET ROLE;
SELECT seq, convert_from(key, 'UTF8') AS key, convert_from(payload, 'UTF8') AS payload,
       partition, topic
  FROM siddhi_outbox."sk_app.skalerts.sink1" ORDER BY seq;
-- another role sees nothing of it
SET ROLE siddhi_sk_other;
SELECT count(*) FROM siddhi.sinks;
RESET ROLE;
-- pg_monitor sees it
GRANT pg_monitor TO siddhi_sk_other;
SET ROLE siddhi_sk_other;
SELECT app, sink, queued FROM siddhi.sinks;
RESET ROLE;
REVOKE pg_monitor FROM siddhi_sk_other;

-- expired events are not sent (Siddhi's sinks get current events): a
-- length(1) window emits 3 current and 2 expired events; 3 rows go out
SET ROLE siddhi_sk_owner;
SET search_path = sk, public;
SELECT siddhi.deploy('sk_expired', $$
  define stream SkE (id int);
  @sink(type = 'kafka', topic = 'e', bootstrap.servers = '127.0.0.1:1',
        @map(type = 'json'))
  define stream SkEOut (id int);
  from SkE#window.length(1) select id insert all events into SkEOut;
$$);
INSERT INTO ske VALUES (1), (2), (3);
SELECT siddhi.flush();
SELECT sink, queued FROM siddhi.sinks WHERE app = 'sk_expired';
SELECT siddhi.undeploy('sk_expired');
RESET ROLE;

-- on.error STREAM: the events beyond the bound go to the fault stream !S
-- with _error (watched here; queries reading !S come with @OnError)
SET ROLE siddhi_sk_owner;
SET search_path = sk, public;
SELECT siddhi.deploy('sk_fault', $$
  define stream SkOrders (id int);
  @OnError(action = 'STREAM')
  @sink(type = 'kafka', topic = 'orders', bootstrap.servers = '127.0.0.1:1',
        outbox.max.events = '2', on.error = 'STREAM', @map(type = 'json'))
  define stream SkOut (id int);
  from SkOrders select id insert into SkOut;
$$);
SELECT siddhi.subscribe('"!skout"');
INSERT INTO skorders SELECT g FROM generate_series(1, 4) g;
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('"!skout"', 100, 0) ORDER BY seq;
SELECT sink, queued, dropped FROM siddhi.sinks WHERE app = 'sk_fault';

-- on.error WAIT: beyond the bound the engine takes no new input until
-- deliveries free room (here: until the app goes); nothing is dropped
SELECT siddhi.deploy('sk_wait', $$
  define stream SkW (id int);
  @sink(type = 'kafka', topic = 'w', bootstrap.servers = '127.0.0.1:1',
        outbox.max.events = '2', on.error = 'WAIT', @map(type = 'json'))
  define stream SkWOut (id int);
  from SkW select id insert into SkWOut;
$$);
SELECT siddhi.deploy('sk_other', $$
  define stream SkP (id int);
  define table SkPT (id int);
  from SkP select id insert into SkPT;
$$);
-- (no siddhi.flush() here: its marker may wait in the ring behind the full
-- outbox, and flush() then reports false after its timeout)
INSERT INTO skw SELECT g FROM generate_series(1, 3) g;
SELECT * FROM wait_for($$SELECT count(*) FROM siddhi.sinks
                         WHERE app = 'sk_wait' AND state = 'full'
                           AND queued = 3$$, 1);
SELECT sink, state, queued, dropped FROM siddhi.sinks WHERE app = 'sk_wait';
-- the engine holds this event while the outbox is full
INSERT INTO skp VALUES (1);
SELECT pg_sleep(0.5);
SELECT count(*) FROM skpt;
-- the app goes (its outbox with it): the engine goes on, nothing was lost
SELECT siddhi.undeploy('sk_wait');
SELECT siddhi.flush();
SELECT count(*) FROM skpt;

-- undeploy drops the outboxes; a replace keeps those of the sinks it keeps
SELECT siddhi.deploy('sk_fault', $$
  define stream SkOrders (id int);
  @sink(type = 'kafka', topic = 'orders', bootstrap.servers = '127.0.0.1:1',
        @map(type = 'json'))
  define stream SkOut (id int);
  from SkOrders select id insert into SkOut;
$$, replace => true);
RESET ROLE;
SELECT app, sink, relname FROM siddhi.outbox ORDER BY app, sink;
SELECT count(*) FROM siddhi_outbox."sk_fault.skout.sink1";
SET ROLE siddhi_sk_owner;
SELECT siddhi.undeploy('sk_app');
SELECT siddhi.undeploy('sk_fault');
SELECT siddhi.undeploy('sk_other', drop_tables => true);
RESET ROLE;
SELECT count(*) FROM siddhi.outbox;
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'siddhi_outbox';

-- only members of siddhi_connector deploy kafka sinks
SET ROLE siddhi_sk_plain;
SET search_path = sk, public;
\set VERBOSITY default
SELECT siddhi.deploy('sk_plain', $$define stream SkS (a int);
@sink(type = 'kafka', topic = 't', bootstrap.servers = '127.0.0.1:1', @map(type = 'json'))
define stream SkO (a int);
from SkS select a insert into SkO;$$);
\set VERBOSITY terse
RESET ROLE;
RESET search_path;
DROP SCHEMA sk CASCADE;
DROP ROLE siddhi_sk_owner, siddhi_sk_plain, siddhi_sk_other;

-- a sink failing on an event (avro refuses a null attribute) loses that
-- event for that sink only: the engine goes on, with the other apps'
-- events of the same batch (it exited, read the batch again three times,
-- and dropped it whole)
SELECT count(*) FROM siddhi.deploy('sk_fail', $$
  @sink(type='inMemory', topic='sk_fail_topic', @map(type='avro'))
  define stream SkFail (a int);
$$);
SELECT count(*) FROM siddhi.deploy('sk_other', $$
  define stream SkOther (a int);
  define table SkOtherT (a int);
  from SkOther select a insert into SkOtherT;
$$);
CREATE TEMP TABLE sk_pid AS SELECT pid FROM siddhi.engine_stats();
BEGIN;
INSERT INTO skfail VALUES (NULL), (2);
INSERT INTO skother VALUES (1);
COMMIT;
SELECT siddhi.flush();
SELECT * FROM skothert;
SELECT (SELECT pid FROM siddhi.engine_stats()) = (SELECT pid FROM sk_pid) AS same_engine;
SELECT siddhi.undeploy(a, drop_tables => true) FROM unnest(ARRAY['sk_other', 'sk_fail']) a;
