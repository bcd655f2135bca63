# Apps survive a server restart, and a killed engine worker comes back
# (a SIGKILL makes the postmaster reinitialize; the launcher restarts the
# worker, which loads the apps from the catalog and keeps processing).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('restart');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\nrestart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('restart_app', $$
		define stream Pings (n int);
		define table Pongs (n int);
		from Pings[n > 0] select n insert into Pongs;
	$$)});
ok($node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'restart_app'"),
	'app starts');

$node->safe_psql('postgres', 'INSERT INTO pings VALUES (1), (-1)');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM pongs'),
	'events processed before restart');

$node->restart;
$node->safe_psql('postgres', 'INSERT INTO pings VALUES (2)');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM pongs'),
	'app deployed and processing after a restart');
is($node->safe_psql('postgres', "SELECT state FROM siddhi.apps"),
	'running', 'app is running after restart');

my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");
ok($pid =~ /^\d+$/, 'engine worker is running');
kill 'KILL', $pid;

# the postmaster restarts everything; wait for the new worker
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
	'engine worker came back after SIGKILL');
$node->safe_psql('postgres', 'INSERT INTO pings VALUES (3)');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 3 FROM pongs'),
	'processing resumes after the worker was killed');
is($node->safe_psql('postgres', 'SELECT string_agg(n::text, \',\' ORDER BY n) FROM pongs'),
	'1,2,3', 'exactly the committed, matching events');

$node->stop;
done_testing();
