/*-------------------------------------------------------------------------
 *
 * invalidate.c
 *	  The engine worker's watch over what its apps use.
 *
 * A loaded app holds row types, plans and function lookups made when it
 * was analysed.  After ALTER TABLE, REVOKE, RENAME or DROP .. CASCADE of
 * something it uses they are stale: using them would write garbage, crash,
 * or act with privileges the owner no longer has.  So each loaded app has
 * a watch, built from the pg_depend entries of its placeholder view
 * (src/catalog/depend.c) right after it loads: its relations with their
 * names and row types, its functions and types, and the owner's
 * privileges on each.
 *
 * Relcache and syscache invalidation callbacks (registered once) only mark
 * the watches of the apps concerned dirty; they run wherever the worker
 * accepts invalidations and must not do more.  Between batches the worker
 * checks the dirty watches (siddhi_watch_check) and, when something
 * changed that matters, reloads the app from its source (a new analysis
 * sees the new definitions and privileges, or fails the app with its
 * error) or, when something it uses is gone, marks it failed with the
 * reason.  Changes that do not matter (a new index, a trigger, GRANT of
 * more privileges, ANALYZE) leave the app and its state alone.
 *
 * Column privileges are not watched: a REVOKE of a column privilege shows
 * at the next load, and table writes check INSERT as they write.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "siddhi/depend.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/regproc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#define WATCHED_REL_PRIVS (ACL_SELECT | ACL_INSERT | ACL_UPDATE | ACL_DELETE)

typedef struct WatchedRel
{
	Oid relid;
	char *nspname;
	char *relname;
	TupleDesc desc;
	AclMode privs; /* the owner's, of WATCHED_REL_PRIVS */
	bool rls;	   /* row-level security applies to the owner */
} WatchedRel;

typedef struct WatchedObj
{
	int cacheid; /* PROCOID or TYPEOID */
	Oid oid;
	uint32 hash; /* its syscache hash value */
	char *desc;	 /* "function f(integer)" */
	AclMode privs;
	uint32 body; /* proc_body or type_body: a change reloads the app */
} WatchedObj;

struct SiddhiAppWatch
{
	MemoryContext cxt;
	char *name;
	Oid owner;
	Oid view; /* the placeholder view */
	List *rels;
	List *objs;
	bool dirty;
};

static List *watches = NIL; /* of SiddhiAppWatch *, in TopMemoryContext */
static bool any_dirty = false;

static void
mark(SiddhiAppWatch *w)
{
	w->dirty = true;
	any_dirty = true;
}

static void
relcache_callback(Datum arg, Oid relid)
{
	ListCell *lc;

	/* a decoding turn's flush changed no catalog */
	if (siddhi_local_cache_flushing())
		return;

	foreach(lc, watches)
	{
		SiddhiAppWatch *w = lfirst(lc);
		ListCell *lr;

		if (!OidIsValid(relid) || relid == w->view)
		{
			mark(w);
			continue;
		}
		foreach(lr, w->rels)
		{
			if (((WatchedRel *) lfirst(lr))->relid == relid)
			{
				mark(w);
				break;
			}
		}
	}
}

static void
syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	ListCell *lc;

	if (siddhi_local_cache_flushing())
		return;

	foreach(lc, watches)
	{
		SiddhiAppWatch *w = lfirst(lc);
		ListCell *lo;

		if (cacheid != PROCOID && cacheid != TYPEOID)
		{
			/* a schema renamed, a role's rights changed: look at all */
			mark(w);
			continue;
		}
		foreach(lo, w->objs)
		{
			WatchedObj *o = lfirst(lo);

			if (o->cacheid == cacheid &&
				(hashvalue == 0 || o->hash == hashvalue))
			{
				mark(w);
				break;
			}
		}
	}
}

/* Register the callbacks; once per worker. */
void
siddhi_watch_init(void)
{
	static bool done = false;

	if (done)
		return;
	CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, syscache_callback, (Datum) 0);
	/* a domain's constraints (type_body) */
	CacheRegisterSyscacheCallback(CONSTROID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, syscache_callback,
								  (Datum) 0);
	done = true;
}

/*
 * Hash of a function's body and of what decides how it runs: CREATE OR
 * REPLACE changes it, and so does ALTER FUNCTION of its security (SECURITY
 * DEFINER or INVOKER), owner (whose privileges a definer runs with), SET
 * clauses, strictness, volatility or leakproofness.  The app's compiled
 * calls keep what they saw at load, so any of these reloads it, as
 * PostgreSQL's plan cache re-plans.
 */
static uint32
proc_body(HeapTuple tup)
{
	Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);
	uint32 h = 0;
	bool isnull;
	Datum d;
	uint32 flags = (p->prosecdef ? 1 : 0) | (p->proisstrict ? 2 : 0) |
				   (p->proleakproof ? 4 : 0) | ((uint32) p->provolatile << 8) |
				   ((uint32) p->proparallel << 16);

	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
	if (!isnull)
		h = hash_any((unsigned char *) VARDATA_ANY(d), VARSIZE_ANY_EXHDR(d));
	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_probin, &isnull);
	if (!isnull)
		h = hash_combine(h, hash_any((unsigned char *) VARDATA_ANY(d),
									 VARSIZE_ANY_EXHDR(d)));
	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proconfig, &isnull);
	if (!isnull)
		h = hash_combine(h, hash_any((unsigned char *) VARDATA_ANY(d),
									 VARSIZE_ANY_EXHDR(d)));
	h = hash_combine(h, hash_uint32(flags));
	h = hash_combine(h, hash_uint32(p->proowner));
	return h;
}

/*
 * Hash of a domain's constraints (and of its base domains'): ALTER DOMAIN
 * ADD, DROP or VALIDATE CONSTRAINT and SET/DROP NOT NULL change it.  The
 * app's compiled coercions keep the constraints they saw at load, so any
 * change reloads it.  0 for a type that is not a domain.
 */
static uint32
type_body(Oid typid)
{
	uint32 h = 0;

	for (int depth = 0; depth < 32 && OidIsValid(typid); depth++)
	{
		HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
		Form_pg_type t;
		Oid base;
		Relation rel;
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple ctup;

		if (!HeapTupleIsValid(tup))
			break;
		t = (Form_pg_type) GETSTRUCT(tup);
		if (t->typtype != TYPTYPE_DOMAIN)
		{
			ReleaseSysCache(tup);
			break;
		}
		h = hash_combine(h, hash_uint32(t->typnotnull ? 1 : 2));
		base = t->typbasetype;
		ReleaseSysCache(tup);
		rel = table_open(ConstraintRelationId, AccessShareLock);
		ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(typid));
		scan = systable_beginscan(rel, ConstraintTypidIndexId, true, NULL, 1,
								  &key);
		while ((ctup = systable_getnext(scan)) != NULL)
		{
			Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(ctup);

			h = hash_combine(h, hash_uint32(c->oid));
			h = hash_combine(h, hash_uint32(c->convalidated ? 1 : 2));
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		typid = base;
	}
	return h;
}

static AclMode
obj_privs(WatchedObj *o, Oid owner)
{
	if (o->cacheid == PROCOID)
		return pg_proc_aclmask(o->oid, owner, ACL_EXECUTE, ACLMASK_ALL);
	return pg_type_aclmask(o->oid, owner, ACL_USAGE, ACLMASK_ALL);
}

static void
watch_relation(SiddhiAppWatch *w, Oid relid)
{
	Relation rel = try_relation_open(relid, AccessShareLock);
	WatchedRel *r;

	if (rel == NULL)
		return;
	r = palloc0(sizeof(WatchedRel));
	r->relid = relid;
	r->relname = pstrdup(RelationGetRelationName(rel));
	r->nspname = get_namespace_name(RelationGetNamespace(rel));
	r->desc = CreateTupleDescCopy(RelationGetDescr(rel));
	r->privs =
		pg_class_aclmask(relid, w->owner, WATCHED_REL_PRIVS, ACLMASK_ALL);
	r->rls = check_enable_rls(relid, w->owner, true) == RLS_ENABLED;
	relation_close(rel, AccessShareLock);
	w->rels = lappend(w->rels, r);
}

static void
watch_object(SiddhiAppWatch *w, int cacheid, Oid classid, Oid oid)
{
	WatchedObj *o = palloc0(sizeof(WatchedObj));
	HeapTuple tup;

	tup = SearchSysCache1(cacheid, ObjectIdGetDatum(oid));
	if (!HeapTupleIsValid(tup))
		return;
	if (cacheid == PROCOID)
		o->body = proc_body(tup);
	ReleaseSysCache(tup);
	if (cacheid == TYPEOID)
		o->body = type_body(oid);
	o->cacheid = cacheid;
	o->oid = oid;
	o->hash = GetSysCacheHashValue1(cacheid, ObjectIdGetDatum(oid));
	/* qualified, whatever search_path is in force */
	if (cacheid == PROCOID)
		o->desc = psprintf("function %s", format_procedure_qualified(oid));
	else
		o->desc = psprintf("type %s", format_type_be_qualified(oid));
	o->privs = obj_privs(o, w->owner);
	w->objs = lappend(w->objs, o);
}

/*
 * Build the watch of app name (owned by owner) from the pg_depend entries
 * of its placeholder; registers it.  Allocated in a context of its own
 * under TopMemoryContext.  Needs a transaction.
 */
SiddhiAppWatch *
siddhi_watch_build(const char *name, Oid owner)
{
	MemoryContext cxt = AllocSetContextCreate(
		TopMemoryContext, "siddhi app watch", ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiAppWatch *w = palloc0(sizeof(SiddhiAppWatch));
	Oid view;
	Oid rule = siddhi_depend_rule(name, &view);

	w->cxt = cxt;
	w->name = pstrdup(name);
	w->owner = owner;
	if (OidIsValid(rule))
	{
		Relation dep = table_open(DependRelationId, AccessShareLock);
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple tup;

		w->view = view;
		ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(RewriteRelationId));
		ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(rule));
		scan =
			systable_beginscan(dep, DependDependerIndexId, true, NULL, 2, key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

			if (d->deptype != DEPENDENCY_NORMAL)
				continue;
			/*
			 * A relation shows as its columns only (pg_depend keeps no
			 * whole-relation entry beside column ones, as for views).
			 */
			if (d->refclassid == RelationRelationId)
			{
				ListCell *lr;
				bool have = false;

				foreach(lr, w->rels)
					have |= ((WatchedRel *) lfirst(lr))->relid == d->refobjid;
				if (!have)
					watch_relation(w, d->refobjid);
			}
			else if (d->refclassid == ProcedureRelationId)
				watch_object(w, PROCOID, ProcedureRelationId, d->refobjid);
			else if (d->refclassid == TypeRelationId)
				watch_object(w, TYPEOID, TypeRelationId, d->refobjid);
		}
		systable_endscan(scan);
		table_close(dep, AccessShareLock);
	}
	MemoryContextSwitchTo(TopMemoryContext);
	watches = lappend(watches, w);
	MemoryContextSwitchTo(old);
	return w;
}

void
siddhi_watch_free(SiddhiAppWatch *w)
{
	if (w == NULL)
		return;
	watches = list_delete_ptr(watches, w);
	MemoryContextDelete(w->cxt);
}

bool
siddhi_watch_any_dirty(void)
{
	return any_dirty;
}

bool
siddhi_watch_dirty(SiddhiAppWatch *w)
{
	return w != NULL && w->dirty;
}

/* Same names, types and dropped columns (defaults, constraints aside). */
static bool
same_row_type(TupleDesc a, TupleDesc b)
{
	if (a->natts != b->natts)
		return false;
	for (int i = 0; i < a->natts; i++)
	{
		Form_pg_attribute x = TupleDescAttr(a, i);
		Form_pg_attribute y = TupleDescAttr(b, i);

		if (x->attisdropped != y->attisdropped || x->atttypid != y->atttypid ||
			x->atttypmod != y->atttypmod ||
			x->attcollation != y->attcollation ||
			strcmp(NameStr(x->attname), NameStr(y->attname)) != 0)
			return false;
	}
	return true;
}

static char *
check_relation(SiddhiAppWatch *w, WatchedRel *r, bool *gone)
{
	char *qualified = psprintf("%s.%s", r->nspname, r->relname);
	Relation rel;
	char *why = NULL;

	rel = try_relation_open(r->relid, AccessShareLock);
	if (rel == NULL)
	{
		*gone = true;
		return psprintf("relation \"%s\" used by the app was dropped",
						qualified);
	}
	if (strcmp(RelationGetRelationName(rel), r->relname) != 0 ||
		RelationGetNamespace(rel) != get_namespace_oid(r->nspname, true))
	{
		*gone = true;
		why =
			psprintf("relation \"%s\" used by the app was renamed to "
					 "\"%s.%s\"",
					 qualified, get_namespace_name(RelationGetNamespace(rel)),
					 RelationGetRelationName(rel));
	}
	else if (!same_row_type(r->desc, RelationGetDescr(rel)))
		why = psprintf("the columns of relation \"%s\" changed", qualified);
	else if ((r->privs & ~pg_class_aclmask(r->relid, w->owner,
										   WATCHED_REL_PRIVS, ACLMASK_ALL)) !=
			 0)
		why = psprintf("the app's owner lost a privilege on relation \"%s\"",
					   qualified);
	else if (!r->rls &&
			 check_enable_rls(r->relid, w->owner, true) == RLS_ENABLED)
		why = psprintf("row-level security now applies to the app's owner "
					   "on relation \"%s\"",
					   qualified);
	relation_close(rel, AccessShareLock);
	return why;
}

static char *
check_object(SiddhiAppWatch *w, WatchedObj *o, bool *gone)
{
	HeapTuple tup = SearchSysCache1(o->cacheid, ObjectIdGetDatum(o->oid));
	uint32 body = 0;

	if (!HeapTupleIsValid(tup))
	{
		*gone = true;
		return psprintf("%s used by the app was dropped", o->desc);
	}
	if (o->cacheid == PROCOID)
		body = proc_body(tup);
	ReleaseSysCache(tup);
	if (o->cacheid == TYPEOID)
		body = type_body(o->oid);
	if (body != o->body)
		return psprintf("%s used by the app was replaced or altered", o->desc);
	if ((o->privs & ~obj_privs(o, w->owner)) != 0)
		return psprintf("the app's owner lost a privilege on %s", o->desc);
	return NULL;
}

char *
siddhi_watch_check(SiddhiAppWatch *w, bool *gone)
{
	ListCell *lc;

	*gone = false;
	w->dirty = false;
	any_dirty = false;
	foreach(lc, watches)
		any_dirty |= ((SiddhiAppWatch *) lfirst(lc))->dirty;

	foreach(lc, w->rels)
	{
		char *why = check_relation(w, lfirst(lc), gone);

		if (why)
			return why;
	}
	foreach(lc, w->objs)
	{
		char *why = check_object(w, lfirst(lc), gone);

		if (why)
			return why;
	}
	if (!OidIsValid(w->view) ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(w->view)))
	{
		*gone = true;
		return psprintf("view \"%s.%s\", which holds the app's "
						"dependencies, was dropped",
						SIDDHI_APP_SCHEMA, w->name);
	}
	return NULL;
}
