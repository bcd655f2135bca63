-- Named windows inside a partition (Siddhi's TimeBatchWindowTestCase 9):
-- a partition may divide a named window as it divides a stream, and its
-- queries read and join one.  In playback.

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

-- a join with a named window: each key's own window of NjS against the
-- shared named window, whose arrivals reach every key; and the window on
-- the left
SELECT count(*) FROM siddhi.deploy('nwj', $$
  @app:playback
  @eventTime('ts') define stream NjS (ts long, k int, v int);
  @eventTime('ts') define stream NjW (ts long, k int, w int);
  define window NjWin (ts long, k int, w int) length(3);
  from NjW insert into NjWin;
  partition with (k of NjS)
  begin
    @info(name = 'right')
    from NjS#window.length(2) join NjWin on NjS.k == NjWin.k
    select NjS.k, NjS.v, NjWin.w insert into NjOut;
    @info(name = 'left')
    from NjWin join NjS#window.length(2) on NjS.k == NjWin.k
    select NjS.k, NjS.v, NjWin.w insert into NjOut2;
  end;
$$);
SELECT siddhi.subscribe('njout'), siddhi.subscribe('njout2');
INSERT INTO njw VALUES (1000, 1, 100), (1001, 2, 200);
INSERT INTO njs VALUES (1002, 1, 10), (1003, 2, 20), (1004, 1, 11);
INSERT INTO njw VALUES (1005, 1, 101);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('njout', 20, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('njout2', 20, 0) ORDER BY seq;
SELECT query, events_in, events_out, errors FROM siddhi.queries WHERE app = 'nwj' ORDER BY query;
SELECT siddhi.undeploy('nwj');
