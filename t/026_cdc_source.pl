# The Postgres CDC source: inserts, updates and deletes of a table flow
# into a stream (decoded in the engine worker with the extension's own
# output plugin) and on to a result table; before_ values of the old row;
# the operation filter; a restart resumes after what was committed; the
# engine's own writes do not loop back; ALTER TABLE reloads the app;
# refusals at deploy (a table the owner cannot read, wal_level).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use SiddhiPoll;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cdc');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'siddhi'\nsiddhi.naptime = 100ms\n"
	  . "wal_level = logical\nmax_replication_slots = 10\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION siddhi');
$node->safe_psql('postgres', q{
	CREATE TABLE orders (id int PRIMARY KEY, item text, qty int,
	                     note text);
	ALTER TABLE orders REPLICA IDENTITY FULL;
	SELECT siddhi.deploy('cdc', $$
		@source(type = 'cdc', table.name = 'public.orders', operation = 'all',
		        @map(type = 'keyvalue'))
		define stream OrderChanges (op string, id int, item string, qty int,
		                            before_qty int, note string);
		define table Seen (op string, id int, item string, qty int,
		                   before_qty int, note string);
		from OrderChanges
		select op, id, item, qty, before_qty, note
		insert into Seen;
	$$)});

my $running = q{SELECT state = 'running' FROM siddhi.sources
	WHERE app = 'cdc'};
ok($node->poll_query_until('postgres', $running),
	'the source runs (its slot is consistent)');
like(
	$node->safe_psql('postgres',
		"SELECT slot_name || ' ' || plugin FROM pg_replication_slots"),
	qr/^siddhi_cdc_\d+_[0-9a-f]{32} siddhi$/,
	'one slot of plugin siddhi');

$node->safe_psql('postgres', q{
	INSERT INTO orders VALUES (1, 'apple', 3, 'short');
	INSERT INTO orders VALUES (2, 'pear', 5, repeat('x', 100000));
	UPDATE orders SET qty = 4 WHERE id = 1;
	UPDATE orders SET item = 'big pear' WHERE id = 2;
	DELETE FROM orders WHERE id = 1;
});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 5 FROM seen'),
	'five changes arrive');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(concat_ws(',', op, id, item, qty, before_qty,
			length(note)), ' | ' ORDER BY ctid) FROM seen}),
	'insert,1,apple,3,5 | insert,2,pear,5,100000 | update,1,apple,4,3,5 | '
	  . 'update,2,big pear,5,5,100000 | delete,4',
	'in commit order, before_ from the old row, a TOASTed value whole');
# (delete: only before_ columns; qty, item are null, concat_ws skips them)

# the operation filter, and the engine's own writes into the table
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('ins', $$
		@source(type = 'cdc', table.name = 'orders', operation = 'insert')
		define stream NewOrders (id int, qty int);
		define table Ins (id int, qty int);
		from NewOrders select id, qty insert into Ins;
	$$)});
ok( $node->poll_query_until('postgres',
		q{SELECT state = 'running' FROM siddhi.sources WHERE app = 'ins'}),
	'a second source runs');
$node->safe_psql('postgres', q{
	INSERT INTO orders VALUES (10, 'fig', 1, NULL);
	UPDATE orders SET qty = 2 WHERE id = 10;
	DELETE FROM orders WHERE id = 10;
});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 8 FROM seen'),
	'all three reach the first app');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM ins'),
	'the insert reaches the second');
sleep 1;
is($node->safe_psql('postgres', 'SELECT id, qty FROM ins'),
	'10|1', 'operation = insert: only the insert');

# an app that writes into orders itself: not seen by its cdc stream
$node->safe_psql('postgres', q{
	CREATE TABLE feedback (id int, qty int);
	SELECT siddhi.deploy('loop', $$
		define stream Echo (id int, item string, qty int, note string);
		define table orders (id int, item string, qty int, note string);
		from Echo select id, item, qty, note insert into orders;
	$$)});
$node->safe_psql('postgres',
	q{INSERT INTO echo VALUES (20, 'engine', 1, NULL)});
ok($node->poll_query_until('postgres',
		'SELECT count(*) = 1 FROM orders WHERE id = 20'),
	'the engine wrote into orders');
$node->safe_psql('postgres', q{INSERT INTO orders VALUES (21, 'user', 1, NULL)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM ins WHERE id = 21'),
	'a user insert after it arrives');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ins WHERE id = 20'),
	'0', 'the engine\'s own write did not loop back');

my ($ret, $out, $err);

# TRUNCATE: an event (op 'truncate', other attributes null) when the
# operation lists it; other sources skip it
$node->safe_psql('postgres', q{
	CREATE TABLE scratch (id int, tag text);
	SELECT siddhi.deploy('trunc', $$
		@source(type = 'cdc', table.name = 'scratch',
		        operation = 'insert,truncate')
		define stream ScratchChanges (op string, id int);
		define table Tr (op string, id int);
		from ScratchChanges select op, id insert into Tr;
	$$)});
ok( $node->poll_query_until('postgres',
		q{SELECT state = 'running' FROM siddhi.sources WHERE app = 'trunc'}),
	'a source with truncate runs');
$node->safe_psql('postgres', q{
	INSERT INTO scratch VALUES (1, 'a');
	TRUNCATE scratch;
	INSERT INTO scratch VALUES (2, 'b');
});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 3 FROM tr'),
	'truncate arrives between the inserts');
is($node->safe_psql('postgres',
		q{SELECT string_agg(concat_ws(':', op, id), ' ' ORDER BY ctid) FROM tr}),
	'insert:1 truncate insert:2', 'as an event of its own');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('trunc')});

# a restart resumes after what was committed: nothing again, nothing lost
$node->restart;
$node->safe_psql('postgres', q{INSERT INTO orders VALUES (30, 'kiwi', 7, NULL)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM ins WHERE id = 30'),
	'after a restart, a new insert arrives');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ins'), '3',
	'and nothing came twice');

# ALTER TABLE on the source: an added column reloads the app (analysed
# again, it goes on); a column the app reads cannot change type or go, as
# for a view (pg_depend of the app's placeholder view)
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('loop')});
$node->safe_psql('postgres', 'ALTER TABLE orders ADD COLUMN extra int');
$node->safe_psql('postgres', q{INSERT INTO orders VALUES (31, 'lime', 1, NULL, 9)});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM ins WHERE id = 31'),
	'an added column: the app goes on');
($ret, $out, $err) = $node->psql('postgres',
	'ALTER TABLE orders ALTER COLUMN qty TYPE bigint');
like($err, qr/cannot alter type of a column used by a view or rule.*siddhi_app\.(cdc|ins)/s,
	'a column type change is refused while an app reads the column');
($ret, $out, $err) = $node->psql('postgres',
	'ALTER TABLE orders DROP COLUMN item');
like($err, qr/cannot drop column item .* because other objects depend on it/,
	'so is dropping it');

# refusals: a table the owner cannot read
$node->safe_psql('postgres', q{
	CREATE ROLE bob LOGIN;
	CREATE SCHEMA bobs AUTHORIZATION bob;
	CREATE TABLE secret (id int);
});
($ret, $out, $err) = $node->psql('postgres', q{
	SET ROLE bob;
	SET search_path = bobs;
	SELECT siddhi.deploy('peek', $$
		@source(type = 'cdc', table.name = 'public.secret')
		define stream S (id int);
		define table T (id int);
		from S select id insert into T;
	$$)});
like($err, qr/permission denied for table public\.secret/,
	'a table the owner cannot read is refused');

# an app that failed (its output table dropped under it) and is then
# dropped is not loaded: the next cdc source to start drops its slot,
# which no deployed app uses
$node->safe_psql('postgres', q{
	CREATE TABLE t2 (id int);
	SELECT siddhi.deploy('fromt', $$
		CREATE STREAM F FROM TABLE t2 WITH (operations = 'insert');
		CREATE TABLE G (op TEXT, id INT);
		INSERT INTO G SELECT op, id FROM F;
	$$)});
ok( $node->poll_query_until('postgres',
		q{SELECT state = 'running' FROM siddhi.sources WHERE app = 'fromt'}),
	'a FROM TABLE stream runs');
my $slots = 'SELECT count(*) FROM pg_replication_slots';
is($node->safe_psql('postgres', $slots), '3', 'three slots');
$node->safe_psql('postgres', 'DROP TABLE g CASCADE');
ok( $node->poll_query_until('postgres',
		q{SELECT state = 'failed' FROM siddhi.apps WHERE name = 'fromt'}),
	'the app fails');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('fromt')});
is($node->safe_psql('postgres', $slots), '3', 'its slot stays for now');
$node->restart;
ok($node->poll_query_until('postgres',
		'SELECT count(*) = 2 FROM pg_replication_slots'),
	'the next start drops it');

# dropping an app drops its slot
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('cdc')});
ok( $node->poll_query_until(
		'postgres', 'SELECT count(*) = 1 FROM pg_replication_slots'),
	'the dropped app\'s slot is gone');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('ins')});
ok( $node->poll_query_until(
		'postgres', 'SELECT count(*) = 0 FROM pg_replication_slots'),
	'and the other one\'s');

# a slot of the source's name made by someone else, with another plugin,
# is not read: the source fails, saying so, and the slot stays theirs
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('mine', $$
		@source(type = 'cdc', table.name = 'orders', operation = 'insert')
		define stream M (id int);
		define table MT (id int);
		from M select id insert into MT;
	$$)});
ok( $node->poll_query_until(
		'postgres', 'SELECT count(*) = 1 FROM pg_replication_slots'),
	'the app\'s slot is made');
my $slot = $node->safe_psql('postgres',
	'SELECT slot_name FROM pg_replication_slots');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('mine')});
ok( $node->poll_query_until(
		'postgres', 'SELECT count(*) = 0 FROM pg_replication_slots'),
	'and dropped with it');
$node->safe_psql('postgres',
	"SELECT pg_create_logical_replication_slot('$slot', 'test_decoding')");
$node->safe_psql('postgres', q{
	SELECT siddhi.deploy('mine', $$
		@source(type = 'cdc', table.name = 'orders', operation = 'insert')
		define stream M (id int);
		define table MT (id int);
		from M select id insert into MT;
	$$)});
ok( $node->poll_query_until(
		'postgres',
		q{SELECT last_error LIKE '%is not this source''s%' FROM siddhi.sources
		   WHERE app = 'mine'}),
	'a foreign slot of its name fails the source');
is( $node->safe_psql(
		'postgres', 'SELECT plugin FROM pg_replication_slots'),
	'test_decoding',
	'and is left as it was');
$node->safe_psql('postgres', q{SELECT siddhi.undeploy('mine')});
$node->safe_psql('postgres', "SELECT pg_drop_replication_slot('$slot')");

$node->stop;

# wal_level below logical: a clear error at deploy
$node->append_conf('postgresql.conf', "wal_level = replica\n");
$node->start;
($ret, $out, $err) = $node->psql('postgres', q{
	SELECT siddhi.deploy('again', $$
		@source(type = 'cdc', table.name = 'orders')
		define stream S (id int);
		define table T3 (id int);
		from S select id insert into T3;
	$$)});
like($err, qr/a cdc source needs wal_level = logical/,
	'wal_level = replica: refused, naming the setting');
$node->stop;
done_testing();
