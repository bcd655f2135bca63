# Epochs: a redeploy that commits while the engine's batch is saving.
#
# siddhi.deploy(.., replace => true) hands the saved state on to the new
# deployment (it moves the rows of siddhi.query_state to its deployed_at)
# in its own transaction.  A batch of the old deployment that saves at
# the same time must not take the rows back, nor add a part to the new
# deployment's window: the new app would find its state stale (and start
# empty) or damaged.  Then, before the old runtime goes, the engine hands
# its state as of its last event over to the new deployment, so the
# event whose save gave way to the redeploy is not lost either.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('redeploy_race');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.state_interval = 0\n");
$node->start;

# slow(10) takes 3 seconds: the batch of that event is still running when
# the redeploy starts
my $app = q{
	define stream S (v int);
	define table T (total long);
	@info(name = 'w') from S#window.length(100) select sum(slow(v)) as total insert into T;
};
$node->safe_psql('postgres', qq{
	CREATE EXTENSION siddhi;
	CREATE FUNCTION slow(v int) RETURNS int LANGUAGE plpgsql AS
	  \$f\$ BEGIN IF v = 10 THEN PERFORM pg_sleep(3); END IF; RETURN v; END \$f\$;
	SELECT count(*) FROM siddhi.deploy('r', \$\$$app\$\$);
});
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES (1), (2), (3);
	SELECT siddhi.flush();
});
is($node->safe_psql('postgres', 'SELECT max(total) FROM t'), '6',
	'the window holds 1, 2, 3 (its sum: 6)');

# an event for the old deployment; while its batch runs, the redeploy
# (not committed yet: it holds the state's rows, so the batch's save waits
# for it, or it waits for the batch)
$node->safe_psql('postgres', 'INSERT INTO s VALUES (10)');
ok( $node->poll_query_until(
		'postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	 WHERE backend_type = 'siddhi engine' AND wait_event = 'PgSleep'}),
	'the engine is in the batch of 10');
my $deployer = $node->background_psql('postgres');
$deployer->query_safe(qq{
	BEGIN;
	SELECT count(*) FROM siddhi.deploy('r', \$\$$app\$\$, replace => true);
});
sleep(4);
my $engine_waited = $node->safe_psql(
	'postgres', q{
	SELECT count(*) FROM pg_stat_activity
	 WHERE backend_type = 'siddhi engine' AND wait_event_type = 'Lock'});
note "the engine's save waits for the redeploy: $engine_waited";
$deployer->query_safe('COMMIT');
$deployer->quit;

# the new deployment runs with the state the old one held at its end,
# with 10 (116), whether or not the old deployment's save of that batch
# gave way to the redeploy (before the hand-over: 106 when it did); never
# empty (100)
$node->safe_psql('postgres', q{
	INSERT INTO s VALUES (100);
	SELECT siddhi.flush();
});
like( $node->safe_psql(
		'postgres', q{
	SELECT string_agg(total::text, ',' ORDER BY total) FROM t}),
	qr/^1,3,6,16,116$/,
	'the new deployment restored the window it was handed');
is( $node->safe_psql(
		'postgres', q{
	SELECT error IS NULL FROM siddhi.apps WHERE name = 'r'}),
	't', 'and runs');
unlike(slurp_file($node->logfile), qr/is damaged|could not save/,
	'no damaged state, no failed save');

$node->stop;
done_testing();
