-- Watching a stream: subscribe, then poll.
SELECT siddhi.deploy('watch', $$
  define stream Ticks (sym string, px double);
  from Ticks[px > 0] select sym, px * 2 as px2 insert into Doubled;
$$);
SELECT wait_app('watch');
SELECT siddhi.poll('doubled', 10, 0);
SELECT siddhi.subscribe('doubled');
SELECT siddhi.subscribe('ticks');
INSERT INTO ticks VALUES ('a', 1.5), ('b', -1), ('c', 10);
-- poll returns what has arrived; flush makes sure all of it has
SELECT siddhi.flush();
-- seq orders events across every stream the session watches: each input
-- event comes before the output it causes
SELECT seq, expired, event FROM siddhi.poll('doubled', 10, 5000);
SELECT seq, expired, event FROM siddhi.poll('ticks', 10, 5000);
SELECT count(*) FROM siddhi.poll('doubled', 10, 0);
SELECT stream, delivered, overflowed FROM siddhi.subscriptions() ORDER BY stream;
SELECT siddhi.unsubscribe('doubled');
SELECT siddhi.poll('doubled');
SELECT siddhi.subscribe('nosuchstream');
SELECT siddhi.subscribe('pg_class');
