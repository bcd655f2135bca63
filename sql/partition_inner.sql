-- Inner streams read by a join side and by pattern and sequence states, as
-- Siddhi's JoinPartitionTestCase and PatternPartitionTestCase do: each key
-- joins and matches its own events of #S.  All in playback: ts is each
-- event's time.

-- a join of an inner stream with a stream the partition does not divide
-- (which reaches every key), all events: each key's matches, then, as the
-- windows' 1 sec passes, the same pairs as expired events
SELECT count(*) FROM siddhi.deploy('pin_join', $$
  @app:playback
  @eventTime('ts') define stream PinCse (ts long, symbol string, user string, volume int);
  @eventTime('ts') define stream PinTweets (ts long, user string, tweet string, company string);
  partition with (user of PinCse)
  begin
    from PinCse select ts, symbol, user, sum(volume) as volume
    insert all events into #CseInner;
    @info(name = 'joined')
    from #CseInner#window.time(1 sec) join PinTweets#window.time(1 sec)
      on PinTweets.company == #CseInner.symbol
    select #CseInner.user as user, PinTweets.tweet as tweet, PinTweets.company,
           #CseInner.volume, CseInner.symbol
    insert all events into PinOut;
  end;
$$);
SELECT siddhi.subscribe('pinout');
INSERT INTO pincse VALUES (1000, 'WSO2', 'User1', 200);
INSERT INTO pincse VALUES (1100, 'IBM', 'User2', 500);
INSERT INTO pintweets VALUES (1200, 'User1', 'Hello World', 'WSO2');
INSERT INTO pintweets VALUES (1300, 'User1', 'Hello World', 'IBM');
INSERT INTO pintweets VALUES (1400, 'User3', 'Hello World', 'GOOG');
SELECT siddhi.flush();
SELECT siddhi.advance_clock(5000);
SELECT siddhi.flush();
SELECT event_time, expired, event FROM siddhi.poll('pinout', 20, 0) ORDER BY seq;
SELECT query, events_out, errors FROM siddhi.queries WHERE app = 'pin_join' ORDER BY query;
SELECT siddhi.undeploy('pin_join');

-- the inner stream on the right, and on both sides
SELECT count(*) FROM siddhi.deploy('pin_join2', $$
  @app:playback
  @eventTime('ts') define stream PinOrders (ts long, cust string, amount int);
  @eventTime('ts') define stream PinPays (ts long, cust string, paid int);
  partition with (cust of PinOrders, cust of PinPays)
  begin
    from PinOrders[amount > 0] select ts, cust, amount insert into #Big;
    from PinPays select ts, cust, paid insert into #Paid;
    @info(name = 'right_inner')
    from PinOrders#window.length(3) join #Paid#window.length(3)
      on PinOrders.amount == #Paid.paid
    select PinOrders.cust, PinOrders.amount, #Paid.paid insert into PinRight;
    @info(name = 'both_inner')
    from #Big#window.length(3) as o join #Paid#window.length(3) as p
      on o.amount == p.paid
    select o.cust, o.amount, p.paid insert into PinBoth;
  end;
$$);
SELECT siddhi.subscribe('pinright'), siddhi.subscribe('pinboth');
INSERT INTO pinorders VALUES (1000, 'a', 10), (1001, 'b', 10), (1002, 'a', 20);
INSERT INTO pinpays VALUES (1003, 'a', 10), (1004, 'b', 20), (1005, 'b', 10);
SELECT siddhi.flush();
-- a paid 10 for its 10; b's 20 has no order of b; b paid 10 for its 10
SELECT event FROM siddhi.poll('pinright', 20, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('pinboth', 20, 0) ORDER BY seq;
SELECT siddhi.undeploy('pin_join2');

-- patterns and sequences over inner streams
SELECT count(*) FROM siddhi.deploy('pin_pat', $$
  @app:playback
  @eventTime('ts') define stream PinStream1 (ts long, symbol string, price float, volume int);
  @eventTime('ts') define stream PinStream2 (ts long, symbol string, price float, volume int);
  partition with (volume of PinStream1, volume of PinStream2)
  begin
    from PinStream1 select ts, symbol, price insert into #PinStream1;
    from PinStream2 select ts, symbol, price insert into #S2;
    -- the first state reads the inner stream #PinStream1, not PinStream1
    @info(name = 'first_inner')
    from e1=#PinStream1[price > 20] -> e2=PinStream2[price > e1.price]
    select e1.symbol as symbol1, e2.symbol as symbol2 insert into PinPat1;
    @info(name = 'second_inner')
    from every e1=PinStream1[price > 20] -> e2=#S2[price > e1.price]
    select e1.symbol as symbol1, e2.symbol as symbol2,
           eventTimestamp(e2) - eventTimestamp(e1) as took
    insert into PinPat2;
    @info(name = 'sequence_inner')
    from every e1=#PinStream1, e2=#S2
    select e1.symbol as symbol1, e2.symbol as symbol2 insert into PinSeq;
  end;
$$);
SELECT siddhi.subscribe('pinpat1'), siddhi.subscribe('pinpat2'), siddhi.subscribe('pinseq');
INSERT INTO pinstream1 VALUES (1000, 'WSO2', 55.6, 100);
INSERT INTO pinstream2 VALUES (1100, 'IBM', 55.7, 100);
INSERT INTO pinstream1 VALUES (1200, 'ORCL', 60, 200);
INSERT INTO pinstream2 VALUES (1300, 'MSFT', 70, 100);
INSERT INTO pinstream2 VALUES (1500, 'GOOG', 61, 200);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('pinpat1', 20, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('pinpat2', 20, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('pinseq', 20, 0) ORDER BY seq;
SELECT query, events_out, errors FROM siddhi.queries WHERE app = 'pin_pat' ORDER BY query;
SELECT siddhi.undeploy('pin_pat');

-- refused
-- an inner stream outside a partition
SELECT siddhi.deploy('pin_bad1', $$
  define stream A (x int);
  define stream B (x int);
  from A#window.length(1) join #B#window.length(1) on A.x == #B.x
  select A.x insert into PinBad;
$$);
-- an inner stream no query of the partition writes
SELECT siddhi.deploy('pin_bad2', $$
  define stream A (x int);
  partition with (x of A)
  begin
    from e1=A -> e2=#Nowhere select e1.x insert into PinBad;
  end;
$$);
-- #S alone is no attribute
SELECT siddhi.deploy('pin_bad3', $$
  define stream A (x int);
  partition with (x of A)
  begin
    from A select x insert into #I;
    from #I select #I as y insert into PinBad;
  end;
$$);
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'pin%';
