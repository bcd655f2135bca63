/*-------------------------------------------------------------------------
 *
 * analyze_table.c
 *	  Queries that change a table: delete T on .., update T set .. on ..,
 *	  update or insert into T set .. on ..
 *
 * Each becomes a PostgreSQL Query tree over T, built here and planned by
 * the runtime (src/runtime/output/table_ops.c) once per app: the `on` condition
 * is its WHERE clause, so T's indexes serve it.  In `on` and `set`, a
 * name written alone is an attribute of the query's output event (as in
 * Siddhi) and becomes the parameter $k of output attribute k; T.col (or a
 * name T lacks) is T's column.  Upsert's insert is INSERT INTO T VALUES
 * ($1, .., $n): its output must have T's attributes in order, as for
 * insert into; there EXCLUDED.x (the SQL dialect's ON CONFLICT) is the
 * output attribute that goes into T's column x.  Permissions (DELETE, UPDATE, INSERT and SELECT on the
 * columns read) sit in the range-table entry, so the executor checks them
 * for the app's owner each time it runs the statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* The output attributes, seen by the column-reference hook as $k. */
typedef struct OutputParams
{
	List *names; /* of String */
	List *types; /* of Oid */
	List *typmods;
	const char *table; /* T's name: T.x is the table's column x */
	List *excluded;	   /* upsert: T's columns, EXCLUDED.x is the event's
						* value for column x (output attribute at x's
						* place); else NIL */
} OutputParams;

static Node *
output_param_hook(ParseState *pstate, ColumnRef *cref)
{
	OutputParams *op = pstate->p_ref_hook_state;
	const char *name;
	ListCell *ln, *lt, *lm;
	int k = 0;

	if (op->excluded != NIL && list_length(cref->fields) == 2 &&
		IsA(linitial(cref->fields), String) &&
		IsA(lsecond(cref->fields), String) &&
		strcmp(strVal(linitial(cref->fields)), "excluded") == 0 &&
		strcmp(op->table, "excluded") != 0)
	{
		/* the SQL dialect's EXCLUDED.x: what the event inserts into x */
		name = strVal(lsecond(cref->fields));
		foreach(ln, op->excluded)
		{
			if (strcmp(strVal(lfirst(ln)), name) == 0)
			{
				int i = foreach_current_index(ln);
				Param *p = makeNode(Param);

				p->paramkind = PARAM_EXTERN;
				p->paramid = i + 1;
				p->paramtype = list_nth_oid(op->types, i);
				p->paramtypmod = list_nth_int(op->typmods, i);
				p->paramcollid = get_typcollation(p->paramtype);
				p->location = cref->location;
				return (Node *) p;
			}
		}
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no column \"%s\"", op->table, name),
				 parser_errposition(pstate, cref->location)));
	}
	if (list_length(cref->fields) != 1 || !IsA(linitial(cref->fields), String))
		return NULL;
	name = strVal(linitial(cref->fields));
	forthree(ln, op->names, lt, op->types, lm, op->typmods)
	{
		k++;
		if (strcmp(strVal(lfirst(ln)), name) == 0)
		{
			Param *p = makeNode(Param);

			p->paramkind = PARAM_EXTERN;
			p->paramid = k;
			p->paramtype = lfirst_oid(lt);
			p->paramtypmod = lfirst_int(lm);
			p->paramcollid = get_typcollation(p->paramtype);
			p->location = cref->location;
			return (Node *) p;
		}
	}
	return NULL;
}

static SiddhiRelation *
table_relation(AnalyzeState *st, SiddhiOutput *o)
{
	ListCell *lc;

	foreach(lc, st->plan->relations)
	{
		SiddhiRelation *r = lfirst(lc);

		if (strcmp(r->name, o->target) == 0)
		{
			if (r->kind != SIDDHI_REL_TABLE)
				ereport(ERROR,
						(errcode(ERRCODE_WRONG_OBJECT_TYPE),
						 errmsg("\"%s\" is not a table", o->target),
						 siddhi_errposition(st->app->source, o->location),
						 errhint("Delete, update and update or insert "
								 "change tables: define table %s (..).",
								 o->target)));
			return r;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("table \"%s\" is not defined", o->target),
			 siddhi_errposition(st->app->source, o->location),
			 errhint("Define it with \"define table %s (...)\".", o->target)));
	return NULL;
}

/* A parse state over T, with the output attributes as parameters. */
static ParseState *
table_pstate(AnalyzeState *st, Relation rel, const char *name,
			 OutputParams *op, AclMode perms)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;

	pstate->p_sourcetext = st->app->source;
	pstate->p_pre_columnref_hook = output_param_hook;
	pstate->p_ref_hook_state = op;
	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock,
										   makeAlias(name, NIL), false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	nsitem->p_rte->requiredPerms |= perms;
	pstate->p_target_nsitem = nsitem;
	return pstate;
}

static Query *
modify_query(ParseState *pstate, CmdType cmd, Node *qual, List *tlist)
{
	Query *qry = makeNode(Query);

	qry->commandType = cmd;
	qry->querySource = QSRC_ORIGINAL;
	qry->canSetTag = true;
	qry->rtable = pstate->p_rtable;
	qry->resultRelation = 1;
	qry->jointree = makeFromExpr(pstate->p_joinlist, qual);
	qry->targetList = tlist;
	return qry;
}

/* set T.a = expr, ..: the target list of the UPDATE, in column order */
static List *
update_targets(AnalyzeState *st, ParseState *pstate, Relation rel,
			   SiddhiOutput *o, OutputParams *op)
{
	TupleDesc desc = RelationGetDescr(rel);
	RangeTblEntry *rte = linitial(pstate->p_rtable);
	TargetEntry **byatt = palloc0(sizeof(TargetEntry *) * desc->natts);
	List *set = o->set;
	List *tlist = NIL;
	ListCell *lc;

	if (set == NIL)
	{
		/* no set clause: every column named like an output attribute */
		foreach(lc, op->names)
		{
			ResTarget *rt = makeNode(ResTarget);
			ColumnRef *cr = makeNode(ColumnRef);

			if (attnameAttNum(rel, strVal(lfirst(lc)), false) <= 0)
				continue;
			rt->name = strVal(lfirst(lc));
			cr->fields = list_make1(makeString(rt->name));
			cr->location = o->location;
			rt->val = (Node *) cr;
			rt->location = o->location;
			set = lappend(set, rt);
		}
		if (set == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("no output attribute of the query is a column "
							"of \"%s\"",
							o->target),
					 siddhi_errposition(st->app->source, o->location),
					 errhint("Say what to change: set %s.column = value.",
							 o->target)));
	}
	foreach(lc, set)
	{
		ResTarget *rt = lfirst(lc);
		int attno = attnameAttNum(rel, rt->name, false);
		Form_pg_attribute att;
		Node *e, *coerced;

		if (attno <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("table \"%s\" has no attribute \"%s\"", o->target,
							rt->name),
					 siddhi_errposition(st->app->source, rt->location)));
		if (byatt[attno - 1])
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("attribute \"%s\" is set twice", rt->name),
					 siddhi_errposition(st->app->source, rt->location)));
		att = TupleDescAttr(desc, attno - 1);
		e = transformExpr(pstate, rt->val, EXPR_KIND_UPDATE_SOURCE);
		coerced = coerce_to_target_type(
			pstate, e, exprType(e), att->atttypid, att->atttypmod,
			COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, exprLocation(rt->val));
		if (coerced == NULL)
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("attribute \"%s\" of \"%s\" is of type %s "
						"but expression is of type %s",
						rt->name, o->target, format_type_be(att->atttypid),
						format_type_be(exprType(e))),
				 siddhi_errposition(st->app->source, exprLocation(rt->val))));
		assign_expr_collations(pstate, coerced);
		byatt[attno - 1] =
			makeTargetEntry((Expr *) coerced, attno, rt->name, false);
		rte->updatedCols = bms_add_member(
			rte->updatedCols, attno - FirstLowInvalidHeapAttributeNumber);
	}
	for (int i = 0; i < desc->natts; i++)
		if (byatt[i])
			tlist = lappend(tlist, byatt[i]);
	return tlist;
}

static Query *
insert_query(AnalyzeState *st, Relation rel, const char *name,
			 OutputParams *op)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	RangeTblEntry *rte;
	TupleDesc desc = RelationGetDescr(rel);
	List *tlist = NIL;
	ListCell *lt, *lm;
	int k = 0;
	Query *qry;

	pstate->p_sourcetext = st->app->source;
	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL,
										   false, false);
	rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;
	forboth(lt, op->types, lm, op->typmods)
	{
		Param *p = makeNode(Param);

		while (TupleDescAttr(desc, k)->attisdropped)
			k++;
		p->paramkind = PARAM_EXTERN;
		p->paramid = foreach_current_index(lt) + 1;
		p->paramtype = lfirst_oid(lt);
		p->paramtypmod = lfirst_int(lm);
		p->paramcollid = get_typcollation(p->paramtype);
		p->location = -1;
		k++;
		tlist = lappend(
			tlist,
			makeTargetEntry(
				(Expr *) p, k,
				pstrdup(NameStr(TupleDescAttr(desc, k - 1)->attname)), false));
		rte->insertedCols = bms_add_member(
			rte->insertedCols, k - FirstLowInvalidHeapAttributeNumber);
	}
	qry = makeNode(Query);
	qry->commandType = CMD_INSERT;
	qry->querySource = QSRC_ORIGINAL;
	qry->canSetTag = true;
	qry->rtable = pstate->p_rtable;
	qry->resultRelation = 1;
	qry->jointree = makeFromExpr(NIL, NULL);
	qry->targetList = tlist;
	(void) name;
	return qry;
}

void
siddhi_analyze_table_op(AnalyzeState *st, ParseState *qpstate, SiddhiQuery *q,
						SiddhiQueryPlan *qp, List *exprs, List *names,
						List *locations)
{
	SiddhiOutput *o = q->output;
	SiddhiTableOpPlan *tp = palloc0(sizeof(SiddhiTableOpPlan));
	SiddhiRelation *table = table_relation(st, o);
	OutputParams op = { 0 };
	Relation rel;
	ParseState *pstate;
	Node *qual;
	ListCell *le, *ln, *ll;
	int resno = 0;
	int attno = 0; /* T's attribute for the next expression (upsert) */
	AclMode perms = o->kind == SIDDHI_OUT_DELETE ? ACL_DELETE : ACL_UPDATE;

	if (q->selector && (q->selector->having || q->selector->order_by ||
						q->selector->limit || q->selector->offset))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("having, order by and limit are not supported yet in "
						"queries that change a table"),
				 siddhi_errposition(st->app->source, o->location)));
	tp->kind = o->kind;
	qp->output = table;
	qp->events = o->events;
	qp->table_op = tp;
	/* the lock the range table entries below say the statements take */
	rel = table_open(table->relid, RowExclusiveLock);

	/* the output row: the selected values as they are (upsert: T's row) */
	if (o->kind == SIDDHI_OUT_UPSERT)
	{
		TupleDesc desc = RelationGetDescr(rel);
		int live = 0;

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				live++;
		if (live != list_length(exprs))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("query \"%s\" selects %d attributes but \"%s\" "
							"has %d",
							qp->name, list_length(exprs), table->name, live),
					 siddhi_errposition(st->app->source, o->location),
					 errhint("update or insert into inserts the output "
							 "event: select one expression for each "
							 "attribute of \"%s\", in order.",
							 table->name)));
	}
	forthree(le, exprs, ln, names, ll, locations)
	{
		Node *e = lfirst(le);
		Oid type = exprType(e);
		int32 typmod = exprTypmod(e);

		if (o->kind == SIDDHI_OUT_UPSERT)
		{
			Form_pg_attribute att;

			while (TupleDescAttr(RelationGetDescr(rel), attno)->attisdropped)
				attno++;
			att = TupleDescAttr(RelationGetDescr(rel), attno++);
			e = coerce_to_target_type(qpstate, e, type, att->atttypid,
									  att->atttypmod, COERCION_ASSIGNMENT,
									  COERCE_IMPLICIT_CAST, lfirst_int(ll));
			if (e == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("attribute \"%s\" of \"%s\" is of type %s but "
								"expression is of type %s",
								NameStr(att->attname), table->name,
								format_type_be(att->atttypid),
								format_type_be(type)),
						 siddhi_errposition(st->app->source, lfirst_int(ll))));
			type = att->atttypid;
			typmod = att->atttypmod;
		}
		else if (type == UNKNOWNOID)
		{
			e = coerce_to_target_type(qpstate, e, type, TEXTOID, -1,
									  COERCION_ASSIGNMENT,
									  COERCE_IMPLICIT_CAST, lfirst_int(ll));
			type = TEXTOID;
		}
		resno++;
		op.names = lappend(op.names, lfirst(ln));
		op.types = lappend_oid(op.types, type);
		op.typmods = lappend_int(op.typmods, typmod);
		qp->targetlist = lappend(
			qp->targetlist, makeTargetEntry(siddhi_finish_expr(qpstate, e),
											resno, strVal(lfirst(ln)), false));
	}
	tp->param_types = op.types;
	tp->param_typmods = op.typmods;
	tp->param_names = op.names;
	op.table = table->name;
	if (o->kind == SIDDHI_OUT_UPSERT)
	{
		TupleDesc desc = RelationGetDescr(rel);

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				op.excluded = lappend(
					op.excluded,
					makeString(NameStr(TupleDescAttr(desc, i)->attname)));
	}

	pstate = table_pstate(st, rel, table->name, &op, perms);
	qual = transformExpr(pstate, o->on, EXPR_KIND_WHERE);
	qual = coerce_to_boolean(pstate, qual, "an on condition");
	assign_expr_collations(pstate, qual);
	if (o->kind == SIDDHI_OUT_DELETE)
		tp->modify = modify_query(pstate, CMD_DELETE, qual, NIL);
	else
		tp->modify = modify_query(pstate, CMD_UPDATE, qual,
								  update_targets(st, pstate, rel, o, &op));
	if (o->kind == SIDDHI_OUT_UPSERT)
		tp->insert = insert_query(st, rel, table->name, &op);
	/* checked again by the executor whenever the statement runs */
	if (!ExecCheckRTPerms(tp->modify->rtable, false) ||
		(tp->insert && !ExecCheckRTPerms(tp->insert->rtable, false)))
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied to %s \"%s\"",
							   o->kind == SIDDHI_OUT_DELETE ? "delete from"
							   : o->kind == SIDDHI_OUT_UPDATE
								   ? "update"
								   : "update or insert into",
							   table->name),
						siddhi_errposition(st->app->source, o->location)));
	free_parsestate(pstate);
	table_close(rel, RowExclusiveLock);
}

/* State of the `in T` replacement in one filter. */
typedef struct InTableContext
{
	AnalyzeState *st;
	SiddhiQueryPlan *qp;
	Relation input;		 /* the stream the filter reads */
	const char *refname; /* its name or alias in the query */
	ParseState *outer;	 /* or, instead of input, the select list's parse
						  * state of a join or pattern */
} InTableContext;

/*
 * The event's attribute a name means, as PARAM_EXTERN $k (k its number),
 * or NULL: `name`, or `refname.name` where refname is the stream's name or
 * alias in the query.  Probes of `in T` and scalar subqueries share it.
 */
Node *
siddhi_event_attr_param(Relation input, const char *refname, ColumnRef *cref)
{
	TupleDesc desc = RelationGetDescr(input);
	const char *name;

	if (list_length(cref->fields) == 2 &&
		IsA(linitial(cref->fields), String) &&
		strcmp(strVal(linitial(cref->fields)), refname) == 0)
		name = strVal(lsecond(cref->fields));
	else if (list_length(cref->fields) == 1 &&
			 IsA(linitial(cref->fields), String))
		name = strVal(linitial(cref->fields));
	else
		return NULL;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
		{
			Param *p = makeNode(Param);

			p->paramkind = PARAM_EXTERN;
			p->paramid = i + 1;
			p->paramtype = att->atttypid;
			p->paramtypmod = att->atttypmod;
			p->paramcollid = att->attcollation;
			p->location = cref->location;
			return (Node *) p;
		}
	}
	return NULL;
}

/* The event's attributes as $1..$n, for a probe of T. */
static Node *
event_param_hook(ParseState *pstate, ColumnRef *cref)
{
	InTableContext *ic = pstate->p_ref_hook_state;

	return siddhi_event_attr_param(ic->input, ic->refname, cref);
}

/* cond in T: a probe SELECT FROM T WHERE cond LIMIT 1, and its param */
static Node *
make_membership(InTableContext *ic, FuncCall *fc)
{
	AnalyzeState *st = ic->st;
	Node *cond = linitial(fc->args);
	TypeCast *tc = lsecond(fc->args);
	const char *tname = ((A_Const *) tc->arg)->val.sval.sval;
	SiddhiOutput o = { 0 };
	SiddhiRelation *table;
	SiddhiMembershipPlan *mp = palloc0(sizeof(SiddhiMembershipPlan));
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	Relation rel;
	TupleDesc idesc = RelationGetDescr(ic->input);
	Query *qry;
	Node *qual;
	ParamRef *ref = makeNode(ParamRef);

	o.target = (char *) tname;
	o.location = tc->location;
	table = table_relation(st, &o);
	rel = table_open(table->relid, AccessShareLock);
	pstate->p_sourcetext = st->app->source;
	pstate->p_pre_columnref_hook = event_param_hook;
	pstate->p_ref_hook_state = ic;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
										   makeAlias(table->name, NIL), false,
										   true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	qual = transformExpr(pstate, cond, EXPR_KIND_WHERE);
	qual = coerce_to_boolean(pstate, qual, "an in condition");
	assign_expr_collations(pstate, qual);
	qry = makeNode(Query);
	qry->commandType = CMD_SELECT;
	qry->querySource = QSRC_ORIGINAL;
	qry->canSetTag = true;
	qry->rtable = pstate->p_rtable;
	qry->jointree = makeFromExpr(pstate->p_joinlist, qual);
	qry->limitCount = (Node *) makeConst(INT8OID, -1, InvalidOid, 8,
										 Int64GetDatum(1), false, true);
	if (!ExecCheckRTPerms(qry->rtable, false))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to read \"%s\"", table->name),
				 siddhi_errposition(st->app->source, fc->location)));
	table_close(rel, AccessShareLock);
	free_parsestate(pstate);
	mp->probe = qry;
	for (int i = 0; i < idesc->natts; i++)
		mp->param_types =
			lappend_oid(mp->param_types, TupleDescAttr(idesc, i)->atttypid);
	ic->qp->memberships = lappend(ic->qp->memberships, mp);
	ref->number =
		SIDDHI_MEMBERSHIP_PARAM_BASE + list_length(ic->qp->memberships);
	ref->location = fc->location;
	return (Node *) ref;
}

static bool
is_in_table(Node *n)
{
	FuncCall *fc = (FuncCall *) n;

	return IsA(n, FuncCall) && list_length(fc->funcname) == 2 &&
		   strcmp(strVal(linitial(fc->funcname)), "siddhi") == 0 &&
		   strcmp(strVal(lsecond(fc->funcname)), "in_table") == 0 &&
		   list_length(fc->args) == 2 && IsA(lsecond(fc->args), TypeCast);
}

/*
 * Replace `cond in T` in a raw filter (the boolean structure above it).
 * The nodes on the way are copied shallowly: linear however deep.
 */
static Node *
replace_in_table(InTableContext *ic, Node *n)
{
	ListCell *lc;

	if (n == NULL)
		return NULL;
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (is_in_table(n) && ic->input != NULL)
		return make_membership(ic, (FuncCall *) n);
	if (IsA(n, SubLink) && ((SubLink *) n)->subLinkType == EXPR_SUBLINK)
		return siddhi_scalar_subquery(ic->st, ic->qp, ic->input, ic->refname,
									  ic->outer, (SubLink *) n);
	if (IsA(n, BoolExpr))
	{
		BoolExpr *b = palloc(sizeof(BoolExpr));

		*b = *(BoolExpr *) n;
		b->args = list_copy(b->args);
		foreach(lc, b->args)
			lfirst(lc) = replace_in_table(ic, lfirst(lc));
		return (Node *) b;
	}
	if (IsA(n, BooleanTest))
	{
		/* SiddhiQL's not x, a != b: x IS NOT TRUE, (a = b) IS NOT TRUE */
		BooleanTest *b = palloc(sizeof(BooleanTest));

		*b = *(BooleanTest *) n;
		b->arg = (Expr *) replace_in_table(ic, (Node *) b->arg);
		return (Node *) b;
	}
	if (IsA(n, A_Expr))
	{
		A_Expr *e = palloc(sizeof(A_Expr));

		*e = *(A_Expr *) n;
		e->lexpr = replace_in_table(ic, e->lexpr);
		e->rexpr = replace_in_table(ic, e->rexpr);
		return (Node *) e;
	}
	return n;
}

/* the query whose filter is being transformed, for membership_paramref */
static SiddhiQueryPlan *membership_qp = NULL;
/* the hook it stands in front of (the aggregators' parameters) */
static ParseParamRefHook membership_next_hook = NULL;

/* p_paramref_hook while a filter with `in T` is transformed */
static Node *
membership_paramref(ParseState *pstate, ParamRef *ref)
{
	SiddhiMembershipPlan *mp;
	Param *p;

	if (ref->number <= SIDDHI_MEMBERSHIP_PARAM_BASE)
		return membership_next_hook ? membership_next_hook(pstate, ref) : NULL;
	mp = list_nth(membership_qp->memberships,
				  ref->number - SIDDHI_MEMBERSHIP_PARAM_BASE - 1);
	p = makeNode(Param);
	p->paramkind = PARAM_EXTERN;
	p->paramid = ref->number - SIDDHI_MEMBERSHIP_PARAM_BASE;
	p->paramtype = OidIsValid(mp->result_type) ? mp->result_type : BOOLOID;
	p->paramtypmod = OidIsValid(mp->result_type) ? mp->result_typmod : -1;
	p->paramcollid = mp->result_collation;
	p->location = ref->location;
	return (Node *) p;
}

Node *
siddhi_transform_filter(AnalyzeState *st, ParseState *pstate,
						SiddhiQueryPlan *qp, Relation input,
						const char *refname, Node *raw)
{
	return siddhi_transform_with_tables(st, pstate, qp, input, refname, raw,
										EXPR_KIND_WHERE);
}

/*
 * An expression over one stream's event whose `x in T` and scalar
 * subqueries over a table become membership probes: a filter, or an
 * output attribute of a query reading one stream (its projection runs on
 * the event's row, in the stream's layout, as the filter does).
 */
Node *
siddhi_transform_with_tables(AnalyzeState *st, ParseState *pstate,
							 SiddhiQueryPlan *qp, Relation input,
							 const char *refname, Node *raw,
							 ParseExprKind kind)
{
	InTableContext ic = { st, qp, input, refname, input ? NULL : pstate };
	ParseParamRefHook save = pstate->p_paramref_hook;
	ParseParamRefHook save_next = membership_next_hook;
	SiddhiQueryPlan *save_qp = membership_qp;
	Node *e;

	raw = replace_in_table(&ic, raw);
	if (qp->memberships == NIL)
		return transformExpr(pstate, raw, kind);
	membership_next_hook = save == membership_paramref ? save_next : save;
	pstate->p_paramref_hook = membership_paramref;
	membership_qp = qp;
	PG_TRY();
	{
		e = transformExpr(pstate, raw, kind);
	}
	PG_FINALLY();
	{
		pstate->p_paramref_hook = save;
		membership_next_hook = save_next;
		membership_qp = save_qp;
	}
	PG_END_TRY();
	return e;
}

/*
 * An output attribute of a join or a pattern: its scalar subqueries over
 * a table read the query's combined row (the names the table does not
 * have are the join's sides or the pattern's states, as in the select).
 */
Node *
siddhi_transform_with_outer_tables(AnalyzeState *st, ParseState *pstate,
								   SiddhiQueryPlan *qp, Node *raw,
								   ParseExprKind kind)
{
	return siddhi_transform_with_tables(st, pstate, qp, NULL, NULL, raw, kind);
}
