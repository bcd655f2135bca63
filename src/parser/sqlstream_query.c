/*-------------------------------------------------------------------------
 *
 * sqlstream_query.c
 *	  Queries: [INSERT INTO target] SELECT ... FROM <input> ... [EMIT ..].
 *
 * The statement, its own clauses blanked by the scan (sqlstream_scan.c),
 * is parsed as the SELECT or INSERT .. SELECT it then is; the raw
 * SelectStmt is taken apart into the query's input (a stream, a join or a
 * pattern), selector and output.  A query with PARTITION BY becomes a
 * partition of that one query.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

static void parse_query_one(SqlParser *p, int pos, int end, List *annotations);

/* One FROM item into a stream input with its handlers. */
static SiddhiStreamInput *
stream_input(SqlParser *p, Node *item, int side, QueryScan *qs)
{
	SiddhiStreamInput *in = palloc0(sizeof(SiddhiStreamInput));
	RangeVar *rv;

	if (!IsA(item, RangeVar))
		sqlstream_not_supported(
			p, p->tokens[Max(qs->item_tok[side], 0)].start,
			"only a stream, table or window can be read in FROM", NULL);
	rv = (RangeVar *) item;
	if (rv->schemaname || rv->catalogname)
		sqlstream_not_supported(
			p, rv->location, "a stream name cannot be qualified",
			"Streams of an app live in the schema it is deployed into.");
	if (rv->alias && rv->alias->colnames)
		sqlstream_not_supported(
			p, rv->location, "column aliases are not supported in FROM", NULL);
	in->stream = rv->relname;
	in->alias = rv->alias ? rv->alias->aliasname : NULL;
	in->location = rv->location;
	in->handlers = list_copy(qs->filters[side]);
	in->as_of = qs->as_of[side];
	sqlstream_resolve_cte(p, in);
	return in;
}

static void
add_window(SiddhiStreamInput *in, SiddhiStreamHandler *h)
{
	if (h != NULL)
		in->handlers = lappend(in->handlers, h);
}

/* The FROM clause (and WHERE) of a raw SELECT into our input. */
SiddhiInput *
sqlstream_transform_input(SqlParser *p, SelectStmt *sel, QueryScan *qs,
						  int end)
{
	SiddhiInput *in = palloc0(sizeof(SiddhiInput));
	int nitems = list_length(sel->fromClause);
	Node *first;

	if (nitems == 0)
		sqlstream_syntax_error(
			p, end, "A query reads a stream: SELECT ... FROM stream.");
	in->location = p->tokens[qs->from_tok >= 0 ? qs->from_tok : end].start;
	if (qs->pattern)
	{
		if (nitems != 1)
			sqlstream_not_supported(p,
									p->tokens[Max(qs->join_tok[1], 0)].start,
									"a pattern cannot be joined", NULL);
		/* WHERE filters the matches, over the events they name */
		qs->pattern->on = sel->whereClause;
		if (qs->late_window)
			sqlstream_not_supported(p, qs->late_window->location,
									"a pattern cannot have a window", NULL);
		return qs->pattern;
	}
	first = linitial(sel->fromClause);
	if (nitems > 2 || (nitems == 2 && !IsA(first, RangeVar)) ||
		(IsA(first, JoinExpr) && (!IsA(((JoinExpr *) first)->larg, RangeVar) ||
								  !IsA(((JoinExpr *) first)->rarg, RangeVar))))
		sqlstream_not_supported(
			p, p->tokens[Max(qs->join_tok[2], 0)].start,
			"joins of more than two streams are not supported",
			"Join two streams in one query and the result with a "
			"third in another.");

	if (qs->time.within || qs->time.per)
	{
		/* SiddhiQL's join A within .. per ..: the analyzer checks A */
		in->within = qs->time.within;
		in->per = qs->time.per;
		if (nitems == 1 && !IsA(first, JoinExpr))
			sqlstream_not_supported(
				p,
				qs->time.per ? qs->time.per_location
							 : qs->time.within_location,
				"an app's query reads an aggregation in a join",
				"Join a stream with it (FROM s JOIN agg ON .. WITHIN .. PER "
				"..), or run the SELECT with siddhi.query(app, text).");
	}
	if (nitems == 1 && !IsA(first, JoinExpr))
	{
		in->kind = SIDDHI_INPUT_STREAM;
		in->stream = stream_input(p, first, 0, qs);
		if (in->stream->as_of)
			sqlstream_not_supported(
				p, exprLocation(in->stream->as_of),
				"FOR SYSTEM_TIME AS OF is only allowed on a joined table",
				"Write FROM s JOIN t FOR SYSTEM_TIME AS OF s.ts ON ...");
		if (sel->whereClause)
		{
			SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));

			/* SQL filters rows before they enter the window */
			h->kind = SIDDHI_HANDLER_FILTER;
			h->filter = sqlstream_memberships(p, sel->whereClause);
			h->location = exprLocation(sel->whereClause);
			in->stream->handlers = lappend(in->stream->handlers, h);
		}
		if (qs->window[0] && qs->late_window)
			sqlstream_syntax_error_at(p, qs->late_window->location,
									  "a stream can have only one window",
									  NULL);
		add_window(in->stream, qs->window[0]);
		add_window(in->stream, qs->late_window);
		if (qs->unidir_tok[0] >= 0)
			sqlstream_syntax_error_at(
				p, p->tokens[qs->unidir_tok[0]].start,
				"UNIDIRECTIONAL is only allowed in a join", NULL);
		return in;
	}

	in->kind = SIDDHI_INPUT_JOIN;
	if (IsA(first, JoinExpr))
	{
		JoinExpr *j = (JoinExpr *) first;
		int join_loc = p->tokens[Max(qs->join_tok[1], 0)].start;

		if (j->isNatural || j->usingClause)
			sqlstream_not_supported(
				p, join_loc,
				"NATURAL JOIN and JOIN ... USING are not supported",
				"Write the join condition with ON.");
		if (j->alias || j->join_using_alias)
			sqlstream_not_supported(p, join_loc, "a join cannot have an alias",
									NULL);
		switch (j->jointype)
		{
			case JOIN_INNER:
				in->join_type = SIDDHI_JOIN_INNER;
				break;
			case JOIN_LEFT:
				in->join_type = SIDDHI_JOIN_LEFT;
				break;
			case JOIN_RIGHT:
				in->join_type = SIDDHI_JOIN_RIGHT;
				break;
			case JOIN_FULL:
				in->join_type = SIDDHI_JOIN_FULL;
				break;
			default:
				sqlstream_not_supported(
					p, join_loc, "this kind of join is not supported", NULL);
		}
		in->stream = stream_input(p, j->larg, 0, qs);
		in->right = stream_input(p, j->rarg, 1, qs);
		in->on = j->quals;
	}
	else
	{
		/* FROM a, b: an inner join, its condition in WHERE */
		in->join_type = SIDDHI_JOIN_INNER;
		in->stream = stream_input(p, first, 0, qs);
		in->right = stream_input(p, lsecond(sel->fromClause), 1, qs);
	}
	if (qs->late_window)
		sqlstream_syntax_error_at(
			p, qs->late_window->location,
			"in a join, WINDOW must follow the stream it applies to",
			"Write FROM a WINDOW length(10) JOIN b WINDOW length(10) ON ...");
	add_window(in->stream, qs->window[0]);
	add_window(in->right, qs->window[1]);
	in->left_unidirectional = qs->unidir_tok[0] >= 0;
	in->right_unidirectional = qs->unidir_tok[1] >= 0;
	if (in->left_unidirectional && in->right_unidirectional)
		sqlstream_syntax_error_at(
			p, p->tokens[qs->unidir_tok[1]].start,
			"only one side of a join can be UNIDIRECTIONAL", NULL);

	if (sel->whereClause)
	{
		if (in->join_type != SIDDHI_JOIN_INNER)
			sqlstream_not_supported(
				p, exprLocation(sel->whereClause),
				"WHERE is not supported with an outer join",
				"Put the condition in ON, or filter a stream before "
				"the join with FROM s[condition].");
		/* for an inner join, WHERE and ON select the same pairs */
		if (in->on)
			in->on = (Node *) makeBoolExpr(
				AND_EXPR, list_make2(in->on, sel->whereClause),
				exprLocation(sel->whereClause));
		else
			in->on = sel->whereClause;
	}
	return in;
}

/*
 * SQL's GROUP BY 2: an integer constant alone is the position of a select
 * item, as in PostgreSQL (findTargetlistEntrySQL92), and stands for that
 * item's expression: GROUP BY then groups by what the item computes, an
 * aggregate being refused there as PostgreSQL refuses it.  Other constants
 * keep PostgreSQL's errors.  Under SELECT * the positions would need the
 * input's columns, which only the analyzer knows: refused here.
 */
static List *
group_by_positions(SqlParser *p, SelectStmt *sel, SiddhiSelector *s)
{
	List *result = NIL;
	ListCell *lc;

	foreach(lc, sel->groupClause)
	{
		Node *n = lfirst(lc);
		A_Const *c = (A_Const *) n;
		int pos;

		if (!IsA(n, A_Const))
		{
			result = lappend(result, n);
			continue;
		}
		if (c->isnull || !IsA(&c->val, Integer))
			ereport(ERROR, errcode(ERRCODE_SYNTAX_ERROR),
					errmsg("non-integer constant in GROUP BY"),
					siddhi_errposition(p->source, c->location));
		if (s->select_all)
			sqlstream_not_supported(
				p, c->location,
				"GROUP BY position with SELECT * is not supported",
				"Name the column: GROUP BY column.");
		pos = intVal(&c->val);
		if (pos < 1 || pos > list_length(s->targets))
			ereport(ERROR, errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					errmsg("GROUP BY position %d is not in select list", pos),
					siddhi_errposition(p->source, c->location));
		result = lappend(
			result,
			copyObject(((ResTarget *) list_nth(s->targets, pos - 1))->val));
	}
	return result;
}

/* The select list and the clauses after WHERE. */
static SiddhiSelector *
transform_selector(SqlParser *p, SelectStmt *sel, QueryScan *qs, int pos)
{
	SiddhiSelector *s = palloc0(sizeof(SiddhiSelector));
	int select_loc =
		p->tokens[qs->select_tok >= 0 ? qs->select_tok : pos].start;
	ListCell *lc;

	if (sel->distinctClause)
	{
		/* DISTINCT ON (..) lists expressions; DISTINCT a list of one NIL */
		if (linitial(sel->distinctClause) != NULL)
			sqlstream_not_supported(
				p, p->tokens[qs->select_tok + 1].start,
				"SELECT DISTINCT ON is not supported",
				"Write SELECT DISTINCT, or GROUP BY the columns.");
		s->distinct = true;
		s->distinct_location = p->tokens[qs->select_tok + 1].start;
	}
	if (sel->windowClause)
		sqlstream_not_supported(
			p, ((WindowDef *) linitial(sel->windowClause))->location,
			"named window definitions are not supported",
			"A stream window is written WINDOW name(arguments) "
			"after the stream.");
	if (sel->lockingClause)
		sqlstream_not_supported(
			p, select_loc, "FOR UPDATE and FOR SHARE are not supported", NULL);
	if (sel->limitOption == LIMIT_OPTION_WITH_TIES)
		sqlstream_not_supported(p, exprLocation(sel->limitCount),
								"FETCH ... WITH TIES is not supported", NULL);
	if (sel->groupDistinct)
		sqlstream_not_supported(p, select_loc,
								"GROUP BY DISTINCT is not supported", NULL);
	if (sel->targetList == NIL)
		sqlstream_syntax_error_at(
			p, select_loc, "SELECT needs a list of columns",
			"Write SELECT * or SELECT expression [AS name], ...");

	s->location = select_loc;
	foreach(lc, sel->targetList)
	{
		ResTarget *rt = lfirst_node(ResTarget, lc);

		if (IsA(rt->val, ColumnRef) &&
			IsA(llast(((ColumnRef *) rt->val)->fields), A_Star))
		{
			if (list_length(sel->targetList) != 1 ||
				list_length(((ColumnRef *) rt->val)->fields) != 1)
				sqlstream_not_supported(p, rt->location,
										"* must be the whole select list",
										"Write SELECT * or name the columns.");
			s->select_all = true;
		}
		else
			s->targets = lappend(s->targets, rt);
	}
	foreach(lc, sel->groupClause)
	{
		if (IsA(lfirst(lc), GroupingSet))
			sqlstream_not_supported(p, ((GroupingSet *) lfirst(lc))->location,
									"grouping sets are not supported", NULL);
	}
	s->group_by = group_by_positions(p, sel, s);
	s->having = sel->havingClause;
	s->order_by = sel->sortClause;
	s->limit = sel->limitCount;
	s->offset = sel->limitOffset;
	return s;
}

/* The streams of a pattern's states, each once, in order. */
static List *
pattern_streams(SiddhiPatternNode *n, List *acc)
{
	ListCell *lc;

	if (n == NULL)
		return acc;
	if (n->stream)
	{
		foreach(lc, acc)
			if (strcmp(lfirst(lc), n->stream->stream) == 0)
				return acc;
		return lappend(acc, n->stream->stream);
	}
	acc = pattern_streams(n->left, acc);
	return pattern_streams(n->right, acc);
}

/* Finish a query built from a statement (as sqlstream_parse_query does). */
static void
finish_query(SqlParser *p, SiddhiQuery *q, int pos, int end, List *annotations)
{
	ListCell *lc;

	q->annotations = annotations;
	q->location = p->tokens[pos].start;
	q->end_location = p->tokens[end - 1].end;
	foreach(lc, annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);

		if (pg_strcasecmp(a->name, "info") == 0 &&
			sqlstream_annotation_value(a, "name") != NULL)
			q->name = sqlstream_annotation_value(a, "name");
	}
}

/* ... and add it to the app's queries. */
void
sqlstream_add_query(SqlParser *p, SiddhiQuery *q, int pos, int end,
					List *annotations)
{
	finish_query(p, q, pos, end, annotations);
	p->app->queries = lappend(p->app->queries, q);
}

/*
 * [INSERT INTO target] SELECT ...: tokens [pos, end).  A FROM PATTERN of
 * alternatives, (P1) OR (P2), is read once per alternative: one query
 * each, into the same target (sqlstream_pattern.c).
 */
void
sqlstream_parse_query(SqlParser *p, int pos, int end, List *annotations)
{
	p->pattern_alt = 0;
	p->pattern_nalts = 1;
	p->pattern_alts_ok = true;
	parse_query_one(p, pos, end, annotations);
	for (int alt = 1; alt < p->pattern_nalts; alt++)
	{
		p->pattern_alt = alt;
		parse_query_one(p, pos, end, annotations);
	}
	p->pattern_alt = 0;
	p->pattern_nalts = 1;
	p->pattern_alts_ok = false;
}

static void
parse_query_one(SqlParser *p, int pos, int end, List *annotations)
{
	SiddhiQuery *q = palloc0(sizeof(SiddhiQuery));
	SiddhiQuery *twin = NULL;
	SiddhiOutput *out = palloc0(sizeof(SiddhiOutput));
	QueryScan qs;
	SqlPiece pc;
	List *stmts;
	Node *raw;
	SelectStmt *sel;
	ListCell *lc;

	if (sqlstream_is_word(p, pos, "with"))
	{
		/* WITH h AS (..) <query>: h's query first, then this one */
		sqlstream_parse_with_query(p, pos, end, annotations);
		return;
	}
	sqlstream_piece_init(&pc, p, pos, end, true);
	sqlstream_scan_query(p, pos, end, &pc, &qs);
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1)
		sqlstream_syntax_error(p, pos, SQLSTREAM_STATEMENT_HINT);
	raw = linitial_node(RawStmt, stmts)->stmt;

	if (IsA(raw, InsertStmt))
	{
		InsertStmt *ins = (InsertStmt *) raw;

		if (ins->cols)
			sqlstream_not_supported(
				p, ((ResTarget *) linitial(ins->cols))->location,
				"a column list after INSERT INTO is not supported",
				"Name the columns in the select list: SELECT x AS col, ...");
		if (ins->returningList || ins->withClause ||
			ins->override != OVERRIDING_NOT_SET)
			sqlstream_not_supported(
				p, p->tokens[pos].start,
				"only INSERT INTO target SELECT ... is supported", NULL);
		if (ins->relation->schemaname || ins->relation->catalogname)
			sqlstream_not_supported(p, ins->relation->location,
									"a stream name cannot be qualified", NULL);
		if (ins->selectStmt == NULL || !IsA(ins->selectStmt, SelectStmt))
			sqlstream_syntax_error(
				p, end, "Write INSERT INTO target SELECT ... FROM stream.");
		out->kind = SIDDHI_OUT_INSERT;
		out->target = ins->relation->relname;
		out->location = ins->relation->location;
		if (ins->onConflictClause)
			sqlstream_upsert_output(p, ins, out);
		sel = (SelectStmt *) ins->selectStmt;
	}
	else if (IsA(raw, SelectStmt))
	{
		out->kind = SIDDHI_OUT_RETURN;
		out->location = p->tokens[pos].start;
		sel = (SelectStmt *) raw;
	}
	else
		sqlstream_syntax_error(p, pos, SQLSTREAM_STATEMENT_HINT);
	out->events = SIDDHI_EVENTS_CURRENT;
	if (qs.sinks != NIL && p->pattern_alt == 0)
	{
		if (out->kind != SIDDHI_OUT_INSERT)
			sqlstream_syntax_error_at(
				p, p->tokens[qs.sink_tok].start,
				"SINK needs INSERT INTO a stream",
				"Write INSERT INTO stream SELECT ... SINK (type = '...', "
				"...): the stream's events go to the sink.");
		sqlstream_add_sinks(p, out->target, out->location, qs.sinks);
	}

	if (sel->op != SETOP_NONE)
		sqlstream_not_supported(
			p, p->tokens[Max(qs.setop_tok, pos)].start,
			"UNION, INTERSECT and EXCEPT are not supported",
			"Write one query per input, inserting into the same stream.");
	if (sel->valuesLists)
		sqlstream_not_supported(p, p->tokens[pos].start,
								"VALUES is not supported in a query", NULL);
	if (sel->intoClause)
		sqlstream_not_supported(p, sel->intoClause->rel->location,
								"SELECT INTO is not supported",
								"Write INSERT INTO target SELECT ...");
	if (sel->withClause)
		sqlstream_not_supported(
			p, sel->withClause->location,
			"WITH is only supported at the start of a query",
			"Write WITH h AS (SELECT ...) INSERT INTO target SELECT ... "
			"FROM h.");

	q->input = sqlstream_transform_input(p, sel, &qs, end);
	q->selector = transform_selector(p, sel, &qs, pos);
	q->output = out;
	q->emit = qs.emit;
	finish_query(p, q, pos, end, annotations);
	if (qs.pattern && p->pattern_and[0] != NULL)
	{
		/* (P1) AND (P2): a generated query per side, q reading both */
		if (qs.partition_by)
			sqlstream_not_supported(
				p, p->tokens[qs.partition_tok].start,
				"PARTITION BY is not supported with AND between "
				"sub-patterns",
				"Match each side in a query of its own, inserting into a "
				"stream, and partition the query that matches e1=S1 and "
				"e2=S2 over those streams.");
		twin = sqlstream_pattern_and_split(p, q);
	}
	if (p->pattern_alt > 0 && q->name)
		q->name = psprintf("%s_%d", q->name, p->pattern_alt + 1);
	if (qs.partition_by)
	{
		/*
		 * .. PARTITION BY expr: a partition of this one query, keyed by
		 * expr over its stream; an @purge before the query is the
		 * partition's
		 */
		SiddhiPartition *part = palloc0(sizeof(SiddhiPartition));
		List *streams = NIL;

		/* the expression keys each stream the query reads */
		if (q->input->kind == SIDDHI_INPUT_JOIN)
		{
			streams = list_make1(q->input->stream->stream);
			if (strcmp(q->input->stream->stream, q->input->right->stream) != 0)
				streams = lappend(streams, q->input->right->stream);
		}
		else if (q->input->kind == SIDDHI_INPUT_STREAM)
			streams = list_make1(q->input->stream->stream);
		else
			streams = pattern_streams(q->input->pattern, NIL);
		foreach(lc, streams)
		{
			SiddhiPartitionKey *k = palloc0(sizeof(SiddhiPartitionKey));

			k->stream = lfirst(lc);
			k->expr = copyObject(qs.partition_by);
			k->location = p->tokens[qs.partition_tok].start;
			k->streams_only = true;
			part->keys = lappend(part->keys, k);
		}
		part->location = q->location;
		foreach(lc, q->annotations)
		{
			SiddhiAnnotation *a = lfirst(lc);

			if (pg_strcasecmp(a->name, "purge") == 0)
			{
				part->annotations = lappend(part->annotations, a);
				q->annotations = foreach_delete_current(q->annotations, lc);
			}
		}
		part->queries = list_make1(q);
		p->app->partitions = lappend(p->app->partitions, part);
		return;
	}
	p->app->queries = lappend(p->app->queries, q);
	if (twin)
		p->app->queries = lappend(p->app->queries, twin);
}
