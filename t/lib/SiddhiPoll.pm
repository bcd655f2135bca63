# Polling that survives a crash restart.
#
# PostgreSQL::Test::Cluster::poll_query_until writes its query to psql's
# standard input.  Right after a kill -9 the server refuses connections
# while it resets, psql exits before it reads its input, and IPC::Run then
# dies with "ack Broken pipe" instead of polling again.  Every TAP test
# loads this module, which gives the query on psql's command line instead,
# so a refused connection is just one more failed attempt.
package SiddhiPoll;

use strict;
use warnings;
use IPC::Run;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $upstream = \&PostgreSQL::Test::Cluster::poll_query_until;

sub poll_query_until
{
	my ($self, $dbname, $query, $expected) = @_;

	return $upstream->(@_) unless defined $query;
	$expected = 't' unless defined $expected;

	local %ENV = $self->_get_env();
	my $cmd = [
		$self->installed_command('psql'), '-XAt',
		'-d', $self->connstr($dbname), '-c', $query
	];
	my ($stdout, $stderr) = ('', '');
	my $max_attempts = 10 * $PostgreSQL::Test::Utils::timeout_default;

	for (my $attempt = 0; $attempt < $max_attempts; $attempt++)
	{
		($stdout, $stderr) = ('', '');
		IPC::Run::run($cmd, '<', '/dev/null', '>', \$stdout, '2>', \$stderr);
		chomp($stdout);
		chomp($stderr);
		return 1 if $stdout eq $expected && $stderr eq '';
		usleep(100_000);
	}

	diag "poll_query_until timed out executing this query:\n$query\n"
	  . "expecting this output:\n$expected\n"
	  . "last actual query output:\n$stdout\nwith stderr:\n$stderr";
	return 0;
}

{
	no warnings 'redefine';
	*PostgreSQL::Test::Cluster::poll_query_until = \&poll_query_until;
}

1;
