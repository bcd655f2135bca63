# Exactly once with state, from Kafka: 20 kill -9 cycles of the engine
# worker and 5 immediate stops of the postmaster (pg_ctl stop -m
# immediate), at random moments, while a producer feeds a one-partition
# topic that a playback app reads through a Kafka source, with a time
# window group by, a pattern with every, a partition and an incremental
# aggregation (t/035's shapes; the events' times are their own `ts`, so the
# results do not depend on when the records arrive).  After the cycles a
# copy of the app that was never interrupted reads the same topic from its
# beginning: every output table must equal its copy's, row for row.
#
# A kill loses the batch in flight with its results, its source position
# and its queries' state, all in one transaction; the worker that comes
# back restores the state of the last committed batch and reads on from
# that batch's position.  The record order is the partition's, the same
# for both apps.  siddhi.source_batch_events = 200 cuts the feed into many
# batches, so kills fall between and inside them.
#
# The aggregation purges its seconds every 4 minutes of event time: a
# restarted app must purge when the uninterrupted one does (its purge
# schedule is saved with the app's clock), and what a purge deletes must
# not depend on where the batches end.
#
# With siddhi.save_state = off in this cluster the tables differ (checked
# by hand: the windows, the partial matches and the aggregation restart
# empty after each kill while the positions go on), so this proves the
# epochs, not only the offsets.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiEpochs;
use Time::HiRes qw(usleep);
use SiddhiKafka;

my $kafka = SiddhiKafka->start_broker;
my $bs = $kafka->bootstrap;
$kafka->create_topic('feed', 1);

my $node = PostgreSQL::Test::Cluster->new('epochs_kafka');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\nsiddhi.source_batch_events = 200\n");
$node->start;

# the app, reading the topic as group $group, into tables with suffix $sfx
sub app
{
	my ($in, $sfx, $group) = @_;
	return qq{
		\@app:playback
		\@source(type = 'kafka', topic.list = 'feed', group.id = '$group',
			bootstrap.servers = '$bs', partition.no.list = '0',
			optional.configuration = 'auto.offset.reset:earliest',
			\@map(type = 'json'))
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

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('live', \$\$" . app('S', '', 'live') . "\$\$)");

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $next_id = 1;

# one cycle's feed, as a producer's input: 2,000 records, 10 ms of event
# time apart, 5 keys, v in 0..3 (an e1 at g completes with the event at
# g + 5), written in bursts of 1 to 200 records 20 ms apart
sub feed
{
	my $in = '';
	my $end = $next_id + 2000;
	my @burst;
	while ($next_id < $end)
	{
		my $n = 1 + int(rand($next_id % 10 == 0 ? 200 : 20));
		my $lines = '';
		for my $g ($next_id .. $next_id + $n - 1)
		{
			$lines .= sprintf(qq({"ts":%d,"id":%d,"k":%d,"v":%d}\n),
				$g * 10, $g, $g % 5, $g * 13 % 4);
		}
		push @burst, $lines;
		$next_id += $n;
	}
	return \@burst;
}

# a producer in the background: kcat -P fed the bursts, paced
sub produce_async
{
	my ($bursts) = @_;
	my $file = "${PostgreSQL::Test::Utils::tmp_check}/feed_$next_id.txt";
	PostgreSQL::Test::Utils::append_to_file($file, join("\x1d\n", @$bursts));
	return IPC::Run::start(
		[
			'perl', '-e', q{
			$| = 1; $/ = "\x1d\n";
			open(my $f, '<', $ARGV[0]) or die;
			while (my $b = <$f>) {
				chomp $b; print $b;
				select(undef, undef, undef, 0.02);
			}},
			$file
		],
		'|', [ 'kcat', '-P', '-b', $bs, '-t', 'feed', '-p', '0', '-q' ],
		'>', \my $out, '2>', \my $err);
}

my ($worker_kills, $postmaster_kills) = (0, 0);
for my $cycle (1 .. 25)
{
	ok( $node->poll_query_until(
			'postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
		"cycle $cycle: one engine worker");
	my $pid = $node->safe_psql('postgres', $engine_pid);
	my $h = produce_async(feed());

	# a random moment in the middle of the feed
	usleep(100_000 + int(rand(900_000)));
	if (crash_engine($node, $cycle, $pid) eq 'worker')
	{
		$worker_kills++;
	}
	else
	{
		$postmaster_kills++;
	}
	$h->finish;
}
is($worker_kills, 20, 'twenty kills of the engine worker');
is($postmaster_kills, 5, 'five immediate stops of the postmaster');

# one last feed, uninterrupted
produce_async(feed())->finish;
my $total = $kafka->count('feed', 1);
is($total, $next_id - 1, "every record is in the topic ($total)");

# a source is through the topic once its committed position is the end
sub read_all
{
	my ($app) = @_;
	return $node->poll_query_until('postgres',
		"SELECT coalesce(sum(next), 0) = $total FROM siddhi.source_offsets "
		  . "WHERE app = '$app'");
}
ok(read_all('live'), 'the interrupted app read the whole topic');

# the copy that was never interrupted reads the same records
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('ref', \$\$" . app('R', '_ref', 'ref') . "\$\$)");
ok(read_all('ref'), 'the uninterrupted copy read the whole topic');

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
$kafka->stop;
done_testing();
