-- The names of unnamed queries (issue 17).  An unnamed query is
-- query<n>, n its place in the app; when another query took that name
-- with @info(name = ..), the explicit name wins and the unnamed query
-- becomes query<n>_2 (or _3, .. the first free one).  Siddhi 5.1 names it
-- query_<n>_<random uuid>, which cannot clash either; ours are the same
-- at every deploy.

-- the second query is explicitly named query1: the first, unnamed, is
-- query1_2 (this deploy used to fail with "two queries are named query1")
SELECT siddhi.deploy('qn_clash', $$
  define stream QnIn (v int);
  from QnIn[v > 0] select v insert into QnPos;
  @info(name = 'query1')
  from QnIn select v insert into QnAll;
$$);
INSERT INTO qnin VALUES (1), (-1), (2);
SELECT siddhi.flush();
-- query1 (explicit) saw three and passed three; query1_2 (the filter) two
SELECT query, events_in, events_out FROM siddhi.queries
 WHERE app = 'qn_clash' ORDER BY query;

-- the names do not move: redeployed, the same app text gets the same names
SELECT siddhi.undeploy('qn_clash');
SELECT siddhi.deploy('qn_clash', $$
  define stream QnIn (v int);
  from QnIn[v > 0] select v insert into QnPos;
  @info(name = 'query1')
  from QnIn select v insert into QnAll;
$$);
SELECT siddhi.flush();
SELECT query FROM siddhi.queries WHERE app = 'qn_clash' ORDER BY query;
SELECT siddhi.undeploy('qn_clash');

-- a taken suffix is skipped as well; unnamed queries whose query<n> is
-- free keep it (query3), and the names inside a partition count too
SELECT siddhi.deploy('qn_skip', $$
  define stream QnIn2 (k string, v int);
  from QnIn2 select v insert into QnOut1;
  @info(name = 'query1_2')
  from QnIn2 select v insert into QnOut2;
  from QnIn2 select v insert into QnOut3;
  partition with (k of QnIn2)
  begin
    @info(name = 'query1')
    from QnIn2 select k, v insert into QnOut4;
    from QnIn2 select k, v insert into QnOut5;
  end;
$$);
INSERT INTO qnin2 VALUES ('a', 1);
SELECT siddhi.flush();
SELECT query, events_in FROM siddhi.queries
 WHERE app = 'qn_skip' ORDER BY query;
SELECT siddhi.undeploy('qn_skip');

-- streaming SQL: a bare SELECT writes to <app>_<query name>, so the
-- generated name is the name of its output stream
SELECT siddhi.deploy('qn_sql', $$
  CREATE STREAM QnTicks (sym TEXT, px DOUBLE);
  SELECT sym, px FROM QnTicks WHERE px > 10;
  @info(name = 'query1')
  SELECT sym FROM QnTicks;
$$);
SELECT siddhi.subscribe('qn_sql_query1_2');
SELECT siddhi.subscribe('qn_sql_query1');
INSERT INTO qnticks VALUES ('A', 5), ('B', 50);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('qn_sql_query1_2', 10, 0) ORDER BY seq;
SELECT event FROM siddhi.poll('qn_sql_query1', 10, 0) ORDER BY seq;
SELECT query FROM siddhi.queries WHERE app = 'qn_sql' ORDER BY query;
SELECT siddhi.undeploy('qn_sql');

-- two queries the user named alike are still refused
SELECT siddhi.deploy('qn_dup', $$
  define stream QnIn3 (v int);
  @info(name = 'same') from QnIn3 select v insert into QnO1;
  @info(name = 'same') from QnIn3 select v insert into QnO2;
$$);
