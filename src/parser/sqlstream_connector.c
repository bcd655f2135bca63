/*-------------------------------------------------------------------------
 *
 * sqlstream_connector.c
 *	  Sources and sinks in streaming SQL, compiled into SiddhiQL's
 *	  @source, @sink, @map and @OnError annotations.
 *
 * The analyzer reads connectors in one form only, SiddhiQL's annotations
 * on a stream definition, so each SQL spelling becomes exactly the tree
 * SiddhiQL's parser makes for its equivalent:
 *
 *	CREATE STREAM s (..) WITH (connector = 'kafka', format = 'json', ..)
 *	CREATE SOURCE s (..) WITH (type = 'kafka', ..)
 *		[MAP (type = 'json', .., ATTRIBUTES (..))]
 *	CREATE SINK s (..) WITH (type = 'kafka', ..) [MAP (.., PAYLOAD '..')]
 *	INSERT INTO s SELECT .. SINK (type = 'kafka', ..) [MAP (..)]
 *
 * connector (or type) is the @source / @sink type; format is @map(type);
 * on_error is the stream's @OnError(action); event_time stays the
 * stream's WITH option; topic is topic.list on a Kafka source; every
 * other option passes under its own key.  Option names are not checked
 * here: which options a connector takes is the analyzer's business, per
 * connector type.  Every element carries the location of its key (a
 * positional one, of its value), so the analyzer's errors point there.  A
 * key given twice in one clause, or two keys that set the same element,
 * is refused here: the annotation could carry only one of them.
 *
 * A query's SINK (..) belongs to its target stream, which may be defined
 * later in the app or not at all: the clauses wait in the parser until
 * the whole app is read (sqlstream_attach_sinks), then go to the
 * definition of that name, or to an inferred stream definition (no
 * columns; the analyzer takes them from the query, see ast.h).
 *
 * Cost: one pass over the clause's tokens, and a sort of its keys for
 * the duplicate check.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"
#include "utils/hsearch.h"

#define MAP_HINT                                                          \
	"Write MAP (type = 'json', key = 'value', ..., ATTRIBUTES (name = "   \
	"'path', ...)) for a source, MAP (type = 'json', PAYLOAD '...') for " \
	"a sink."
#define SINK_HINT                                                      \
	"Write INSERT INTO stream SELECT ... SINK (type = 'kafka', key = " \
	"'value', ...) [MAP (type = 'json', ...)]."

/* A query's SINK (..), waiting until the whole app is read. */
typedef struct PendingSink
{
	char *target;	   /* the stream of INSERT INTO */
	int location;	   /* of that name */
	List *annotations; /* @sink, and @OnError for on_error */
} PendingSink;

/* A key of a clause, for the duplicate check. */
typedef struct KeyRef
{
	const char *sets; /* the element it sets */
	int index;		  /* its place in the clause */
} KeyRef;

static SiddhiAnnotation *
new_annotation(const char *name, int location)
{
	SiddhiAnnotation *a = palloc0(sizeof(SiddhiAnnotation));

	a->name = pstrdup(name);
	a->location = location;
	return a;
}

static SiddhiAnnotationElement *
new_element(const char *key, const char *value, int location)
{
	SiddhiAnnotationElement *e = palloc0(sizeof(SiddhiAnnotationElement));

	e->key = key ? pstrdup(key) : NULL;
	e->value = pstrdup(value);
	e->location = location;
	return e;
}

/* connector = .. and type = .. both name the connector. */
static bool
is_type_key(const char *key)
{
	return key && (pg_strcasecmp(key, "connector") == 0 ||
				   pg_strcasecmp(key, "type") == 0);
}

static int
keyref_cmp(const void *a, const void *b)
{
	const KeyRef *x = a;
	const KeyRef *y = b;
	int c = pg_strcasecmp(x->sets, y->sets);

	if (c != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Refuse the first key of a clause that sets an element an earlier key
 * set: sets[i] is what the i-th key sets, written[i] the key as written,
 * locations[i] its location.  Keys compare without case.
 */
static void
refuse_duplicates(SqlParser *p, int n, const char **sets, const char **written,
				  const int *locations)
{
	KeyRef *refs;
	int first = -1;
	int second = -1;

	if (n < 2)
		return;
	refs = palloc(sizeof(KeyRef) * n);
	for (int i = 0; i < n; i++)
	{
		refs[i].sets = sets[i];
		refs[i].index = i;
	}
	qsort(refs, n, sizeof(KeyRef), keyref_cmp);
	for (int i = 1; i < n; i++)
		if (pg_strcasecmp(refs[i].sets, refs[i - 1].sets) == 0 &&
			(second < 0 || refs[i].index < second))
		{
			first = refs[i - 1].index;
			second = refs[i].index;
		}
	pfree(refs);
	if (second < 0)
		return;
	if (pg_strcasecmp(written[first], written[second]) == 0)
		ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				errmsg("option \"%s\" is given twice", written[second]),
				errhint("Give each option once."),
				siddhi_errposition(p->source, locations[second]));
	ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
			errmsg("options \"%s\" and \"%s\" both set %s", written[first],
				   written[second], sets[second]),
			errhint("Give one of them."),
			siddhi_errposition(p->source, locations[second]));
}

/* Refuse a key given twice among the keyed elements of a. */
static void
refuse_duplicate_elements(SqlParser *p, SiddhiAnnotation *a)
{
	int n = list_length(a->elements);
	const char **keys = palloc(sizeof(char *) * Max(n, 1));
	int *locations = palloc(sizeof(int) * Max(n, 1));
	int k = 0;
	ListCell *lc;

	foreach(lc, a->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (e->key == NULL)
			continue;
		keys[k] = e->key;
		locations[k] = e->location;
		k++;
	}
	refuse_duplicates(p, k, keys, keys, locations);
}

/*
 * ATTRIBUTES (..) or PAYLOAD '..' | (..) of a MAP clause, at *pos (the
 * keyword), as the nested annotation 'name': elements keyed (name =
 * 'value', the name folded like a column's) or positional ('value').
 */
static SiddhiAnnotation *
parse_nested(SqlParser *p, int *pos, int end, const char *name)
{
	SiddhiAnnotation *a = new_annotation(name, p->tokens[*pos].start);
	int tok = *pos + 1;

	if (tok < end && p->tokens[tok].code == SCONST)
	{
		/* PAYLOAD 'template' */
		a->elements = list_make1(
			new_element(NULL, p->tokens[tok].str, p->tokens[tok].start));
		*pos = tok + 1;
		return a;
	}
	if (tok >= end || !sqlstream_is_char(p, tok, '('))
		sqlstream_syntax_error(p, Min(tok, end), MAP_HINT);
	tok++;
	for (;;)
	{
		SiddhiAnnotationElement *e = palloc0(sizeof(SiddhiAnnotationElement));

		e->location = p->tokens[Min(tok, end)].start;
		if (tok + 1 < end && ((sqlstream_is_name(p, tok) &&
							   (sqlstream_is_char(p, tok + 1, '=') ||
								sqlstream_is_char(p, tok + 1, '.'))) ||
							  (p->tokens[tok].code == SCONST &&
							   sqlstream_is_char(p, tok + 1, '='))))
		{
			e->key = sqlstream_option_key(p, &tok, end, false, MAP_HINT);
			if (tok >= end || !sqlstream_is_char(p, tok, '='))
				sqlstream_syntax_error(p, Min(tok, end), MAP_HINT);
			tok++;
		}
		e->value = sqlstream_option_value(p, &tok, end);
		if (e->value == NULL)
			sqlstream_syntax_error(p, Min(tok, end), MAP_HINT);
		a->elements = lappend(a->elements, e);
		if (tok < end && sqlstream_is_char(p, tok, ','))
			tok++;
		else if (tok < end && sqlstream_is_char(p, tok, ')'))
			break;
		else
			sqlstream_syntax_error(p, Min(tok, end), MAP_HINT);
	}
	refuse_duplicate_elements(p, a);
	*pos = tok + 1;
	return a;
}

/*
 * (key = value, ...) at *pos, the '(' of a SINK or MAP clause, into the
 * elements of an annotation 'name' at 'location'; in MAP's list,
 * ATTRIBUTES (..) and PAYLOAD are nested annotations.  *pos is left just
 * past the ')'.
 */
static SiddhiAnnotation *
parse_clause(SqlParser *p, int *pos, int end, const char *name, int location,
			 bool in_map, const char *hint)
{
	SiddhiAnnotation *a = new_annotation(name, location);
	int tok = *pos;

	if (tok >= end || !sqlstream_is_char(p, tok, '('))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	tok++;
	for (;;)
	{
		bool attributes = sqlstream_is_word(p, tok, "attributes");
		bool payload = sqlstream_is_word(p, tok, "payload");

		if (in_map && tok + 1 < end && (attributes || payload) &&
			(sqlstream_is_char(p, tok + 1, '(') ||
			 (payload && p->tokens[tok + 1].code == SCONST)))
		{
			const char *nested = attributes ? "attributes" : "payload";
			ListCell *lc;

			foreach(lc, a->annotations)
				if (strcmp(((SiddhiAnnotation *) lfirst(lc))->name, nested) ==
					0)
					sqlstream_syntax_error_at(
						p, p->tokens[tok].start,
						psprintf("%s is given twice",
								 attributes ? "ATTRIBUTES" : "PAYLOAD"),
						hint);
			a->annotations =
				lappend(a->annotations, parse_nested(p, &tok, end, nested));
		}
		else
		{
			SiddhiAnnotationElement *e =
				palloc0(sizeof(SiddhiAnnotationElement));

			e->location = p->tokens[Min(tok, end)].start;
			e->key = sqlstream_option_key(p, &tok, end, false, hint);
			if (tok >= end || !sqlstream_is_char(p, tok, '='))
				sqlstream_syntax_error(p, Min(tok, end), hint);
			tok++;
			e->value = sqlstream_option_value(p, &tok, end);
			if (e->value == NULL)
				sqlstream_syntax_error(p, Min(tok, end), hint);
			a->elements = lappend(a->elements, e);
		}
		if (tok < end && sqlstream_is_char(p, tok, ','))
			tok++;
		else if (tok < end && sqlstream_is_char(p, tok, ')'))
			break;
		else
			sqlstream_syntax_error(p, Min(tok, end), hint);
	}
	refuse_duplicate_elements(p, a);
	*pos = tok + 1;
	return a;
}

/*
 * The annotations of one connector from its options (the elements of
 * WITH or SINK, in order) and its MAP clause (or NULL): the @source or
 * @sink at 'location', then @OnError for on_error.  When with_rest is
 * given, event_time is the stream's, not the connector's: it is appended
 * to *with_rest.
 */
static List *
connector_annotations(SqlParser *p, List *options, bool sink, int location,
					  SiddhiAnnotation *map, List **with_rest,
					  const char *hint)
{
	SiddhiAnnotation *conn =
		new_annotation(sink ? "sink" : "source", location);
	SiddhiAnnotation *on_error = NULL;
	SiddhiAnnotationElement *format = NULL;
	const char *type = NULL;
	int n = list_length(options);
	const char **sets = palloc(sizeof(char *) * Max(n, 1));
	const char **written = palloc(sizeof(char *) * Max(n, 1));
	int *locations = palloc(sizeof(int) * Max(n, 1));
	int i = 0;
	ListCell *lc;

	foreach(lc, options)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (type == NULL && is_type_key(e->key))
			type = e->value;
	}
	if (type == NULL)
		sqlstream_syntax_error_at(p, location,
								  sink ? "a sink needs a connector type"
									   : "a source needs a connector type",
								  hint);

	foreach(lc, options)
	{
		SiddhiAnnotationElement *e = lfirst(lc);
		const char *key = e->key ? e->key : "";

		written[i] = key;
		locations[i] = e->location;
		sets[i] = key;
		if (is_type_key(key))
		{
			sets[i] = "the connector type";
			/* the roadmap's type = 'postgresql', mode = 'CDC': Siddhi's cdc */
			conn->elements = lappend(
				conn->elements,
				new_element("type",
							!sink && pg_strcasecmp(type, "postgresql") == 0
								? "cdc"
								: e->value,
							e->location));
		}
		else if (!sink && pg_strcasecmp(type, "postgresql") == 0 &&
				 (pg_strcasecmp(key, "mode") == 0 ||
				  pg_strcasecmp(key, "table") == 0 ||
				  pg_strcasecmp(key, "operations") == 0))
		{
			if (pg_strcasecmp(key, "mode") == 0 &&
				pg_strcasecmp(e->value, "cdc") != 0)
				sqlstream_syntax_error_at(
					p, e->location,
					"a postgresql source reads changes (mode = 'CDC')",
					"Write mode = 'CDC', or leave mode out.");
			/* table: cdc's table.name; operations: its operation */
			sets[i] = pg_strcasecmp(key, "table") == 0		  ? "table.name"
					  : pg_strcasecmp(key, "operations") == 0 ? "operation"
															  : "the mode";
			if (pg_strcasecmp(key, "mode") != 0)
				conn->elements =
					lappend(conn->elements,
							new_element(sets[i], e->value, e->location));
		}
		else if (pg_strcasecmp(key, "format") == 0)
		{
			sets[i] = "the format";
			format = e;
		}
		else if (pg_strcasecmp(key, "on_error") == 0)
		{
			sets[i] = "the error action";
			on_error = new_annotation("OnError", e->location);
			on_error->elements =
				list_make1(new_element("action", e->value, e->location));
		}
		else if (with_rest && pg_strcasecmp(key, "event_time") == 0)
			*with_rest = lappend(*with_rest, e);
		else if (!sink && pg_strcasecmp(type, "kafka") == 0 &&
				 pg_strcasecmp(key, "topic") == 0)
		{
			/* Siddhi's Kafka source reads a list of topics */
			sets[i] = "topic.list";
			conn->elements =
				lappend(conn->elements,
						new_element("topic.list", e->value, e->location));
		}
		else
			conn->elements = lappend(conn->elements,
									 new_element(key, e->value, e->location));
		i++;
	}
	refuse_duplicates(p, n, sets, written, locations);

	if (format && map)
		sqlstream_syntax_error_at(
			p, map->location, "the format is given twice",
			"Give the format either as format = '...' among the options or "
			"as MAP (type = '...', ...).");
	if (format)
	{
		map = new_annotation("map", format->location);
		map->elements =
			list_make1(new_element("type", format->value, format->location));
	}
	if (map)
		conn->annotations = list_make1(map);
	return on_error ? list_make2(conn, on_error) : list_make1(conn);
}

/*
 * Append a connector's annotations to a stream's; a stream has one
 * @OnError.
 */
static void
add_annotations(SqlParser *p, SiddhiDefinition *def, List *annotations)
{
	ListCell *lc;

	foreach(lc, annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *lo;

		if (pg_strcasecmp(a->name, "OnError") == 0)
			foreach(lo, def->annotations)
				if (pg_strcasecmp(((SiddhiAnnotation *) lfirst(lo))->name,
								  "OnError") == 0)
					sqlstream_syntax_error_at(
						p, a->location,
						psprintf(
							"stream \"%s\" is given an error action twice",
							def->name),
						"A stream has one error action: give on_error once, "
						"or @OnError once.");
		def->annotations = lappend(def->annotations, a);
	}
}

/* MAP (..) at *pos (the MAP keyword): the @map of a source or sink. */
SiddhiAnnotation *
sqlstream_parse_map(SqlParser *p, int *pos, int end)
{
	int kw = *pos;

	(*pos)++;
	return parse_clause(p, pos, end, "map", p->tokens[kw].start, true,
						MAP_HINT);
}

/*
 * The connector of a stream definition, once its clauses are read:
 * CREATE SOURCE or CREATE SINK ('role', keyword at kw_location), or
 * CREATE STREAM whose WITH names a connector (role NONE).  The WITH
 * clauses (annotations named "with" in def->annotations) give way to the
 * connector's annotations; only event_time stays in a WITH.  A stream
 * whose WITH names no connector is left as it is.
 */
void
sqlstream_define_connector(SqlParser *p, SiddhiDefinition *def,
						   SqlConnectorRole role, int kw_location,
						   SiddhiAnnotation *map, const char *hint)
{
	List *options = NIL;
	List *rest = NIL;
	List *kept = NIL;
	SiddhiAnnotation *first_with = NULL;
	bool named = false;
	ListCell *lc;

	foreach(lc, def->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *le;

		if (strcmp(a->name, "with") != 0)
			continue;
		if (first_with == NULL)
			first_with = a;
		options = list_concat(options, a->elements);
		foreach(le, a->elements)
			if (is_type_key(((SiddhiAnnotationElement *) lfirst(le))->key))
				named = true;
	}
	if (role == SQL_CONNECTOR_NONE && !named)
	{
		if (map)
			sqlstream_syntax_error_at(
				p, map->location, "MAP needs a connector",
				"Name the connector: WITH (connector = 'kafka', ...) MAP "
				"(type = 'json', ...).");
		return;
	}
	if (first_with == NULL)
		sqlstream_syntax_error_at(
			p, kw_location,
			psprintf("CREATE %s needs WITH (type = '...', ...)",
					 role == SQL_CONNECTOR_SINK ? "SINK" : "SOURCE"),
			hint);

	options = connector_annotations(
		p, options, role == SQL_CONNECTOR_SINK,
		role == SQL_CONNECTOR_NONE ? first_with->location : kw_location, map,
		&rest, hint);

	foreach(lc, def->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);

		if (strcmp(a->name, "with") != 0)
			kept = lappend(kept, a);
		else if (a == first_with && rest != NIL)
		{
			SiddhiAnnotation *w = new_annotation("with", a->location);

			w->elements = rest;
			kept = lappend(kept, w);
		}
	}
	def->annotations = kept;
	add_annotations(p, def, options);
}

/*
 * Whether tok starts a query's SINK (..) clause: SINK ( after an operand
 * (a name, a constant, a closing bracket), not a call sink(..) where an
 * expression is expected.
 */
bool
sqlstream_is_sink_clause(SqlParser *p, int tok, int end)
{
	static const char *const expect_operand[] = {
		"and",	   "or",   "not",	   "where",	 "on",		  "by",
		"having",  "is",   "in",	   "like",	 "ilike",	  "similar",
		"between", "when", "then",	   "else",	 "case",	  "select",
		"from",	   "join", "distinct", "all",	 "any",		  "some",
		"exists",  "as",   "using",	   "set",	 "returning", "into",
		"values",  "over", "escape",   "within", "array",
	};
	SqlToken *prev;

	if (tok < 1 || tok + 1 >= end || !sqlstream_is_word(p, tok, "sink") ||
		!sqlstream_is_char(p, tok + 1, '('))
		return false;
	prev = &p->tokens[tok - 1];
	if (prev->code == ')' || prev->code == ']' || prev->code == ICONST ||
		prev->code == FCONST || prev->code == SCONST)
		return true;
	if (prev->code != IDENT && !prev->keyword)
		return false;
	if (prev->quoted)
		return true;
	for (int i = 0; i < lengthof(expect_operand); i++)
		if (strcmp(prev->str, expect_operand[i]) == 0)
			return false;
	return true;
}

/*
 * SINK (..) [MAP (..)] of a query at tok (see sqlstream_is_sink_clause):
 * the annotations its target stream gets (@sink, then @OnError for
 * on_error); *next is set just past the clause.
 */
List *
sqlstream_parse_sink_clause(SqlParser *p, int tok, int end, int *next)
{
	SiddhiAnnotation *opts;
	SiddhiAnnotation *map = NULL;
	int pos = tok + 1;

	opts = parse_clause(p, &pos, end, "sink", p->tokens[tok].start, false,
						SINK_HINT);
	if (sqlstream_is_word(p, pos, "map") &&
		sqlstream_is_char(p, pos + 1, '(') && pos + 1 < end)
		map = sqlstream_parse_map(p, &pos, end);
	*next = pos;
	return connector_annotations(p, opts->elements, true, p->tokens[tok].start,
								 map, NULL, SINK_HINT);
}

/* Keep a query's sinks for its target, until the whole app is read. */
void
sqlstream_add_sinks(SqlParser *p, const char *target, int location,
					List *annotations)
{
	PendingSink *ps = palloc0(sizeof(PendingSink));

	ps->target = pstrdup(target);
	ps->location = location;
	ps->annotations = annotations;
	p->pending_sinks = lappend(p->pending_sinks, ps);
}

/* An entry of the definitions by name, for sqlstream_attach_sinks. */
typedef struct DefEntry
{
	char name[NAMEDATALEN]; /* the hash key */
	SiddhiDefinition *def;
} DefEntry;

/*
 * Give each query's sinks to the definition of its target, made here as
 * an inferred stream when no statement defines it.  Names are looked up
 * in a hash table: an app of n queries with sinks costs O(n).
 */
void
sqlstream_attach_sinks(SqlParser *p)
{
	HASHCTL ctl;
	HTAB *defs;
	ListCell *lc;
	bool found;

	if (p->pending_sinks == NIL)
		return;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(DefEntry);
	ctl.hcxt = CurrentMemoryContext;
	defs = hash_create("sqlstream definitions",
					   Max(list_length(p->app->definitions), 16), &ctl,
					   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	foreach(lc, p->app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);
		DefEntry *entry;

		/* names longer than a key (none from the scanner) are not targets */
		if (strlen(d->name) >= NAMEDATALEN)
			continue;
		entry = hash_search(defs, d->name, HASH_ENTER, &found);
		if (!found)
			entry->def = d;
	}

	foreach(lc, p->pending_sinks)
	{
		PendingSink *ps = lfirst(lc);
		DefEntry *entry;

		CHECK_FOR_INTERRUPTS();
		if (strlen(ps->target) >= NAMEDATALEN)
			elog(ERROR, "stream name \"%s\" is too long", ps->target);
		entry = hash_search(defs, ps->target, HASH_ENTER, &found);
		if (!found)
		{
			SiddhiDefinition *def = palloc0(sizeof(SiddhiDefinition));

			def->kind = SIDDHI_DEF_STREAM;
			def->name = ps->target;
			def->location = ps->location;
			def->inferred = true;
			p->app->definitions = lappend(p->app->definitions, def);
			entry->def = def;
		}
		add_annotations(p, entry->def, ps->annotations);
	}
	hash_destroy(defs);
}
