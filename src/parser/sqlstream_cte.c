/*-------------------------------------------------------------------------
 *
 * sqlstream_cte.c
 *	  WITH queries, subqueries in FROM, and FOR SYSTEM_TIME AS OF.
 *
 * A stream query has no relation to read a subquery from: each WITH query
 * (`WITH h AS (SELECT .. FROM S ..)`) and each subquery in FROM
 * (`FROM (SELECT .. FROM S ..) AS h`) becomes a query of its own that
 * inserts into a generated stream, and the query that names it reads that
 * stream.  The generated query comes before its reader in the app, so the
 * analyzer infers the stream's columns before the reader is analyzed, and
 * it is marked `generated` (it takes no number among query1, query2, ..).
 *
 * Generated names: `cte_<name>` for a WITH query and `subquery` for a
 * subquery in FROM, with `_2`, `_3`, .. added while the name is any name
 * written in the app (every identifier token) or one generated earlier, so
 * it never clashes with a stream, table or query the user names.  A WITH
 * name is resolved while its statement is parsed (p->ctes): it shadows a
 * stream of the same name, as a WITH name shadows a table in SQL, and the
 * name becomes the reader's alias.  A subquery's text in the statement is
 * replaced by its generated name (the text is always longer: it is at
 * least `(select*from s)`), so raw_parser() sees FROM subquery AS h.
 *
 * `JOIN T FOR SYSTEM_TIME AS OF s.ts` is found here by the query scan and
 * kept in the side's `as_of`; the analyzer gives it its meaning
 * (src/analyzer/analyze_join.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/hsearch.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

/* A WITH name in scope and the stream it stands for. */
typedef struct SqlCte
{
	char *name;
	char *stream;
} SqlCte;

/*
 * base, or base_2, base_3 ..: a name nobody wrote in the app.  The names
 * in use (every identifier or string of the app short enough to be a
 * name, and the names generated so far) are a hash set built once, so
 * many subqueries cost linear time.
 */
char *
sqlstream_generated_name(SqlParser *p, const char *base)
{
	if (p->names_used == NULL)
	{
		HASHCTL ctl;

		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = NAMEDATALEN;
		ctl.hcxt = CurrentMemoryContext;
		p->names_used = hash_create("siddhi sql names", 256, &ctl,
									HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		for (int i = 0; i < p->ntokens; i++)
			if (p->tokens[i].str && strlen(p->tokens[i].str) < NAMEDATALEN)
				hash_search(p->names_used, p->tokens[i].str, HASH_ENTER, NULL);
	}
	for (int k = 1;; k++)
	{
		char *name = k == 1 ? pstrdup(base) : psprintf("%s_%d", base, k);
		bool found;

		CHECK_FOR_INTERRUPTS();
		Assert(strlen(name) < NAMEDATALEN);
		hash_search(p->names_used, name, HASH_ENTER, &found);
		if (!found)
			return name;
		pfree(name);
	}
}

/*
 * The SELECT at tokens [first, last) as a query inserting into a new
 * stream named after base; returns the stream's name.
 */
static char *
generated_query(SqlParser *p, int first, int last, const char *base,
				const char *what)
{
	int nqueries PG_USED_FOR_ASSERTS_ONLY = list_length(p->app->queries);
	int npartitions = list_length(p->app->partitions);
	SiddhiQuery *q;
	char *stream;

	if (!sqlstream_is_word(p, first, "select"))
		sqlstream_syntax_error(
			p, first, psprintf("%s is a SELECT ... FROM stream ...", what));
	/* each level parses its own text again: keep nesting shallow */
	check_stack_depth();
	if (p->subquery_depth >= SQLSTREAM_MAX_SUBQUERY_DEPTH)
		sqlstream_not_supported(
			p, p->tokens[first].start,
			psprintf("WITH queries and subqueries nested more than %d deep "
					 "are not supported",
					 SQLSTREAM_MAX_SUBQUERY_DEPTH),
			"Write the inner steps as WITH queries side by side, each "
			"reading the one before.");
	p->subquery_depth++;
	sqlstream_parse_query(p, first, last, NIL);
	p->subquery_depth--;
	if (list_length(p->app->partitions) != npartitions)
		sqlstream_not_supported(
			p, p->tokens[first].start,
			"PARTITION BY is not supported in a WITH query or a subquery",
			"Partition the query that reads it.");
	Assert(list_length(p->app->queries) == nqueries + 1);
	q = llast(p->app->queries);
	Assert(q->output->kind == SIDDHI_OUT_RETURN);
	stream = sqlstream_generated_name(p, base);
	q->output->kind = SIDDHI_OUT_INSERT;
	q->output->target = stream;
	q->name = stream;
	q->generated = true;
	return stream;
}

/*
 * WITH name AS (SELECT ..) [, ..] <query>: tokens [pos, end), pos at
 * WITH.  Each WITH query becomes a generated query; the query after the
 * clause reads their streams by their names.
 */
void
sqlstream_parse_with_query(SqlParser *p, int pos, int end, List *annotations)
{
	List *saved = p->ctes;
	List *mine = NIL;
	int i = pos + 1;

	if (sqlstream_is_word(p, i, "recursive"))
		sqlstream_not_supported(
			p, p->tokens[i].start, "WITH RECURSIVE is not supported",
			"Write each step as a query of its own, inserting into a "
			"stream the next one reads.");
	for (;;)
	{
		int name_tok = i;
		int open;
		int close;
		SqlCte *c;
		ListCell *lc;

		if (!sqlstream_is_name(p, i) || sqlstream_is_word(p, i, "select"))
			sqlstream_syntax_error(
				p, i,
				"Write WITH name AS (SELECT ... FROM stream) SELECT ... "
				"FROM name.");
		i++;
		if (sqlstream_is_char(p, i, '('))
			sqlstream_not_supported(
				p, p->tokens[i].start,
				"column names after the name of a WITH query are not "
				"supported",
				"Name the columns in its select list: SELECT x AS name, ...");
		if (!sqlstream_is_word(p, i, "as"))
			sqlstream_syntax_error(p, i, "Write WITH name AS (SELECT ...).");
		i++;
		if (sqlstream_is_word(p, i, "materialized") ||
			(sqlstream_is_word(p, i, "not") &&
			 sqlstream_is_word(p, i + 1, "materialized")))
			sqlstream_not_supported(
				p, p->tokens[i].start,
				"MATERIALIZED and NOT MATERIALIZED are not supported",
				"A WITH query is always a stream of its own: leave it out.");
		if (!sqlstream_is_char(p, i, '('))
			sqlstream_syntax_error(p, i, "Write WITH name AS (SELECT ...).");
		open = i;
		close = sqlstream_match_close(p, open, end);
		foreach(lc, mine)
			if (strcmp(((SqlCte *) lfirst(lc))->name,
					   p->tokens[name_tok].str) == 0)
				sqlstream_syntax_error_at(
					p, p->tokens[name_tok].start,
					psprintf("WITH query name \"%s\" specified more than once",
							 p->tokens[name_tok].str),
					NULL);
		c = palloc0(sizeof(SqlCte));
		c->name = p->tokens[name_tok].str;
		/* the body sees the WITH queries before it, not itself */
		c->stream =
			generated_query(p, open + 1, close, psprintf("cte_%.40s", c->name),
							"A WITH query");
		mine = lappend(mine, c);
		p->ctes = lcons(c, p->ctes);
		i = close + 1;
		if (!sqlstream_is_char(p, i, ','))
			break;
		i++;
	}
	if (i >= end)
		sqlstream_syntax_error(p, i,
							   "A WITH clause is followed by the query that "
							   "reads it: WITH h AS (...) SELECT ... FROM h.");
	if (!sqlstream_is_word(p, i, "select") &&
		!sqlstream_is_word(p, i, "insert"))
		sqlstream_syntax_error(
			p, i,
			"A WITH clause is followed by SELECT or INSERT INTO ... SELECT.");
	sqlstream_parse_query(p, i, end, annotations);
	p->ctes = saved;
}

/* A FROM item naming a WITH query reads its stream, the name its alias. */
void
sqlstream_resolve_cte(SqlParser *p, SiddhiStreamInput *in)
{
	ListCell *lc;

	foreach(lc, p->ctes)
	{
		SqlCte *c = lfirst(lc);

		if (strcmp(c->name, in->stream) == 0)
		{
			if (in->alias == NULL)
				in->alias = c->name;
			in->stream = c->stream;
			return;
		}
	}
}

/*
 * A subquery in FROM, its '(' at token open: a generated query, and its
 * text in the piece replaced by the stream's name.  Returns the ')'.
 */
int
sqlstream_from_subquery(SqlParser *p, int open, int end, SqlPiece *pc)
{
	int close = sqlstream_match_close(p, open, end);
	char *stream;

	if (!sqlstream_is_word(p, close + 1, "as") &&
		!(close + 1 < end && p->tokens[close + 1].code == IDENT))
		sqlstream_syntax_error_at(p, p->tokens[open].start,
								  "a subquery in FROM must have an alias",
								  "Write FROM (SELECT ...) AS name.");
	stream =
		generated_query(p, open + 1, close, "subquery", "A subquery in FROM");
	if ((int) strlen(stream) > p->tokens[close].end - p->tokens[open].start)
		elog(ERROR, "no room for the name of subquery \"%s\"", stream);
	sqlstream_piece_kill(pc, open, close + 1);
	sqlstream_piece_put(pc, p->tokens[open].start, stream);
	return close;
}

/* Whether a token ends the expression of FOR SYSTEM_TIME AS OF. */
static bool
ends_as_of(SqlParser *p, int tok)
{
	static const char *const words[] = {
		"as",	 "on",	  "join",  "inner",	  "left",	"right",	 "full",
		"cross", "where", "group", "having",  "order",	"limit",	 "window",
		"emit",	 "union", "using", "natural", "offset", "partition",
	};
	int code = p->tokens[tok].code;
	int prev = p->tokens[tok - 1].code;

	if (code == ',' || code == ')' || code == ';' || code == 0)
		return true;
	for (int i = 0; i < lengthof(words); i++)
		if (sqlstream_is_word(p, tok, words[i]))
			return true;
	/* an alias without AS: a name right after an operand */
	return code == IDENT && (prev == IDENT || prev == ')' || prev == ICONST ||
							 prev == FCONST || prev == SCONST);
}

/*
 * FOR SYSTEM_TIME AS OF <expr> after a FROM item, FOR at token tok:
 * the expression into *as_of, the clause blanked.  Returns the token
 * after it.
 */
int
sqlstream_scan_as_of(SqlParser *p, int tok, int end, SqlPiece *pc,
					 Node **as_of)
{
	int first = tok + 4;
	int last = first;
	int depth = 0;

	if (!sqlstream_is_word(p, tok + 2, "as") ||
		!sqlstream_is_word(p, tok + 3, "of"))
		sqlstream_syntax_error(p, tok + 2,
							   "Write FOR SYSTEM_TIME AS OF s.time_column.");
	if (*as_of != NULL)
		sqlstream_syntax_error_at(p, p->tokens[tok].start,
								  "FOR SYSTEM_TIME AS OF is given twice",
								  NULL);
	for (; last < end; last++)
	{
		int code = p->tokens[last].code;

		if (depth == 0 && last > first && ends_as_of(p, last))
			break;
		if (code == '(' || code == '[')
			depth++;
		else if (code == ')' || code == ']')
		{
			if (depth == 0)
				break;
			depth--;
		}
	}
	if (last == first)
		sqlstream_syntax_error(p, last,
							   "Write FOR SYSTEM_TIME AS OF s.time_column.");
	*as_of = sqlstream_parse_expr(p, first, last);
	sqlstream_piece_kill(pc, tok, last);
	return last;
}
