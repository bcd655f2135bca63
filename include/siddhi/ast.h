/*-------------------------------------------------------------------------
 *
 * ast.h
 *	  The abstract syntax tree shared by both dialects (SiddhiQL and
 *	  streaming SQL).
 *
 * Both parsers produce one SiddhiApp.  The structure of an app
 * (definitions, queries, windows, outputs) is ours; *expressions* are
 * PostgreSQL raw parse nodes (ColumnRef, A_Expr, A_Const, FuncCall,
 * BoolExpr, NullTest, TypeCast, CaseExpr, CoalesceExpr, MinMaxExpr, ...),
 * so that the analyzer can hand them straight to transformExpr().  Every
 * "location" field, ours and PostgreSQL's, is a byte offset into the app
 * source text (-1 when unknown), which is what lets deploy-time errors
 * name the line and column of the culprit.
 *
 * All nodes are palloc'd in the caller's memory context; nothing here
 * owns resources other than memory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_AST_H
#define SIDDHI_AST_H

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

typedef enum SiddhiDialect
{
	SIDDHI_DIALECT_SIDDHIQL,
	SIDDHI_DIALECT_SQL
} SiddhiDialect;

/*
 * @name(key = 'value', 'positional', @nested(...))
 *
 * Names keep their case as written ("app:name", "info", "PrimaryKey");
 * compare them with pg_strcasecmp.
 */
typedef struct SiddhiAnnotationElement
{
	char *key;	 /* NULL for a positional element */
	char *value; /* the string value, quotes removed */
	int location;
} SiddhiAnnotationElement;

typedef struct SiddhiAnnotation
{
	char *name;
	List *elements;	   /* of SiddhiAnnotationElement * */
	List *annotations; /* nested, of SiddhiAnnotation * */
	int location;
} SiddhiAnnotation;

/* One attribute of a stream, table or window definition. */
typedef struct SiddhiAttribute
{
	char *name;		/* folded to lower case */
	TypeName *type; /* SiddhiQL types map to text, int4, int8,
								 * float4, float8, bool, jsonb */
	int location;
} SiddhiAttribute;

/*
 * A call written as #window.length(5), #str:tokenize(x), or in SQL as
 * WINDOW TUMBLING(5 minutes) (mapped to its SiddhiQL name, see
 * docs/sql-dialect.md).  Time literals in arguments arrive as int8 A_Const
 * in milliseconds.
 */
typedef struct SiddhiCall
{
	char *ns;	/* namespace ("unique"), or NULL */
	char *name; /* "length", "timeBatch", ... case as written */
	List *args; /* raw expression nodes */
	int location;
	char *written; /* a window the SQL dialect maps (TUMBLING for
					* timeBatch): the name as written, for errors */
} SiddhiCall;

typedef enum SiddhiDefKind
{
	SIDDHI_DEF_STREAM,
	SIDDHI_DEF_TABLE,
	SIDDHI_DEF_WINDOW,
	SIDDHI_DEF_TRIGGER,
	SIDDHI_DEF_AGGREGATION,
	SIDDHI_DEF_FUNCTION
} SiddhiDefKind;

typedef enum SiddhiEventType
{
	SIDDHI_EVENTS_CURRENT, /* the default */
	SIDDHI_EVENTS_EXPIRED,
	SIDDHI_EVENTS_ALL
} SiddhiEventType;

typedef struct SiddhiDefinition
{
	SiddhiDefKind kind;
	char *name;		   /* folded to lower case */
	List *attributes;  /* of SiddhiAttribute * */
	List *annotations; /* of SiddhiAnnotation * */
	int location;	   /* of the name */

	/*
	 * A stream no statement defines, made by streaming SQL's INSERT INTO s
	 * .. SINK (..) to carry its @sink: no attributes; its columns are
	 * those of the query's output, as for any stream inferred from one.
	 */
	bool inferred;

	/* tables: key columns, from @PrimaryKey or a PRIMARY KEY constraint */
	List *primary_key; /* of String (column names) */
	List *indexes;	   /* of String, from @Index / CREATE INDEX */

	/* windows: the window and which events it emits */
	SiddhiCall *window;
	SiddhiEventType window_output;

	/* triggers: exactly one of these is set */
	char *trigger_at;		/* 'start' or a cron expression */
	int64 trigger_every_ms; /* at every <time>, else 0 */

	/* aggregations and functions: kept as text until their issue lands */
	struct SiddhiQuery *aggregation; /* from .. select .. group by */
	char *aggregate_by;				 /* attribute name, or NULL */
	List *granularities;			 /* of String: "sec", "min", ... */
	char *function_language;
	char *function_body;
	TypeName *function_return;
} SiddhiDefinition;

/* One step on a stream input: a filter, a stream function or a window. */
typedef enum SiddhiHandlerKind
{
	SIDDHI_HANDLER_FILTER,	 /* S[cond] or WHERE cond */
	SIDDHI_HANDLER_FUNCTION, /* S#fn(..) or S#ns:fn(..) */
	SIDDHI_HANDLER_WINDOW	 /* S#window.name(..) or WINDOW ..(..) */
} SiddhiHandlerKind;

typedef struct SiddhiStreamHandler
{
	SiddhiHandlerKind kind;
	Node *filter;	  /* FILTER */
	SiddhiCall *call; /* FUNCTION, WINDOW */
	int location;
} SiddhiStreamHandler;

/* A single stream reference with its handlers. */
typedef struct SiddhiStreamInput
{
	char *stream;	/* folded to lower case */
	char *alias;	/* "as a", or e1= in patterns, or NULL */
	bool inner;		/* #Inner stream of a partition */
	bool fault;		/* !S fault stream */
	List *handlers; /* of SiddhiStreamHandler *, in order */
	Node *as_of;	/* SQL join side: FOR SYSTEM_TIME AS OF expr, or NULL */
	int location;
} SiddhiStreamInput;

typedef enum SiddhiJoinType
{
	SIDDHI_JOIN_INNER,
	SIDDHI_JOIN_LEFT,
	SIDDHI_JOIN_RIGHT,
	SIDDHI_JOIN_FULL
} SiddhiJoinType;

typedef enum SiddhiInputKind
{
	SIDDHI_INPUT_STREAM,
	SIDDHI_INPUT_JOIN,
	SIDDHI_INPUT_PATTERN,
	SIDDHI_INPUT_SEQUENCE
} SiddhiInputKind;

/*
 * Pattern and sequence state elements.  A pattern chains its states with
 * NEXT (->), a sequence with NEXT too (,); SiddhiInput.kind tells which.
 * AND and OR combine two STREAM or NOT states; EVERY wraps one state or a
 * parenthesized chain.
 */
typedef enum SiddhiPatternKind
{
	SIDDHI_PAT_STREAM, /* e1=S[cond] with optional count */
	SIDDHI_PAT_NEXT,   /* left -> right, or left , right */
	SIDDHI_PAT_EVERY,  /* every <child> */
	SIDDHI_PAT_AND,	   /* left and right */
	SIDDHI_PAT_OR,	   /* left or right */
	SIDDHI_PAT_NOT	   /* not S[cond] [for <time>] */
} SiddhiPatternKind;

typedef struct SiddhiPatternNode
{
	SiddhiPatternKind kind;
	struct SiddhiPatternNode *left; /* NEXT/AND/OR; EVERY's child */
	struct SiddhiPatternNode *right;
	SiddhiStreamInput *stream; /* STREAM, NOT */
	int min_count;			   /* <n:m>; 1:1 when absent */
	int max_count;			   /* -1 = unbounded (<n:>, +, *) */
	bool counted;			   /* a count was written (<..>, +, *, ?) */
	int64 for_ms;			   /* NOT .. FOR <time>, else -1 */
	int location;
} SiddhiPatternNode;

typedef struct SiddhiInput
{
	SiddhiInputKind kind;
	SiddhiStreamInput *stream; /* STREAM; JOIN's left side */
	/* JOIN */
	SiddhiStreamInput *right;
	SiddhiJoinType join_type;
	bool left_unidirectional;
	bool right_unidirectional;
	Node *on;
	/* PATTERN / SEQUENCE */
	SiddhiPatternNode *pattern;
	List *other_states; /* of SiddhiStreamInput *: SQL's (P1) OR (P2), the
						 * states of the other alternatives, which read
						 * NULL in this one's select */
	/* JOIN with an aggregation, PATTERN, SEQUENCE */
	Node *within; /* time expression (patterns: an int8 constant in ms),
				   * or start/end list */
	Node *per;
	int location;
} SiddhiInput;

typedef struct SiddhiSelector
{
	bool select_all; /* select * (or no select clause) */
	List *targets;	 /* of ResTarget *: name = alias or NULL */
	List *group_by;	 /* raw expressions */
	Node *having;
	List *order_by; /* of SortBy * */
	Node *limit;
	Node *offset;
	bool distinct;		   /* SQL SELECT DISTINCT */
	int distinct_location; /* its position */
	int location;
} SiddhiSelector;

typedef enum SiddhiRateKind
{
	SIDDHI_RATE_NONE,
	SIDDHI_RATE_EVENTS,	 /* output .. every <n> events */
	SIDDHI_RATE_TIME,	 /* output .. every <time> */
	SIDDHI_RATE_SNAPSHOT /* output snapshot every <time> */
} SiddhiRateKind;

typedef enum SiddhiRateType
{
	SIDDHI_RATE_ALL,
	SIDDHI_RATE_FIRST,
	SIDDHI_RATE_LAST
} SiddhiRateType;

typedef struct SiddhiOutputRate
{
	SiddhiRateKind kind;
	SiddhiRateType type;
	int64 value; /* events, or milliseconds */
	int location;
} SiddhiOutputRate;

typedef enum SiddhiOutputKind
{
	SIDDHI_OUT_INSERT, /* insert into T / INSERT INTO T SELECT */
	SIDDHI_OUT_DELETE, /* delete T on cond */
	SIDDHI_OUT_UPDATE, /* update T set .. on cond */
	SIDDHI_OUT_UPSERT, /* update or insert into T set .. on cond */
	SIDDHI_OUT_RETURN  /* return, or a bare SQL SELECT .. EMIT */
} SiddhiOutputKind;

typedef struct SiddhiOutput
{
	SiddhiOutputKind kind;
	char *target;	   /* folded to lower case; NULL for RETURN */
	bool target_inner; /* insert into #Inner */
	SiddhiEventType events;
	Node *on;
	List *set; /* of ResTarget *: name = column, val = expr */
	int location;
} SiddhiOutput;

/* SQL dialect's EMIT clause; SiddhiQL queries are always EMIT CHANGES. */
typedef enum SiddhiEmit
{
	SIDDHI_EMIT_CHANGES,
	SIDDHI_EMIT_FINAL
} SiddhiEmit;

typedef struct SiddhiQuery
{
	char *name; /* from @info(name=..), else NULL */
	List *annotations;
	SiddhiInput *input;
	SiddhiSelector *selector;
	SiddhiOutputRate *rate; /* NULL when absent */
	SiddhiOutput *output;
	SiddhiEmit emit;
	int location;	  /* start of the query */
	int end_location; /* byte offset just past its last token */
	bool generated;	  /* made of a SQL WITH query or subquery in FROM:
					   * named, and not counted in query1, query2 .. */
	bool explain;	  /* SQL's EXPLAIN <query>: shown by
					   * siddhi.explain_text(), refused by deploy */
} SiddhiQuery;

/* partition with (expr of S, ...) begin .. end, or a range partition */
typedef struct SiddhiPartitionRange
{
	Node *condition;
	char *label;
} SiddhiPartitionRange;

typedef struct SiddhiPartitionKey
{
	char *stream;
	Node *expr;		   /* value partition */
	List *ranges;	   /* of SiddhiPartitionRange *, range partition */
	bool streams_only; /* SQL PARTITION BY: a table or window it names is
						* read whole, not keyed */
	int location;
} SiddhiPartitionKey;

typedef struct SiddhiPartition
{
	List *annotations;
	List *keys;	   /* of SiddhiPartitionKey * */
	List *queries; /* of SiddhiQuery * */
	int location;
} SiddhiPartition;

typedef struct SiddhiApp
{
	SiddhiDialect dialect;
	const char *source; /* the text every location points into */
	char *name;			/* @app:name, or NULL */
	List *annotations;	/* app-level (@app:...) annotations */
	List *definitions;	/* of SiddhiDefinition *, in source order */
	List *queries;		/* of SiddhiQuery *, outside partitions */
	List *partitions;	/* of SiddhiPartition * */
} SiddhiApp;

#endif /* SIDDHI_AST_H */
