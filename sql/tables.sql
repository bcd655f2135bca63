-- Queries that change tables: delete, update, update or insert, and
-- `cond in T` filters.  Each runs at once, in event order, inside the
-- batch's transaction.
SELECT siddhi.deploy('stock_ops', $$
  define stream Trades (symbol string, price double, volume long);
  define stream Deletes (symbol string);
  define stream Updates (symbol string, price double);
  define stream Upserts (symbol string, price double, volume long);
  @PrimaryKey('symbol')
  define table Stock (symbol string, price double, volume long);
  from Trades insert into Stock;
  from Deletes delete Stock on Stock.symbol == symbol;
  from Updates update Stock set Stock.price = price on Stock.symbol == symbol;
  from Upserts update or insert into Stock
    set Stock.price = price, Stock.volume = Stock.volume + volume
    on Stock.symbol == symbol;
$$);
INSERT INTO trades VALUES ('A', 10, 100), ('B', 20, 200), ('C', 30, 300);
SELECT siddhi.flush();
SELECT * FROM stock ORDER BY symbol;
INSERT INTO deletes VALUES ('B');
INSERT INTO updates VALUES ('A', 11), ('Z', 99);
SELECT siddhi.flush();
-- B is gone, A updated; Z matched nothing
SELECT * FROM stock ORDER BY symbol;
-- upsert: C exists (updated, volume added), D does not (inserted)
INSERT INTO upserts VALUES ('C', 31, 1), ('D', 40, 400), ('D', 41, 1);
SELECT siddhi.flush();
SELECT * FROM stock ORDER BY symbol;

-- order within one batch: a later event sees an earlier one's effect
BEGIN;
INSERT INTO trades VALUES ('E', 50, 500);
INSERT INTO updates VALUES ('E', 51);
INSERT INTO deletes VALUES ('A');
INSERT INTO trades VALUES ('A', 12, 120);
COMMIT;
SELECT siddhi.flush();
SELECT * FROM stock ORDER BY symbol;

-- membership filters: S[cond in T], and not in T
SELECT siddhi.deploy('watch', $$
  define stream Orders (symbol string, qty int);
  define table Stock (symbol string, price double, volume long);
  define table Known (symbol string, qty int);
  define table Unknown (symbol string, qty int);
  from Orders[symbol == Stock.symbol in Stock] insert into Known;
  from Orders[not (symbol == Stock.symbol in Stock) and qty > 0]
  insert into Unknown;
$$);
INSERT INTO orders VALUES ('A', 1), ('Q', 2), ('D', 3), ('R', 0);
SELECT siddhi.flush();
SELECT * FROM known ORDER BY symbol;
SELECT * FROM unknown ORDER BY symbol;

-- for expired events: what leaves a window deletes its row
SELECT siddhi.deploy('recent', $$
  define stream Seen (id int);
  define table Latest (id int);
  from Seen insert into Latest;
  from Seen#window.length(2) delete Latest for expired events
    on Latest.id == id;
$$);
INSERT INTO seen VALUES (1), (2), (3), (4);
SELECT siddhi.flush();
SELECT * FROM latest ORDER BY id;

-- a unique violation skips the event for that query only, and is counted
SELECT siddhi.deploy('clash', $$
  define stream Renames (old string, new string);
  define table Stock (symbol string, price double, volume long);
  from Renames update Stock set Stock.symbol = new on Stock.symbol == old;
$$);
INSERT INTO renames VALUES ('A', 'C'), ('E', 'F');
SELECT siddhi.flush();
SELECT * FROM stock ORDER BY symbol;
SELECT query, errors FROM siddhi.queries WHERE app = 'clash';

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

SELECT siddhi.undeploy(name) FROM siddhi.apps ORDER BY name;
