# The Prometheus endpoint (src/worker/metrics_http.c): off by default (no
# worker runs); siddhi.metrics_address turns it on; /health and /ready
# answer; /metrics, scraped with curl after events went through a filter,
# a window and a log sink, counts them, serves the same text as
# siddhi.metrics(), and passes Prometheus' own format rules
# (promtool check metrics); other paths 404, other methods 405; an
# address that is not one keeps the server from starting.
use strict;
use warnings;
use IO::Socket::INET;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = $PostgreSQL::Test::Utils::tmp_check;

sub free_port
{
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
		Proto => 'tcp', Listen => 1, ReuseAddr => 1) or die "no port: $!";
	my $p = $s->sockport;
	close $s;
	return $p;
}
my $mport = free_port();

# curl: (status, body)
sub get
{
	my ($path, @extra) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ 'curl', '-s', '--max-time', '20', '-o', '-', '-w', '\n%{http_code}',
		  @extra, "http://127.0.0.1:$mport$path" ],
		'>', \$out, '2>', \$err);
	my ($body, $status) = $out =~ m{^(.*)\n(\d+)$}s;
	return ($status // 0, $body // '');
}

# off by default: no endpoint worker (it logs where it listens)
my $off = PostgreSQL::Test::Cluster->new('metrics_off');
$off->init;
$off->append_conf('postgresql.conf', "shared_preload_libraries = 'siddhi'\n");
$off->start;
$off->safe_psql('postgres', 'SELECT 1');
sleep 1;
unlike(slurp_file($off->logfile), qr/metrics endpoint/,
	'no endpoint worker by default');
# an address that is not one: a warning, and no endpoint (a setting of a
# preloaded library that fails its check falls back to its default)
$off->stop;
$off->append_conf('postgresql.conf', "siddhi.metrics_address = 'localhost'\n");
$off->start;
$off->safe_psql('postgres', 'SELECT 1');
like(slurp_file($off->logfile),
	qr/invalid value for parameter "siddhi.metrics_address"/,
	'a malformed siddhi.metrics_address is refused with a message naming it');
is($off->safe_psql('postgres', 'SHOW siddhi.metrics_address'), '',
	'... and the endpoint stays off');
$off->stop;

my $node = PostgreSQL::Test::Cluster->new('metrics');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'siddhi'
siddhi.naptime = 100ms
siddhi.metrics_address = '127.0.0.1:$mport'
max_worker_processes = 5
});
$node->start;

my ($st, $body);
for (1 .. 100)
{
	($st, $body) = get('/health');
	last if $st == 200;
	select(undef, undef, undef, 0.1);
}
is($st, 200, '/health answers 200');
is($body, "ok\n", '... ok');
like(slurp_file($node->logfile),
	qr/siddhi metrics endpoint listening on 127.0.0.1:$mport/,
	'the endpoint worker says where it listens');

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('tap', $$
		define stream Ticks (sym string, price double);
		@sink(type = 'log', prefix = 'TAPM')
		define stream Big (sym string, price double);
		@info(name = 'f') from Ticks[price > 500] select sym, price insert into Big;
		@info(name = 'w') from Ticks#window.length(10) select sym, avg(price) as a
		  group by sym insert into Avgs;
	$$)});
ok($node->poll_query_until('postgres',
	q{SELECT state = 'running' FROM siddhi.apps WHERE name = 'tap'}),
	'the app runs');
for (1 .. 100)
{
	($st, $body) = get('/ready');
	last if $st == 200;
	select(undef, undef, undef, 0.1);
}
is($st, 200, '/ready answers 200 once the engine runs');
is($body, "ready\n", '... ready');

$node->safe_psql('postgres',
	q{INSERT INTO ticks SELECT 's' || (i % 7), i FROM generate_series(1, 1000) i});
$node->safe_psql('postgres', 'SELECT siddhi.flush()');
ok($node->poll_query_until('postgres',
	q{SELECT sent = 500 FROM siddhi.sinks WHERE app = 'tap'}),
	'the sink delivered its 500 events');

($st, $body) = get('/metrics');
is($st, 200, '/metrics answers 200');
like($body, qr/^siddhi_query_events_in_total\{db="postgres",app="tap",query="f"\} 1000$/m,
	'the filter saw 1000 events');
like($body, qr/^siddhi_query_events_out_total\{db="postgres",app="tap",query="f"\} 500$/m,
	'... and sent 500 on');
like($body, qr/^siddhi_query_events_held\{db="postgres",app="tap",query="w"\} 10$/m,
	'the window holds 10 events');
like($body, qr/^siddhi_query_groups\{db="postgres",app="tap",query="w"\} 7$/m,
	'... in 7 groups');
# the filter has a dispatch key (price > 500: src/runtime/dispatch.c): it
# is handed only the 500 events over 500, and times the first of them and
# the 257th; the window's query is handed all 1,000
like($body, qr/^siddhi_query_event_seconds_count\{db="postgres",app="tap",query="f"\} 2$/m,
	'one event in 256 of those the filter was handed was timed (the first, then every 256th)');
like($body, qr/^siddhi_query_event_seconds_count\{db="postgres",app="tap",query="w"\} 4$/m,
	'... and of the window query\'s 1,000');
like($body, qr/^siddhi_stream_events_total\{db="postgres",stream="public.ticks"\} 1000$/m,
	'the stream counts its events');
like($body, qr/^siddhi_sink_sent_total\{db="postgres",app="tap",stream="big",sink="[^"]+",type="log"\} 500$/m,
	'the sink counts what it sent');
like($body, qr/^siddhi_engine_up\{db="postgres"\} 1$/m, 'the engine is up');
like($body, qr/^# TYPE siddhi_app_batch_commit_seconds histogram$/m,
	'histograms are typed');
like($body, qr/^siddhi_app_batch_commit_seconds_bucket\{db="postgres",app="tap",le="\+Inf"\} \d+$/m,
	'... with a +Inf bucket');

# the same text through SQL (nothing runs in between: no batch, no timer)
my $sql = $node->safe_psql('postgres', 'SELECT siddhi.metrics()');
my ($st2, $body2) = get('/metrics');
is($body2 =~ s/\n+\z//r, $sql =~ s/\n+\z//r,
	'the endpoint serves the text siddhi.metrics() returns');

# Prometheus' own rules
my $file = "$dir/scrape.txt";
open my $fh, '>', $file or die;
print $fh $body;
close $fh;
my ($out, $err) = ('', '');
my $ok = IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', $file,
	'>', \$out, '2>', \$err);
ok($ok, 'promtool check metrics accepts the scrape') or diag("$out$err");
is("$out$err", '', '... without a lint remark');

($st) = get('/nothing');
is($st, 404, 'another path is 404');
($st) = get('/metrics', '-X', 'POST');
is($st, 405, 'a POST is 405');
($st, $body) = get('/metrics', '-I');
is($st, 200, 'a HEAD is 200');

# an engine that cannot start: not ready, and says which.  Five worker
# processes are taken (logical replication launcher, siddhi launcher,
# webhook listener, this endpoint, the engine of postgres): the engine of
# a second database finds none free.
$node->safe_psql('postgres', 'CREATE DATABASE second');
$node->safe_psql('second', 'CREATE EXTENSION siddhi');
$node->safe_psql('second', q{
	SELECT siddhi.deploy('tap2', $$ define stream T2 (a int); $$)});
my $oid = $node->safe_psql('postgres',
	q{SELECT oid FROM pg_database WHERE datname = 'second'});
for (1 .. 100)
{
	($st, $body) = get('/ready');
	last if $st == 503;
	select(undef, undef, undef, 0.1);
}
is($st, 503, '/ready is 503 while an engine cannot run');
is($body, "the engine of database $oid is not running\n", '... and says which');
# that database gone, ready again
$node->safe_psql('postgres', 'DROP DATABASE second');
for (1 .. 200)
{
	($st, $body) = get('/ready');
	last if $st == 200;
	select(undef, undef, undef, 0.1);
}
is($st, 200, '... and 200 again once every engine that should run runs');

$node->stop;
done_testing();
