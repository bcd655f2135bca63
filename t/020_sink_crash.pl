# A Kafka sink loses nothing when its engine worker is killed (kill -9)
# while delivering: the events are in the outbox from their batch's commit
# until the broker acknowledged them, so the worker that comes back sends
# what was not deleted yet.  Duplicates are allowed (at least once: rows
# acknowledged but not yet deleted, and rows in flight, are sent again);
# the test counts and reports them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiKafka;

my $kafka = SiddhiKafka->start_broker;
my $bs    = $kafka->bootstrap;
$kafka->create_topic('crash', 4);

my $node = PostgreSQL::Test::Cluster->new('sink_crash');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('crash', \$\$
		define stream In1 (id long);
		\@sink(type = 'kafka', topic = 'crash', bootstrap.servers = '$bs',
		      key = '{{id}}', \@map(type = 'json', \@payload('{{id}}')))
		define stream Out1 (id long);
		from In1 select id insert into Out1;
	\$\$)});

my $total  = 0;
my $cycles = 3;
for my $cycle (1 .. $cycles)
{
	my $from = $total + 1;
	$total += 30000;
	$node->safe_psql('postgres',
		"INSERT INTO in1 SELECT g FROM generate_series($from, $total) g; SELECT siddhi.flush()");
	# the first cycle waits for delivery to begin (the client connects);
	# the others kill at once, while the loop reads and sends the rows
	$node->poll_query_until('postgres',
		'SELECT count(*) < 30000 FROM siddhi_outbox."crash.out1.sink1"')
	  or die "no delivery"
	  if $cycle == 1;
	my $left = $node->safe_psql('postgres',
		'SELECT count(*) FROM siddhi_outbox."crash.out1.sink1"');
	my $pid = $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");
	note "cycle $cycle: kill -9 of engine $pid with $left rows in the outbox";
	kill 'KILL', $pid;
	ok($node->poll_query_until('postgres',
		'SELECT count(*) = 0 FROM siddhi_outbox."crash.out1.sink1"'),
		"cycle $cycle: the new worker drains the outbox");
}

# the outbox is empty: everything was acknowledged; read the topic to its end
my @msgs = $kafka->consume('crash');
my %seen;
$seen{$_}++ for @msgs;
my $missing = grep { !$seen{$_} } 1 .. $total;
is($missing, 0, "all $total events delivered over $cycles kills, none lost");
my $dups = @msgs - scalar(keys %seen);
note "messages: " . scalar(@msgs) . ", distinct: " . scalar(keys %seen) . ", duplicates: $dups";
ok(scalar(keys %seen) == $total, 'count distinct = events sent');
$node->stop;
done_testing();
