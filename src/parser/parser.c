/*-------------------------------------------------------------------------
 *
 * parser.c
 *	  Dialect detection, the parse entry point, and source positions.
 *
 * An app is SiddhiQL when its first keyword (after comments and
 * annotations) is DEFINE, FROM or PARTITION, and streaming SQL when it is
 * CREATE, INSERT, SELECT or WITH.  Positions are byte offsets into the app
 * source; errors report them as line and column through the error
 * context installed by siddhi_source_context_push().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

/* Skip white space, comments and @annotation(...) blocks. */
static const char *
skip_prelude(const char *p)
{
	for (;;)
	{
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
			p++;
		else if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (p[0] == '/' && p[1] == '*')
		{
			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/'))
				p++;
			if (*p)
				p += 2;
		}
		else if (*p == '@')
		{
			int depth = 0;

			p++;
			while (*p && (isalnum((unsigned char) *p) || *p == '_' ||
						  *p == ':' || *p == '.'))
				p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '(')
				continue;
			do
			{
				if (*p == '(')
					depth++;
				else if (*p == ')')
					depth--;
				else if (*p == '\'' || *p == '"')
				{
					char q = *p++;

					while (*p && *p != q)
						p++;
					if (!*p)
						return p;
				}
				p++;
			} while (*p && depth > 0);
		}
		else
			return p;
	}
}

SiddhiDialect
siddhi_detect_dialect(const char *source)
{
	const char *p = skip_prelude(source);
	const char *start = p;
	int len;

	while (isalpha((unsigned char) *p))
		p++;
	len = p - start;

	if ((len == 6 && pg_strncasecmp(start, "create", 6) == 0) ||
		(len == 6 && pg_strncasecmp(start, "insert", 6) == 0) ||
		(len == 6 && pg_strncasecmp(start, "select", 6) == 0) ||
		(len == 4 && pg_strncasecmp(start, "with", 4) == 0) ||
		(len == 6 && pg_strncasecmp(start, "delete", 6) == 0) ||
		(len == 6 && pg_strncasecmp(start, "update", 6) == 0) ||
		(len == 7 && pg_strncasecmp(start, "explain", 7) == 0))
		return SIDDHI_DIALECT_SQL;
	return SIDDHI_DIALECT_SIDDHIQL;
}

SiddhiApp *
siddhi_parse_app(const char *source)
{
	SiddhiApp *app;

	if (siddhi_detect_dialect(source) == SIDDHI_DIALECT_SQL)
		app = sqlstream_parse(source);
	else
		app = siddhiql_parse(source);
	app->source = source;
	return app;
}

int
siddhi_errposition(const char *source, int location)
{
	if (location < 0 || source == NULL)
		return 0;
	return errposition(pg_mbstrlen_with_len(source, location) + 1);
}

void
siddhi_line_column(const char *source, int location, int *line, int *column)
{
	const char *p = source;
	const char *line_start = source;
	int l = 1;

	while (*p && p - source < location)
	{
		if (*p == '\n')
		{
			l++;
			line_start = p + 1;
		}
		p++;
	}
	*line = l;
	*column = pg_mbstrlen_with_len(line_start, p - line_start) + 1;
}

/* Byte offset of the cursor position (1-based characters) in source. */
static int
char_pos_to_byte(const char *source, int cursorpos)
{
	const char *p = source;
	int chars = 1;

	while (*p && chars < cursorpos)
	{
		p += pg_mblen(p);
		chars++;
	}
	return p - source;
}

static void
source_context_callback(void *arg)
{
	SiddhiSourceContext *ctx = (SiddhiSourceContext *) arg;
	int pos = geterrposition();
	int location;
	int line;
	int column;
	const char *ls;
	const char *le;
	StringInfoData caret;

	if (pos <= 0)
	{
		if (ctx->app_name)
			errcontext("app \"%s\"", ctx->app_name);
		return;
	}

	location = char_pos_to_byte(ctx->source, pos);
	siddhi_line_column(ctx->source, location, &line, &column);

	/* the offending line, tabs shown as spaces so the caret lines up */
	ls = ctx->source + location;
	while (ls > ctx->source && ls[-1] != '\n')
		ls--;
	le = ctx->source + location;
	while (*le && *le != '\n' && *le != '\r')
		le++;

	initStringInfo(&caret);
	for (const char *c = ls; c < le; c++)
		appendStringInfoChar(&caret, *c == '\t' ? ' ' : *c);
	appendStringInfoChar(&caret, '\n');
	for (int i = 1; i < column; i++)
		appendStringInfoChar(&caret, ' ');
	appendStringInfoChar(&caret, '^');

	errposition(0);
	if (ctx->app_name)
		errcontext("app \"%s\", line %d, column %d:\n%s", ctx->app_name, line,
				   column, caret.data);
	else
		errcontext("line %d, column %d:\n%s", line, column, caret.data);
}

void
siddhi_source_context_push(SiddhiSourceContext *ctx, const char *source,
						   const char *app_name)
{
	ctx->source = source;
	ctx->app_name = app_name;
	ctx->callback.callback = source_context_callback;
	ctx->callback.arg = ctx;
	ctx->callback.previous = error_context_stack;
	error_context_stack = &ctx->callback;
}

void
siddhi_source_context_pop(SiddhiSourceContext *ctx)
{
	Assert(error_context_stack == &ctx->callback);
	error_context_stack = ctx->callback.previous;
}

SiddhiAnnotationElement *
siddhi_annotation_element(const SiddhiAnnotation *a, const char *key)
{
	ListCell *lc;

	foreach(lc, a->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (key == NULL ? e->key == NULL
						: (e->key != NULL && pg_strcasecmp(e->key, key) == 0))
			return e;
	}
	return NULL;
}
