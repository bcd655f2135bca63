# Exactly once with state: 20 kill -9 cycles of the engine worker and 5
# immediate stops of the postmaster, at random moments, while a client
# feeds a durable stream of a playback app with a time window group by, a
# pattern with every, a partition (a length and a time window per key),
# an incremental aggregation, and two
# batch windows that fold their events into groups as they arrive (a
# timeBatch grouped with having, a lengthBatch without groups).  After
# the cycles, the same committed events, in the same order, are fed to a
# copy of the app that was never interrupted: every output table must
# equal its copy's, row for row.  The same feed into a non-durable stream
# shows what a crash loses there (printed, not checked).
#
# Each client transaction also writes its events into a logged table
# (fed): what committed is what is there, whatever the client was told
# when the crash cut its connection.  One client, one transaction at a
# time: the commit order is the order of the ids, which is the order a
# durable stream replays in after a crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiEpochs;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('epochs_kill');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\n");
$node->start;

# the app, over stream $in into tables with suffix $sfx
sub app
{
	my ($in, $sfx, $durable) = @_;
	my $d = $durable ? '@durable ' : '';
	return qq{
		\@app:playback
		$d\@eventTime('ts') define stream $in (ts long, id long, k int, v int);
		define table W$sfx (id long, k int, n long, s long);
		define table P$sfx (id1 long, id2 long);
		define table Q$sfx (id long, k int, s long);
		define table T$sfx (id long, k int, n long, s long);
		define table B$sfx (id long, k int, n long, s long);
		define table L$sfx (id long, n long, s long, mx int);
		\@info(name = 'win')
		from $in#window.time(2 sec)
		select id, k, count() as n, sum(v) as s group by k
		insert into W$sfx;
		\@info(name = 'pat')
		from every e1 = $in\[v == 1] -> e2 = $in\[k == e1.k and v == 2]
		     within 1 sec
		select e1.id as id1, e2.id as id2 insert into P$sfx;
		\@info(name = 'tb')
		from $in#window.timeBatch(1 sec)
		select id, k, count() as n, sum(v) as s group by k
		having sum(v) < 30
		insert into B$sfx;
		\@info(name = 'lb')
		from $in#window.lengthBatch(7)
		select id, count() as n, sum(v) as s, max(v) as mx
		insert into L$sfx;
		partition with (k of $in)
		begin
			\@info(name = 'part')
			from $in#window.length(4) select id, k, sum(v) as s
			insert into Q$sfx;
			\@info(name = 'part_time')
			from $in#window.time(500 milliseconds)
			select id, k, count() as n, sum(v) as s
			insert into T$sfx;
		end;
		define aggregation A$sfx
		from $in select k, sum(v) as total, count() as cnt
		group by k aggregate by ts every sec ... min;
	};
}

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('live', \$\$" . app('S', '', 1) . "\$\$)");
$node->safe_psql('postgres', q{
	CREATE TABLE fed (id bigint PRIMARY KEY, ts bigint NOT NULL,
	                  k int NOT NULL, v int NOT NULL);
	SELECT count(*) FROM siddhi.deploy('nondurable', $$
		define stream N (ts long, id long, k int, v int);
		define table Lost (id long);
		from N select id insert into Lost;
	$$);
});

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $next_id = 1;

# one cycle's feed: transactions of 1 to 200 events, 10 ms of event time
# apart, 5 keys, v in 0..3 (an e1 at g completes with the event at g + 5)
sub feed
{
	my $sql = '';
	for my $t (1 .. 150)
	{
		my $n = 1 + int(rand($t % 10 == 0 ? 200 : 20));
		my ($a, $b) = ($next_id, $next_id + $n - 1);
		$next_id += $n;
		my $rows =
		  "SELECT g * 10, g, (g % 5)::int, (g * 13 % 4)::int "
		  . "FROM generate_series($a, $b) g";
		$sql .=
			"BEGIN;\nINSERT INTO s $rows;\n"
		  . "INSERT INTO n SELECT * FROM ($rows) x;\n"
		  . "INSERT INTO fed (ts, id, k, v) SELECT * FROM ($rows) x;\nCOMMIT;\n";
	}
	return $sql;
}

my ($worker_kills, $postmaster_kills) = (0, 0);
for my $cycle (1 .. 25)
{
	ok( $node->poll_query_until(
			'postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
		"cycle $cycle: one engine worker");
	my $pid = $node->safe_psql('postgres', $engine_pid);
	my $file = "${PostgreSQL::Test::Utils::tmp_check}/feed_$cycle.sql";
	PostgreSQL::Test::Utils::append_to_file($file, feed());
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \$out, '2>', \$err);

	# a random moment in the middle of the feed
	usleep(100_000 + int(rand(900_000)));
	if (crash_engine($node, $cycle, $pid, sub { $h->finish }) eq 'worker')
	{
		$worker_kills++;
	}
	else
	{
		$postmaster_kills++;
	}
}
is($worker_kills, 20, 'twenty kills of the engine worker');
is($postmaster_kills, 5, 'five immediate stops of the postmaster');

# one last feed, uninterrupted
$node->safe_psql('postgres', feed());
$node->safe_psql('postgres', 'SELECT siddhi.flush()');
my $committed = $node->safe_psql('postgres', 'SELECT count(*) FROM fed');
cmp_ok($committed, '>', 5000, "a real feed ($committed events committed)");

# the copy that was never interrupted, fed the committed events in order
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('ref', \$\$" . app('R', '_ref', 0) . "\$\$)");
$node->safe_psql('postgres', q{
	INSERT INTO r SELECT ts, id, k, v FROM fed ORDER BY id;
	SELECT siddhi.flush();
});

same_outputs($node, 'b', 'l', 't');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM siddhi.query_states
		   WHERE app = 'live' AND NOT saved}),
	'0',
	'every query of the app was saved');

my $lost = $node->safe_psql('postgres',
	'SELECT count(*) FROM fed WHERE id NOT IN (SELECT id FROM lost)');
diag("the non-durable stream lost $lost of $committed committed events "
	  . "in $worker_kills worker kills and $postmaster_kills immediate stops");

$node->stop;
done_testing();
