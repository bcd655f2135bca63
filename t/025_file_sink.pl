# The file sink (src/connectors/file_sink.c): 2,000 events appended as CSV
# lines under siddhi.file_directory, rotated by size into timestamped files
# that are gzipped; every line once, in order, across the files. (A worker
# killed in the middle of delivery is t/020_sink_crash.pl's subject: the
# outbox is the same for every sink.)
use strict;
use warnings;
use File::Spec;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('file_sink');
$node->init;
my $files = File::Spec->rel2abs($node->basedir . '/files');
mkdir $files or die;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.file_directory = '$files'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('fs', $$
		define stream S (id long, sym string, px double);
		@sink(type = 'file', file.uri = 'orders.csv', rotate.size = '8kB',
		      compress = 'gzip', @map(type = 'csv'))
		define stream Out (id long, sym string, px double);
		from S select id, sym, px insert into Out;
	$$)});

sub lines
{
	my @all;
	opendir(my $d, $files) or die;
	my @rot = sort grep { /^orders\.csv\.\d/ } readdir $d;
	closedir $d;
	for my $f (@rot)
	{
		my $text;
		if ($f =~ /\.gz$/)
		{
			gunzip("$files/$f" => \$text) or die $GunzipError;
		}
		elsif ($f =~ /\.tmp$/) { next; }
		else { $text = slurp_file("$files/$f"); }
		push @all, split /\n/, $text;
	}
	push @all, split /\n/, slurp_file("$files/orders.csv") if -f "$files/orders.csv";
	return @all;
}

for my $b (0 .. 9)
{
	my $from = $b * 100 + 1;
	my $to   = $from + 99;
	$node->safe_psql('postgres',
		"INSERT INTO s SELECT i, 'sym' || i, i * 1.5 FROM generate_series($from, $to) i");
}
ok($node->poll_query_until('postgres',
	q{SELECT sent = 1000 AND queued = 0 FROM siddhi.sinks WHERE app = 'fs'}),
	'1,000 events written');
my @l = lines();
is(scalar(@l), 1000, '1,000 lines across the files');
is($l[0], '1,sym1,1.5', 'a CSV line per event');
is_deeply([ map { (split /,/)[0] } @l ], [ 1 .. 1000 ], 'each once, in order');
opendir(my $d, $files) or die;
my @gz = grep { /\.gz$/ } readdir $d;
closedir $d;
ok(@gz >= 1, 'rotated files are gzipped (' . scalar(@gz) . ')');

$node->stop;
done_testing();
