# The Redis sink (src/connectors/redis_sink.c) against Debian's
# redis-server, started here on a free port: PUBLISH reaches a subscriber,
# SET with a key template and a TTL, HSET and XADD (with MAXLEN) write what
# they should; an error reply (WRONGTYPE) is retried, not lost; the server
# goes down while events flow and every event is written once it is back
# (the sink reconnects).
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $redis;
sub start_redis
{
	$redis = IPC::Run::start(
		[ 'redis-server', '--port', $port, '--bind', '127.0.0.1',
		  '--save', '', '--appendonly', 'no', '--dir', $dir ],
		'>', "$dir/redis.log", '2>&1');
	for (1 .. 100)
	{
		last if cli('PING') eq 'PONG';
		select(undef, undef, undef, 0.1);
	}
}
sub cli
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'redis-cli', '-p', $port, @_ ], '>', \$out, '2>', \$err);
	chomp $out;
	return $out;
}
start_redis();
is(cli('PING'), 'PONG', 'redis-server is up');

my $node = PostgreSQL::Test::Cluster->new('redis_sink');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('rd', \$\$
		define stream S (id long, sym string);
		\@sink(type = 'redis', port = '$port', mode = 'publish', channel = 'ticks')
		define stream P (id long, sym string);
		\@sink(type = 'redis', port = '$port', mode = 'set', key = 'last:{{sym}}',
		      ttl = '3600', \@map(type = 'text', \@payload('{{id}}')))
		define stream K (id long, sym string);
		\@sink(type = 'redis', port = '$port', mode = 'hset', key = 'order:{{id}}',
		      field = 'json')
		define stream H (id long, sym string);
		\@sink(type = 'redis', port = '$port', mode = 'xadd', key = 'events', maxlen = '100000')
		define stream X (id long, sym string);
		from S select id, sym insert into P;
		from S select id, sym insert into K;
		from S select id, sym insert into H;
		from S select id, sym insert into X;
	\$\$)});

# a subscriber that counts what PUBLISH sends
my ($sub_out, $sub_err) = ('', '');
my $sub = IPC::Run::start([ 'redis-cli', '-p', $port, 'SUBSCRIBE', 'ticks' ],
	'>', \$sub_out, '2>', \$sub_err);
my $deadline = time + 30;
$sub->pump_nb while cli('PUBSUB', 'NUMSUB', 'ticks') !~ /ticks\n1/ && time < $deadline;

$node->safe_psql('postgres',
	"INSERT INTO s SELECT i, 'sym' || (i % 10) FROM generate_series(1, 1000) i");
ok($node->poll_query_until('postgres',
	q{SELECT sum(sent) = 4000 AND sum(queued) = 0 FROM siddhi.sinks WHERE app = 'rd'}),
	'4 sinks x 1,000 events delivered');
is(cli('GET', 'last:sym3'), '993', 'SET: the key template, the last event of the key wins');
ok(cli('TTL', 'last:sym3') > 3500, 'SET: with the TTL');
is(cli('HGET', 'order:42', 'json'), '{"event":{"id":42,"sym":"sym2"}}', 'HSET: the field holds the JSON');
is(cli('XLEN', 'events'), '1000', 'XADD: one entry per event');
$deadline = time + 30;
$sub->pump_nb while ($sub_out =~ tr/\n//) < 3 + 3 * 1000 && time < $deadline;
my @msgs = ($sub_out =~ /^(\{"event".*)$/mg);
is(scalar(@msgs), 1000, 'PUBLISH: the subscriber got 1,000 messages');
is($msgs[0], '{"event":{"id":1,"sym":"sym1"}}', 'in order, mapped');
$sub->kill_kill;

# a command Redis refuses (WRONGTYPE) is sent again until it succeeds
cli('SET', 'order:2001', 'not a hash');
$node->safe_psql('postgres', "INSERT INTO s VALUES (2001, 'w')");
ok($node->poll_query_until('postgres',
	q{SELECT failed > 0 AND queued = 1 FROM siddhi.sinks WHERE app = 'rd' AND stream = 'h'}),
	'an error reply fails the row, which stays queued');
like($node->safe_psql('postgres',
		q{SELECT last_error FROM siddhi.sinks WHERE app = 'rd' AND stream = 'h'}),
	qr/WRONGTYPE/, 'the error is shown');
cli('DEL', 'order:2001');
ok($node->poll_query_until('postgres',
	q{SELECT queued = 0 FROM siddhi.sinks WHERE app = 'rd' AND stream = 'h'}),
	'and delivered once Redis takes it');
is(cli('HGET', 'order:2001', 'json'), '{"event":{"id":2001,"sym":"w"}}', 'written');

# the server goes down while events flow; nothing is lost
$redis->kill_kill;
$node->safe_psql('postgres',
	"INSERT INTO s SELECT i, 'late' FROM generate_series(3001, 3200) i");
ok($node->poll_query_until('postgres',
	q{SELECT sum(queued) = 800 FROM siddhi.sinks WHERE app = 'rd'}),
	'with redis down the events wait in the outboxes');
start_redis();    # a new, empty server
ok($node->poll_query_until('postgres',
	q{SELECT sum(queued) = 0 FROM siddhi.sinks WHERE app = 'rd'}),
	'the sinks reconnect and deliver everything');
is(cli('XLEN', 'events'), '200', 'XADD: the 200 late events');
is(cli('HGET', 'order:3200', 'json'), '{"event":{"id":3200,"sym":"late"}}', 'HSET: the last one');

$redis->kill_kill;
$node->stop;
done_testing();
