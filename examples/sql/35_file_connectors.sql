-- Files in and out (issue 14, "Files"; no roadmap block reads files, so
-- nothing was adapted): a file source tails a CSV file of orders, a query
-- keeps the large ones, and its results go both to a file sink (one CSV
-- line each) and to a table.  Appended lines are followed; the source's
-- position (the file's inode and the byte after the last line) commits
-- with the results, so a restart neither repeats nor skips a line.
-- Setup, as a superuser: file connectors read and write only under
-- siddhi.file_directory (a server setting; a DBA would make the directory
-- and set it in postgresql.conf).  Here: a directory in the data
-- directory, made with COPY .. TO PROGRAM.
CREATE EXTENSION IF NOT EXISTS siddhi;
SELECT current_setting('data_directory') || '/example_files' AS dir \gset
-- run(cmd): a shell command on the server (the example's stand-in for the
-- application writing the file, and for the DBA's mkdir).  It reads the
-- COPY's one line first: a command that exits before COPY has written
-- and closed its pipe makes COPY fail with "Broken pipe"
CREATE FUNCTION pg_temp.run(cmd text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT) TO PROGRAM %L',
                 'cat >/dev/null; cd ' || current_setting('data_directory')
                 || ' && ' || cmd);
END $$;
SELECT pg_temp.run('mkdir -p example_files/in example_files/out');
ALTER SYSTEM SET siddhi.file_directory = :'dir';
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);

-- the orders file as it is when the app starts (an application writes it)
SELECT pg_temp.run('printf "1,IBM,10,150.0\n2,ORCL,500,40.5\n3,IBM,200,151.0\n'
                   '4,MSFT,5,300.0\n" > example_files/in/orders.csv');

CREATE SCHEMA files35;
SET search_path = files35;
SELECT siddhi.deploy('orders_files', $$
  @OnError(action = 'STORE')
  @source(type = 'file', file.uri = 'in/orders.csv', @map(type = 'csv'))
  define stream Orders (id long, sym string, qty int, px double);

  @sink(type = 'file', file.uri = 'out/large_orders.csv', @map(type = 'csv'))
  define stream LargeOrders (id long, sym string, notional double);

  define table LargeOrderLog (id long, sym string, notional double);

  @info(name = 'large')
  from Orders[qty * px >= 10000]
  select id, sym, qty * px as notional insert into LargeOrders;

  @info(name = 'log')
  from LargeOrders select id, sym, notional insert into LargeOrderLog;
$$);

-- wait (at most 10 s) for n rows of LargeOrderLog and n lines sent, and
-- the sink settled (an event leaves its queue once its outbox row's
-- delete commits, a moment after it counts as sent)
CREATE FUNCTION wait_for(n int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..100 LOOP
    IF (SELECT count(*) FROM largeorderlog) >= n
       AND (SELECT sent FROM siddhi.sinks WHERE app = 'orders_files') >= n
       AND (SELECT queued + in_flight FROM siddhi.sinks
             WHERE app = 'orders_files') = 0 THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.1);
  END LOOP;
  RETURN false;
END $$;

SELECT wait_for(2);
SELECT * FROM largeorderlog ORDER BY id;

-- lines appended later are followed (the file is tailed); a malformed one
-- goes to siddhi.errors (@OnError STORE) and the others go on
SELECT pg_temp.run('printf "5,ORCL,1000,41.0\n6,IBM,oops,1\n7,MSFT,50,310.0\n" '
                   '>> example_files/in/orders.csv');
SELECT wait_for(4);
SELECT * FROM largeorderlog ORDER BY id;
SELECT convert_from(payload, 'UTF8') AS line, error
  FROM siddhi.errors WHERE app = 'orders_files';

-- the file sink's output: one CSV line per event, in order
SELECT pg_read_file(:'dir' || '/out/large_orders.csv');

-- the source: 7 lines read (records_in counts the record that carried the
-- file's position too), 1 error; its committed position is the end of
-- the file (part 'file' is the inode, not shown)
SELECT source, type, state, records_in, errors, detail
  FROM siddhi.sources WHERE app = 'orders_files';
SELECT part, CASE WHEN part = 'offset' THEN next END AS next,
       CASE WHEN part = 'offset' THEN next = (pg_stat_file(:'dir' || '/in/orders.csv')).size END AS at_end
  FROM siddhi.source_positions WHERE app = 'orders_files' ORDER BY part;
SELECT sink, type, state, queued, sent, failed FROM siddhi.sinks
 WHERE app = 'orders_files';

SELECT siddhi.undeploy('orders_files');
DELETE FROM siddhi.source_offsets WHERE app = 'orders_files';
DELETE FROM siddhi.errors WHERE app = 'orders_files';
DROP SCHEMA files35 CASCADE;
RESET search_path;
SELECT pg_temp.run('rm -rf example_files');
ALTER SYSTEM RESET siddhi.file_directory;
SELECT pg_reload_conf();
