-- Sources (src/connectors/source.c): the in-memory broker, positions,
-- secrets, the siddhi_connector rule, siddhi.sources.

-- an inMemory chain: Raw -> query -> Prices (sink) -> topic 'prices' ->
-- two sources of the same app (each gets every event) -> tables
SELECT siddhi.deploy('im_chain', $$
  define stream Raw (sym string, price double);
  @sink(type = 'inMemory', topic = 'prices')
  define stream Prices (sym string, price double);
  @source(type = 'inMemory', topic = 'prices')
  define stream PricesIn (sym string, price double);
  @source(type = 'inMemory', topic = 'prices')
  define stream PricesTwice (sym string, price double);
  define table Got (sym string, price double);
  define table GotTwice (sym string, price double);
  from Raw[price > 0] select sym, price insert into Prices;
  from PricesIn select sym, price insert into Got;
  from PricesTwice select sym, price * 2 as price insert into GotTwice;
$$);
SELECT wait_app('im_chain');
INSERT INTO raw VALUES ('a', 1), ('b', -1), ('c', 3);
SELECT wait_for('SELECT count(*) FROM got', 2);
SELECT wait_for('SELECT count(*) FROM gottwice', 2);
SELECT * FROM got ORDER BY sym;
SELECT * FROM gottwice ORDER BY sym;

-- another app of the database subscribes to the same topic
SELECT siddhi.deploy('im_other', $$
  @source(type = 'inMemory', topic = 'prices')
  define stream Elsewhere (sym string, price double);
  define table GotElsewhere (sym string, price double);
  from Elsewhere select sym, price insert into GotElsewhere;
$$);
SELECT wait_app('im_other');
INSERT INTO raw VALUES ('d', 4);
SELECT wait_for('SELECT count(*) FROM gotelsewhere', 1);
SELECT wait_for('SELECT count(*) FROM got', 3);
SELECT wait_for('SELECT count(*) FROM gottwice', 3);
SELECT * FROM gotelsewhere;
SELECT * FROM got ORDER BY sym;

-- each source's position (records consumed, for inMemory) commits with
-- the results: a count of what it fed
SELECT * FROM siddhi.source_positions ORDER BY app, source;
-- the catalog table itself is the engine's
SET ROLE pg_monitor;
SELECT count(*) FROM siddhi.source_offsets;
RESET ROLE;

-- siddhi.sources
SELECT app, stream, source, type, state, connected, records_in, events_out,
       errors, on_error, last_error
  FROM siddhi.sources ORDER BY app, source;

-- undeploying stops the sources; the positions stay
SELECT siddhi.undeploy('im_other', drop_tables => true);
-- (the engine stops them when it sees the undeploy)
SELECT wait_for($$SELECT (count(*) = 0)::int FROM siddhi.sources
                  WHERE app = 'im_other'$$, 1) AS stopped;
SELECT app, source, next FROM siddhi.source_offsets WHERE app = 'im_other';

-- Secrets: ${NAME} resolves from siddhi.secrets (superusers only)
INSERT INTO siddhi.secrets VALUES ('PRICE_TOPIC', 'prices');
SELECT siddhi.deploy('im_secret', $$
  @source(type = 'inMemory', topic = '${PRICE_TOPIC}')
  define stream Secretly (sym string, price double);
  define table GotSecretly (sym string, price double);
  from Secretly select sym, price insert into GotSecretly;
$$);
SELECT wait_app('im_secret');
INSERT INTO raw VALUES ('e', 5);
SELECT wait_for('SELECT count(*) FROM gotsecretly', 1);
SELECT * FROM gotsecretly;
-- the app's text keeps the reference, siddhi.sources shows no value
SELECT source LIKE '%${PRICE_TOPIC}%' AS reference_kept
  FROM siddhi.apps WHERE name = 'im_secret';
SELECT detail LIKE '%prices%' AS shows_value FROM siddhi.sources
 WHERE app = 'im_secret';
-- a missing secret fails the deploy, naming it, at the option
SELECT siddhi.deploy('im_nosecret', $$
  @source(type = 'inMemory', topic = '${NO_SUCH_SECRET}')
  define stream Nothing (sym string, price double);
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM siddhi.apps WHERE name = 'im_nosecret';
-- a sink's option too, after others that resolve
SELECT siddhi.deploy('im_nosecret', $$
  @sink(type = 'inMemory', topic = '${PRICE_TOPIC}-${NO_SUCH_SECRET}')
  define stream Nothing (sym string, price double);
$$);
\echo :LAST_ERROR_SQLSTATE
-- stored now, the deploy loads
INSERT INTO siddhi.secrets VALUES ('NO_SUCH_SECRET', 'elsewhere');
SELECT siddhi.deploy('im_nosecret', $$
  @source(type = 'inMemory', topic = '${NO_SUCH_SECRET}')
  define stream Nothing (sym string, price double);
$$);
SELECT wait_app('im_nosecret');
-- a secret deleted after the deploy fails the app's next load, naming it
DELETE FROM siddhi.secrets WHERE name = 'NO_SUCH_SECRET';
SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
 WHERE backend_type = 'siddhi engine' AND datname = current_database();
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'im_nosecret' AND state = 'failed'$$, 1);
SELECT state, error FROM siddhi.apps WHERE name = 'im_nosecret';
SELECT siddhi.undeploy('im_nosecret', drop_tables => true);
SELECT siddhi.undeploy('im_secret', drop_tables => true);

-- a source that fails to start fails alone: it shows the error and is
-- started again after a backoff; the app and its other source go on
INSERT INTO siddhi.secrets VALUES ('EMPTY_TOPIC', '');
SELECT siddhi.deploy('im_half', $$
  @source(type = 'inMemory', topic = '${EMPTY_TOPIC}')
  define stream Broken (sym string, price double);
  @source(type = 'inMemory', topic = 'prices')
  define stream Working (sym string, price double);
  define table GotWorking (sym string, price double);
  from Working select sym, price insert into GotWorking;
$$);
SELECT wait_app('im_half');
SELECT wait_for($$SELECT count(*) FROM siddhi.sources
                  WHERE app = 'im_half' AND state = 'failed'$$, 1);
INSERT INTO raw VALUES ('f', 6);
SELECT wait_for('SELECT count(*) FROM gotworking', 1);
SELECT * FROM gotworking;
SELECT source, state, connected, last_error FROM siddhi.sources
 WHERE app = 'im_half' ORDER BY source;
SELECT state FROM siddhi.apps WHERE name = 'im_half';
SELECT siddhi.undeploy('im_half', drop_tables => true);

-- the siddhi_connector rule; who sees siddhi.sources
CREATE ROLE siddhi_src_carol LOGIN;
CREATE ROLE siddhi_src_dave LOGIN;
CREATE SCHEMA carol AUTHORIZATION siddhi_src_carol;
SET ROLE siddhi_src_carol;
SET search_path = carol, public;
-- secrets are not for her
SELECT * FROM siddhi.secrets;
-- inMemory stays inside the database: anyone may deploy it
SELECT siddhi.deploy('carol_chain', $$
  @sink(type = 'inMemory', topic = 'carol')
  define stream CarolOut (n int);
  @source(type = 'inMemory', topic = 'carol')
  define stream CarolIn (n int);
  define table CarolGot (n int);
  from CarolIn select n insert into CarolGot;
$$);
SELECT wait_app('carol_chain');
INSERT INTO carolout VALUES (1), (2);
SELECT wait_for('SELECT count(*) FROM carolgot', 2);
-- kafka reaches the network: members of siddhi_connector only
SELECT siddhi.deploy('carol_kafka', $$
  @source(type = 'kafka', topic.list = 'orders', group.id = 'g',
          bootstrap.servers = '127.0.0.1:9', @map(type = 'json'))
  define stream CarolKafka (n int);
$$);
-- she sees her sources, only hers
SELECT app, source, records_in FROM siddhi.sources ORDER BY app, source;
SELECT app, source, next FROM siddhi.source_positions ORDER BY app, source;
RESET ROLE;
SET ROLE siddhi_src_dave;
SELECT count(*) FROM siddhi.sources WHERE app = 'carol_chain';
SELECT count(*) FROM siddhi.source_positions WHERE app = 'carol_chain';
RESET ROLE;
-- pg_monitor sees every source
GRANT pg_monitor TO siddhi_src_dave;
SET ROLE siddhi_src_dave;
SELECT count(*) FROM siddhi.sources WHERE app = 'carol_chain';
RESET ROLE;
-- granted siddhi_connector, she passes the rule
GRANT siddhi_connector TO siddhi_src_carol;
SET ROLE siddhi_src_carol;
SELECT siddhi.deploy('carol_kafka', $$
  @source(type = 'kafka', topic.list = 'orders', group.id = 'g',
          bootstrap.servers = '127.0.0.1:9', @map(type = 'json'))
  define stream CarolKafka (n int);
$$);
SELECT siddhi.undeploy('carol_kafka', drop_tables => true);
-- a secret is not hers to use: neither to read from a topic named by it
-- nor to send it anywhere (a sink's topic, a URL of her own server); the
-- deploy says so, and nothing is created
SELECT siddhi.deploy('carol_secret', $$
  @source(type = 'inMemory', topic = '${PRICE_TOPIC}')
  define stream CarolSecret (sym string, price double);
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('carol_leak', $$
  @sink(type = 'inMemory', topic = 'leak-${PRICE_TOPIC}')
  define stream CarolLeak (n int);
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM siddhi.apps WHERE name IN ('carol_secret', 'carol_leak');
SELECT count(*) FROM pg_class WHERE relname IN ('carolsecret', 'carolleak');
-- nor change whom it is for
UPDATE siddhi.secrets SET usable_by = 'siddhi_src_carol';
RESET ROLE;
-- a superuser makes it usable by a role she is a member of
CREATE ROLE siddhi_src_feeds;
UPDATE siddhi.secrets SET usable_by = 'siddhi_src_feeds'
 WHERE name = 'PRICE_TOPIC';
GRANT siddhi_src_feeds TO siddhi_src_carol;
SET ROLE siddhi_src_carol;
SELECT siddhi.deploy('carol_secret', $$
  @source(type = 'inMemory', topic = '${PRICE_TOPIC}')
  define stream CarolSecret (sym string, price double);
  define table CarolPrices (sym string, price double);
  from CarolSecret select sym, price insert into CarolPrices;
$$, replace => true);
SELECT wait_app('carol_secret');
SELECT state FROM siddhi.apps WHERE name = 'carol_secret';
RESET ROLE;
INSERT INTO raw VALUES ('g', 7);
SET ROLE siddhi_src_carol;
SELECT wait_for('SELECT count(*) FROM carolprices', 1);
SELECT * FROM carolprices;
RESET ROLE;
-- taken away after the deploy: the app's next load fails, naming it
REVOKE siddhi_src_feeds FROM siddhi_src_carol;
SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
 WHERE backend_type = 'siddhi engine' AND datname = current_database();
SELECT wait_for($$SELECT count(*) FROM siddhi.apps
                  WHERE name = 'carol_secret' AND state = 'failed'$$, 1);
SELECT state, error FROM siddhi.apps WHERE name = 'carol_secret';
SET ROLE siddhi_src_carol;
SELECT siddhi.undeploy('carol_secret', drop_tables => true);
RESET ROLE;
-- what an undeployed app left (stored records, positions) is not for the
-- next role to take its name: they go at her deploy
SELECT count(*) FROM siddhi.deploy('left_feed', $$
  @OnError(action = 'STORE')
  @source(type = 'inMemory', topic = 'left_private', @map(type = 'json'))
  define stream LeftIn (card string, amount double);
$$);
SELECT count(*) FROM siddhi.deploy('left_pub', $$
  define stream LeftRaw (s string);
  @sink(type = 'inMemory', topic = 'left_private',
        @map(type = 'text', @payload('{{s}}')))
  define stream LeftOut (s string);
  from LeftRaw select s insert into LeftOut;
$$);
SELECT wait_app('left_feed'), wait_app('left_pub');
INSERT INTO leftraw VALUES ('{"card": "4111", "amount": "oops"}'),
                           ('{"card": "4222", "amount": 1.5}');
SELECT wait_for($$SELECT count(*) FROM siddhi.errors
                  WHERE app = 'left_feed'$$, 1);
SELECT wait_for($$SELECT count(*) FROM siddhi.source_offsets
                  WHERE app = 'left_feed'$$, 1);
SELECT siddhi.undeploy('left_feed', drop_tables => true);
SET ROLE siddhi_src_carol;
SELECT count(*) FROM siddhi.deploy('left_feed', $$
  define stream LeftMine (x int);
$$);
SELECT count(*) AS records_she_sees FROM siddhi.errors;
RESET ROLE;
SELECT count(*) AS records_left FROM siddhi.errors WHERE app = 'left_feed';
SELECT count(*) AS positions_left FROM siddhi.source_offsets
 WHERE app = 'left_feed';
SELECT siddhi.undeploy('left_pub', drop_tables => true);
SET ROLE siddhi_src_carol;
SELECT siddhi.undeploy('left_feed', drop_tables => true);
SELECT siddhi.undeploy('carol_chain', drop_tables => true);
RESET ROLE;
DROP ROLE siddhi_src_feeds;
DROP SCHEMA carol;
DROP ROLE siddhi_src_carol;
DROP ROLE siddhi_src_dave;

SELECT siddhi.undeploy('im_chain', drop_tables => true);
SELECT wait_for('SELECT (count(*) = 0)::int FROM siddhi.sources', 1) AS none_left;
-- a connector's error texts never show a secret's value, nor a part of it
-- (a URL the allowed hosts refuse, a header that does not parse)
INSERT INTO siddhi.secrets VALUES ('HOOK_TOKEN', 'T000/B000/XXXXsecretXXXX'),
                                  ('HOOK_KEY', 'ab''cd-s3cr3t-key');
SELECT count(*) FROM siddhi.deploy('hook_leak', $$
  define stream HlIn (id long);
  @sink(type = 'http', publisher.url = 'http://127.0.0.1:9/services/${HOOK_TOKEN}',
        @map(type = 'json'))
  define stream HlOut (id long);
  @sink(type = 'http', publisher.url = 'http://192.0.2.1:9/x',
        headers = "'X-Api-Key:${HOOK_KEY}'", @map(type = 'json'))
  define stream HlOut2 (id long);
  from HlIn select id insert into HlOut;
  from HlIn select id insert into HlOut2;
$$);
SELECT wait_app('hook_leak');
INSERT INTO hlin VALUES (1);
SELECT wait_for($$SELECT count(*) FROM siddhi.sinks
                  WHERE app = 'hook_leak' AND last_error IS NOT NULL$$, 2);
SELECT sink, last_error LIKE '%secret%' AS shows_secret,
       last_error LIKE '%${HOOK_%' AS names_it
  FROM siddhi.sinks WHERE app = 'hook_leak' ORDER BY sink;
SELECT siddhi.undeploy('hook_leak', drop_tables => true);
DELETE FROM siddhi.secrets;

-- passThrough bytes are an event as it lies in memory: a passThrough
-- source reads only what passThrough sinks published, never bytes another
-- mapper made (an avro sink's fixed field let anyone forge a jsonb value
-- whose output crashed the engine), and such a record is not replayed
SELECT count(*) FROM siddhi.deploy('pt_sub', $$
  @source(type='inMemory', topic='pt_topic')
  @OnError(action='STORE')
  define stream PtIn (o object);
  from PtIn select o insert into PtOut;
$$);
SELECT count(*) FROM siddhi.deploy('pt_forge', $$
  CREATE SINK PtForge (b BYTEA) WITH (type='inMemory', topic='pt_topic')
    MAP (type='avro', schema.def='{"type":"record","name":"r","fields":[{"name":"b","type":{"type":"fixed","name":"f","size":45}}]}');
$$);
SELECT count(*) FROM siddhi.deploy('pt_pub', $$
  @sink(type='inMemory', topic='pt_topic')
  define stream PtGood (o object);
$$);
SELECT siddhi.subscribe('ptout');
INSERT INTO ptforge VALUES ('\x988f58a62900000000000000000001000200180033ffffff2f010000800b000010610000002000000000800100');
INSERT INTO ptgood VALUES ('{"fine": 1}');
SELECT wait_for('SELECT count(*)::int FROM siddhi.errors WHERE app = ''pt_sub''', 1);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('ptout', 10, 5000);
SELECT stream, error FROM siddhi.errors WHERE app = 'pt_sub';
SELECT siddhi.replay_errors('pt_sub');
SELECT wait_for('SELECT count(*)::int FROM siddhi.errors WHERE app = ''pt_sub'' AND error LIKE ''%cannot be replayed%''', 1);
SELECT siddhi.undeploy(a, drop_tables => true) FROM unnest(ARRAY['pt_pub', 'pt_forge', 'pt_sub']) a;
DELETE FROM siddhi.errors WHERE app = 'pt_sub';
