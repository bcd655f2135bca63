-- The Postgres CDC source (src/analyzer/analyze_cdc.c,
-- src/connectors/cdc_*.c): deploy checks with positions, a change flowing
-- through, and the table's columns held by the app.  (wal_level, kill -9
-- and restarts: t/026 and t/027.)

CREATE TABLE cdc_orders (id int PRIMARY KEY, item text, qty int,
                         price numeric(10,2), note varchar(20));

-- the table must exist
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'public.no_such_table')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);

-- and be an ordinary table
CREATE VIEW cdc_view AS SELECT * FROM cdc_orders;
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_view')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);

-- every attribute takes a column, before_<column>, op or commit_time
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_orders')
  define stream C (id int, colour string);
  define table T (id int);
  from C select id insert into T;
$$);

-- of the column's type (varchar into string is binary-coercible: fine)
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_orders')
  define stream C (id int, qty long);
  define table T (id int);
  from C select id insert into T;
$$);
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_orders')
  define stream C (id int, op int);
  define table T (id int);
  from C select id insert into T;
$$);

-- before_ attributes need REPLICA IDENTITY FULL
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_orders', operation = 'update')
  define stream C (id int, qty int, before_qty int);
  define table T (id int);
  from C select id insert into T;
$$);
-- unless only inserts are read
SELECT siddhi.deploy('cdc_ins', $$
  @source(type = 'cdc', table.name = 'cdc_orders', operation = 'insert')
  define stream C (id int, qty int, before_qty int);
  define table T (id int);
  from C select id insert into T;
$$);
SELECT siddhi.undeploy('cdc_ins', drop_tables => true);

-- options: the operation, the mapper
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_orders', operation = 'upsert')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table.name = 'cdc_orders', @map(type = 'json'))
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);
SELECT siddhi.deploy('cdc_bad', $$
  @source(type = 'cdc', table = 'cdc_orders')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);

-- the owner must be able to read the table
CREATE ROLE cdc_bob;
CREATE SCHEMA cdc_bobs AUTHORIZATION cdc_bob;
SET ROLE cdc_bob;
SET search_path = cdc_bobs, public;
SELECT siddhi.deploy('cdc_peek', $$
  @source(type = 'cdc', table.name = 'public.cdc_orders')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);
RESET ROLE;
RESET search_path;

-- reading is not enough: a cdc source holds a replication slot, so its
-- owner needs what PostgreSQL asks for one (REPLICATION), or siddhi_connector
GRANT SELECT ON cdc_orders TO cdc_bob;
SET ROLE cdc_bob;
SET search_path = cdc_bobs, public;
SELECT siddhi.deploy('cdc_peek', $$
  @source(type = 'cdc', table.name = 'public.cdc_orders')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);
RESET ROLE;
GRANT siddhi_connector TO cdc_bob;
SET ROLE cdc_bob;
BEGIN;
SELECT siddhi.deploy('cdc_peek', $$
  @source(type = 'cdc', table.name = 'public.cdc_orders')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);
ROLLBACK;
-- row-level security cannot apply to changes decoded from the WAL
RESET ROLE;
ALTER TABLE cdc_orders ENABLE ROW LEVEL SECURITY;
SET ROLE cdc_bob;
SELECT siddhi.deploy('cdc_peek', $$
  @source(type = 'cdc', table.name = 'public.cdc_orders')
  define stream C (id int);
  define table T (id int);
  from C select id insert into T;
$$);
RESET ROLE;
ALTER TABLE cdc_orders DISABLE ROW LEVEL SECURITY;
REVOKE siddhi_connector FROM cdc_bob;
REVOKE SELECT ON cdc_orders FROM cdc_bob;
RESET search_path;

-- a change flows: op, new and old columns, binary-coercible types
ALTER TABLE cdc_orders REPLICA IDENTITY FULL;
SELECT siddhi.deploy('cdc_app', $$
  @source(type = 'cdc', table.name = 'cdc_orders', operation = 'all',
          @map(type = 'keyvalue'))
  define stream OrderChanges (op string, id int, qty int, before_qty int,
                              note string);
  define table Changes (op string, id int, qty int, before_qty int,
                        note string);
  from OrderChanges select * insert into Changes;
$$);
SELECT wait_for($$SELECT count(*) FROM siddhi.sources
                  WHERE app = 'cdc_app' AND state = 'running'$$, 1);
INSERT INTO cdc_orders VALUES (1, 'tea', 2, 3.50, 'green');
UPDATE cdc_orders SET qty = 5 WHERE id = 1;
DELETE FROM cdc_orders WHERE id = 1;
SELECT wait_for('SELECT count(*) FROM changes', 3);
SELECT op, id, qty, before_qty, note FROM changes ORDER BY ctid;
SELECT part FROM siddhi.source_positions WHERE app = 'cdc_app' ORDER BY part;
SELECT count(*) FROM pg_replication_slots WHERE plugin = 'siddhi';

-- the SQL dialect: the roadmap's CREATE SOURCE .. type = 'postgresql'
SELECT siddhi.deploy('cdc_sql', $$
CREATE SOURCE SqlChanges (op TEXT, id INT, qty INT, note VARCHAR(20))
  WITH (type = 'postgresql', mode = 'CDC', table = 'cdc_orders',
        operations = 'insert');
CREATE TABLE SqlGot (op TEXT, id INT, qty INT, note VARCHAR(20));
INSERT INTO SqlGot SELECT op, id, qty, note FROM SqlChanges;
$$);
SELECT wait_for($$SELECT count(*) FROM siddhi.sources
                  WHERE app = 'cdc_sql' AND state = 'running'$$, 1);
INSERT INTO cdc_orders VALUES (2, 'cake', 1, 2.00, 'lemon');
SELECT wait_for('SELECT count(*) FROM sqlgot', 1);
SELECT * FROM sqlgot;
SELECT siddhi.undeploy('cdc_sql', drop_tables => true);
SELECT siddhi.deploy('cdc_bad', $$
CREATE SOURCE SqlChanges (id INT)
  WITH (type = 'postgresql', mode = 'polling', table = 'cdc_orders');
$$);

-- CREATE STREAM .. FROM TABLE: op, the table's columns, before_<column>
SELECT siddhi.deploy('cdc_from', $$
CREATE STREAM OrderFeed FROM TABLE cdc_orders
  WITH (operations = 'insert,update');
CREATE TABLE FeedGot (op TEXT, id INT, qty INT, before_qty INT,
                      price NUMERIC(10,2));
INSERT INTO FeedGot SELECT op, id, qty, before_qty, price FROM OrderFeed;
$$);
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'orderfeed'::regclass AND attnum > 0 ORDER BY attnum;
SELECT wait_for($$SELECT count(*) FROM siddhi.sources
                  WHERE app = 'cdc_from' AND state = 'running'$$, 1);
UPDATE cdc_orders SET qty = 3, price = 2.25 WHERE id = 2;
SELECT wait_for('SELECT count(*) FROM feedgot', 1);
SELECT * FROM feedgot;
SELECT siddhi.undeploy('cdc_from', drop_tables => true);
SELECT siddhi.deploy('cdc_bad', $$
CREATE STREAM OrderFeed FROM TABLE no_such_table;
$$);
SELECT siddhi.deploy('cdc_bad', $$
CREATE STREAM OrderFeed FROM TABLE cdc_orders WITH (connector = 'kafka');
$$);

-- the columns it reads are held, as a view's are
DROP VIEW cdc_view;
ALTER TABLE cdc_orders ALTER COLUMN qty TYPE bigint;
ALTER TABLE cdc_orders DROP COLUMN note;

-- REPLICA IDENTITY FULL taken off after the deploy: before_ values go
-- null, and siddhi.sources says why
ALTER TABLE cdc_orders REPLICA IDENTITY DEFAULT;
UPDATE cdc_orders SET qty = 4 WHERE id = 2;
SELECT wait_for('SELECT count(*) FROM changes', 6);
SELECT op, id, qty, before_qty FROM changes ORDER BY ctid DESC LIMIT 1;
SELECT state, last_error FROM siddhi.sources WHERE app = 'cdc_app';
SELECT siddhi.undeploy('cdc_app', drop_tables => true);
-- its slot goes with it
SELECT wait_for($$SELECT (count(*) = 0)::int FROM pg_replication_slots
                  WHERE plugin = 'siddhi'$$, 1);
DROP TABLE cdc_orders;
DROP SCHEMA cdc_bobs;
DROP ROLE cdc_bob;
