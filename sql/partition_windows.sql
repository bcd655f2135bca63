-- Named windows inside a partition (Siddhi's TimeBatchWindowTestCase 9):
-- a partition may divide a named window as it divides a stream, and its
-- queries read one.  In playback.

-- the window divided by symbol: each key's query sees its own events of
-- each batch (current, and the previous batch's as expired)
SELECT count(*) FROM siddhi.deploy('nwp', $$
  @app:playback
  @eventTime('ts') define stream NwIn (ts long, symbol string, price double, volume int);
  define window NwCache (ts long, symbol string, price double, volume int) timeBatch(3 sec);
  partition with (symbol of NwIn, symbol of NwCache)
  begin
    from NwIn select * insert into NwCache;
    from NwCache select ts, symbol, count() as n insert all events into NwOut;
  end;
$$);
SELECT siddhi.subscribe('nwout');
INSERT INTO nwin VALUES (1000, 'IBM', 700, 0), (1001, 'WSO2', 60.5, 1);
INSERT INTO nwin VALUES (5500, 'WSO2', 60.5, 1), (5501, 'II', 60.5, 1);
INSERT INTO nwin VALUES (8500, 'TT', 60.5, 1), (8501, 'YY', 60.5, 1);
SELECT siddhi.advance_clock(20000);
SELECT siddhi.flush();
SELECT expired, event FROM siddhi.poll('nwout', 30, 0) ORDER BY seq;
SELECT query, events_in, events_out, errors FROM siddhi.queries WHERE app = 'nwp' ORDER BY query;
SELECT siddhi.undeploy('nwp');

-- a window the partition does not divide reaches every key there is
SELECT count(*) FROM siddhi.deploy('nwp2', $$
  @app:playback
  @eventTime('ts') define stream NwIn2 (ts long, symbol string, price double);
  define window NwAll (ts long, symbol string, price double) length(5);
  partition with (symbol of NwIn2)
  begin
    from NwIn2 select ts, symbol, price insert into NwAll;
    from NwAll select symbol as seen, count() as n insert into NwOut2;
  end;
$$);
SELECT siddhi.subscribe('nwout2');
INSERT INTO nwin2 VALUES (1000, 'a', 1);
INSERT INTO nwin2 VALUES (1001, 'b', 2);
INSERT INTO nwin2 VALUES (1002, 'a', 3);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('nwout2', 20, 0) ORDER BY seq;
SELECT siddhi.undeploy('nwp2');

-- still refused: a join with a named window inside a partition
SELECT siddhi.deploy('nwp_bad', $$
  define stream NwS (k int);
  define window NwW (k int) length(2);
  partition with (k of NwS)
  begin
    from NwS join NwW on NwS.k == NwW.k select NwS.k insert into NwBad;
  end;
$$);
