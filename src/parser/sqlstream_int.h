/*-------------------------------------------------------------------------
 *
 * sqlstream_int.h
 *	  Internals shared by the files of the streaming SQL front end.
 *
 * The front end works on one token array of the whole app, produced by
 * PostgreSQL's own scanner (sqlstream_lex.c).  Our clauses (WINDOW specs,
 * EMIT, bracket filters, UNIDIRECTIONAL, CREATE STREAM ...) are recognised
 * on that array; everything that is plain SQL is handed to raw_parser()
 * through a "piece": a copy of the source in which everything but the
 * piece is blanked byte for byte, so that every location in the raw nodes
 * is a byte offset into the app source.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLSTREAM_INT_H
#define SQLSTREAM_INT_H

#include "siddhi/ast.h"
#include "siddhi/parser.h"

/* One token of the app source. */
typedef struct SqlToken
{
	int code;	  /* core_yylex code: a char, IDENT, ..., 0 at end */
	int start;	  /* byte offset of its first byte */
	int end;	  /* byte offset just past its last byte */
	char *str;	  /* identifiers (folded), keywords (lower
								 * case), literals (value); else NULL */
	int ival;	  /* ICONST */
	bool keyword; /* a PostgreSQL keyword, any category */
	bool quoted;  /* a "quoted" identifier */
} SqlToken;

typedef struct SqlParser
{
	const char *source;
	int srclen;
	SqlToken *tokens; /* tokens[ntokens] is the end marker */
	int ntokens;
	SiddhiApp *app;
	List *pending_sinks; /* SINK (..) clauses of queries, attached to their
						  * streams once the app is read
						  * (sqlstream_connector.c) */
	List *columnless_windows; /* CREATE WINDOW w TUMBLING(..) without
							   * columns (sqlstream_ondemand.c) */
	/* (P1) OR (P2) in FROM PATTERN: one query per alternative */
	int pattern_alt;	  /* the alternative this parse takes */
	int pattern_nalts;	  /* how many the pattern has (1: no OR) */
	bool pattern_alts_ok; /* this statement can be read once per one */
	/* (P1) AND (P2) in FROM PATTERN: its sides (sqlstream_pattern_and.c) */
	SiddhiPatternNode *pattern_and[2];
	int pattern_and_location; /* the AND */
	/* sqlstream_cte.c */
	List *ctes;				 /* WITH names in scope */
	struct HTAB *names_used; /* names in the app, and generated ones */
	int subquery_depth;		 /* WITH queries / subqueries being parsed */
} SqlParser;

/* how deep WITH queries and subqueries in FROM may nest */
#define SQLSTREAM_MAX_SUBQUERY_DEPTH 16

/*
 * A copy of a stretch of the source to be parsed by raw_parser().
 * Tokens marked dead are blanked and take no part in duration rewriting.
 */
typedef struct SqlPiece
{
	SqlParser *parser;
	char *buf;		/* the copy of source bytes [base, ..); bytes before
				 * 'first' are blank */
	int base;		/* source offset of buf[0]: just before the piece */
	int len;		/* bytes of buf handed to raw_parser */
	int first;		/* token range of the piece */
	int last;		/* exclusive */
	bool *dead;		/* per token of the range */
	bool durations; /* rewrite "5 minutes" into milliseconds */
} SqlPiece;

#define SQLSTREAM_STATEMENT_HINT                                           \
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
	SiddhiInput *pattern;  /* FROM PATTERN ( .. ) / SEQUENCE ( .. ) */
	List *sinks;		   /* SINK (..): @sink and @OnError annotations */
	int sink_tok;		   /* the first SINK, or -1 */
	SiddhiTimeClause time; /* WITHIN / PER after an aggregation */
	Node *as_of[3];		   /* FOR SYSTEM_TIME AS OF expr */
} QueryScan;

/* What a CREATE statement makes of a stream's connector. */
typedef enum SqlConnectorRole
{
	SQL_CONNECTOR_NONE,	  /* CREATE STREAM: a source if WITH names one */
	SQL_CONNECTOR_SOURCE, /* CREATE SOURCE */
	SQL_CONNECTOR_SINK	  /* CREATE SINK */
} SqlConnectorRole;

/* sqlstream.c: errors at a byte offset of the source */
extern void sqlstream_not_supported(SqlParser *p, int location,
									const char *what, const char *hint)
	pg_attribute_noreturn();
extern void sqlstream_syntax_error_at(SqlParser *p, int location,
									  const char *msg, const char *hint)
	pg_attribute_noreturn();

/* sqlstream_options.c: annotations and WITH (...) */
extern bool sqlstream_is_at_sign(SqlParser *p, int tok);
/* is name in a list of strings (sqlstream_pattern.c) */
extern bool sqlstream_name_in(List *names, const char *name);
extern char *sqlstream_option_value(SqlParser *p, int *pos, int end);
extern char *sqlstream_option_key(SqlParser *p, int *pos, int end,
								  bool as_written, const char *hint);
extern SiddhiAnnotation *sqlstream_parse_annotation(SqlParser *p, int *pos,
													int end);
extern char *sqlstream_annotation_value(SiddhiAnnotation *a, const char *key);
extern void sqlstream_add_app_annotation(SqlParser *p, SiddhiAnnotation *a);
extern SiddhiAnnotation *sqlstream_parse_with(SqlParser *p, int *pos, int end);

/* sqlstream_define.c: CREATE STREAM / TABLE / WINDOW / INDEX / TRIGGER */
extern void sqlstream_define_relation(SqlParser *p, int pos, int end,
									  SiddhiDefKind kind,
									  SqlConnectorRole role,
									  List *annotations);
extern void sqlstream_create_index(SqlParser *p, int pos, int end,
								   List *annotations);
extern void sqlstream_create_trigger(SqlParser *p, int pos, int end,
									 List *annotations);

/* sqlstream_connector.c: sources and sinks as @source / @sink */
extern SiddhiAnnotation *sqlstream_parse_map(SqlParser *p, int *pos, int end);
extern void sqlstream_stream_from_table(SqlParser *p, int kw, int end,
										List *annotations);
extern void sqlstream_define_connector(SqlParser *p, SiddhiDefinition *def,
									   SqlConnectorRole role, int kw_location,
									   SiddhiAnnotation *map,
									   const char *hint);
extern bool sqlstream_is_sink_clause(SqlParser *p, int tok, int end);
extern List *sqlstream_parse_sink_clause(SqlParser *p, int tok, int end,
										 int *next);
extern void sqlstream_add_sinks(SqlParser *p, const char *target, int location,
								List *annotations);
extern void sqlstream_attach_sinks(SqlParser *p);

/* sqlstream_aggregation.c */
extern void sqlstream_create_aggregation(SqlParser *p, int pos, int end,
										 List *annotations);

/* sqlstream_scan.c: our clauses of a query, blanked out of the piece */
extern void sqlstream_scan_query(SqlParser *p, int pos, int end, SqlPiece *pc,
								 QueryScan *qs);

/* sqlstream_query.c */
extern void sqlstream_parse_query(SqlParser *p, int pos, int end,
								  List *annotations);
extern SiddhiInput *sqlstream_transform_input(SqlParser *p, SelectStmt *sel,
											  QueryScan *qs, int end);
extern void sqlstream_add_query(SqlParser *p, SiddhiQuery *q, int pos, int end,
								List *annotations);

/* sqlstream_cte.c: WITH, subqueries in FROM, FOR SYSTEM_TIME AS OF */
extern void sqlstream_parse_with_query(SqlParser *p, int pos, int end,
									   List *annotations);
extern void sqlstream_resolve_cte(SqlParser *p, SiddhiStreamInput *in);
extern int sqlstream_from_subquery(SqlParser *p, int open, int end,
								   SqlPiece *pc);
extern char *sqlstream_generated_name(SqlParser *p, const char *base);
extern int sqlstream_scan_as_of(SqlParser *p, int tok, int end, SqlPiece *pc,
								Node **as_of);

/* sqlstream_table.c */
extern Node *sqlstream_memberships(SqlParser *p, Node *n);
extern void sqlstream_parse_table_change(SqlParser *p, int pos, int end,
										 List *annotations);
extern void sqlstream_upsert_output(SqlParser *p, InsertStmt *ins,
									SiddhiOutput *out);

/* sqlstream_ondemand.c: WITHIN / PER, blanked out of the piece */
extern int sqlstream_scan_time_clause(SqlParser *p, int tok, int end,
									  SqlPiece *pc, SiddhiTimeClause *tc);

extern void sqlstream_columnless_window(SqlParser *p, int name_tok,
										SiddhiDefinition *def);
extern void sqlstream_window_columns(SqlParser *p);
extern void sqlstream_window_queryable(SqlParser *p, SiddhiDefinition *def);

/* sqlstream_lex.c */
extern void sqlstream_tokenize(SqlParser *p);
extern char *sqlstream_token_text(SqlParser *p, int tok);
extern bool sqlstream_is_word(SqlParser *p, int tok, const char *word);
extern bool sqlstream_is_name(SqlParser *p, int tok);
extern bool sqlstream_is_char(SqlParser *p, int tok, char c);
extern int sqlstream_match_close(SqlParser *p, int open, int limit);
extern void sqlstream_syntax_error(SqlParser *p, int tok, const char *hint)
	pg_attribute_noreturn();
extern int sqlstream_duration_run(SqlParser *p, int tok, int limit, int64 *ms);
extern void sqlstream_piece_init(SqlPiece *pc, SqlParser *p, int first,
								 int last, bool durations);
extern void sqlstream_piece_kill(SqlPiece *pc, int first, int last);
extern void sqlstream_piece_put(SqlPiece *pc, int offset, const char *text);
extern List *sqlstream_piece_parse(SqlPiece *pc);
extern Node *sqlstream_parse_expr(SqlParser *p, int first, int last);

/* sqlstream_locations.c */
extern void sqlstream_shift_locations(Node *node, int delta);

/* sqlstream_window.c */
extern SiddhiCall *sqlstream_parse_window(SqlParser *p, int name_tok,
										  int limit, int *next);

extern void sqlstream_set_integer_const(A_Const *con, int64 v);

/* sqlstream_pattern.c: the body of PATTERN ( .. ) / SEQUENCE ( .. ) */
extern void sqlstream_parse_pattern(SqlParser *p, int open, int close,
									bool sequence, SiddhiInput *in);

/* sqlstream_pattern_and.c: (P1) AND (P2), as generated queries */
extern SiddhiQuery *sqlstream_pattern_and_split(SqlParser *p, SiddhiQuery *q);

#endif /* SQLSTREAM_INT_H */
