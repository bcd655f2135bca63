-- Queries in a loop: an event a query outputs comes back, through other
-- queries, into the query itself while it is still working on the event
-- that caused it.  It waits until the query is done with that event, then
-- goes through it as any event does (src/runtime/README.md, "Loops").
-- Before, it went through at once: into a window in the middle of
-- handing an event out (an expired event freed twice, until the chain's
-- depth limit stopped it), and over the query's output row that the
-- rest of the chain had not read yet.

-- a length window's output comes back into its input: every value the
-- loop makes reaches the table once (before: 1, 5, 5, 5, 5)
SELECT siddhi.deploy('loop1', $$
  define stream LoopA (x long);
  define stream LoopB (x long);
  define table LoopOut (x long);
  from LoopA#window.length(2) select x + 1 as x insert into LoopB;
  from LoopB[x < 6] select x insert into LoopA;
  from LoopA select x insert into LoopOut;
$$);
INSERT INTO loopa VALUES (1);
SELECT siddhi.flush();
SELECT x FROM loopout ORDER BY x;
SELECT siddhi.undeploy('loop1');

-- an expired event comes back into the window that is expiring it: it
-- enters after the expiry, as Siddhi's window (which updates its events
-- before it hands them out) has it (before: 32 rows of 2, the oldest
-- event freed at each)
SELECT siddhi.deploy('loop2', $$
  define stream LoopC (x long);
  define stream LoopD (x long);
  define table LoopOut2 (x long);
  from LoopC#window.length(1) select x + 1 as x insert expired events into LoopD;
  from LoopD[x < 8] select x insert into LoopC;
  from LoopC select x insert into LoopOut2;
$$);
INSERT INTO loopc VALUES (1), (10), (20);
SELECT siddhi.flush();
SELECT x FROM loopout2 ORDER BY x;
SELECT query, errors FROM siddhi.query_metrics WHERE app = 'loop2' ORDER BY query;
SELECT siddhi.undeploy('loop2');

-- the same through a named window
SELECT siddhi.deploy('loop3', $$
  define stream LoopE (x long);
  define window LoopW (x long) length(1) output all events;
  define stream LoopF (x long);
  define table LoopOut3 (x long);
  from LoopE insert into LoopW;
  from LoopW select x + 1 as x insert expired events into LoopF;
  from LoopF[x < 8] select x insert into LoopW;
  from LoopW select x insert into LoopOut3;
$$);
INSERT INTO loope VALUES (1), (10), (20);
SELECT siddhi.flush();
SELECT x FROM loopout3 ORDER BY x;
SELECT siddhi.undeploy('loop3');

-- the same inside a partition, through its inner streams, each key on
-- its own (before: the 2 of key a 32 times)
SELECT siddhi.deploy('loop5', $$
  define stream LoopP (sym string, x long);
  define table LoopOut5 (sym string, x long);
  partition with (sym of LoopP)
  begin
    from LoopP select sym, x insert into #Inner;
    from #Inner#window.length(1) select sym, x + 1 as x
      insert expired events into #Inner2;
    from #Inner2[x < 22] select sym, x insert into #Inner;
    from #Inner select sym, x insert into LoopOut5;
  end;
$$);
INSERT INTO loopp VALUES ('a', 1), ('b', 10), ('a', 20);
SELECT siddhi.flush();
SELECT sym, x FROM loopout5 ORDER BY sym, x;
SELECT siddhi.undeploy('loop5');

-- a loop that never ends stops at the depth limit, as an error of the
-- query it reached, and the events before it stay
SELECT siddhi.deploy('loop4', $$
  define stream LoopG (x long);
  define stream LoopH (x long);
  define table LoopOut4 (x long);
  from LoopG#window.length(3) select x + 1 as x insert into LoopH;
  from LoopH select x insert into LoopG;
  from LoopG select x insert into LoopOut4;
$$);
INSERT INTO loopg VALUES (1);
SELECT siddhi.flush();
SELECT count(*) AS rows, min(x), max(x) FROM loopout4;
SELECT query, errors > 0 AS stopped FROM siddhi.query_metrics
  WHERE app = 'loop4' ORDER BY query;
SELECT siddhi.undeploy('loop4');

-- two events loop back into a named window; the first fails there (its
-- time is null): it is skipped, logged as the window's error, and the
-- second still goes through, in the same batch (before, the error went
-- to the sender and the second waited for the window's next event, in
-- the next batch, which dropped it)
SELECT siddhi.deploy('loop6', $$
  define stream LoopQ (x long, ts long, n long);
  define window LoopV (x long, ts long, n long) externalTime(ts, 1 sec);
  define stream LoopR (x long, ts long, n long);
  define table LoopOut6 (x long);
  from LoopQ insert into LoopV;
  from LoopV[x == 1] select 2L as x, n as ts, n insert into LoopR;
  from LoopV[x == 1] select 3L as x, ts, n insert into LoopR;
  from LoopR insert into LoopV;
  from LoopV select x insert into LoopOut6;
$$);
INSERT INTO loopq VALUES (1, 100, NULL);
SELECT siddhi.flush();
INSERT INTO loopq VALUES (5, 200, 1);
SELECT siddhi.flush();
SELECT x FROM loopout6 ORDER BY x;
SELECT query, errors FROM siddhi.query_metrics WHERE app = 'loop6' AND errors > 0 ORDER BY query;
SELECT siddhi.undeploy('loop6');
