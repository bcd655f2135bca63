-- Watching a stream from a session: subscribe, then poll.
CREATE EXTENSION IF NOT EXISTS siddhi;

SELECT siddhi.deploy('watch_orders', $$
  define stream Orders (id int, item string, qty int);
  from Orders[qty >= 10] select id, item, qty insert into BulkOrders;
$$);
SELECT siddhi.flush();
SELECT siddhi.subscribe('bulkorders');

INSERT INTO orders VALUES (1, 'bolts', 500), (2, 'lamp', 1), (3, 'nuts', 10);
-- poll returns what has arrived so far; flush waits until all of it has
SELECT siddhi.flush();
SELECT seq, expired, event FROM siddhi.poll('bulkorders', 10, 5000);
SELECT siddhi.unsubscribe('bulkorders');
