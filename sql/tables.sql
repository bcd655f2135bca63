-- Queries that change tables: delete, update, update or insert, and
-- `cond in T` filters.  Each runs at once, in event order, inside the
-- batch's transaction.
SELECT siddhi.deploy('tbl_stock_ops', $$
  define stream TblTrades (symbol string, price double, volume long);
  define stream TblDeletes (symbol string);
  define stream TblUpdates (symbol string, price double);
  define stream TblUpserts (symbol string, price double, volume long);
  @PrimaryKey('symbol')
  define table TblStock (symbol string, price double, volume long);
  from TblTrades insert into TblStock;
  from TblDeletes delete TblStock on TblStock.symbol == symbol;
  from TblUpdates update TblStock set TblStock.price = price on TblStock.symbol == symbol;
  from TblUpserts update or insert into TblStock
    set TblStock.price = price, TblStock.volume = TblStock.volume + volume
    on TblStock.symbol == symbol;
$$);
INSERT INTO tbltrades VALUES ('A', 10, 100), ('B', 20, 200), ('C', 30, 300);
SELECT siddhi.flush();
SELECT * FROM tblstock ORDER BY symbol;
INSERT INTO tbldeletes VALUES ('B');
INSERT INTO tblupdates VALUES ('A', 11), ('Z', 99);
SELECT siddhi.flush();
-- B is gone, A updated; Z matched nothing
SELECT * FROM tblstock ORDER BY symbol;
-- upsert: C exists (updated, volume added), D does not (inserted)
INSERT INTO tblupserts VALUES ('C', 31, 1), ('D', 40, 400), ('D', 41, 1);
SELECT siddhi.flush();
SELECT * FROM tblstock ORDER BY symbol;

-- order within one batch: a later event sees an earlier one's effect
BEGIN;
INSERT INTO tbltrades VALUES ('E', 50, 500);
INSERT INTO tblupdates VALUES ('E', 51);
INSERT INTO tbldeletes VALUES ('A');
INSERT INTO tbltrades VALUES ('A', 12, 120);
COMMIT;
SELECT siddhi.flush();
SELECT * FROM tblstock ORDER BY symbol;

-- membership filters: S[cond in T], and not in T
SELECT siddhi.deploy('tbl_watch', $$
  define stream TblOrders (symbol string, qty int);
  define table TblStock (symbol string, price double, volume long);
  define table TblKnown (symbol string, qty int);
  define table TblUnknown (symbol string, qty int);
  from TblOrders[symbol == TblStock.symbol in TblStock] insert into TblKnown;
  from TblOrders[not (symbol == TblStock.symbol in TblStock) and qty > 0]
  insert into TblUnknown;
$$);
INSERT INTO tblorders VALUES ('A', 1), ('Q', 2), ('D', 3), ('R', 0);
SELECT siddhi.flush();
SELECT * FROM tblknown ORDER BY symbol;
SELECT * FROM tblunknown ORDER BY symbol;

-- for expired events: what leaves a window tbldeletes its row
SELECT siddhi.deploy('tbl_recent', $$
  define stream TblSeen (id int);
  define table TblLatest (id int);
  from TblSeen insert into TblLatest;
  from TblSeen#window.length(2) delete TblLatest for expired events
    on TblLatest.id == id;
$$);
INSERT INTO tblseen VALUES (1), (2), (3), (4);
SELECT siddhi.flush();
SELECT * FROM tbllatest ORDER BY id;

-- a unique violation skips the event for that query only, and is counted
SELECT siddhi.deploy('tbl_clash', $$
  define stream TblRenames (old string, new string);
  define table TblStock (symbol string, price double, volume long);
  from TblRenames update TblStock set TblStock.symbol = new on TblStock.symbol == old;
$$);
INSERT INTO tblrenames VALUES ('A', 'C'), ('E', 'F');
SELECT siddhi.flush();
SELECT * FROM tblstock ORDER BY symbol;
SELECT query, errors FROM siddhi.queries WHERE app = 'tbl_clash';

-- errors
SELECT siddhi.deploy('bad1', $$
  define stream S (a int);
  from S delete Nothing on Nothing.a == a;
$$);
SELECT siddhi.deploy('bad2', $$
  define stream S (a int);
  define stream T (a int);
  from S delete T on T.a == a;
$$);
SELECT siddhi.deploy('bad3', $$
  define stream S (a int);
  define table T (a int);
  from S update T set T.b = a on T.a == a;
$$);
SELECT siddhi.deploy('bad4', $$
  define stream S (a int, b int);
  define table T (a int);
  from S update or insert into T on T.a == a;
$$);
SELECT siddhi.deploy('bad5', $$
  define stream S (a int);
  from S[a == T.a in T] insert into Out;
$$);

SELECT siddhi.undeploy(name) FROM siddhi.apps WHERE name LIKE 'tbl\_%' ORDER BY name;
