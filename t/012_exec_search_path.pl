# An app is analysed at every load under its deployer's search_path:
# after a server restart, and in a database restored by pg_dump and
# pg_restore, an app calling an unqualified function of a schema that was
# on the deployer's path (and is not on the engine's) comes back running
# and calls the same function.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('exec');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
	CREATE EXTENSION siddhi;
	CREATE ROLE deployer LOGIN;
	CREATE SCHEMA lib AUTHORIZATION deployer;
	CREATE SCHEMA work AUTHORIZATION deployer;
	SET ROLE deployer;
	CREATE FUNCTION lib.poison(x int) RETURNS int LANGUAGE sql
	    AS 'SELECT x OPERATOR(pg_catalog.*) 10';
	SET search_path = work, lib;
	SELECT siddhi.deploy('pathed', $$
		define stream PathIn (x int);
		define table PathOut (y int);
		from PathIn select poison(x) as y insert into PathOut;
	$$);
});
ok($node->poll_query_until('source',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'pathed'"),
	'the app runs');
is($node->safe_psql('source',
	"SELECT search_path FROM siddhi.app WHERE name = 'pathed'"),
	'work, lib', 'the deployer\'s search_path is recorded');
$node->safe_psql('source', 'INSERT INTO work.pathin VALUES (1)');
ok($node->poll_query_until('source', 'SELECT count(*) = 1 FROM work.pathout'),
	'it calls lib.poison');

$node->restart;
$node->safe_psql('source', 'INSERT INTO work.pathin VALUES (2)');
ok($node->poll_query_until('source', 'SELECT count(*) = 2 FROM work.pathout'),
	'after a restart it calls lib.poison again');
is($node->safe_psql('source',
	"SELECT state || coalesce(error, '') FROM siddhi.apps WHERE name = 'pathed'"),
	'running', 'and is running');
is($node->safe_psql('source', 'SELECT y FROM work.pathout ORDER BY y'),
	"10\n20", 'with the same function');

my $dump = $node->basedir . '/source.dump';
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ],
	'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok(
	[ 'pg_restore', '-d', $node->connstr('target'), $dump ],
	'pg_restore');
is($node->safe_psql('target',
	"SELECT search_path FROM siddhi.app WHERE name = 'pathed'"),
	'work, lib', 'the restored app keeps its search_path');
ok($node->poll_query_until('target',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'pathed'"),
	'the restored app runs');
$node->safe_psql('target', 'INSERT INTO work.pathin VALUES (3)');
ok($node->poll_query_until('target', 'SELECT count(*) = 3 FROM work.pathout'),
	'and calls lib.poison');
$node->stop;
done_testing();
