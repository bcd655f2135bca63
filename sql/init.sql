-- Installing the extension, and the helpers the other tests use.
CREATE EXTENSION siddhi;
SELECT extversion FROM pg_extension WHERE extname = 'siddhi';

-- Wait until a query returns at least "want", or the timeout passes;
-- returns what it saw.  Events are processed asynchronously by the engine
-- worker, within milliseconds.
CREATE FUNCTION wait_for(q text, want bigint, timeout_ms int DEFAULT 20000)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    got bigint;
    waited int := 0;
BEGIN
    LOOP
        EXECUTE q INTO got;
        IF got >= want OR waited >= timeout_ms THEN
            RETURN got;
        END IF;
        PERFORM pg_sleep(0.01);
        waited := waited + 10;
    END LOOP;
END $$;

-- Wait until an app has been started (or failed) by the engine worker.
CREATE FUNCTION wait_app(app text, timeout_ms int DEFAULT 20000)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s text;
    waited int := 0;
BEGIN
    LOOP
        SELECT state INTO s FROM siddhi.apps WHERE name = app;
        IF s IS DISTINCT FROM 'starting' OR waited >= timeout_ms THEN
            RETURN s;
        END IF;
        PERFORM pg_sleep(0.01);
        waited := waited + 10;
    END LOOP;
END $$;
