-- siddhi 1.0.0: complex event processing and continuous queries
--
-- Everything lives in schema siddhi and every object is schema-qualified,
-- so a hostile search_path changes nothing here.  siddhi.deploy() creates
-- an app's streams and tables in the caller's current schema (the first
-- schema of search_path), like CREATE TABLE would.

\echo Use "CREATE EXTENSION siddhi" to load this file. \quit

-- Refuse to install unless the library was preloaded: without the
-- launcher and the shared memory nothing would ever process an event.
CREATE FUNCTION siddhi._check_preload()
RETURNS void
AS 'MODULE_PATHNAME', 'siddhi_check_preload'
LANGUAGE C STRICT;

SELECT siddhi._check_preload();

-- Catalog ---------------------------------------------------------------

-- One row per deployed app.  state and error are written by the engine
-- worker when it starts or fails an app.
CREATE TABLE siddhi.app (
    name        text PRIMARY KEY,
    owner       regrole NOT NULL,
    dialect     text NOT NULL CHECK (dialect IN ('siddhiql', 'sql')),
    source      text NOT NULL,
    state       text NOT NULL DEFAULT 'starting'
                CHECK (state IN ('starting', 'running', 'failed')),
    error       text,
    deployed_at timestamptz NOT NULL DEFAULT now(),
    -- the deployer's search_path: the engine analyses the app under it
    -- at every load, so its names resolve as they did at deploy
    search_path text
);

-- The relations an app created: its streams (foreign tables of the
-- siddhi_stream wrapper) and its tables (heap tables).  Names, not OIDs,
-- so that pg_dump and pg_restore bring an app back.
CREATE TABLE siddhi.app_relation (
    app         text NOT NULL REFERENCES siddhi.app (name) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('stream', 'table', 'window',
                                         'aggregation', 'aggregation view')),
    nspname     name NOT NULL,
    relname     name NOT NULL,
    created     boolean NOT NULL,   -- created by deploy (undeploy may drop)
    PRIMARY KEY (app, kind, nspname, relname)
);

SELECT pg_catalog.pg_extension_config_dump('siddhi.app', '');

-- Any change to the apps (deploy, undeploy, pg_restore, a manual edit)
-- tells the database's engine worker, when the transaction commits.
CREATE FUNCTION siddhi._apps_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'siddhi_apps_changed_trigger'
LANGUAGE C;

CREATE TRIGGER apps_changed
    AFTER INSERT OR UPDATE OR DELETE ON siddhi.app
    FOR EACH ROW EXECUTE FUNCTION siddhi._apps_changed();
SELECT pg_catalog.pg_extension_config_dump('siddhi.app_relation', '');

-- Named-window and aggregation tables are written by the engine only:
-- deploy gives each an internal statement trigger calling this function,
-- which refuses any other INSERT, UPDATE, DELETE or TRUNCATE
-- (src/catalog/readonly.c).
CREATE FUNCTION siddhi._engine_writes_only()
RETURNS trigger
AS 'MODULE_PATHNAME', 'siddhi_engine_writes_only'
LANGUAGE C;
REVOKE ALL ON FUNCTION siddhi._engine_writes_only() FROM PUBLIC;

-- pg_restore writes an app's relations after the app itself, each in a
-- transaction of its own: the worker must look again once they are in
-- (an app it tried to load in between failed for want of them).
CREATE TRIGGER relations_changed
    AFTER INSERT OR UPDATE OR DELETE ON siddhi.app_relation
    FOR EACH STATEMENT EXECUTE FUNCTION siddhi._apps_changed();

-- Streams: a foreign-data wrapper whose tables accept INSERT and COPY ----

CREATE FUNCTION siddhi.stream_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME', 'siddhi_stream_fdw_handler'
LANGUAGE C STRICT;

CREATE FUNCTION siddhi.stream_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME', 'siddhi_stream_fdw_validator'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER siddhi_stream
    HANDLER siddhi.stream_fdw_handler
    VALIDATOR siddhi.stream_fdw_validator;

CREATE SERVER siddhi_streams FOREIGN DATA WRAPPER siddhi_stream;
GRANT USAGE ON FOREIGN SERVER siddhi_streams TO PUBLIC;

-- Deploying apps ---------------------------------------------------------

-- An object of a deployed app, as siddhi.deploy() lists them: kind is
-- stream, table, window, trigger, aggregation (relation: its view),
-- source, sink or query (relation: what it writes).
CREATE TYPE siddhi.app_object AS (kind text, name text, relation regclass);

CREATE FUNCTION siddhi.deploy(name text, app text, replace boolean DEFAULT false,
                              keep_state boolean DEFAULT true)
RETURNS SETOF siddhi.app_object
AS 'MODULE_PATHNAME', 'siddhi_deploy'
LANGUAGE C;

CREATE FUNCTION siddhi.undeploy(name text, drop_tables boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'siddhi_undeploy'
LANGUAGE C STRICT;

-- The plan of each query of a deployed app (or the one named query) as
-- a tree of operators, PostgreSQL's EXPLAIN style: one line per row in
-- text, one row in json.  analyze adds the live counters (EXPLAIN ANALYZE;
-- ANALYZE is a reserved word: by name it is passed as "analyze" => true).
CREATE FUNCTION siddhi.explain(app text, query text DEFAULT NULL,
                               "analyze" boolean DEFAULT false,
                               format text DEFAULT 'text')
RETURNS TABLE ("QUERY PLAN" text)
AS 'MODULE_PATHNAME', 'siddhi_explain'
LANGUAGE C;

-- The same for an app's text, deploying nothing: its queries marked
-- EXPLAIN (streaming SQL), else all of them.
CREATE FUNCTION siddhi.explain_text(app text, query text DEFAULT NULL,
                                    format text DEFAULT 'text')
RETURNS TABLE ("QUERY PLAN" text)
AS 'MODULE_PATHNAME', 'siddhi_explain_text'
LANGUAGE C;

-- Parse an app and show its syntax tree (for tests and for debugging).
CREATE FUNCTION siddhi.parse(app text)
RETURNS text
AS 'MODULE_PATHNAME', 'siddhi_parse'
LANGUAGE C STRICT;

-- Wait until the engine has processed every event committed in this
-- database before the call; false if that took longer than timeout_ms.
CREATE FUNCTION siddhi.flush(timeout_ms int DEFAULT 10000)
RETURNS boolean
AS 'MODULE_PATHNAME', 'siddhi_flush'
LANGUAGE C STRICT;

-- Move the clock of this database's playback apps to ms (replaying
-- recorded events: time windows expire and flush what is due): of the
-- apps the caller may manage (members of the owner role), or of the one
-- named app, which the caller must be able to manage.
CREATE FUNCTION siddhi.advance_clock(ms bigint, app text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'siddhi_advance_clock'
LANGUAGE C;

-- Watching streams ---------------------------------------------------------

CREATE FUNCTION siddhi.subscribe(stream text)
RETURNS void
AS 'MODULE_PATHNAME', 'siddhi_subscribe'
LANGUAGE C STRICT;

CREATE FUNCTION siddhi.unsubscribe(stream text)
RETURNS void
AS 'MODULE_PATHNAME', 'siddhi_unsubscribe'
LANGUAGE C STRICT;

CREATE FUNCTION siddhi.poll(stream text, max_events int DEFAULT 100,
                            timeout_ms int DEFAULT 0)
RETURNS TABLE (seq bigint, expired boolean, event_time timestamptz, event jsonb)
AS 'MODULE_PATHNAME', 'siddhi_poll'
LANGUAGE C STRICT;

CREATE FUNCTION siddhi.subscriptions(
    OUT stream text, OUT buffered_bytes bigint, OUT delivered bigint,
    OUT overflowed bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_subscriptions'
LANGUAGE C STRICT;

-- Functions SiddhiQL expressions map onto ----------------------------------

-- Milliseconds since the epoch on the app's clock (the playback clock when
-- an app runs in playback mode, else the wall clock).
CREATE FUNCTION siddhi.current_time_millis()
RETURNS bigint
AS 'MODULE_PATHNAME', 'siddhi_current_time_millis'
LANGUAGE C VOLATILE;

-- When a cron expression (Quartz: second minute hour day-of-month month
-- day-of-week [year]; or Unix's five fields) next fires strictly after
-- `after`, read in the session's time zone; NULL when it never does.
CREATE FUNCTION siddhi.cron_next(expr text, after timestamptz)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'siddhi_cron_next_sql'
LANGUAGE C STABLE STRICT;

-- The timestamp, in milliseconds, of the event being processed.
CREATE FUNCTION siddhi.event_timestamp()
RETURNS bigint
AS 'MODULE_PATHNAME', 'siddhi_event_timestamp'
LANGUAGE C VOLATILE;

-- eventTimestamp(e1): the timestamp (ms) of a pattern's event e1, which
-- the analyser reads from the match; of a query's input stream S,
-- eventTimestamp(S) is the event being processed, as eventTimestamp().
CREATE FUNCTION siddhi.event_timestamp(record)
RETURNS bigint
AS 'MODULE_PATHNAME', 'siddhi_event_timestamp_of'
LANGUAGE C STABLE STRICT;

-- What SiddhiQL's #log(..) stream processor becomes: logs one line for the
-- event being processed and returns true (src/runtime/stream_log.c).
CREATE FUNCTION siddhi.log_event(priority text, message text, logged boolean,
                                 event record, app text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'siddhi_log_event'
LANGUAGE C VOLATILE;

-- In a pattern query's select: the timestamp (ms) of the first event of
-- the match being emitted; NULL elsewhere.
CREATE FUNCTION siddhi.pattern_match_start()
RETURNS bigint
AS 'MODULE_PATHNAME', 'siddhi_pattern_match_start'
LANGUAGE C VOLATILE;

-- convert(x, 'int' | 'long'): Siddhi truncates fractions (a cast rounds)
-- and narrows the way Java does (a cast fails out of range): a long keeps
-- its low 32 bits, a double or float saturates at the bounds, NaN is 0
CREATE FUNCTION siddhi.to_int(float8) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_to_int_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_int(float4) RETURNS int4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT siddhi.to_int($1::float8)';
CREATE FUNCTION siddhi.to_int(numeric) RETURNS int4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT pg_catalog.trunc($1)::int4';
CREATE FUNCTION siddhi.to_int(int8) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_to_int_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_int(int4) RETURNS int4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1';
CREATE FUNCTION siddhi.to_int(text) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_to_int_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_int(bool) RETURNS int4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::int4';
CREATE FUNCTION siddhi.to_long(float8) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_to_long_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_long(float4) RETURNS int8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT siddhi.to_long($1::float8)';
CREATE FUNCTION siddhi.to_long(numeric) RETURNS int8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT pg_catalog.trunc($1)::int8';
CREATE FUNCTION siddhi.to_long(int8) RETURNS int8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1';
CREATE FUNCTION siddhi.to_long(int4) RETURNS int8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::int8';
CREATE FUNCTION siddhi.to_long(text) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_to_long_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_long(bool) RETURNS int8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::int4::int8';
-- SiddhiQL's a + b, a - b, a * b and a / b, with Java's promotion: one
-- overload per type, so that a float with an int or a long stays a float;
-- and with Java's results (arith_funcs.c): ints and longs wrap around,
-- floats and doubles overflow to infinity
CREATE FUNCTION siddhi.add(int4, int4) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_add_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.add(int8, int8) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_add_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.add(numeric, numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1 OPERATOR(pg_catalog.+) $2';
CREATE FUNCTION siddhi.add(float4, float4) RETURNS float4
    AS 'MODULE_PATHNAME', 'siddhi_add_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.add(float8, float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'siddhi_add_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.sub(int4, int4) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_sub_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.sub(int8, int8) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_sub_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.sub(numeric, numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1 OPERATOR(pg_catalog.-) $2';
CREATE FUNCTION siddhi.sub(float4, float4) RETURNS float4
    AS 'MODULE_PATHNAME', 'siddhi_sub_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.sub(float8, float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'siddhi_sub_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mul(int4, int4) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_mul_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mul(int8, int8) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_mul_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mul(numeric, numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1 OPERATOR(pg_catalog.*) $2';
CREATE FUNCTION siddhi.mul(float4, float4) RETURNS float4
    AS 'MODULE_PATHNAME', 'siddhi_mul_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mul(float8, float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'siddhi_mul_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.div(int4, int4) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_div_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.div(int8, int8) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_div_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.div(numeric, numeric) RETURNS numeric
    AS 'MODULE_PATHNAME', 'siddhi_div_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.div(float4, float4) RETURNS float4
    AS 'MODULE_PATHNAME', 'siddhi_div_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.div(float8, float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'siddhi_div_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- SiddhiQL's a / b and a % b as Siddhi computes them (arith_funcs.c): a
-- zero divisor gives null; % of floats and doubles too is the remainder
-- keeping the dividend's sign
CREATE FUNCTION siddhi.mod(int4, int4) RETURNS int4
    AS 'MODULE_PATHNAME', 'siddhi_mod_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mod(int8, int8) RETURNS int8
    AS 'MODULE_PATHNAME', 'siddhi_mod_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mod(numeric, numeric) RETURNS numeric
    AS 'MODULE_PATHNAME', 'siddhi_mod_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mod(float4, float4) RETURNS float4
    AS 'MODULE_PATHNAME', 'siddhi_mod_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.mod(float8, float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'siddhi_mod_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- ... and as operators of schema siddhi over them, which the SiddhiQL
-- parser writes (OPERATOR(siddhi.+)): a type error then reads as the
-- operator's ("operator does not exist: integer siddhi.+ text"), not as
-- a function's.
CREATE OPERATOR siddhi.+ (LEFTARG = int4, RIGHTARG = int4, FUNCTION = siddhi.add);
CREATE OPERATOR siddhi.+ (LEFTARG = int8, RIGHTARG = int8, FUNCTION = siddhi.add);
CREATE OPERATOR siddhi.+ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = siddhi.add);
CREATE OPERATOR siddhi.+ (LEFTARG = float4, RIGHTARG = float4, FUNCTION = siddhi.add);
CREATE OPERATOR siddhi.+ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = siddhi.add);
CREATE OPERATOR siddhi.- (LEFTARG = int4, RIGHTARG = int4, FUNCTION = siddhi.sub);
CREATE OPERATOR siddhi.- (LEFTARG = int8, RIGHTARG = int8, FUNCTION = siddhi.sub);
CREATE OPERATOR siddhi.- (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = siddhi.sub);
CREATE OPERATOR siddhi.- (LEFTARG = float4, RIGHTARG = float4, FUNCTION = siddhi.sub);
CREATE OPERATOR siddhi.- (LEFTARG = float8, RIGHTARG = float8, FUNCTION = siddhi.sub);
CREATE OPERATOR siddhi.* (LEFTARG = int4, RIGHTARG = int4, FUNCTION = siddhi.mul);
CREATE OPERATOR siddhi.* (LEFTARG = int8, RIGHTARG = int8, FUNCTION = siddhi.mul);
CREATE OPERATOR siddhi.* (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = siddhi.mul);
CREATE OPERATOR siddhi.* (LEFTARG = float4, RIGHTARG = float4, FUNCTION = siddhi.mul);
CREATE OPERATOR siddhi.* (LEFTARG = float8, RIGHTARG = float8, FUNCTION = siddhi.mul);
CREATE OPERATOR siddhi./ (LEFTARG = int4, RIGHTARG = int4, FUNCTION = siddhi.div);
CREATE OPERATOR siddhi./ (LEFTARG = int8, RIGHTARG = int8, FUNCTION = siddhi.div);
CREATE OPERATOR siddhi./ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = siddhi.div);
CREATE OPERATOR siddhi./ (LEFTARG = float4, RIGHTARG = float4, FUNCTION = siddhi.div);
CREATE OPERATOR siddhi./ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = siddhi.div);
CREATE OPERATOR siddhi.% (LEFTARG = int4, RIGHTARG = int4, FUNCTION = siddhi.mod);
CREATE OPERATOR siddhi.% (LEFTARG = int8, RIGHTARG = int8, FUNCTION = siddhi.mod);
CREATE OPERATOR siddhi.% (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = siddhi.mod);
CREATE OPERATOR siddhi.% (LEFTARG = float4, RIGHTARG = float4, FUNCTION = siddhi.mod);
CREATE OPERATOR siddhi.% (LEFTARG = float8, RIGHTARG = float8, FUNCTION = siddhi.mod);
-- convert(x, 'double' | 'float' | 'bool' | 'string') the way Java does:
-- unparsable text is null, only 'true' (any case) is true, a number is
-- true only when it is 1, a null becomes false, and a double or float is
-- written as Double.toString / Float.toString writes it
CREATE FUNCTION siddhi.to_double(text) RETURNS float8
    AS 'MODULE_PATHNAME', 'siddhi_to_double_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_double(float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1';
CREATE FUNCTION siddhi.to_double(float4) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float8';
CREATE FUNCTION siddhi.to_double(numeric) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float8';
CREATE FUNCTION siddhi.to_double(int8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float8';
CREATE FUNCTION siddhi.to_double(int4) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float8';
CREATE FUNCTION siddhi.to_double(bool) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT CASE WHEN $1 THEN 1.0::float8 ELSE 0.0::float8 END';
CREATE FUNCTION siddhi.to_float(text) RETURNS float4
    AS 'MODULE_PATHNAME', 'siddhi_to_float_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_float(float8) RETURNS float4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float4';
CREATE FUNCTION siddhi.to_float(float4) RETURNS float4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1';
CREATE FUNCTION siddhi.to_float(numeric) RETURNS float4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float4';
CREATE FUNCTION siddhi.to_float(int8) RETURNS float4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float4';
CREATE FUNCTION siddhi.to_float(int4) RETURNS float4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::float4';
CREATE FUNCTION siddhi.to_float(bool) RETURNS float4
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT CASE WHEN $1 THEN 1.0::float4 ELSE 0.0::float4 END';
CREATE FUNCTION siddhi.to_bool(text) RETURNS bool
    AS 'MODULE_PATHNAME', 'siddhi_to_bool_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION siddhi.to_bool(bool) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT COALESCE($1, false)';
CREATE FUNCTION siddhi.to_bool(float8) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT COALESCE($1 OPERATOR(pg_catalog.=) 1::float8, false)';
CREATE FUNCTION siddhi.to_bool(float4) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT COALESCE($1 OPERATOR(pg_catalog.=) 1::float4, false)';
CREATE FUNCTION siddhi.to_bool(numeric) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT COALESCE($1 OPERATOR(pg_catalog.=) 1::numeric, false)';
CREATE FUNCTION siddhi.to_bool(int8) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT COALESCE($1 OPERATOR(pg_catalog.=) 1::int8, false)';
CREATE FUNCTION siddhi.to_bool(int4) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT COALESCE($1 OPERATOR(pg_catalog.=) 1::int4, false)';
CREATE FUNCTION siddhi.to_text(float8) RETURNS text
    AS 'MODULE_PATHNAME', 'siddhi_to_text_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_text(float4) RETURNS text
    AS 'MODULE_PATHNAME', 'siddhi_to_text_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.to_text(numeric) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT siddhi.to_text($1::float8)';
CREATE FUNCTION siddhi.to_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1';
CREATE FUNCTION siddhi.to_text(int8) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::text';
CREATE FUNCTION siddhi.to_text(int4) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::text';
CREATE FUNCTION siddhi.to_text(bool) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1::text';

-- Monitoring ---------------------------------------------------------------

CREATE FUNCTION siddhi.query_stats(
    OUT database oid, OUT app text, OUT query text,
    OUT events_in bigint, OUT events_out bigint, OUT errors bigint,
    OUT last_error text, OUT last_error_at timestamptz,
    OUT index_lookups bigint, OUT scan_lookups bigint,
    OUT partial_matches bigint, OUT partial_matches_dropped bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_query_stats'
LANGUAGE C STRICT;

CREATE FUNCTION siddhi.engine_stats(
    OUT database oid, OUT pid int, OUT events bigint, OUT busy_us bigint,
    OUT batches bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_engine_stats'
LANGUAGE C STRICT;

-- Who sees what (as pg_stat_statements): an app's row, source, error and
-- counters (an error can quote an event's values) only to the members of
-- its owner's role and of pg_read_all_stats (pg_monitor is one), and only
-- in its own database.  The views are security barriers, so that no
-- function in a caller's WHERE sees the rows it may not.  siddhi.app
-- itself shows everyone only the names and owners of the apps, as
-- pg_class does for relations.
CREATE VIEW siddhi.apps WITH (security_barrier) AS
    SELECT a.name, a.owner, a.state, a.error, a.source, a.dialect,
           a.deployed_at
      FROM siddhi.app a
     WHERE pg_catalog.pg_has_role(a.owner::pg_catalog.oid, 'USAGE')
        OR pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE');

-- siddhi.query_stats() itself leaves out what the caller may not see.
CREATE VIEW siddhi.queries WITH (security_barrier) AS
    SELECT s.app, s.query, s.events_in, s.events_out, s.errors,
           s.last_error, s.last_error_at, s.index_lookups, s.scan_lookups,
           s.partial_matches, s.partial_matches_dropped
      FROM siddhi.query_stats() s
     WHERE s.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());

GRANT USAGE ON SCHEMA siddhi TO PUBLIC;
GRANT SELECT ON siddhi.apps, siddhi.queries TO PUBLIC, pg_monitor;
REVOKE ALL ON siddhi.app, siddhi.app_relation FROM PUBLIC;
GRANT SELECT (name, owner) ON siddhi.app TO PUBLIC;
GRANT SELECT ON siddhi.app_relation TO PUBLIC;

-- Internal: the trigger of siddhi.app and the install-time check.
REVOKE EXECUTE ON FUNCTION siddhi._apps_changed(), siddhi._check_preload()
    FROM PUBLIC;

-- Incremental aggregations ------------------------------------------------

-- Each aggregation: its app, schema, view and granularity tables (finest
-- first).
CREATE VIEW siddhi.aggregations AS
    SELECT r.app, r.nspname AS schema, r.relname AS aggregation,
           ARRAY(SELECT t.relname::text
                   FROM siddhi.app_relation t
                  WHERE t.app = r.app AND t.kind = 'aggregation'
                    AND t.nspname = r.nspname
                    AND left(t.relname, length(r.relname) + 1) = r.relname || '_'
                  ORDER BY pg_catalog.array_position(
                      ARRAY['sec', 'min', 'hour', 'day', 'month', 'year'],
                      substr(t.relname, length(r.relname) + 2)::text))
               AS tables
      FROM siddhi.app_relation r
     WHERE r.kind = 'aggregation view';
GRANT SELECT ON siddhi.aggregations TO PUBLIC;

-- distinctCount in aggregations keeps a sketch: the smallest 1024 of the
-- 64-bit hashes of the distinct values' text, as int8[] (see
-- src/runtime/aggregation/distinct_sketch.c).  distinct_union merges two (the upserts
-- use it); distinct_count reads one: exact below 1024 distinct values,
-- an estimate (about 3 % standard error) above.
CREATE FUNCTION siddhi.distinct_union(a int8[], b int8[]) RETURNS int8[]
AS 'MODULE_PATHNAME', 'siddhi_distinct_union_sql'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION siddhi.distinct_count(sketch int8[]) RETURNS bigint
AS 'MODULE_PATHNAME', 'siddhi_distinct_count_sql'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Percentiles in aggregations keep a DDSketch (src/common/ddsketch.c) as
-- bytea: relative error at most 1 %, mergeable.  percentile_union merges
-- two (the upserts use it); percentile_value reads one as percentile_cont
-- (or percentile_disc when disc).  The aggregates build a sketch from
-- values, and merge the sketches of several buckets.
CREATE FUNCTION siddhi.percentile_union(a bytea, b bytea) RETURNS bytea
AS 'MODULE_PATHNAME', 'siddhi_percentile_union_sql'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION siddhi.percentile_value(sketch bytea, fraction float8,
                                        disc boolean DEFAULT false)
RETURNS float8
AS 'MODULE_PATHNAME', 'siddhi_percentile_value_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION siddhi.percentile_sketch_add(internal, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'siddhi_percentile_sketch_add_sql'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION siddhi.percentile_sketch_final(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'siddhi_percentile_sketch_final_sql'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE siddhi.percentile_sketch(float8) (
    SFUNC = siddhi.percentile_sketch_add,
    STYPE = internal,
    FINALFUNC = siddhi.percentile_sketch_final
);
CREATE AGGREGATE siddhi.percentile_merge(bytea) (
    SFUNC = siddhi.percentile_union,
    STYPE = bytea
);

-- Siddhi's per: a granularity's name ('sec', 'seconds', 'h', 'hours', ..) as
-- the aggregation views spell it in agg_granularity.
CREATE FUNCTION siddhi.granularity(per text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g text := lower(btrim(per));
BEGIN
    g := CASE WHEN g IN ('sec', 'second', 'seconds') THEN 'sec'
              WHEN g IN ('min', 'minute', 'minutes') THEN 'min'
              WHEN g IN ('h', 'hour', 'hours') THEN 'hour'
              WHEN g IN ('day', 'days') THEN 'day'
              WHEN g IN ('month', 'months') THEN 'month'
              WHEN g IN ('year', 'years') THEN 'year' END;
    IF g IS NULL THEN
        RAISE EXCEPTION 'unknown granularity "%"', per
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Granularities are sec, min, hour, day, month and year.';
    END IF;
    RETURN g;
END
$$;

-- Siddhi's within values: ms since the epoch as they are; a timestamptz;
-- or a string, either a time ('2017-06-01 04:05:50', UTC unless an ISO
-- offset follows: '2017-06-01 04:05:50 +05:30') or a pattern with * for
-- the free fields ('2017-06-** **:**:**', June 2017), the first * giving
-- the span (year, month, day, hour, minute; none: one second).
-- within_bounds gives [within_start, within_end) of a string.
CREATE FUNCTION siddhi.within_bounds(within text, OUT within_start bigint,
                                     OUT within_end bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    w text := btrim(within);
    off text := '+00:00';
    star int;
    span interval;
    lo timestamp;
BEGIN
    IF w ~ ' [+-][0-9]{2}:?[0-9]{2}$' THEN
        off := substring(w FROM '[+-][0-9]{2}:?[0-9]{2}$');
        w := rtrim(left(w, length(w) - length(off)));
    END IF;
    IF w !~ '^[0-9*]{4}-[0-9*]{2}-[0-9*]{2} [0-9*]{2}:[0-9*]{2}:[0-9*]{2}$' THEN
        RAISE EXCEPTION 'invalid within pattern "%"', within
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Write yyyy-MM-dd HH:mm:ss with * for the free fields, as in 2017-06-** **:**:**, and an optional offset such as +05:30.';
    END IF;
    star := position('*' IN w);
    IF star BETWEEN 1 AND 4 THEN
        within_start := -9223372036854775808;
        within_end := 9223372036854775807;
        RETURN;
    END IF;
    span := CASE WHEN star = 0 THEN interval '1 second'
                 WHEN star <= 7 THEN interval '1 year'
                 WHEN star <= 10 THEN interval '1 month'
                 WHEN star <= 13 THEN interval '1 day'
                 WHEN star <= 16 THEN interval '1 hour'
                 ELSE interval '1 minute' END;
    IF star > 0 THEN
        w := left(w, star - 1) || substr('0000-01-01 00:00:00', star);
    END IF;
    lo := w::timestamp;
    -- ISO 8601 offsets (east positive), read by timestamptz input
    within_start := (extract(epoch FROM (lo::text || off)::timestamptz) * 1000)::bigint;
    within_end := (extract(epoch FROM ((lo + span)::text || off)::timestamptz) * 1000)::bigint;
END
$$;
CREATE FUNCTION siddhi.within_start(within text) RETURNS bigint
LANGUAGE sql STABLE
AS 'SELECT (siddhi.within_bounds(within)).within_start';
CREATE FUNCTION siddhi.within_end(within text) RETURNS bigint
LANGUAGE sql STABLE
AS 'SELECT (siddhi.within_bounds(within)).within_end';
CREATE FUNCTION siddhi.within_start(within bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS 'SELECT within';
CREATE FUNCTION siddhi.within_start(within timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS 'SELECT (extract(epoch FROM within) * 1000)::bigint';

-- Siddhi's `from A within start, end per 'hour'`: the buckets of one
-- granularity whose start lies in [within_start, within_end) (ms since the
-- Unix epoch), in time order; `agg` holds the finished values (group-by
-- columns, aggregates, last values).  on_values, a JSON object of column
-- values ({"symbol": "IBM"}), keeps the buckets whose columns equal them
-- (Siddhi's `on symbol == 'IBM'`), through the tables' index on the
-- group-by columns.  Runs with the caller's rights.
CREATE FUNCTION siddhi.aggregation(name text, within_start bigint,
                                   within_end bigint, per text,
                                   on_values jsonb DEFAULT NULL)
RETURNS TABLE (agg_timestamp bigint, agg jsonb)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    nsp text;
    g text := siddhi.granularity(per);
    cond text := '';
    k text;
    typ text;
BEGIN
    SELECT a.schema INTO nsp FROM siddhi.aggregations a
     WHERE a.aggregation = lower(name)
     ORDER BY array_position(current_schemas(false), a.schema::name) NULLS LAST
     LIMIT 1;
    IF nsp IS NULL THEN
        RAISE EXCEPTION 'aggregation "%" does not exist', name
            USING ERRCODE = 'undefined_table',
                  HINT = 'The deployed aggregations are listed in siddhi.aggregations.';
    END IF;
    IF on_values IS NOT NULL AND jsonb_typeof(on_values) <> 'object' THEN
        RAISE EXCEPTION 'on_values must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Write the columns to match and their values, as in ''{"symbol": "IBM"}''.';
    END IF;
    FOR k IN SELECT jsonb_object_keys(on_values) LOOP
        SELECT format_type(a.atttypid, a.atttypmod) INTO typ
          FROM pg_attribute a
         WHERE a.attrelid = format('%I.%I', nsp, lower(name))::regclass
           AND a.attname = k AND a.attnum > 0 AND NOT a.attisdropped
           AND k NOT IN ('agg_timestamp', 'agg_granularity');
        IF typ IS NULL THEN
            RAISE EXCEPTION 'aggregation "%" has no column "%"', name, k
                USING ERRCODE = 'undefined_column',
                      HINT = 'on_values names the aggregation''s select columns.';
        END IF;
        IF jsonb_typeof(on_values -> k) = 'null' THEN
            cond := cond || format(' AND v.%I IS NULL', k);
        ELSE
            cond := cond || format(' AND v.%I = ($4 ->> %L)::%s', k, k, typ);
        END IF;
    END LOOP;
    RETURN QUERY EXECUTE format(
        'SELECT v.agg_timestamp, to_jsonb(v) - %L - %L FROM %I.%I v '
        'WHERE v.agg_granularity = $1 AND v.agg_timestamp >= $2 '
        'AND v.agg_timestamp < $3%s ORDER BY 1, 2',
        'agg_timestamp', 'agg_granularity', nsp, lower(name), cond)
        USING g, within_start, within_end, on_values;
END
$$;

CREATE FUNCTION siddhi.aggregation(name text, within_start timestamptz,
                                   within_end timestamptz, per text)
RETURNS TABLE (agg_timestamp bigint, agg jsonb)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM siddhi.aggregation(name,
        (extract(epoch FROM within_start) * 1000)::bigint,
        (extract(epoch FROM within_end) * 1000)::bigint, per)
$$;

-- Siddhi's pattern form: within '2017-06-** **:**:**' is June 2017 (UTC,
-- or at the offset that may follow: '2017-06-** **:**:** +05:30'); see
-- siddhi.within_bounds.
CREATE FUNCTION siddhi.aggregation(name text, within text, per text)
RETURNS TABLE (agg_timestamp bigint, agg jsonb)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.* FROM siddhi.within_bounds(within) w,
           siddhi.aggregation(name, w.within_start, w.within_end, per) a
$$;

-- Siddhi's on-demand queries of an app's tables, named windows and
-- aggregations (from T on .. select .., select .. insert into T, delete T
-- on .., update T set .. on .., update or insert into T ..), run as the
-- caller; each row (selected, or changed) as one jsonb object.
CREATE FUNCTION siddhi.query(app text, query text)
RETURNS TABLE (event jsonb)
AS 'MODULE_PATHNAME', 'siddhi_query_sql'
LANGUAGE C VOLATILE;
GRANT EXECUTE ON FUNCTION siddhi.query(text, text) TO PUBLIC;

-- Dependencies ------------------------------------------------------------

-- Each deployed app has a view here, named after it, whose pg_depend
-- entries tell PostgreSQL what the app uses: DROP TABLE, ALTER .. TYPE,
-- DROP FUNCTION and the like then need CASCADE, as for any view, and say
-- which app stands in the way ("view siddhi_app.myapp depends on table
-- t").  The views are empty (SELECT of nothing) and owned by the app's
-- owner, whose apps DROP ROLE, DROP OWNED and REASSIGN OWNED thus see
-- (src/worker/app_owner.c); siddhi.deploy() and the engine write them.
CREATE SCHEMA siddhi_app;
COMMENT ON SCHEMA siddhi_app IS
    'one empty view per deployed siddhi app, carrying its dependencies';

-- Connectors --------------------------------------------------------------

-- Sources and sinks other than inMemory open connections from the server
-- (docs/connectors.md): only members of this role (and superusers) may
-- deploy apps that use them.  Roles belong to the cluster, so a second
-- database's CREATE EXTENSION finds it there already.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
                   WHERE rolname OPERATOR(pg_catalog.=) 'siddhi_connector') THEN
        CREATE ROLE siddhi_connector NOLOGIN;
    END IF;
END
$$;

-- Values of ${NAME} in connector options (passwords, tokens): set by
-- superusers, read by the engine only.  App text never holds them.  A
-- secret is for the apps of superusers and of roles with the privileges
-- of usable_by (NULL: superusers' apps only).
CREATE TABLE siddhi.secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    usable_by regrole
);
REVOKE ALL ON siddhi.secrets FROM PUBLIC;
COMMENT ON TABLE siddhi.secrets IS
    'values of ${NAME} references in connector options; superusers only';
COMMENT ON COLUMN siddhi.secrets.usable_by IS
    'apps whose owner has the privileges of this role may use the secret '
    '(NULL: apps of superusers only)';

-- Sinks -------------------------------------------------------------------

-- Each sink but inMemory writes its stream's events, encoded, to an outbox
-- table of its own here, in the batch's transaction; the engine sends them
-- and deletes them once acknowledged (docs/connectors.md, "Delivery
-- guarantees").  Written and read by the extension's own statements only:
-- nobody is granted the schema or its tables.
CREATE SCHEMA siddhi_outbox;
REVOKE ALL ON SCHEMA siddhi_outbox FROM PUBLIC;
COMMENT ON SCHEMA siddhi_outbox IS
    'one outbox table per siddhi sink: events waiting to be delivered';

-- Which outbox table is whose (src/connectors/outbox.c).
CREATE TABLE siddhi.outbox (
    app text NOT NULL,
    sink text NOT NULL,
    relname name NOT NULL UNIQUE,
    PRIMARY KEY (app, sink)
);
REVOKE ALL ON siddhi.outbox FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('siddhi.outbox', '');

CREATE FUNCTION siddhi.sink_stats(
    OUT database oid, OUT app text, OUT stream text, OUT sink text,
    OUT type text, OUT state text, OUT queued bigint, OUT in_flight bigint,
    OUT sent bigint, OUT failed bigint, OUT dropped bigint,
    OUT last_error text, OUT last_error_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_sink_stats'
LANGUAGE C VOLATILE;

-- siddhi.sink_stats() itself leaves out what the caller may not see: the
-- sinks of apps whose owner role the caller is not a member of (all are
-- shown to pg_read_all_stats, hence pg_monitor).
CREATE VIEW siddhi.sinks WITH (security_barrier) AS
    SELECT s.app, s.stream, s.sink, s.type, s.state, s.queued, s.in_flight,
           s.sent, s.failed, s.dropped, s.last_error, s.last_error_at
      FROM siddhi.sink_stats() s
     WHERE s.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());
GRANT SELECT ON siddhi.sinks TO PUBLIC, pg_monitor;

-- Where each source goes on (docs/connectors.md "Sources"): the position
-- after the last record of each part (a Kafka topic partition, an inMemory
-- topic) whose results have committed, written by the engine in the same
-- transaction as those results.  A source starts from here.  The engine's
-- only: read it through siddhi.source_positions.
CREATE TABLE siddhi.source_offsets (
    app name NOT NULL,
    source text NOT NULL,
    part text NOT NULL,
    next bigint NOT NULL,
    PRIMARY KEY (app, source, part)
);
REVOKE ALL ON siddhi.source_offsets FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('siddhi.source_offsets', '');
COMMENT ON TABLE siddhi.source_offsets IS
    'committed positions of the sources of siddhi apps; written by the engine';

-- Whose the positions and stored records an undeployed app left behind
-- are (src/catalog/deploy.c): a new app of the same name takes them over
-- only when its owner has the privileges of that role; else they go.
CREATE TABLE siddhi.app_leftovers (
    name text PRIMARY KEY,
    owner oid NOT NULL
);
REVOKE ALL ON siddhi.app_leftovers FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('siddhi.app_leftovers', '');
COMMENT ON TABLE siddhi.app_leftovers IS
    'the owner of what each undeployed app left in siddhi.source_offsets and siddhi.errors';

-- Durable streams (src/ipc/durable_stage.c, src/worker/durable.c): each
-- chunk of events inserted into a durable stream, cut into pieces of at
-- most 8000 bytes once lz4-compressed (stored inline, no TOAST), numbered
-- n within its top-level transaction xid.  Written by the inserting
-- transaction through the heap access method (no privilege needed), deleted
-- by the engine in the batch that processes it: what is here is committed
-- and not yet processed (or not yet committed).  Nobody else reads it.
CREATE TABLE siddhi.stream_staging (
    xid bigint NOT NULL,
    n integer NOT NULL,
    chunk bytea NOT NULL
);
-- compressed in place (lz4), never moved out of line: no TOAST table
ALTER TABLE siddhi.stream_staging ALTER chunk SET STORAGE MAIN,
    ALTER chunk SET COMPRESSION lz4;
CREATE INDEX stream_staging_xid ON siddhi.stream_staging (xid, n);
REVOKE ALL ON siddhi.stream_staging FROM PUBLIC;
COMMENT ON TABLE siddhi.stream_staging IS
    'events of durable streams not yet processed by the engine; written by inserting transactions, deleted by the engine';

-- What the staging table holds: grows while the engine is not running.
CREATE VIEW siddhi.durable_backlog AS
    SELECT pg_catalog.count(DISTINCT xid) AS transactions,
           pg_catalog.count(*) AS pieces,
           COALESCE(pg_catalog.sum(pg_catalog.octet_length(chunk)),
                    0)::bigint AS bytes,
           pg_catalog.pg_total_relation_size('siddhi.stream_staging')
               AS table_bytes
      FROM siddhi.stream_staging;
GRANT SELECT ON siddhi.durable_backlog TO PUBLIC, pg_monitor;
COMMENT ON VIEW siddhi.durable_backlog IS
    'events of durable streams committed (or in progress) and not yet processed by the engine: transactions, staged pieces, their bytes, and the staging table''s size on disk';

-- Epochs (src/worker/state.c, src/runtime/query_state.c): the state of
-- each query of each app (its window, groups, partial matches, ...) as
-- the engine last committed it, written in the same transaction as the
-- results and the sources' positions of the batch that changed it.  An app
-- restores it when it starts (after a restart, a crash, or a redeploy
-- that left the query's text and inputs alone: the fingerprint).  A query
-- that cannot be saved yet has no state and says why.  The engine's only:
-- it holds events; read siddhi.query_states.
CREATE TABLE siddhi.query_state (
    app         text NOT NULL,
    query       text NOT NULL,
    fingerprint text NOT NULL,
    state       bytea,          -- null: not saved (reason)
    reason      text,
    saved_at    timestamptz NOT NULL,
    save_ms     double precision NOT NULL,  -- time to serialize it
    -- siddhi.app.deployed_at of the app that saved it (a replace that
    -- keeps the state moves it on): a state is restored only into the
    -- app it belongs to, never into a later deploy of the same name
    deployed_at timestamptz NOT NULL,
    PRIMARY KEY (app, query)
);
ALTER TABLE siddhi.query_state ALTER state SET STORAGE EXTERNAL;
REVOKE ALL ON siddhi.query_state FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('siddhi.query_state', '');
-- A window that is first in, first out is saved incrementally: its
-- query's row holds the window's head, and each batch adds a part with
-- the events that entered since (src/worker/state.c).
-- A part is cut into pieces of at most 8000 bytes, kept in the row
-- (compressed in place, lz4; no TOAST: writing it twice costs twice).
CREATE TABLE siddhi.query_state_part (
    app         text NOT NULL,
    query       text NOT NULL,
    part        bigint NOT NULL,
    piece       integer NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (app, query, part, piece)
);
ALTER TABLE siddhi.query_state_part ALTER data SET STORAGE MAIN,
    ALTER data SET COMPRESSION lz4;
REVOKE ALL ON siddhi.query_state_part FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('siddhi.query_state_part', '');
COMMENT ON TABLE siddhi.query_state_part IS
    'the events of windows saved incrementally, in parts (epochs); written by the engine';
COMMENT ON TABLE siddhi.query_state IS
    'the saved state of each query of the siddhi apps (epochs); written by the engine';

-- What each query's saved state is: its size and when it was saved, not
-- its contents; for the apps the caller may see in siddhi.apps.
CREATE VIEW siddhi.query_states WITH (security_barrier) AS
    SELECT s.app, s.query, s.state IS NOT NULL AS saved,
           (COALESCE(pg_catalog.octet_length(s.state), 0) +
            COALESCE((SELECT pg_catalog.sum(pg_catalog.octet_length(p.data))
                        FROM siddhi.query_state_part p
                       WHERE p.app OPERATOR(pg_catalog.=) s.app
                         AND p.query OPERATOR(pg_catalog.=) s.query), 0))::bigint
               AS bytes,
           s.saved_at, s.save_ms, s.reason
      FROM siddhi.query_state s
      -- who may see an app is siddhi.apps' rule
      JOIN siddhi.apps a ON a.name OPERATOR(pg_catalog.=) s.app;
GRANT SELECT ON siddhi.query_states TO PUBLIC, pg_monitor;
COMMENT ON VIEW siddhi.query_states IS
    'the saved state of each query (epochs): whether it is saved, its bytes, when it was saved and how long serializing took, or why it is not saved';

-- Records a source could not map, kept by @OnError(action = 'STORE') on
-- their stream; siddhi.replay_errors() feeds them again.  Members of the
-- app owner's role see and may delete the rows of its apps.
CREATE TABLE siddhi.errors (
    id bigserial PRIMARY KEY,
    app name NOT NULL,
    stream text NOT NULL,
    source text NOT NULL,
    payload bytea,
    error text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    replay boolean NOT NULL DEFAULT false
);
REVOKE ALL ON siddhi.errors FROM PUBLIC;
GRANT SELECT, DELETE ON siddhi.errors TO PUBLIC;
ALTER TABLE siddhi.errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY errors_of_my_apps ON siddhi.errors
    USING (EXISTS (SELECT FROM siddhi.app a
                    WHERE a.name OPERATOR(pg_catalog.=) errors.app
                      AND pg_catalog.pg_has_role(a.owner::pg_catalog.oid,
                                                 'USAGE')));
SELECT pg_catalog.pg_extension_config_dump('siddhi.errors', '');
SELECT pg_catalog.pg_extension_config_dump('siddhi.errors_id_seq', '');
COMMENT ON TABLE siddhi.errors IS
    'records siddhi sources could not map, kept by @OnError(action = ''STORE'')';

-- Feed stored records of app again (those of ids, or all of them) through
-- their source's mapper, in the engine's next batch: those that map now
-- go to their stream and leave siddhi.errors, the others stay with their
-- new error.  Returns how many were marked.  Only who may manage the app.
CREATE FUNCTION siddhi.replay_errors(app text, ids bigint[] DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'siddhi_replay_errors'
LANGUAGE C VOLATILE;
GRANT EXECUTE ON FUNCTION siddhi.replay_errors(text, bigint[]) TO PUBLIC;

CREATE FUNCTION siddhi.source_stats(
    OUT database oid, OUT app text, OUT stream text, OUT source text,
    OUT type text, OUT state text, OUT connected boolean,
    OUT records_in bigint, OUT events_out bigint, OUT errors bigint,
    OUT on_error text, OUT last_error text, OUT last_error_at timestamptz,
    OUT lag bigint, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_source_stats'
LANGUAGE C STRICT;

-- One row per source of a loaded app, to the members of its owner's role
-- and of pg_read_all_stats, as siddhi.queries.
CREATE VIEW siddhi.sources WITH (security_barrier) AS
    SELECT s.app, s.stream, s.source, s.type, s.state, s.connected,
           s.records_in, s.events_out, s.errors, s.on_error, s.last_error,
           s.last_error_at, s.lag, s.detail
      FROM siddhi.source_stats() s
     WHERE s.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());

-- The committed positions, to the same readers as the app's row.
CREATE VIEW siddhi.source_positions WITH (security_barrier) AS
    SELECT o.app, o.source, o.part, o.next
      FROM siddhi.source_offsets o
     WHERE EXISTS (SELECT FROM siddhi.app a
                    WHERE a.name OPERATOR(pg_catalog.=) o.app
                      AND (pg_catalog.pg_has_role(a.owner::pg_catalog.oid,
                                                  'USAGE')
                           OR pg_catalog.pg_has_role('pg_read_all_stats',
                                                     'USAGE')));
GRANT SELECT ON siddhi.sources, siddhi.source_positions TO PUBLIC, pg_monitor;

-- Mappers -----------------------------------------------------------------

-- What a @map does with a payload (docs/connectors.md, "Mappers"): the
-- events it makes of it, each a JSON object of the relation's attributes.
-- map is the annotation as written in an app, e.g.
-- '@map(type=''json'', @attributes(id=''$.order.id''))'.  Runs as the
-- caller, touches nothing.
CREATE FUNCTION siddhi.map_decode(stream regclass, map text, payload bytea)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'siddhi_map_decode'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION siddhi.map_decode(regclass, text, bytea) IS
    'the events a source @map makes of a payload, as JSON objects';
GRANT EXECUTE ON FUNCTION siddhi.map_decode(regclass, text, bytea) TO PUBLIC;

-- The same for a payload given as text (text and bytea share a layout).
CREATE FUNCTION siddhi.map_decode(stream regclass, map text, payload text)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'siddhi_map_decode'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION siddhi.map_decode(regclass, text, text) IS
    'the events a source @map makes of a text payload, as JSON objects';
GRANT EXECUTE ON FUNCTION siddhi.map_decode(regclass, text, text) TO PUBLIC;

-- What a sink @map makes of an event given as a JSON object of attribute
-- values (missing keys are null).
CREATE FUNCTION siddhi.map_encode(stream regclass, map text, event jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'siddhi_map_encode'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION siddhi.map_encode(regclass, text, jsonb) IS
    'the payload a sink @map makes of an event given as a JSON object';
GRANT EXECUTE ON FUNCTION siddhi.map_encode(regclass, text, jsonb) TO PUBLIC;

-- What each object is, so that \df+ siddhi.*, \dv+ siddhi.* and \dt+ siddhi.*
-- explain themselves (sql/comments.sql checks that none is left without).

COMMENT ON FUNCTION siddhi._check_preload() IS
    'internal: refuses CREATE EXTENSION unless siddhi is in shared_preload_libraries';
COMMENT ON FUNCTION siddhi._apps_changed() IS
    'internal: trigger telling the engine worker that the apps changed, at commit';
COMMENT ON FUNCTION siddhi._engine_writes_only() IS
    'internal: trigger refusing writes to named-window and aggregation tables but the engine''s';
COMMENT ON FUNCTION siddhi.stream_fdw_handler() IS
    'internal: handler of the siddhi_stream foreign-data wrapper (streams accept INSERT and COPY)';
COMMENT ON FUNCTION siddhi.stream_fdw_validator(text[], oid) IS
    'internal: options validator of the siddhi_stream foreign-data wrapper';
COMMENT ON FOREIGN DATA WRAPPER siddhi_stream IS
    'streams of siddhi apps: INSERT and COPY hand events to the engine';
COMMENT ON SERVER siddhi_streams IS
    'the server every siddhi stream belongs to';

COMMENT ON TABLE siddhi.app IS
    'deployed siddhi apps: owner, dialect, source text, state and error';
COMMENT ON TABLE siddhi.app_relation IS
    'the streams, tables, windows and aggregations each siddhi app uses or created';
COMMENT ON TABLE siddhi.outbox IS
    'which outbox table in schema siddhi_outbox belongs to which sink';

COMMENT ON FUNCTION siddhi.deploy(text, text, boolean, boolean) IS
    'deploy an app (SiddhiQL or streaming SQL) under a name: creates its streams and tables, the engine runs its queries; returns its relations, sources, sinks and queries; a replace keeps the saved state of the queries whose text and inputs did not change unless keep_state is false';
COMMENT ON TYPE siddhi.app_object IS
    'an object of a deployed app (siddhi.deploy''s rows): kind, name, and its relation or null';
COMMENT ON FUNCTION siddhi.undeploy(text, boolean) IS
    'stop and remove an app; drop_tables also drops the relations it created';
COMMENT ON FUNCTION siddhi.explain(text, text, boolean, text) IS
    'the plan of each query of a deployed app as a tree of operators (format text or json); analyze adds the counters of siddhi.queries and hints on them';
COMMENT ON FUNCTION siddhi.explain_text(text, text, text) IS
    'the plan of the queries of an app''s text (those marked EXPLAIN, else all) without deploying it';
COMMENT ON FUNCTION siddhi.parse(text) IS
    'the syntax tree of an app''s text, or the error with its position; deploys nothing';
COMMENT ON FUNCTION siddhi.flush(integer) IS
    'wait until the engine has processed every event committed before the call; false on timeout';
COMMENT ON FUNCTION siddhi.advance_clock(bigint, text) IS
    'move the clock of playback apps to ms since the epoch; due time windows expire';
COMMENT ON FUNCTION siddhi.subscribe(text) IS
    'start buffering a stream''s events for this session, read with siddhi.poll';
COMMENT ON FUNCTION siddhi.unsubscribe(text) IS
    'stop buffering a stream''s events for this session';
COMMENT ON FUNCTION siddhi.poll(text, integer, integer) IS
    'the buffered events of a subscribed stream, waiting up to timeout_ms for the first';
COMMENT ON FUNCTION siddhi.subscriptions() IS
    'this session''s stream subscriptions with their buffered, delivered and overflowed counts';
COMMENT ON FUNCTION siddhi.current_time_millis() IS
    'milliseconds since the epoch on the app''s clock (playback clock in playback mode)';
COMMENT ON FUNCTION siddhi.cron_next(text, timestamptz) IS
    'when a cron expression (Quartz or Unix) next fires strictly after a time';
COMMENT ON FUNCTION siddhi.event_timestamp() IS
    'the timestamp in ms of the event being processed (Siddhi''s eventTimestamp())';
COMMENT ON FUNCTION siddhi.log_event(text, text, boolean, record, text) IS
    'what #log(..) of SiddhiQL becomes: logs the event being processed to the server log, returns true';
COMMENT ON FUNCTION siddhi.event_timestamp(record) IS
    'the timestamp in ms of an event: a pattern''s, as eventTimestamp(e1), or the input''s';
COMMENT ON FUNCTION siddhi.to_int(float8) IS 'Siddhi''s convert(x, ''int''): truncates fractions';
COMMENT ON FUNCTION siddhi.to_int(float4) IS 'Siddhi''s convert(x, ''int''): truncates fractions';
COMMENT ON FUNCTION siddhi.to_int(numeric) IS 'Siddhi''s convert(x, ''int''): truncates fractions';
COMMENT ON FUNCTION siddhi.to_int(int8) IS 'Siddhi''s convert(x, ''int'')';
COMMENT ON FUNCTION siddhi.to_int(int4) IS 'Siddhi''s convert(x, ''int'')';
COMMENT ON FUNCTION siddhi.to_int(text) IS 'Siddhi''s convert(x, ''int''): unparsable text is null';
COMMENT ON FUNCTION siddhi.to_int(bool) IS 'Siddhi''s convert(x, ''int''): true is 1';
COMMENT ON FUNCTION siddhi.to_long(float8) IS 'Siddhi''s convert(x, ''long''): truncates fractions';
COMMENT ON FUNCTION siddhi.to_long(float4) IS 'Siddhi''s convert(x, ''long''): truncates fractions';
COMMENT ON FUNCTION siddhi.to_long(numeric) IS 'Siddhi''s convert(x, ''long''): truncates fractions';
COMMENT ON FUNCTION siddhi.to_long(int8) IS 'Siddhi''s convert(x, ''long'')';
COMMENT ON FUNCTION siddhi.to_long(int4) IS 'Siddhi''s convert(x, ''long'')';
COMMENT ON FUNCTION siddhi.to_long(text) IS 'Siddhi''s convert(x, ''long''): unparsable text is null';
COMMENT ON FUNCTION siddhi.to_long(bool) IS 'Siddhi''s convert(x, ''long''): true is 1';
COMMENT ON FUNCTION siddhi.add(int4, int4) IS 'SiddhiQL''s a + b';
COMMENT ON FUNCTION siddhi.add(int8, int8) IS 'SiddhiQL''s a + b';
COMMENT ON FUNCTION siddhi.add(numeric, numeric) IS 'SiddhiQL''s a + b';
COMMENT ON FUNCTION siddhi.add(float4, float4) IS 'SiddhiQL''s a + b';
COMMENT ON FUNCTION siddhi.add(float8, float8) IS 'SiddhiQL''s a + b';
COMMENT ON FUNCTION siddhi.sub(int4, int4) IS 'SiddhiQL''s a - b';
COMMENT ON FUNCTION siddhi.sub(int8, int8) IS 'SiddhiQL''s a - b';
COMMENT ON FUNCTION siddhi.sub(numeric, numeric) IS 'SiddhiQL''s a - b';
COMMENT ON FUNCTION siddhi.sub(float4, float4) IS 'SiddhiQL''s a - b';
COMMENT ON FUNCTION siddhi.sub(float8, float8) IS 'SiddhiQL''s a - b';
COMMENT ON FUNCTION siddhi.mul(int4, int4) IS 'SiddhiQL''s a * b';
COMMENT ON FUNCTION siddhi.mul(int8, int8) IS 'SiddhiQL''s a * b';
COMMENT ON FUNCTION siddhi.mul(numeric, numeric) IS 'SiddhiQL''s a * b';
COMMENT ON FUNCTION siddhi.mul(float4, float4) IS 'SiddhiQL''s a * b';
COMMENT ON FUNCTION siddhi.mul(float8, float8) IS 'SiddhiQL''s a * b';
COMMENT ON FUNCTION siddhi.div(int4, int4) IS 'SiddhiQL''s a / b';
COMMENT ON FUNCTION siddhi.div(int8, int8) IS 'SiddhiQL''s a / b';
COMMENT ON FUNCTION siddhi.div(numeric, numeric) IS 'SiddhiQL''s a / b';
COMMENT ON FUNCTION siddhi.div(float4, float4) IS 'SiddhiQL''s a / b';
COMMENT ON FUNCTION siddhi.div(float8, float8) IS 'SiddhiQL''s a / b';
COMMENT ON FUNCTION siddhi.mod(int4, int4) IS 'SiddhiQL''s a % b';
COMMENT ON FUNCTION siddhi.mod(int8, int8) IS 'SiddhiQL''s a % b';
COMMENT ON FUNCTION siddhi.mod(numeric, numeric) IS 'SiddhiQL''s a % b';
COMMENT ON FUNCTION siddhi.mod(float4, float4) IS 'SiddhiQL''s a % b: Java''s float remainder, the sign of a';
COMMENT ON FUNCTION siddhi.mod(float8, float8) IS 'SiddhiQL''s a % b: Java''s double remainder, the sign of a';
COMMENT ON FUNCTION siddhi.to_double(text) IS 'Siddhi''s convert(x, ''double''): unparsable text is null';
COMMENT ON FUNCTION siddhi.to_double(float8) IS 'Siddhi''s convert(x, ''double'')';
COMMENT ON FUNCTION siddhi.to_double(float4) IS 'Siddhi''s convert(x, ''double'')';
COMMENT ON FUNCTION siddhi.to_double(numeric) IS 'Siddhi''s convert(x, ''double'')';
COMMENT ON FUNCTION siddhi.to_double(int8) IS 'Siddhi''s convert(x, ''double'')';
COMMENT ON FUNCTION siddhi.to_double(int4) IS 'Siddhi''s convert(x, ''double'')';
COMMENT ON FUNCTION siddhi.to_double(bool) IS 'Siddhi''s convert(x, ''double'')';
COMMENT ON FUNCTION siddhi.to_float(text) IS 'Siddhi''s convert(x, ''float''): unparsable text is null';
COMMENT ON FUNCTION siddhi.to_float(float8) IS 'Siddhi''s convert(x, ''float'')';
COMMENT ON FUNCTION siddhi.to_float(float4) IS 'Siddhi''s convert(x, ''float'')';
COMMENT ON FUNCTION siddhi.to_float(numeric) IS 'Siddhi''s convert(x, ''float'')';
COMMENT ON FUNCTION siddhi.to_float(int8) IS 'Siddhi''s convert(x, ''float'')';
COMMENT ON FUNCTION siddhi.to_float(int4) IS 'Siddhi''s convert(x, ''float'')';
COMMENT ON FUNCTION siddhi.to_float(bool) IS 'Siddhi''s convert(x, ''float'')';
COMMENT ON FUNCTION siddhi.to_bool(text) IS 'Siddhi''s convert(x, ''bool''): only ''true'' in any case is true, null is false';
COMMENT ON FUNCTION siddhi.to_bool(bool) IS 'Siddhi''s convert(x, ''bool''): null is false';
COMMENT ON FUNCTION siddhi.to_bool(float8) IS 'Siddhi''s convert(x, ''bool''): true only for 1, null is false';
COMMENT ON FUNCTION siddhi.to_bool(float4) IS 'Siddhi''s convert(x, ''bool''): true only for 1, null is false';
COMMENT ON FUNCTION siddhi.to_bool(numeric) IS 'Siddhi''s convert(x, ''bool''): true only for 1, null is false';
COMMENT ON FUNCTION siddhi.to_bool(int8) IS 'Siddhi''s convert(x, ''bool''): true only for 1, null is false';
COMMENT ON FUNCTION siddhi.to_bool(int4) IS 'Siddhi''s convert(x, ''bool''): true only for 1, null is false';
COMMENT ON FUNCTION siddhi.to_text(float8) IS 'Siddhi''s convert(x, ''string''): written as Java writes it (1.0, 1.0E10)';
COMMENT ON FUNCTION siddhi.to_text(float4) IS 'Siddhi''s convert(x, ''string''): written as Java writes it (1.0, 1.0E10)';
COMMENT ON FUNCTION siddhi.to_text(numeric) IS 'Siddhi''s convert(x, ''string''): written as Java writes it (1.0, 1.0E10)';
COMMENT ON FUNCTION siddhi.to_text(text) IS 'Siddhi''s convert(x, ''string'')';
COMMENT ON FUNCTION siddhi.to_text(int8) IS 'Siddhi''s convert(x, ''string'')';
COMMENT ON FUNCTION siddhi.to_text(int4) IS 'Siddhi''s convert(x, ''string'')';
COMMENT ON FUNCTION siddhi.to_text(bool) IS 'Siddhi''s convert(x, ''string'')';

COMMENT ON FUNCTION siddhi.query_stats() IS
    'per-query counters of the loaded apps the caller may see (behind siddhi.queries)';
COMMENT ON FUNCTION siddhi.engine_stats() IS
    'per-database engine worker counters: events, busy time, batches';
COMMENT ON VIEW siddhi.apps IS
    'the deployed apps with state, error and source, to members of the owner role and pg_read_all_stats';
COMMENT ON VIEW siddhi.queries IS
    'one row per query of each loaded app in this database: events in and out, errors, lookups, partial matches';
COMMENT ON VIEW siddhi.aggregations IS
    'each incremental aggregation: its app, schema, view and granularity tables (finest first)';

COMMENT ON FUNCTION siddhi.distinct_union(int8[], int8[]) IS
    'merge two distinctCount sketches of an aggregation';
COMMENT ON FUNCTION siddhi.distinct_count(int8[]) IS
    'the distinct count a sketch holds: exact below 1024 values, about 3 % error above';
COMMENT ON FUNCTION siddhi.percentile_union(bytea, bytea) IS
    'merge two percentile sketches (DDSketch, relative error at most 1 %)';
COMMENT ON FUNCTION siddhi.percentile_value(bytea, float8, boolean) IS
    'the percentile a sketch gives for a fraction, as percentile_cont (percentile_disc when disc)';
COMMENT ON FUNCTION siddhi.percentile_sketch_add(internal, float8) IS
    'internal: transition function of siddhi.percentile_sketch';
COMMENT ON FUNCTION siddhi.percentile_sketch_final(internal) IS
    'internal: final function of siddhi.percentile_sketch';
COMMENT ON AGGREGATE siddhi.percentile_sketch(float8) IS
    'a percentile sketch of the values';
COMMENT ON AGGREGATE siddhi.percentile_merge(bytea) IS
    'the merge of percentile sketches';
COMMENT ON FUNCTION siddhi.granularity(text) IS
    'a granularity''s name (sec, min, hour, day, month, year) for any of Siddhi''s spellings';
COMMENT ON FUNCTION siddhi.within_bounds(text) IS
    '[within_start, within_end) in ms of Siddhi''s within string (a time, or a pattern with * fields)';
COMMENT ON FUNCTION siddhi.within_start(text) IS
    'the start in ms of Siddhi''s within string';
COMMENT ON FUNCTION siddhi.within_end(text) IS
    'the end in ms (exclusive) of Siddhi''s within string';
COMMENT ON FUNCTION siddhi.within_start(bigint) IS
    'a within bound given in ms, as it is';
COMMENT ON FUNCTION siddhi.within_start(timestamptz) IS
    'a within bound given as a time, in ms since the epoch';
COMMENT ON FUNCTION siddhi.aggregation(text, bigint, bigint, text, jsonb) IS
    'the buckets of one granularity of an aggregation whose start lies in [within_start, within_end), those whose columns equal on_values when given';
COMMENT ON FUNCTION siddhi.aggregation(text, timestamptz, timestamptz, text) IS
    'the buckets of one granularity of an aggregation whose start lies between two times';
COMMENT ON FUNCTION siddhi.aggregation(text, text, text) IS
    'the buckets of one granularity of an aggregation within Siddhi''s within string';
COMMENT ON FUNCTION siddhi.query(text, text) IS
    'an on-demand query (SiddhiQL or SQL) of an app''s tables, windows and aggregations, each row as jsonb';

COMMENT ON FUNCTION siddhi.sink_stats() IS
    'per-sink counters of the loaded apps the caller may see (behind siddhi.sinks)';
COMMENT ON VIEW siddhi.sinks IS
    'one row per sink of each loaded app in this database: state, queued, in flight, sent, failed, dropped';
COMMENT ON FUNCTION siddhi.replay_errors(text, bigint[]) IS
    'feed records stored in siddhi.errors through their source''s mapper again in the next batch';
COMMENT ON FUNCTION siddhi.source_stats() IS
    'per-source counters of the loaded apps the caller may see (behind siddhi.sources)';
COMMENT ON VIEW siddhi.sources IS
    'one row per source of each loaded app in this database: state, records in, events out, errors, lag';
COMMENT ON VIEW siddhi.source_positions IS
    'the committed position of each part of each source, to who may see the app';
COMMENT ON FUNCTION siddhi.pattern_match_start() IS
    'the time in ms of the first event of the pattern match being output (bounds WITHIN of (P1) AND (P2))';

-- Metrics (issue 16; docs/reference.md "Metrics") ------------------------

-- Each function leaves out what the caller may not see, by the rule of
-- siddhi.queries: the entries of apps (streams: relations) whose owner
-- role the caller is a member of, in the caller's database; all of them
-- to pg_read_all_stats (pg_monitor is one).
CREATE FUNCTION siddhi.query_metrics_data(
    OUT database oid, OUT app text, OUT query text, OUT events_in bigint,
    OUT events_out bigint, OUT errors bigint, OUT events_held bigint,
    OUT groups bigint, OUT partial_matches bigint, OUT keys bigint,
    OUT state_bytes bigint, OUT timed_events bigint,
    OUT timed_seconds float8, OUT partial_matches_dropped bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_query_metrics'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION siddhi.stream_metrics_data(
    OUT database oid, OUT stream text, OUT relid oid, OUT events bigint,
    OUT bytes bigint, OUT ring_wait_seconds float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_stream_metrics'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION siddhi.app_metrics_data(
    OUT database oid, OUT app text, OUT batches bigint,
    OUT batch_commit_seconds float8, OUT event_time_lag_seconds float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_app_metrics'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION siddhi.database_metrics_data(
    OUT database oid, OUT running boolean, OUT events bigint,
    OUT batches bigint, OUT busy_seconds float8, OUT ring_size_bytes bigint,
    OUT ring_used_bytes bigint, OUT pending_bytes bigint,
    OUT ring_wait_seconds float8, OUT ring_fill float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_database_metrics'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION siddhi.histogram_buckets_data(
    OUT database oid, OUT metric text, OUT app text, OUT query text,
    OUT le float8, OUT count bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'siddhi_histogram_buckets'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION siddhi.metrics()
RETURNS text
AS 'MODULE_PATHNAME', 'siddhi_metrics'
LANGUAGE C STRICT VOLATILE;

CREATE VIEW siddhi.query_metrics WITH (security_barrier) AS
    SELECT m.app, m.query, m.events_in, m.events_out, m.errors,
           m.events_held, m.groups, m.partial_matches,
           m.partial_matches_dropped, m.keys, m.state_bytes, m.timed_events,
           m.timed_seconds
      FROM siddhi.query_metrics_data() m
     WHERE m.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());

CREATE VIEW siddhi.stream_metrics WITH (security_barrier) AS
    SELECT m.stream, m.relid::pg_catalog.regclass AS relation, m.events,
           m.bytes, m.ring_wait_seconds
      FROM siddhi.stream_metrics_data() m
     WHERE m.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());

CREATE VIEW siddhi.app_metrics WITH (security_barrier) AS
    SELECT m.app, m.batches, m.batch_commit_seconds,
           m.event_time_lag_seconds
      FROM siddhi.app_metrics_data() m
     WHERE m.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());

-- Every database with an engine slot: the caller's own to anyone, all to
-- pg_read_all_stats (they hold no event data).
CREATE VIEW siddhi.database_metrics WITH (security_barrier) AS
    SELECT d.datname AS database, m.running, m.events, m.batches,
           m.busy_seconds, m.ring_size_bytes, m.ring_used_bytes,
           m.ring_fill, m.pending_bytes, m.ring_wait_seconds
      FROM siddhi.database_metrics_data() m
      LEFT JOIN pg_catalog.pg_database d
             ON d.oid OPERATOR(pg_catalog.=) m.database;

-- Cumulative (le, count) rows of each histogram, as Prometheus has them,
-- so SQL can compute percentiles.
CREATE VIEW siddhi.histogram_buckets WITH (security_barrier) AS
    SELECT m.metric, m.app, m.query, m.le, m.count
      FROM siddhi.histogram_buckets_data() m
     WHERE m.database OPERATOR(pg_catalog.=)
           (SELECT oid FROM pg_catalog.pg_database
             WHERE datname OPERATOR(pg_catalog.=)
                   pg_catalog.current_database());

GRANT SELECT ON siddhi.query_metrics, siddhi.stream_metrics,
    siddhi.app_metrics, siddhi.database_metrics, siddhi.histogram_buckets
    TO PUBLIC, pg_monitor;
GRANT EXECUTE ON FUNCTION siddhi.metrics() TO PUBLIC, pg_monitor;

COMMENT ON FUNCTION siddhi.query_metrics_data() IS
    'per-query metrics the caller may see, every database (behind siddhi.query_metrics)';
COMMENT ON FUNCTION siddhi.stream_metrics_data() IS
    'per-stream metrics the caller may see, every database (behind siddhi.stream_metrics)';
COMMENT ON FUNCTION siddhi.app_metrics_data() IS
    'per-app metrics the caller may see, every database (behind siddhi.app_metrics)';
COMMENT ON FUNCTION siddhi.database_metrics_data() IS
    'per-database engine metrics: own database, or all to pg_read_all_stats (behind siddhi.database_metrics)';
COMMENT ON FUNCTION siddhi.histogram_buckets_data() IS
    'cumulative buckets of the histograms the caller may see (behind siddhi.histogram_buckets)';
COMMENT ON FUNCTION siddhi.metrics() IS
    'every metric the caller may see, as text in the Prometheus exposition format (what /metrics serves)';
COMMENT ON VIEW siddhi.query_metrics IS
    'one row per query in this database: events in and out, errors, state held (events, groups, partial matches, keys, bytes), sampled time';
COMMENT ON VIEW siddhi.stream_metrics IS
    'one row per stream the engine read in this database: events, bytes, time writers waited for ring room';
COMMENT ON VIEW siddhi.app_metrics IS
    'one row per app in this database: batches that fed it, their commit time, event time lag';
COMMENT ON VIEW siddhi.database_metrics IS
    'the engine of each database: events, batches, busy time, ring size and fill, open transactions'' bytes';
COMMENT ON VIEW siddhi.histogram_buckets IS
    'cumulative (le, count) buckets of the query time and app commit histograms in this database, for percentiles';
