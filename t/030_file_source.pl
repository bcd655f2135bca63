# The file source (src/connectors/file_source.c): a tailed CSV file that
# grows line by line (a partial line waits for its newline), a malformed
# line and an over-long one to @OnError, a rotation by rename + new file
# (the old file finished first), a copytruncate, records cut by
# begin.regex and end.regex, three SIGKILLs of the engine in the middle of
# 600,000 appended lines (every line once), files read once then moved,
# deleted or left, a directory read in name order, and paths outside
# siddhi.file_directory (also through a symbolic link) refused.  Without
# the file source every deploy here fails (unknown source type "file").
use strict;
use warnings;
use File::Spec;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('file_source');
$node->init;
my $files = File::Spec->rel2abs($node->basedir . '/files');
mkdir $files or die;
mkdir "$files/$_" or die for qw(tail big batch dir out rx dirt);
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "siddhi.file_directory = '$files'\nrestart_after_crash = on\n"
	  . "siddhi.source_batch_events = 100\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');

sub append
{
	my ($file, $text) = @_;
	open(my $fh, '>>', "$files/$file") or die "$file: $!";
	print $fh $text;
	close $fh;
}

sub csv { join('', map { "$_,s$_,$_.5\n" } @_) }

# --- tailing ---------------------------------------------------------------
append('tail/orders.csv', csv(1 .. 50));
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('tl', $$
		@OnError(action = 'STORE')
		@source(type = 'file', file.uri = 'tail/orders.csv',
		        max.line.length = '300', @map(type = 'csv'))
		define stream Orders (id long, sym string, px double);
		define table OutT (id long, sym string);
		from Orders select id, sym insert into OutT;
	$$)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 50 FROM outt'),
	'the lines already there are read');
append('tail/orders.csv', csv(51 .. 100));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 100 FROM outt'),
	'appended lines follow');

append('tail/orders.csv', '101,AB');
usleep(500_000);
is($node->safe_psql('postgres', 'SELECT count(*) FROM outt'), '100',
	'a partial last line waits for its newline');
append('tail/orders.csv', "C,1.5\n");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM outt WHERE id = 101 AND sym = 'ABC'"),
	'and is one line once it is complete');

append('tail/orders.csv', "oops,not,a,number\n" . ('x' x 1000) . "\n" . csv(102));
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM siddhi.errors WHERE app = 'tl'"),
	'a malformed line and an over-long one go to @OnError');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 102 FROM outt'),
	'the line after them is read');
like($node->safe_psql('postgres',
	"SELECT error FROM siddhi.errors WHERE app = 'tl' ORDER BY id DESC LIMIT 1"),
	qr/a line of 1000 bytes is longer than max\.line\.length \(300\)/,
	'the over-long line is named with its length');

# rotation: renamed, the old file still written, then a new one
rename("$files/tail/orders.csv", "$files/tail/orders.csv.1") or die;
append('tail/orders.csv.1', csv(103 .. 110));
usleep(300_000);
append('tail/orders.csv', csv(111 .. 120));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 120 FROM outt'),
	'rotation: the old file is finished, the new one read');
is($node->safe_psql('postgres',
	'SELECT count(DISTINCT id), min(id), max(id) FROM outt'), '120|1|120',
	'rotation: every line once');

# copytruncate: copied aside, truncated, written again
append('tail/orders.csv', csv(121 .. 130));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 130 FROM outt'),
	'before the truncation');
truncate("$files/tail/orders.csv", 0) or die;
usleep(500_000);
append('tail/orders.csv', csv(131 .. 135));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 135 FROM outt'),
	'truncation: the file is read again from its start');
is($node->safe_psql('postgres',
	'SELECT count(DISTINCT id), max(id) FROM outt'), '135|135',
	'truncation: nothing read twice');
like($node->safe_psql('postgres',
	"SELECT detail || ' / ' || last_error FROM siddhi.sources WHERE app = 'tl'"),
	qr/orders\.csv at byte \d+, \d+ lines.*truncated/, 'siddhi.sources says where it is');
is($node->safe_psql('postgres',
	"SELECT string_agg(part, ',' ORDER BY part) FROM siddhi.source_positions WHERE app = 'tl'"),
	'file,offset', 'positions: the file and the offset');

# --- mode regex: records between begin.regex and end.regex ------------------
append('rx/events.log', "junk\n<e>\nid:1,\nsym:\"a\"\n</e>\n<e>id:2, sym:\"b\"</e> noise\n<e>id:3,");
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('rx', $$
		@source(type = 'file', file.uri = 'rx/events.log', mode = 'regex',
		        begin.regex = '<e>', end.regex = '</e>',
		        @map(type = 'text', regex.A = 'id:(\d+)', regex.B = 'sym:"(\w+)"',
		             @attributes(id = 'A[1]', sym = 'B[1]')))
		define stream R (id long, sym string);
		define table OutR (id long, sym string);
		from R select id, sym insert into OutR;
	$$)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM outr'),
	'regex: the complete records are read, across lines');
append('rx/events.log', "\nsym:\"c\"\n</e>\n");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 3 FROM outr'),
	'regex: a record completed by an append');
is($node->safe_psql('postgres', "SELECT string_agg(id || sym, ',' ORDER BY id) FROM outr"),
	'1a,2b,3c', 'regex: each record once, text between them skipped');
# more appends, each loaded by its own poll: the loaded text outlives the
# poll's memory (it was allocated there, and later polls wrote into what
# the reset had freed: heap corruption and a crash loop)
for my $i (4 .. 23)
{
	append('rx/events.log',
		"<e>id:$i, sym:\"" . ('s' x ($i * 400)) . "\"</e>\n");
	$node->poll_query_until('postgres', "SELECT count(*) = $i FROM outr")
	  or last;
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM outr'),
	'23', 'regex: twenty more appends, each record once');
unlike(slurp_file($node->logfile), qr/terminated by signal/,
	'regex: no process crashed');

# --- restart in the middle ---------------------------------------------------
# Each round appends 200,000 lines while the engine reads (100 lines a
# batch here) and kills the engine worker 30 to 90 ms later: in the middle
# of the round's lines.
sub feed
{
	my ($from, $to) = @_;
	open(my $fh, '>>', "$files/big/feed.csv") or die;
	print $fh "$_,p$_\n" for $from .. $to;
	close $fh;
}
feed(1, 10);
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('big', $$
		@source(type = 'file', file.uri = 'big/feed.csv', @map(type = 'csv'))
		define stream Feed (id long, pad string);
		define table OutB (id long);
		from Feed select id insert into OutB;
	$$)});

sub query
{
	my ($sql) = @_;
	for (1 .. 1200)
	{
		my ($out, $err) = ('', '');
		my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err);
		return $out if $rc == 0 && $out ne '';
		usleep(100_000);
	}
	die "no answer to $sql";
}

my $n = 10;
$node->poll_query_until('postgres', "SELECT count(*) = 10 FROM outb");
my $mid = 0;
for my $k (1 .. 3)
{
	my $before = query('SELECT count(*) FROM outb');
	my $pid = query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'siddhi engine'");
	feed($n + 1, $n + 200000);
	$n += 200000;
	usleep(30_000 + int(rand(60_000)));
	kill 'KILL', $pid;
	my $at = query('SELECT count(*) FROM outb');
	$mid++ if $at > $before && $at < $n;
	note "kill $k with $at of $n lines in";
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity "
		  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid");
}
ok($mid >= 1, "the engine was killed in the middle of the file ($mid of 3 kills)");
ok($node->poll_query_until('postgres', "SELECT count(*) >= $n FROM outb"),
	'restart: every line arrives');
sleep 1;
is(query('SELECT count(*), count(DISTINCT id), min(id), max(id) FROM outb'),
	"$n|$n|1|$n", 'restart: 0 lost, 0 duplicated');

# --- read once, then move or delete ---------------------------------------------
append('batch/a.csv', csv(1 .. 10));
append('batch/b.csv', csv(11 .. 15) . '16,s16,16.5');   # no newline at the end
append('top.csv', csv(17 .. 18));    # right in siddhi.file_directory
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('once', $$
		@source(type = 'file', file.uri = 'batch/a.csv', tailing = 'false',
		        action.after.process = 'move', move.after.process = 'out',
		        @map(type = 'csv'))
		@source(type = 'file', file.uri = 'batch/b.csv', tailing = 'false',
		        @map(type = 'csv'))
		@source(type = 'file', file.uri = 'top.csv', tailing = 'false',
		        action.after.process = 'none', @map(type = 'csv'))
		define stream Batch (id long, sym string, px double);
		define table OutO (id long);
		from Batch select id insert into OutO;
	$$)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 18 FROM outo'),
	'read once: every line, the last without its newline too');
ok($node->poll_query_until('postgres', 'SELECT true', 't') && wait_gone("$files/batch/a.csv"),
	'moved after reading');
ok(-f "$files/out/a.csv", 'into move.after.process');
ok(wait_gone("$files/batch/b.csv"), 'deleted after reading (the default without tailing)');
ok(-f "$files/top.csv", "action 'none' leaves the file");

sub wait_gone
{
	my ($f) = @_;
	for (1 .. 100) { return 1 unless -e $f; usleep(100_000); }
	return 0;
}

# --- a directory, in name order -----------------------------------------------
append('dir/c.csv', csv(21 .. 30));
append('dir/b.csv', csv(11 .. 20));
append('dir/a.csv', csv(1 .. 10));
append('dir/.hidden.csv', csv(99));
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('dirm', $$
		@source(type = 'file', dir.uri = 'dir', tailing = 'false',
		        action.after.process = 'none', @map(type = 'csv'))
		define stream D (id long, sym string, px double);
		@sink(type = 'file', file.uri = 'out/dir.csv', @map(type = 'csv'))
		define stream DOut (id long);
		from D select id insert into DOut;
	$$)});
ok($node->poll_query_until('postgres',
	"SELECT sent = 30 FROM siddhi.sinks WHERE app = 'dirm'"),
	'directory: every file read');
is(join(',', split /\n/, slurp_file("$files/out/dir.csv")), join(',', 1 .. 30),
	'directory: files in name order, hidden ones left alone');
append('dir/d.csv', csv(31 .. 32));
ok($node->poll_query_until('postgres',
	"SELECT sent = 32 FROM siddhi.sinks WHERE app = 'dirm'"),
	'directory: a new file is read');
ok(-f "$files/dir/a.csv", "action 'none' leaves the files");

# a tailed directory: each file is read to its end once a later one is
# there, the last one is followed
append('dirt/x1.csv', csv(1 .. 3));
append('dirt/x2.csv', csv(4 .. 5));
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('dirt', $$
		@source(type = 'file', dir.uri = 'dirt', @map(type = 'csv'))
		define stream DT (id long, sym string, px double);
		define table OutDT (id long);
		from DT select id insert into OutDT;
	$$)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 5 FROM outdt'),
	'tailed directory: the files there are read in order');
append('dirt/x2.csv', csv(6));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 6 FROM outdt'),
	'tailed directory: the last file is followed');
append('dirt/x2.csv', csv(7));
append('dirt/x3.csv', csv(8));
ok($node->poll_query_until('postgres', 'SELECT count(*) = 8 FROM outdt'),
	'tailed directory: a later file comes after the end of the current one');

# --- refused -------------------------------------------------------------------
my ($rc, $out, $err) = $node->psql('postgres', q{
	SELECT siddhi.deploy('bad', $$
		@source(type = 'file', file.uri = '/etc/passwd', @map(type = 'text'))
		define stream P (line string);
	$$)});
like($err, qr/file\.uri "\/etc\/passwd" is not under siddhi\.file_directory/,
	'a path outside siddhi.file_directory is refused');
symlink('/etc', "$files/etc") or die;
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('link', $$
		@source(type = 'file', file.uri = 'etc/passwd', tailing = 'false',
		        action.after.process = 'none', @map(type = 'text'))
		define stream P (line string);
		define table OutP (line string);
		from P select line insert into OutP;
	$$)});
ok($node->poll_query_until('postgres',
	"SELECT last_error LIKE '%resolves to \"/etc\", which is not under%' "
	  . "FROM siddhi.sources WHERE app = 'link'"),
	'a symbolic link out of the directory is refused when read');
is($node->safe_psql('postgres', 'SELECT count(*) FROM outp'), '0',
	'and nothing of it is read');
$node->safe_psql('postgres', q{CREATE ROLE nofiles LOGIN;
	GRANT USAGE ON SCHEMA siddhi TO nofiles; GRANT CREATE ON SCHEMA public TO nofiles});
($rc, $out, $err) = $node->psql('postgres', q{SET ROLE nofiles;
	SELECT siddhi.deploy('nf', $$
		@source(type = 'file', file.uri = 'tail/orders.csv', @map(type = 'csv'))
		define stream N (id long, sym string, px double);
	$$)});
like($err, qr/permission denied to deploy a file source/,
	'a role without pg_read_server_files is refused');

# a FIFO is no file to read: opening one waited for a writer, and the
# engine with it (pg_terminate_backend could not end the wait)
system('mkfifo', "$files/pipe") == 0 or die "mkfifo: $!";
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('fifo', $$
		@source(type = 'file', file.uri = 'pipe', @map(type = 'text'))
		define stream F (line string);
		define table OutF (line string);
		from F select line insert into OutF;
	$$)});
ok($node->poll_query_until('postgres',
	"SELECT last_error LIKE '%is not a regular file%' FROM siddhi.sources WHERE app = 'fifo'"),
	'a FIFO is refused as the file to read');
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('after_fifo', $$
		define stream G (n int);
		define table OutG (n int);
		from G select n insert into OutG;
	$$);
	INSERT INTO g VALUES (1)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM outg'),
	'and the engine goes on');

$node->stop;
done_testing();
