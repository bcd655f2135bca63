# What the server log gets from sources: @OnError(action = 'LOG') logs a
# record that cannot be mapped with at most 1 kB of its payload, rate
# limited per source (siddhi.error_log_interval) while siddhi.sources
# counts every one; a secret's value never reaches the log, whether the
# app loads or fails for a missing secret.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('source_errors');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.error_log_interval = '1h'\nlog_statement = none\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');

# passThrough bytes of another row type: Wrong publishes (name string) to
# the topic In reads as (id int)
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('logged', $$
		@sink(type = 'inMemory', topic = 'mixed')
		define stream Wrong (name string);
		@sink(type = 'inMemory', topic = 'mixed')
		define stream Good (id int);
		@OnError(action = 'LOG')
		@source(type = 'inMemory', topic = 'mixed')
		define stream InLog (id int);
		define table Out (id int);
		from InLog select id insert into Out;
	$$)});
$node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'logged'");

my $offset = -s $node->logfile;
# a long payload, then four more bad ones and a good one
$node->safe_psql('postgres',
	"INSERT INTO wrong VALUES ('start-' || repeat('x', 5000) || '-end')");
$node->safe_psql('postgres',
	"INSERT INTO wrong SELECT 'bad ' || g FROM generate_series(1, 4) g");
$node->safe_psql('postgres', "INSERT INTO good VALUES (1)");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM out'),
	'the good record arrives');
is( $node->safe_psql(
		'postgres',
		"SELECT records_in, events_out, errors FROM siddhi.sources "
		  . "WHERE app = 'logged'"),
	'6|1|5',
	'siddhi.sources counts every bad record');

my $log = substr(slurp_file($node->logfile), $offset);
my @lines = ($log =~ /could not map a record/g);
is(scalar(@lines), 1, 'one log line within siddhi.error_log_interval');
like(
	$log,
	qr/source "inlog\.source1" of app "logged" could not map a record: passThrough event is of another row type/,
	'the line names the source, the app and the error');
like($log, qr/DETAIL:  Payload: .*start-x+\.\.\. \(\d+ bytes\)/,
	'the payload is in the log, cut at 1 kB');
unlike($log, qr/-end/, 'nothing of the payload beyond 1 kB');
my ($payload) = ($log =~ /Payload: (.*)/);
cmp_ok(length($payload), '<', 1024 * 4 + 40,
	'at most 1 kB of payload (each byte at most 4 characters)');

# secrets: neither a loaded app nor a failed one puts a value in the log
$node->safe_psql('postgres',
	"INSERT INTO siddhi.secrets VALUES ('TOPIC_SECRET', 'hush-hush-4711')");
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('secretive', $$
		@OnError(action = 'LOG')
		@source(type = 'inMemory', topic = '${TOPIC_SECRET}')
		define stream Hushed (id int);
		define table HushedOut (id int);
		from Hushed select id insert into HushedOut;
	$$)});
# a missing secret fails the deploy, naming it and nothing else
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
	SELECT siddhi.deploy('missing', $$
		@source(type = 'inMemory', topic = '${NOT_THERE}')
		define stream Nowhere (id int);
	$$)});
like($stderr, qr/secret "NOT_THERE" is not set/,
	'the deploy names the missing secret');
# one that goes between the deploy and the load fails the load
$node->safe_psql('postgres', q{
	BEGIN;
	INSERT INTO siddhi.secrets VALUES ('NOT_THERE', 'soon-gone-0815');
	SELECT siddhi.deploy('missing', $$
		@source(type = 'inMemory', topic = '${NOT_THERE}')
		define stream Nowhere (id int);
	$$);
	DELETE FROM siddhi.secrets WHERE name = 'NOT_THERE';
	COMMIT;
});
ok( $node->poll_query_until(
		'postgres',
		"SELECT string_agg(name || ':' || state, ',' ORDER BY name) "
		  . "FROM siddhi.apps WHERE name IN ('secretive', 'missing')",
		'missing:failed,secretive:running'),
	'the app with its secret runs, the one without fails');
like(
	$node->safe_psql(
		'postgres', "SELECT error FROM siddhi.apps WHERE name = 'missing'"),
	qr/secret "NOT_THERE" is not set/,
	'the failure names the missing secret');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM siddhi.sources "
		  . "WHERE detail LIKE '%hush%' OR last_error LIKE '%hush%'"),
	'0',
	'siddhi.sources shows no secret');
$log = slurp_file($node->logfile);
like($log, qr/app "missing" failed to start: secret "NOT_THERE" is not set/,
	'the log names the missing secret');
unlike($log, qr/hush-hush-4711/, 'the secret value is never logged');
unlike($log, qr/soon-gone-0815/, 'nor the value of one deleted since');

$node->stop;
done_testing();
