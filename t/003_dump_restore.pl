# pg_dump and pg_restore bring an app back: its catalog rows, its stream
# and its table (with the rows it wrote), and it processes events again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
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
# the restored app depends on its relations again (the engine wrote the
# pg_depend entries of its view siddhi_app.dumped when it loaded it; the
# app's state column came with the dump, so wait for an event instead)
my ($ret, $out, $err) = $node->psql('target', 'DROP TABLE large');
isnt($ret, 0, 'the restored app\'s table cannot be dropped');
like($err, qr/view siddhi_app\.dumped depends on table large/,
	'because the app depends on it');
is($node->safe_psql('source', 'SELECT count(*) FROM large'), '1',
	'the source database did not see the target\'s events');

# pg_restore writes siddhi.app before siddhi.app_relation: a worker that
# loads the app in between finds none of its relations and marks it
# failed; once the relations are in, it must try again.  Restore in two
# steps to make that moment certain.
$node->safe_psql('postgres', 'CREATE DATABASE target2');
my $list = $node->basedir . '/list';
my $partial = $node->basedir . '/partial';
$node->command_ok([ 'pg_restore', '-l', '-f', $list, $dump ], 'pg_restore -l');
open(my $in, '<', $list) or die;
open(my $part_fh, '>', $partial) or die;
while (<$in>)
{
	print $part_fh $_ unless /TABLE DATA siddhi app_relation/;
}
close $in;
close $part_fh;
$node->command_ok(
	[ 'pg_restore', '-L', $partial, '-d', $node->connstr('target2'), $dump ],
	'pg_restore without the app\'s relations');
ok($node->poll_query_until('target2',
	"SELECT state = 'failed' FROM siddhi.apps WHERE name = 'dumped'"),
	'the app cannot start without its relations');
$node->command_ok(
	[ 'pg_restore', '--data-only', '-t', 'app_relation', '-d',
	  $node->connstr('target2'), $dump ],
	'pg_restore of the relations');
ok($node->poll_query_until('target2',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'dumped'"),
	'the app starts once its relations are back');
$node->safe_psql('target2', 'INSERT INTO orders VALUES (4, 400)');
ok($node->poll_query_until('target2', 'SELECT count(*) = 2 FROM large'),
	'and processes events');
$node->stop;
done_testing();
