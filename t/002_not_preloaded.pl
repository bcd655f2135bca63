# Without shared_preload_libraries the extension refuses to install and
# says what to set.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('nopreload');
$node->init;
$node->start;
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'CREATE EXTENSION siddhi');
isnt($ret, 0, 'CREATE EXTENSION fails');
like($stderr, qr/siddhi must be loaded via shared_preload_libraries/,
	'error says why');
like($stderr, qr/HINT:  Add 'siddhi' to shared_preload_libraries/,
	'hint says what to do');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM pg_extension WHERE extname = 'siddhi'"), '0',
	'nothing installed');
$node->stop;
done_testing();
