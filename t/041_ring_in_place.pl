# The engine reads the chunks it pops where they lie in the ring (their
# room stays its own until the batch commits), copying only a chunk that
# lies across the ring's end; a transaction still open at the end of a
# round has its chunks copied before the room is given back.  A small
# ring wraps every few hundred events: every row must arrive whole, once,
# from transactions committed while another stays open across many
# rounds, and from a transaction whose rows span the ring many times.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('inplace');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 10ms\nsiddhi.ring_size = 128kB\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('inplace', $$
		define stream Rows (n long, who string, pad string);
		define table Got (n long, who string, pad string);
		from Rows select n, who, pad insert into Got;
	$$)});
$node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'inplace'");

# pads of 1 to 300 bytes, so that chunks end anywhere in the ring
my $pad = "repeat(chr(65 + (i % 26)), 1 + (i * 7919) % 300)";

# one transaction stays open across many rounds, inserting as it goes
my ($out, $err) = ('', '');
my $open = IPC::Run::start(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
		$node->connstr('postgres'), '-c',
		"BEGIN; "
		  . join(' ',
			map {
				"INSERT INTO rows SELECT i, 'open', $pad FROM generate_series("
				  . ($_ * 2000 + 1) . ", "
				  . ($_ * 2000 + 2000)
				  . ") i; SELECT pg_sleep(0.2);"
			} 0 .. 9)
		  . " COMMIT;"
	],
	'>', \$out, '2>', \$err);

# meanwhile many small transactions, and one large one
for my $k (0 .. 39)
{
	$node->safe_psql('postgres',
		"INSERT INTO rows SELECT i, 'small', $pad FROM generate_series("
		  . ($k * 250 + 1) . ", "
		  . ($k * 250 + 250) . ") i");
}
$node->safe_psql('postgres',
	"INSERT INTO rows SELECT i, 'large', $pad FROM generate_series(1, 30000) i");
$open->finish;
is($err, '', 'the open transaction committed');
$node->safe_psql('postgres', 'SELECT siddhi.flush()');

# every row, once, whole
my $want = $node->safe_psql('postgres', qq{
	SELECT who, count(*), sum(i), md5(string_agg(i || ':' || $pad, ',' ORDER BY i))
	  FROM (SELECT i, 'open' AS who FROM generate_series(1, 20000) i
	        UNION ALL SELECT i, 'small' FROM generate_series(1, 10000) i
	        UNION ALL SELECT i, 'large' FROM generate_series(1, 30000) i) s
	 GROUP BY who ORDER BY who});
my $got = $node->safe_psql('postgres', q{
	SELECT who, count(*), sum(n), md5(string_agg(n || ':' || pad, ',' ORDER BY n))
	  FROM got GROUP BY who ORDER BY who});
is($got, $want, 'every row arrived once and whole');
# the ring wrapped many times: 60,000 rows of 1 to 300 bytes in 128 kB
my $bytes = $node->safe_psql('postgres',
	"SELECT sum(length(pad)) > 50 * 131072 FROM got");
is($bytes, 't', 'through a ring many times smaller');

$node->stop;
done_testing();
