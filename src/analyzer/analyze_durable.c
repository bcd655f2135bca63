/*-------------------------------------------------------------------------
 *
 * analyze_durable.c
 *	  A stream's durability and synchronous commit: SQL WITH (durable =
 *	  true, synchronous_commit = on), SiddhiQL @durable and
 *	  @durable(synchronous.commit = 'true').
 *
 * They become options of the stream's foreign table (durable,
 * synchronous_commit), which the inserting backend reads
 * (src/ipc/stream_fdw.c); a stream without the durable option follows the
 * inserting session's siddhi.durable_streams.  A stream this deploy
 * created, or keeps from the app it replaces, takes the options as
 * declared (an option no longer declared is dropped); a stream that
 * exists outside the app must already have them as declared.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "analyze_int.h"

typedef struct DurOption
{
	const char *name; /* the foreign table option */
	int declared;	  /* -1 not declared, else 0/1 */
	int existing;	  /* -1 not set, else 0/1 */
	const char *what; /* as written, for messages */
} DurOption;

static int
bool_value(AnalyzeState *st, const char *what, const char *value, int location)
{
	bool b;

	if (!parse_bool(value, &b))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("invalid value \"%s\" for %s", value, what),
						errhint("Write true or false (on or off)."),
						siddhi_errposition(st->app->source, location)));
	return b ? 1 : 0;
}

static void
declared_options(AnalyzeState *st, SiddhiDefinition *d, DurOption *opts)
{
	ListCell *lc;

	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *e;

		if (pg_strcasecmp(a->name, "durable") == 0)
		{
			opts[0].declared = 1;
			foreach(e, a->elements)
			{
				SiddhiAnnotationElement *el = lfirst(e);

				if (el->key == NULL)
					opts[0].declared =
						bool_value(st, "@durable", el->value, el->location);
				else if (pg_strcasecmp(el->key, "synchronous.commit") == 0)
					opts[1].declared =
						bool_value(st, "@durable(synchronous.commit)",
								   el->value, el->location);
			}
		}
		else if (pg_strcasecmp(a->name, "with") == 0)
		{
			foreach(e, a->elements)
			{
				SiddhiAnnotationElement *el = lfirst(e);

				if (el->key == NULL)
					continue;
				if (pg_strcasecmp(el->key, "durable") == 0)
					opts[0].declared = bool_value(st, "option \"durable\"",
												  el->value, el->location);
				else if (pg_strcasecmp(el->key, "synchronous_commit") == 0)
					opts[1].declared =
						bool_value(st, "option \"synchronous_commit\"",
								   el->value, el->location);
			}
		}
	}
}

void
siddhi_analyze_durability(AnalyzeState *st, SiddhiDefinition *d,
						  SiddhiRelation *r)
{
	DurOption opts[2] = {
		{ "durable", -1, -1, "durable" },
		{ "synchronous_commit", -1, -1, "synchronous_commit" },
	};
	StringInfoData sql;
	ListCell *lc;
	bool any = false;

	declared_options(st, d, opts);
	if (st->mode != SIDDHI_ANALYZE_DEPLOY || !OidIsValid(r->relid))
		return;
	foreach(lc, GetForeignTable(r->relid)->options)
	{
		DefElem *def = lfirst(lc);

		for (int i = 0; i < lengthof(opts); i++)
			if (strcmp(def->defname, opts[i].name) == 0)
				opts[i].existing = defGetBoolean(def) ? 1 : 0;
	}
	if (!r->created)
	{
		/* a stream the app does not own: it must be as declared */
		for (int i = 0; i < lengthof(opts); i++)
			if (opts[i].declared != -1 &&
				opts[i].declared != Max(opts[i].existing, 0))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("stream \"%s\" already exists with %s = %s",
								d->name, opts[i].what,
								opts[i].existing == 1 ? "true" : "false"),
						 errhint("Declare it as the existing stream has it, "
								 "or change the app that created it."),
						 siddhi_errposition(st->app->source, d->location)));
		return;
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER FOREIGN TABLE %s OPTIONS (",
					 quote_qualified_identifier(
						 get_namespace_name(get_rel_namespace(r->relid)),
						 get_rel_name(r->relid)));
	for (int i = 0; i < lengthof(opts); i++)
	{
		const char *verb = NULL;

		if (opts[i].declared != -1)
			verb = opts[i].existing == -1 ? "ADD" : "SET";
		else if (opts[i].existing != -1)
			verb = "DROP";
		if (verb == NULL)
			continue;
		appendStringInfo(&sql, "%s%s %s", any ? ", " : "", verb, opts[i].name);
		if (opts[i].declared != -1)
			appendStringInfo(&sql, " '%s'",
							 opts[i].declared ? "true" : "false");
		any = true;
	}
	appendStringInfoChar(&sql, ')');
	if (!any)
		return;
	SPI_connect();
	if (SPI_execute(sql.data, false, 0) < 0)
		elog(ERROR, "SPI_execute failed: %s", sql.data);
	SPI_finish();
}
