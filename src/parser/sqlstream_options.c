/*-------------------------------------------------------------------------
 *
 * sqlstream_options.c
 *	  Annotations and WITH (...) option lists of the streaming SQL dialect.
 *
 * @name(key = 'value', 'positional', @nested(..)) before a statement, as
 * SiddhiQL writes them (names and keys keep their case), and WITH (key =
 * value, ...) after a definition (keys fold like SQL identifiers), both
 * into SiddhiAnnotation.  @app:... annotations go to the app.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

bool
sqlstream_is_at_sign(SqlParser *p, int tok)
{
	return p->tokens[tok].code == Op && strcmp(p->tokens[tok].str, "@") == 0;
}

/*
 * A value in an annotation or a WITH list: a string, a number, or a
 * bare word (true, false, ...).  Returns NULL when the token is none.
 */
char *
sqlstream_option_value(SqlParser *p, int *pos, int end)
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
 * their case), else folded like SQL identifiers; or a 'string' (kept as
 * written), for keys no identifier can spell.  'hint' goes with a syntax
 * error.
 */
char *
sqlstream_option_key(SqlParser *p, int *pos, int end, bool as_written,
					 const char *hint)
{
	StringInfoData key;

	if (*pos < end && p->tokens[*pos].code == SCONST)
		return pstrdup(p->tokens[(*pos)++].str);
	initStringInfo(&key);
	for (;;)
	{
		if (*pos >= end || !sqlstream_is_name(p, *pos))
			sqlstream_syntax_error(p, Min(*pos, end), hint);
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
SiddhiAnnotation *
sqlstream_parse_annotation(SqlParser *p, int *pos, int end)
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
				if (tok < end && sqlstream_is_at_sign(p, tok))
					a->annotations =
						lappend(a->annotations,
								sqlstream_parse_annotation(p, &tok, end));
				else
				{
					SiddhiAnnotationElement *e =
						palloc0(sizeof(SiddhiAnnotationElement));

					e->location = p->tokens[Min(tok, end)].start;
					if (tok < end && sqlstream_is_name(p, tok) &&
						(sqlstream_is_char(p, tok + 1, '=') ||
						 sqlstream_is_char(p, tok + 1, '.')))
					{
						e->key =
							sqlstream_option_key(p, &tok, end, true, NULL);
						if (tok >= end || !sqlstream_is_char(p, tok, '='))
							sqlstream_syntax_error(p, Min(tok, end), NULL);
						tok++;
					}
					e->value = sqlstream_option_value(p, &tok, end);
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
char *
sqlstream_annotation_value(SiddhiAnnotation *a, const char *key)
{
	SiddhiAnnotationElement *e = siddhi_annotation_element(a, key);

	return e ? e->value : NULL;
}

/* An @app:... annotation belongs to the app, wherever it is written. */
void
sqlstream_add_app_annotation(SqlParser *p, SiddhiAnnotation *a)
{
	if (pg_strcasecmp(a->name, "app:name") == 0)
	{
		char *name = sqlstream_annotation_value(a, NULL);

		if (name == NULL)
			name = sqlstream_annotation_value(a, "name");
		if (name == NULL)
			sqlstream_syntax_error_at(p, a->location,
									  "@app:name needs a value",
									  "Write @app:name('MyApp').");
		if (p->app->name != NULL)
			sqlstream_syntax_error_at(p, a->location, "the app is named twice",
									  NULL);
		p->app->name = name;
	}
	p->app->annotations = lappend(p->app->annotations, a);
}

/* WITH (key = value, ...) at *pos, as an annotation named "with". */
SiddhiAnnotation *
sqlstream_parse_with(SqlParser *p, int *pos, int end)
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
		e->key = sqlstream_option_key(
			p, &tok, end, false,
			"Write options as WITH (key = 'value', ...).");
		if (tok >= end || !sqlstream_is_char(p, tok, '='))
			sqlstream_syntax_error(
				p, Min(tok, end),
				"Write options as WITH (key = 'value', ...).");
		tok++;
		e->value = sqlstream_option_value(p, &tok, end);
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
