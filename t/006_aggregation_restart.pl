# An incremental aggregation across a server restart and a killed engine
# worker, in the middle of its buckets: the worker loads it again from the
# catalog and goes on adding to the same rows, with no event lost and none
# counted twice (each batch's deltas are written in the transaction that
# consumes its events).  Also: pg_dump keeps the tables and view.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('aggrestart');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\nrestart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('agg_app', $$
		define stream Ticks (k string, v long, ts long);
		@purge(enable = 'false')
		define aggregation TickAgg from Ticks
		select k, sum(v) as s, count() as n, avg(v) as a
		group by k aggregate by ts every sec ... year;
	$$)});
ok($node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'agg_app'"),
	'app starts');

my $sum = "SELECT string_agg(agg_granularity || ':' || s || '/' || n || '/' || a, ' ' ORDER BY agg_granularity) FROM tickagg";

$node->safe_psql('postgres',
	"INSERT INTO ticks VALUES ('a', 1, 1700000000100), ('a', 2, 1700000000200)");
ok($node->poll_query_until('postgres', "SELECT n = 2 FROM tickagg_sec"),
	'first events aggregated');

$node->restart;
$node->safe_psql('postgres', "INSERT INTO ticks VALUES ('a', 3, 1700000000300)");
ok($node->poll_query_until('postgres', "SELECT n = 3 FROM tickagg_sec"),
	'same bucket after a restart');

my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");
kill 'KILL', $pid;
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
	'engine worker came back after SIGKILL');
$node->safe_psql('postgres', "INSERT INTO ticks VALUES ('a', 4, 1700000000400)");
ok($node->poll_query_until('postgres', "SELECT n = 4 FROM tickagg_sec"),
	'same bucket after the worker was killed');
is($node->safe_psql('postgres', $sum),
	'day:10/4/2.5 hour:10/4/2.5 min:10/4/2.5 month:10/4/2.5 sec:10/4/2.5 year:10/4/2.5',
	'every event counted once at every granularity');

my $dump = `pg_dump -p ${\$node->port} -h ${\$node->host} -d postgres 2>&1`;
like($dump, qr/CREATE TABLE public\.tickagg_sec/, 'pg_dump keeps the tables');
like($dump, qr/CREATE VIEW public\.tickagg/, 'pg_dump keeps the view');

$node->stop;
done_testing();
