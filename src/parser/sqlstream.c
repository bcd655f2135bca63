/*-------------------------------------------------------------------------
 *
 * sqlstream.c
 *	  The streaming SQL front end: statements of an app into a SiddhiApp.
 *
 * An app is a list of statements separated by semicolons, each optionally
 * preceded by SiddhiQL-style annotations:
 *
 *	CREATE STREAM name (col type, ...) [WITH (key = 'value', ...)]
 *	CREATE TABLE name (col type [PRIMARY KEY], ..., [PRIMARY KEY (a, b)])
 *	CREATE WINDOW name (col type, ...) <window> [OUTPUT ... EVENTS]
 *	CREATE INDEX ON table (col)
 *	[INSERT INTO target] SELECT ... FROM <input> ... [EMIT CHANGES|FINAL]
 *	INSERT INTO table SELECT ... ON CONFLICT (key) DO UPDATE SET ...
 *	DELETE FROM table USING <input> WHERE cond
 *	UPDATE table SET col = expr, ... FROM <input> WHERE cond
 *
 * Our clause structure is recognised on PostgreSQL's token stream
 * (sqlstream_lex.c); the SQL parts go through raw_parser().  For a query,
 * our own clauses (WINDOW specs, bracket filters, UNIDIRECTIONAL, EMIT,
 * duration units) are blanked out of a copy of the statement and the rest
 * is parsed as the PostgreSQL SELECT or INSERT .. SELECT it then is: the
 * grammar of Postgres decides where each expression ends, and the raw
 * SelectStmt is taken apart into our input, selector and output.  For
 * CREATE STREAM and CREATE WINDOW the keyword is overwritten with "TABLE "
 * (same length) so that the column list parses as a CREATE TABLE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

#define STATEMENT_HINT                                                     \
	"A statement starts with CREATE STREAM, CREATE TABLE, CREATE WINDOW, " \
	"CREATE INDEX, INSERT INTO, SELECT, DELETE FROM or UPDATE."

/*
 * What the token scan of a query found.  Arrays are indexed by the FROM
 * item a clause belongs to: 0 is the first stream, 1 the one after JOIN
 * (or a comma), 2 anything further (which is an error later).
 */
typedef struct QueryScan
{
	int select_tok;
	int from_tok;
	int item_tok[3];  /* first token of each FROM item */
	int join_tok[3];  /* JOIN (or comma) before items 1 and 2 */
	List *filters[3]; /* of SiddhiStreamHandler * */
	SiddhiStreamHandler *window[3];
	SiddhiStreamHandler *late_window; /* WINDOW after the FROM clause */
	int unidir_tok[3];
	int emit_tok;
	SiddhiEmit emit;
	int setop_tok;
	Node *partition_by; /* PARTITION BY expr, or NULL */
	int partition_tok;
	SiddhiInput *pattern; /* FROM PATTERN ( .. ) / SEQUENCE ( .. ) */
} QueryScan;

static pg_attribute_noreturn() void not_supported(SqlParser *p, int location,
												  const char *what,
												  const char *hint)
{
	ereport(ERROR, errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s", what),
			hint ? errhint("%s", hint) : 0,
			siddhi_errposition(p->source, location));
	pg_unreachable();
}

static pg_attribute_noreturn() void syntax_error_at(SqlParser *p, int location,
													const char *msg,
													const char *hint)
{
	ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR), errmsg("%s", msg),
			hint ? errhint("%s", hint) : 0,
			siddhi_errposition(p->source, location));
	pg_unreachable();
}

static bool
is_at_sign(SqlParser *p, int tok)
{
	return p->tokens[tok].code == Op && strcmp(p->tokens[tok].str, "@") == 0;
}

/*
 * A value in an annotation or a WITH list: a string, a number, or a
 * bare word (true, false, ...).  Returns NULL when the token is none.
 */
static char *
option_value(SqlParser *p, int *pos, int end)
{
	int tok = *pos;
	SqlToken *t = &p->tokens[tok];

	if (tok >= end)
		return NULL;
	if (t->code == SCONST)
	{
		(*pos)++;
		return pstrdup(t->str);
	}
	if (t->code == ICONST || t->code == FCONST)
	{
		(*pos)++;
		return sqlstream_token_text(p, tok);
	}
	if (t->code == '-' && tok + 1 < end &&
		(p->tokens[tok + 1].code == ICONST ||
		 p->tokens[tok + 1].code == FCONST))
	{
		*pos += 2;
		return psprintf("-%s", sqlstream_token_text(p, tok + 1));
	}
	if (sqlstream_is_name(p, tok))
	{
		(*pos)++;
		return pstrdup(t->str);
	}
	return NULL;
}

/*
 * A key: name(.name)*, as written when 'as_written' (annotations keep
 * their case), else folded like SQL identifiers.
 */
static char *
option_key(SqlParser *p, int *pos, int end, bool as_written)
{
	StringInfoData key;

	initStringInfo(&key);
	for (;;)
	{
		if (*pos >= end || !sqlstream_is_name(p, *pos))
			sqlstream_syntax_error(p, Min(*pos, end), NULL);
		if (as_written && !p->tokens[*pos].quoted)
			appendStringInfoString(&key, sqlstream_token_text(p, *pos));
		else
			appendStringInfoString(&key, p->tokens[*pos].str);
		(*pos)++;
		if (*pos + 1 < end && sqlstream_is_char(p, *pos, '.'))
		{
			appendStringInfoChar(&key, '.');
			(*pos)++;
		}
		else
			return key.data;
	}
}

/*
 * @name, @name(k = 'v', 'positional', @nested(..)) starting at the '@'
 * at *pos.  Names and keys keep their case as written.
 */
static SiddhiAnnotation *
parse_annotation(SqlParser *p, int *pos, int end)
{
	SiddhiAnnotation *a = palloc0(sizeof(SiddhiAnnotation));
	StringInfoData name;
	int tok = *pos + 1;

	check_stack_depth();
	a->location = p->tokens[*pos].start;
	initStringInfo(&name);
	for (;;)
	{
		if (tok >= end || !sqlstream_is_name(p, tok))
			sqlstream_syntax_error(
				p, Min(tok, end),
				"Write an annotation as @name or @name(key = 'value', ...).");
		appendStringInfoString(&name, p->tokens[tok].quoted
										  ? p->tokens[tok].str
										  : sqlstream_token_text(p, tok));
		tok++;
		if (tok + 1 < end && sqlstream_is_char(p, tok, ':'))
		{
			appendStringInfoChar(&name, ':');
			tok++;
		}
		else
			break;
	}
	a->name = name.data;

	if (tok < end && sqlstream_is_char(p, tok, '('))
	{
		tok++;
		if (tok < end && sqlstream_is_char(p, tok, ')'))
			tok++;
		else
			for (;;)
			{
				if (tok < end && is_at_sign(p, tok))
					a->annotations = lappend(a->annotations,
											 parse_annotation(p, &tok, end));
				else
				{
					SiddhiAnnotationElement *e =
						palloc0(sizeof(SiddhiAnnotationElement));

					e->location = p->tokens[Min(tok, end)].start;
					if (tok < end && sqlstream_is_name(p, tok) &&
						(sqlstream_is_char(p, tok + 1, '=') ||
						 sqlstream_is_char(p, tok + 1, '.')))
					{
						e->key = option_key(p, &tok, end, true);
						if (tok >= end || !sqlstream_is_char(p, tok, '='))
							sqlstream_syntax_error(p, Min(tok, end), NULL);
						tok++;
					}
					e->value = option_value(p, &tok, end);
					if (e->value == NULL)
						sqlstream_syntax_error(
							p, Min(tok, end),
							"Annotation values are quoted strings: @name(key "
							"= 'value').");
					a->elements = lappend(a->elements, e);
				}
				if (tok < end && sqlstream_is_char(p, tok, ','))
					tok++;
				else if (tok < end && sqlstream_is_char(p, tok, ')'))
				{
					tok++;
					break;
				}
				else
					sqlstream_syntax_error(p, Min(tok, end), NULL);
			}
	}
	*pos = tok;
	return a;
}

/* The value of an annotation element by key, or NULL. */
static char *
annotation_value(SiddhiAnnotation *a, const char *key)
{
	SiddhiAnnotationElement *e = siddhi_annotation_element(a, key);

	return e ? e->value : NULL;
}

/* An @app:... annotation belongs to the app, wherever it is written. */
static void
add_app_annotation(SqlParser *p, SiddhiAnnotation *a)
{
	if (pg_strcasecmp(a->name, "app:name") == 0)
	{
		char *name = annotation_value(a, NULL);

		if (name == NULL)
			name = annotation_value(a, "name");
		if (name == NULL)
			syntax_error_at(p, a->location, "@app:name needs a value",
							"Write @app:name('MyApp').");
		if (p->app->name != NULL)
			syntax_error_at(p, a->location, "the app is named twice", NULL);
		p->app->name = name;
	}
	p->app->annotations = lappend(p->app->annotations, a);
}

/* WITH (key = value, ...) at *pos, as an annotation named "with". */
static SiddhiAnnotation *
parse_with(SqlParser *p, int *pos, int end)
{
	SiddhiAnnotation *a = palloc0(sizeof(SiddhiAnnotation));
	int tok = *pos + 1;

	a->name = pstrdup("with");
	a->location = p->tokens[*pos].start;
	if (tok >= end || !sqlstream_is_char(p, tok, '('))
		sqlstream_syntax_error(p, Min(tok, end),
							   "Write options as WITH (key = 'value', ...).");
	tok++;
	for (;;)
	{
		SiddhiAnnotationElement *e = palloc0(sizeof(SiddhiAnnotationElement));

		e->location = p->tokens[Min(tok, end)].start;
		e->key = option_key(p, &tok, end, false);
		if (tok >= end || !sqlstream_is_char(p, tok, '='))
			sqlstream_syntax_error(
				p, Min(tok, end),
				"Write options as WITH (key = 'value', ...).");
		tok++;
		e->value = option_value(p, &tok, end);
		if (e->value == NULL)
			sqlstream_syntax_error(
				p, Min(tok, end),
				"Write options as WITH (key = 'value', ...).");
		a->elements = lappend(a->elements, e);
		if (tok < end && sqlstream_is_char(p, tok, ','))
			tok++;
		else if (tok < end && sqlstream_is_char(p, tok, ')'))
			break;
		else
			sqlstream_syntax_error(p, Min(tok, end), NULL);
	}
	*pos = tok + 1;
	return a;
}

/*
 * The type of a column: any PostgreSQL type, plus the roadmap's aliases
 * STRING, LONG and DOUBLE (unquoted, unqualified).
 */
static TypeName *
column_type(SqlParser *p, TypeName *tn)
{
	static const char *const aliases[][2] = {
		{ "string", "text" },
		{ "long", "int8" },
		{ "double", "float8" },
	};

	if (tn->setof)
		not_supported(p, tn->location,
					  "SETOF is not allowed in a column definition", NULL);
	if (list_length(tn->names) == 1 && tn->location >= 0 &&
		p->source[tn->location] != '"')
	{
		const char *name = strVal(linitial(tn->names));

		for (int i = 0; i < lengthof(aliases); i++)
			if (strcmp(name, aliases[i][0]) == 0)
			{
				TypeName *mapped = copyObject(tn);

				mapped->names =
					SystemTypeName(unconstify(char *, aliases[i][1]))->names;
				return mapped;
			}
	}
	return tn;
}

static const char *
def_kind_name(SiddhiDefKind kind)
{
	switch (kind)
	{
		case SIDDHI_DEF_STREAM:
			return "stream";
		case SIDDHI_DEF_TABLE:
			return "table";
		default:
			return "window";
	}
}

static void
set_primary_key(SqlParser *p, SiddhiDefinition *def, List *keys, int location)
{
	if (def->kind != SIDDHI_DEF_TABLE)
		ereport(
			ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
			errmsg("a %s cannot have a primary key", def_kind_name(def->kind)),
			errhint("Only tables have primary keys."),
			siddhi_errposition(p->source, location));
	if (def->primary_key != NIL)
		ereport(
			ERROR, errcode(ERRCODE_INVALID_TABLE_DEFINITION),
			errmsg("multiple primary keys for table \"%s\" are not allowed",
				   def->name),
			siddhi_errposition(p->source, location));
	def->primary_key = keys;
}

/* Columns and key constraints of a raw CREATE TABLE into def. */
static void
transform_columns(SqlParser *p, CreateStmt *cs, SiddhiDefinition *def)
{
	ListCell *lc;

	foreach(lc, cs->tableElts)
	{
		Node *elt = lfirst(lc);

		if (IsA(elt, ColumnDef))
		{
			ColumnDef *cd = (ColumnDef *) elt;
			SiddhiAttribute *attr = palloc0(sizeof(SiddhiAttribute));
			ListCell *lcc;

			if (cd->collClause)
				not_supported(
					p, cd->collClause->location,
					"COLLATE is not supported in a column definition", NULL);
			if (cd->fdwoptions || cd->compression)
				not_supported(p, cd->location,
							  "column options are not supported", NULL);
			attr->name = cd->colname;
			attr->type = column_type(p, cd->typeName);
			attr->location = cd->location;
			def->attributes = lappend(def->attributes, attr);

			foreach(lcc, cd->constraints)
			{
				Constraint *c = lfirst_node(Constraint, lcc);

				if (c->contype == CONSTR_PRIMARY)
					set_primary_key(
						p, def, list_make1(makeString(pstrdup(cd->colname))),
						c->location);
				else
					not_supported(p, c->location,
								  "column constraints other than PRIMARY KEY "
								  "are not supported",
								  "Streams and windows take no constraints; "
								  "tables take PRIMARY KEY.");
			}
		}
		else if (IsA(elt, Constraint))
		{
			Constraint *c = (Constraint *) elt;
			ListCell *lk;

			if (c->contype != CONSTR_PRIMARY)
				not_supported(
					p, c->location,
					"constraints other than PRIMARY KEY are not supported",
					NULL);
			if (c->including || c->options || c->indexspace)
				not_supported(p, c->location,
							  "PRIMARY KEY options are not supported", NULL);
			foreach(lk, c->keys)
			{
				ListCell *la;
				bool found = false;

				foreach(la, def->attributes)
					if (strcmp(((SiddhiAttribute *) lfirst(la))->name,
							   strVal(lfirst(lk))) == 0)
						found = true;
				if (!found)
					ereport(ERROR, errcode(ERRCODE_UNDEFINED_COLUMN),
							errmsg("column \"%s\" named in key does not exist",
								   strVal(lfirst(lk))),
							siddhi_errposition(p->source, c->location));
			}
			set_primary_key(p, def, c->keys, c->location);
		}
		else
			not_supported(
				p, def->location,
				"only columns and PRIMARY KEY are allowed in a definition",
				NULL);
	}
	if (def->attributes == NIL)
		syntax_error_at(p, def->location,
						psprintf("a %s needs at least one column",
								 def_kind_name(def->kind)),
						NULL);
}

/*
 * CREATE STREAM | TABLE | WINDOW name (columns) ...; tokens [pos, end),
 * 'kw' is the STREAM/TABLE/WINDOW token.
 */
static void
define_relation(SqlParser *p, int pos, int end, SiddhiDefKind kind,
				List *annotations)
{
	SiddhiDefinition *def = palloc0(sizeof(SiddhiDefinition));
	int kw = pos + 1;
	int open = kw + 1;
	int close;
	SqlPiece pc;
	List *stmts;
	CreateStmt *cs;
	int tok;
	const char *hint =
		psprintf("Write CREATE %s name (column type, ...)%s.",
				 kind == SIDDHI_DEF_STREAM	? "STREAM"
				 : kind == SIDDHI_DEF_TABLE ? "TABLE"
											: "WINDOW",
				 kind == SIDDHI_DEF_WINDOW ? " TUMBLING(1 hour)" : "");

	/* a (qualified) name, then the column list */
	for (;;)
	{
		if (open >= end || !sqlstream_is_name(p, open))
			sqlstream_syntax_error(p, Min(open, end), hint);
		open++;
		if (open < end && sqlstream_is_char(p, open, '.'))
			open++;
		else
			break;
	}
	if (open >= end || !sqlstream_is_char(p, open, '('))
		sqlstream_syntax_error(p, Min(open, end), hint);
	close = sqlstream_match_close(p, open, end);

	sqlstream_piece_init(&pc, p, pos, close + 1, false);
	if (kind != SIDDHI_DEF_TABLE)
		sqlstream_piece_put(&pc, p->tokens[kw].start, "TABLE ");
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1 ||
		!IsA(linitial_node(RawStmt, stmts)->stmt, CreateStmt))
		sqlstream_syntax_error(p, pos, hint);
	cs = (CreateStmt *) linitial_node(RawStmt, stmts)->stmt;

	def->kind = kind;
	def->name = cs->relation->relname;
	def->location = cs->relation->location;
	def->annotations = annotations;
	if (cs->relation->schemaname || cs->relation->catalogname)
		not_supported(
			p, def->location,
			psprintf("a %s name cannot be qualified", def_kind_name(kind)),
			"Apps create their streams and tables in the schema they are "
			"deployed into.");
	transform_columns(p, cs, def);

	/* what follows the columns is ours */
	tok = close + 1;
	if (kind == SIDDHI_DEF_WINDOW)
		def->window_output = SIDDHI_EVENTS_ALL; /* Siddhi's default */
	while (tok < end)
	{
		if (sqlstream_is_word(p, tok, "with"))
			def->annotations =
				lappend(def->annotations, parse_with(p, &tok, end));
		else if (kind == SIDDHI_DEF_WINDOW && def->window == NULL &&
				 !sqlstream_is_word(p, tok, "output"))
		{
			if (sqlstream_is_word(p, tok, "window"))
				tok++;
			def->window = sqlstream_parse_window(p, tok, end, &tok);
		}
		else if (kind == SIDDHI_DEF_WINDOW &&
				 sqlstream_is_word(p, tok, "output"))
		{
			if (sqlstream_is_word(p, tok + 1, "all"))
				def->window_output = SIDDHI_EVENTS_ALL;
			else if (sqlstream_is_word(p, tok + 1, "current"))
				def->window_output = SIDDHI_EVENTS_CURRENT;
			else if (sqlstream_is_word(p, tok + 1, "expired"))
				def->window_output = SIDDHI_EVENTS_EXPIRED;
			else
				sqlstream_syntax_error(
					p, Min(tok + 1, end),
					"Write OUTPUT ALL EVENTS, OUTPUT CURRENT EVENTS or OUTPUT "
					"EXPIRED EVENTS.");
			if (tok + 2 >= end || !sqlstream_is_word(p, tok + 2, "events"))
				sqlstream_syntax_error(
					p, Min(tok + 2, end),
					"Write OUTPUT ALL EVENTS, OUTPUT CURRENT EVENTS or OUTPUT "
					"EXPIRED EVENTS.");
			tok += 3;
		}
		else
			sqlstream_syntax_error(p, tok,
								   kind == SIDDHI_DEF_WINDOW
									   ? hint
									   : "Only WITH (key = 'value', ...) may "
										 "follow the columns.");
	}
	if (kind == SIDDHI_DEF_WINDOW && def->window == NULL)
		sqlstream_syntax_error(p, end, hint);

	p->app->definitions = lappend(p->app->definitions, def);
}

/* CREATE INDEX ON table (column): adds to an earlier table's indexes. */
static void
create_index(SqlParser *p, int pos, int end, List *annotations)
{
	SqlPiece pc;
	List *stmts;
	IndexStmt *is;
	IndexElem *elem;
	SiddhiDefinition *table = NULL;
	ListCell *lc;

	if (annotations != NIL)
		syntax_error_at(p,
						((SiddhiAnnotation *) linitial(annotations))->location,
						"CREATE INDEX takes no annotations", NULL);
	sqlstream_piece_init(&pc, p, pos, end, false);
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1 ||
		!IsA(linitial_node(RawStmt, stmts)->stmt, IndexStmt))
		sqlstream_syntax_error(p, pos,
							   "Write CREATE INDEX ON table (column).");
	is = (IndexStmt *) linitial_node(RawStmt, stmts)->stmt;

	if (is->unique || is->whereClause || is->indexIncludingParams ||
		is->options || is->relation->schemaname)
		not_supported(p, is->relation->location,
					  "only CREATE INDEX ON table (column) is supported",
					  NULL);
	if (list_length(is->indexParams) != 1)
		not_supported(p, is->relation->location, "an index covers one column",
					  "Write one CREATE INDEX per column.");
	elem = linitial_node(IndexElem, is->indexParams);
	if (elem->name == NULL)
		not_supported(p, is->relation->location,
					  "index expressions are not supported", NULL);

	foreach(lc, p->app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);

		if (d->kind == SIDDHI_DEF_TABLE &&
			strcmp(d->name, is->relation->relname) == 0)
			table = d;
	}
	if (table == NULL)
		ereport(
			ERROR, errcode(ERRCODE_UNDEFINED_TABLE),
			errmsg("table \"%s\" is not defined", is->relation->relname),
			errhint("Create the table with CREATE TABLE before its indexes."),
			siddhi_errposition(p->source, is->relation->location));
	foreach(lc, table->indexes)
		if (strcmp(strVal(lfirst(lc)), elem->name) == 0)
			return;
	table->indexes = lappend(table->indexes, makeString(elem->name));
}

static void parse_query(SqlParser *p, int pos, int end, List *annotations);
static Node *memberships(SqlParser *p, Node *n);

/* A granularity as the SQL dialect writes it: second, minute, ... */
static const char *
sql_granularity(SqlParser *p, const char *word, int location)
{
	static const char *const names[][2] = {
		{ "sec", "sec" },	{ "second", "sec" },  { "seconds", "sec" },
		{ "min", "min" },	{ "minute", "min" },  { "minutes", "min" },
		{ "hour", "hour" }, { "hours", "hour" },  { "day", "day" },
		{ "days", "day" },	{ "month", "month" }, { "months", "month" },
		{ "year", "year" }, { "years", "year" },
	};

	char *w = pstrdup(word);
	char *e;

	while (*w == ' ')
		w++;
	e = w + strlen(w);
	while (e > w && e[-1] == ' ')
		*--e = '\0';
	for (int i = 0; i < lengthof(names); i++)
		if (pg_strcasecmp(w, names[i][0]) == 0)
			return names[i][1];
	syntax_error_at(p, location, psprintf("unknown granularity \"%s\"", word),
					"Granularities are second, minute, hour, day, month and "
					"year.");
	return NULL;
}

/*
 * CREATE AGGREGATION name [WITH (by = 'ts', granularity = 'second')]
 * AS SELECT .. FROM S [WHERE ..] GROUP BY ..: granularity is the finest
 * one (all coarser ones up to year are kept), 'second ... day' a range,
 * or 'second, hour' a list; the default is 'second'.
 */
static void
create_aggregation(SqlParser *p, int pos, int end, List *annotations)
{
	static const char *const order[] = { "sec", "min",	 "hour",
										 "day", "month", "year" };
	SiddhiDefinition *d = palloc0(sizeof(SiddhiDefinition));
	const char *hint = "Write CREATE AGGREGATION name WITH (by = 'ts', "
					   "granularity = 'second') AS SELECT ... FROM stream "
					   "GROUP BY ...";
	int tok = pos + 2;
	const char *gran = "second";
	int gran_loc = p->tokens[pos].start;
	char *ellipsis;
	SiddhiAnnotation *purge = NULL;
	int nqueries;
	int npartitions;

	if (tok >= end || !sqlstream_is_name(p, tok))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	d->kind = SIDDHI_DEF_AGGREGATION;
	d->name = pstrdup(p->tokens[tok].str);
	d->location = p->tokens[tok].start;
	d->annotations = annotations;
	tok++;
	if (tok < end && sqlstream_is_word(p, tok, "with"))
	{
		SiddhiAnnotation *with = parse_with(p, &tok, end);
		ListCell *lc;

		foreach(lc, with->elements)
		{
			SiddhiAnnotationElement *e = lfirst(lc);

			if (strcmp(e->key, "by") == 0)
				d->aggregate_by = pstrdup(e->value);
			else if (strcmp(e->key, "timezone") == 0)
			{
				/* as SiddhiQL's @aggTimeZone('zone') */
				SiddhiAnnotation *tz = palloc0(sizeof(SiddhiAnnotation));
				SiddhiAnnotationElement *el =
					palloc0(sizeof(SiddhiAnnotationElement));

				el->value = e->value;
				el->location = e->location;
				tz->name = pstrdup("aggTimeZone");
				tz->location = e->location;
				tz->elements = list_make1(el);
				d->annotations = lappend(d->annotations, tz);
			}
			else if (strcmp(e->key, "granularity") == 0)
			{
				gran = e->value;
				gran_loc = e->location;
			}
			else if (strcmp(e->key, "retention") == 0 ||
					 strcmp(e->key, "purge") == 0 ||
					 strcmp(e->key, "purge_interval") == 0)
			{
				/* as SiddhiQL's @purge(enable, interval, @retentionPeriod) */
				SiddhiAnnotationElement *el =
					palloc0(sizeof(SiddhiAnnotationElement));

				if (purge == NULL)
				{
					purge = palloc0(sizeof(SiddhiAnnotation));
					purge->name = pstrdup("purge");
					purge->location = e->location;
					d->annotations = lappend(d->annotations, purge);
				}
				el->value = e->value;
				el->location = e->location;
				if (strcmp(e->key, "retention") == 0)
				{
					SiddhiAnnotation *r = palloc0(sizeof(SiddhiAnnotation));

					r->name = pstrdup("retentionPeriod");
					r->location = e->location;
					for (int i = 0; i < lengthof(order); i++)
					{
						SiddhiAnnotationElement *g =
							palloc0(sizeof(SiddhiAnnotationElement));

						*g = *el;
						g->key = pstrdup(order[i]);
						r->elements = lappend(r->elements, g);
					}
					purge->annotations = lappend(purge->annotations, r);
				}
				else
				{
					el->key = pstrdup(
						strcmp(e->key, "purge") == 0 ? "enable" : "interval");
					purge->elements = lappend(purge->elements, el);
				}
			}
			else
				syntax_error_at(
					p, e->location,
					psprintf("unknown aggregation option \"%s\"", e->key),
					"The options are by, granularity, timezone, retention, "
					"purge and purge_interval.");
		}
	}
	if (tok >= end || !sqlstream_is_word(p, tok, "as"))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	tok++;
	if (tok >= end || !sqlstream_is_word(p, tok, "select"))
		sqlstream_syntax_error(p, Min(tok, end), hint);

	ellipsis = strstr(gran, "...");
	if (ellipsis || strchr(gran, ',') == NULL)
	{
		const char *first = sql_granularity(
			p, ellipsis ? pnstrdup(gran, ellipsis - gran) : gran, gran_loc);
		const char *last =
			ellipsis ? sql_granularity(p, ellipsis + 3, gran_loc) : "year";
		bool on = false;

		for (int i = 0; i < lengthof(order); i++)
		{
			if (strcmp(order[i], first) == 0)
				on = true;
			if (on)
				d->granularities =
					lappend(d->granularities, makeString((char *) order[i]));
			if (strcmp(order[i], last) == 0)
				break;
		}
		if (!on || d->granularities == NIL ||
			strcmp(strVal(llast(d->granularities)), last) != 0)
			syntax_error_at(p, gran_loc,
							"aggregation range ends before it starts", NULL);
	}
	else
	{
		char *copy = pstrdup(gran);
		char *save = NULL;

		for (char *w = strtok_r(copy, ",", &save); w;
			 w = strtok_r(NULL, ",", &save))
		{
			d->granularities =
				lappend(d->granularities,
						makeString((char *) sql_granularity(p, w, gran_loc)));
		}
	}

	/*
	 * the query, parsed as any other, then taken out of the app's queries;
	 * with PARTITION BY it went to the app's partitions instead
	 */
	nqueries = list_length(p->app->queries);
	npartitions = list_length(p->app->partitions);
	parse_query(p, tok, end, NIL);
	if (list_length(p->app->partitions) != npartitions)
	{
		SiddhiPartition *part = llast(p->app->partitions);
		SiddhiPartitionKey *k = part->keys ? linitial(part->keys) : NULL;

		not_supported(p, k ? k->location : p->tokens[tok].start,
					  "PARTITION BY is not supported in an aggregation",
					  "Group the aggregation by the key instead: "
					  "GROUP BY key.");
	}
	if (list_length(p->app->queries) != nqueries + 1)
		sqlstream_syntax_error(p, tok, hint);
	d->aggregation = llast(p->app->queries);
	p->app->queries = list_delete_last(p->app->queries);
	if (d->aggregation->output->kind != SIDDHI_OUT_RETURN)
		sqlstream_syntax_error(p, tok, hint);
	p->app->definitions = lappend(p->app->definitions, d);
}

/*
 * CREATE TRIGGER name AT START | AT EVERY <duration> | AT 'cron': SiddhiQL's
 * define trigger, a stream name (triggered_time BIGINT) fed by a timer.
 */
static void
create_trigger(SqlParser *p, int pos, int end, List *annotations)
{
	const char *hint = "Write CREATE TRIGGER name AT START, AT EVERY "
					   "5 SECONDS or AT '<cron expression>'.";
	SiddhiDefinition *d = palloc0(sizeof(SiddhiDefinition));
	int tok = pos + 2;

	if (tok >= end || !sqlstream_is_name(p, tok))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	d->kind = SIDDHI_DEF_TRIGGER;
	d->name = pstrdup(p->tokens[tok].str); /* folded as SQL folds names */
	d->location = p->tokens[tok].start;
	d->annotations = annotations;
	tok++;
	if (tok >= end || !sqlstream_is_word(p, tok, "at"))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	tok++;
	if (tok < end && sqlstream_is_word(p, tok, "start"))
	{
		d->trigger_at = pstrdup("start");
		tok++;
	}
	else if (tok < end && sqlstream_is_word(p, tok, "every"))
	{
		int64 ms = 0;
		int next = sqlstream_duration_run(p, tok + 1, end, &ms);

		if (next == tok + 1 || ms <= 0)
			sqlstream_syntax_error(p, Min(tok + 1, end), hint);
		d->trigger_every_ms = ms;
		tok = next;
	}
	else if (tok < end && p->tokens[tok].code == SCONST)
	{
		d->trigger_at = pstrdup(p->tokens[tok].str);
		tok++;
	}
	else
		sqlstream_syntax_error(p, Min(tok, end), hint);
	if (tok < end)
		sqlstream_syntax_error(p, tok, hint);
	p->app->definitions = lappend(p->app->definitions, d);
}

static void
parse_create(SqlParser *p, int pos, int end, List *annotations)
{
	int kw = pos + 1;
	static const char *const later[][2] = {
		{ "source", "SOURCE" },
		{ "sink", "SINK" },
		{ "function", "FUNCTION" },
	};

	if (sqlstream_is_word(p, kw, "stream"))
		define_relation(p, pos, end, SIDDHI_DEF_STREAM, annotations);
	else if (sqlstream_is_word(p, kw, "table"))
		define_relation(p, pos, end, SIDDHI_DEF_TABLE, annotations);
	else if (sqlstream_is_word(p, kw, "window"))
		define_relation(p, pos, end, SIDDHI_DEF_WINDOW, annotations);
	else if (sqlstream_is_word(p, kw, "index"))
		create_index(p, pos, end, annotations);
	else if (sqlstream_is_word(p, kw, "aggregation"))
		create_aggregation(p, pos, end, annotations);
	else if (sqlstream_is_word(p, kw, "trigger"))
		create_trigger(p, pos, end, annotations);
	else
	{
		for (int i = 0; i < lengthof(later); i++)
			if (sqlstream_is_word(p, kw, later[i][0]))
				not_supported(
					p, p->tokens[kw].start,
					psprintf("CREATE %s is not supported yet", later[i][1]),
					NULL);
		sqlstream_syntax_error(p, Min(kw, end), STATEMENT_HINT);
	}
}

/* Clauses after which a FROM clause is over. */
static bool
ends_from_clause(SqlParser *p, int tok)
{
	static const char *const words[] = {
		"where", "group", "having", "order", "limit",	  "offset",
		"fetch", "for",	  "window", "union", "intersect", "except",
	};

	for (int i = 0; i < lengthof(words); i++)
		if (sqlstream_is_word(p, tok, words[i]))
			return true;
	return false;
}

/*
 * Find our own clauses in a query, tokens [pos, end), parse them, and
 * blank them out of the piece that raw_parser() will see.
 */
static void
scan_query(SqlParser *p, int pos, int end, SqlPiece *pc, QueryScan *qs)
{
	enum
	{
		BEFORE_FROM,
		IN_FROM,
		AFTER_FROM
	} region = BEFORE_FROM;
	int depth = 0;
	int side = 0;
	bool in_on = false;
	int item_start = -1;
	int filter_end = -1;

	memset(qs, 0, sizeof(QueryScan));
	qs->select_tok = qs->from_tok = qs->emit_tok = qs->setop_tok = -1;
	qs->partition_tok = -1;
	for (int i = 0; i < 3; i++)
		qs->item_tok[i] = qs->join_tok[i] = qs->unidir_tok[i] = -1;

	for (int i = pos; i < end; i++)
	{
		int code = p->tokens[i].code;

		if (depth == 0)
		{
			if (qs->select_tok < 0 && sqlstream_is_word(p, i, "select"))
				qs->select_tok = i;
			if (region == BEFORE_FROM && sqlstream_is_word(p, i, "from") &&
				!sqlstream_is_word(p, i - 1, "distinct"))
			{
				region = IN_FROM;
				qs->from_tok = i;
				item_start = qs->item_tok[0] = i + 1;
				if ((sqlstream_is_word(p, i + 1, "pattern") ||
					 sqlstream_is_word(p, i + 1, "sequence")) &&
					sqlstream_is_char(p, i + 2, '('))
				{
					/* ours entirely: raw_parser sees a placeholder name */
					int close = sqlstream_match_close(p, i + 2, end);

					qs->pattern = palloc0(sizeof(SiddhiInput));
					sqlstream_parse_pattern(
						p, i + 2, close,
						sqlstream_is_word(p, i + 1, "sequence"), qs->pattern);
					sqlstream_piece_kill(pc, i + 1, close + 1);
					sqlstream_piece_put(pc, p->tokens[i + 1].start, "pattern");
					i = close;
					region = AFTER_FROM;
				}
				continue;
			}
			if (sqlstream_is_word(p, i, "window") &&
				!(sqlstream_is_name(p, i + 1) &&
				  sqlstream_is_word(p, i + 2, "as")))
			{
				SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));
				int next;

				if (region == BEFORE_FROM)
					sqlstream_syntax_error(
						p, i,
						"WINDOW follows the stream it applies to: FROM s "
						"WINDOW TUMBLING(1 minute).");
				h->kind = SIDDHI_HANDLER_WINDOW;
				h->location = p->tokens[i].start;
				h->call = sqlstream_parse_window(p, i + 1, end, &next);
				sqlstream_piece_kill(pc, i, next);
				if (region == IN_FROM && !in_on)
				{
					if (qs->window[side] != NULL)
						syntax_error_at(p, h->location,
										"a stream can have only one window",
										NULL);
					qs->window[side] = h;
				}
				else
				{
					if (qs->late_window != NULL)
						syntax_error_at(p, h->location,
										"a stream can have only one window",
										NULL);
					qs->late_window = h;
				}
				i = next - 1;
				continue;
			}
			if (region != BEFORE_FROM &&
				sqlstream_is_word(p, i, "partition") &&
				sqlstream_is_word(p, i + 1, "by"))
			{
				/* PARTITION BY expr: up to the next clause */
				int last = i + 2;
				int d = 0;

				if (qs->partition_tok >= 0)
					syntax_error_at(p, p->tokens[i].start,
									"PARTITION BY is given twice", NULL);
				for (; last < end; last++)
				{
					int c = p->tokens[last].code;

					if (d == 0 && (ends_from_clause(p, last) ||
								   sqlstream_is_word(p, last, "emit") ||
								   sqlstream_is_word(p, last, "partition")))
						break;
					if (c == '(' || c == '[')
						d++;
					else if (c == ')' || c == ']')
						d--;
				}
				if (last == i + 2)
					sqlstream_syntax_error(p, last,
										   "Write PARTITION BY <expression>.");
				qs->partition_tok = i;
				qs->partition_by = sqlstream_parse_expr(p, i + 2, last);
				sqlstream_piece_kill(pc, i, last);
				region = (region == IN_FROM) ? AFTER_FROM : region;
				i = last - 1;
				continue;
			}
			if (region != BEFORE_FROM && sqlstream_is_word(p, i, "emit") &&
				(sqlstream_is_word(p, i + 1, "changes") ||
				 sqlstream_is_word(p, i + 1, "final")))
			{
				if (qs->emit_tok >= 0)
					syntax_error_at(p, p->tokens[i].start,
									"EMIT is given twice", NULL);
				qs->emit_tok = i;
				qs->emit = sqlstream_is_word(p, i + 1, "final")
							   ? SIDDHI_EMIT_FINAL
							   : SIDDHI_EMIT_CHANGES;
				sqlstream_piece_kill(pc, i, i + 2);
				region = (region == IN_FROM) ? AFTER_FROM : region;
				i++;
				continue;
			}
			if (region == IN_FROM)
			{
				if (sqlstream_is_word(p, i, "join") || (code == ',' && !in_on))
				{
					side = Min(side + 1, 2);
					qs->join_tok[side] = i;
					item_start = qs->item_tok[side] = i + 1;
					in_on = false;
				}
				else if (sqlstream_is_word(p, i, "on"))
					in_on = true;
				else if (sqlstream_is_word(p, i, "using") && side == 0 &&
						 !in_on)
				{
					/* DELETE FROM T USING S: S is the input */
					item_start = qs->item_tok[0] = i + 1;
					qs->window[0] = NULL;
				}
				else if (code == '[' && !in_on &&
						 (i == item_start + 1 || i == filter_end))
				{
					/* a SiddhiQL-style filter: FROM S[cond] */
					int close = sqlstream_match_close(p, i, end);
					SiddhiStreamHandler *h =
						palloc0(sizeof(SiddhiStreamHandler));

					h->kind = SIDDHI_HANDLER_FILTER;
					h->location = p->tokens[i].start;
					h->filter = sqlstream_parse_expr(p, i + 1, close);
					qs->filters[side] = lappend(qs->filters[side], h);
					sqlstream_piece_kill(pc, i, close + 1);
					filter_end = close + 1;
					i = close;
					continue;
				}
				else if (sqlstream_is_word(p, i, "unidirectional") && !in_on)
				{
					if (qs->unidir_tok[side] >= 0)
						sqlstream_syntax_error(p, i, NULL);
					qs->unidir_tok[side] = i;
					sqlstream_piece_kill(pc, i, i + 1);
					continue;
				}
				else if (ends_from_clause(p, i))
					region = AFTER_FROM;
			}
			if (qs->setop_tok < 0 && (sqlstream_is_word(p, i, "union") ||
									  sqlstream_is_word(p, i, "intersect") ||
									  sqlstream_is_word(p, i, "except")))
				qs->setop_tok = i;
		}
		if (code == '(' || code == '[')
			depth++;
		else if ((code == ')' || code == ']') && depth > 0)
			depth--;
	}
}

/* One FROM item into a stream input with its handlers. */
static SiddhiStreamInput *
stream_input(SqlParser *p, Node *item, int side, QueryScan *qs)
{
	SiddhiStreamInput *in = palloc0(sizeof(SiddhiStreamInput));
	RangeVar *rv;

	if (!IsA(item, RangeVar))
		not_supported(p, p->tokens[Max(qs->item_tok[side], 0)].start,
					  "only a stream, table or window can be read in FROM",
					  NULL);
	rv = (RangeVar *) item;
	if (rv->schemaname || rv->catalogname)
		not_supported(
			p, rv->location, "a stream name cannot be qualified",
			"Streams of an app live in the schema it is deployed into.");
	if (rv->alias && rv->alias->colnames)
		not_supported(p, rv->location,
					  "column aliases are not supported in FROM", NULL);
	in->stream = rv->relname;
	in->alias = rv->alias ? rv->alias->aliasname : NULL;
	in->location = rv->location;
	in->handlers = list_copy(qs->filters[side]);
	return in;
}

static void
add_window(SiddhiStreamInput *in, SiddhiStreamHandler *h)
{
	if (h != NULL)
		in->handlers = lappend(in->handlers, h);
}

/* The FROM clause (and WHERE) of a raw SELECT into our input. */
static SiddhiInput *
transform_input(SqlParser *p, SelectStmt *sel, QueryScan *qs, int end)
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
			not_supported(p, p->tokens[Max(qs->join_tok[1], 0)].start,
						  "a pattern cannot be joined", NULL);
		/* WHERE filters the matches, over the events they name */
		qs->pattern->on = sel->whereClause;
		if (qs->late_window)
			not_supported(p, qs->late_window->location,
						  "a pattern cannot have a window", NULL);
		return qs->pattern;
	}
	first = linitial(sel->fromClause);
	if (nitems > 2 || (nitems == 2 && !IsA(first, RangeVar)) ||
		(IsA(first, JoinExpr) && (!IsA(((JoinExpr *) first)->larg, RangeVar) ||
								  !IsA(((JoinExpr *) first)->rarg, RangeVar))))
		not_supported(p, p->tokens[Max(qs->join_tok[2], 0)].start,
					  "joins of more than two streams are not supported",
					  "Join two streams in one query and the result with a "
					  "third in another.");

	if (nitems == 1 && !IsA(first, JoinExpr))
	{
		in->kind = SIDDHI_INPUT_STREAM;
		in->stream = stream_input(p, first, 0, qs);
		if (sel->whereClause)
		{
			SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));

			/* SQL filters rows before they enter the window */
			h->kind = SIDDHI_HANDLER_FILTER;
			h->filter = memberships(p, sel->whereClause);
			h->location = exprLocation(sel->whereClause);
			in->stream->handlers = lappend(in->stream->handlers, h);
		}
		if (qs->window[0] && qs->late_window)
			syntax_error_at(p, qs->late_window->location,
							"a stream can have only one window", NULL);
		add_window(in->stream, qs->window[0]);
		add_window(in->stream, qs->late_window);
		if (qs->unidir_tok[0] >= 0)
			syntax_error_at(p, p->tokens[qs->unidir_tok[0]].start,
							"UNIDIRECTIONAL is only allowed in a join", NULL);
		return in;
	}

	in->kind = SIDDHI_INPUT_JOIN;
	if (IsA(first, JoinExpr))
	{
		JoinExpr *j = (JoinExpr *) first;
		int join_loc = p->tokens[Max(qs->join_tok[1], 0)].start;

		if (j->isNatural || j->usingClause)
			not_supported(p, join_loc,
						  "NATURAL JOIN and JOIN ... USING are not supported",
						  "Write the join condition with ON.");
		if (j->alias || j->join_using_alias)
			not_supported(p, join_loc, "a join cannot have an alias", NULL);
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
				not_supported(p, join_loc,
							  "this kind of join is not supported", NULL);
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
		syntax_error_at(
			p, qs->late_window->location,
			"in a join, WINDOW must follow the stream it applies to",
			"Write FROM a WINDOW length(10) JOIN b WINDOW length(10) ON ...");
	add_window(in->stream, qs->window[0]);
	add_window(in->right, qs->window[1]);
	in->left_unidirectional = qs->unidir_tok[0] >= 0;
	in->right_unidirectional = qs->unidir_tok[1] >= 0;
	if (in->left_unidirectional && in->right_unidirectional)
		syntax_error_at(p, p->tokens[qs->unidir_tok[1]].start,
						"only one side of a join can be UNIDIRECTIONAL", NULL);

	if (sel->whereClause)
	{
		if (in->join_type != SIDDHI_JOIN_INNER)
			not_supported(p, exprLocation(sel->whereClause),
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

/* The select list and the clauses after WHERE. */
static SiddhiSelector *
transform_selector(SqlParser *p, SelectStmt *sel, QueryScan *qs, int pos)
{
	SiddhiSelector *s = palloc0(sizeof(SiddhiSelector));
	int select_loc =
		p->tokens[qs->select_tok >= 0 ? qs->select_tok : pos].start;
	ListCell *lc;

	if (sel->distinctClause)
		not_supported(p, p->tokens[qs->select_tok + 1].start,
					  "SELECT DISTINCT is not supported",
					  "Use a unique window: WINDOW UNIQUE(column).");
	if (sel->windowClause)
		not_supported(p, ((WindowDef *) linitial(sel->windowClause))->location,
					  "named window definitions are not supported",
					  "A stream window is written WINDOW name(arguments) "
					  "after the stream.");
	if (sel->lockingClause)
		not_supported(p, select_loc,
					  "FOR UPDATE and FOR SHARE are not supported", NULL);
	if (sel->limitOption == LIMIT_OPTION_WITH_TIES)
		not_supported(p, exprLocation(sel->limitCount),
					  "FETCH ... WITH TIES is not supported", NULL);
	if (sel->groupDistinct)
		not_supported(p, select_loc, "GROUP BY DISTINCT is not supported",
					  NULL);
	if (sel->targetList == NIL)
		syntax_error_at(p, select_loc, "SELECT needs a list of columns",
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
				not_supported(p, rt->location,
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
			not_supported(p, ((GroupingSet *) lfirst(lc))->location,
						  "grouping sets are not supported", NULL);
	}
	s->group_by = sel->groupClause;
	s->having = sel->havingClause;
	s->order_by = sel->sortClause;
	s->limit = sel->limitCount;
	s->offset = sel->limitOffset;
	return s;
}

/* ---------------------------------------------------------------------
 * Tables: membership subqueries, DELETE, UPDATE, INSERT .. ON CONFLICT
 * ---------------------------------------------------------------------
 */

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
		not_supported(p, sl->location, "this subquery is not supported",
					  "A subquery tests membership in one table: EXISTS "
					  "(SELECT 1 FROM t WHERE t.k = s.k) or s.k IN (SELECT "
					  "k FROM t).");
	rv = linitial(sub->fromClause);
	if (rv->schemaname || rv->catalogname)
		not_supported(p, rv->location, "a table name cannot be qualified",
					  NULL);
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
static Node *
memberships(SqlParser *p, Node *n)
{
	ListCell *lc;

	if (n == NULL)
		return NULL;
	if (IsA(n, BoolExpr))
	{
		foreach(lc, ((BoolExpr *) n)->args)
			lfirst(lc) = memberships(p, lfirst(lc));
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
				not_supported(p, sl->location,
							  "IN (SELECT ..) must compare one value", NULL);
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
			not_supported(p, sl->location,
						  "only EXISTS and IN subqueries are supported", NULL);
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
		not_supported(p, rv->location, "a table name cannot be qualified",
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
	q->input = transform_input(p, sel, qs, end);
	s->select_all = true;
	s->location = q->location;
	q->selector = s;
	return q->input;
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

/* Finish a query built from a statement (as parse_query does). */
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
			annotation_value(a, "name") != NULL)
			q->name = annotation_value(a, "name");
	}
}

/* ... and add it to the app's queries. */
static void
add_query(SqlParser *p, SiddhiQuery *q, int pos, int end, List *annotations)
{
	finish_query(p, q, pos, end, annotations);
	p->app->queries = lappend(p->app->queries, q);
}

/*
 * DELETE FROM T [[AS] t] USING <input> WHERE cond
 * UPDATE T [[AS] t] SET col = expr, .. FROM <input> WHERE cond
 *
 * For each event of <input>, delete or update the rows of T that satisfy
 * cond: SiddhiQL's `delete T on cond` and `update T set .. on cond`.
 */
static void
parse_table_change(SqlParser *p, int pos, int end, List *annotations)
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
	scan_query(p, pos, end, &pc, &qs);
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1)
		sqlstream_syntax_error(p, pos, STATEMENT_HINT);
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
				not_supported(p, rt->location,
							  "only SET column = expression is supported",
							  NULL);
		}
		out->set = u->targetList;
	}
	else
		sqlstream_syntax_error(p, pos, STATEMENT_HINT);
	if (returning)
		not_supported(p, exprLocation(linitial(returning)),
					  "RETURNING is not supported",
					  "The events a query changes a table for are not "
					  "output; watch the table, or its input stream.");
	if (with)
		not_supported(p, with->location, "WITH queries are not supported",
					  NULL);
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
	if (qs.emit_tok >= 0)
		not_supported(p, p->tokens[qs.emit_tok].start,
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
	add_query(p, q, pos, end, annotations);
}

/*
 * INSERT INTO T SELECT .. ON CONFLICT (k, ..) DO UPDATE SET col = expr, ..
 * is SiddhiQL's `update or insert into T set .. on T.k == <k of the
 * event>`: the event's row goes in unless a row of T has its key, which
 * is updated instead.  In SET, EXCLUDED.col is the event's value for
 * column col and a bare name is T's column, as in PostgreSQL.
 */
static void
upsert_output(SqlParser *p, InsertStmt *ins, SiddhiOutput *out)
{
	OnConflictClause *oc = ins->onConflictClause;
	Requalify rq = { NIL, NULL, ins->relation->relname, true };
	Node *on = NULL;
	ListCell *lc;

	if (oc->action != ONCONFLICT_UPDATE)
		not_supported(p, oc->location,
					  "ON CONFLICT DO NOTHING is not supported",
					  "Write ON CONFLICT (key) DO UPDATE SET ...");
	if (oc->infer && oc->infer->conname)
		not_supported(p, oc->infer->location,
					  "ON CONFLICT ON CONSTRAINT is not supported",
					  "Name the key columns: ON CONFLICT (key, ...).");
	if (oc->infer == NULL || oc->infer->indexElems == NIL)
		syntax_error_at(p, oc->location, "ON CONFLICT needs the key columns",
						"Write ON CONFLICT (key, ...) DO UPDATE SET ...");
	if (oc->infer->whereClause || oc->whereClause)
		not_supported(p, oc->location, "WHERE in ON CONFLICT is not supported",
					  NULL);
	foreach(lc, oc->infer->indexElems)
	{
		IndexElem *ie = lfirst(lc);
		Node *eq;

		if (ie->name == NULL)
			not_supported(p, oc->infer->location,
						  "ON CONFLICT takes column names only", NULL);
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
			not_supported(p, rt->location,
						  "only SET column = expression is supported", NULL);
		requalify(rt->val, &rq);
	}
	out->kind = SIDDHI_OUT_UPSERT;
	out->on = on;
	out->set = oc->targetList;
}

/* [INSERT INTO target] SELECT ...: tokens [pos, end). */
static void
parse_query(SqlParser *p, int pos, int end, List *annotations)
{
	SiddhiQuery *q = palloc0(sizeof(SiddhiQuery));
	SiddhiOutput *out = palloc0(sizeof(SiddhiOutput));
	QueryScan qs;
	SqlPiece pc;
	List *stmts;
	Node *raw;
	SelectStmt *sel;
	ListCell *lc;

	sqlstream_piece_init(&pc, p, pos, end, true);
	scan_query(p, pos, end, &pc, &qs);
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1)
		sqlstream_syntax_error(p, pos, STATEMENT_HINT);
	raw = linitial_node(RawStmt, stmts)->stmt;

	if (IsA(raw, InsertStmt))
	{
		InsertStmt *ins = (InsertStmt *) raw;

		if (ins->cols)
			not_supported(
				p, ((ResTarget *) linitial(ins->cols))->location,
				"a column list after INSERT INTO is not supported",
				"Name the columns in the select list: SELECT x AS col, ...");
		if (ins->returningList || ins->withClause ||
			ins->override != OVERRIDING_NOT_SET)
			not_supported(p, p->tokens[pos].start,
						  "only INSERT INTO target SELECT ... is supported",
						  NULL);
		if (ins->relation->schemaname || ins->relation->catalogname)
			not_supported(p, ins->relation->location,
						  "a stream name cannot be qualified", NULL);
		if (ins->selectStmt == NULL || !IsA(ins->selectStmt, SelectStmt))
			sqlstream_syntax_error(
				p, end, "Write INSERT INTO target SELECT ... FROM stream.");
		out->kind = SIDDHI_OUT_INSERT;
		out->target = ins->relation->relname;
		out->location = ins->relation->location;
		if (ins->onConflictClause)
			upsert_output(p, ins, out);
		sel = (SelectStmt *) ins->selectStmt;
	}
	else if (IsA(raw, SelectStmt))
	{
		out->kind = SIDDHI_OUT_RETURN;
		out->location = p->tokens[pos].start;
		sel = (SelectStmt *) raw;
	}
	else
		sqlstream_syntax_error(p, pos, STATEMENT_HINT);
	out->events = SIDDHI_EVENTS_CURRENT;

	if (sel->op != SETOP_NONE)
		not_supported(
			p, p->tokens[Max(qs.setop_tok, pos)].start,
			"UNION, INTERSECT and EXCEPT are not supported",
			"Write one query per input, inserting into the same stream.");
	if (sel->valuesLists)
		not_supported(p, p->tokens[pos].start,
					  "VALUES is not supported in a query", NULL);
	if (sel->intoClause)
		not_supported(p, sel->intoClause->rel->location,
					  "SELECT INTO is not supported",
					  "Write INSERT INTO target SELECT ...");
	if (sel->withClause)
		not_supported(p, sel->withClause->location,
					  "WITH queries are not supported", NULL);

	q->input = transform_input(p, sel, &qs, end);
	q->selector = transform_selector(p, sel, &qs, pos);
	q->output = out;
	q->emit = qs.emit;
	finish_query(p, q, pos, end, annotations);
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
}

/* One statement, tokens [first, end); end is a ';' or the end marker. */
static void
parse_statement(SqlParser *p, int first, int end)
{
	List *annotations = NIL;
	int pos = first;

	while (pos < end && is_at_sign(p, pos))
	{
		SiddhiAnnotation *a = parse_annotation(p, &pos, end);

		if (pg_strncasecmp(a->name, "app:", 4) == 0)
			add_app_annotation(p, a);
		else
			annotations = lappend(annotations, a);
	}
	if (pos == end)
	{
		if (annotations != NIL)
			syntax_error_at(
				p, ((SiddhiAnnotation *) linitial(annotations))->location,
				"an annotation must be followed by a statement",
				"Only @app:... annotations stand on their own.");
		return;
	}

	if (sqlstream_is_word(p, pos, "create"))
		parse_create(p, pos, end, annotations);
	else if (sqlstream_is_word(p, pos, "insert") ||
			 sqlstream_is_word(p, pos, "select"))
		parse_query(p, pos, end, annotations);
	else if (sqlstream_is_word(p, pos, "delete") ||
			 sqlstream_is_word(p, pos, "update"))
		parse_table_change(p, pos, end, annotations);
	else if (sqlstream_is_word(p, pos, "with"))
		not_supported(p, p->tokens[pos].start,
					  "WITH queries are not supported",
					  "Write one query per step, inserting into an "
					  "intermediate stream.");
	else
		sqlstream_syntax_error(p, pos, STATEMENT_HINT);
}

/*
 * Parse an app written in streaming SQL.  Raises ERRCODE_SIDDHI_SYNTAX_ERROR
 * (or FEATURE_NOT_SUPPORTED for what is not built yet) with a position.
 */
SiddhiApp *
sqlstream_parse(const char *source)
{
	SqlParser p;
	int start = 0;

	memset(&p, 0, sizeof(p));
	p.source = source;
	p.srclen = strlen(source);
	p.app = palloc0(sizeof(SiddhiApp));
	p.app->dialect = SIDDHI_DIALECT_SQL;
	p.app->source = source;

	sqlstream_tokenize(&p);
	for (int i = 0; i <= p.ntokens; i++)
	{
		if (i == p.ntokens || p.tokens[i].code == ';')
		{
			CHECK_FOR_INTERRUPTS();
			if (i > start)
				parse_statement(&p, start, i);
			start = i + 1;
		}
	}
	return p.app;
}
