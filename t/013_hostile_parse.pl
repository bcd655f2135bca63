# Inputs that once crashed the parser (a SIGSEGV restarts the whole
# cluster and loses every committed event not yet processed) are ordinary
# errors for an ordinary role: the server never restarts, no process dies,
# and an app deployed before keeps processing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hostile_parse');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	CREATE ROLE hp_tap LOGIN;
	CREATE SCHEMA hp_tap AUTHORIZATION hp_tap;
	ALTER ROLE hp_tap SET search_path = hp_tap;
});
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('keeper', $$
		define stream KIn (n int);
		define table KOut (n int);
		from KIn select n insert into KOut;
	$$)}, extra_params => [ '-U', 'hp_tap' ]);
ok($node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'keeper'"),
	'an app runs');
my $started = $node->safe_psql('postgres',
	'SELECT pg_postmaster_start_time()');

my @inputs = (
	'CREATE AGGREGATION A AS SELECT x FROM Q7 PARTITION BY sym;',
	'CREATE STREAM Q7 (sym TEXT, x INT); CREATE AGGREGATION A AS '
	  . 'SELECT sym, sum(x) AS t FROM Q7 GROUP BY sym PARTITION BY sym;',
	'CREATE AGGREGATION A AS SELECT x FROM PATTERN (a=Q7 -> b=Q7) '
	  . 'PARTITION BY sym;',
	'CREATE AGGREGATION A AS SELECT x FROM Q7 AS a JOIN Q8 AS b '
	  . 'ON a.k = b.k PARTITION BY sym;',
);
my $n = 0;
foreach my $app (@inputs)
{
	$n++;
	foreach my $fn ('parse', 'deploy')
	{
		my $call = $fn eq 'parse'
		  ? "SELECT siddhi.parse(\$a\$$app\$a\$)"
		  : "SELECT siddhi.deploy('crash$n', \$a\$$app\$a\$)";
		my ($ret, $stdout, $stderr) =
		  $node->psql('postgres', $call,
			extra_params => [ '-U', 'hp_tap' ]);
		is($ret, 3, "$fn of input $n fails");
		like($stderr, qr/ERROR:  PARTITION BY is not supported in an aggregation/,
			"$fn of input $n says why");
	}
}

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the server never restarted');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process died');
$node->safe_psql('postgres', 'INSERT INTO hp_tap.kin VALUES (1)');
ok($node->poll_query_until('postgres',
	'SELECT count(*) = 1 FROM hp_tap.kout'),
	'the app deployed before still processes');
$node->stop;
done_testing();
