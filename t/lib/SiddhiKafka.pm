# A real Apache Kafka broker for the TAP tests (t/*.pl): started through
# test/kafka/broker.sh, one per test file, stopped at the end of the file
# (END block), or by a watchdog when the test process dies some other way.
# Messages go in with kcat -P and come back with kcat -C.
#
#   use lib 't/lib';            # test/tap.sh passes -I t/lib already
#   use SiddhiKafka;
#   my $kafka = SiddhiKafka->start_broker;   # the same object on every call
#   my $bootstrap = $kafka->bootstrap;      # "127.0.0.1:PORT"
#   $kafka->create_topic('orders', 4);
#   $kafka->produce('orders', [ '{"id":1}', '{"id":2}' ]);
#   $kafka->produce('orders', [ [ 'key1', 'v1' ], [ 'key2', 'v2' ] ]);
#   $kafka->produce('orders', \@lines, key => 'k', partition => 2);
#   my @values = $kafka->consume('orders');
#   my @msgs = $kafka->consume('orders', meta => 1, partition => 0);
#   $kafka->kill9;  $kafka->restart;  $kafka->stop;
#
# See test/kafka/README.md.
package SiddhiKafka;

use strict;
use warnings;
use Carp;
use Cwd qw(abs_path);
use File::Basename qw(basename dirname);
use File::Temp qw(tempfile);
use IPC::Run ();
use PostgreSQL::Test::Utils;
use Test::More;

my $shared;

# test/kafka of the source tree: test/tap.sh exports SIDDHI_KAFKA_DIR (the
# t/ it runs is a copy); otherwise the tree this file is in
sub kafka_dir
{
	my $d = $ENV{SIDDHI_KAFKA_DIR}
	  // dirname(abs_path(__FILE__)) . '/../../test/kafka';
	croak "no test/kafka/broker.sh in $d (set SIDDHI_KAFKA_DIR)"
	  unless -x "$d/broker.sh";
	return abs_path($d);
}

sub _broker
{
	my ($self, @args) = @_;
	my ($out, $err);
	local $ENV{KAFKA_OWNER_PID} = $$;
	local $ENV{KAFKA_LOG}       = $self->{log};
	my $ok = IPC::Run::run([ "$self->{kafka_dir}/broker.sh", @args ],
		'<', \undef, '>', \$out, '2>', \$err);
	chomp $out if defined $out;
	return ($ok, $out, $err);
}

sub _broker_ok
{
	my ($self, @args) = @_;
	my ($ok, $out, $err) = $self->_broker(@args);
	BAIL_OUT("broker.sh @args failed:\n$err") unless $ok;
	return $out;
}

# Start this test file's broker (once; later calls return the same one).
# Fails the whole test file loudly when Kafka cannot be started.
sub start_broker
{
	my ($class) = @_;
	return $shared if $shared;
	my $name = basename($0, '.pl');
	my $self = bless {
		kafka_dir => kafka_dir(),
		dir       => "$PostgreSQL::Test::Utils::tmp_check/kafka_$name",
		log       => "$PostgreSQL::Test::Utils::log_path/kafka_$name.log",
		owner     => $$,
	}, $class;
	$shared = $self;
	$self->{bootstrap} = $self->_broker_ok('start', $self->{dir});
	note "Kafka broker at $self->{bootstrap}, log $self->{log}";
	return $self;
}

sub bootstrap { return $_[0]->{bootstrap}; }
sub dir       { return $_[0]->{dir}; }
sub log_file  { return $_[0]->{log}; }

sub is_running
{
	my ($self) = @_;
	my ($ok) = $self->_broker('status', $self->{dir});
	return $ok;
}

# Create a topic (nothing when it exists).  Topics that are produced to
# without this get 4 partitions.
sub create_topic
{
	my ($self, $topic, $partitions) = @_;
	$self->_broker_ok('topic', $self->{dir}, $topic, $partitions // 4);
	return;
}

# Produce messages, waiting until the broker acknowledged all of them
# (acks=all).  Each element of $msgs is a value, or [key, value] (key undef:
# no key).  Options: key => a key for every message, partition => n (else
# librdkafka's partitioner: by key hash, random without a key),
# raw => 1 (values may hold any bytes, newlines included; one file each),
# props => { librdkafka property => value }.
sub produce
{
	my ($self, $topic, $msgs, %opt) = @_;
	my @cmd = ('kcat', '-P', '-b', $self->{bootstrap}, '-t', $topic, '-q');
	push @cmd, '-p', $opt{partition} if defined $opt{partition};
	push @cmd, '-k', $opt{key}       if defined $opt{key};
	push @cmd, '-X', "$_=$opt{props}{$_}" for sort keys %{ $opt{props} // {} };
	my $in = '';
	my @files;
	if ($opt{raw})
	{
		croak 'raw messages take no per-message key'
		  if grep { ref $_ } @$msgs;
		for my $m (@$msgs)
		{
			my ($fh, $file) = tempfile(DIR => $PostgreSQL::Test::Utils::tmp_check, UNLINK => 1);
			binmode $fh;
			print $fh $m;
			close $fh;
			push @files, $file;
		}
		# kcat sends each file as one message
		push @cmd, @files;
	}
	else
	{
		# \x1e between messages, \x1f between key and value: a value may
		# hold newlines
		my $keyed = grep { ref $_ } @$msgs;
		push @cmd, '-D', "\x1e";
		push @cmd, '-K', "\x1f" if $keyed;
		for my $m (@$msgs)
		{
			my ($k, $v) = ref $m ? @$m : (undef, $m);
			croak 'message holds \\x1e or \\x1f: use raw => 1'
			  if "$v" =~ /[\x1e\x1f]/ || (defined $k && $k =~ /[\x1e\x1f]/);
			# a line without the key delimiter has no key
			$in .= (defined $k ? "$k\x1f" : '') . $v . "\x1e";
		}
	}
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run(\@cmd, '<', \$in, '>', \$out, '2>', \$err);
	unlink @files;
	croak "kcat -P to $topic failed: $err" unless $ok && $err !~ /ERROR/;
	return scalar @$msgs;
}

# Read a topic from the beginning (or offset => n|'beginning'|'end'|-n)
# to its end, or until count => n messages arrived (waiting up to
# timeout => seconds, default 60, then returning what came).  Returns the
# values, or with meta => 1 hashes {partition, offset, timestamp, key,
# value} (key and value undef when null), in kcat's order: by partition
# when partition => n is not given, not by time.  isolation =>
# 'read_committed' reads only committed transactional messages.
sub consume
{
	my ($self, $topic, %opt) = @_;
	my $offset = $opt{offset} // 'beginning';
	my @cmd = (
		'kcat', '-C', '-b', $self->{bootstrap}, '-t', $topic, '-q',
		'-o', $offset, '-f', '%p %o %T %K %S\n%k%s\n');
	push @cmd, '-p', $opt{partition} if defined $opt{partition};
	push @cmd, '-X', "isolation.level=$opt{isolation}" if $opt{isolation};
	push @cmd, '-X', "$_=$opt{props}{$_}" for sort keys %{ $opt{props} // {} };
	if (defined $opt{count})
	{
		push @cmd, '-c', $opt{count};
	}
	else
	{
		push @cmd, '-e';
	}
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(\@cmd, '<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($opt{timeout} // 60));
	eval { $h->finish; };
	if ($@)
	{
		$h->kill_kill;
		croak "kcat -C of $topic failed: $@" unless defined $opt{count};
	}
	elsif ($h->result != 0)
	{
		croak "kcat -C of $topic failed: $err";
	}
	my @msgs;
	my $pos = 0;
	while ($pos < length $out)
	{
		my $nl = index($out, "\n", $pos);
		last if $nl < 0;
		my ($p, $o, $ts, $klen, $vlen) = split / /, substr($out, $pos, $nl - $pos);
		$pos = $nl + 1;
		my $key = $klen >= 0 ? substr($out, $pos, $klen) : undef;
		$pos += $klen if $klen > 0;
		my $value = $vlen >= 0 ? substr($out, $pos, $vlen) : undef;
		$pos += ($vlen > 0 ? $vlen : 0) + 1;
		push @msgs, {
			partition => $p,
			offset    => $o,
			timestamp => $ts,
			key       => $key,
			value     => $value
		};
	}
	return @msgs if $opt{meta};
	return map { $_->{value} } @msgs;
}

# End offsets by partition: { partition => offset } (messages so far).
sub end_offsets
{
	my ($self, $topic, $partitions) = @_;
	$partitions //= 4;
	my @cmd = ('kcat', '-Q', '-b', $self->{bootstrap},
		map { ('-t', "$topic:$_:-1") } 0 .. $partitions - 1);
	my ($out, $err) = ('', '');
	IPC::Run::run(\@cmd, '<', \undef, '>', \$out, '2>', \$err)
	  or croak "kcat -Q of $topic failed: $err";
	my %end;
	$end{$1} = $2 while $out =~ /\[(\d+)\] offset (-?\d+)/g;
	return \%end;
}

# Messages in a topic (the sum of its end offsets, no compaction here).
sub count
{
	my ($self, $topic, $partitions) = @_;
	my $end = $self->end_offsets($topic, $partitions);
	my $n = 0;
	$n += $_ for values %$end;
	return $n;
}

sub stop
{
	my ($self) = @_;
	$self->_broker_ok('stop', $self->{dir});
	return;
}

# SIGKILL the broker (it stays down until restart)
sub kill9
{
	my ($self) = @_;
	$self->_broker_ok('kill9', $self->{dir});
	return;
}

# Start it again, same port and data (after stop or kill9)
sub restart
{
	my ($self) = @_;
	$self->_broker_ok('stop', $self->{dir}) if $self->is_running;
	$self->_broker_ok('start', $self->{dir});
	return;
}

END
{
	# only the process that started it (not a forked child) stops it
	if ($shared && $shared->{owner} == $$)
	{
		my $status = $?;
		$shared->_broker('stop', $shared->{dir});
		$? = $status;
	}
}

1;
