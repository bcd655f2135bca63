# Exactly once from Kafka into Postgres: while a producer feeds records
# with unique ids into a 4-partition topic, the engine worker is killed
# with SIGKILL ten times and the postmaster twice; when the feed is over,
# every id is in the output table exactly once.  The positions commit in
# the batch's transaction (siddhi.source_offsets), so a kill loses the
# batch and its positions together, and the worker that comes back reads
# from the last committed ones.  No skipping: without Kafka this fails.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use SiddhiKafka;

my $kafka = SiddhiKafka->start_broker;
my $bs = $kafka->bootstrap;
my $stop_file = "$PostgreSQL::Test::Utils::tmp_check/feed_stop";

my $node = PostgreSQL::Test::Cluster->new('kafka_once');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$kafka->create_topic('feed', 4);

# explicit partitions (no group to rejoin after each kill) for one app,
# the group for the other: both must come out exact
for my $app ([ 'once_a', 'partition.no.list = \'0,1,2,3\',', 'A' ],
	[ 'once_b', '', 'B' ])
{
	my ($name, $parts, $x) = @$app;
	$node->safe_psql('postgres', qq{
		SELECT siddhi.deploy('$name', \$\$
			\@source(type = 'kafka', topic.list = 'feed', group.id = '$name',
				bootstrap.servers = '$bs', $parts
				optional.configuration = 'auto.offset.reset:earliest',
				\@map(type = 'json', \@attributes(id = '\$.id', pad = '\$.pad')))
			define stream Feed$x (id long, pad string);
			define table Out$x (id long);
			from Feed$x\[id > 0] select id insert into Out$x;
		\$\$)});
}
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM siddhi.apps WHERE state = 'running'"),
	'both apps run');

# the steady feed: about 1,000 records a second until the kills are over
my $pad = 'x' x 80;
my $feed = IPC::Run::start(
	[
		'perl', '-e', qq{
		\$| = 1;
		for (my \$i = 1;; \$i++) {
			print qq({"id":\$i,"pad":"$pad"}\\n);
			next if \$i % 50;
			last if -e '$stop_file';
			select(undef, undef, undef, 0.05);
		}}
	],
	'|', [ 'kcat', '-P', '-b', $bs, '-t', 'feed', '-q' ],
	'>', \my $feed_out, '2>', \my $feed_err);

# a query that waits out the restarts the kills cause
sub query
{
	my ($sql) = @_;
	for (1 .. 1200)
	{
		my ($out, $err) = ('', '');
		my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err);
		return $out if $rc == 0 && $out ne '';
		usleep(100_000);
	}
	die "no answer to $sql";
}

sub engine_pid
{
	return query(
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");
}

sub wait_progress
{
	my ($what) = @_;
	my $before = query('SELECT count(*) FROM outa');
	ok($node->poll_query_until('postgres',
		"SELECT count(*) > $before FROM outa"), "$what: results grow");
}

ok($node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM siddhi.sources WHERE records_in > 0"),
	'both sources read');

my $worker_kills = 0;
my $postmaster_kills = 0;
for my $cycle (1 .. 12)
{
	wait_progress("cycle $cycle");
	usleep(int(rand(1_500_000)));
	if ($cycle == 4 || $cycle == 9)
	{
		my $engine = engine_pid();
		$node->kill9;
		# the postmaster's children go when they notice it is gone
		usleep(100_000) while kill(0, $engine);
		for (1 .. 60)
		{
			last if $node->start(fail_ok => 1);
			sleep 1;
		}
		$postmaster_kills++;
	}
	else
	{
		my $pid = engine_pid();
		ok($pid =~ /^\d+$/, "cycle $cycle: engine worker found");
		kill 'KILL', $pid;
		$worker_kills++;
		$node->poll_query_until('postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity "
			  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid");
	}
}
is($worker_kills, 10, 'ten kills of the engine worker');
is($postmaster_kills, 2, 'two kills of the postmaster');

open(my $fh, '>', $stop_file) or die;
close $fh;
$feed->finish;
my $fed = $kafka->count('feed');
note "the feed produced $fed records";
ok($fed >= 10000, 'the feed ran through the kills');

# Once both consumers have their partitions again, 200 more records: when
# they are in, whatever a restarted consumer would read again of the
# partitions before them has been read (a group's rebalance after the last
# kill can take the session timeout).
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM siddhi.sources "
	  . "WHERE detail LIKE '4 partitions assigned%'"),
	'both consumers have their partitions after the last kill');
$kafka->produce('feed',
	[ map { qq({"id":$_,"pad":"$pad"}) } $fed + 1 .. $fed + 200 ]);
my $total = $kafka->count('feed');
is($total, $fed + 200, 'the last 200 records are in the topic');

for my $table ('outa', 'outb')
{
	ok($node->poll_query_until('postgres',
		"SELECT count(DISTINCT id) >= $total FROM $table"),
		"$table: every record arrived");
	sleep 2;
	is($node->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT id), min(id), max(id) FROM $table"),
		"$total|$total|1|$total", "$table: every id exactly once");
}
is($node->safe_psql('postgres',
	"SELECT app || ':' || source || ':' || sum(next) FROM siddhi.source_offsets "
	  . "GROUP BY app, source ORDER BY app"),
	"once_a:feeda.source1:$total\nonce_b:feedb.source1:$total",
	'the committed positions cover the feed');

$node->stop;
$kafka->stop;
done_testing();
