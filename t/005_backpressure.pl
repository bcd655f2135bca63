# A full ring makes producers wait; nothing is dropped, whether events come
# in one large transaction or in many small ones.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('ring');
$node->init;
# the smallest ring: a few hundred events fill it
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\nsiddhi.ring_size = 64kB\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('ring', $$
		define stream Many (n int, pad string);
		define table Got (n int);
		from Many select n insert into Got;
	$$)});
$node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'ring'");

$node->safe_psql('postgres',
	"INSERT INTO many SELECT i, repeat('x', 100) FROM generate_series(1, 100000) i");
for my $k (1 .. 50)
{
	$node->safe_psql('postgres',
		"INSERT INTO many SELECT 100000 + $k * 1000 + i, 'y' FROM generate_series(1, 1000) i");
}
is($node->safe_psql('postgres', 'SELECT siddhi.flush(60000)'), 't',
	'the engine catches up');
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT n) FROM got'),
	'150000|150000', 'every event arrived once');

# an event larger than the ring is refused with a clear error
my ($ret, $out, $err) = $node->psql('postgres',
	"INSERT INTO many VALUES (0, repeat('z', 100000))");
isnt($ret, 0, 'an event larger than the ring fails');
like($err, qr/does not fit in the event ring/, 'and says why');
like($err, qr/siddhi.ring_size/, 'and which setting to raise');

$node->stop;
done_testing();
