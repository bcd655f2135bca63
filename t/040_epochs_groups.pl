# Epochs: a query's groups are saved incrementally.
#
# Each save writes, after the window's events, only the groups that
# changed since the last save and the keys of those that went
# (tombstones); a restart applies the parts in order, and when they hold
# four times what the query holds they are replaced by one part with every
# group.  An app with group-by queries (no window: groups never go; a
# length window: groups come and go; a sort window, saved whole, beside
# groups in parts; a timeBatch) runs a feed once straight through and once
# with a kill -9 of the engine every few batches: the outputs are the
# same, row for row.  It fails with the groups saved wrongly, e.g. without
# tombstones (a group that went comes back after a restart).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiEpochs;

my $node = PostgreSQL::Test::Cluster->new('groups');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "restart_after_crash = on\nsiddhi.state_interval = 0\n");
$node->start;

my $engine_pid =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";

sub app
{
	my ($n) = @_;
	return qq{
	\@app:playback
	\@eventTime('ts')
	define stream S$n (k string, v long, ts long);
	define table A$n (k string, s long, c long);
	define table B$n (k string, s long, c long);
	define table C$n (k string, m long);
	define table D$n (k string, a double);
	\@info(name = 'nowin') from S$n select k, sum(v) as s, count() as c
	group by k insert into A$n;
	\@info(name = 'len') from S$n#window.length(40) select k, sum(v) as s, count() as c
	group by k insert all events into B$n;
	\@info(name = 'sort') from S$n#window.sort(15, v) select k, max(v) as m
	group by k insert into C$n;
	\@info(name = 'tb') from S$n#window.timeBatch(1 sec) select k, avg(v) as a
	group by k insert into D$n;
	};
}

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres',
	"SELECT count(*) FROM siddhi.deploy('g$_', \$\$" . app($_) . "\$\$)")
  for (1, 2);
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($engine_pid) e"),
	'the engine runs');

# batch b: 25 events of 60 keys (long names: the groups weigh), 200 ms of
# event time apart
sub feed
{
	my ($n, $b) = @_;
	my ($lo, $hi) = ($b * 25, $b * 25 + 24);
	$node->safe_psql('postgres', qq{
		INSERT INTO s$n SELECT repeat('key', 30) || ((i * 7) % 60), (i * 13) % 101, i * 8
		  FROM generate_series($lo, $hi) i;
		SELECT siddhi.flush();
	});
}

my $batches = 150;
feed(1, $_) for 0 .. $batches - 1;

my $kills = 0;
for my $b (0 .. $batches - 1)
{
	feed(2, $b);
	next unless $b % 10 == 9;
	my $pid = $node->safe_psql('postgres', $engine_pid);
	kill 'KILL', $pid;
	$kills++;
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity "
		  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid")
	  or die "the engine did not come back";
}
note "$kills kills";
is($node->safe_psql('postgres', 'SELECT count(*) FROM siddhi.apps WHERE error IS NOT NULL'),
	'0', 'no app failed to start');

# the parts of the queries were replaced at least once (compaction)
my $parts = $node->safe_psql('postgres',
	"SELECT count(DISTINCT part) FROM siddhi.query_state_part WHERE app = 'g2' AND query = 'nowin'");
ok($parts > 0, "the groups are saved in parts ($parts)");
cmp_ok($node->safe_psql('postgres',
	"SELECT min(part) FROM siddhi.query_state_part WHERE app = 'g2' AND query = 'len'"),
	'>', 0, 'the length window\'s parts were compacted');

for my $t (qw(a b c d))
{
	my $cols = $t eq 'c' ? 'k, m' : $t eq 'd' ? 'k, a' : 'k, s, c';
	my $rows = $node->safe_psql('postgres', "SELECT count(*) FROM ${t}1");
	same_rows($node, "${t}1", "${t}2",
		"table ${t}: the same $rows rows with $kills kills", $cols);
}

$node->stop;
done_testing();
