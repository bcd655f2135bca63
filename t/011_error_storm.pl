# Past a cap (siddhi.max_groups, siddhi.max_partition_keys), and whenever a
# query fails on every event: every error is counted, the server log gets
# at most one line per query per siddhi.error_log_interval, and once the
# window lets the events go the engine goes idle (no timer firing again
# and again on an expiry that fails) and keeps working.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('storm');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'siddhi'
siddhi.naptime = 100ms
siddhi.max_groups = 3
siddhi.max_partition_keys = 3
siddhi.error_log_interval = 60s
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('storm', $$
		define stream Cs (k string, v int);
		define table CapOut (k string, c long);
		@info(name = 'groups')
		from Cs#window.time(2 sec) select k, count() as c group by k
		insert into CapOut;

		define stream Ss (k string, v int);
		define table SessOut (k string, v int);
		@info(name = 'sessions')
		from Ss#window.session(1 sec, k) select k, v insert into SessOut;

		define stream Us (k string, v int);
		define table UniqOut (k string, v int);
		@info(name = 'unique')
		from Us#window.unique:time(k, 1 sec) select k, v insert into UniqOut;

		define stream Zs (v int);
		define table ZeroOut (x double);
		@info(name = 'zero')
		from Zs#window.time(1 sec) select ln(v * 1.0) as x
		insert expired events into ZeroOut;

		define stream Ps (k string, v int);
		define table PartOut (k string, c long);
		partition with (k of Ps)
		begin
			@info(name = 'keys')
			from Ps#window.time(1 sec) select k, count() as c
			insert into PartOut;
		end;
	$$)});
$node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'storm'");

sub errors
{
	return $node->safe_psql('postgres',
		"SELECT string_agg(query || '=' || errors, ' ' ORDER BY query) "
		  . "FROM siddhi.queries WHERE app = 'storm'");
}

# the worker's CPU time so far, in clock ticks
sub worker_ticks
{
	my $pid = $node->safe_psql('postgres',
		'SELECT pid FROM siddhi.engine_stats() WHERE database = '
		  . "(SELECT oid FROM pg_database WHERE datname = 'postgres')");
	open(my $fh, '<', "/proc/$pid/stat") or die "no /proc/$pid/stat: $!";
	my @f = split / /, <$fh>;
	close($fh);
	return $f[13] + $f[14];
}

my $log_start = -s $node->logfile;

# four keys over three groups (the issue's case), then 500 more new keys;
# ten keys for each other cap; one logarithm of zero that fails on expiry
$node->safe_psql('postgres', q{
	INSERT INTO cs VALUES ('a', 1), ('b', 1), ('c', 1), ('d', 1);
	INSERT INTO cs SELECT 'n' || i, 1 FROM generate_series(1, 500) i;
	INSERT INTO ss SELECT 'k' || i, i FROM generate_series(1, 10) i;
	INSERT INTO us SELECT 'k' || i, i FROM generate_series(1, 10) i;
	INSERT INTO zs VALUES (0);
	INSERT INTO ps SELECT 'k' || i, i FROM generate_series(1, 10) i;
});
is($node->safe_psql('postgres', 'SELECT siddhi.flush()'), 't',
	'the engine takes the events');
is(errors(), 'groups=501 keys=7 sessions=7 unique=7 zero=0',
	'every event past a cap is one error');

# every window has let its events go (the zero query fails once, on its
# expired event); then the counts stay still and the worker idles
$node->poll_query_until('postgres',
	"SELECT errors >= 1 FROM siddhi.queries WHERE app = 'storm' AND query = 'zero'")
  or die 'the expired event never failed';
sleep(3);
my $before = errors();
is($before, 'groups=501 keys=7 sessions=7 unique=7 zero=1',
	'an expiry that fails is one error');
my $ticks = worker_ticks();
sleep(2);
is(errors(), $before, 'no errors while no events arrive');
my $used = worker_ticks() - $ticks;
cmp_ok($used, '<', 50, "the worker idles (used $used ticks in 2 s)");

# the app still works: the groups left with their events
$node->safe_psql('postgres', "INSERT INTO cs VALUES ('later', 1)");
$node->safe_psql('postgres', 'SELECT siddhi.flush()');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM capout WHERE k = 'later'"),
	'1', 'a new group is made once the old ones left');

# one log line per query in the interval, not one per error
my $log = slurp_file($node->logfile, $log_start);
my @groups = ($log =~ /query "groups": query has more than 3 groups/g);
is(scalar(@groups), 1, 'one log line for 501 errors of a query');
for my $q ('keys', 'sessions', 'unique', 'zero')
{
	my @lines = ($log =~ /query "$q": /g);
	is(scalar(@lines), 1, "one log line for query $q");
}

# with the interval passed, the next line says how many were not logged
$node->append_conf('postgresql.conf', "siddhi.error_log_interval = 1s\n");
$node->reload;
sleep(2);
$node->safe_psql('postgres',
	"INSERT INTO cs SELECT 'p' || i, 1 FROM generate_series(1, 5) i");
$node->safe_psql('postgres', 'SELECT siddhi.flush()');
$log = slurp_file($node->logfile, $log_start);
like($log, qr/query "groups": query has more than 3 groups \(event skipped\)\n.*DETAIL:  500 earlier errors of the same source were counted but not logged/,
	'the next line counts the errors not logged');

$node->stop;
done_testing();
