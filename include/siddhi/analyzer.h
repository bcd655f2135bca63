/*-------------------------------------------------------------------------
 *
 * analyzer.h
 *	  From syntax tree to plan: names and types resolved with PostgreSQL's
 *	  own analyzer (src/analyzer/).
 *
 * The same code runs in siddhi.deploy() (mode DEPLOY: names resolve
 * through the caller's search_path, missing streams and tables are
 * created) and in the engine worker (mode LOAD: names resolve through the
 * relations recorded in siddhi.app_relation, nothing is created).  Both
 * run as the app's owner, so an app can use only what its owner may.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_ANALYZER_H
#define SIDDHI_ANALYZER_H

#include "access/tupdesc.h"
#include "siddhi/ast.h"

typedef enum SiddhiAnalyzeMode
{
	SIDDHI_ANALYZE_DEPLOY,
	SIDDHI_ANALYZE_LOAD
} SiddhiAnalyzeMode;

typedef enum SiddhiRelKind
{
	SIDDHI_REL_STREAM,
	SIDDHI_REL_TABLE,
	SIDDHI_REL_WINDOW, /* a named window: its contents mirrored in a table */
	SIDDHI_REL_AGGREGATION,		/* an aggregation's granularity table */
	SIDDHI_REL_AGGREGATION_VIEW /* an aggregation's view of finished values */
} SiddhiRelKind;

/* A stream or table an app uses. */
typedef struct SiddhiRelation
{
	char *name; /* as the app names it (lower case) */
	char *nspname;
	Oid relid;
	SiddhiRelKind kind;
	bool created;	  /* created by this app's deploy */
	char *event_time; /* streams: the attribute giving each event's time */
} SiddhiRelation;

/* The window a query keeps over its input (src/runtime/window/). */
typedef enum SiddhiWindowKind
{
	SIDDHI_WINDOW_NONE,
	SIDDHI_WINDOW_LENGTH,		 /* length(n): the last n events */
	SIDDHI_WINDOW_LENGTH_BATCH,	 /* lengthBatch(n): tumbling, n events */
	SIDDHI_WINDOW_TIME,			 /* time(t): events of the last t ms */
	SIDDHI_WINDOW_TIME_BATCH,	 /* timeBatch(t): tumbling, every t ms */
	SIDDHI_WINDOW_TIME_LENGTH,	 /* timeLength(t, n): last t ms, at most n */
	SIDDHI_WINDOW_EXTERNAL_TIME, /* externalTime(attr, t): time from attr */
	SIDDHI_WINDOW_EXTERNAL_TIME_BATCH, /* externalTimeBatch(attr, t, ..) */
	SIDDHI_WINDOW_BATCH,			   /* batch([n]): each arriving chunk */
	SIDDHI_WINDOW_SORT,				   /* sort(n, attr [, order], ..) */
	SIDDHI_WINDOW_DELAY,			   /* delay(t) */
	SIDDHI_WINDOW_CRON,				   /* cron('expr') */
	SIDDHI_WINDOW_SESSION,			   /* session(gap [, key [, latency]]) */
	SIDDHI_WINDOW_HOPPING,			   /* hopping(size, advance) */
	SIDDHI_WINDOW_EXPRESSION,		   /* expression('cond') */
	SIDDHI_WINDOW_EXPRESSION_BATCH,	   /* expressionBatch('cond', ..) */
	SIDDHI_WINDOW_FREQUENT,			   /* frequent(n [, attr..]) */
	SIDDHI_WINDOW_LOSSY_FREQUENT,	   /* lossyFrequent(s [, e [, attr..]]) */
	SIDDHI_WINDOW_UNIQUE_EVER,		   /* unique:ever(key) */
	SIDDHI_WINDOW_UNIQUE_FIRST,		   /* unique:first(key) */
	SIDDHI_WINDOW_UNIQUE_LENGTH,	   /* unique:length(key, n) */
	SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH, /* unique:lengthBatch(key, n) */
	SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH, /* unique:firstLengthBatch */
	SIDDHI_WINDOW_UNIQUE_TIME,				 /* unique:time(key, t) */
	SIDDHI_WINDOW_UNIQUE_TIME_BATCH,		 /* unique:timeBatch(key, t) */
	SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH,	 /* unique:firstTimeBatch */
	SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH,	 /* unique:timeLengthBatch */
	SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH /* unique:externalTimeBatch */
} SiddhiWindowKind;

/*
 * A window with its arguments, as src/analyzer/analyze_window.c reads them from
 * the call.  Constants are resolved here; per-event values (a key, a time
 * attribute, sort attributes) are expressions over the input stream that
 * the runtime evaluates for each arriving event.
 */
typedef struct SiddhiWindowPlan
{
	SiddhiWindowKind kind;
	char *name;	   /* as written, for messages ("unique:time") */
	int64 length;  /* the size: events, or milliseconds */
	int64 count;   /* a second size: timeLength's events, hopping's advance,
				   * unique:timeLengthBatch's events, batch's chunk */
	int64 start;   /* start.time (ms), or -1 */
	int64 timeout; /* externalTimeBatch timeout, session allowed latency,
					* or -1 */
	bool current_event; /* stream.current.event: current events at once */
	bool replace_time;	/* externalTimeBatch replace.with.batchtime;
						 * expressionBatch include.triggering.event */
	double support;		/* lossyFrequent's support threshold */
	double error;		/* lossyFrequent's error bound */
	char *text;			/* cron: the cron expression */
	Expr *time_expr;	/* externalTime*: the event's time (int8) */
	Expr *start_expr;	/* externalTimeBatch: start.time from an attribute */
	List *keys;			/* of Expr: the key (unique, session, frequent) or
						 * the sort attributes, over the input */
	List *key_types;	/* of Oid */
	List *sort_ops;		/* sort: of Oid, the ordering operator of each key */
	Expr *condition;	/* expression windows: the condition, planned; its
						 * Vars read the event (scan), the window's first
						 * (INNER_VAR) and last (OUTER_VAR) events */
	List *cond_aggs;	/* of SiddhiAggPlan *: the condition's aggregators,
						 * PARAM_EXEC param k is aggregator k; PARAM_EXTERN
						 * params 1..3 are the timestamps of the event, the
						 * first and the last event */
	TupleDesc desc;		/* expression windows: the input's row type */
	/*
	 * A join probes this window by an equality key (analyze_join.c): the
	 * window keeps its events hashed by attribute index_attno (0: none)
	 * with hash function index_hash under index_collation
	 * (src/runtime/window/window_index.c)
	 */
	AttrNumber index_attno;
	Oid index_hash;
	Oid index_collation;
} SiddhiWindowPlan;

/* Siddhi's aggregators that run incrementally (src/runtime/select/aggregate.c). */
typedef enum SiddhiAggKind
{
	SIDDHI_AGG_SUM,
	SIDDHI_AGG_COUNT,
	SIDDHI_AGG_AVG,
	SIDDHI_AGG_MIN,
	SIDDHI_AGG_MAX,
	SIDDHI_AGG_MIN_FOREVER,
	SIDDHI_AGG_MAX_FOREVER,
	SIDDHI_AGG_DISTINCT_COUNT, /* values arrive as a 64-bit hash of their text */
	SIDDHI_AGG_STDDEV,		   /* population standard deviation */
	SIDDHI_AGG_AND,
	SIDDHI_AGG_OR,
	SIDDHI_AGG_UNION_SET, /* a set is an array of distinct values */
	/* SQL's statistics, SQL's COUNT(x), DISTINCT and intersectSet
	 * (src/runtime/select/aggregate_sql.c) */
	SIDDHI_AGG_STDDEV_SAMP, /* n - 1 denominator, NULL below two values */
	SIDDHI_AGG_STDDEV_POP,	/* SQL's STDDEV_POP (Siddhi's is STDDEV) */
	SIDDHI_AGG_VAR_SAMP,
	SIDDHI_AGG_VAR_POP,
	SIDDHI_AGG_COUNT_VALUES,   /* non-null values (SQL's COUNT(x)) */
	SIDDHI_AGG_COUNT_DISTINCT, /* COUNT(DISTINCT x): the type's equality */
	SIDDHI_AGG_SUM_DISTINCT,   /* SUM(DISTINCT x) */
	SIDDHI_AGG_AVG_DISTINCT,   /* AVG(DISTINCT x) */
	SIDDHI_AGG_INTERSECT_SET,  /* elements every set in the group holds */
	/* percentiles (src/runtime/select/percentile.c) */
	SIDDHI_AGG_PERCENTILE_CONT, /* also the roadmap's percentile(x, pct) */
	SIDDHI_AGG_PERCENTILE_DISC
} SiddhiAggKind;

#define SIDDHI_AGG_IS_PERCENTILE(kind)       \
	((kind) == SIDDHI_AGG_PERCENTILE_CONT || \
	 (kind) == SIDDHI_AGG_PERCENTILE_DISC)

/* One aggregator of a query: its value reaches expressions as PARAM_EXEC. */
typedef struct SiddhiAggPlan
{
	SiddhiAggKind kind;
	Expr *arg; /* NULL for count() */
	Oid argtype;
	Oid resulttype; /* Siddhi's: sum of ints is long, avg double, ... */
	/* percentiles: the fraction 0..1, with ORDER BY x DESC already applied
	 * for percentile_cont (p becomes 1 - p) */
	double fraction;
	bool descending;  /* percentile_disc with ORDER BY x DESC */
	bool approximate; /* a sketch (no window: nothing ever leaves) */
} SiddhiAggPlan;

/*
 * What `output snapshot every <t>` keeps, as Siddhi chooses it from the
 * query's shape (src/runtime/select/ratelimit.c).
 */
typedef enum SiddhiSnapshotKind
{
	SIDDHI_SNAPSHOT_LAST,		  /* the latest event (per group) */
	SIDDHI_SNAPSHOT_WINDOW,		  /* every event in the window */
	SIDDHI_SNAPSHOT_WINDOW_GROUPS /* the oldest event of each group in it */
} SiddhiSnapshotKind;

/*
 * A query that changes a table (delete, update, update or insert): Query
 * trees over the table, planned and run by src/runtime/output/table_ops.c for
 * each output event; PARAM_EXTERN $k is the event's output attribute k.
 */
typedef struct SiddhiTableOpPlan
{
	SiddhiOutputKind kind; /* DELETE, UPDATE or UPSERT */
	struct Query *modify;  /* DELETE / UPDATE .. WHERE <on> */
	struct Query *insert;  /* UPSERT: INSERT INTO T VALUES ($1, ..) */
	List *param_types;	   /* of Oid: the output attributes' */
	List *param_typmods;   /* of int */
	List *param_names;	   /* of String */
} SiddhiTableOpPlan;

/*
 * <cond> in T, in a filter: EXISTS (SELECT FROM T WHERE cond), whose
 * PARAM_EXTERN $k is attribute k of the event; the filter reads its result
 * as the bool PARAM_EXTERN param of the membership's number (from 1).
 */
typedef struct SiddhiMembershipPlan
{
	struct Query *probe;
	List *param_types; /* of Oid: the input stream's attributes, or args' */
	/* a scalar subquery in the select list of a join or a pattern: the
	 * expressions over its combined row that are the probe's $1..$n;
	 * NIL: $k is the event's k-th attribute */
	List *args;
	/* a scalar subquery (analyze_scalar.c): the param is the probe's
	 * first column (null without a row), of this type; else bool */
	Oid result_type;
	int32 result_typmod;
	Oid result_collation;
} SiddhiMembershipPlan;

/*
 * A join (src/analyzer/analyze_join.c, src/runtime/join/join.c).  The query's
 * input, filters and window (SiddhiQueryPlan) are its primary side: the
 * left one, or the right when the left is a table.  The other side is a
 * stream or named window with its own filters and window, or a table
 * read through `probe`.  Everything after the join (on, select, group by,
 * aggregators) reads one combined row: the primary side's attributes,
 * then the other side's (Var attno nprimary + k).
 */
typedef struct SiddhiJoinPlan
{
	SiddhiJoinType type;
	bool primary_is_left;
	SiddhiRelation *other;
	bool other_inner;				/* other is a #inner stream */
	List *other_qual;				/* of Expr, over the other side */
	SiddhiWindowPlan *other_window; /* or NULL */
	List *other_window_qual;
	bool triggers[2]; /* [0] primary, [1] other: arrivals probe the other */
	bool outer[2];	  /* an arrival that matches nothing goes out alone */
	Expr *on;		  /* over the combined row, or NULL */
	/*
	 * A conjunct of on, side0.a == side1.b with a hash opfamily's operator:
	 * an arrival of side s hashes its key_attno[s] (side-local) with
	 * key_hash[s] and probes the other side's window index; 0: scan
	 */
	AttrNumber key_attno[2];
	Oid key_hash[2];
	Oid key_collation;
	int nprimary;	/* attributes of the primary side */
	TupleDesc desc; /* the combined row */
	int ts_at;		/* its primary's, then other's event timestamp
					 * (eventTimestamp(side)), 0-based; -1: a table or
					 * aggregation side, whose rows have none */
	/* other is a table: SELECT its columns WHERE on, primary's attrs $k */
	struct Query *probe;
	List *param_types; /* of Oid */
} SiddhiJoinPlan;

/*
 * partition with (..) begin .. end (analyze_partition.c): how each
 * partitioned stream's events find their key.  A value partition keys an
 * event by the text of `value`; a range partition by the label of each
 * range whose condition holds (an event may go to several).  Queries of
 * the partition keep their state per key (src/runtime/partition.c).
 */
typedef struct SiddhiPartitionStreamPlan
{
	Oid relid;
	char *name;
	Expr *value;  /* value partition, or NULL */
	List *ranges; /* of Expr (boolean): range partition */
	List *labels; /* of char *, one per range */
} SiddhiPartitionStreamPlan;

typedef struct SiddhiPartitionPlan
{
	char *name;			  /* @info(name) or "partition<n>" */
	int index;			  /* from 1, in the app */
	List *streams;		  /* of SiddhiPartitionStreamPlan * */
	bool purge;			  /* @purge(enable = 'true', ..) */
	int64 purge_interval; /* ms */
	int64 purge_idle;	  /* ms: keys idle this long are released */
} SiddhiPartitionPlan;

/*
 * A pattern or sequence (analyze_pattern.c, src/runtime/pattern/).  Each
 * stream state (e=S[..], a side of and/or, not S) is one state with an id
 * numbered as Siddhi numbers them: left to right, except that the right
 * side of and/or comes before its left.  A partial match holds, per state
 * id, the events that state took (several for a count).  The links
 * between states (next, every, ...) are those of Siddhi's pre- and
 * post-state processors, so that the runtime is a plain interpreter.
 */
typedef struct SiddhiPatternStatePlan
{
	int id;
	char *ref;	/* its reference name (e1), else its stream's: EXPLAIN */
	int stream; /* index into SiddhiPatternPlan.streams */
	bool count; /* a count state: <n:m>, +, *, ? */
	int min_count;
	int max_count;	  /* PG_INT32_MAX: unbounded */
	int logical;	  /* 0, or SIDDHI_PAT_AND / SIDDHI_PAT_OR */
	int partner;	  /* and/or: the other side's state id */
	bool absent;	  /* not S [for t] */
	int64 waiting;	  /* not S for t: t in ms, else -1 */
	bool start;		  /* a start state: a match can begin here */
	int next;		  /* state a match goes to next, or -1 */
	int next_every;	  /* every: where a fresh copy starts again, or -1 */
	int within_every; /* every around it: where an expired match restarts */
	int callback;	  /* sequences: the start count state (min 0) to reset */
	bool emits;		  /* a match completed here goes out */
	int last_post;	  /* whose "went out" flag this state's loop reads */
	Expr *filter;	  /* over the combined row, or NULL */
	List *regions;	  /* of int: the regions the filter reads */
} SiddhiPatternStatePlan;

/*
 * One block of the combined row: the attributes of the event a state took
 * at an index.  index -1 is the last event (a plain e.a), n >= 0 the n-th,
 * -1-k is e[last-k]; self marks e[last..] inside e's own condition, where
 * Siddhi counts from the event before the one being tested.
 */
typedef struct SiddhiPatternRegion
{
	int state;
	int index;
	bool self;
	int offset; /* of its first attribute in the combined row (0-based) */
	int natts;
	int ts_at; /* its event's timestamp (eventTimestamp(e1)), 0-based */
} SiddhiPatternRegion;

typedef struct SiddhiPatternPlan
{
	bool sequence;
	int64 within;		/* ms, or -1 */
	List *streams;		/* of SiddhiRelation *: each distinct input */
	List *stream_inner; /* of int, by stream: 1 for a #inner stream */
	List *states;		/* of SiddhiPatternStatePlan *, by id */
	List *regions;		/* of SiddhiPatternRegion * */
	TupleDesc desc;		/* the combined row */
	List *out_regions;	/* of int: the regions the output reads */
	List *init_order;	/* of int: states armed when the query starts */
	List *reset_order;	/* sequences: states reset before each event */
	List *update_order; /* sequences: states updated after the reset */
	int64 max_partial;	/* bound on pending partial matches */
	List *rt_regions;	/* analysis only: region of each select RTE */
} SiddhiPatternPlan;

/*
 * A query's dispatch key (analyze_dispatch.c): the query can only ever be
 * affected by events of its input stream whose attribute attnum compares
 * to value as strategy says: equal to it (BTEqualStrategyNumber, under
 * eqop, the equality of the type's default hash operator class), or, for
 * a stateless filter, less, less or equal, greater or equal, or greater
 * (BTLessStrategyNumber .. BTGreaterStrategyNumber of the type's default
 * btree operator class, attribute on the left; eqop is then that class's
 * equality and cmpproc its BTORDER_PROC), under a deterministic collation.
 * So the stream's junction may skip it for the others
 * (src/runtime/dispatch.c).
 */
typedef struct SiddhiDispatchKey
{
	AttrNumber attnum; /* of the input stream */
	char *attname;
	Oid type;
	Oid eqop;		/* the equality the attribute's index is built on */
	Oid collation;	/* the comparison's, or InvalidOid */
	int16 strategy; /* BTEqualStrategyNumber, or a range's (attr op value) */
	Oid cmpproc;	/* a range's btree comparison (BTORDER_PROC) */
	Const *value;	/* not null */
} SiddhiDispatchKey;

typedef struct SiddhiQueryPlan
{
	char *name; /* @info(name) or "query<n>" */
	SiddhiQuery *ast;
	SiddhiRelation *input;
	List *qual; /* of Expr, implicitly ANDed, planned: before the window */
	Expr *dedup_key;	  /* #unique:deduplicate(key, t) after qual, or NULL */
	int64 dedup_interval; /* its t (ms) */
	List *dedup_qual;	  /* filters after deduplicate, before the window */
	SiddhiWindowPlan *window; /* or NULL */
	List *window_qual; /* filters written after the window, on its output */
	List *aggregates;  /* of SiddhiAggPlan *; param k is aggregate k */
	List *group_by;	   /* of Expr, over the input */
	List *having;	   /* of Expr, over the output row */
	List *order_by;	   /* of Expr, over the output row */
	List *order_ops;   /* of Oid: the ordering operator of each */
	List *order_nulls_first; /* of int (bool) */
	int64 limit;			 /* -1: none */
	int64 offset;
	/* streaming SQL: order by/limit over the contents, DISTINCT (topn.c) */
	bool contents;
	bool distinct;
	List *targetlist; /* of TargetEntry, typed as the output */
	SiddhiRelation *output;
	SiddhiTableOpPlan *table_op; /* delete/update/upsert, or NULL */
	List *memberships;			 /* of SiddhiMembershipPlan *: `in T` */
	SiddhiEventType events;
	/* output rate limiting: kind SIDDHI_RATE_NONE when there is none */
	SiddhiJoinPlan *join; /* a join's other side and condition, or NULL */
	SiddhiPatternPlan *pattern; /* a pattern or sequence, or NULL */
	SiddhiRateKind rate_kind;
	SiddhiRateType rate_type;
	int64 rate_value; /* events, or milliseconds */
	SiddhiSnapshotKind rate_snapshot;
	SiddhiPartitionPlan *partition; /* the query's partition, or NULL */
	bool inner_input;				/* it reads a #inner stream */
	bool agg_unordered;			 /* events may leave its aggregates in another
						 * order than they came (a join, a sort, frequent,
						 * session or unique window): a min/max removal
						 * looks its value up, as Siddhi's does */
	struct SiddhiOverPlan *over; /* window functions (over.h), or NULL */
	SiddhiDispatchKey *dispatch; /* analyze_dispatch.c, or NULL */
	/*
	 * analyze_shared.c: when another query of the app on the stream has
	 * one of qual's conjuncts too, the conjuncts (qual with its ANDs
	 * flattened) and per conjunct the number of the app's shared condition
	 * it is, or -1; else both NIL.
	 */
	List *qual_conds;  /* of Expr */
	List *qual_shared; /* of int */
	/*
	 * analyze_shared_expr.c: when some subexpressions of the query are the
	 * app's shared expressions, their numbers (shared_exprs), and the
	 * conjuncts (exec_conds, parallel to qual_conds, which are then set
	 * even when no conjunct is shared whole) and the select
	 * (exec_targetlist) the runtime evaluates, each such subexpression
	 * replaced by PARAM_EXTERN param list_length(memberships) + 1 + its
	 * number; else NIL.  EXPLAIN shows qual and targetlist as written.
	 */
	List *shared_exprs;	   /* of int */
	List *exec_conds;	   /* of Expr, or NIL: qual_conds */
	List *exec_targetlist; /* of TargetEntry, or NIL: targetlist */
} SiddhiQueryPlan;

/*
 * A subexpression that several places of the queries of an app on one
 * stream compute from its event alone (analyze_shared_expr.c): the
 * runtime computes it once per event.  exec is expr with the smaller
 * shared expressions it holds replaced by PARAM_EXTERN param 1 + their
 * number.
 */
typedef struct SiddhiSharedExpr
{
	Oid relid;	/* the stream */
	Expr *expr; /* as planned, for EXPLAIN */
	Expr *exec;
	int users; /* queries that compute it */
} SiddhiSharedExpr;

/*
 * A named window (define window W (..) time(1 min) output all events):
 * queries insert into it and read from it as from a stream; its contents
 * are mirrored into an unlogged table of the same name for plain SQL.
 */
typedef struct SiddhiNamedWindowPlan
{
	SiddhiRelation *relation;
	SiddhiWindowPlan *window;
	SiddhiEventType output; /* what the window passes to its readers */
} SiddhiNamedWindowPlan;

/* define trigger T at 'start' | every <t> | '<cron>': a stream of one long */
typedef struct SiddhiTriggerPlan
{
	SiddhiRelation *relation; /* (triggered_time long) */
	bool at_start;
	int64 every_ms; /* at every <t>, else 0 */
	char *cron;		/* at '<cron>', else NULL */
} SiddhiTriggerPlan;

/*
 * define aggregation / CREATE AGGREGATION (analyze_aggregation.c): what an
 * event adds to its buckets.  Each select item is one of these; the
 * granularity tables hold agg_timestamp, then the items' columns in order
 * (avg as two: <name>_sum, <name>_count).
 */
typedef enum SiddhiIncColumnKind
{
	SIDDHI_INC_GROUP, /* a group-by expression: part of the key */
	SIDDHI_INC_LAST,  /* any other expression: the bucket's last value */
	SIDDHI_INC_AGG	  /* sum, count, avg, min, max or distinctCount */
} SiddhiIncColumnKind;

typedef struct SiddhiIncColumn
{
	SiddhiIncColumnKind kind;
	char *name;
	Oid type;	/* GROUP, LAST: the expression's; AGG: int8 or float8 */
	Expr *expr; /* GROUP, LAST: over the input; AGG: the argument */
	SiddhiAggKind agg;
	bool is_float;	 /* AGG: sums, minima and maxima kept as float8 */
	double fraction; /* AGG percentiles: read from the sketch at it */
} SiddhiIncColumn;

#define SIDDHI_INC_NGRAN 6 /* sec, min, hour, day, month, year */

typedef struct SiddhiAggregationPlan
{
	char *name;
	SiddhiRelation *input;
	List *qual;		 /* of Expr: filters on the input */
	Expr *time_expr; /* aggregate by: int8 ms or a timestamp; else NULL */
	Oid time_type;
	List *columns; /* of SiddhiIncColumn * */
	List *grans;   /* of int: 0 = sec .. 5 = year, ascending */
	List *tables;  /* of SiddhiRelation *, one per granularity */
	SiddhiRelation *view;
	List *upserts;	   /* of char *: the upsert of each table, $1 the bucket */
	List *param_types; /* of Oid: $1..$n of the upserts */
	/*
	 * The upsert of many rows at once (INSERT .. SELECT * FROM unnest($1,
	 * ..) ON CONFLICT ..), each $k an array of column k's values, and
	 * those array types; NIL when a column cannot be an array element.
	 */
	List *bulk_upserts;
	List *bulk_param_types;
	/*
	 * The same without ON CONFLICT, for buckets the runtime knows are not
	 * in the table yet (src/runtime/aggregation/incremental_flush.c).
	 */
	List *bulk_inserts;
	/* retention (Siddhi's @purge): rows older than now - retention go */
	bool purge;						   /* purging enabled (the default) */
	int64 purge_interval;			   /* ms between purges */
	int64 retention[SIDDHI_INC_NGRAN]; /* ms, or -1 to keep all */
	bool playback; /* now is the latest event time, not the clock */
	/*
	 * The time zone hour, day, month and year buckets are aligned to (a
	 * PostgreSQL zone name, as pg_tzset takes it), or NULL for UTC; sec
	 * and min buckets are always multiples of their length, as in Siddhi.
	 */
	char *timezone;
} SiddhiAggregationPlan;

extern const char *const siddhi_granularity_names[SIDDHI_INC_NGRAN];

typedef struct SiddhiAppPlan
{
	bool playback; /* @app:playback: the clock follows event time */
	char *name;
	SiddhiApp *ast;
	Oid owner;
	List *relations;	/* of SiddhiRelation * */
	List *queries;		/* of SiddhiQueryPlan * */
	List *windows;		/* of SiddhiNamedWindowPlan * */
	List *triggers;		/* of SiddhiTriggerPlan * */
	List *aggregations; /* of SiddhiAggregationPlan * */
	List *partitions;	/* of SiddhiPartitionPlan * */
	List *sources;		/* of SiddhiSourcePlan * (connector.h) */
	List *sinks;		/* of SiddhiSinkPlan * */
	int nshared;		/* conditions shared by queries (analyze_shared.c) */
	List *shared_exprs; /* of SiddhiSharedExpr * (analyze_shared_expr.c) */
} SiddhiAppPlan;

/*
 * Analyze an app.  known_relations (LOAD mode) lists the relations the
 * catalog recorded for it; in DEPLOY mode with replace, the streams the
 * replaced version created (kept when declared alike, else recreated).
 * Errors carry source positions.
 */
extern SiddhiAppPlan *siddhi_analyze_app(SiddhiApp *app, const char *name,
										 SiddhiAnalyzeMode mode,
										 List *known_relations);

/*
 * The value of an annotation's element: the element named key, else the
 * first positional one; NULL when the annotation or element is absent.
 */
/* siddhi.app_relation's kind column (src/analyzer/analyze.c). */
extern const char *siddhi_relation_kind_name(SiddhiRelKind kind);
/*
 * analyze_dispatch.c: each query's dispatch key, if it has one (at the
 * end of analysis); how many queries of the app share q's attribute.
 */
extern void siddhi_derive_dispatch_keys(SiddhiAppPlan *plan);
/*
 * Whether the query's window is a tumbling batch that resets (Siddhi's
 * RESET) instead of keeping the batch it emitted, nothing needing its
 * expired events (analyze_window.c; src/runtime/window/README.md).
 */
extern bool siddhi_window_plan_resets(const SiddhiQueryPlan *qp);
/*
 * Whether it also folds each event into the query's groups as it arrives,
 * the window holding none (analyze_window.c).
 */
extern bool siddhi_window_plan_folds(const SiddhiQueryPlan *qp);
extern int siddhi_dispatch_sharing(SiddhiAppPlan *plan, SiddhiQueryPlan *q);
/*
 * analyze_shared.c: the conditions queries of the app share (at the end of
 * analysis), and how many queries share q's conjunct number id.
 */
extern void siddhi_derive_shared_conditions(SiddhiAppPlan *plan);
extern int siddhi_shared_condition_users(SiddhiAppPlan *plan, int id);
/*
 * analyze_shared_expr.c: the subexpressions queries of the app share
 * (after siddhi_derive_shared_conditions).
 */
extern void siddhi_derive_shared_exprs(SiddhiAppPlan *plan);
/* A hash of an expression that equal() expressions share. */
extern uint32 siddhi_expr_hash(Node *node);
extern SiddhiRelKind siddhi_relation_kind_parse(const char *kind);
/*
 * The relations siddhi.app_relation records for app, as SiddhiRelation
 * entries (the list analysis at load takes); the caller is connected to
 * SPI and the list is in its current memory context.
 */
extern List *siddhi_app_relations(const char *app);

extern const char *siddhi_annotation_value(List *annotations, const char *name,
										   const char *key);

/*
 * An on-demand query of an app (siddhi.query(), analyze_ondemand.c): the
 * PostgreSQL statements it stands for, raw (RawStmt *), over the app's
 * relations, whose locations point into text.  upsert: the second (an
 * INSERT) runs only when the first (an UPDATE) changed no row.
 */
typedef struct SiddhiOnDemand
{
	List *stmts;
	bool upsert;
} SiddhiOnDemand;

extern SiddhiOnDemand *siddhi_ondemand_translate(const char *app,
												 const char *text);

/*
 * The @map(..) nested in a @source or @sink annotation (passThrough when
 * there is none), its elements split into type, options, @attributes and
 * @payload; errors point into source (analyze_connector.c).
 */
struct SiddhiMapPlan;
extern struct SiddhiMapPlan *siddhi_map_plan(SiddhiAnnotation *conn,
											 const char *source);

/* TypeName of a SiddhiQL type name (string, int, ...), or NULL. */
extern TypeName *siddhi_type_name(const char *siddhi_type);

#endif /* SIDDHI_ANALYZER_H */
