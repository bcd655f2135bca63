# Exactly once with state, from a table's changes: 20 kill -9 cycles of
# the engine worker and 5 immediate stops of the postmaster (pg_ctl stop
# -m immediate), at random moments, while a client inserts rows into a
# heap table that a playback app reads through a cdc source, with a time
# window group by, a pattern with every, a partition and an incremental
# aggregation (t/035's shapes; the events' times are the rows' own `ts`).
# After the cycles the committed rows are inserted, in the same order,
# into a second table read by a copy of the app that was never
# interrupted: every output table must equal its copy's, row for row.
#
# A kill loses the batch in flight with its results, its source position
# (the slot's lsn and how many changes of the next transaction were fed)
# and its queries' state, all in one transaction; the worker that comes
# back restores the state of the last committed batch and decodes on from
# that batch's position.  One client, one transaction at a time: the
# commit order is the order of the ids.  siddhi.source_batch_events = 200
# splits the larger transactions over several batches, so kills fall
# inside a transaction's changes too.
#
# The aggregation purges its seconds every 4 minutes of event time: a
# restarted app must purge when the uninterrupted one does (its purge
# schedule is saved with the app's clock), and what a purge deletes must
# not depend on where the batches end.
#
# With siddhi.save_state = off in this cluster the tables differ (checked
# by hand: the windows, the partial matches and the aggregation restart
# empty after each kill while the positions go on), so this proves the
# epochs, not only the positions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiEpochs;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('epochs_cdc');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "wal_level = logical\nmax_replication_slots = 4\n"
	  . "restart_after_crash = on\nsiddhi.source_batch_events = 200\n");
$node->start;

# the app, reading the changes of table $table, into tables with suffix $sfx
sub app
{
	my ($table, $in, $sfx) = @_;
	return qq{
		\@app:playback
		\@source(type = 'cdc', table.name = '$table', operation = 'insert')
		\@eventTime('ts') define stream $in (ts long, id long, k int, v int);
		define table W$sfx (id long, k int, n long, s long);
		define table P$sfx (id1 long, id2 long);
		define table Q$sfx (id long, k int, s long);
		\@info(name = 'win')
		from $in#window.time(2 sec)
		select id, k, count() as n, sum(v) as s group by k
		insert into W$sfx;
		\@info(name = 'pat')
		from every e1 = $in\[v == 1] -> e2 = $in\[k == e1.k and v == 2]
		     within 1 sec
		select e1.id as id1, e2.id as id2 insert into P$sfx;
		partition with (k of $in)
		begin
			\@info(name = 'part')
			from $in#window.length(4) select id, k, sum(v) as s
			insert into Q$sfx;
		end;
		\@purge(enable = 'true', interval = '4 min',
			\@retentionPeriod(sec = '2 min', min = 'all'))
		define aggregation A$sfx
		from $in select k, sum(v) as total, count() as cnt
		group by k aggregate by ts every sec ... min;
	};
}

$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	CREATE TABLE src (ts bigint NOT NULL, id bigint PRIMARY KEY,
	                  k int NOT NULL, v int NOT NULL);
	CREATE TABLE src_ref (LIKE src INCLUDING ALL);
});
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('live', \$\$"
	  . app('src', 'S', '') . "\$\$)");

# the source runs and reads (its slot is consistent)
sub source_runs
{
	my ($app) = @_;
	return $node->poll_query_until('postgres',
		"SELECT state = 'running' AND detail NOT LIKE 'waiting%' "
		  . "FROM siddhi.sources WHERE app = '$app'");
}
ok(source_runs('live'), 'the cdc source runs');

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $next_id = 1;

# one cycle's feed: transactions of 1 to 600 rows, 10 ms of event time
# apart, 5 keys, v in 0..3 (an e1 at g completes with the event at g + 5)
sub feed
{
	my $sql = '';
	for my $t (1 .. 150)
	{
		my $n = 1 + int(rand($t % 10 == 0 ? 600 : 20));
		my ($a, $b) = ($next_id, $next_id + $n - 1);
		$next_id += $n;
		$sql .=
			"INSERT INTO src SELECT g * 10, g, (g % 5)::int, (g * 13 % 4)::int "
		  . "FROM generate_series($a, $b) g;\n";
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
my $committed = $node->safe_psql('postgres', 'SELECT count(*) FROM src');
cmp_ok($committed, '>', 5000, "a real feed ($committed rows committed)");

# through the changes: one row of W and of Q per event (more would be
# duplicates, which the comparison below finds)
sub read_all
{
	my ($sfx) = @_;
	return $node->poll_query_until('postgres',
		"SELECT (SELECT count(*) FROM w$sfx) >= $committed "
		  . "AND (SELECT count(*) FROM q$sfx) >= $committed");
}
ok(read_all(''), 'the interrupted app read every change');

# the copy that was never interrupted, fed the committed rows in order
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('ref', \$\$"
	  . app('src_ref', 'R', '_ref') . "\$\$)");
ok(source_runs('ref'), 'the copy\'s cdc source runs');
$node->safe_psql('postgres',
	'INSERT INTO src_ref SELECT * FROM src ORDER BY id');
ok(read_all('_ref'), 'the uninterrupted copy read every change');
$node->safe_psql('postgres', 'SELECT siddhi.flush()');

# the incremental aggregation's purges (every 4 minutes of event time,
# from the first event's) ran in both, at the same moments of event time,
# whatever the batches and restarts: its tables are compared below
cmp_ok(
	$node->safe_psql('postgres', 'SELECT min(agg_timestamp) FROM a_sec'),
	'>', 0, 'the seconds were purged');
same_outputs($node);
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM siddhi.query_states
		   WHERE app = 'live' AND NOT saved}),
	'0',
	'every query of the app was saved');

$node->stop;
done_testing();
