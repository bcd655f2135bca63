/*-------------------------------------------------------------------------
 *
 * siddhiql_lexer.h
 *	  Tokens of SiddhiQL and the state the recursive-descent parser shares
 *	  between siddhiql.c (apps, definitions, queries) and siddhiql_expr.c
 *	  (expressions).  Private to src/parser/.
 *
 * The lexer turns the whole source into an array of tokens up front, ended
 * by a TOK_EOF token, so the parser can look ahead freely and never reads
 * past the end.  Keywords are not separate token kinds: SiddhiQL lets most
 * keywords be names, so the parser asks "is this identifier the keyword
 * X?" (case-insensitively) where the grammar expects one.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHIQL_LEXER_H
#define SIDDHIQL_LEXER_H

#include "nodes/pg_list.h"
#include "siddhi/ast.h"

typedef enum SiddhiqlTokKind
{
	TOK_EOF,
	TOK_IDENT,	/* name or keyword; str = text as written */
	TOK_INT,	/* str = digits; suffix 'L' or 0 */
	TOK_FLOAT,	/* str = digits; suffix 'f', 'd' or 0 */
	TOK_STRING, /* str = value without quotes */
	TOK_SCRIPT, /* { ... }: str = text between the braces */
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_COMMA,
	TOK_SEMICOLON,
	TOK_DOT,
	TOK_ELLIPSIS, /* ... */
	TOK_COLON,
	TOK_HASH,
	TOK_AT,
	TOK_BANG,
	TOK_ASSIGN, /* = */
	TOK_EQ,		/* == */
	TOK_NE,		/* != */
	TOK_LT,
	TOK_LE,
	TOK_GT,
	TOK_GE,
	TOK_PLUS,
	TOK_MINUS,
	TOK_STAR,
	TOK_SLASH,
	TOK_PERCENT,
	TOK_ARROW, /* -> */
	TOK_QUESTION
} SiddhiqlTokKind;

typedef struct SiddhiqlToken
{
	SiddhiqlTokKind kind;
	int loc;	 /* byte offset of the first character */
	int len;	 /* bytes in the source, quotes included */
	char *str;	 /* see SiddhiqlTokKind; NULL for punctuation */
	bool quoted; /* a `backquoted` identifier: never a keyword */
	char suffix; /* number suffix, lower case, or 0 */
} SiddhiqlToken;

/* Tokenize source; *ntokens counts the tokens including the final EOF. */
extern SiddhiqlToken *siddhiql_tokenize(const char *source, int *ntokens);

/* Parser state, shared by siddhiql.c and siddhiql_expr.c. */
typedef struct SiddhiqlParser
{
	const char *source;
	SiddhiqlToken *toks;
	int ntoks;
	int pos; /* the current token; never past the EOF */
} SiddhiqlParser;

static inline SiddhiqlToken *
sq_peek_at(SiddhiqlParser *p, int ahead)
{
	int i = p->pos + ahead;

	return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static inline SiddhiqlToken *
sq_peek(SiddhiqlParser *p)
{
	return &p->toks[p->pos];
}

static inline SiddhiqlToken *
sq_next(SiddhiqlParser *p)
{
	SiddhiqlToken *t = &p->toks[p->pos];

	if (t->kind != TOK_EOF)
		p->pos++;
	return t;
}

/* parser helpers (siddhiql.c) */
extern bool sq_is_kw(SiddhiqlToken *t, const char *kw);
extern bool sq_accept_kw(SiddhiqlParser *p, const char *kw);
extern bool sq_accept(SiddhiqlParser *p, SiddhiqlTokKind kind);
extern SiddhiqlToken *sq_expect(SiddhiqlParser *p, SiddhiqlTokKind kind,
								const char *hint);
extern void sq_expect_kw(SiddhiqlParser *p, const char *kw, const char *hint);
extern char *sq_expect_name(SiddhiqlParser *p, int *location);
extern char *sq_fold(SiddhiqlToken *t);
extern void sq_syntax_error(SiddhiqlParser *p, SiddhiqlToken *t,
							const char *hint) pg_attribute_noreturn();
extern void sq_error_at(SiddhiqlParser *p, int location, const char *hint,
						const char *fmt, ...) pg_attribute_printf(4, 5)
	pg_attribute_noreturn();

/* the statements (siddhiql.c, siddhiql_define.c, siddhiql_query.c) */
#define HINT_SEMICOLON "Statements end with a semicolon."
#define HINT_OUTPUT                                                          \
	"A query ends with insert into, delete, update, update or insert into, " \
	"or return."
extern int sq_prev_end(SiddhiqlParser *p);
extern List *sq_parse_statement_annotations(SiddhiqlParser *p, SiddhiApp *app);
extern SiddhiCall *sq_parse_call(SiddhiqlParser *p);
extern bool sq_parse_event_type(SiddhiqlParser *p, SiddhiEventType *type);
extern SiddhiDefinition *sq_parse_definition(SiddhiqlParser *p,
											 List *annotations);
extern SiddhiQuery *sq_parse_query(SiddhiqlParser *p, List *annotations,
								   bool aggregation);
extern SiddhiPartition *sq_parse_partition(SiddhiqlParser *p,
										   List *annotations);
extern SiddhiStreamInput *sq_parse_stream_input(SiddhiqlParser *p);
extern SiddhiSelector *sq_parse_selector(SiddhiqlParser *p);
extern List *sq_parse_set_clause(SiddhiqlParser *p);

/* pattern and sequence inputs (siddhiql_pattern.c) */
extern int sq_pattern_input_kind(SiddhiqlParser *p);
extern void sq_parse_pattern_input(SiddhiqlParser *p, SiddhiInput *in,
								   int kind);

/* expressions (siddhiql_expr.c) */
extern Node *siddhiql_parse_expr(SiddhiqlParser *p);
extern Node *siddhiql_parse_value(SiddhiqlParser *p);
extern Node *siddhiql_as_value(Node *n);
/* siddhiql_nulls.c */
extern Node *siddhiql_make_bool_test(Node *arg, BoolTestType type,
									 int location);
extern bool siddhiql_never_null(Node *n);
extern bool siddhiql_at_time_value(SiddhiqlParser *p);
extern int64 siddhiql_parse_time_ms(SiddhiqlParser *p, int *location);
extern bool siddhiql_time_unit_ms(SiddhiqlToken *t, int64 *ms);
extern Node *siddhiql_make_int8_const(int64 value, int location);
extern struct TypeName *siddhiql_type_name(const char *siddhi_type);

#endif /* SIDDHIQL_LEXER_H */
