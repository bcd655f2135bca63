--
-- The SiddhiQL front end: siddhi.parse() prints the tree.  Expressions
-- are PostgreSQL raw parse nodes; "@n" and ":location n" are byte offsets
-- into the app text.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS siddhi;
RESET client_min_messages;
\set VERBOSITY default
\pset format unaligned
\pset tuples_only on

-- annotations, comments, stream definitions and every attribute type
SELECT siddhi.parse($$
-- a line comment
@App:name('StockApp')
@app:playback(idle.time = '100 millisecond', increment='2 sec')
/* a block
   comment */
@source(type='http', receiver.url='http://x', @map(type='json', @attributes(sym='$.s')))
define stream StockStream (Symbol string, b int, c long, d float, e double, f bool, g object);
$$);

-- tables with keys, named windows, triggers
SELECT siddhi.parse($$
@PrimaryKey('Symbol', 'b') @Index('C') @index('d')
define table StockTable (Symbol string, b int, C long, d double);
define window W1 (a int) timeBatch(1 sec, 0) output expired events;
define window W2 (a int) unique:length(a, 5);
define trigger T1 at 'start';
define trigger T2 at every 1 min and 30 sec;
define trigger T3 at '*/5 * * * * ?';
$$);

-- aggregations and script functions
SELECT siddhi.parse($$
define aggregation TradeAgg
  from Trades[price > 0]
  select symbol, avg(price) as avgPrice, sum(volume) as total
  group by symbol
  aggregate by ts every sec ... year;
define aggregation A2 from S select sum(x) as s aggregate every min, hour, day;
define function concatFn[javascript] return string {
    var r = data[0] + data[1]; if (r == '}') { return "{"; } return r;
};
$$);

-- queries: handlers in order, aliases, inner and fault streams, output rate
SELECT siddhi.parse($$
@info(name = 'q1')
from StockStream[price > 10]#window.unique:time(symbol, 1 sec)#log('seen')[volume is null]#str:tokenize(symbol) as s
select * output last every 5 events
insert expired events into #Inner;
from #Inner output first every 1 min insert all events into Out;
from !StockStream output snapshot every 2 sec insert current events into Faults;
from StockStream insert into Copy;
$$);

-- selector clauses
SELECT siddhi.parse($$
from S#window.length(10)
select symbol as Sym, count() as n, avg(price) as ap
group by symbol, volume
having ap > 5.5
order by ap desc, Sym asc, n
limit 10 offset 2
return;
$$);

-- table operations; the set column's table qualifier is dropped
SELECT siddhi.parse($$
from D delete T for expired events on T.symbol == symbol;
from U update T set T.price = price, volume = 0 on T.symbol == symbol;
from U update T on T.symbol == symbol;
from V output all every 3 events update or insert into T for all events set T.price = price on T.symbol == symbol;
from R return expired events;
$$);

-- joins
SELECT siddhi.parse($$
from A#window.length(5) unidirectional as a left outer join B#window.time(1 sec) as b
  on a.x == b.x select a.x, b.y insert into O1;
from A as a join T on a.x == T.x insert into O2;
from A inner join B as b unidirectional insert into O3;
from A right outer join B on true insert into O4;
from A full outer join B on true insert into O5;
from S join Agg on S.k == Agg.k within 1496289950000L, 1496290016000L per 'days' select * insert into O6;
from S join Agg within 2 hours per S.per insert into O7;
$$);

-- partitions
SELECT siddhi.parse($$
@purge(enable='true', interval='1 sec', idle.period='15 sec')
partition with (symbol of S1, user of S2)
begin
  @info(name='p1') from S1 select symbol insert into #I;
  from #I insert into O
end;
partition with (price >= 100 as 'large' or price < 100 and price > 10 as 'small' of S)
begin
  from S select * insert into O;
end;
$$);

-- literals, time constants and unary minus
SELECT siddhi.parse($$
from S select 10 as i, -5 as ni, 10L as l, -10L as nl, 3000000000 as big,
  1.5 as db, 1.5d as dd, -1.5f as f, 1e3 as e, 'single' as s1, "double" as s2,
  """multi
line""" as s3, true as t, FALSE as ff, null as n,
  5 sec as t1, 1 min and 30 sec as t2, 2 hours as t3, 1 year as t4, 1 month as t5,
  1 week as t6, 3 days as t7, 10 milliseconds as t8, 2 millisec as t9, -(a) as neg
insert into O;
$$);

-- operators and precedence
SELECT siddhi.parse($$
from S[not a == b or c and d in T and e != f]
select a + b * c - d / e % f as arith, a < b as lt, a <= b as le, a > b as gt,
  a >= b as ge, (a + b) * c as paren, a is null as isnull, -a * b as negmul
insert into O;
$$);

-- attribute references, including pattern event indexes
SELECT siddhi.parse($$
from S[e1.a == e1[0].a and e1[last].a < e1[last - 1].a and S.b > 0] return;
$$);

-- functions mapped to PostgreSQL constructs, and plain calls
SELECT siddhi.parse($$
from S select ifThenElse(a > 1, 'x', 'y') as i, coalesce(a, b, c) as c,
  default(a, 0) as d, convert(a, 'long') as cv, cast(a, 'String') as cs,
  maximum(1, 2, 3) as mx, minimum(a, b) as mn, instanceOfLong(a) as il,
  instanceOfString(a) as isx, UUID() as u, currentTimeMillis() as now,
  eventTimestamp() as et, count() as n, count(a) as na, distinctCount(a) as dc,
  str:concat(A, B) as sc, Math:Abs(a) as ab
insert into O;
$$);

-- backquoted names keep their case
SELECT siddhi.parse($$
from S select `My Col` as `Out Col` insert into `OutStream`;
$$);

--
-- errors: message, line and column, caret
--
-- missing semicolon between statements
SELECT siddhi.parse($$define stream S (a int)
define stream T (b int);$$);
-- unknown attribute type
SELECT siddhi.parse($$define stream S (a integer);$$);
-- = instead of ==
SELECT siddhi.parse($$from S[a = 1] insert into O;$$);
-- no output action, at end of input
SELECT siddhi.parse($$from S select a$$);
-- missing operand, on the second line
SELECT siddhi.parse($$define stream S (a int);
from S[a > ] insert into O;$$);
-- string not closed on its line
SELECT siddhi.parse($$from S[a == 'abc
] insert into O;$$);
-- comment not closed
SELECT siddhi.parse($$define stream S (a int); /* no end$$);
-- triple-quoted string not closed
SELECT siddhi.parse($$from S select """abc insert into O;$$);
-- function body not closed
SELECT siddhi.parse($$define function f[javascript] return string { return 1;$$);
-- cast to an unknown type
SELECT siddhi.parse($$from S select convert(a, 'date') as d insert into O;$$);
-- cast type not given as a string
SELECT siddhi.parse($$from S select cast(a, b) as d insert into O;$$);
-- wrong number of arguments for a mapped function
SELECT siddhi.parse($$from S select ifThenElse(a, 1) insert into O;$$);
-- patterns and sequences
SELECT siddhi.parse($$from every e1=A -> e2=B select * insert into O;$$);
SELECT siddhi.parse($$from e1=A[x > 1] -> e2=B select * insert into O;$$);
SELECT siddhi.parse($$from A, B select * insert into O;$$);
SELECT siddhi.parse($$from e1=A<2:5> -> e2=B<3:> -> e3=C<:4> -> e4=D<2> select * insert into O;$$);
SELECT siddhi.parse($$from e1=A and e2=B -> not C for 2 sec or e3=D within 1 min select * insert into O;$$);
SELECT siddhi.parse($$from every (e1=A -> every e2=B) -> e3=C select * insert into O;$$);
SELECT siddhi.parse($$from e1=A+, e2=B*, e3=C?, e4=D<1:2> select * insert into O;$$);
-- errors
SELECT siddhi.parse($$from e1=A -> e2=B, e3=C select * insert into O;$$);
SELECT siddhi.parse($$from e1=A<3:2> -> e2=B select * insert into O;$$);
SELECT siddhi.parse($$from (e1=A -> e2=B within 1 sec) -> e3=C select * insert into O;$$);
SELECT siddhi.parse($$from e1=A and e2=B and e3=C select * insert into O;$$);
SELECT siddhi.parse($$from e1=A<2:3> and e2=B select * insert into O;$$);
-- unknown definition kind
SELECT siddhi.parse($$define foo S (a int);$$);
-- an annotation with nothing after it
SELECT siddhi.parse($$@info(name='x')$$);
-- unclosed window call
SELECT siddhi.parse($$from S#window.length(5 insert into O;$$);
-- output rate without a unit
SELECT siddhi.parse($$from S output every 5 insert into O;$$);
-- table operation without a condition
SELECT siddhi.parse($$from S delete T;$$);
-- stray text after a statement
SELECT siddhi.parse($$from S insert into O; garbage$$);
-- unidirectional outside a join, and on both sides
SELECT siddhi.parse($$from S unidirectional insert into O;$$);
SELECT siddhi.parse($$from A#window.length(1) unidirectional join B unidirectional insert into O;$$);
-- bad event index
SELECT siddhi.parse($$from S[a == e1[first].x] insert into O;$$);
-- a character that is not SiddhiQL
SELECT siddhi.parse($$define stream S (a int); $ $$);
-- integer too large for long
SELECT siddhi.parse($$from S select 99999999999999999999 as x insert into O;$$);
-- a trigger that never fires
SELECT siddhi.parse($$define trigger t at every 0 sec;$$);
-- a window definition without its window
SELECT siddhi.parse($$define window W (a int) output all events;$$);
-- aggregation range backwards
SELECT siddhi.parse($$define aggregation A from S select a aggregate every min ... sec;$$);
-- granularity that aggregations do not have
SELECT siddhi.parse($$define aggregation A from S select a aggregate every week;$$);
-- empty partition
SELECT siddhi.parse($$partition with (a of S) begin end;$$);
-- @app annotation inside a partition
SELECT siddhi.parse($$partition with (a of S) begin @app:name('x') from S insert into O; end;$$);
-- two primary keys
SELECT siddhi.parse($$@PrimaryKey('a') @PrimaryKey('b') define table T (a int, b int);$$);
-- a keyword where an operand belongs
SELECT siddhi.parse($$from S select a, from insert into O;$$);
-- an empty app is an empty tree, not an error
SELECT siddhi.parse($$ -- nothing here
$$);
