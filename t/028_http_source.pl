# The webhook http source (src/connectors/http_listener.c, http_source.c)
# with curl as the client on 127.0.0.1: a 200 comes only once the events
# are committed (the rows are there when curl returns); a JSON array is
# many events; a body that does not map is answered 400 with a JSON error
# and goes to @OnError (STORE); wrong credentials 401; a body over
# siddhi.http_max_body 413; an unknown path 404; an HMAC signature checked;
# an engine that does not take requests (stopped) 503 with Retry-After,
# and again 200 once it goes on; after a server restart it listens again;
# an https:// receiver.url with the listener's certificate.
use strict;
use warnings;
use IO::Socket::INET;
use IPC::Run;
use Digest::SHA qw(hmac_sha256_hex);
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = $PostgreSQL::Test::Utils::tmp_check;

# a free port on the loopback for the listener
sub free_port
{
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
		Proto => 'tcp', Listen => 1, ReuseAddr => 1) or die "no port: $!";
	my $p = $s->sockport;
	close $s;
	return $p;
}
my $hport = free_port();

# curl: returns (status, headers and body)
my $n = 0;
sub post
{
	my ($path, $body, @extra) = @_;
	my $file = "$dir/body" . $n++;
	open my $fh, '>', $file or die;
	print $fh $body;
	close $fh;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ 'curl', '-s', '-i', '--max-time', '20', '-X', 'POST',
		  '-H', 'Content-Type: application/json', @extra,
		  '--data-binary', "\@$file", "http://127.0.0.1:$hport$path" ],
		'>', \$out, '2>', \$err);
	my ($status) = $out =~ m{^HTTP/1\.\d (\d+)};
	return ($status // 0, $out);
}

my $node = PostgreSQL::Test::Cluster->new('http_source');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'siddhi'
siddhi.naptime = 100ms
siddhi.http_max_body = 4kB
siddhi.http_queue_timeout = 1s
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres',
	"INSERT INTO siddhi.secrets VALUES ('HOOK_PW', 'pw1'), ('HOOK_KEY', 'k3y')");
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('hook', \$\$
		\@OnError(action = 'STORE')
		\@source(type = 'http', receiver.url = 'http://127.0.0.1:$hport/orders',
		        basic.auth.enabled = 'true', basic.auth.username = 'ann',
		        basic.auth.password = '\${HOOK_PW}', \@map(type = 'json'))
		define stream Orders (id long, sym string);
		\@source(type = 'http', receiver.url = 'http://127.0.0.1:$hport/signed',
		        hmac.secret = '\${HOOK_KEY}', \@map(type = 'json'))
		define stream Signed (id long);
		define table OrderRows (id long, sym string);
		define table SignedRows (id long);
		from Orders select id, sym insert into OrderRows;
		from Signed select id insert into SignedRows;
	\$\$)});
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 2 FROM siddhi.sources WHERE app = 'hook' AND state = 'running'}),
	'both sources run');

my @auth = ('-u', 'ann:pw1');
my ($st, $out);
# the listener opens the port once the route is there: wait for a 200
for (1 .. 100)
{
	($st, $out) = post('/orders', '{"event":{"id":1,"sym":"A"}}', @auth);
	last if $st == 200;
	select(undef, undef, undef, 0.1);
}
is($st, 200, 'a good event is answered 200');
is($node->safe_psql('postgres', 'SELECT id, sym FROM orderrows'), '1|A',
	'and its row is there when the answer comes');

($st, $out) = post('/orders',
	'[{"event":{"id":2,"sym":"B"}},{"event":{"id":3,"sym":"C"}}]', @auth);
is($st, 200, 'an array is answered 200');
is($node->safe_psql('postgres', 'SELECT count(*) FROM orderrows'), '3',
	'and is two events');

($st, $out) = post('/orders', '{"event":{"id":"four","sym":"D"}', @auth);
is($st, 400, 'a body that does not map is answered 400');
like($out, qr/\{"error":"json record has an invalid value for attribute \\"id\\".*"\}/,
	'with a JSON error');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM siddhi.errors WHERE app = 'hook' AND source = 'orders.source1'}),
	'1', 'and goes to @OnError (STORE)');

($st, $out) = post('/orders', '{"event":{"id":5,"sym":"E"}}', '-u', 'ann:nope');
is($st, 401, 'wrong credentials are answered 401');
($st, $out) = post('/orders', '{"event":{"id":5,"sym":"E"}}');
is($st, 401, 'no credentials too');
like($out, qr/WWW-Authenticate: Basic/i, 'asking for basic auth');

($st, $out) = post('/orders',
	'{"event":{"id":6,"sym":"' . ('x' x 5000) . '"}}', @auth);
is($st, 413, 'a body over siddhi.http_max_body is answered 413');

($st, $out) = post('/nowhere', '{"event":{"id":7}}', @auth);
is($st, 404, 'an unknown path is answered 404');
is($node->safe_psql('postgres', 'SELECT count(*) FROM orderrows'), '3',
	'none of those made a row');

# HMAC-SHA256 of the body in X-Siddhi-Signature
my $body = '{"event":{"id":42}}';
($st, $out) = post('/signed', $body,
	'-H', 'X-Siddhi-Signature: sha256=' . hmac_sha256_hex($body, 'k3y'));
is($st, 200, 'a body signed with the shared secret is answered 200');
($st, $out) = post('/signed', $body,
	'-H', 'X-Siddhi-Signature: sha256=' . hmac_sha256_hex($body, 'other'));
is($st, 401, 'a wrong signature 401');
($st, $out) = post('/signed', $body);
is($st, 401, 'no signature 401');
is($node->safe_psql('postgres', 'SELECT string_agg(id::text, \',\') FROM signedrows'),
	'42', 'only the signed one made a row');

# an engine that does not take requests: 503 with Retry-After
my $engine = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'});
kill 'STOP', $engine;
($st, $out) = post('/orders', '{"event":{"id":8,"sym":"H"}}', @auth);
kill 'CONT', $engine;
is($st, 503, 'a stopped engine: 503 after siddhi.http_queue_timeout');
like($out, qr/Retry-After: 1/i, 'with Retry-After');
($st, $out) = post('/orders', '{"event":{"id":9,"sym":"I"}}', @auth);
is($st, 200, 'the engine goes on: 200');
is($node->safe_psql('postgres', 'SELECT count(*) FROM orderrows WHERE id = 8'),
	'0', 'the request answered 503 made no row');

# the engine ends: its routes pause (503) until the next one takes them
# (the launcher held, so that no engine runs for a while)
my $launcher = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi launcher'});
kill 'STOP', $launcher;
kill 'TERM', $engine;
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $engine");
($st, $out) = post('/orders', '{"event":{"id":10,"sym":"J"}}', @auth);
is($st, 503, 'while no engine runs: 503');
like($out, qr/engine of this source is not running/, 'saying why');
kill 'CONT', $launcher;
my $back = 0;
for (1 .. 200)
{
	($st, $out) = post('/orders', '{"event":{"id":10,"sym":"J"}}', @auth);
	if ($st == 200) { $back = 1; last; }
	select(undef, undef, undef, 0.1);
}
ok($back, 'the next engine answers 200');
is($node->safe_psql('postgres', 'SELECT count(*) FROM orderrows WHERE id = 10'),
	'1', 'one row for the request answered 200');

# a server restart: the listener and the route come back
$node->restart;
$back = 0;
for (1 .. 200)
{
	($st, $out) = post('/orders', '{"event":{"id":11,"sym":"K"}}', @auth);
	if ($st == 200) { $back = 1; last; }
	select(undef, undef, undef, 0.1);
}
ok($back, 'after a restart the webhook answers 200 again');
is($node->safe_psql('postgres', 'SELECT count(*) FROM orderrows'), '6',
	'rows 1, 2, 3, 9, 10, 11');

# TLS: an https:// receiver.url listens with siddhi.http_tls_*_file
my $tport = free_port();
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
	'-subj', '/CN=127.0.0.1', '-keyout', "$dir/hook.key", '-out', "$dir/hook.crt") == 0
  or die 'openssl req failed';
chmod 0600, "$dir/hook.key";
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('tlshook', \$\$
		\@source(type = 'http', receiver.url = 'https://127.0.0.1:$tport/secure',
		        \@map(type = 'json'))
		define stream Secure (id long);
		define table SecureRows (id long);
		from Secure select id insert into SecureRows;
	\$\$)});
ok($node->poll_query_until('postgres', q{
	SELECT last_error LIKE '%no certificate%' FROM siddhi.sources WHERE app = 'tlshook'}),
	'https without a certificate: the source fails, saying so');
$node->safe_psql('postgres', "ALTER SYSTEM SET siddhi.http_tls_cert_file = '$dir/hook.crt'");
$node->safe_psql('postgres', "ALTER SYSTEM SET siddhi.http_tls_key_file = '$dir/hook.key'");
$node->reload;
my $tls_ok = 0;
for (1 .. 300)
{
	my ($o, $e) = ('', '');
	IPC::Run::run(
		[ 'curl', '-s', '-k', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}',
		  '-d', '{"event":{"id":77}}', "https://127.0.0.1:$tport/secure" ],
		'>', \$o, '2>', \$e);
	if ($o eq '200') { $tls_ok = 1; last; }
	select(undef, undef, undef, 0.1);
}
ok($tls_ok, 'with the certificate: an https POST is answered 200');
is($node->safe_psql('postgres', 'SELECT id FROM securerows'), '77',
	'and its row is there');
my ($plain, $perr) = ('', '');
IPC::Run::run(
	[ 'curl', '-s', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}',
	  '-d', '{"event":{"id":78}}', "http://127.0.0.1:$tport/secure" ],
	'>', \$plain, '2>', \$perr);
isnt($plain, '200', 'plain http to the https port is not taken');

# undeployed: the port closes or the path is unknown
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('hook')});
my $gone = 0;
for (1 .. 100)
{
	($st, $out) = post('/orders', '{"event":{"id":12,"sym":"L"}}', @auth);
	if ($st == 404 || $st == 0) { $gone = 1; last; }
	select(undef, undef, undef, 0.1);
}
ok($gone, 'undeployed: nothing listens at the path any more');

# a fast shutdown while a request waits for a busy engine: the request is
# answered, and the listener stops cleanly (libmicrohttpd aborted on its
# suspended connection: "abnormal database system shutdown")
$node->safe_psql('postgres', qq{
	CREATE FUNCTION slow_n(n int) RETURNS int LANGUAGE sql
	AS \$\$ SELECT n FROM (SELECT pg_sleep(4)) s \$\$;
	SELECT siddhi.deploy('late', \$\$
		\@source(type = 'http', receiver.url = 'http://127.0.0.1:$hport/late',
		        \@map(type = 'json'))
		define stream Late (id int);
		define table LateRows (id int);
		from Late select id insert into LateRows;
	\$\$);
	SELECT siddhi.deploy('busy', \$\$
		define stream BusyIn (n int);
		define table BusyOut (n int);
		from BusyIn select slow_n(n) as n insert into BusyOut;
	\$\$)});
$node->safe_psql('postgres', 'INSERT INTO busyin VALUES (1)');
select(undef, undef, undef, 0.5);
my $late_out = '';
my $late = IPC::Run::start(
	[ 'curl', '-s', '--max-time', '20', '-o', '/dev/null', '-w', '%{http_code}',
	  '-d', '{"event":{"id":1}}', "http://127.0.0.1:$hport/late" ],
	'>', \$late_out);
select(undef, undef, undef, 0.5);
$node->stop('fast');
$late->finish;
like($late_out, qr/^(503|200)$/, 'the waiting request is answered at shutdown');
unlike(slurp_file($node->logfile), qr/abnormal database system shutdown|terminated by signal/,
	'the fast shutdown is clean');
done_testing();
