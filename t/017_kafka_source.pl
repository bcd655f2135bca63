# The Kafka source against a real broker (t/lib/SiddhiKafka.pm): JSON
# records of a 4-partition topic, produced with kcat, reach a filter and a
# table through @source(type = 'kafka', .., @map(type = 'json')); the
# committed positions are the topic's end offsets; a server restart reads
# nothing again; two apps in two databases with their own group.id each get
# every record (one of them from two topics); a broker stopped under the
# running app shows in siddhi.sources, and what is produced after it came
# back arrives once; a malformed record goes to @OnError's store and the
# good ones around it arrive; a topic that does not exist yet is a status
# until it does.  No skipping: without Kafka this file fails.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiKafka;

my $kafka = SiddhiKafka->start_broker;
my $bs = $kafka->bootstrap;

my $node = PostgreSQL::Test::Cluster->new('kafka_source');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');

# id, amount, sym: ~60 bytes of JSON each
sub orders
{
	my ($from, $to) = @_;
	return [ map { sprintf('{"id":%d,"amount":%.1f,"sym":"S%d"}', $_, $_ * 1.5, $_ % 10) }
		  $from .. $to ];
}

# ids spread over the 4 partitions by id % 4 (unkeyed records would
# stick to one partition for a while)
sub produce_spread
{
	my ($from, $to) = @_;
	for my $p (0 .. 3)
	{
		$kafka->produce('orders', [ grep { /"id":(\d+)/ && $1 % 4 == $p } @{ orders($from, $to) } ],
			partition => $p);
	}
}

$kafka->create_topic('orders', 4);
produce_spread(1, 1000);

# app 1: filter into a table, the group g1, malformed records stored
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('k1', \$\$
		\@OnError(action = 'STORE')
		\@source(type = 'kafka', topic.list = 'orders', group.id = 'g1',
			bootstrap.servers = '$bs', threading.option = 'single.thread',
			optional.configuration = 'auto.offset.reset:earliest',
			\@map(type = 'json', \@attributes(id = '\$.id',
				amount = '\$.amount', sym = '\$.sym')))
		define stream Orders (id long, amount double, sym string);
		define table Big (id long, amount double, sym string);
		from Orders[amount >= 750.0] select id, amount, sym insert into Big;
	\$\$)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 501 FROM big'),
	'the 501 records with amount >= 750 arrive');
is($node->safe_psql('postgres',
	"SELECT count(DISTINCT id), min(id), max(id), sum(amount), "
	  . "count(*) FILTER (WHERE sym = 'S' || (id % 10)) FROM big"),
	'501|500|1000|563625|501', 'their content, each once');

# the positions are the end offsets, in the same table for the restart
my $end = $kafka->end_offsets('orders');
my $expect_pos = join("\n", map { "orders/$_|$end->{$_}" } sort keys %$end);
ok($node->poll_query_until('postgres',
	"SELECT string_agg(part || '|' || next, E'\\n' ORDER BY part) "
	  . "FROM siddhi.source_positions WHERE app = 'k1'", $expect_pos),
	'siddhi.source_positions holds each partition\'s end offset');
is($node->safe_psql('postgres',
	"SELECT source, count(*), sum(next) FROM siddhi.source_offsets "
	  . "WHERE app = 'k1' GROUP BY source"),
	'orders.source1|4|1000', 'siddhi.source_offsets: 4 parts, 1000 records');
is($node->safe_psql('postgres',
	"SELECT type, connected, records_in, detail FROM siddhi.sources WHERE app = 'k1'"),
	'kafka|t|1000|4 partitions assigned by the group',
	'siddhi.sources: connected, 1000 records in, 4 partitions');

# restart: nothing read again, the positions go on
$node->restart;
ok($node->poll_query_until('postgres',
	"SELECT state = 'running' FROM siddhi.apps WHERE name = 'k1'"),
	'app running after the restart');
ok($node->poll_query_until('postgres',
	"SELECT detail = '4 partitions assigned by the group' FROM siddhi.sources WHERE app = 'k1'"),
	'partitions assigned again after the restart');
produce_spread(1001, 1100);
ok($node->poll_query_until('postgres', 'SELECT count(*) = 601 FROM big'),
	'records produced after the restart arrive');
sleep 2;
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT id) FROM big'),
	'601|601', 'nothing read twice over the restart');
is($node->safe_psql('postgres',
	"SELECT sum(next) FROM siddhi.source_offsets WHERE app = 'k1'"),
	'1100', 'positions restored and advanced');

# a second database, its own app and group, two topics: everything
$kafka->create_topic('other', 2);
$kafka->produce('other', orders(5001, 5010));
$node->safe_psql('postgres', 'CREATE DATABASE db2');
$node->safe_psql('db2', 'CREATE EXTENSION siddhi');
$node->safe_psql('db2', qq{
	SELECT siddhi.deploy('k2', \$\$
		\@source(type = 'kafka', topic.list = 'orders, other', group.id = 'g2',
			bootstrap.servers = '$bs',
			optional.configuration = 'auto.offset.reset:earliest',
			\@map(type = 'json', \@attributes(id = '\$.id',
				amount = '\$.amount', sym = '\$.sym')))
		define stream Orders (id long, amount double, sym string);
		define table AllOrders (id long, amount double, sym string);
		from Orders select id, amount, sym insert into AllOrders;
	\$\$)});
ok($node->poll_query_until('db2', 'SELECT count(*) = 1110 FROM allorders'),
	'the second app gets every record of both topics');
is($node->safe_psql('db2',
	'SELECT count(DISTINCT id), sum(id) FROM allorders'),
	'1110|655605', 'each once');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'),
	'601', 'the first app is not disturbed');

# the broker stops under the running apps
my $engines_sql = "SELECT string_agg(pid::text, ',' ORDER BY pid) "
  . "FROM pg_stat_activity WHERE backend_type = 'siddhi engine'";
my $engines = $node->safe_psql('postgres', $engines_sql);
$kafka->stop;
ok($node->poll_query_until('postgres',
	"SELECT NOT connected FROM siddhi.sources WHERE app = 'k1'"),
	'siddhi.sources shows the source disconnected');
is($node->safe_psql('postgres',
	"SELECT state FROM siddhi.apps WHERE name = 'k1'"),
	'running', 'the app stays up while the broker is down');
sleep 3;
is($node->safe_psql('postgres', $engines_sql),
	$engines, 'the engine workers of both databases have not restarted');
$kafka->restart;
produce_spread(1101, 1300);
ok($node->poll_query_until('postgres', 'SELECT count(*) = 801 FROM big', 't'),
	'records produced after the broker came back arrive');
ok($node->poll_query_until('db2', 'SELECT count(*) = 1310 FROM allorders'),
	'in the other database too');
ok($node->poll_query_until('postgres',
	"SELECT connected FROM siddhi.sources WHERE app = 'k1'"),
	'siddhi.sources shows the source connected again');
sleep 2;
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT id) FROM big'),
	'801|801', 'each exactly once over the broker outage');
is($node->safe_psql('db2', 'SELECT count(*), count(DISTINCT id) FROM allorders'),
	'1310|1310', 'each exactly once in the other database');

# a malformed record among good ones: stored, the others arrive
$kafka->produce('orders',
	[ @{ orders(2001, 2010) }, 'not json {', @{ orders(2011, 2020) } ],
	partition => 1);
ok($node->poll_query_until('postgres', 'SELECT count(*) = 821 FROM big'),
	'the 20 good records around a malformed one arrive');
is($node->safe_psql('postgres',
	"SELECT stream, convert_from(payload, 'UTF8') FROM siddhi.errors WHERE app = 'k1'"),
	'orders|not json {', 'the malformed one is in siddhi.errors');
is($node->safe_psql('postgres',
	"SELECT next FROM siddhi.source_offsets WHERE app = 'k1' AND part = 'orders/1'"),
	$kafka->end_offsets('orders')->{1},
	'the position moved past it');
ok($node->poll_query_until('db2', 'SELECT count(*) = 1330 FROM allorders'),
	'the other app (LOG by default) takes the good ones too');

# a topic that does not exist yet: a status, not an error; its records
# arrive once it is there
$node->safe_psql('postgres', qq{
	SELECT siddhi.deploy('k3', \$\$
		\@source(type = 'kafka', topic.list = 'late', group.id = 'g3',
			bootstrap.servers = '$bs',
			optional.configuration = 'auto.offset.reset:earliest,topic.metadata.refresh.interval.ms:1000',
			\@map(type = 'json', \@attributes(id = '\$.id',
				amount = '\$.amount', sym = '\$.sym')))
		define stream Late (id long, amount double, sym string);
		define table LateRows (id long);
		from Late select id insert into LateRows;
	\$\$)});
ok($node->poll_query_until('postgres',
	"SELECT last_error LIKE '%late%' FROM siddhi.sources WHERE app = 'k3'"),
	'a missing topic shows in siddhi.sources');
is($node->safe_psql('postgres', "SELECT state FROM siddhi.apps WHERE name = 'k3'"),
	'running', 'the app with a missing topic runs');
$kafka->create_topic('late', 2);
$kafka->produce('late', orders(1, 5));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 5 FROM laterows'),
	'its records arrive once the topic exists');

$node->stop;
$kafka->stop;
done_testing();
