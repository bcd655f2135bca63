# DDL under a running app (issue 11, item 4): a column type change of an
# app's output table or input stream used to write garbage from the
# engine's memory or crash the server (signal 11, the postmaster
# reinitialised), and DROP TABLE of an output table left the app
# "running" while its events were skipped.  Now pg_depend refuses them,
# CASCADE stops the app with a reason, and events keep flowing before and
# after without the server restarting.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('ddl');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\nrestart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	CREATE ROLE ddl_user LOGIN;
	CREATE SCHEMA ddl_user AUTHORIZATION ddl_user;
});

# Run sql as ddl_user; returns (exit code, stdout, stderr).
sub as_user
{
	my ($sql) = @_;
	my ($out, $err);
	my $ret = $node->psql('postgres',
		"SET ROLE ddl_user; SET search_path = ddl_user; $sql",
		stdout => \$out, stderr => \$err);
	return ($ret, $out, $err);
}

sub app_state
{
	my ($app) = @_;
	return $node->safe_psql('postgres',
		"SELECT state || coalesce(': ' || error, '') FROM siddhi.apps WHERE name = '$app'");
}

my ($ret, $out, $err) = as_user(q{
	SELECT siddhi.deploy('ddl_tap', $$
		define stream DdlS (a int, b string);
		define table DdlOut (a int, b string);
		from DdlS select a, b insert into DdlOut;
	$$);
	SELECT siddhi.deploy('ddl_tap2', $$
		define stream DdlS2 (a int, b string);
		define table DdlOut2 (a int, b string);
		from DdlS2 select a, b insert into DdlOut2;
	$$);
});
is($ret, 0, 'apps deployed by a non-superuser') or diag($err);
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM siddhi.apps WHERE state = 'running'"),
	'apps run');
my $engine = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");

# events before
as_user("INSERT INTO ddls SELECT g, 'before' || g FROM generate_series(1, 100) g");
ok($node->poll_query_until('postgres',
	'SELECT count(*) = 100 FROM ddl_user.ddlout'), 'events before the ALTER');

# the crash reproductions: refused now
($ret, $out, $err) = as_user('ALTER TABLE ddlout ALTER COLUMN a TYPE text');
isnt($ret, 0, 'ALTER TABLE .. TYPE of an output table is refused');
like($err, qr/cannot alter type of a column used by a view or rule.*\n.*siddhi_app\.ddl_tap depends on column "a"/,
	'and names the app');
($ret, $out, $err) = as_user('ALTER TABLE ddlout ALTER COLUMN b TYPE int USING 7');
isnt($ret, 0, 'also for the text column');
($ret, $out, $err) = as_user('ALTER FOREIGN TABLE ddls ALTER COLUMN a TYPE text');
isnt($ret, 0, 'ALTER FOREIGN TABLE .. TYPE of an input stream is refused');
like($err, qr/cannot alter type of a column used by a view or rule/, 'with the view message');
($ret, $out, $err) = as_user('DROP TABLE ddlout');
isnt($ret, 0, 'DROP TABLE of an output table is refused');
like($err, qr/view siddhi_app\.ddl_tap depends on table ddlout/, 'naming the app');

# events after
as_user("INSERT INTO ddls SELECT g, 'after' || g FROM generate_series(101, 200) g");
ok($node->poll_query_until('postgres',
	'SELECT count(*) = 200 FROM ddl_user.ddlout'), 'events after the refused ALTERs');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM ddl_user.ddlout WHERE b = CASE WHEN a <= 100 THEN 'before' ELSE 'after' END || a"),
	'200', 'every row intact');

# with CASCADE the app stops with the reason; events keep coming
as_user('DROP TABLE ddlout CASCADE');
ok($node->poll_query_until('postgres',
	"SELECT state = 'failed' FROM siddhi.apps WHERE name = 'ddl_tap'"),
	'DROP TABLE .. CASCADE stops the app');
like(app_state('ddl_tap'), qr/relation "ddl_user.ddlout" used by the app was dropped/,
	'and says why');
as_user("INSERT INTO ddls SELECT g, 'late' FROM generate_series(201, 300) g");
is($node->safe_psql('postgres', 'SELECT siddhi.flush()'), 't',
	'events to the stopped app are consumed');

# a stream changed in the transaction that writes it: the chunks written
# under the old row type and under the new one cannot be mixed up
as_user("INSERT INTO ddls2 VALUES (1, 'one')");
ok($node->poll_query_until('postgres',
	'SELECT count(*) = 1 FROM ddl_user.ddlout2'), 'second app runs');
($ret, $out, $err) = as_user(q{
	BEGIN;
	INSERT INTO ddls2 SELECT g, repeat('x', g) FROM generate_series(2, 50) g;
	ALTER FOREIGN TABLE ddls2 DROP COLUMN b CASCADE;
	ALTER FOREIGN TABLE ddls2 ADD COLUMN b bigint;
	INSERT INTO ddls2 SELECT g, g * 1000 FROM generate_series(51, 100) g;
	COMMIT;
});
is($ret, 0, 'stream altered between its events') or diag($err);
is($node->safe_psql('postgres', 'SELECT siddhi.flush()'), 't', 'flushed');
# the app was reloaded on the new row type; each chunk was read with the
# row type it was written under or dropped (which ones depends on when the
# worker saw the commit and its invalidations), never misread
ok($node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'ddl_tap2'"),
	'the app of the altered stream runs on its new row type');
my ($seen, $right) = split / /, $node->safe_psql('postgres', q{
	SELECT count(*) || ' ' || count(*) FILTER (WHERE b = CASE WHEN a <= 50
		THEN repeat('x', a) ELSE (a * 1000)::text END)
	FROM ddl_user.ddlout2 WHERE a > 1});
is($right, $seen, "the $seen events processed have their right values");
my ($dropped) = slurp_file($node->logfile) =~
	/(\d+) events of stream "ddls2" written under another definition of it were dropped/;
ok(defined $dropped, 'events written under the other row type were dropped, and said so');
is($seen + ($dropped // 0), 99, 'each event processed or dropped');
as_user("INSERT INTO ddls2 VALUES (101, 101)");
ok($node->poll_query_until('postgres',
	'SELECT count(*) > 0 FROM ddl_user.ddlout2 WHERE a = 101'), 'and events after');

# nothing crashed: same engine, no restart in the log
is($node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'"),
	$engine, 'the engine worker is the one from the start');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
unlike($log, qr/reinitializing/, 'the postmaster did not reinitialise');

$node->stop;
done_testing();
