/*-------------------------------------------------------------------------
 *
 * analyze_arith.c
 *	  SiddhiQL's arithmetic turned into PostgreSQL's operators before the
 *	  planner sees it.
 *
 * The SiddhiQL parser writes a + b as OPERATOR(siddhi.+) (siddhiql_expr.c):
 * its functions (siddhi--1.0.0.sql) are SQL functions `SELECT $1
 * OPERATOR(pg_catalog.+) $2` over the same types, so that resolving the
 * operator promotes as Java does.  expression_planner would inline them,
 * but inlining simplifies the arguments again at every level, so a sum
 * of n terms cost n squared: 2,000 terms took 4 s and 950 MB to deploy
 * (make fuzz's growth check).  This pass replaces each such operator,
 * bottom up and in one walk, by the pg_catalog operator of the same name
 * over the same types, which is what inlining gives.  An operator whose
 * function is anything else (% over floats is a C function) is left to
 * the planner.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_language.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/analyzer.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "analyze_int.h"

/* Whether function fn is `SELECT $1 OPERATOR(pg_catalog.<name>) $2`. */
static bool
is_twin_body(Oid fn, const char *name)
{
	HeapTuple tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	bool twin = false;

	if (HeapTupleIsValid(tp))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tp);
		bool isnull;
		Datum src;

		if (proc->prolang == SQLlanguageId)
		{
			src = SysCacheGetAttr(PROCOID, tp, Anum_pg_proc_prosrc, &isnull);
			twin = !isnull &&
				   strcmp(TextDatumGetCString(src),
						  psprintf("SELECT $1 OPERATOR(pg_catalog.%s) $2",
								   name)) == 0;
		}
		ReleaseSysCache(tp);
	}
	return twin;
}

/*
 * The pg_catalog operator siddhi's operator opno stands for, or
 * InvalidOid: same name, same operand types, same result.
 */
static Oid
catalog_twin(Oid opno, Oid siddhi_nsp)
{
	HeapTuple tp = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	Oid twin = InvalidOid;

	if (!HeapTupleIsValid(tp))
		return InvalidOid;
	{
		Form_pg_operator op = (Form_pg_operator) GETSTRUCT(tp);
		char *name = NameStr(op->oprname);

		if (op->oprnamespace == siddhi_nsp && OidIsValid(op->oprleft) &&
			is_twin_body(op->oprcode, name))
		{
			twin = OpernameGetOprid(list_make2(makeString("pg_catalog"),
											   makeString(pstrdup(name))),
									op->oprleft, op->oprright);
			if (OidIsValid(twin) && get_op_rettype(twin) != op->oprresult)
				twin = InvalidOid;
		}
	}
	ReleaseSysCache(tp);
	return twin;
}

static Node *
arith_mutator(Node *node, Oid *siddhi_nsp)
{
	if (node == NULL)
		return NULL;
	check_stack_depth();
	node = expression_tree_mutator(node, arith_mutator, siddhi_nsp);
	if (IsA(node, OpExpr))
	{
		OpExpr *op = (OpExpr *) node;
		Oid twin = catalog_twin(op->opno, *siddhi_nsp);

		if (OidIsValid(twin))
		{
			op->opno = twin;
			op->opfuncid = InvalidOid;
			set_opfuncid(op);
		}
	}
	return node;
}

Node *
siddhi_arith_as_catalog(Node *e)
{
	Oid nsp = get_namespace_oid("siddhi", true);

	if (!OidIsValid(nsp))
		return e;
	return arith_mutator(e, &nsp);
}
