/*-------------------------------------------------------------------------
 *
 * siddhiql_lexer.c
 *	  Split SiddhiQL source text into tokens.
 *
 * Comments are "-- to end of line" and slash-star blocks.  Strings are
 * '...' or "..." on one line (SiddhiQL has no escapes in them) or
 * """...""" over several lines.  Numbers are 12, 12L, 1.5, 1.5f, 1.5d,
 * 1e3.  A brace block is only ever the body of "define function", so the
 * lexer takes it whole, balancing nested braces and skipping quoted text,
 * and the parser keeps it as written.
 *
 * Every read is guarded by the terminating NUL: p[1] is only looked at
 * when p[0] is not NUL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

static void lex_error(const char *source, int location, const char *msg,
					  const char *hint) pg_attribute_noreturn();

static void
lex_error(const char *source, int location, const char *msg, const char *hint)
{
	ereport(ERROR, (errcode(ERRCODE_SIDDHI_SYNTAX_ERROR), errmsg("%s", msg),
					hint ? errhint("%s", hint) : 0,
					siddhi_errposition(source, location)));
}

static inline bool
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

/* Skip a quoted run inside a script body; returns the closing quote. */
static const char *
skip_script_string(const char *p)
{
	char q = *p++;

	while (*p && *p != q)
	{
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return p;
}

SiddhiqlToken *
siddhiql_tokenize(const char *source, int *ntokens)
{
	int cap = 64;
	int n = 0;
	SiddhiqlToken *toks = palloc(sizeof(SiddhiqlToken) * cap);
	const char *p = source;

	for (;;)
	{
		SiddhiqlToken *t;
		const char *start;
		char c;

		CHECK_FOR_INTERRUPTS();
		/* white space and comments */
		for (;;)
		{
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
				*p == '\f' || *p == '\v')
				p++;
			else if (p[0] == '-' && p[1] == '-')
			{
				while (*p && *p != '\n')
					p++;
			}
			else if (p[0] == '/' && p[1] == '*')
			{
				const char *cstart = p;

				p += 2;
				while (*p && !(p[0] == '*' && p[1] == '/'))
					p++;
				if (!*p)
					lex_error(source, cstart - source,
							  "unterminated /* comment",
							  "Close the comment with */.");
				p += 2;
			}
			else
				break;
		}

		if (n == cap)
		{
			cap *= 2;
			toks = repalloc(toks, sizeof(SiddhiqlToken) * cap);
		}
		t = &toks[n++];
		memset(t, 0, sizeof(*t));
		start = p;
		t->loc = p - source;
		c = *p;

		if (c == '\0')
		{
			t->kind = TOK_EOF;
			break;
		}
		else if (is_ident_start(c))
		{
			while (is_ident_char(*p))
				p++;
			t->kind = TOK_IDENT;
			t->str = pnstrdup(start, p - start);
		}
		else if (c == '`')
		{
			p++;
			while (*p && *p != '`' && *p != '\n')
				p++;
			if (*p != '`')
				lex_error(source, t->loc, "unterminated quoted identifier",
						  "Close the name with a backquote (`).");
			t->kind = TOK_IDENT;
			t->quoted = true;
			t->str = pnstrdup(start + 1, p - start - 1);
			if (t->str[0] == '\0')
				lex_error(source, t->loc, "zero-length quoted identifier",
						  NULL);
			p++;
		}
		else if (is_digit(c))
		{
			bool is_float = false;

			while (is_digit(*p))
				p++;
			if (*p == '.' && is_digit(p[1]))
			{
				is_float = true;
				p++;
				while (is_digit(*p))
					p++;
			}
			if ((*p == 'e' || *p == 'E') &&
				(is_digit(p[1]) ||
				 ((p[1] == '+' || p[1] == '-') && is_digit(p[2]))))
			{
				is_float = true;
				p += 2;
				while (is_digit(*p))
					p++;
			}
			t->str = pnstrdup(start, p - start);
			t->kind = is_float ? TOK_FLOAT : TOK_INT;
			if (!is_float && (*p == 'l' || *p == 'L') && !is_ident_char(p[1]))
			{
				t->suffix = 'l';
				p++;
			}
			else if ((*p == 'f' || *p == 'F' || *p == 'd' || *p == 'D') &&
					 !is_ident_char(p[1]))
			{
				t->kind = TOK_FLOAT;
				t->suffix = (*p == 'f' || *p == 'F') ? 'f' : 'd';
				p++;
			}
		}
		else if (c == '"' && p[1] == '"' && p[2] == '"')
		{
			p += 3;
			while (*p && !(p[0] == '"' && p[1] == '"' && p[2] == '"'))
				p++;
			if (!*p)
				lex_error(source, t->loc, "unterminated \"\"\" string",
						  "Close the text with \"\"\".");
			t->kind = TOK_STRING;
			t->str = pnstrdup(start + 3, p - start - 3);
			p += 3;
		}
		else if (c == '\'' || c == '"')
		{
			p++;
			while (*p && *p != c && *p != '\n' && *p != '\r')
				p++;
			if (*p != c)
				lex_error(source, t->loc, "unterminated quoted string",
						  "Strings end on the line they start; use "
						  "\"\"\"...\"\"\" for text over several lines.");
			t->kind = TOK_STRING;
			t->str = pnstrdup(start + 1, p - start - 1);
			p++;
		}
		else if (c == '{')
		{
			int depth = 1;

			p++;
			while (*p && depth > 0)
			{
				if (*p == '{')
					depth++;
				else if (*p == '}')
					depth--;
				else if (*p == '\'' || *p == '"' || *p == '`')
				{
					p = skip_script_string(p);
					if (!*p)
						break;
				}
				if (depth > 0)
					p++;
			}
			if (!*p)
				lex_error(source, t->loc, "unterminated function body",
						  "Close the body with }.");
			t->kind = TOK_SCRIPT;
			t->str = pnstrdup(start + 1, p - start - 1);
			p++;
		}
		else
		{
			SiddhiqlTokKind kind;
			int len = 1;

			switch (c)
			{
				case '(':
					kind = TOK_LPAREN;
					break;
				case ')':
					kind = TOK_RPAREN;
					break;
				case '[':
					kind = TOK_LBRACKET;
					break;
				case ']':
					kind = TOK_RBRACKET;
					break;
				case ',':
					kind = TOK_COMMA;
					break;
				case ';':
					kind = TOK_SEMICOLON;
					break;
				case '.':
					if (p[1] == '.' && p[2] == '.')
					{
						kind = TOK_ELLIPSIS;
						len = 3;
					}
					else
						kind = TOK_DOT;
					break;
				case ':':
					kind = TOK_COLON;
					break;
				case '#':
					kind = TOK_HASH;
					break;
				case '@':
					kind = TOK_AT;
					break;
				case '?':
					kind = TOK_QUESTION;
					break;
				case '+':
					kind = TOK_PLUS;
					break;
				case '*':
					kind = TOK_STAR;
					break;
				case '/':
					kind = TOK_SLASH;
					break;
				case '%':
					kind = TOK_PERCENT;
					break;
				case '-':
					if (p[1] == '>')
					{
						kind = TOK_ARROW;
						len = 2;
					}
					else
						kind = TOK_MINUS;
					break;
				case '=':
					if (p[1] == '=')
					{
						kind = TOK_EQ;
						len = 2;
					}
					else
						kind = TOK_ASSIGN;
					break;
				case '!':
					if (p[1] == '=')
					{
						kind = TOK_NE;
						len = 2;
					}
					else
						kind = TOK_BANG;
					break;
				case '<':
					if (p[1] == '=')
					{
						kind = TOK_LE;
						len = 2;
					}
					else
						kind = TOK_LT;
					break;
				case '>':
					if (p[1] == '=')
					{
						kind = TOK_GE;
						len = 2;
					}
					else
						kind = TOK_GT;
					break;
				default:
				{
					int clen = pg_mblen(p);
					char *ch;

					/* never step over the terminating NUL */
					if ((int) strnlen(p, clen) < clen)
						clen = strnlen(p, clen);
					ch = pnstrdup(p, clen);
					ereport(ERROR,
							(errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
							 errmsg("syntax error at or near \"%s\"", ch),
							 errhint("Names are made of letters, digits and "
									 "underscores; quote other names with "
									 "backquotes."),
							 siddhi_errposition(source, t->loc)));
					kind = TOK_EOF; /* keep compiler quiet */
				}
			}
			t->kind = kind;
			p += len;
		}
		t->len = p - start;
	}

	toks[n - 1].len = 0;
	*ntokens = n;
	return toks;
}
