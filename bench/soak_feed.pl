# The soak's client (bench/soak.sh): one session feeding small transactions
# into the durable stream s, each also writing its ids into the logged
# table fed, so that what committed is what fed holds, whatever the client
# was told when a crash cut its connection.  One session, one transaction
# at a time: the commit order is the order of the ids.
#
#   perl bench/soak_feed.pl PSQL RATE UNTIL STOPFILE ERRLOG PKEYS
#
# PSQL: the psql command line (without -c/-f); RATE: events per second (0:
# as fast as it can); UNTIL: a Unix time to stop at; STOPFILE: stop as soon
# as this file exists; PKEYS: the number of partition keys.  When the session dies (a kill of the engine worker
# resets every backend), the client waits for the server, reads where fed
# ends and goes on from there; the pace restarts with each session (no
# catch-up burst).  At the end it prints "sessions transactions events".
use strict;
use warnings;
use IO::Handle;
use Time::HiRes qw(time sleep);

my ($psql, $rate, $until, $stopfile, $errlog, $pkeys) = @ARGV;
$SIG{PIPE} = 'IGNORE';
srand(15);
my ($sessions, $xacts, $events) = (0, 0, 0);
my $done = sub { time >= $until || -e $stopfile };

while (!$done->())
{
	my $next = `$psql -At -c "SELECT COALESCE(max(id), 0) + 1 FROM fed" 2>/dev/null`;
	if ($? != 0 || $next !~ /^\d+$/)
	{
		sleep 0.3;
		next;
	}
	chomp $next;
	open(my $fh, '|-', "$psql -v ON_ERROR_STOP=1 -f - >/dev/null 2>>$errlog")
	  or do { sleep 0.3; next };
	$fh->autoflush(1);
	$sessions++;
	my ($t0, $sent) = (time, 0);
	while (!$done->())
	{
		my $n = 1 + int(rand(40));
		my $last = $next + $n - 1;
		my $sql =
		    "BEGIN;\nINSERT INTO s SELECT g, g, (g % 50)::int, (g % $pkeys)::int, "
		  . "((g / 50 + g % 50) % 4)::int, (g * 31 % 97)::int "
		  . "FROM generate_series($next, $last) g;\n"
		  . "INSERT INTO fed SELECT generate_series($next, $last);\nCOMMIT;\n";
		last unless print $fh $sql;
		$next = $last + 1;
		$sent += $n;
		$xacts++;
		$events += $n;
		if ($rate > 0)
		{
			my $wait = $t0 + $sent / $rate - time;
			sleep($wait) if $wait > 0;
		}
	}
	close $fh;    # waits for psql to run what it was sent (or to be gone)
}
print "$sessions $xacts $events\n";
