# Epochs: the state of queries survives the engine's restarts.
#
# A window's contents, a group's aggregates, a pattern's partial matches
# are written in the transaction of the batch that changed them
# (siddhi.query_state) and restored when the app starts again: after a
# kill -9 of the engine worker, an immediate stop of the postmaster, and a
# redeploy that leaves a query's text and inputs alone.  A changed query
# starts empty, and keep_state => false starts them all empty.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('epochs');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\n"
	  # every batch saves (the streams here are not durable: by default
	  # their batches save at most every second)
	  . "siddhi.state_interval = 0\n");
$node->start;

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";

sub engine_up
{
	my ($what) = @_;
	ok( $node->poll_query_until(
			'postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
		"$what: the engine runs");
}

# kill -9 the engine worker: the postmaster resets shared memory and
# restarts everything
sub kill_engine
{
	my $pid = $node->safe_psql('postgres', $engine_pid);
	kill 'KILL', $pid;
	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity "
			  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
		"the engine is back after kill -9 of $pid");
}

$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	SELECT count(*) FROM siddhi.deploy('w', $$
		define stream S (sym string, price double);
		define table Expired (sym string, price double);
		@info(name = 'last3')
		from S#window.length(3) select sym, price
		insert expired events into Expired;
	$$);
});
engine_up('deploy');

# a length(3) window holds a, b, c after d pushed a out
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT string_agg(sym, \',\') FROM expired'),
	'a', 'd pushed a out of the window');
is( $node->safe_psql(
		'postgres',
		q{SELECT saved, bytes > 0, reason IS NULL FROM siddhi.query_states
		   WHERE app = 'w' AND query = 'last3'}),
	't|t|t',
	'the window\'s state is saved');

kill_engine();
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('e', 5);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT string_agg(sym, \',\' ORDER BY sym) FROM expired'),
	'a,b', 'after kill -9 of the engine, e pushes b out: the window came back');

$node->stop('immediate');
$node->start;
engine_up('immediate stop');
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('f', 6);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT string_agg(sym, \',\' ORDER BY sym) FROM expired'),
	'a,b,c', 'after an immediate stop, f pushes c out');

# a redeploy of the same text keeps the state; the window holds d, e, f
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('w', (SELECT source FROM siddhi.apps WHERE name = 'w'),
	                                   replace => true);
});
engine_up('redeploy');
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('g', 7);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT string_agg(sym, \',\' ORDER BY sym) FROM expired'),
	'a,b,c,d', 'a redeploy of the same app keeps the window: g pushes d out');

# a changed query starts empty
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('w', $$
		define stream S (sym string, price double);
		define table Expired (sym string, price double);
		@info(name = 'last3')
		from S[price > 0]#window.length(3) select sym, price
		insert expired events into Expired;
	$$, replace => true);
});
engine_up('changed query');
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('h', 8);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM expired'),
	'4', 'a changed query starts with an empty window: h pushes nothing out');
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('i', 9), ('j', 10), ('j2', 10.5);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT string_agg(sym, \',\' ORDER BY sym) FROM expired'),
	'a,b,c,d,h', 'and fills again: j2 pushes h out');

# keep_state => false starts every query empty
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('w', (SELECT source FROM siddhi.apps WHERE name = 'w'),
	                                   replace => true, keep_state => false);
});
engine_up('keep_state => false');
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('k', 11);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM expired'),
	'5', 'keep_state => false: the window starts empty');

# an undeploy forgets the state: the same app deployed again starts empty
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('l', 12), ('m', 13);
	SELECT siddhi.flush();
	SELECT siddhi.undeploy('w');
});
is($node->safe_psql('postgres', q{SELECT count(*) FROM siddhi.query_state WHERE app = 'w'}),
	'0', 'undeploy deletes the saved state');
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('w', $$
		define stream S (sym string, price double);
		define table Expired (sym string, price double);
		@info(name = 'last3')
		from S[price > 0]#window.length(3) select sym, price
		insert expired events into Expired;
	$$);
	TRUNCATE expired;
});
engine_up('deploy again');
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('n', 14);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM expired'),
	'0', 'deployed again after an undeploy: the window starts empty');

# siddhi.save_state off forgets what was saved (it would go stale); back
# on, everything is saved anew and restored
$node->safe_psql('postgres', q{
	ALTER SYSTEM SET siddhi.save_state = off;
	SELECT pg_reload_conf();
});
$node->poll_query_until('postgres', q{SELECT current_setting('siddhi.save_state') = 'off'});
sleep(1);
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('o', 15);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', q{SELECT count(*) FROM siddhi.query_state WHERE app = 'w'}),
	'0', 'siddhi.save_state off: the saved state is deleted');
$node->safe_psql('postgres', q{
	ALTER SYSTEM RESET siddhi.save_state;
	SELECT pg_reload_conf();
});
$node->poll_query_until('postgres', q{SELECT current_setting('siddhi.save_state') = 'on'});
sleep(1);
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('p', 16);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', q{SELECT saved FROM siddhi.query_states WHERE app = 'w'}),
	't', 'back on: saved again');
kill_engine();
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES ('q', 17), ('r', 18);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT string_agg(sym, \',\' ORDER BY sym) FROM expired'),
	'n,o', 'and restored whole: q and r push n and o out');

# A time(1 hour) window half full: the next output after a restart is
# the one an uninterrupted run gives (its groups count every event of the
# hour, those before the restart included).
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('hour', $$
		define stream H (k string, v double);
		define table HOut (k string, n long, total double, mx double);
		@info(name = 'hourly')
		from H#window.time(1 hour)
		select k, count() as n, sum(v) as total, max(v) as mx group by k
		insert into HOut;
	$$);
});
engine_up('hour');
$node->safe_psql('postgres', q{
	INSERT INTO h SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, g * 1.5
	  FROM generate_series(1, 30) g;
	SELECT siddhi.flush();
});
$node->restart;
engine_up('hour, after a restart');
$node->safe_psql('postgres', q{
	INSERT INTO h VALUES ('a', 1.25), ('b', 100);
	SELECT siddhi.flush();
});
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(k || ':' || n || ':' || total || ':' || mx, ' ' ORDER BY k)
		    FROM (SELECT DISTINCT ON (k) * FROM (SELECT *, row_number() OVER () r FROM hout) x
		           ORDER BY k, r DESC) y}),
	'a:16:' . (1.5 * (2 + 4 + 6 + 8 + 10 + 12 + 14 + 16 + 18 + 20 + 22 + 24 + 26 + 28 + 30) + 1.25)
	  . ':45 b:16:' . (1.5 * (1 + 3 + 5 + 7 + 9 + 11 + 13 + 15 + 17 + 19 + 21 + 23 + 25 + 27 + 29) + 100)
	  . ':100',
	'a time(1 hour) window half full: the first outputs after a restart count the whole hour');

# A state over siddhi.max_state_size is not saved, and says why (a sort
# window is saved whole)
$node->safe_psql('postgres', q{
	ALTER SYSTEM SET siddhi.max_state_size = '256kB';
	SELECT pg_reload_conf();
	SELECT count(*) FROM siddhi.deploy('big', $$
		define stream B (id long);
		define table BOut (id long);
		@info(name = 'sort5000')
		from B#window.sort(5000, id) select id insert into BOut;
	$$);
});
engine_up('big');
$node->safe_psql('postgres', q{
	INSERT INTO b SELECT g FROM generate_series(1, 10) g;
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres',
		q{SELECT saved, reason IS NULL FROM siddhi.query_states WHERE app = 'big'}),
	't|t', 'a small window is saved');
$node->safe_psql('postgres', q{
	INSERT INTO b SELECT g FROM generate_series(11, 4500) g;
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres',
		q{SELECT saved, bytes, reason FROM siddhi.query_states WHERE app = 'big'}),
	'f|0|larger than siddhi.max_state_size',
	'a window grown past siddhi.max_state_size is not saved any more');
$node->safe_psql('postgres', q{
	ALTER SYSTEM RESET siddhi.max_state_size;
	SELECT pg_reload_conf();
	SELECT siddhi.undeploy('big', drop_tables => true);
});

# A first in, first out window is saved incrementally: each batch adds the
# events that entered as a part, and when the parts hold much more than
# the window, one part of what it holds replaces them
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('inc', $$
		define stream I (id long, pad string);
		define table IOut (id long);
		@info(name = 'last50')
		from I#window.length(50) select id insert expired events into IOut;
	$$);
});
engine_up('inc');
for my $b (0 .. 29)
{
	my ($a, $z) = ($b * 100 + 1, $b * 100 + 100);
	$node->safe_psql('postgres',
		"INSERT INTO i SELECT g, repeat('x', 200) FROM generate_series($a, $z) g");
}
$node->safe_psql('postgres', 'SELECT siddhi.flush()');
my $parts = $node->safe_psql('postgres',
	q{SELECT count(*) FROM siddhi.query_state_part WHERE app = 'inc'});
ok($parts >= 1 && $parts < 30, "the parts were compacted ($parts left of 30 batches)");
kill_engine();
$node->safe_psql('postgres', q{
	INSERT INTO i SELECT g, 'y' FROM generate_series(3001, 3010) g;
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT id), max(id) FROM iout'),
	'2960|2960|2960',
	'after kill -9, the window rebuilt from its parts holds the last 50 events');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('inc', drop_tables => true)});
is($node->safe_psql('postgres', q{SELECT count(*) FROM siddhi.query_state_part WHERE app = 'inc'}),
	'0', 'undeploy deletes the parts');

# A damaged state (cut short, or bytes flipped) fails the app's start with
# a clear error, never the engine; keep_state => false starts it empty
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('dmg', $$
		define stream D (id long);
		define table DOut (id long);
		@info(name = 'last5')
		from D#window.lengthBatch(5) select id insert into DOut;
	$$);
});
engine_up('dmg');
$node->safe_psql('postgres', q{
	INSERT INTO d SELECT g FROM generate_series(1, 3) g;
	SELECT siddhi.flush();
});
for my $damage (
	q{substring(state from 1 for octet_length(state) - 7)},
	q{overlay(state placing '\xffffffff'::bytea from 10)})
{
	my $pid = $node->safe_psql('postgres', $engine_pid);
	$node->safe_psql('postgres', qq{
		UPDATE siddhi.query_state SET state = $damage WHERE app = 'dmg';
	});
	kill_engine();
	ok( $node->poll_query_until(
			'postgres',
			q{SELECT state = 'failed' AND error LIKE 'the saved state of query "last5" of app "dmg" is damaged%'
			    FROM siddhi.apps WHERE name = 'dmg'}),
		"a damaged state ($damage) fails the app's start with a clear error");
	is($node->safe_psql('postgres', q{SELECT count(*) FROM siddhi.apps WHERE state = 'running' AND name = 'w'}),
		'1', 'the other apps run');
}
$node->safe_psql('postgres', q{
	SELECT count(*) FROM siddhi.deploy('dmg', (SELECT source FROM siddhi.apps WHERE name = 'dmg'),
	                                   replace => true, keep_state => false);
});
ok( $node->poll_query_until(
		'postgres', q{SELECT state = 'running' FROM siddhi.apps WHERE name = 'dmg'}),
	'redeployed with keep_state => false, the app runs again, empty');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('dmg', drop_tables => true)});

# A playback app's clock and triggers come back too: the same events
# give the same trigger times with a restart in the middle as without.
my $pb_app = q{
	@app:playback
	@eventTime('ts') define stream E (ts long, v int);
	define trigger Tick at every 1 sec;
	define table Ticks (t long);
	define table Sums (ts long, s long);
	from Tick select triggered_time as t insert into Ticks;
	@info(name = 'sum5')
	from E#window.time(5 sec) select ts, sum(v) as s insert into Sums;
};
sub run_playback
{
	my ($restart) = @_;
	$node->safe_psql('postgres',
		"SELECT count(*) FROM siddhi.deploy('pb', \$\$$pb_app\$\$)");
	engine_up('playback app');
	$node->safe_psql('postgres', q{
		INSERT INTO e VALUES (1000, 1), (2500, 2), (3700, 3);
		SELECT siddhi.flush();
	});
	if ($restart)
	{
		$node->stop('immediate');
		$node->start;
		engine_up('playback app after an immediate stop');
	}
	$node->safe_psql('postgres', q{
		INSERT INTO e VALUES (6100, 4), (9050, 5);
		SELECT siddhi.flush();
	});
	my $r = $node->safe_psql('postgres',
		q{SELECT (SELECT string_agg(t::text, ',' ORDER BY t) FROM ticks)
		    || ' / ' || (SELECT string_agg(ts || ':' || s, ',' ORDER BY ts) FROM sums)});
	$node->safe_psql('postgres', q{
		SELECT siddhi.undeploy('pb', drop_tables => true);
	});
	return $r;
}
my $straight = run_playback(0);
my $restarted = run_playback(1);
like($straight, qr{^2000,3000,4000.*9000 / 1000:1,}, "the uninterrupted run ticks ($straight)");
is($restarted, $straight,
	'a playback app gives the same trigger times and sums with a restart in the middle');

$node->stop;
done_testing();
