# Durable streams, exactly once: 10 kill -9 cycles of the engine worker
# and 2 immediate stops of the postmaster at random moments while a client
# inserts (INSERT .. SELECT and COPY, committed transactions of 1 to 3,000
# rows, counted by id) into a durable stream feeding a filter query into a
# table.  Every committed event is in the output once: none lost, none
# twice.  The same transactions also insert into a non-durable stream
# feeding the same query: what it lost is printed, not checked.
#
# Each client transaction also writes its ids into a logged table (fed):
# what committed is exactly what is there, whatever the client was told
# when its connection died.  In every other cycle a session locks the
# output tables first, so that the engine holds a backlog of committed
# events (in its batch, in the ring) when it is killed.
#
# kill -9 of the engine makes the postmaster restart the cluster
# (restart_after_crash = on): the client sessions die with it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('durable_kill');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	CREATE TABLE fed (id bigint PRIMARY KEY, v int NOT NULL);
	SELECT siddhi.deploy('dur', $$
		CREATE STREAM ins (id bigint, v int) WITH (durable = true);
		CREATE STREAM nd (id bigint, v int);
		CREATE TABLE got (id bigint, v int);
		CREATE TABLE got_nd (id bigint, v int);
		INSERT INTO got SELECT id, v FROM ins WHERE v <> 3;
		INSERT INTO got_nd SELECT id, v FROM nd WHERE v <> 3;
	$$);
});

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $next_id = 1;

# one cycle's feed: transactions of INSERT .. SELECT and COPY into both
# streams and into fed
sub feed
{
	my $sql = '';
	for my $k (1 .. 400)
	{
		my $n = 1 + int(rand($k % 10 == 0 ? 3000 : 40));
		my ($a, $b) = ($next_id, $next_id + $n - 1);
		$next_id += $n;
		my $rows = "SELECT g, (g % 7)::int FROM generate_series($a, $b) g";
		if ($k % 25 == 0)
		{
			# COPY, a few rows
			my $data = join('', map { "$_\t" . ($_ % 7) . "\n" } $a .. $b);
			$sql .=
				"BEGIN;\nCOPY ins FROM STDIN;\n$data\\.\n"
			  . "COPY nd FROM STDIN;\n$data\\.\n"
			  . "INSERT INTO fed $rows;\nCOMMIT;\n";
		}
		else
		{
			$sql .=
				"BEGIN;\nINSERT INTO ins $rows;\nINSERT INTO nd $rows;\n"
			  . "INSERT INTO fed $rows;\nCOMMIT;\n";
		}
	}
	return $sql;
}

sub alive
{
	my ($pid) = @_;
	return 0 unless kill(0, $pid);
	if (open(my $fh, '<', "/proc/$pid/stat"))
	{
		my $stat = <$fh>;
		return 0 if defined $stat && $stat =~ /^\d+ \(.*\) [ZX] /;
	}
	return 1;
}

my ($worker_kills, $postmaster_kills) = (0, 0);
for my $cycle (1 .. 12)
{
	ok( $node->poll_query_until(
			'postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
		"cycle $cycle: one engine worker");
	my $pid = $node->safe_psql('postgres', $engine_pid);

	my $lock;
	if ($cycle % 2 == 0)
	{
		$lock = $node->background_psql('postgres', on_error_stop => 0);
		$lock->query_safe(
			'BEGIN; LOCK TABLE got, got_nd IN EXCLUSIVE MODE');
	}
	my $file = "${PostgreSQL::Test::Utils::tmp_check}/feed_$cycle.sql";
	PostgreSQL::Test::Utils::append_to_file($file, feed());
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \$out, '2>', \$err);

	# a random moment in the middle of the feed
	usleep(200_000 + int(rand(1_500_000)));
	if ($cycle == 4 || $cycle == 9)
	{
		$node->stop('immediate');
		$h->finish;
		$node->start;
		$postmaster_kills++;
	}
	else
	{
		kill 'KILL', $pid;
		$h->finish;    # its session dies in the restart
		ok( $node->poll_query_until(
				'postgres',
				"SELECT count(*) = 1 FROM pg_stat_activity "
				  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
			"cycle $cycle: the engine is back");
		$worker_kills++;
	}
	if ($lock)
	{
		eval { $lock->quit; };
	}
}
is($worker_kills, 10, 'ten kills of the engine worker');
is($postmaster_kills, 2, 'two immediate stops of the postmaster');

# one last feed, uninterrupted, then everything must be there
$node->safe_psql('postgres', feed());
$node->safe_psql('postgres', 'SELECT siddhi.flush()');

my $committed = $node->safe_psql('postgres', 'SELECT count(*) FROM fed');
my $expected =
  $node->safe_psql('postgres', 'SELECT count(*) FROM fed WHERE v <> 3');
cmp_ok($committed, '>', 10000, "a real feed ($committed events committed)");
is( $node->safe_psql('postgres',
		'SELECT count(*), count(DISTINCT id) FROM got'),
	"$expected|$expected",
	'durable: as many results as committed events that pass the filter, '
	  . 'each once');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM fed f
		 WHERE f.v <> 3 AND NOT EXISTS (SELECT FROM got g WHERE g.id = f.id)}),
	'0',
	'durable: 0 lost');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM got g
		 WHERE NOT EXISTS (SELECT FROM fed f WHERE f.id = g.id AND f.v = g.v)
		    OR g.v = 3}),
	'0',
	'durable: nothing that was not committed, nothing the filter drops');
is( $node->safe_psql('postgres',
		'SELECT transactions, pieces FROM siddhi.durable_backlog'),
	'0|0', 'the staging table is empty once everything is processed');

my ($nd_rows, $nd_distinct) = split /\|/,
  $node->safe_psql('postgres',
	'SELECT count(*), count(DISTINCT id) FROM got_nd');
my $lost = $expected - $nd_distinct;
diag(
	"non-durable stream, same feed: $lost of $expected committed events "
	  . "lost, "
	  . ($nd_rows - $nd_distinct)
	  . " twice");
note "non-durable lost $lost of $expected";

$node->stop;
done_testing();
