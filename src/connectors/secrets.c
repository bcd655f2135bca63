/*-------------------------------------------------------------------------
 *
 * secrets.c
 *	  ${NAME} references in connector options, resolved from
 *	  siddhi.secrets when the engine starts an app's sources and sinks.
 *
 * siddhi.secrets is readable by superusers only (REVOKE ALL FROM PUBLIC);
 * the engine reads it through siddhi_catalog_spi as the bootstrap
 * superuser, with search_path pinned.  A secret is for the apps of
 * superusers and of the roles with the privileges of its usable_by role
 * (has_privs_of_role, as Postgres checks a GRANT): any other app that
 * refers to it fails to load, so a role that may deploy connectors cannot
 * send somebody else's password to a server of its own.  A reference to a
 * name that is not there fails the app's load with an error that names
 * it; a value is never written into a message or the log.  deploy checks
 * the same (siddhi_secrets_check) without reading a value, so that a
 * missing secret fails the deploy rather than the first load; the load
 * checks again, since a secret may go after the deploy.  Resolved
 * values live only in the engine's memory, in the copy of the options the
 * source is started with: siddhi.apps keeps showing the references.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhi/source_runtime.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"

/*
 * The values resolved so far in this process, for siddhi_secrets_redact:
 * kept until it exits (an app unloaded may have logged them already), at
 * most MAX_KNOWN.
 */
typedef struct KnownSecret
{
	char *name;
	char *value;
	int len;
} KnownSecret;

#define MAX_KNOWN 1024
/* a part of a value this long or longer is hidden, or the whole value */
#define REDACT_MIN_PART 8

static KnownSecret known[MAX_KNOWN];
static int nknown = 0;
static int nshort = 0; /* values shorter than REDACT_MIN_PART */
static emit_log_hook_type prev_emit_log_hook = NULL;

/*
 * A bitmap of the hashes of every REDACT_MIN_PART-byte part of the known
 * values: a position of a text whose next bytes hash to no set bit starts
 * no long part, so a long log line costs one hash per byte, not a compare
 * with every value.
 */
#define GRAM_BITS 65536
static uint64 gram_bits[GRAM_BITS / 64];

static inline uint32
gram_hash(const char *s)
{
	uint64 x;

	memcpy(&x, s, REDACT_MIN_PART);
	return (uint32) ((x * UINT64CONST(0x9E3779B97F4A7C15)) >> 48);
}

static void redact_log_hook(ErrorData *edata);

static void
remember_secret(const char *name, const char *value)
{
	int len = strlen(value);

	if (len == 0 || nknown >= MAX_KNOWN)
		return;
	for (int i = 0; i < nknown; i++)
		if (known[i].len == len && strcmp(known[i].value, value) == 0)
			return;
	known[nknown].name = MemoryContextStrdup(TopMemoryContext, name);
	known[nknown].value = MemoryContextStrdup(TopMemoryContext, value);
	known[nknown].len = len;
	nknown++;
	if (len < REDACT_MIN_PART)
		nshort++;
	for (int j = 0; j + REDACT_MIN_PART <= len; j++)
	{
		uint32 h = gram_hash(value + j);

		gram_bits[h / 64] |= UINT64CONST(1) << (h % 64);
	}
	if (nknown == 1)
	{
		prev_emit_log_hook = emit_log_hook;
		emit_log_hook = redact_log_hook;
	}
}

/*
 * The longest part of a known value that text starts with, if it is long
 * enough to hide (REDACT_MIN_PART bytes, or the whole value); its secret
 * in *which.
 */
static int
secret_match(const char *text, int avail, int *which)
{
	int best = 0;
	bool long_part = false;

	if (avail >= REDACT_MIN_PART)
	{
		uint32 h = gram_hash(text);

		long_part = (gram_bits[h / 64] & (UINT64CONST(1) << (h % 64))) != 0;
	}
	if (!long_part && nshort == 0)
		return 0;
	for (int k = 0; k < nknown; k++)
	{
		const char *v = known[k].value;
		int need = Min(REDACT_MIN_PART, known[k].len);

		if (need == REDACT_MIN_PART && !long_part)
			continue;

		for (int j = 0; j + need <= known[k].len; j++)
		{
			int n = 0;

			while (v[j + n] != '\0' && text[n] == v[j + n])
				n++;
			if (n >= need && n > best)
			{
				best = n;
				*which = k;
			}
		}
	}
	return best;
}

/*
 * text with every part of a secret's value resolved in this process (at
 * least REDACT_MIN_PART bytes long, or the whole value) replaced by its
 * ${NAME}: for error texts a connector makes of resolved options (a URL
 * the allowed hosts refuse, a header that does not parse, a host curl
 * cannot resolve).  text itself when nothing is hidden, else a palloc'd
 * copy.
 */
const char *
siddhi_secrets_redact(const char *text)
{
	StringInfoData buf;
	const char *p;
	const char *end;
	bool any = false;

	if (nknown == 0 || text == NULL)
		return text;
	end = text + strlen(text);
	initStringInfo(&buf);
	for (p = text; *p;)
	{
		int which = 0;
		int n = secret_match(p, end - p, &which);

		if (n > 0)
		{
			appendStringInfo(&buf, "${%s}", known[which].name);
			p += n;
			any = true;
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	if (!any)
	{
		pfree(buf.data);
		return text;
	}
	return buf.data;
}

/* The server log gets no value either. */
static void
redact_log_hook(ErrorData *edata)
{
	MemoryContext old = MemoryContextSwitchTo(ErrorContext);

	edata->message = (char *) siddhi_secrets_redact(edata->message);
	edata->detail = (char *) siddhi_secrets_redact(edata->detail);
	edata->detail_log = (char *) siddhi_secrets_redact(edata->detail_log);
	edata->hint = (char *) siddhi_secrets_redact(edata->hint);
	edata->context = (char *) siddhi_secrets_redact(edata->context);
	MemoryContextSwitchTo(old);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/*
 * Look secret name up for an app of owner, as the bootstrap superuser
 * (siddhi.secrets is superusers' only): ERROR naming it when there is none
 * or when the owner may not use it.  With want_value, its value (in the
 * caller's memory context), else NULL and the value is not read.  source
 * and location, when source is not NULL, place the error at the option
 * (deploy); at load, the app's text is not shown.
 */
static char *
secret_lookup(const char *name, const char *app, Oid owner, bool want_value,
			  const char *source, int location)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	MemoryContext cxt = CurrentMemoryContext;
	char *result = NULL;
	bool isnull;
	Datum usable_by;
	const char *then = source ? "" : ", then redeploy the app";

	SPI_connect();
	values[0] = CStringGetTextDatum(name);
	siddhi_catalog_spi(want_value ? "SELECT value, usable_by::pg_catalog.oid "
									"FROM siddhi.secrets "
									"WHERE name OPERATOR(pg_catalog.=) $1"
								  : "SELECT NULL, usable_by::pg_catalog.oid "
									"FROM siddhi.secrets "
									"WHERE name OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, true);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("secret \"%s\" is not set", name),
				 errdetail("App \"%s\" refers to ${%s} in a connector option.",
						   app, name),
				 errhint("A superuser can store it: INSERT INTO "
						 "siddhi.secrets VALUES ('%s', '..')%s.",
						 name, then),
				 source ? siddhi_errposition(source, location) : 0));
	usable_by = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
							  &isnull);
	if (!superuser_arg(owner) &&
		(isnull || !has_privs_of_role(owner, DatumGetObjectId(usable_by))))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for secret \"%s\"", name),
				 errdetail("App \"%s\" refers to ${%s} in a connector option; "
						   "its owner, role \"%s\", is neither a superuser "
						   "nor a member of the secret's usable_by role.",
						   app, name, GetUserNameFromId(owner, true)),
				 errhint("A superuser can allow it: UPDATE siddhi.secrets SET "
						 "usable_by = '<role>' WHERE name = '%s'%s.",
						 name, then),
				 source ? siddhi_errposition(source, location) : 0));
	if (want_value)
	{
		char *v =
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		/* out of SPI's memory, which SPI_finish frees */
		result = MemoryContextStrdup(cxt, v ? v : "");
		remember_secret(name, result);
	}
	SPI_finish();
	return result;
}

/*
 * The next ${NAME} reference of value at or after *p: its name (palloc'd)
 * and *p moved past it, *start at its '$'; NULL when there is none more.
 */
static char *
next_reference(const char **p, const char **start)
{
	const char *s = strstr(*p, "${");
	const char *end;

	if (s == NULL || (end = strchr(s + 2, '}')) == NULL)
		return NULL;
	*start = s;
	*p = end + 1;
	return pnstrdup(s + 2, end - s - 2);
}

/* A copy of value with every ${NAME} replaced by the secret's value. */
static char *
resolve_value(const char *value, const char *app, Oid owner)
{
	StringInfoData buf;
	const char *copied = value; /* value up to here is in buf */
	const char *next = value;
	const char *ref;
	char *name;

	initStringInfo(&buf);
	while ((name = next_reference(&next, &ref)) != NULL)
	{
		char *v = secret_lookup(name, app, owner, true, NULL, -1);

		appendBinaryStringInfo(&buf, copied, ref - copied);
		appendStringInfoString(&buf, v);
		pfree(v);
		pfree(name);
		copied = next;
	}
	appendStringInfoString(&buf, copied);
	return buf.data;
}

/*
 * A copy of options (SiddhiConnOption *) with the references resolved for
 * an app of owner, in the current memory context.  The caller is inside a
 * transaction.
 */
List *
siddhi_secrets_resolve(List *options, const char *app, Oid owner)
{
	List *result = NIL;
	ListCell *lc;

	foreach(lc, options)
	{
		SiddhiConnOption *o = lfirst(lc);
		SiddhiConnOption *c = palloc(sizeof(SiddhiConnOption));

		c->key = o->key ? pstrdup(o->key) : NULL;
		c->value = resolve_value(o->value, app, owner);
		c->location = o->location;
		result = lappend(result, c);
	}
	return result;
}

/*
 * At deploy, as the load will: every ${NAME} in options must be a secret
 * that owner may use; else an ERROR at the option (source is the app's
 * text).  No value is read.  The load checks again: a secret may be
 * dropped or taken away after the deploy.
 */
void
siddhi_secrets_check(List *options, const char *source, const char *app,
					 Oid owner)
{
	ListCell *lc;

	foreach(lc, options)
	{
		SiddhiConnOption *o = lfirst(lc);
		const char *next = o->value;
		const char *ref;
		char *name;

		while ((name = next_reference(&next, &ref)) != NULL)
		{
			(void) secret_lookup(name, app, owner, false, source, o->location);
			pfree(name);
		}
	}
}
