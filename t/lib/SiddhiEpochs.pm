# What the epochs' kill tests share: comparing the outputs of a run with
# crashes against those of an uninterrupted run, row for row.
package SiddhiEpochs;

use strict;
use warnings;
use Test::More;
use Exporter 'import';

our @EXPORT = qw(same_rows same_outputs crash_engine);

# Tables $a and $b hold the same rows (of columns $cols, default all), as
# multisets; on a difference, up to 20 rows of it are shown.
sub same_rows
{
	my ($node, $a, $b, $name, $cols) = @_;
	$cols //= '*';
	my $diff = $node->safe_psql('postgres',
		"SELECT count(*) FROM ((SELECT $cols FROM $a EXCEPT ALL SELECT $cols FROM $b) "
		  . "UNION ALL (SELECT $cols FROM $b EXCEPT ALL SELECT $cols FROM $a)) d");
	return 1 if is($diff, '0', $name);
	diag $node->safe_psql('postgres',
		"(SELECT 'first', $cols FROM $a EXCEPT ALL SELECT 'first', $cols FROM $b) "
		  . "UNION ALL (SELECT 'second', $cols FROM $b EXCEPT ALL SELECT 'second', $cols FROM $a) "
		  . "ORDER BY 2, 1 LIMIT 20");
	return 0;
}

# The outputs of t/035's app shapes: tables w, p, q and the aggregation's
# a_sec and a_min, each against its uninterrupted copy (the reference
# app's tables are named with $ref: w_ref, a_ref_sec, ...).
sub same_outputs
{
	my ($node, @more) = @_;
	for my $t ('w', 'p', 'q', @more)
	{
		my $rows = $node->safe_psql('postgres', "SELECT count(*) FROM $t");
		cmp_ok($rows, '>', 0, "table $t has rows ($rows)");
		same_rows($node, $t, "${t}_ref",
			"table $t equals the uninterrupted run's, row for row");
	}
	same_rows($node, "a_$_", "a_ref_$_",
		"aggregation per $_ equals the uninterrupted run's")
	  for ('sec', 'min');
}

# Cycle $cycle of a kill test, at a random moment of a feed: every fifth
# an immediate stop of the postmaster, then a start; else a kill -9 of the
# engine worker $pid, then wait for the next one.  $between runs after the
# crash and before the restart (e.g. finishing a feed whose session died).
# Returns 'postmaster' or 'worker'.
sub crash_engine
{
	my ($node, $cycle, $pid, $between) = @_;
	if ($cycle % 5 == 0)
	{
		$node->stop('immediate');
		$between->() if $between;
		$node->start;
		return 'postmaster';
	}
	kill 'KILL', $pid;
	$between->() if $between;
	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity "
			  . "WHERE backend_type = 'siddhi engine' AND pid <> $pid"),
		"cycle $cycle: the engine is back");
	return 'worker';
}

1;
