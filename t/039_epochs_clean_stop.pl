# Epochs: a clean stop saves what changed since the last epoch.
#
# Batches fed by ordinary streams save at most every
# siddhi.state_interval (here an hour, so only a stop can save).  A fast
# shutdown, and a pg_terminate_backend of the engine worker, let it save
# the state of every query that changed before it exits: after the
# restart the windows hold every event, not those of the last save only.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('clean_stop');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.state_interval = '1h'\n");
$node->start;

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";

$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	SELECT count(*) FROM siddhi.deploy('c', $$
		define stream S (v int);
		define table T (total long, n long, top int);
		@info(name = 'w') from S#window.length(100)
		select sum(v) as total, count() as n, max(v) as top insert into T;
	$$);
});
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
	'the engine runs');

# the engine's first batch at its start saved; these do not (an hour)
$node->safe_psql('postgres', 'INSERT INTO s VALUES (1); SELECT siddhi.flush();');
$node->safe_psql('postgres', 'INSERT INTO s VALUES (2), (3); SELECT siddhi.flush();');
$node->safe_psql('postgres', 'INSERT INTO s VALUES (4); SELECT siddhi.flush();');

# a fast shutdown: the engine saves 1, 2, 3, 4 before it exits
$node->restart;
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
	'the engine runs after the restart');
like(slurp_file($node->logfile), qr/engine saved the state of its queries and stops/,
	'the engine said it saved');
$node->safe_psql('postgres', 'INSERT INTO s VALUES (10); SELECT siddhi.flush();');
is($node->safe_psql('postgres', 'SELECT total || \'/\' || n FROM t WHERE top = 10'),
	'20/5', 'the window held 1 .. 4 after the fast shutdown');

# pg_terminate_backend of the engine between batches: the same
$node->safe_psql('postgres', 'INSERT INTO s VALUES (100); SELECT siddhi.flush();');
my $pid = $node->safe_psql('postgres', $engine_pid);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity "
		  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
	'the engine is back after pg_terminate_backend');
$node->safe_psql('postgres', 'INSERT INTO s VALUES (1000); SELECT siddhi.flush();');
is($node->safe_psql('postgres', 'SELECT total || \'/\' || n FROM t WHERE top = 1000'),
	'1120/7', 'the window held 1 .. 100 after the engine was terminated');

# an immediate stop saves nothing more: the last saved epoch comes back
$node->safe_psql('postgres', 'INSERT INTO s VALUES (5000); SELECT siddhi.flush();');
$node->stop('immediate');
$node->start;
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
	'the engine runs after an immediate stop');
$node->safe_psql('postgres', 'INSERT INTO s VALUES (20000); SELECT siddhi.flush();');
# the last save was the terminate's (1 .. 100): 1000 and 5000 came after
# it, within the hour
is($node->safe_psql('postgres', 'SELECT total || \'/\' || n FROM t WHERE top = 20000'),
	'20120/7', 'an immediate stop restores the last saved epoch');

$node->stop;
done_testing();
