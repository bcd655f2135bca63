# The Kafka infrastructure the connector tests stand on (test/kafka/,
# t/lib/SiddhiKafka.pm): a real KRaft broker starts on a free port, takes a
# 4-partition topic and 1,000 keyed messages, gives them back with their
# keys, partitions and offsets, and keeps them over a clean restart and a
# kill -9.  No skipping: without Kafka this file fails.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use SiddhiKafka;

my $kafka = SiddhiKafka->start_broker;
like($kafka->bootstrap, qr/^127\.0\.0\.1:\d+$/, 'broker serves on loopback');
is(SiddhiKafka->start_broker, $kafka, 'one broker per test file');

$kafka->create_topic('infra', 4);
my @sent = map { [ "key$_", qq({"id":$_,"note":"line\nbreak $_"}) ] } 1 .. 1000;
is($kafka->produce('infra', \@sent), 1000, 'produced 1,000 keyed messages');
is($kafka->count('infra'), 1000, 'the end offsets add up to 1,000');

my $check = sub {
	my ($what, $total) = @_;
	my @all = $kafka->consume('infra', meta => 1);
	is(scalar @all, $total, "$what: $total messages consumed");
	my @got = grep { defined $_->{key} } @all;
	my %by_key = map { $_->{key} => $_ } @got;
	is(scalar keys %by_key, 1000, "$what: 1,000 distinct keys");
	is(scalar(grep { $by_key{"key$_"} && $by_key{"key$_"}{value} eq qq({"id":$_,"note":"line\nbreak $_"}) } 1 .. 1000),
		1000, "$what: every key with its value, newline included");
	my %parts;
	$parts{ $_->{partition} }++ for @got;
	is(join(',', sort keys %parts), '0,1,2,3', "$what: keys spread over the 4 partitions");
	# a key always goes to the same partition, and each partition's
	# offsets run from 0 without a gap
	my $ok = 1;
	for my $p (keys %parts)
	{
		my @offs = sort { $a <=> $b } map { $_->{offset} } grep { $_->{partition} == $p } @all;
		$ok &&= $offs[$_] == $_ for 0 .. $#offs;
	}
	ok($ok, "$what: dense offsets in each partition");
	return \%by_key;
};
my $before = $check->('first read', 1000);

# one partition, unkeyed and explicitly placed messages, a count wait
$kafka->produce('infra', [ 'a', 'b' ], partition => 2);
my @p2 = $kafka->consume('infra', partition => 2, offset => -2, meta => 1);
is_deeply([ map { [ $_->{value}, $_->{key} ] } @p2 ], [ [ 'a', undef ], [ 'b', undef ] ],
	'messages without key land where asked');
$kafka->produce('bytes', [ "\x00\x01\x1e\x1f\n\xff" ], raw => 1, key => 'bin');
my @raw = $kafka->consume('bytes', count => 1, timeout => 30, meta => 1);
ok(@raw == 1 && $raw[0]{value} eq "\x00\x01\x1e\x1f\n\xff" && $raw[0]{key} eq 'bin',
	'a binary message goes through unchanged (topic created automatically)');

$kafka->stop;
ok(!$kafka->is_running, 'broker stopped');
$kafka->restart;
ok($kafka->is_running, 'broker restarted');
my $after = $check->('after a clean restart', 1002);
is_deeply([ map { $after->{"key$_"}{partition} . ':' . $after->{"key$_"}{offset} } 1 .. 1000 ],
	[ map { $before->{"key$_"}{partition} . ':' . $before->{"key$_"}{offset} } 1 .. 1000 ],
	'same partitions and offsets after the restart');

$kafka->kill9;
ok(!$kafka->is_running, 'broker killed');
$kafka->restart;
$check->('after kill -9 and restart', 1002);
$kafka->produce('infra', [ [ 'late', 'after the crash' ] ]);
is($kafka->count('infra'), 1003, 'the restarted broker takes new messages');

$kafka->stop;
done_testing();
