-- The fuzz harness's tables and functions (test/fuzz/run.sh loads them).
CREATE EXTENSION IF NOT EXISTS siddhi;
CREATE SCHEMA fuzz;
CREATE TABLE fuzz.input (id int PRIMARY KEY, dialect text, origin text,
                         deploy boolean, src text);
CREATE UNLOGGED TABLE fuzz.result (id int, phase text, sqlstate text,
                                   us bigint, len int, message text);

-- One input: siddhi.parse() in its own subtransaction, then (for a sample)
-- siddhi.deploy() in a subtransaction that is always rolled back.  Each
-- call is one statement of its own, so statement_timeout bounds it.
CREATE FUNCTION fuzz.one(i int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r fuzz.input;
    t0 timestamptz;
    st text;
    msg text;
BEGIN
    SELECT * INTO r FROM fuzz.input WHERE id = i;
    t0 := clock_timestamp();
    BEGIN
        PERFORM siddhi.parse(r.src);
        st := '00000';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    INSERT INTO fuzz.result VALUES (i, 'parse', st,
        (extract(epoch FROM clock_timestamp() - t0) * 1e6)::bigint,
        octet_length(r.src),
        CASE WHEN st ~ '^(XX|5|P0)' THEN left(msg, 200) END);
    IF r.deploy THEN
        msg := NULL;
        t0 := clock_timestamp();
        BEGIN
            PERFORM siddhi.deploy('fz' || i, r.src);
            RAISE EXCEPTION USING ERRCODE = 'FZ000';   -- roll it back
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE,
                                    msg = MESSAGE_TEXT;
        END;
        IF st = 'FZ000' THEN
            st := '00000';
        END IF;
        INSERT INTO fuzz.result VALUES (i, 'deploy', st,
            (extract(epoch FROM clock_timestamp() - t0) * 1e6)::bigint,
            octet_length(r.src),
            CASE WHEN st ~ '^(XX|5|P0)' THEN left(msg, 200) END);
    END IF;
END $$;

-- Time (microseconds) of one parse or deploy of a given text, and the
-- length of what siddhi.parse() printed; for the growth test.
CREATE FUNCTION fuzz.timed(src text, deploy boolean,
                           OUT us bigint, OUT state text, OUT outlen int)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
    o text;
BEGIN
    state := '00000';
    BEGIN
        IF deploy THEN
            PERFORM siddhi.deploy('fzgrowth', src);
            RAISE EXCEPTION USING ERRCODE = 'FZ000';
        ELSE
            o := siddhi.parse(src);
            outlen := length(o);
        END IF;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        IF state = 'FZ000' THEN
            state := '00000';
        END IF;
    END;
    us := (extract(epoch FROM clock_timestamp() - t0) * 1e6)::bigint;
END $$;

-- The backend's peak resident memory so far, in kB (Linux).
CREATE FUNCTION fuzz.peak_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/self/status'),
                         'VmHWM:\s*(\d+)'))[1]::bigint
$$;
