# kill -9 of the engine worker while an inMemory chain runs: the cluster
# survives (the postmaster reinitializes, as for any crashed backend), the
# engine comes back and loads the app, the chain runs again.  A source's
# position commits with the results it fed: after every cycle, the
# records the source consumed (siddhi.source_offsets) equal the rows it
# wrote, however the kill fell.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('sources');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\nsiddhi.source_batch_events = 1000\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('chain', $$
		@sink(type = 'inMemory', topic = 'feed')
		define stream Feed (n int, tag string);
		@source(type = 'inMemory', topic = 'feed')
		define stream Fed (n int, tag string);
		define table Got (n int, tag string);
		from Fed select n, tag insert into Got;
	$$)});
$node->safe_psql('postgres', "INSERT INTO feed VALUES (0, 'first')");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM got'),
	'the chain runs');

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $consistent = q{
	SELECT (SELECT count(*) FROM got) =
	       (SELECT coalesce(sum(next), 0) FROM siddhi.source_offsets)};

for my $cycle (1 .. 3)
{
	my $pid = $node->safe_psql('postgres', $engine_pid);
	like($pid, qr/^\d+$/, "cycle $cycle: one engine worker");

	# a feed larger than a batch of the source (siddhi.source_batch_events
	# is 1000 here): the kill falls while the chain works through it
	$node->safe_psql('postgres',
		"INSERT INTO feed SELECT g, 'c$cycle' FROM generate_series(1, 50000) g");
	$node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM got WHERE tag = 'c$cycle'");
	kill 'KILL', $pid;

	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity "
			  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
		"cycle $cycle: the engine is back");
	ok( $node->poll_query_until(
			'postgres',
			"SELECT state = 'running' FROM siddhi.apps WHERE name = 'chain'"),
		"cycle $cycle: the app runs again");

	# positions and results committed together, whatever was lost
	is($node->safe_psql('postgres', $consistent),
		't', "cycle $cycle: positions match the rows fed");
	note("cycle $cycle: "
		  . $node->safe_psql('postgres',
			"SELECT count(*) FROM got WHERE tag = 'c$cycle'")
		  . " of 50000 fed before the kill (the rest was lost with the "
		  . "in-memory queue)");

	# and the chain goes on
	$node->safe_psql('postgres',
		"INSERT INTO feed SELECT g, 'after$cycle' FROM generate_series(1, 100) g"
	);
	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) = 100 FROM got WHERE tag = 'after$cycle'"),
		"cycle $cycle: events flow after the restart");
	is($node->safe_psql('postgres', $consistent),
		't', "cycle $cycle: positions still match");
	is( $node->safe_psql(
			'postgres',
			"SELECT state, connected FROM siddhi.sources WHERE app = 'chain'"),
		'running|t',
		"cycle $cycle: siddhi.sources shows the source running");
}

# the cluster is whole: an ordinary query, and no crash but ours
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server answers');
my $log = slurp_file($node->logfile);
my @crashes = ($log =~ /terminated by signal (\d+)/g);
is(scalar(grep { $_ != 9 } @crashes), 0, 'no backend crashed by itself');

$node->stop;
done_testing();
