# Database slots come back when their engine stops for good, and a
# database whose engine runs can be dropped like any other:
#  - 12 cycles (more than siddhi.max_databases = 8) of CREATE DATABASE,
#    CREATE EXTENSION, deploy, events, DROP DATABASE (plain, then WITH
#    (FORCE), in turn); afterwards a new database still gets an engine;
#  - ALTER DATABASE .. RENAME stops the engine and starts it again;
#    a non-owner's DROP/RENAME does not stop it;
#  - DROP EXTENSION stops the engine at once (not at the next naptime)
#    and frees the slot; CREATE EXTENSION again works.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('lifecycle');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.max_databases = 8\nmax_worker_processes = 16\n");
$node->start;

my $app = q{SELECT siddhi.deploy('life', $$
	define stream Pings (n int);
	define table Pongs (n int);
	from Pings[n > 0] select n insert into Pongs;
$$)};

# deploy the app in $db and see one event go through
sub use_database
{
	my ($db) = @_;
	for my $sql ('CREATE EXTENSION siddhi', $app,
		'INSERT INTO pings VALUES (1), (-1), (2)')
	{
		my ($rc, $out, $err) = $node->psql($db, $sql);
		if ($rc != 0)
		{
			diag("$db: $err");
			return 0;
		}
	}
	return $node->poll_query_until($db, 'SELECT count(*) = 2 FROM pongs');
}

my $engines =
  "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";

my $cycles_ok = 0;
for my $i (1 .. 12)
{
	my $db = "life$i";
	my $force = $i % 2 == 0 ? ' WITH (FORCE)' : '';
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my $ran = use_database($db);
	my ($rc, $out, $err) =
	  $node->psql('postgres', "DROP DATABASE $db$force");
	if ($ran && $rc == 0)
	{
		$cycles_ok++;
	}
	else
	{
		diag("cycle $i: events processed: $ran; DROP DATABASE$force: $err");
	}
}
is($cycles_ok, 12, '12 create/deploy/drop cycles, half without FORCE');
ok($node->poll_query_until('postgres', $engines, '0'),
	'no engine left for the dropped databases')
  or diag($node->safe_psql('postgres', $engines) . ' engines');

$node->safe_psql('postgres', 'CREATE DATABASE after_cycles');
ok(use_database('after_cycles'),
	'a new database gets an engine after the cycles');
is( $node->safe_psql(
		'after_cycles', 'SELECT count(*) FROM siddhi.engine_stats()'),
	'1',
	'only that database holds a slot');

# ALTER DATABASE .. RENAME needs the database to itself: the engine stops
# for it and comes back after
$node->safe_psql('postgres', 'ALTER DATABASE after_cycles RENAME TO renamed');
$node->safe_psql('renamed', 'INSERT INTO pings VALUES (3)');
ok($node->poll_query_until('renamed', 'SELECT count(*) = 3 FROM pongs'),
	'the engine runs again after ALTER DATABASE RENAME');

# DROP EXTENSION: the engine stops at once, not at its next check
$node->safe_psql('postgres', 'ALTER SYSTEM SET siddhi.naptime = 60000');
$node->reload;
$node->safe_psql('renamed', 'INSERT INTO pings VALUES (4)');
ok($node->poll_query_until('renamed', 'SELECT count(*) = 4 FROM pongs'),
	'events processed with a long naptime');
my $t0 = time();
$node->safe_psql('renamed', 'DROP EXTENSION siddhi CASCADE');
ok($node->poll_query_until('postgres', $engines, '0'),
	'the engine exits after DROP EXTENSION');
my $elapsed = time() - $t0;
cmp_ok($elapsed, '<', 5, 'within 5 s of DROP EXTENSION')
  or diag("took $elapsed s");

$node->safe_psql('postgres', 'ALTER SYSTEM RESET siddhi.naptime');
$node->reload;
$node->safe_psql('renamed', 'DROP TABLE pongs');
ok(use_database('renamed'), 'CREATE EXTENSION again: deploy and events work');
is($node->safe_psql('renamed', 'SELECT count(*) FROM siddhi.engine_stats()'),
	'1', 'one slot again');

# only the owner's command stops the engine: nobody stops another's
# engine by trying to drop or rename the database
$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN');
my $before = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");
for my $sql ('DROP DATABASE renamed', 'ALTER DATABASE renamed RENAME TO x')
{
	my ($rc, $out, $err) =
	  $node->psql('postgres', $sql, extra_params => [ '-U', 'mallory' ]);
	like($err, qr/must be owner/, "$sql refused to a non-owner");
}
is( $node->safe_psql(
		'postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'"),
	$before,
	'the engine kept running');
$node->safe_psql('postgres', 'DROP ROLE mallory');

# a plain DROP DATABASE of a database whose engine runs
my ($rc, $out, $err) = $node->psql('postgres', 'DROP DATABASE renamed');
is($rc, 0, 'plain DROP DATABASE while the engine runs') or diag($err);

$node->stop;
done_testing();
