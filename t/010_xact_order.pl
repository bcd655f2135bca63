# Transactions reach the queries in commit order, each whole and in insert
# order; an open transaction holds back neither other transactions nor
# siddhi.flush(), and its events wait on disk beyond siddhi.pending_memory
# instead of growing the engine.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $budget_mb = 16;
my $node = PostgreSQL::Test::Cluster->new('xact_order');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.pending_memory = ${budget_mb}MB\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('ord', $$
		define stream Events (who string, n int);
		define table Seen (who string, n int);
		define stream Marks (who string, n int);
		from Events select who, n insert into Seen;
		from Events[n == 1] select who, n insert into Marks;
	$$)});
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('big', $$
		define stream Big (n int, pad string);
		define table BigSeen (n int);
		@info(name = 'sample')
		from Big[n % 1000 == 0] select n insert into BigSeen;
	$$)});
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM siddhi.apps WHERE state = 'running'");

my $watch = $node->background_psql('postgres');
my $lock = $node->background_psql('postgres');
my $a = $node->background_psql('postgres');
my $b = $node->background_psql('postgres');

sub flushed
{
	my ($ms) = @_;
	return $node->safe_psql('postgres', "SELECT siddhi.flush($ms)");
}

# --- commit order -----------------------------------------------------
# Marks carries the first event (n = 1) of each transaction; the order a
# subscriber receives them in is the order the engine processed them.
$watch->query_safe("SELECT siddhi.subscribe('marks')");
$node->safe_psql('postgres', "INSERT INTO events VALUES ('x', 1)");
is(flushed(10000), 't', 'first event processed');

# Hold the engine inside a batch (it waits for our lock on its output
# table), so that what follows is all in the ring when it looks again.
$lock->query_safe('BEGIN');
$lock->query_safe('LOCK TABLE seen IN ACCESS EXCLUSIVE MODE');
$node->safe_psql('postgres', "INSERT INTO events VALUES ('y', 2)");
ok( $node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM pg_locks WHERE NOT granted "
		  . "AND relation = 'seen'::regclass"),
	'the engine waits for the lock');

# T1 inserts first (several chunks reach the ring), with a savepoint
# rolled back in the middle; T2 inserts and commits; then T1 commits.
$a->query_safe('BEGIN');
$a->query_safe(
	"INSERT INTO events SELECT 't1', i FROM generate_series(1, 30000) i");
$a->query_safe('SAVEPOINT s');
$a->query_safe("INSERT INTO events VALUES ('t1-undone', 1)");
$a->query_safe('ROLLBACK TO s');
$a->query_safe("INSERT INTO events VALUES ('t1', 30001)");
$b->query_safe("INSERT INTO events VALUES ('t2', 1)");
$a->query_safe('COMMIT');
$lock->query_safe('COMMIT');
is(flushed(30000), 't', 'everything committed is processed');
is( $watch->query_safe(
		"SELECT string_agg(event->>'who', ',' ORDER BY seq) "
		  . "FROM siddhi.poll('marks', 100)"),
	'x,t2,t1',
	'T2, committed first, is processed before T1, which inserted first');
is( $node->safe_psql('postgres',
		"SELECT count(*), min(n), max(n) FROM seen WHERE who = 't1'"),
	'30001|1|30001', 'T1 arrives whole');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM seen WHERE who = 't1-undone'"),
	'0', 'the rolled-back savepoint\'s event is dropped');

# --- flush waits only for what committed --------------------------------
$a->query_safe('BEGIN');
$a->query_safe(
	"INSERT INTO events SELECT 't3', i FROM generate_series(1, 30000) i");
$b->query_safe("INSERT INTO events VALUES ('t4', 5)");
is($b->query_safe('SELECT siddhi.flush(3000)'),
	't', 'flush() returns true while another transaction is open');
is($b->query_safe("SELECT count(*) FROM seen WHERE who = 't4'"),
	'1', 'and what committed before it is processed');
is($a->query_safe('SELECT siddhi.flush(3000)'),
	't', 'flush() inside the open transaction does not wait for itself');
is($node->safe_psql('postgres', "SELECT count(*) FROM seen WHERE who = 't3'"),
	'0', 'the open transaction\'s events wait');
$a->query_safe('COMMIT');
is(flushed(10000), 't', 'flushed after the commit');
is($node->safe_psql('postgres', "SELECT count(*) FROM seen WHERE who = 't3'"),
	'30000', 'then they arrive');

# --- a large open transaction spills instead of growing the engine ------
my $pid = $node->safe_psql('postgres',
	'SELECT pid FROM siddhi.engine_stats() '
	  . 'WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())');

sub rss_kb
{
	open(my $fh, '<', "/proc/$pid/status") or die "no /proc/$pid/status: $!";
	while (<$fh>)
	{
		return $1 if /^RssAnon:\s+(\d+)\s+kB/;
	}
	die 'no RssAnon';
}

sub tmp_files
{
	return $node->safe_psql('postgres', 'SELECT count(*) FROM pg_ls_tmpdir()');
}

my $rss0 = rss_kb();
$a->query_safe('BEGIN');
$a->query_safe("INSERT INTO big SELECT i, repeat('x', 200) "
	  . "FROM generate_series(1, 1000000) i");
is(flushed(120000), 't', 'the engine has read the open transaction');
my $grown_mb = (rss_kb() - $rss0) / 1024;
note("engine grew by $grown_mb MB holding 1M open rows of about 230 bytes");
cmp_ok($grown_mb, '<', $budget_mb + 40,
	'the engine\'s memory stays near siddhi.pending_memory');
cmp_ok(tmp_files(), '>', 0, 'the rest waits in temporary files');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bigseen'),
	'0', 'nothing of it is processed before the commit');
$a->query_safe('COMMIT');
is(flushed(300000), 't', 'processed after the commit');
is( $node->safe_psql('postgres',
		'SELECT count(*), count(DISTINCT n), min(n), max(n) FROM bigseen'),
	'1000|1000|1000|1000000',
	'every row of it is processed exactly once');
is( $node->safe_psql('postgres',
		"SELECT events_in FROM siddhi.queries WHERE query = 'sample'"),
	'1000000', 'the query saw each of its events once');
is(tmp_files(), '0', 'its temporary files are gone');

# --- rollback of a spilled transaction -----------------------------------
$a->query_safe('BEGIN');
$a->query_safe("INSERT INTO big SELECT 2000000 + i, repeat('y', 200) "
	  . "FROM generate_series(1, 300000) i");
is(flushed(60000), 't', 'the engine has read it');
cmp_ok(tmp_files(), '>', 0, 'it spilled');
$a->query_safe('ROLLBACK');
is(flushed(10000), 't', 'flushed after the rollback');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bigseen'),
	'1000', 'a rolled-back transaction is dropped whole');
is(tmp_files(), '0', 'and its temporary files with it');

# --- savepoints across the spill -----------------------------------------
$a->query_safe('BEGIN');
$a->query_safe("INSERT INTO big SELECT 3000000 + i, repeat('z', 200) "
	  . "FROM generate_series(1, 100000) i");
$a->query_safe('SAVEPOINT s');
$a->query_safe("INSERT INTO big SELECT 3100000 + i, repeat('z', 200) "
	  . "FROM generate_series(1, 100000) i");
$a->query_safe('ROLLBACK TO s');
$a->query_safe('SAVEPOINT s2');
$a->query_safe("INSERT INTO big SELECT 3200000 + i, repeat('z', 200) "
	  . "FROM generate_series(1, 100000) i");
$a->query_safe('RELEASE s2');
$a->query_safe('COMMIT');
is(flushed(60000), 't', 'processed');
is( $node->safe_psql('postgres',
		'SELECT count(*) FILTER (WHERE n BETWEEN 3000000 AND 3100000), '
		  . 'count(*) FILTER (WHERE n BETWEEN 3100001 AND 3200000), '
		  . 'count(*) FILTER (WHERE n > 3200000) FROM bigseen'),
	'100|0|100',
	'a savepoint rolled back drops only its rows, a released one keeps them');
is(tmp_files(), '0', 'no temporary file is left');

$watch->quit;
$lock->quit;
$a->quit;
$b->quit;
$node->stop;
done_testing();
