# pg_dump and pg_restore bring an app back: its catalog rows, its stream
# and its table (with the rows it wrote), and it processes events again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', 'CREATE EXTENSION siddhi');
$node->safe_psql('source', q{
	SELECT siddhi.deploy('dumped', $$
		define stream Orders (id int, amount double);
		define table Large (id int, amount double);
		from Orders[amount >= 100] select id, amount insert into Large;
	$$)});
$node->poll_query_until('source',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'dumped'");
$node->safe_psql('source', 'INSERT INTO orders VALUES (1, 50), (2, 150)');
ok($node->poll_query_until('source', 'SELECT count(*) = 1 FROM large'),
	'source processes events');

my $dump = $node->basedir . '/source.dump';
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ],
	'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok(
	[ 'pg_restore', '-d', $node->connstr('target'), $dump ],
	'pg_restore');

is($node->safe_psql('target', 'SELECT name FROM siddhi.apps'),
	'dumped', 'app restored');
is($node->safe_psql('target', 'SELECT count(*) FROM large'), '1',
	'table rows restored');
ok($node->poll_query_until('target',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'dumped'"),
	'restored app runs');
$node->safe_psql('target', 'INSERT INTO orders VALUES (3, 300)');
ok($node->poll_query_until('target', 'SELECT count(*) = 2 FROM large'),
	'restored app processes events');
is($node->safe_psql('source', 'SELECT count(*) FROM large'), '1',
	'the source database did not see the target\'s events');
$node->stop;
done_testing();
