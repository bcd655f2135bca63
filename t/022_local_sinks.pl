# The log and notify sinks (src/connectors/sink_local.c): 1,000 events reach
# a LISTEN client through the notify sink, once each and in order, and the
# server log through the log sink; a payload PostgreSQL cannot notify is
# dropped with a log line and an error in siddhi.sinks, without stopping the
# others; priority OFF writes nothing.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('local_sinks');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('loc', $$
		define stream S (id long, sym string);
		@sink(type = 'notify', channel = 'alerts',
		      @map(type = 'text', @payload('{{id}}:{{sym}}')))
		define stream N (id long, sym string);
		@sink(type = 'log', priority = 'WARN', prefix = 'ALERT')
		define stream L (id long, sym string);
		@sink(type = 'log', priority = 'OFF', prefix = 'QUIET')
		define stream Q (id long, sym string);
		from S[id > 0] select id, sym insert into N;
		from S[id > 0] select id, sym insert into L;
		from S select id, sym insert into Q;
	$$)});

# a listener that stays connected while the events flow: psql reads one
# statement at a time, and prints what was notified while it waited
my $script = "${PostgreSQL::Test::Utils::tmp_check}/listen.sql";
open(my $fh, '>', $script) or die;
# it waits (at most 180 s) until the sink has sent everything
print $fh q{LISTEN alerts;
DO $$BEGIN FOR i IN 1 .. 1800 LOOP
	EXIT WHEN (SELECT sent >= 1000 FROM siddhi.sinks WHERE stream = 'n');
	PERFORM pg_sleep(0.1); END LOOP; END$$;
SELECT 'done';
};
close $fh;
my ($out, $err) = ('', '');
my $listener = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres') ],
	'<', $script, '>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity
	   WHERE query LIKE 'DO $$BEGIN FOR i IN 1 .. 1800%' AND state = 'active'}),
	'the listener listens');

for my $b (0 .. 9)
{
	my $from = $b * 100 + 1;
	my $to   = $from + 99;
	$node->safe_psql('postgres',
		"INSERT INTO s SELECT i, 'sym' || i FROM generate_series($from, $to) i");
}
# one event whose payload is too long for a notification
$node->safe_psql('postgres', "INSERT INTO s VALUES (1001, repeat('x', 9000))");

ok($node->poll_query_until('postgres',
	q{SELECT sent = 1000 AND dropped = 1 AND queued = 0 FROM siddhi.sinks WHERE stream = 'n'}),
	'the notify sink sent 1,000, dropped one and has nothing queued');
$listener->finish;

my @got = grep { /^Asynchronous notification "alerts"/ } split /\n/, $out;
my @ids = map { /payload "(\d+):/ ? $1 : -1 } @got;
is(scalar(@ids), 1000, '1,000 notifications arrived');
is_deeply(\@ids, [ 1 .. 1000 ], 'each event once, in order');
like($got[0], qr/payload "1:sym1"/, 'the payload is the mapped event');

my $log = slurp_file($node->logfile);
like($log, qr/notify sink on channel "alerts" dropped an event: its payload is 9005 bytes/,
	'the oversize payload is logged');
like($node->safe_psql('postgres',
		q{SELECT last_error FROM siddhi.sinks WHERE stream = 'n'}),
	qr/too long to notify/, 'and shown in siddhi.sinks');

my @lines = ($log =~ /WARNING:  ALERT : \{"event":\{"id":(\d+),/g);
is(scalar(@lines), 1001, 'the log sink wrote every event at WARNING');
is($lines[999], 1000, 'in order');
unlike($log, qr/QUIET : /, 'priority OFF writes nothing');

$node->stop;
done_testing();
