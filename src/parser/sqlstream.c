/*-------------------------------------------------------------------------
 *
 * sqlstream.c
 *	  Streaming SQL front end (minimal: CREATE STREAM, CREATE TABLE,
 *	  INSERT INTO .. SELECT .. FROM .. WHERE ..).
 *
 * The text is handed to PostgreSQL's raw parser with "CREATE STREAM"
 * rewritten in place to "CREATE TABLE " (same length, so every location
 * still points into the app source).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

static char *
downcase(const char *s)
{
	char *r = pstrdup(s);

	for (char *p = r; *p; p++)
		*p = pg_tolower((unsigned char) *p);
	return r;
}

static void
unsupported(const char *source, int location, const char *what)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("%s is not supported in streaming SQL", what),
					siddhi_errposition(source, location)));
}

/* Next case-insensitive occurrence of word (ASCII) in s, or NULL. */
static char *
find_word(char *s, const char *word)
{
	size_t len = strlen(word);

	for (; *s; s++)
		if (pg_strncasecmp(s, word, len) == 0)
			return s;
	return NULL;
}

static SiddhiDefinition *
definition_from_create(const char *source, CreateStmt *cs, bool stream)
{
	SiddhiDefinition *d = palloc0(sizeof(SiddhiDefinition));
	ListCell *lc;

	d->kind = stream ? SIDDHI_DEF_STREAM : SIDDHI_DEF_TABLE;
	d->name = downcase(cs->relation->relname);
	d->location = cs->relation->location;
	foreach(lc, cs->tableElts)
	{
		Node *n = lfirst(lc);

		if (IsA(n, ColumnDef))
		{
			ColumnDef *cd = (ColumnDef *) n;
			SiddhiAttribute *a = palloc0(sizeof(SiddhiAttribute));
			ListCell *c;

			a->name = cd->colname;
			a->type = cd->typeName;
			a->location = cd->location;
			d->attributes = lappend(d->attributes, a);
			foreach(c, cd->constraints)
			{
				Constraint *con = lfirst(c);

				if (con->contype == CONSTR_PRIMARY && !stream)
					d->primary_key =
						lappend(d->primary_key, makeString(cd->colname));
			}
		}
		else if (IsA(n, Constraint) &&
				 ((Constraint *) n)->contype == CONSTR_PRIMARY && !stream)
			d->primary_key =
				list_concat(d->primary_key, ((Constraint *) n)->keys);
		else
			unsupported(source, exprLocation(n), "this table element");
	}
	return d;
}

static SiddhiQuery *
query_from_insert(const char *source, InsertStmt *ins, int location)
{
	SiddhiQuery *q = palloc0(sizeof(SiddhiQuery));
	SelectStmt *sel = (SelectStmt *) ins->selectStmt;
	SiddhiStreamInput *in = palloc0(sizeof(SiddhiStreamInput));
	RangeVar *from;
	ListCell *lc;

	q->location = location;
	if (sel == NULL || !IsA(sel, SelectStmt) || sel->valuesLists)
		unsupported(source, location, "INSERT without SELECT");
	if (ins->cols)
		unsupported(source, location, "a column list after INSERT INTO");
	if (list_length(sel->fromClause) != 1 ||
		!IsA(linitial(sel->fromClause), RangeVar))
		unsupported(source, location, "a FROM clause other than one stream");
	from = linitial(sel->fromClause);
	in->stream = downcase(from->relname);
	in->alias = from->alias ? from->alias->aliasname : NULL;
	in->location = from->location;
	if (sel->whereClause)
	{
		SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));

		h->kind = SIDDHI_HANDLER_FILTER;
		h->filter = sel->whereClause;
		h->location = exprLocation(sel->whereClause);
		in->handlers = list_make1(h);
	}
	q->input = palloc0(sizeof(SiddhiInput));
	q->input->kind = SIDDHI_INPUT_STREAM;
	q->input->stream = in;
	q->input->location = from->location;

	q->selector = palloc0(sizeof(SiddhiSelector));
	foreach(lc, sel->targetList)
	{
		ResTarget *rt = lfirst(lc);

		if (IsA(rt->val, ColumnRef) &&
			IsA(llast(((ColumnRef *) rt->val)->fields), A_Star))
		{
			q->selector->select_all = true;
			continue;
		}
		q->selector->targets = lappend(q->selector->targets, rt);
	}
	q->selector->group_by = sel->groupClause;
	q->selector->having = sel->havingClause;
	q->selector->order_by = sel->sortClause;
	q->selector->limit = sel->limitCount;
	q->selector->offset = sel->limitOffset;

	q->output = palloc0(sizeof(SiddhiOutput));
	q->output->kind = SIDDHI_OUT_INSERT;
	q->output->target = downcase(ins->relation->relname);
	q->output->location = ins->relation->location;
	q->output->events = SIDDHI_EVENTS_CURRENT;
	q->emit = SIDDHI_EMIT_CHANGES;
	return q;
}

SiddhiApp *
sqlstream_parse(const char *source)
{
	SiddhiApp *app = palloc0(sizeof(SiddhiApp));
	char *text = pstrdup(source);
	List *stmts;
	List *streams = NIL;
	ListCell *lc;

	app->dialect = SIDDHI_DIALECT_SQL;
	app->source = source;

	/* CREATE STREAM -> CREATE TABLE, keeping every byte offset */
	for (char *p = text; (p = find_word(p, "stream")) != NULL; p += 6)
	{
		char *q = p - 1;

		while (q > text &&
			   (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q--;
		if (q - text >= 5 && pg_strncasecmp(q - 5, "create", 6) == 0 &&
			!(p[6] == '_' || isalnum((unsigned char) p[6])))
		{
			memcpy(p, "TABLE ", 6);
			streams = lappend_int(streams, p - text);
		}
	}
	stmts = raw_parser(text, RAW_PARSE_DEFAULT);
	foreach(lc, stmts)
	{
		RawStmt *raw = lfirst(lc);
		Node *n = raw->stmt;

		if (IsA(n, CreateStmt))
		{
			CreateStmt *cs = (CreateStmt *) n;
			bool stream = false;
			ListCell *o;

			foreach(o, streams)
				if (lfirst_int(o) >= raw->stmt_location &&
					(raw->stmt_len == 0 ||
					 lfirst_int(o) < raw->stmt_location + raw->stmt_len))
					stream = true;

			app->definitions = lappend(
				app->definitions, definition_from_create(source, cs, stream));
		}
		else if (IsA(n, InsertStmt))
			app->queries = lappend(app->queries,
								   query_from_insert(source, (InsertStmt *) n,
													 raw->stmt_location));
		else
			unsupported(source, raw->stmt_location, "this statement");
	}
	return app;
}
