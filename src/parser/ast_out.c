/*-------------------------------------------------------------------------
 *
 * ast_out.c
 *	  Print a SiddhiApp as indented text, for siddhi.parse() and tests.
 *
 * Expressions are printed with PostgreSQL's nodeToString(), which shows
 * raw parse nodes with their locations: exactly what the analyzer will
 * receive.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodes.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"

/*
 * Indentation is capped, so that the output of a deep tree (a pattern of
 * thousands of states) stays linear in its size; past the cap, a line
 * says its depth instead.
 */
#define MAX_INDENT_LEVEL 32

static void
indent(StringInfo buf, int level)
{
	appendStringInfoSpaces(buf, Min(level, MAX_INDENT_LEVEL) * 2);
	if (level > MAX_INDENT_LEVEL)
		appendStringInfo(buf, "[%d] ", level);
}

static void
out_expr(StringInfo buf, int level, const char *label, Node *expr)
{
	if (expr == NULL)
		return;
	indent(buf, level);
	appendStringInfo(buf, "%s: %s\n", label, nodeToString(expr));
}

static void
out_annotations(StringInfo buf, int level, List *annotations)
{
	ListCell *lc;

	check_stack_depth();

	foreach(lc, annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *le;

		indent(buf, level);
		appendStringInfo(buf, "@%s", a->name);
		foreach(le, a->elements)
		{
			SiddhiAnnotationElement *e = lfirst(le);

			if (e->key)
				appendStringInfo(buf, " %s=%s", e->key,
								 quote_literal_cstr(e->value));
			else
				appendStringInfo(buf, " %s", quote_literal_cstr(e->value));
		}
		appendStringInfoChar(buf, '\n');
		out_annotations(buf, level + 1, a->annotations);
	}
}

static void
out_call(StringInfo buf, int level, const char *label, SiddhiCall *call)
{
	ListCell *lc;

	if (call == NULL)
		return;
	indent(buf, level);
	appendStringInfo(buf, "%s: %s%s%s (%d args)\n", label,
					 call->ns ? call->ns : "", call->ns ? ":" : "", call->name,
					 list_length(call->args));
	foreach(lc, call->args)
		out_expr(buf, level + 1, "arg", lfirst(lc));
}

static const char *const def_kinds[] = {
	"stream", "table", "window", "trigger", "aggregation", "function"
};
static const char *const event_types[] = { "current", "expired", "all" };
static const char *const handler_kinds[] = { "filter", "function", "window" };
static const char *const join_types[] = { "inner", "left", "right", "full" };
static const char *const input_kinds[] = { "stream", "join", "pattern",
										   "sequence" };
static const char *const pattern_kinds[] = { "stream", "next", "every",
											 "and",	   "or",   "not" };
static const char *const rate_kinds[] = { "none", "events", "time",
										  "snapshot" };
static const char *const rate_types[] = { "all", "first", "last" };
static const char *const output_kinds[] = { "insert", "delete", "update",
											"update or insert", "return" };

static void
out_string_list(StringInfo buf, int level, const char *label, List *names)
{
	ListCell *lc;

	if (names == NIL)
		return;
	indent(buf, level);
	appendStringInfo(buf, "%s:", label);
	foreach(lc, names)
		appendStringInfo(buf, " %s", strVal(lfirst(lc)));
	appendStringInfoChar(buf, '\n');
}

static void
out_stream_input(StringInfo buf, int level, const char *label,
				 SiddhiStreamInput *in)
{
	ListCell *lc;

	if (in == NULL)
		return;
	indent(buf, level);
	appendStringInfo(buf, "%s: %s%s%s%s%s @%d\n", label, in->inner ? "#" : "",
					 in->fault ? "!" : "", in->stream, in->alias ? " as " : "",
					 in->alias ? in->alias : "", in->location);
	foreach(lc, in->handlers)
	{
		SiddhiStreamHandler *h = lfirst(lc);

		if (h->kind == SIDDHI_HANDLER_FILTER)
			out_expr(buf, level + 1, "filter", h->filter);
		else
			out_call(buf, level + 1, handler_kinds[h->kind], h->call);
	}
}

static void
out_pattern(StringInfo buf, int level, SiddhiPatternNode *p)
{
	if (p == NULL)
		return;
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	indent(buf, level);
	appendStringInfo(buf, "%s", pattern_kinds[p->kind]);
	if (p->kind == SIDDHI_PAT_STREAM &&
		!(p->min_count == 1 && p->max_count == 1))
		appendStringInfo(buf, " <%d:%d>", p->min_count, p->max_count);
	if (p->for_ms >= 0 && p->kind == SIDDHI_PAT_NOT)
		appendStringInfo(buf, " for " INT64_FORMAT " ms", p->for_ms);
	appendStringInfoChar(buf, '\n');
	out_stream_input(buf, level + 1, "stream", p->stream);
	out_pattern(buf, level + 1, p->left);
	out_pattern(buf, level + 1, p->right);
}

static void
out_query(StringInfo buf, int level, SiddhiQuery *q)
{
	ListCell *lc;

	indent(buf, level);
	appendStringInfo(buf, "query %s @%d..%d%s%s\n", q->name ? q->name : "-",
					 q->location, q->end_location,
					 q->emit == SIDDHI_EMIT_FINAL ? " emit final" : "",
					 q->explain ? " explain" : "");
	out_annotations(buf, level + 1, q->annotations);
	if (q->input)
	{
		SiddhiInput *in = q->input;

		indent(buf, level + 1);
		appendStringInfo(buf, "input %s\n", input_kinds[in->kind]);
		out_stream_input(buf, level + 2, "from", in->stream);
		if (in->kind == SIDDHI_INPUT_JOIN)
		{
			indent(buf, level + 2);
			appendStringInfo(
				buf, "join %s%s%s\n", join_types[in->join_type],
				in->left_unidirectional ? " left-unidirectional" : "",
				in->right_unidirectional ? " right-unidirectional" : "");
			out_stream_input(buf, level + 2, "with", in->right);
			out_expr(buf, level + 2, "on", in->on);
		}
		out_pattern(buf, level + 2, in->pattern);
		foreach(lc, in->other_states)
			out_stream_input(buf, level + 2, "null (other alternative)",
							 lfirst(lc));
		out_expr(buf, level + 2, "within", in->within);
		out_expr(buf, level + 2, "per", in->per);
	}
	if (q->selector)
	{
		SiddhiSelector *s = q->selector;

		indent(buf, level + 1);
		appendStringInfo(buf, "select%s%s\n", s->distinct ? " distinct" : "",
						 s->select_all ? " *" : "");
		foreach(lc, s->targets)
		{
			ResTarget *rt = lfirst(lc);

			out_expr(buf, level + 2, rt->name ? rt->name : "(unnamed)",
					 rt->val);
		}
		foreach(lc, s->group_by)
			out_expr(buf, level + 2, "group by", lfirst(lc));
		out_expr(buf, level + 2, "having", s->having);
		foreach(lc, s->order_by)
			out_expr(buf, level + 2, "order by", lfirst(lc));
		out_expr(buf, level + 2, "limit", s->limit);
		out_expr(buf, level + 2, "offset", s->offset);
	}
	if (q->rate)
	{
		indent(buf, level + 1);
		appendStringInfo(buf, "output %s every " INT64_FORMAT " (%s)\n",
						 rate_types[q->rate->type], q->rate->value,
						 rate_kinds[q->rate->kind]);
	}
	if (q->output)
	{
		SiddhiOutput *o = q->output;

		indent(buf, level + 1);
		appendStringInfo(buf, "%s %s events %s%s\n", output_kinds[o->kind],
						 event_types[o->events], o->target_inner ? "#" : "",
						 o->target ? o->target : "-");
		out_expr(buf, level + 2, "on", o->on);
		foreach(lc, o->set)
		{
			ResTarget *rt = lfirst(lc);

			out_expr(buf, level + 2, rt->name, rt->val);
		}
	}
}

char *
siddhi_ast_to_string(const SiddhiApp *app)
{
	StringInfoData buf;
	ListCell *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "app %s (%s)\n", app->name ? app->name : "-",
					 app->dialect == SIDDHI_DIALECT_SQL ? "sql" : "siddhiql");
	out_annotations(&buf, 1, app->annotations);

	foreach(lc, app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);
		ListCell *la;

		indent(&buf, 1);
		appendStringInfo(&buf, "define %s %s @%d%s\n", def_kinds[d->kind],
						 d->name, d->location,
						 d->inferred ? " (columns inferred)" : "");
		out_annotations(&buf, 2, d->annotations);
		foreach(la, d->attributes)
		{
			SiddhiAttribute *a = lfirst(la);

			indent(&buf, 2);
			appendStringInfo(&buf, "%s %s\n", a->name,
							 a->type ? nodeToString(a->type) : "?");
		}
		out_string_list(&buf, 2, "primary key", d->primary_key);
		out_string_list(&buf, 2, "index", d->indexes);
		out_call(&buf, 2, "window", d->window);
		if (d->kind == SIDDHI_DEF_WINDOW)
		{
			indent(&buf, 2);
			appendStringInfo(&buf, "output %s events\n",
							 event_types[d->window_output]);
		}
		if (d->trigger_at)
		{
			indent(&buf, 2);
			appendStringInfo(&buf, "at %s\n", d->trigger_at);
		}
		if (d->trigger_every_ms > 0)
		{
			indent(&buf, 2);
			appendStringInfo(&buf, "at every " INT64_FORMAT " ms\n",
							 d->trigger_every_ms);
		}
		if (d->aggregation)
			out_query(&buf, 2, d->aggregation);
		if (d->aggregate_by)
		{
			indent(&buf, 2);
			appendStringInfo(&buf, "aggregate by %s\n", d->aggregate_by);
		}
		out_string_list(&buf, 2, "every", d->granularities);
		if (d->function_language)
		{
			indent(&buf, 2);
			appendStringInfo(
				&buf, "language %s returns %s\n", d->function_language,
				d->function_return ? nodeToString(d->function_return) : "?");
			indent(&buf, 2);
			appendStringInfo(&buf, "body {%s}\n",
							 d->function_body ? d->function_body : "");
		}
	}
	foreach(lc, app->queries)
		out_query(&buf, 1, lfirst(lc));
	foreach(lc, app->partitions)
	{
		SiddhiPartition *p = lfirst(lc);
		ListCell *lk;

		indent(&buf, 1);
		appendStringInfo(&buf, "partition @%d\n", p->location);
		out_annotations(&buf, 2, p->annotations);
		foreach(lk, p->keys)
		{
			SiddhiPartitionKey *k = lfirst(lk);
			ListCell *lr;

			indent(&buf, 2);
			appendStringInfo(&buf, "key of %s\n", k->stream);
			out_expr(&buf, 3, "value", k->expr);
			foreach(lr, k->ranges)
			{
				SiddhiPartitionRange *r = lfirst(lr);

				out_expr(&buf, 3, quote_literal_cstr(r->label), r->condition);
			}
		}
		foreach(lk, p->queries)
			out_query(&buf, 2, lfirst(lk));
	}
	return buf.data;
}
