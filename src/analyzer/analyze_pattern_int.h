/*-------------------------------------------------------------------------
 *
 * analyze_pattern_int.h
 *	  What analyze_pattern.c (the states and their links) and
 *	  analyze_pattern_names.c (regions, names and the combined row) share.
 *	  Private to the pattern analysis.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ANALYZE_PATTERN_INT_H
#define ANALYZE_PATTERN_INT_H

#include "analyze_int.h"
#include "utils/hsearch.h"

/* What the tree walk keeps while it numbers and links the states. */
typedef struct PatternBuild
{
	AnalyzeState *st;
	SiddhiPatternPlan *plan;
	List *names;	 /* of char *: each state's reference (alias or stream) */
	List *inputs;	 /* of SiddhiStreamInput *, by state id */
	List *nodes;	 /* of SiddhiPatternNode *, by state id */
	List *update;	 /* of int: updateState() order, built as the walk goes */
	char **refnames; /* each region's hidden reference name */
	HTAB *regions;	 /* refname -> the first region of that name */
	List *others;	 /* of SiddhiStreamInput *: states of the other
					  * alternatives of SQL's (P1) OR (P2), NULL here */
} PatternBuild;

static inline SiddhiPatternStatePlan *
state_of(PatternBuild *b, int id)
{
	return list_nth(b->plan->states, id);
}

typedef struct IndexContext
{
	PatternBuild *b;
	int own; /* the state whose condition this is, or -1 */
} IndexContext;

typedef struct CombineContext
{
	SiddhiPatternPlan *plan;
	List *rt_regions;
	Bitmapset *used;
	const char *source; /* the app's text, for error positions */
	Oid ts_func;		/* siddhi.event_timestamp(record) */
} CombineContext;

/* analyze_pattern.c */
extern int pattern_stream(PatternBuild *b, SiddhiStreamInput *in);

/* analyze_pattern_names.c */
extern int region_for(PatternBuild *b, int state, int index, bool self);
extern bool index_walker(Node *node, IndexContext *cxt);
extern void index_region_names(PatternBuild *b);
extern ParseState *region_pstate(PatternBuild *b, int own, List *exprs,
								 List **rt_regions);
extern void combine_init(CombineContext *cxt, SiddhiPatternPlan *plan,
						 List *rt_regions, const char *source);
extern Node *combine_mutator(Node *node, CombineContext *cxt);
extern List *bms_to_list(Bitmapset *set);
extern void lay_out_regions(PatternBuild *b);

#endif /* ANALYZE_PATTERN_INT_H */
