/*-------------------------------------------------------------------------
 *
 * sqlstream_locations.c
 *	  Move the locations of a raw parse tree by a fixed number of bytes.
 *
 * A piece (sqlstream_lex.c) hands raw_parser() a copy of the source that
 * starts just before the piece, not at the start of the app: parsing each
 * statement or expression then costs its own length, not the length of
 * everything before it (an app of n statements or a pattern of n states
 * would otherwise take time and memory in n squared).  The locations
 * raw_parser() gives are offsets into that copy; this adds the copy's
 * start, so that every location is again a byte offset into the app.
 *
 * The walk covers the statements a piece can be (SELECT, INSERT, UPDATE,
 * DELETE, CREATE TABLE, CREATE INDEX) and every expression node; a node
 * of another kind is left as it is (its locations, if any, stay relative
 * to the copy, which only makes an error position less precise).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "sqlstream_int.h"

static bool shift_walker(Node *node, void *context);

static void
shift(int *location, int delta)
{
	if (*location >= 0)
		*location += delta;
}

/* Nodes raw_expression_tree_walker does not descend into. */
static bool
shift_other(Node *node, int *delta)
{
	switch (nodeTag(node))
	{
		case T_CreateStmt:
		{
			CreateStmt *cs = (CreateStmt *) node;

			return shift_walker((Node *) cs->relation, delta) ||
				   shift_walker((Node *) cs->tableElts, delta) ||
				   shift_walker((Node *) cs->inhRelations, delta) ||
				   shift_walker((Node *) cs->constraints, delta) ||
				   shift_walker((Node *) cs->options, delta) ||
				   shift_walker((Node *) cs->ofTypename, delta);
		}
		case T_IndexStmt:
		{
			IndexStmt *is = (IndexStmt *) node;

			return shift_walker((Node *) is->relation, delta) ||
				   shift_walker((Node *) is->indexParams, delta) ||
				   shift_walker((Node *) is->indexIncludingParams, delta) ||
				   shift_walker((Node *) is->options, delta) ||
				   shift_walker(is->whereClause, delta);
		}
		case T_Constraint:
		{
			Constraint *c = (Constraint *) node;

			shift(&c->location, *delta);
			return shift_walker(c->raw_expr, delta) ||
				   shift_walker((Node *) c->pktable, delta);
		}
		case T_DefElem:
		{
			DefElem *d = (DefElem *) node;

			shift(&d->location, *delta);
			return shift_walker(d->arg, delta);
		}
		default:
			return false;
	}
}

static bool
shift_walker(Node *node, void *context)
{
	int delta = *(int *) context;

	if (node == NULL)
		return false;
	check_stack_depth();
	switch (nodeTag(node))
	{
			/* nodes with a location, that raw_expression_tree_walker knows */
		case T_A_Expr:
			shift(&((A_Expr *) node)->location, delta);
			break;
		case T_ColumnRef:
			shift(&((ColumnRef *) node)->location, delta);
			break;
		case T_ParamRef:
			shift(&((ParamRef *) node)->location, delta);
			break;
		case T_A_Const:
			shift(&((A_Const *) node)->location, delta);
			break;
		case T_TypeCast:
			shift(&((TypeCast *) node)->location, delta);
			break;
		case T_CollateClause:
			shift(&((CollateClause *) node)->location, delta);
			break;
		case T_FuncCall:
			shift(&((FuncCall *) node)->location, delta);
			break;
		case T_NamedArgExpr:
			shift(&((NamedArgExpr *) node)->location, delta);
			break;
		case T_A_ArrayExpr:
			shift(&((A_ArrayExpr *) node)->location, delta);
			break;
		case T_ResTarget:
			shift(&((ResTarget *) node)->location, delta);
			break;
		case T_SortBy:
			shift(&((SortBy *) node)->location, delta);
			break;
		case T_WindowDef:
			shift(&((WindowDef *) node)->location, delta);
			break;
		case T_RangeTableSample:
			shift(&((RangeTableSample *) node)->location, delta);
			break;
		case T_RangeTableFunc:
			shift(&((RangeTableFunc *) node)->location, delta);
			break;
		case T_RangeTableFuncCol:
			shift(&((RangeTableFuncCol *) node)->location, delta);
			break;
		case T_TypeName:
			shift(&((TypeName *) node)->location, delta);
			break;
		case T_ColumnDef:
			shift(&((ColumnDef *) node)->location, delta);
			/* its constraints are not walked by the raw walker */
			if (shift_walker((Node *) ((ColumnDef *) node)->constraints,
							 context))
				return true;
			break;
		case T_GroupingSet:
			shift(&((GroupingSet *) node)->location, delta);
			break;
		case T_XmlSerialize:
			shift(&((XmlSerialize *) node)->location, delta);
			break;
		case T_WithClause:
			shift(&((WithClause *) node)->location, delta);
			break;
		case T_InferClause:
			shift(&((InferClause *) node)->location, delta);
			break;
		case T_OnConflictClause:
			shift(&((OnConflictClause *) node)->location, delta);
			break;
		case T_CommonTableExpr:
			shift(&((CommonTableExpr *) node)->location, delta);
			break;
		case T_RangeVar:
			shift(&((RangeVar *) node)->location, delta);
			break;
		case T_GroupingFunc:
			shift(&((GroupingFunc *) node)->location, delta);
			break;
		case T_SubLink:
			shift(&((SubLink *) node)->location, delta);
			break;
		case T_CaseExpr:
		{
			ListCell *lc;

			shift(&((CaseExpr *) node)->location, delta);
			/* the raw walker visits the whens' parts, not the whens */
			foreach(lc, ((CaseExpr *) node)->args)
				shift(&lfirst_node(CaseWhen, lc)->location, delta);
			break;
		}
		case T_PLAssignStmt:
			shift(&((PLAssignStmt *) node)->location, delta);
			break;
		case T_RowExpr:
			shift(&((RowExpr *) node)->location, delta);
			break;
		case T_CoalesceExpr:
			shift(&((CoalesceExpr *) node)->location, delta);
			break;
		case T_MinMaxExpr:
			shift(&((MinMaxExpr *) node)->location, delta);
			break;
		case T_SQLValueFunction:
			shift(&((SQLValueFunction *) node)->location, delta);
			break;
		case T_XmlExpr:
			shift(&((XmlExpr *) node)->location, delta);
			break;
		case T_NullTest:
			shift(&((NullTest *) node)->location, delta);
			break;
		case T_BooleanTest:
			shift(&((BooleanTest *) node)->location, delta);
			break;
		case T_SetToDefault:
			shift(&((SetToDefault *) node)->location, delta);
			break;
		case T_BoolExpr:
			shift(&((BoolExpr *) node)->location, delta);
			break;
			/* nodes the raw walker knows, without a location of their own */
		case T_List:
		case T_JoinExpr:
		case T_CurrentOfExpr:
		case T_Integer:
		case T_Float:
		case T_Boolean:
		case T_String:
		case T_BitString:
		case T_A_Star:
		case T_Alias:
		case T_IntoClause:
		case T_InsertStmt:
		case T_DeleteStmt:
		case T_UpdateStmt:
		case T_SelectStmt:
		case T_A_Indices:
		case T_A_Indirection:
		case T_MultiAssignRef:
		case T_RangeSubselect:
		case T_RangeFunction:
		case T_IndexElem:
		case T_LockingClause:
		case T_MergeStmt:
		case T_MergeWhenClause:
			break;
		default:
			/* not walked by raw_expression_tree_walker */
			return shift_other(node, context);
	}
	return raw_expression_tree_walker(node, shift_walker, context);
}

/*
 * Add delta to every location of a raw statement (or expression) that
 * raw_parser() made from a copy starting delta bytes into the app.
 */
void
sqlstream_shift_locations(Node *node, int delta)
{
	if (delta != 0)
		(void) shift_walker(node, &delta);
}
