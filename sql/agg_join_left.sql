-- An incremental aggregation on the left of a join with a stream (issue
-- 17): Siddhi 5.1 deploys `from Agg join S`, then fails on every event of
-- S and outputs nothing; we refuse it at deploy, with the form to write.

-- SiddhiQL: the aggregation on the left is refused at its name
SELECT siddhi.deploy('ajl_siddhiql', $$
define stream AjlSales (shop string, amount long, ts long);
define stream AjlLookups (shop string, per string, lo long, hi long);
@purge(enable = 'false')
define aggregation AjlAgg
from AjlSales select shop, sum(amount) as total group by shop
aggregate by ts every sec ... year;
from AjlAgg as a join AjlLookups as l
on l.shop == a.shop
within l.lo, l.hi
per l.per
select l.shop as shop, a.total as total
insert into AjlFound;
$$);
-- the SQL dialect: the same
SELECT siddhi.deploy('ajl_sql', $$
  CREATE STREAM AjlSales2 (shop TEXT, amount BIGINT, ts BIGINT);
  CREATE STREAM AjlLookups2 (shop TEXT, per TEXT, lo BIGINT, hi BIGINT);
  CREATE AGGREGATION AjlAgg2 WITH (by = 'ts', granularity = 'second ... year',
                                   purge = 'false') AS
    SELECT shop, sum(amount) AS total FROM AjlSales2 GROUP BY shop;
  INSERT INTO AjlFound2
  SELECT l.shop, a.total FROM AjlAgg2 AS a JOIN AjlLookups2 AS l ON l.shop = a.shop
  WITHIN l.lo, l.hi PER l.per;
$$);
-- with the stream on the left it deploys and reads the buckets
SELECT siddhi.deploy('ajl_ok', $$
  @app:playback
  CREATE STREAM AjlSales3 (shop TEXT, amount BIGINT, ts BIGINT) WITH (event_time = 'ts');
  CREATE STREAM AjlLookups3 (shop TEXT, per TEXT, lo BIGINT, hi BIGINT);
  CREATE AGGREGATION AjlAgg3 WITH (by = 'ts', granularity = 'second ... year',
                                   purge = 'false') AS
    SELECT shop, sum(amount) AS total FROM AjlSales3 GROUP BY shop;
  INSERT INTO AjlFound3
  SELECT l.shop, a.total FROM AjlLookups3 AS l JOIN AjlAgg3 AS a ON l.shop = a.shop
  WITHIN l.lo, l.hi PER l.per;
$$);
SELECT siddhi.subscribe('ajlfound3');
INSERT INTO ajlsales3 VALUES ('north', 5, 1577876400000), ('north', 7, 1577876400500);
SELECT siddhi.flush();
INSERT INTO ajllookups3 VALUES ('north', 'hours', 1577836800000, 1577923200000);
SELECT siddhi.flush();
SELECT event FROM siddhi.poll('ajlfound3', 10, 0) ORDER BY seq;
SELECT siddhi.undeploy('ajl_ok', drop_tables => true);
