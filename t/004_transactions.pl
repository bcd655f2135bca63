# Events are processed if and only if their transaction commits, in the
# order transactions commit, and an open transaction holds back only its
# own events.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('xact');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('xact', $$
		define stream Events (who string, n int);
		define table Seen (who string, n int);
		from Events select who, n insert into Seen;
	$$)});
$node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'xact'");

my $a = $node->background_psql('postgres');
my $b = $node->background_psql('postgres');

# A opens a transaction with many events (more than one chunk), B commits
$a->query_safe('BEGIN');
$a->query_safe(
	"INSERT INTO events SELECT 'a', i FROM generate_series(1, 30000) i");
$b->query_safe("INSERT INTO events VALUES ('b', 1)");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM seen WHERE who = 'b'"),
	'a committed transaction is processed while another is open');
is($node->safe_psql('postgres', "SELECT count(*) FROM seen WHERE who = 'a'"),
	'0', 'the open transaction\'s events wait');

# A rolls back: its events never arrive
$a->query_safe('ROLLBACK');
$b->query_safe("INSERT INTO events VALUES ('b', 2)");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM seen WHERE who = 'b'"), 'later events flow');
is($node->safe_psql('postgres', "SELECT count(*) FROM seen WHERE who = 'a'"),
	'0', 'rolled back events are never processed');

# A commits a large transaction with a rolled-back savepoint inside
$a->query_safe('BEGIN');
$a->query_safe(
	"INSERT INTO events SELECT 'a', i FROM generate_series(1, 20000) i");
$a->query_safe('SAVEPOINT s');
$a->query_safe("INSERT INTO events VALUES ('a-undone', 1)");
$a->query_safe('ROLLBACK TO s');
$a->query_safe("INSERT INTO events VALUES ('a', 20001)");
$b->query_safe("INSERT INTO events VALUES ('b', 3)");
$a->query_safe('COMMIT');
$b->query_safe("INSERT INTO events VALUES ('b', 4)");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 4 FROM seen WHERE who = 'b'"), 'b done');
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 20001 FROM seen WHERE who = 'a'"),
	'the committed transaction arrives whole');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM seen WHERE who = 'a-undone'"), '0',
	'a rolled-back savepoint\'s events are dropped');

# two-phase commit: prepared events wait for COMMIT PREPARED
$node->safe_psql('postgres', 'ALTER SYSTEM SET max_prepared_transactions = 5');
$a->quit;
$b->quit;
$node->restart;
$node->safe_psql('postgres', q{
	BEGIN;
	INSERT INTO events VALUES ('prepared', 1);
	PREPARE TRANSACTION 'p1';
});
$node->safe_psql('postgres', "INSERT INTO events VALUES ('b', 5)");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 5 FROM seen WHERE who = 'b'"), 'b flows past 2PC');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM seen WHERE who = 'prepared'"), '0',
	'prepared events wait');
$node->safe_psql('postgres', "COMMIT PREPARED 'p1'");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM seen WHERE who = 'prepared'"),
	'COMMIT PREPARED releases them');

$node->stop;
done_testing();
