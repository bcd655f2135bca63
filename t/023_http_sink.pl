# The HTTP sink (src/connectors/http_sink.c) against a real HTTP server on
# 127.0.0.1 (test/http/server.py): the loopback is refused until
# siddhi.http_allowed_hosts lists it (events wait in the outbox meanwhile);
# 503s and a server that is down are retried until every event is
# delivered, once each as far as the server saw, with basic auth from a
# secret and the headers asked for; a 400 drops that one event, counted;
# batch.size sends JSON arrays.
use strict;
use warnings;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $log = "$dir/http_requests.jsonl";
my $server_py = $ENV{SIDDHI_HTTP_SERVER} or die "SIDDHI_HTTP_SERVER is not set";

my ($server, $port);
sub start_server
{
	my @extra = @_;
	my ($out, $err) = ('', '');
	$server = IPC::Run::start(
		[ 'python3', $server_py, '--log', $log, '--user', 'ann:pw1',
		  '--port', $port // 0, @extra ],
		'>', \$out, '2>', \$err);
	my $deadline = time + 30;
	$server->pump_nb while $out !~ /listening (\d+)/ && time < $deadline;
	$out =~ /listening (\d+)/ or die "server did not start: $err";
	$port = $1;
}
sub requests
{
	return [] unless -f $log;
	return [ map { decode_json($_) } grep { /\S/ } split /\n/, slurp_file($log) ];
}

start_server('--fail-first', 5);

my $node = PostgreSQL::Test::Cluster->new('http_sink');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', "INSERT INTO siddhi.secrets VALUES ('HOOK_PW', 'pw1')");
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('web', \$\$
		define stream S (id long, sym string);
		\@sink(type = 'http', publisher.url = 'http://127.0.0.1:$port/hook',
		      method = 'POST', headers = "'X-Source:siddhi','X-Env:test'",
		      basic.auth.username = 'ann', basic.auth.password = '\${HOOK_PW}',
		      \@map(type = 'json'))
		define stream Out (id long, sym string);
		from S select id, sym insert into Out;
	\$\$)});

# the default allow-list refuses the loopback: nothing is sent, nothing lost
$node->safe_psql('postgres',
	"INSERT INTO s SELECT i, 'sym' || i FROM generate_series(1, 100) i");
ok($node->poll_query_until('postgres',
	q{SELECT queued = 100 AND last_error LIKE '%not allowed by siddhi.http_allowed_hosts%'
	    FROM siddhi.sinks WHERE app = 'web'}),
	'the loopback is refused by default, the events wait in the outbox');
is(scalar(@{ requests() }), 0, 'the server saw nothing');

# allowed: the first five requests get 503 and are sent again
$node->safe_psql('postgres',
	"ALTER SYSTEM SET siddhi.http_allowed_hosts = '*, 127.0.0.1'");
$node->reload;
ok($node->poll_query_until('postgres',
	q{SELECT sent = 100 AND queued = 0 FROM siddhi.sinks WHERE app = 'web'}),
	'all 100 delivered once the loopback is allowed');
my @ok = grep { $_->{status} == 200 } @{ requests() };
my %ids = map { decode_json($_->{body})->{event}{id} => 1 } @ok;
is(scalar(keys %ids), 100, 'the server accepted each of the 100 events');
is(scalar(grep { $_->{status} == 503 } @{ requests() }), 5, 'after five 503s');
is($ok[0]{headers}{'X-Source'}, 'siddhi', 'the headers asked for are sent');
is($ok[0]{headers}{'Content-Type'}, 'application/json', 'as JSON');
is($ok[0]{path}, '/hook', 'to the path of publisher.url');

# a request the server refuses as bad is dropped, counted, and the rest go on
$node->safe_psql('postgres',
	"INSERT INTO s VALUES (101, 'bad-request'), (102, 'fine')");
ok($node->poll_query_until('postgres',
	q{SELECT sent = 101 AND dropped = 1 AND queued = 0 FROM siddhi.sinks WHERE app = 'web'}),
	'a 400 drops that event only');

# the server goes away: events wait, and all arrive when it is back
$server->kill_kill;
$node->safe_psql('postgres',
	"INSERT INTO s SELECT i, 'sym' || i FROM generate_series(201, 250) i");
ok($node->poll_query_until('postgres',
	q{SELECT queued = 50 AND failed > 0 FROM siddhi.sinks WHERE app = 'web'}),
	'with the server down the events wait');
start_server();
ok($node->poll_query_until('postgres',
	q{SELECT sent = 151 AND queued = 0 FROM siddhi.sinks WHERE app = 'web'}),
	'and are delivered when it is back');
my %late = map { decode_json($_->{body})->{event}{id} => 1 }
	grep { $_->{status} == 200 } @{ requests() };
is(scalar(grep { $late{$_} } 201 .. 250), 50, 'every one of them');

# batch.size: one JSON array of up to that many events per request
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('batched', \$\$
		define stream B (id long);
		\@sink(type = 'http', publisher.url = 'http://127.0.0.1:$port/batch',
		      batch.size = '10', basic.auth.username = 'ann',
		      basic.auth.password = '\${HOOK_PW}', \@map(type = 'json'))
		define stream BOut (id long);
		from B select id insert into BOut;
	\$\$)});
$node->safe_psql('postgres', "INSERT INTO b SELECT i FROM generate_series(1, 35) i");
ok($node->poll_query_until('postgres',
	q{SELECT sent = 35 AND queued = 0 FROM siddhi.sinks WHERE app = 'batched'}),
	'batch.size: all 35 delivered');
my @batches = map { decode_json($_->{body}) }
	grep { $_->{path} eq '/batch' && $_->{status} == 200 } @{ requests() };
my @bids = sort { $a <=> $b } map { map { $_->{event}{id} } @$_ } @batches;
is(join(',', @bids), join(',', 1 .. 35), 'each event once, in JSON arrays');
ok(!grep({ ref($_) ne 'ARRAY' || @$_ > 10 } @batches), 'of at most 10 events each');
ok(scalar(@batches) < 35, 'in fewer requests than events');

$server->kill_kill;
$node->stop;
done_testing();
