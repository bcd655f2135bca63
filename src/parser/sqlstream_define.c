/*-------------------------------------------------------------------------
 *
 * sqlstream_define.c
 *	  Definitions: CREATE STREAM, TABLE, WINDOW, INDEX and TRIGGER.
 *
 * CREATE STREAM and CREATE WINDOW overwrite their keyword with "TABLE "
 * (same length) so that the column list parses as a PostgreSQL CREATE
 * TABLE; the raw CreateStmt is taken apart into a SiddhiDefinition.  What
 * follows the columns (WITH options, a window's spec and OUTPUT clause) is
 * read from the tokens.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

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
		sqlstream_not_supported(p, tn->location,
								"SETOF is not allowed in a column definition",
								NULL);
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
				sqlstream_not_supported(
					p, cd->collClause->location,
					"COLLATE is not supported in a column definition", NULL);
			if (cd->fdwoptions || cd->compression)
				sqlstream_not_supported(
					p, cd->location, "column options are not supported", NULL);
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
					sqlstream_not_supported(
						p, c->location,
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
				sqlstream_not_supported(
					p, c->location,
					"constraints other than PRIMARY KEY are not supported",
					NULL);
			if (c->including || c->options || c->indexspace)
				sqlstream_not_supported(
					p, c->location, "PRIMARY KEY options are not supported",
					NULL);
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
			sqlstream_not_supported(
				p, def->location,
				"only columns and PRIMARY KEY are allowed in a definition",
				NULL);
	}
	if (def->attributes == NIL)
		sqlstream_syntax_error_at(p, def->location,
								  psprintf("a %s needs at least one column",
										   def_kind_name(def->kind)),
								  NULL);
}

/*
 * CREATE STREAM | TABLE | WINDOW | SOURCE | SINK name (columns) ...;
 * tokens [pos, end), 'kw' is the STREAM/TABLE/... token.  A source or a
 * sink is a stream ('role' says which); its connector, and that of a
 * stream whose WITH names one, is made by sqlstream_connector.c.
 */
void
sqlstream_define_relation(SqlParser *p, int pos, int end, SiddhiDefKind kind,
						  SqlConnectorRole role, List *annotations)
{
	SiddhiDefinition *def = palloc0(sizeof(SiddhiDefinition));
	int kw = pos + 1;
	int open = kw + 1;
	int close;
	SqlPiece pc;
	List *stmts;
	CreateStmt *cs;
	int tok;
	SiddhiAnnotation *map = NULL;
	const char *hint =
		role != SQL_CONNECTOR_NONE
			? psprintf("Write CREATE %s name (column type, ...) WITH (type = "
					   "'kafka', key = 'value', ...) [MAP (type = 'json', "
					   "...)].",
					   role == SQL_CONNECTOR_SOURCE ? "SOURCE" : "SINK")
			: psprintf("Write CREATE %s name (column type, ...)%s.",
					   kind == SIDDHI_DEF_STREAM  ? "STREAM"
					   : kind == SIDDHI_DEF_TABLE ? "TABLE"
												  : "WINDOW",
					   kind == SIDDHI_DEF_WINDOW ? " TUMBLING(1 hour)" : "");

	Assert(role == SQL_CONNECTOR_NONE || kind == SIDDHI_DEF_STREAM);

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
	if (kind == SIDDHI_DEF_STREAM && role == SQL_CONNECTOR_NONE &&
		open == kw + 2 && sqlstream_is_word(p, open, "from") &&
		sqlstream_is_word(p, open + 1, "table"))
	{
		sqlstream_stream_from_table(p, kw, end, annotations);
		return;
	}
	if (kind == SIDDHI_DEF_WINDOW && open == kw + 2 && open < end &&
		!sqlstream_is_char(p, open, '('))
	{
		/* CREATE WINDOW w TUMBLING(..): columns from the query filling it */
		sqlstream_columnless_window(p, kw + 1, def);
		def->kind = kind;
		def->annotations = annotations;
		tok = open;
	}
	else
	{
		if (open >= end || !sqlstream_is_char(p, open, '('))
			sqlstream_syntax_error(p, Min(open, end), hint);
		close = sqlstream_match_close(p, open, end);

		sqlstream_piece_init(&pc, p, pos, close + 1, false);
		if (role != SQL_CONNECTOR_NONE)
		{
			/* SINK is shorter than TABLE: write over CREATE SOURCE | SINK */
			sqlstream_piece_kill(&pc, pos, kw + 1);
			sqlstream_piece_put(&pc, p->tokens[kw].end - 12, "CREATE TABLE");
		}
		else if (kind != SIDDHI_DEF_TABLE)
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
			sqlstream_not_supported(
				p, def->location,
				psprintf("a %s name cannot be qualified", def_kind_name(kind)),
				"Apps create their streams and tables in the schema they are "
				"deployed into.");
		transform_columns(p, cs, def);
		/* what follows the columns is ours */
		tok = close + 1;
	}
	if (kind == SIDDHI_DEF_WINDOW)
		def->window_output = SIDDHI_EVENTS_ALL; /* Siddhi's default */
	while (tok < end)
	{
		if (sqlstream_is_word(p, tok, "with"))
			def->annotations =
				lappend(def->annotations, sqlstream_parse_with(p, &tok, end));
		else if (kind == SIDDHI_DEF_STREAM && map == NULL &&
				 sqlstream_is_word(p, tok, "map") &&
				 sqlstream_is_char(p, tok + 1, '(') && tok + 1 < end)
			map = sqlstream_parse_map(p, &tok, end);
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
			sqlstream_syntax_error(
				p, tok,
				kind == SIDDHI_DEF_WINDOW || role != SQL_CONNECTOR_NONE ? hint
				: kind == SIDDHI_DEF_STREAM
					? "Only WITH (key = 'value', ...) and, with a connector, "
					  "MAP (type = '...', ...) may follow the columns."
					: "Only WITH (key = 'value', ...) may follow the "
					  "columns.");
	}
	if (kind == SIDDHI_DEF_WINDOW && def->window == NULL)
		sqlstream_syntax_error(p, end, hint);
	if (kind == SIDDHI_DEF_WINDOW)
		sqlstream_window_queryable(p, def);
	if (kind == SIDDHI_DEF_STREAM)
		sqlstream_define_connector(p, def, role, p->tokens[kw].start, map,
								   hint);

	p->app->definitions = lappend(p->app->definitions, def);
}

static SiddhiAnnotationElement *
element(const char *key, const char *value, int location)
{
	SiddhiAnnotationElement *e = palloc0(sizeof(SiddhiAnnotationElement));

	e->key = pstrdup(key);
	e->value = pstrdup(value);
	e->location = location;
	return e;
}

/*
 * CREATE STREAM s FROM TABLE t [WITH (operations = '..', ..)]: a stream
 * fed by the changes of table t (a cdc source, as CREATE SOURCE s (..)
 * WITH (type = 'postgresql', table = 't', ..) writes it); no columns: the
 * analyzer takes them from the table (op, its columns, before_<column>).
 */
void
sqlstream_stream_from_table(SqlParser *p, int kw, int end, List *annotations)
{
	SiddhiDefinition *def = palloc0(sizeof(SiddhiDefinition));
	SiddhiAnnotation *with = NULL;
	StringInfoData table;
	int tok = kw + 4; /* STREAM s FROM TABLE ^ */
	int table_loc;
	const char *hint = "Write CREATE STREAM name FROM TABLE table [WITH "
					   "(operations = 'insert,update,delete')].";

	def->kind = SIDDHI_DEF_STREAM;
	def->name = pstrdup(p->tokens[kw + 1].str);
	def->location = p->tokens[kw + 1].start;
	initStringInfo(&table);
	if (tok >= end || !sqlstream_is_name(p, tok))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	table_loc = p->tokens[tok].start;
	for (;;)
	{
		appendStringInfoString(&table, sqlstream_token_text(p, tok));
		tok++;
		if (tok + 1 < end && sqlstream_is_char(p, tok, '.') &&
			sqlstream_is_name(p, tok + 1))
		{
			appendStringInfoChar(&table, '.');
			tok++;
		}
		else
			break;
	}
	if (tok < end && sqlstream_is_word(p, tok, "with"))
		with = sqlstream_parse_with(p, &tok, end);
	if (tok < end)
		sqlstream_syntax_error(p, tok, hint);
	if (with == NULL)
	{
		with = palloc0(sizeof(SiddhiAnnotation));
		with->name = pstrdup("with");
		with->location = table_loc;
	}
	with->elements =
		lcons(element("table", table.data, table_loc), with->elements);
	with->elements =
		lcons(element("connector", "postgresql", p->tokens[kw].start),
			  with->elements);
	def->annotations = lappend(annotations, with);
	sqlstream_define_connector(p, def, SQL_CONNECTOR_NONE, p->tokens[kw].start,
							   NULL, hint);
	p->app->definitions = lappend(p->app->definitions, def);
}

/* CREATE INDEX ON table (column): adds to an earlier table's indexes. */
void
sqlstream_create_index(SqlParser *p, int pos, int end, List *annotations)
{
	SqlPiece pc;
	List *stmts;
	IndexStmt *is;
	IndexElem *elem;
	SiddhiDefinition *table = NULL;
	ListCell *lc;

	if (annotations != NIL)
		sqlstream_syntax_error_at(
			p, ((SiddhiAnnotation *) linitial(annotations))->location,
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
		sqlstream_not_supported(
			p, is->relation->location,
			"only CREATE INDEX ON table (column) is supported", NULL);
	if (list_length(is->indexParams) != 1)
		sqlstream_not_supported(p, is->relation->location,
								"an index covers one column",
								"Write one CREATE INDEX per column.");
	elem = linitial_node(IndexElem, is->indexParams);
	if (elem->name == NULL)
		sqlstream_not_supported(p, is->relation->location,
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

/*
 * CREATE TRIGGER name AT START | AT EVERY <duration> | AT 'cron': SiddhiQL's
 * define trigger, a stream name (triggered_time BIGINT) fed by a timer.
 */
void
sqlstream_create_trigger(SqlParser *p, int pos, int end, List *annotations)
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
