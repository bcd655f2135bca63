/*-------------------------------------------------------------------------
 *
 * sqlstream.c
 *	  The streaming SQL front end: statements of an app into a SiddhiApp.
 *
 * An app is a list of statements separated by semicolons, each optionally
 * preceded by SiddhiQL-style annotations:
 *
 *	CREATE STREAM name (col type, ...) [WITH (key = 'value', ...)]
 *	CREATE SOURCE | SINK name (col type, ...) WITH (type = '..', ..) [MAP (..)]
 *	CREATE TABLE name (col type [PRIMARY KEY], ..., [PRIMARY KEY (a, b)])
 *	CREATE WINDOW name (col type, ...) <window> [OUTPUT ... EVENTS]
 *	CREATE INDEX ON table (col)
 *	[INSERT INTO target] SELECT ... FROM <input> ... [EMIT CHANGES|FINAL]
 *		[SINK (type = '..', ..) [MAP (..)]]
 *	INSERT INTO table SELECT ... ON CONFLICT (key) DO UPDATE SET ...
 *	DELETE FROM table USING <input> WHERE cond
 *	UPDATE table SET col = expr, ... FROM <input> WHERE cond
 *
 * Our clause structure is recognised on PostgreSQL's token stream
 * (sqlstream_lex.c); the SQL parts go through raw_parser().  This file
 * splits the app into statements, reads the annotations before each and
 * hands the statement to the file of its kind:
 *
 *	sqlstream_define.c		CREATE STREAM / TABLE / WINDOW / INDEX / TRIGGER
 *	sqlstream_aggregation.c	CREATE AGGREGATION
 *	sqlstream_query.c		[INSERT INTO ..] SELECT (with sqlstream_scan.c)
 *	sqlstream_table.c		DELETE, UPDATE, ON CONFLICT, table subqueries
 *	sqlstream_options.c		annotations and WITH (...) options
 *	sqlstream_connector.c	sources and sinks: WITH (connector ..), MAP, SINK
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

/*
 * A construct we do not support (yet), at a byte offset of the source:
 * FEATURE_NOT_SUPPORTED with the position.
 */
void
sqlstream_not_supported(SqlParser *p, int location, const char *what,
						const char *hint)
{
	ereport(ERROR, errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s", what),
			hint ? errhint("%s", hint) : 0,
			siddhi_errposition(p->source, location));
	pg_unreachable();
}

/* A syntax error with our own message at a byte offset of the source. */
void
sqlstream_syntax_error_at(SqlParser *p, int location, const char *msg,
						  const char *hint)
{
	ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR), errmsg("%s", msg),
			hint ? errhint("%s", hint) : 0,
			siddhi_errposition(p->source, location));
	pg_unreachable();
}

static void
parse_create(SqlParser *p, int pos, int end, List *annotations)
{
	int kw = pos + 1;
	static const char *const later[][2] = {
		{ "function", "FUNCTION" },
	};

	if (sqlstream_is_word(p, kw, "stream"))
		sqlstream_define_relation(p, pos, end, SIDDHI_DEF_STREAM,
								  SQL_CONNECTOR_NONE, annotations);
	else if (sqlstream_is_word(p, kw, "source"))
		sqlstream_define_relation(p, pos, end, SIDDHI_DEF_STREAM,
								  SQL_CONNECTOR_SOURCE, annotations);
	else if (sqlstream_is_word(p, kw, "sink"))
		sqlstream_define_relation(p, pos, end, SIDDHI_DEF_STREAM,
								  SQL_CONNECTOR_SINK, annotations);
	else if (sqlstream_is_word(p, kw, "table"))
		sqlstream_define_relation(p, pos, end, SIDDHI_DEF_TABLE,
								  SQL_CONNECTOR_NONE, annotations);
	else if (sqlstream_is_word(p, kw, "window"))
		sqlstream_define_relation(p, pos, end, SIDDHI_DEF_WINDOW,
								  SQL_CONNECTOR_NONE, annotations);
	else if (sqlstream_is_word(p, kw, "index"))
		sqlstream_create_index(p, pos, end, annotations);
	else if (sqlstream_is_word(p, kw, "aggregation"))
		sqlstream_create_aggregation(p, pos, end, annotations);
	else if (sqlstream_is_word(p, kw, "trigger"))
		sqlstream_create_trigger(p, pos, end, annotations);
	else
	{
		for (int i = 0; i < lengthof(later); i++)
			if (sqlstream_is_word(p, kw, later[i][0]))
				sqlstream_not_supported(
					p, p->tokens[kw].start,
					psprintf("CREATE %s is not supported yet", later[i][1]),
					NULL);
		sqlstream_syntax_error(p, Min(kw, end), SQLSTREAM_STATEMENT_HINT);
	}
}

/*
 * EXPLAIN <query statement>: the statement parses as without it, and the
 * queries it adds (a WITH adds one per subquery, a PARTITION BY its
 * partition's) are marked; the analyzer and deploy decide what that means.
 */
static void
parse_explain(SqlParser *p, int pos, int end, List *annotations)
{
	int nqueries = list_length(p->app->queries);
	int npartitions = list_length(p->app->partitions);
	ListCell *lc;

	if (pos == end || !(sqlstream_is_word(p, pos, "insert") ||
						sqlstream_is_word(p, pos, "select") ||
						sqlstream_is_word(p, pos, "with") ||
						sqlstream_is_word(p, pos, "delete") ||
						sqlstream_is_word(p, pos, "update")))
		sqlstream_syntax_error_at(
			p, p->tokens[pos].start, "EXPLAIN must be followed by a query",
			"Write EXPLAIN before INSERT INTO, SELECT, WITH, DELETE FROM or "
			"UPDATE.");
	if (sqlstream_is_word(p, pos, "delete") ||
		sqlstream_is_word(p, pos, "update"))
		sqlstream_parse_table_change(p, pos, end, annotations);
	else
		sqlstream_parse_query(p, pos, end, annotations);
	for_each_from(lc, p->app->queries, nqueries)((SiddhiQuery *) lfirst(lc))
		->explain = true;
	for_each_from(lc, p->app->partitions, npartitions)
	{
		ListCell *q;

		foreach(q, ((SiddhiPartition *) lfirst(lc))->queries)
			((SiddhiQuery *) lfirst(q))->explain = true;
	}
}

/* One statement, tokens [first, end); end is a ';' or the end marker. */
static void
parse_statement(SqlParser *p, int first, int end)
{
	List *annotations = NIL;
	int pos = first;

	while (pos < end && sqlstream_is_at_sign(p, pos))
	{
		SiddhiAnnotation *a = sqlstream_parse_annotation(p, &pos, end);

		if (pg_strncasecmp(a->name, "app:", 4) == 0)
			sqlstream_add_app_annotation(p, a);
		else
			annotations = lappend(annotations, a);
	}
	if (pos == end)
	{
		if (annotations != NIL)
			sqlstream_syntax_error_at(
				p, ((SiddhiAnnotation *) linitial(annotations))->location,
				"an annotation must be followed by a statement",
				"Only @app:... annotations stand on their own.");
		return;
	}

	if (sqlstream_is_word(p, pos, "create"))
		parse_create(p, pos, end, annotations);
	else if (sqlstream_is_word(p, pos, "explain"))
		parse_explain(p, pos + 1, end, annotations);
	else if (sqlstream_is_word(p, pos, "insert") ||
			 sqlstream_is_word(p, pos, "select") ||
			 sqlstream_is_word(p, pos, "with"))
		sqlstream_parse_query(p, pos, end, annotations);
	else if (sqlstream_is_word(p, pos, "delete") ||
			 sqlstream_is_word(p, pos, "update"))
		sqlstream_parse_table_change(p, pos, end, annotations);
	else
		sqlstream_syntax_error(p, pos, SQLSTREAM_STATEMENT_HINT);
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
	sqlstream_attach_sinks(&p);
	sqlstream_window_columns(&p);
	return p.app;
}
