# Round trips through a real broker (t/lib/SiddhiKafka.pm), one per mapper:
# rows of every attribute type (long, int, double, string, bool) go into a
# stream, a @sink(type = 'kafka', @map(type = 'json' | 'csv' | 'text' |
# 'keyvalue' | 'avro')) writes them to a topic of their own, and a
# @source(type = 'kafka') with the same mapper reads that topic back into a
# table, which must then hold exactly what was inserted (EXCEPT ALL both
# ways, and counts).  The strings carry what the formats quote or escape:
# the delimiter, quotes, backslashes, line breaks, tabs, edge spaces, the
# empty string, the word "null", non-ASCII text; the numbers their extremes
# and NaN/Infinity; every attribute is also NULL once.  One raw JSON
# message is read with kcat to check Siddhi's default {"event":{..}} shape.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiKafka;

my $kafka = SiddhiKafka->start_broker;
my $bs    = $kafka->bootstrap;

my $node = PostgreSQL::Test::Cluster->new('kafka_roundtrip');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');

my $avro_schema = '{"type":"record","name":"rt","fields":['
  . join(',', map { qq{{"name":"$_->[0]","type":["null","$_->[1]"]}} }
	  ([ 'id', 'long' ], [ 'n', 'int' ], [ 'x', 'double' ], [ 's', 'string' ], [ 'b', 'boolean' ]))
  . ']}';
my %maps = (
	json     => "\@map(type = 'json')",
	csv      => "\@map(type = 'csv')",
	text     => "\@map(type = 'text')",
	keyvalue => "\@map(type = 'keyvalue')",
	avro     => "\@map(type = 'avro', schema.def = '$avro_schema')",
);
my @fmts  = qw(json csv text keyvalue avro);
my $attrs = 'id long, n int, x double, s string, b bool';

# one app: Feed -> Out_<fmt> (sink, topic rt_<fmt>) ... Back_<fmt> (source
# of the same topic) -> the table Got_<fmt>
my $app = "define stream Feed ($attrs);\n";
for my $f (@fmts)
{
	$kafka->create_topic("rt_$f", 1);
	$app .= qq{
		\@sink(type = 'kafka', topic = 'rt_$f', bootstrap.servers = '$bs', $maps{$f})
		define stream Out_$f ($attrs);
		\@source(type = 'kafka', topic.list = 'rt_$f', group.id = 'rt_$f',
			bootstrap.servers = '$bs',
			optional.configuration = 'auto.offset.reset:earliest', $maps{$f})
		define stream Back_$f ($attrs);
		define table Got_$f ($attrs);
		from Feed select id, n, x, s, b insert into Out_$f;
		from Back_$f select id, n, x, s, b insert into Got_$f;
	};
}
$node->safe_psql('postgres', "SELECT siddhi.deploy('rt', \$app\$ $app \$app\$)");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 5 FROM siddhi.sinks WHERE state IN ('running', 'connecting')"),
	'five sinks started');

# the rows, in SQL; E'' strings so that \n, \t, \r are real
my @rows = (
	q{(1, 42, 1.5, 'plain', true)},
	q{(2, NULL, NULL, NULL, NULL)},
	q{(NULL, 7, 2.25, 'id is null', false)},
	q{(9223372036854775807, 2147483647, 1.7976931348623157e308, E'a,b "q" \\\\ back\\nline\\ttab\\r\\ncrlf', true)},
	q{(-9223372036854775808, -2147483648, 5e-324, 'é日本 🎉 ünïcödé', false)},
	q{(6, 0, 0.1, '', false)},
	q{(7, -1, -0.0, '  edge spaces  ', true)},
	q{(8, 1, 'NaN', 'null', false)},
	q{(9, 2, 'Infinity', 'k=v, x:y; "quoted"', true)},
	q{(10, 3, '-Infinity', E'"\\n"', false)},
	q{(11, 4, 3.141592653589793, E'\\\\n is not a newline, \\\\" nor a quote', true)},
	q{(12, 5, -123456.789e-10, E'line1\\n\\nline3 after an empty line\\n', false)},
	q{(13, 6, 1e15, ',,,', true)},
	q{(14, 7, 1e-5, E'~~~~~~~~~~\\n~~~~~~~~~~', false)},
	q{(15, 8, 100, E'\\'single\\' quotes', true)},
);
my $nrows = scalar @rows;
$node->safe_psql('postgres', 'CREATE TABLE expected (id bigint, n int, x double precision, s text, b boolean)');
$node->safe_psql('postgres', 'INSERT INTO expected VALUES ' . join(",\n", @rows));
$node->safe_psql('postgres', 'INSERT INTO feed SELECT * FROM expected');

for my $f (@fmts)
{
	ok($kafka->wait_count("rt_$f", $nrows, timeout => 60, partitions => 1),
		"$f: $nrows messages in rt_$f");
	ok($node->poll_query_until('postgres', "SELECT count(*) >= $nrows FROM got_$f"),
		"$f: $nrows events read back");
	is($node->safe_psql('postgres', "SELECT count(*) FROM got_$f"), $nrows,
		"$f: no more than that");
	my $lost = $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(format('%s', e), E'\\n'), '') FROM "
		  . "(SELECT * FROM expected EXCEPT ALL SELECT * FROM got_$f) e");
	is($lost, '', "$f: every row came back equal");
	my $extra = $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(format('%s', g), E'\\n'), '') FROM "
		  . "(SELECT * FROM got_$f EXCEPT ALL SELECT * FROM expected) g");
	is($extra, '', "$f: nothing came back that was not sent");
}

# options other than the defaults on both sides, and object (jsonb) and
# float (real) attributes: JSON inside an enclosing element, csv with ';'
# and a header line, csv with tabs, text with a space or CRLF (spelled
# '\r\n') for the line break
my %maps2 = (
	json_encl => [ "\@map(type = 'json', enclosing.element = '\$.portfolio.stock')",
		"\@map(type = 'json', enclosing.element = '\$.portfolio.stock')" ],
	csv_semi => [ "\@map(type = 'csv', delimiter = ';', header = 'true')",
		"\@map(type = 'csv', delimiter = ';', header.present = 'true')" ],
	csv_tab => [ "\@map(type = 'csv', delimiter = '\\t')", "\@map(type = 'csv', delimiter = '\\t')" ],
	text_sp => [ "\@map(type = 'text', new.line.character = ' ')", "\@map(type = 'text')" ],
	text_crlf => [ "\@map(type = 'text', new.line.character = '\\r\\n')", "\@map(type = 'text')" ],
);
my @fmts2  = sort keys %maps2;
my $attrs2 = 'id long, f float, o object, s string';
my $app2   = "define stream Feed2 ($attrs2);\n";
for my $f (@fmts2)
{
	$kafka->create_topic("rt_$f", 1);
	$app2 .= qq{
		\@sink(type = 'kafka', topic = 'rt_$f', bootstrap.servers = '$bs', $maps2{$f}[0])
		define stream Out_$f ($attrs2);
		\@source(type = 'kafka', topic.list = 'rt_$f', group.id = 'rt_$f',
			bootstrap.servers = '$bs',
			optional.configuration = 'auto.offset.reset:earliest', $maps2{$f}[1])
		define stream Back_$f ($attrs2);
		define table Got_$f ($attrs2);
		from Feed2 select id, f, o, s insert into Out_$f;
		from Back_$f select id, f, o, s insert into Got_$f;
	};
}
$node->safe_psql('postgres', "SELECT siddhi.deploy('rt2', \$app\$ $app2 \$app\$)");
my @rows2 = (
	q{(1, 0.1, '{"a": [1, "x,y\\n\\"z\\""], "b": null, "c": {"d": true}}', E'a;b\tc')},
	q{(2, NULL, NULL, NULL)},
	q{(3, 3.4028235e38, '12.5', 'id;f;o;s')},
	q{(4, -1.17549435e-38, '[1, 2, "three"]', '')},
	q{(5, 'NaN', '"a json string"', E'tab\there; "quoted"')},
	q{(6, '-Infinity', '{}', 'é日本')},
);
my $nrows2 = scalar @rows2;
$node->safe_psql('postgres', 'CREATE TABLE expected2 (id bigint, f real, o jsonb, s text)');
$node->safe_psql('postgres', 'INSERT INTO expected2 VALUES ' . join(",\n", @rows2));
$node->safe_psql('postgres', 'INSERT INTO feed2 SELECT * FROM expected2');
for my $f (@fmts2)
{
	ok($node->poll_query_until('postgres', "SELECT count(*) >= $nrows2 FROM got_$f"),
		"$f: $nrows2 events read back");
	is($node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM got_$f), "
		  . "(SELECT count(*) FROM (SELECT * FROM expected2 EXCEPT ALL SELECT * FROM got_$f) e), "
		  . "(SELECT count(*) FROM (SELECT * FROM got_$f EXCEPT ALL SELECT * FROM expected2) g)"),
		"$nrows2|0|0", "$f: the table equals what was inserted (count, missing, extra)");
}
my ($semi) = $kafka->consume('rt_csv_semi', count => 1, timeout => 30);
like($semi, qr/^id;f;o;s\n\d+;/, 'csv: the header line, then the values');
my ($crlf) = $kafka->consume('rt_text_crlf', count => 1, timeout => 30);
like($crlf, qr/^id:\d+,\r\nf:/, "text: new.line.character = '\\r\\n' writes CRLF");
my ($encl) = grep { /"id":3,/ } $kafka->consume('rt_json_encl', count => $nrows2, timeout => 30);
is($encl, '{"portfolio":{"stock":{"event":{"id":3,"f":3.4028235e+38,"o":12.5,"s":"id;f;o;s"}}}}',
	'json: the event inside its enclosing element');

# the raw JSON of row 1: Siddhi's default event object
my @json = $kafka->consume('rt_json', count => $nrows, timeout => 30);
my ($one) = grep { /"id":1,/ } @json;
is($one, '{"event":{"id":1,"n":42,"x":1.5,"s":"plain","b":true}}',
	"json: Siddhi's default {\"event\":{..}} message");
my ($nulls) = grep { /"id":2,/ } @json;
is($nulls, '{"event":{"id":2,"n":null,"x":null,"s":null,"b":null}}',
	'json: nulls as null');

is($node->safe_psql('postgres', "SELECT string_agg(state, ',' ORDER BY name) FROM siddhi.apps"),
	'running,running', 'the apps are still running');

$node->stop;
done_testing();
