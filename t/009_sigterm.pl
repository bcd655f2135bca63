# The engine worker answers SIGTERM promptly even while it waits for a
# lock a user holds on one of its output tables; the launcher starts it
# again, and the events of the batch it was in the middle of are not lost
# (the new worker reads them again from the ring), nor duplicated.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('sigterm');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('locked_out', $$
		define stream Pings (n int);
		define table Pongs (n int);
		from Pings select n insert into Pongs;
	$$)});
$node->safe_psql('postgres', 'INSERT INTO pings VALUES (1)');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM pongs'),
	'the app runs');
my $engine_pid = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $pid = $node->safe_psql('postgres', $engine_pid);
like($pid, qr/^\d+$/, 'one engine worker');

# a user locks the output table; events arrive
my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN');
$locker->query_safe('LOCK TABLE pongs IN ACCESS EXCLUSIVE MODE');
$node->safe_psql('postgres',
	'INSERT INTO pings SELECT g FROM generate_series(2, 101) g');
ok( $node->poll_query_until(
		'postgres',
		"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid"),
	'the engine waits for the lock');
# more events behind the blocked batch
$node->safe_psql('postgres',
	'INSERT INTO pings SELECT g FROM generate_series(102, 201) g');

my $t0 = time();
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
my $gone = 0;
while (time() - $t0 < 30)
{
	if ($node->safe_psql('postgres',
			"SELECT count(*) FROM pg_stat_activity WHERE pid = $pid") eq '0')
	{
		$gone = 1;
		last;
	}
	Time::HiRes::usleep(50_000);
}
my $elapsed = time() - $t0;
ok($gone, 'the engine exits on SIGTERM while waiting for a lock');
cmp_ok($elapsed, '<', 5, 'within 5 s') or diag("took $elapsed s");
note(sprintf('engine exited %.2f s after pg_terminate_backend', $elapsed));

ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND pid <> $pid"
	),
	'the launcher starts the engine again');

# the lock goes away: every event arrives, once
$locker->query_safe('COMMIT');
$locker->quit;
ok($node->poll_query_until('postgres', 'SELECT count(*) >= 201 FROM pongs'),
	'events processed after the lock is released');
is( $node->safe_psql(
		'postgres',
		'SELECT count(*), count(DISTINCT n), min(n), max(n) FROM pongs'),
	'201|201|1|201',
	'no event lost, none twice');
is($node->safe_psql('postgres', 'SELECT state FROM siddhi.apps'),
	'running', 'the app is running');

# With a lock_timeout for the database (the engine has no setting of its
# own), a lock wait fails like any run-time error of the query: logged,
# counted, that event skipped; the engine goes on.
$node->safe_psql('postgres', "ALTER DATABASE postgres SET lock_timeout = '300ms'");
$pid = $node->safe_psql('postgres', $engine_pid);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND pid <> $pid"
	),
	'a new engine with the lock_timeout');
$locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN');
$locker->query_safe('LOCK TABLE pongs IN ACCESS EXCLUSIVE MODE');
$node->safe_psql('postgres',
	'INSERT INTO pings SELECT g FROM generate_series(202, 211) g');
ok( $node->poll_query_until(
		'postgres', 'SELECT errors > 0 FROM siddhi.queries'),
	'the lock timeout is counted as an error of the query');
like(
	$node->safe_psql('postgres', 'SELECT last_error FROM siddhi.queries'),
	qr/lock timeout/,
	'and shown as its last error');
$locker->query_safe('COMMIT');
$locker->quit;
$node->safe_psql('postgres', 'INSERT INTO pings VALUES (212)');
ok($node->poll_query_until('postgres', 'SELECT max(n) = 212 FROM pongs'),
	'the engine goes on after the lock is released');
# each event waits up to lock_timeout; one that times out is skipped and
# counted, the others are written: none vanishes unaccounted
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) + (SELECT errors FROM siddhi.queries) FROM pongs'),
	'212',
	'every event is either written or counted as an error');

$node->stop;
done_testing();
