/*-------------------------------------------------------------------------
 *
 * explain_format.c
 *	  The trees of EXPLAIN: building them, and rendering them as text or
 *	  JSON.
 *
 * Text follows PostgreSQL's EXPLAIN: a node on its line, its properties
 * under it, its children after them, each child's line starting with
 * "->  " indented six past its parent's properties; a query's own
 * properties (counters, hints) come after its tree, as PostgreSQL's
 * execution time does.  A list property has one line per item.  JSON is
 * an array with one object per query (its name, properties and "Plan"); a
 * node is an object with "Node Type", its properties (numbers as numbers,
 * a list as an array) and "Plans", the array of its children, as
 * PostgreSQL's FORMAT JSON writes them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "siddhi/explain.h"
#include "utils/json.h"

SiddhiExplainNode *
siddhi_explain_node(const char *type, const char *prefix,
					const char *detail_key, const char *detail)
{
	SiddhiExplainNode *n = palloc0(sizeof(SiddhiExplainNode));

	n->type = pstrdup(type);
	n->prefix = prefix ? pstrdup(prefix) : NULL;
	n->detail_key = detail_key ? pstrdup(detail_key) : NULL;
	n->detail = detail ? pstrdup(detail) : NULL;
	return n;
}

void
siddhi_explain_prop(SiddhiExplainNode *n, const char *key, const char *value)
{
	SiddhiExplainProp *p;

	if (value == NULL)
		return;
	p = palloc0(sizeof(SiddhiExplainProp));
	p->key = pstrdup(key);
	p->value = pstrdup(value);
	n->props = lappend(n->props, p);
}

void
siddhi_explain_prop_int(SiddhiExplainNode *n, const char *key, int64 value)
{
	SiddhiExplainProp *p = palloc0(sizeof(SiddhiExplainProp));

	p->key = pstrdup(key);
	p->value = psprintf(INT64_FORMAT, value);
	p->numeric = true;
	n->props = lappend(n->props, p);
}

void
siddhi_explain_prop_list(SiddhiExplainNode *n, const char *key, List *items)
{
	SiddhiExplainProp *p;

	if (items == NIL)
		return;
	p = palloc0(sizeof(SiddhiExplainProp));
	p->key = pstrdup(key);
	p->items = items;
	n->props = lappend(n->props, p);
}

void
siddhi_explain_prop_append(SiddhiExplainNode *n, const char *key,
						   const char *item)
{
	ListCell *lc;

	foreach(lc, n->props)
	{
		SiddhiExplainProp *p = lfirst(lc);

		if (p->value == NULL && strcmp(p->key, key) == 0)
		{
			p->items = lappend(p->items, pstrdup(item));
			return;
		}
	}
	siddhi_explain_prop_list(n, key, list_make1(pstrdup(item)));
}

SiddhiExplainNode *
siddhi_explain_find(SiddhiExplainNode *root, const char *type)
{
	ListCell *lc;

	if (strcmp(root->type, type) == 0)
		return root;
	foreach(lc, root->children)
	{
		SiddhiExplainNode *f = siddhi_explain_find(lfirst(lc), type);

		if (f)
			return f;
	}
	return NULL;
}

SiddhiExplainFormat
siddhi_explain_format_parse(const char *format)
{
	if (pg_strcasecmp(format, "text") == 0)
		return SIDDHI_EXPLAIN_TEXT;
	if (pg_strcasecmp(format, "json") == 0)
		return SIDDHI_EXPLAIN_JSON;
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("unrecognized EXPLAIN format \"%s\"", format),
					errhint("Write format => 'text' or format => 'json'.")));
	return SIDDHI_EXPLAIN_TEXT; /* keep the compiler quiet */
}

static void
text_props(StringInfo buf, SiddhiExplainNode *n, int props_at)
{
	ListCell *lc;

	foreach(lc, n->props)
	{
		SiddhiExplainProp *p = lfirst(lc);
		ListCell *i;

		if (p->value)
		{
			appendStringInfoSpaces(buf, props_at);
			appendStringInfo(buf, "%s: %s\n", p->key, p->value);
			continue;
		}
		foreach(i, p->items)
		{
			appendStringInfoSpaces(buf, props_at);
			appendStringInfo(buf, "%s: %s\n", p->key, (char *) lfirst(i));
		}
	}
}

/*
 * A node, its properties, then its children; a query's own properties
 * (counters, hints) come after its tree, as PostgreSQL's execution time.
 */
static void
text_node(StringInfo buf, SiddhiExplainNode *n, int indent, bool child)
{
	int props_at = indent + (child ? 6 : 2);
	ListCell *lc;

	appendStringInfoSpaces(buf, indent);
	if (child)
		appendStringInfoString(buf, "->  ");
	appendStringInfoString(buf, n->line ? n->line : n->type);
	if (n->detail && !n->line)
		appendStringInfo(buf, " %s%s%s", n->prefix ? n->prefix : "",
						 n->prefix ? " " : "", n->detail);
	appendStringInfoChar(buf, '\n');
	if (child)
		text_props(buf, n, props_at);
	foreach(lc, n->children)
		text_node(buf, lfirst(lc), props_at, true);
	if (!child)
		text_props(buf, n, props_at);
}

static void
json_indent(StringInfo buf, int level)
{
	appendStringInfoChar(buf, '\n');
	appendStringInfoSpaces(buf, 2 * level);
}

static void
json_key(StringInfo buf, int level, bool *first, const char *key)
{
	if (!*first)
		appendStringInfoChar(buf, ',');
	*first = false;
	json_indent(buf, level);
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
}

/*
 * A node as a JSON object.  A query (root) is written as PostgreSQL
 * writes a statement: its name and properties, and its tree under
 * "Plan".
 */
static void
json_node(StringInfo buf, SiddhiExplainNode *n, int level, bool root)
{
	bool first = true;
	ListCell *lc;

	appendStringInfoChar(buf, '{');
	if (!root)
	{
		json_key(buf, level + 1, &first, "Node Type");
		escape_json(buf, n->type);
	}
	if (n->detail)
	{
		json_key(buf, level + 1, &first,
				 n->detail_key ? n->detail_key : "Name");
		escape_json(buf, n->detail);
	}
	foreach(lc, n->props)
	{
		SiddhiExplainProp *p = lfirst(lc);

		json_key(buf, level + 1, &first, p->key);
		if (p->value && p->numeric)
			appendStringInfoString(buf, p->value);
		else if (p->value)
			escape_json(buf, p->value);
		else
		{
			ListCell *i;

			appendStringInfoChar(buf, '[');
			foreach(i, p->items)
			{
				if (i != list_head(p->items))
					appendStringInfoString(buf, ", ");
				escape_json(buf, lfirst(i));
			}
			appendStringInfoChar(buf, ']');
		}
	}
	if (root && n->children)
	{
		json_key(buf, level + 1, &first, "Plan");
		json_node(buf, linitial(n->children), level + 1, false);
	}
	else if (n->children)
	{
		json_key(buf, level + 1, &first, "Plans");
		appendStringInfoChar(buf, '[');
		foreach(lc, n->children)
		{
			if (lc != list_head(n->children))
				appendStringInfoChar(buf, ',');
			json_indent(buf, level + 2);
			json_node(buf, lfirst(lc), level + 2, false);
		}
		json_indent(buf, level + 1);
		appendStringInfoChar(buf, ']');
	}
	json_indent(buf, level);
	appendStringInfoChar(buf, '}');
}

/*
 * The trees of several queries: in text, one after another; in JSON, an
 * array of them.
 */
char *
siddhi_explain_render(List *roots, SiddhiExplainFormat format)
{
	StringInfoData buf;
	ListCell *lc;

	initStringInfo(&buf);
	if (format == SIDDHI_EXPLAIN_TEXT)
	{
		foreach(lc, roots)
			text_node(&buf, lfirst(lc), 0, false);
		if (buf.len > 0 && buf.data[buf.len - 1] == '\n')
			buf.data[--buf.len] = '\0';
		return buf.data;
	}
	appendStringInfoChar(&buf, '[');
	foreach(lc, roots)
	{
		if (lc != list_head(roots))
			appendStringInfoChar(&buf, ',');
		json_indent(&buf, 1);
		json_node(&buf, lfirst(lc), 1, true);
	}
	appendStringInfoString(&buf, "\n]");
	return buf.data;
}
