# The polling http source (src/connectors/http_poll.c) against a real HTTP
# server on 127.0.0.1 (test/http/server.py --serve): the roadmap's CREATE
# SOURCE .. WITH (type = 'http', url = .., interval, auth.type = 'bearer',
# auth.token = '${API_TOKEN}') MAP (type = 'json').  The loopback is refused
# until siddhi.http_allowed_hosts lists it; a JSON array is many events; an
# unchanged answer is asked with If-None-Match and answered 304 (no events
# again); a changed one brings its events; a server that is down is an
# error in siddhi.sources, and polling goes on when it is back.
use strict;
use warnings;
use IO::Socket::INET;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $log = "$dir/poll_requests.jsonl";
my $feed = "$dir/feed.json";
my $server_py = $ENV{SIDDHI_HTTP_SERVER} or die "SIDDHI_HTTP_SERVER is not set";

sub write_feed
{
	my @events = @_;
	open my $fh, '>', "$feed.tmp" or die;
	print $fh encode_json([ map { { event => $_ } } @events ]);
	close $fh;
	rename "$feed.tmp", $feed or die;
}
sub requests
{
	return [] unless -f $log;
	return [ map { decode_json($_) } grep { /\S/ } split /\n/, slurp_file($log) ];
}

my ($server, $port);
sub start_server
{
	my ($out, $err) = ('', '');
	$server = IPC::Run::start(
		[ 'python3', $server_py, '--log', $log, '--serve', $feed,
		  '--token', 'tok1', '--port', $port // 0 ],
		'>', \$out, '2>', \$err);
	my $deadline = time + 30;
	$server->pump_nb while $out !~ /listening (\d+)/ && time < $deadline;
	$out =~ /listening (\d+)/ or die "server did not start: $err";
	$port = $1;
}

write_feed({ symbol => 'A', price => 1.5, timestamp => 1 },
	{ symbol => 'B', price => 2.5, timestamp => 2 });
start_server();

my $node = PostgreSQL::Test::Cluster->new('http_poll');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', "INSERT INTO siddhi.secrets VALUES ('API_TOKEN', 'tok1')");
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('ticker', \$\$
		CREATE SOURCE StockTickerAPI (
			symbol STRING,
			price DOUBLE,
			timestamp LONG
		) WITH (
			type = 'http',
			url = 'http://127.0.0.1:$port/feed',
			method = 'GET',
			interval = '200',
			auth.type = 'bearer',
			auth.token = '\${API_TOKEN}'
		) MAP (type = 'json');
		CREATE TABLE Ticks (symbol TEXT, price DOUBLE PRECISION, ts BIGINT);
		INSERT INTO Ticks SELECT symbol, price, timestamp AS ts FROM StockTickerAPI;
	\$\$)});

# the default allow-list refuses the loopback
ok($node->poll_query_until('postgres',
	q{SELECT last_error LIKE '%not in siddhi.http_allowed_hosts%' FROM siddhi.sources WHERE app = 'ticker'}),
	'the loopback is refused by default');
is(scalar(@{ requests() }), 0, 'the server saw nothing');

$node->safe_psql('postgres',
	"ALTER SYSTEM SET siddhi.http_allowed_hosts = '127.0.0.1'");
$node->reload;
ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM ticks'),
	'allowed: the array of two is two events');
is($node->safe_psql('postgres', 'SELECT string_agg(symbol, \',\' ORDER BY ts) FROM ticks'),
	'A,B', 'in order');

# unchanged: asked again with If-None-Match, answered 304, no new events
my @reqs;
for (1 .. 300)
{
	@reqs = @{ requests() };
	last if scalar(grep { $_->{status} == 304 } @reqs) >= 2;
	select(undef, undef, undef, 0.1);
}
ok(scalar(grep { $_->{status} == 304 } @reqs) >= 2, 'the unchanged answer is 304');
# the server logs a 304 as it answers; the engine counts it once the
# answer has reached it, a moment later
$node->poll_query_until('postgres',
	q{SELECT detail ~ '[1-9][0-9]* not modified' FROM siddhi.sources WHERE app = 'ticker'});
like($node->safe_psql('postgres', q{SELECT detail FROM siddhi.sources WHERE app = 'ticker'}),
	qr/[1-9]\d* not modified/, 'counted in siddhi.sources');
ok(defined $reqs[-1]{headers}{'If-None-Match'}, 'asked with If-None-Match');
is($reqs[0]{headers}{'Authorization'}, 'Bearer tok1', 'with the bearer token from the secret');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ticks'), '2',
	'no events again');

# changed: its events come
write_feed({ symbol => 'C', price => 3.5, timestamp => 3 });
ok($node->poll_query_until('postgres', 'SELECT count(*) = 3 FROM ticks'),
	'a changed answer brings its event');

# the server goes down: an error, then polling goes on when it is back
$server->kill_kill;
$server->finish;
ok($node->poll_query_until('postgres',
	q{SELECT NOT connected AND last_error <> '' FROM siddhi.sources WHERE app = 'ticker'}),
	'with the server down: an error in siddhi.sources');
write_feed({ symbol => 'D', price => 4.5, timestamp => 4 },
	{ symbol => 'E', price => 5.5, timestamp => 5 });
start_server();
ok($node->poll_query_until('postgres', 'SELECT count(*) = 5 FROM ticks'),
	'back: its events come');
ok($node->poll_query_until('postgres',
	q{SELECT connected FROM siddhi.sources WHERE app = 'ticker'}),
	'and the source is connected again');

$server->kill_kill;
$node->stop;
done_testing();
