# The HTTP sink against a far side that is slow or refuses its credentials
# (test/http/server.py on 127.0.0.1): a server slower than the sink's
# socket.idle.timeout and a 401 are failures the sink retries, never drops;
# the events wait in the outbox (siddhi.sinks: queued, failed, last_error)
# and all arrive once the server answers in time and accepts the password.
use strict;
use warnings;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $log = "$dir/http_slow.jsonl";
my $server_py = $ENV{SIDDHI_HTTP_SERVER} or die "SIDDHI_HTTP_SERVER is not set";

my ($server, $port);
sub start_server
{
	my @extra = @_;
	my ($out, $err) = ('', '');
	$server = IPC::Run::start(
		[ 'python3', $server_py, '--log', $log, '--port', $port // 0, @extra ],
		'>', \$out, '2>', \$err);
	my $deadline = time + 30;
	$server->pump_nb while $out !~ /listening (\d+)/ && time < $deadline;
	$out =~ /listening (\d+)/ or die "server did not start: $err";
	$port = $1;
}
sub stop_server
{
	$server->kill_kill;
	$server->finish;
}
sub requests
{
	return [] unless -f $log;
	return [ map { decode_json($_) } grep { /\S/ } split /\n/, slurp_file($log) ];
}

# a server that takes 2 s per answer, against a sink that waits 500 ms
start_server('--delay-ms', 2000, '--user', 'ann:pw1');

my $node = PostgreSQL::Test::Cluster->new('http_slow');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.http_allowed_hosts = '127.0.0.1'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', "INSERT INTO siddhi.secrets VALUES ('PW', 'pw1')");
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('slow', \$\$
		define stream S (id long);
		\@sink(type = 'http', publisher.url = 'http://127.0.0.1:$port/in',
		      socket.idle.timeout = '500',
		      basic.auth.username = 'ann', basic.auth.password = '\${PW}',
		      \@map(type = 'json'))
		define stream Out (id long);
		from S select id insert into Out;
	\$\$)});
$node->safe_psql('postgres',
	"INSERT INTO s SELECT i FROM generate_series(1, 20) i");
ok( $node->poll_query_until(
		'postgres',
		q{SELECT failed > 0 AND sent = 0 AND queued = 20 AND dropped = 0
		    FROM siddhi.sinks WHERE app = 'slow'}),
	'a server slower than socket.idle.timeout: failures, retried, none dropped');

# the same server, now quick but refusing the password the sink sends
stop_server();
unlink $log;
start_server('--user', 'ann:other');
ok( $node->poll_query_until(
		'postgres',
		q{SELECT sent = 0 AND queued = 20 AND dropped = 0 AND last_error LIKE '%401%'
		    FROM siddhi.sinks WHERE app = 'slow'}),
	'a 401 is a failure the sink retries: the events stay queued');
ok(scalar(grep { $_->{status} == 401 } @{ requests() }) > 0,
	'the server answered 401');

# the server accepts the password at last: every event arrives
stop_server();
unlink $log;
start_server('--user', 'ann:pw1');
ok( $node->poll_query_until(
		'postgres',
		q{SELECT sent = 20 AND queued = 0 AND dropped = 0
		    FROM siddhi.sinks WHERE app = 'slow'}),
	'all 20 delivered once the server answers in time and accepts them');
my %ids;
for my $r (@{ requests() })
{
	next unless $r->{status} == 200;
	my $b = decode_json($r->{body});
	$ids{ $b->{event}{id} }++;
}
is(scalar(keys %ids), 20, 'the server accepted each of the 20 events');

stop_server();
$node->stop;
done_testing();
