/*-------------------------------------------------------------------------
 *
 * sqlstream_table.c
 *	  Tables in queries: membership subqueries, DELETE, UPDATE, ON CONFLICT.
 *
 * PostgreSQL statements taken apart into the same AST as SiddhiQL's:
 * EXISTS / IN (SELECT .. FROM T) in a filter becomes `cond in T`; DELETE
 * FROM T USING <input> WHERE c and UPDATE T SET .. FROM <input> WHERE c a
 * query whose output deletes or updates T's rows on c; INSERT .. ON
 * CONFLICT (k) DO UPDATE SET .. the update-or-insert output.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

/* Context of requalify_walker. */
typedef struct Requalify
{
	List *stream_refs;		 /* of char *: qualifiers to drop */
	const char *table_alias; /* qualifier to rename, or NULL */
	const char *table;		 /* ... to this */
	bool bare_to_table;		 /* qualify bare names with table */
} Requalify;

static bool
requalify_walker(Node *node, void *context)
{
	Requalify *rq = context;

	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, ColumnRef))
	{
		ColumnRef *cr = (ColumnRef *) node;
		ListCell *lc;

		if (list_length(cr->fields) == 1 && rq->bare_to_table &&
			IsA(linitial(cr->fields), String))
			cr->fields = lcons(makeString(pstrdup(rq->table)), cr->fields);
		else if (list_length(cr->fields) == 2 &&
				 IsA(linitial(cr->fields), String))
		{
			const char *q = strVal(linitial(cr->fields));

			if (rq->table_alias && strcmp(q, rq->table_alias) == 0)
				linitial(cr->fields) = makeString(pstrdup(rq->table));
			else
				foreach(lc, rq->stream_refs)
					if (strcmp(q, lfirst(lc)) == 0)
					{
						cr->fields = list_delete_first(cr->fields);
						break;
					}
		}
		return false;
	}
	return raw_expression_tree_walker(node, requalify_walker, context);
}

/* Rewrite the column references of a raw expression in place. */
static Node *
requalify(Node *expr, Requalify *rq)
{
	(void) requalify_walker(expr, rq);
	return expr;
}

/* The names a query's inputs are referred to by. */
static List *
input_refs(SiddhiInput *in)
{
	List *refs = NIL;

	refs = lappend(refs,
				   in->stream->alias ? in->stream->alias : in->stream->stream);
	if (in->right)
		refs = lappend(refs, in->right->alias ? in->right->alias
											  : in->right->stream);
	return refs;
}

/*
 * A subquery over one table, for membership: returns the table's name and
 * sets *alias; refuses anything but SELECT .. FROM table [WHERE ..].
 */
static const char *
membership_table(SqlParser *p, SubLink *sl, const char **alias)
{
	SelectStmt *sub = (SelectStmt *) sl->subselect;
	RangeVar *rv;

	if (!IsA(sub, SelectStmt) || sub->op != SETOP_NONE ||
		list_length(sub->fromClause) != 1 ||
		!IsA(linitial(sub->fromClause), RangeVar) || sub->groupClause ||
		sub->havingClause || sub->distinctClause || sub->sortClause ||
		sub->limitCount || sub->limitOffset || sub->withClause ||
		sub->windowClause || sub->valuesLists)
		sqlstream_not_supported(
			p, sl->location, "this subquery is not supported",
			"A subquery tests membership in one table: EXISTS "
			"(SELECT 1 FROM t WHERE t.k = s.k) or s.k IN (SELECT "
			"k FROM t).");
	rv = linitial(sub->fromClause);
	if (rv->schemaname || rv->catalogname)
		sqlstream_not_supported(p, rv->location,
								"a table name cannot be qualified", NULL);
	*alias = rv->alias ? rv->alias->aliasname : NULL;
	return rv->relname;
}

/* The raw reference qualifier.column. */
static ColumnRef *
column_ref2(const char *qualifier, const char *column, int location)
{
	ColumnRef *cr = makeNode(ColumnRef);

	cr->fields = list_make2(makeString(pstrdup(qualifier)),
							makeString(pstrdup(column)));
	cr->location = location;
	return cr;
}

/* SiddhiQL's `cond in T`, as its parser writes it. */
static Node *
make_in_table(Node *cond, const char *table, int location)
{
	TypeCast *tc = makeNode(TypeCast);
	A_Const *name = makeNode(A_Const);

	name->val.sval.type = T_String;
	name->val.sval.sval = pstrdup(table);
	name->location = location;
	tc->arg = (Node *) name;
	tc->typeName = SystemTypeName("text");
	tc->location = location;
	return (Node *) makeFuncCall(
		list_make2(makeString("siddhi"), makeString("in_table")),
		list_make2(cond, tc), COERCE_EXPLICIT_CALL, location);
}

/*
 * A filter's EXISTS (SELECT .. FROM T WHERE cond) and x IN (SELECT col
 * FROM T [WHERE cond]), under AND / OR / NOT, into `cond in T` and
 * `(T.col = x [and cond]) in T`: whether T has a matching row.
 */
Node *
sqlstream_memberships(SqlParser *p, Node *n)
{
	ListCell *lc;

	if (n == NULL)
		return NULL;
	if (IsA(n, BoolExpr))
	{
		foreach(lc, ((BoolExpr *) n)->args)
			lfirst(lc) = sqlstream_memberships(p, lfirst(lc));
		return n;
	}
	if (IsA(n, SubLink))
	{
		SubLink *sl = (SubLink *) n;
		SelectStmt *sub = (SelectStmt *) sl->subselect;
		const char *alias;
		const char *table = membership_table(p, sl, &alias);
		Requalify rq = { NIL, alias, table, false };
		Node *cond = sub->whereClause;

		if (sl->subLinkType == ANY_SUBLINK &&
			(sl->operName == NIL ||
			 (list_length(sl->operName) == 1 &&
			  strcmp(strVal(linitial(sl->operName)), "=") == 0)))
		{
			ResTarget *rt;
			Node *col;

			if (list_length(sub->targetList) != 1 ||
				IsA(sl->testexpr, RowExpr))
				sqlstream_not_supported(
					p, sl->location, "IN (SELECT ..) must compare one value",
					NULL);
			rt = linitial(sub->targetList);
			/* a bare column of the subquery is the table's */
			col = rt->val;
			if (IsA(col, ColumnRef) &&
				list_length(((ColumnRef *) col)->fields) == 1)
				((ColumnRef *) col)->fields = lcons(
					makeString(pstrdup(table)), ((ColumnRef *) col)->fields);
			col = (Node *) makeSimpleA_Expr(AEXPR_OP, "=", col, sl->testexpr,
											sl->location);
			cond = cond ? (Node *) makeBoolExpr(
							  AND_EXPR, list_make2(col, cond), sl->location)
						: col;
		}
		else if (sl->subLinkType != EXISTS_SUBLINK)
			sqlstream_not_supported(
				p, sl->location, "only EXISTS and IN subqueries are supported",
				NULL);
		if (cond == NULL)
		{
			A_Const *t = makeNode(A_Const);

			t->val.boolval.type = T_Boolean;
			t->val.boolval.boolval = true;
			t->location = sl->location;
			cond = (Node *) t;
		}
		return make_in_table(requalify(cond, &rq), table, sl->location);
	}
	return n;
}

/* The target table of a DELETE, UPDATE or INSERT of a query. */
static void
table_target(SqlParser *p, SiddhiOutput *out, RangeVar *rv)
{
	if (rv->schemaname || rv->catalogname)
		sqlstream_not_supported(
			p, rv->location, "a table name cannot be qualified",
			"Tables an app changes live in the schema it is "
			"deployed into.");
	out->target = rv->relname;
	out->location = rv->location;
	out->events = SIDDHI_EVENTS_CURRENT;
}

/*
 * The input of DELETE .. USING <input> / UPDATE .. FROM <input>: read as
 * SELECT * FROM <input>, whose output attributes the condition and the
 * SET values refer to (a stream's qualifier is dropped).
 */
static SiddhiInput *
table_change_input(SqlParser *p, List *from, QueryScan *qs, int end,
				   SiddhiQuery *q, const char *clause)
{
	SelectStmt *sel = makeNode(SelectStmt);
	SiddhiSelector *s = palloc0(sizeof(SiddhiSelector));

	if (from == NIL)
		sqlstream_syntax_error(
			p, end,
			psprintf("The stream whose events change the table follows %s.",
					 clause));
	sel->fromClause = from;
	q->input = sqlstream_transform_input(p, sel, qs, end);
	s->select_all = true;
	s->location = q->location;
	q->selector = s;
	return q->input;
}

/*
 * DELETE FROM T [[AS] t] USING <input> WHERE cond
 * UPDATE T [[AS] t] SET col = expr, .. FROM <input> WHERE cond
 *
 * For each event of <input>, delete or update the rows of T that satisfy
 * cond: SiddhiQL's `delete T on cond` and `update T set .. on cond`.
 */
void
sqlstream_parse_table_change(SqlParser *p, int pos, int end, List *annotations)
{
	SiddhiQuery *q = palloc0(sizeof(SiddhiQuery));
	SiddhiOutput *out = palloc0(sizeof(SiddhiOutput));
	QueryScan qs;
	SqlPiece pc;
	List *stmts;
	Node *raw;
	RangeVar *rel;
	List *from;
	Node *where;
	List *returning;
	WithClause *with;
	Requalify rq = { NIL, NULL, NULL, false };

	sqlstream_piece_init(&pc, p, pos, end, true);
	sqlstream_scan_query(p, pos, end, &pc, &qs);
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1)
		sqlstream_syntax_error(p, pos, SQLSTREAM_STATEMENT_HINT);
	raw = linitial_node(RawStmt, stmts)->stmt;
	q->location = p->tokens[pos].start;
	if (IsA(raw, DeleteStmt))
	{
		DeleteStmt *d = (DeleteStmt *) raw;

		out->kind = SIDDHI_OUT_DELETE;
		rel = d->relation;
		from = d->usingClause;
		where = d->whereClause;
		returning = d->returningList;
		with = d->withClause;
	}
	else if (IsA(raw, UpdateStmt))
	{
		UpdateStmt *u = (UpdateStmt *) raw;
		ListCell *lc;

		out->kind = SIDDHI_OUT_UPDATE;
		rel = u->relation;
		from = u->fromClause;
		where = u->whereClause;
		returning = u->returningList;
		with = u->withClause;
		foreach(lc, u->targetList)
		{
			ResTarget *rt = lfirst(lc);

			if (rt->indirection || IsA(rt->val, MultiAssignRef))
				sqlstream_not_supported(
					p, rt->location,
					"only SET column = expression is supported", NULL);
		}
		out->set = u->targetList;
	}
	else
		sqlstream_syntax_error(p, pos, SQLSTREAM_STATEMENT_HINT);
	if (returning)
		sqlstream_not_supported(
			p, exprLocation(linitial(returning)), "RETURNING is not supported",
			"The events a query changes a table for are not "
			"output; watch the table, or its input stream.");
	if (with)
		sqlstream_not_supported(p, with->location,
								"WITH queries are not supported", NULL);
	if (where == NULL)
		sqlstream_syntax_error(
			p, end,
			out->kind == SIDDHI_OUT_DELETE
				? "Say which rows each event deletes: DELETE FROM t USING s "
				  "WHERE t.k = s.k."
				: "Say which rows each event updates: UPDATE t SET .. FROM "
				  "s WHERE t.k = s.k.");
	table_target(p, out, rel);
	table_change_input(p, from, &qs, end, q,
					   out->kind == SIDDHI_OUT_DELETE ? "USING" : "FROM");
	if (qs.sink_tok >= 0)
		sqlstream_syntax_error_at(
			p, p->tokens[qs.sink_tok].start, "SINK needs INSERT INTO a stream",
			"Write INSERT INTO stream SELECT ... SINK (type = '...', ...): "
			"the stream's events go to the sink.");
	if (qs.emit_tok >= 0)
		sqlstream_not_supported(
			p, p->tokens[qs.emit_tok].start,
			"EMIT is not supported in a statement that changes a "
			"table",
			NULL);
	rq.stream_refs = input_refs(q->input);
	rq.table_alias = rel->alias ? rel->alias->aliasname : NULL;
	rq.table = rel->relname;
	out->on = requalify(where, &rq);
	if (out->set)
	{
		ListCell *lc;

		foreach(lc, out->set)
			requalify(((ResTarget *) lfirst(lc))->val, &rq);
	}
	q->output = out;
	q->emit = SIDDHI_EMIT_CHANGES;
	sqlstream_add_query(p, q, pos, end, annotations);
}

/*
 * INSERT INTO T SELECT .. ON CONFLICT (k, ..) DO UPDATE SET col = expr, ..
 * is SiddhiQL's `update or insert into T set .. on T.k == <k of the
 * event>`: the event's row goes in unless a row of T has its key, which
 * is updated instead.  In SET, EXCLUDED.col is the event's value for
 * column col and a bare name is T's column, as in PostgreSQL.
 */
void
sqlstream_upsert_output(SqlParser *p, InsertStmt *ins, SiddhiOutput *out)
{
	OnConflictClause *oc = ins->onConflictClause;
	Requalify rq = { NIL, NULL, ins->relation->relname, true };
	Node *on = NULL;
	ListCell *lc;

	if (oc->action != ONCONFLICT_UPDATE)
		sqlstream_not_supported(p, oc->location,
								"ON CONFLICT DO NOTHING is not supported",
								"Write ON CONFLICT (key) DO UPDATE SET ...");
	if (oc->infer && oc->infer->conname)
		sqlstream_not_supported(
			p, oc->infer->location,
			"ON CONFLICT ON CONSTRAINT is not supported",
			"Name the key columns: ON CONFLICT (key, ...).");
	if (oc->infer == NULL || oc->infer->indexElems == NIL)
		sqlstream_syntax_error_at(
			p, oc->location, "ON CONFLICT needs the key columns",
			"Write ON CONFLICT (key, ...) DO UPDATE SET ...");
	if (oc->infer->whereClause || oc->whereClause)
		sqlstream_not_supported(p, oc->location,
								"WHERE in ON CONFLICT is not supported", NULL);
	foreach(lc, oc->infer->indexElems)
	{
		IndexElem *ie = lfirst(lc);
		Node *eq;

		if (ie->name == NULL)
			sqlstream_not_supported(p, oc->infer->location,
									"ON CONFLICT takes column names only",
									NULL);
		eq = (Node *) makeSimpleA_Expr(
			AEXPR_OP, "=",
			(Node *) column_ref2(ins->relation->relname, ie->name,
								 oc->infer->location),
			(Node *) column_ref2("excluded", ie->name, oc->infer->location),
			oc->infer->location);
		on = on ? (Node *) makeBoolExpr(AND_EXPR, list_make2(on, eq),
										oc->infer->location)
				: eq;
	}
	foreach(lc, oc->targetList)
	{
		ResTarget *rt = lfirst(lc);

		if (rt->indirection || IsA(rt->val, MultiAssignRef))
			sqlstream_not_supported(
				p, rt->location, "only SET column = expression is supported",
				NULL);
		requalify(rt->val, &rq);
	}
	out->kind = SIDDHI_OUT_UPSERT;
	out->on = on;
	out->set = oc->targetList;
}
