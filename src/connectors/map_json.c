/*-------------------------------------------------------------------------
 *
 * map_json.c
 *	  The json mapper (Siddhi's siddhi-map-json): records of JSON text into
 *	  events and back.
 *
 * Source.  By default a record is Siddhi's {"event": {"a": .., "b": ..}},
 * or an array of those; an object without an "event" member is read as
 * the event itself ({"a": .., "b": ..}).  Keys match attribute names
 * without regard to case (attribute names fold to lower case).
 * enclosing.element = '$.x.y' names where the events are (an object, or
 * an array of objects); @attributes(a = '$.p.q', b = '$.r[0]') give each
 * attribute's path inside an event (JSONPath's $.name, ['name'] and [n]
 * steps; the whole record, or each element when it is an array, is an
 * event when there is no enclosing.element).  fail.on.missing.attribute
 * (true by default) makes an attribute the record lacks an error; false
 * makes it null.
 *
 * The paths are compiled at create into a trie; one pass of a small
 * recursive-descent parser with the json type's grammar walks the record,
 * descending only into members some path names and skipping (but still
 * checking) the rest.  Its tokens come from json_next(): the common ones
 * (punctuation, plain strings, numbers, true/false/null) scanned here,
 * everything else by PostgreSQL's lexer (common/jsonapi.h json_lex, the
 * json type's) from the same state, so that errors are exactly its.
 * Values are converted where they are met, by the attribute's input
 * function looked up at create (raw JSON text for json/jsonb attributes,
 * the string itself for text, short integers into int2/4/8 directly): no
 * jsonb is built, nothing is allocated but the values, and the events of
 * a record are emitted only once the whole record has parsed.
 *
 * Sink.  Siddhi's {"event": {..}} by default (inside enclosing.element's
 * path when given), or a @payload template whose {{a}} are replaced by
 * values: JSON-escaped inside a string literal, as JSON values outside one.
 * validate.json = 'true' checks each payload made by a template.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "map_int.h"

/* One step of a path: a member name, or an array index (key NULL). */
typedef struct JsonStep
{
	char *key;
	int index;
} JsonStep;

/* A node of the trie of paths. */
typedef struct PathNode
{
	char *key; /* member name, or NULL: array element `index` */
	int keylen;
	int index;
	bool icase;		/* match key without regard to case */
	int hint;		/* child to try first: the one after the last match */
	bool ambiguous; /* two children match one key: search from the first */
	bool events;	/* the events are here (enclosing element, or root) */
	int nchildren;
	struct PathNode **children;
	int natts;
	int *atts; /* attributes whose path ends here */
} PathNode;

typedef struct JsonState
{
	PathNode *outer; /* from the record's root to the events */
	PathNode *event; /* from an event's root to its attributes */
	char **paths;	 /* per attribute, for messages */
	bool fail_missing;
	bool found; /* the record had the enclosing element */
	const char *enclosing;

	/* sink */
	char *open; /* before an event: {"x":{"y": */
	char *close;
	bool validate;
} JsonState;

/* The parser's state for one record. */
typedef struct JsonParser
{
	JsonLexContext lex;
	SiddhiMapper *m;
	JsonState *js;
	int nevents;
	bool plain; /* the current token is a string without a backslash */
} JsonParser;

/* Paths ------------------------------------------------------------ */

/*
 * Parse a JSONPath-like path: [$] then .name, ['name'], ["name"] or [n]
 * steps; "a.b" is read as "$.a.b".  Returns a List of JsonStep *, or NIL
 * with *err set.
 */
static List *
path_parse(const char *path, const char **err)
{
	const char *p = path;
	List *steps = NIL;

	*err = NULL;
	while (*p == ' ')
		p++;
	if (*p == '$')
		p++;
	else if (*p != '\0' && *p != '[' && *p != '.')
	{
		/* a relative path: its first name without a dot */
		const char *s = p;
		JsonStep *st = palloc0(sizeof(JsonStep));

		while (*p && *p != '.' && *p != '[')
			p++;
		st->key = pnstrdup(s, p - s);
		st->index = -1;
		steps = lappend(steps, st);
	}
	while (*p)
	{
		JsonStep *st = palloc0(sizeof(JsonStep));

		st->index = -1;
		if (p[0] == '.' && p[1] == '.')
		{
			*err = "recursive descent (..) is not supported";
			return NIL;
		}
		if (*p == '.')
		{
			const char *s = ++p;

			while (*p && *p != '.' && *p != '[')
				p++;
			if (p == s)
			{
				*err = "a step has no name";
				return NIL;
			}
			st->key = pnstrdup(s, p - s);
			if (strcmp(st->key, "*") == 0)
			{
				*err = "wildcards (*) are not supported";
				return NIL;
			}
		}
		else if (*p == '[')
		{
			p++;
			if (*p == '\'' || *p == '"')
			{
				char q = *p++;
				const char *s = p;

				while (*p && *p != q)
					p++;
				if (*p != q || p[1] != ']')
				{
					*err = "a ['name'] step is not closed";
					return NIL;
				}
				st->key = pnstrdup(s, p - s);
				p += 2;
			}
			else if (*p >= '0' && *p <= '9')
			{
				long n = 0;

				while (*p >= '0' && *p <= '9')
				{
					n = n * 10 + (*p++ - '0');
					if (n > PG_INT32_MAX)
					{
						*err = "an array index is too large";
						return NIL;
					}
				}
				if (*p++ != ']')
				{
					*err = "an array index is not closed by ]";
					return NIL;
				}
				st->index = (int) n;
			}
			else
			{
				*err = "only [n], ['name'] and [\"name\"] steps are supported";
				return NIL;
			}
		}
		else
		{
			*err = "expected . or [ after a step";
			return NIL;
		}
		steps = lappend(steps, st);
	}
	return steps;
}

static PathNode *
node_new(void)
{
	PathNode *n = palloc0(sizeof(PathNode));

	n->index = -1;
	return n;
}

static PathNode *
node_child(PathNode *n, JsonStep *st, bool icase)
{
	PathNode *c;

	for (int i = 0; i < n->nchildren; i++)
	{
		c = n->children[i];
		if (st->key ? (c->key && strcmp(c->key, st->key) == 0)
					: (c->key == NULL && c->index == st->index))
			return c;
	}
	for (int i = 0; i < n->nchildren && st->key; i++)
		if (n->children[i]->key && (icase || n->children[i]->icase) &&
			pg_strcasecmp(n->children[i]->key, st->key) == 0)
			n->ambiguous = true;
	c = node_new();
	c->key = st->key;
	c->keylen = st->key ? strlen(st->key) : 0;
	c->index = st->index;
	c->icase = icase;
	n->children =
		n->children
			? repalloc(n->children, sizeof(PathNode *) * (n->nchildren + 1))
			: palloc(sizeof(PathNode *));
	n->children[n->nchildren++] = c;
	return c;
}

static void
node_add_att(PathNode *n, int att)
{
	n->atts = n->atts ? repalloc(n->atts, sizeof(int) * (n->natts + 1))
					  : palloc(sizeof(int));
	n->atts[n->natts++] = att;
}

/* The node at the end of a path from root, made as needed. */
static PathNode *
node_path(PathNode *root, List *steps, bool icase)
{
	ListCell *lc;

	foreach(lc, steps)
		root = node_child(root, lfirst(lc), icase);
	return root;
}

/* Deploy-time checks ------------------------------------------------ */

static void
check_path(const char *path, const char *what, const char *source,
		   int location)
{
	const char *err;

	if (path_parse(path, &err) == NIL && err != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid json path '%s' in %s: %s", path, what, err),
				 errhint("Write paths as $.a.b, $.a[0].b or $['a']."),
				 siddhi_errposition(source, location)));
}

void
map_json_validate(const SiddhiMapPlan *map, TupleDesc desc, bool sink,
				  const char *source)
{
	ListCell *lc;

	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (pg_strcasecmp(o->key, "enclosing.element") == 0)
			check_path(o->value, "enclosing.element", source, o->location);
		else
			map_bool_option_validate(map, o->key, source);
	}
	foreach(lc, map->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);

		check_path(o->value, "@attributes", source, o->location);
	}
	if (sink && map->payload)
		(void) map_template_compile(map->payload, desc, true, source,
									map->payload_location);
}

/* Create ------------------------------------------------------------- */

static void
json_create(SiddhiMapper *m, const SiddhiMapPlan *plan)
{
	JsonState *js = palloc0(sizeof(JsonState));
	const char *enclosing =
		siddhi_conn_option(plan->options, "enclosing.element", NULL);
	List *esteps = NIL;
	const char *err;
	ListCell *lc;
	int k = 0;

	m->state = js;
	js->fail_missing =
		map_option_bool(plan, "fail.on.missing.attribute", true);
	js->validate = map_option_bool(plan, "validate.json", false);
	js->enclosing = enclosing;
	if (enclosing)
		esteps = path_parse(enclosing, &err);
	if (m->sink)
	{
		StringInfoData o, c;

		initStringInfo(&o);
		initStringInfo(&c);
		foreach(lc, esteps)
		{
			JsonStep *st = lfirst(lc);

			if (st->key == NULL)
				continue; /* an index: nothing to wrap in */
			appendStringInfoChar(&o, '{');
			escape_json(&o, st->key);
			appendStringInfoChar(&o, ':');
			appendStringInfoChar(&c, '}');
		}
		js->open = o.data;
		js->close = c.data;
		return;
	}

	js->outer = node_new();
	node_path(js->outer, esteps, false)->events = true;
	js->event = node_new();
	js->paths = palloc0(sizeof(char *) * Max(m->natts, 1));
	if (plan->attributes == NIL)
	{
		/* Siddhi's {"event": {..}}, or the flat object */
		int evatt = map_attnum(m, "event");
		JsonStep ev = { "event", -1 };
		PathNode *evnode = NULL;

		for (int i = 0; i < m->natts; i++)
		{
			JsonStep st = { (char *) m->atts[i].name, -1 };

			if (m->atts[i].dropped)
				continue;
			node_add_att(node_child(js->event, &st, true), i);
			js->paths[i] = psprintf("$.event.%s or $.%s", m->atts[i].name,
									m->atts[i].name);
		}
		if (evatt < 0)
		{
			/* "event" leads to the same attribute nodes */
			int n = js->event->nchildren;

			evnode = node_child(js->event, &ev, true);
			evnode->children = js->event->children;
			evnode->nchildren = n;
			evnode->ambiguous = js->event->ambiguous;
		}
		return;
	}
	foreach(lc, plan->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);
		int att = o->key ? map_attnum(m, o->key) : k;
		List *steps = path_parse(o->value, &err);

		k++;
		if (att < 0 || att >= m->natts)
			continue; /* refused at deploy */
		node_add_att(node_path(js->event, steps, false), att);
		js->paths[att] = o->value;
	}
}

/* Decode ------------------------------------------------------------- */

static int
json_position(JsonParser *p)
{
	const char *at =
		p->lex.token_start ? p->lex.token_start : p->lex.token_terminator;

	return at ? (int) (at - p->lex.input) : -1;
}

static void
pg_attribute_noreturn() json_fail(JsonParser *p, JsonParseErrorType e)
{
	/* as pg_parse_json does: at the end, the text is cut short */
	if (p->lex.token_start == NULL || p->lex.token_type == JSON_TOKEN_END)
		e = JSON_EXPECTED_MORE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_JSON_TEXT),
			 errmsg("json payload is malformed at byte %d", json_position(p)),
			 errdetail("%s", json_errdetail(e, &p->lex))));
}

/*
 * The next token: the common ones by map_json_scan (map_json_scan.c), the
 * rest by PostgreSQL's json_lex from the same state.
 */
static inline void
json_next(JsonParser *p)
{
	JsonParseErrorType e;

	if (map_json_scan(&p->lex))
	{
		p->plain = true;
		return;
	}
	p->plain = false;
	e = json_lex(&p->lex);
	if (e != JSON_SUCCESS)
		json_fail(p, e);
}

static void walk_value(JsonParser *p, PathNode *node);

/*
 * The contents of the current string token.  The lexer runs without
 * de-escaping (PostgreSQL 15's appends a string's bytes one by one); a
 * string without a backslash is used in place, one with escapes is lexed
 * again, alone, with de-escaping into m->buf2.
 */
static const char *
string_value(JsonParser *p, int *len)
{
	const char *s = p->lex.token_start + 1;
	int n = p->lex.token_terminator - s - 1;
	JsonLexContext sub;
	JsonParseErrorType e;

	if (p->plain || memchr(s, '\\', n) == NULL)
	{
		*len = n;
		return s;
	}
	memset(&sub, 0, sizeof(sub));
	sub.input = sub.token_terminator = sub.line_start = (char *) s - 1;
	sub.input_length = n + 2;
	sub.line_number = 1;
	sub.input_encoding = p->lex.input_encoding;
	resetStringInfo(&p->m->buf2);
	sub.strval = &p->m->buf2;
	e = json_lex(&sub);
	if (e != JSON_SUCCESS)
		json_fail(p, e);
	*len = p->m->buf2.len;
	return p->m->buf2.data;
}

/*
 * A JSON number of at most max_digits digits and no fraction or exponent
 * into an integer Datum of the attribute's size, without the type's input
 * function: what int2in, int4in or int8in make of it (it cannot overflow
 * them).  false: anything else, left to the input function.
 */
static inline bool
json_small_int(const char *s, int len, int max_digits, Datum *out)
{
	bool neg = false;
	int64 v = 0;

	if (*s == '-')
	{
		neg = true;
		s++;
		len--;
	}
	if (len > max_digits)
		return false;
	for (int i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	switch (max_digits)
	{
		case 18:
			*out = Int64GetDatum(v);
			break;
		case 9:
			*out = Int32GetDatum((int32) v);
			break;
		default:
			*out = Int16GetDatum((int16) v);
	}
	return true;
}

/* A scalar (the current token) into the attributes of node. */
static void
capture_scalar(JsonParser *p, PathNode *node)
{
	SiddhiMapper *m = p->m;
	JsonTokenType tok = p->lex.token_type;
	const char *raw = p->lex.token_start;
	int rawlen = p->lex.token_terminator - raw;
	int pos = raw - p->lex.input;

	for (int i = 0; i < node->natts; i++)
	{
		int att = node->atts[i];
		MapAttr *a = &m->atts[att];

		m->seen[att] = true;
		if (tok == JSON_TOKEN_NULL)
		{
			m->nulls[att] = true;
			continue;
		}
		m->nulls[att] = false;
		if (tok == JSON_TOKEN_NUMBER && a->small_int_digits > 0 &&
			json_small_int(raw, rawlen, a->small_int_digits, &m->values[att]))
			continue;
		if (a->is_json)
			m->values[att] = map_input(m, att, raw, rawlen, pos);
		else if (tok == JSON_TOKEN_STRING)
		{
			int len;
			const char *v = string_value(p, &len);

			m->values[att] = map_input(m, att, v, len, pos);
		}
		else
			m->values[att] = map_input(m, att, raw, rawlen, pos);
	}
}

/* An object or array (from start to the last token) into node's atts. */
static void
capture_raw(JsonParser *p, PathNode *node, const char *start, bool object)
{
	SiddhiMapper *m = p->m;
	const char *end = p->lex.prev_token_terminator;
	int pos = start - p->lex.input;

	for (int i = 0; i < node->natts; i++)
	{
		int att = node->atts[i];
		MapAttr *a = &m->atts[att];

		if (!a->is_json && !a->is_text)
			ereport(
				ERROR,
				(errcode(ERRCODE_SQL_JSON_SCALAR_REQUIRED),
				 errmsg("json value of attribute \"%s\" is an %s, not a "
						"%s",
						a->name, object ? "object" : "array",
						format_type_be(a->typid)),
				 errdetail("The value starts at byte %d of the payload.", pos),
				 errhint("Declare the attribute as object (jsonb) to "
						 "keep nested JSON.")));
		m->seen[att] = true;
		m->nulls[att] = false;
		m->values[att] = map_input(m, att, start, end - start, pos);
	}
}

/*
 * The child of node named key: the first that matches.  When only one
 * can match any key (not ambiguous), the search starts after the last
 * match, where records that keep their members in one order have the
 * next.
 */
static PathNode *
find_member(PathNode *node, const char *key, int len)
{
	int n;

	if (node == NULL)
		return NULL;
	n = node->nchildren;
	for (int k = 0, i = node->ambiguous ? 0 : node->hint; k < n;
		 k++, i = (i + 1 == n ? 0 : i + 1))
	{
		PathNode *c = node->children[i];

		if (c->key == NULL || c->keylen != len)
			continue;
		/* the exact spelling first: the common case, and cheaper */
		if (memcmp(c->key, key, len) == 0 ||
			(c->icase && pg_strncasecmp(c->key, key, len) == 0))
		{
			node->hint = i + 1 == n ? 0 : i + 1;
			return c;
		}
	}
	return NULL;
}

static PathNode *
find_element(PathNode *node, int index)
{
	if (node == NULL)
		return NULL;
	for (int i = 0; i < node->nchildren; i++)
		if (node->children[i]->key == NULL &&
			node->children[i]->index == index)
			return node->children[i];
	return NULL;
}

static void
walk_object(JsonParser *p, PathNode *node)
{
	json_next(p);
	if (p->lex.token_type == JSON_TOKEN_OBJECT_END)
	{
		json_next(p);
		return;
	}
	for (;;)
	{
		PathNode *child;

		if (p->lex.token_type != JSON_TOKEN_STRING)
			json_fail(p, JSON_EXPECTED_STRING);
		child = NULL;
		if (node && node->nchildren)
		{
			int len;
			const char *key = string_value(p, &len);

			child = find_member(node, key, len);
		}
		json_next(p);
		if (p->lex.token_type != JSON_TOKEN_COLON)
			json_fail(p, JSON_EXPECTED_COLON);
		json_next(p);
		walk_value(p, child);
		if (p->lex.token_type == JSON_TOKEN_COMMA)
			json_next(p);
		else if (p->lex.token_type == JSON_TOKEN_OBJECT_END)
		{
			json_next(p);
			return;
		}
		else
			json_fail(p, JSON_EXPECTED_OBJECT_NEXT);
	}
}

static void
walk_array(JsonParser *p, PathNode *node)
{
	int index = 0;

	json_next(p);
	if (p->lex.token_type == JSON_TOKEN_ARRAY_END)
	{
		json_next(p);
		return;
	}
	for (;;)
	{
		walk_value(p,
				   node && node->nchildren ? find_element(node, index) : NULL);
		index++;
		if (p->lex.token_type == JSON_TOKEN_COMMA)
			json_next(p);
		else if (p->lex.token_type == JSON_TOKEN_ARRAY_END)
		{
			json_next(p);
			return;
		}
		else
			json_fail(p, JSON_EXPECTED_ARRAY_NEXT);
	}
}

/* One event: a value walked with the event trie. */
static void
walk_event(JsonParser *p)
{
	SiddhiMapper *m = p->m;

	if (p->lex.token_type == JSON_TOKEN_END)
		json_fail(p, JSON_EXPECTED_MORE);
	if (p->lex.token_type != JSON_TOKEN_OBJECT_START)
		ereport(ERROR,
				(errcode(ERRCODE_SQL_JSON_OBJECT_NOT_FOUND),
				 errmsg("json event at byte %d is not an object",
						json_position(p)),
				 errdetail("Events are JSON objects, alone or in an array.")));
	map_begin_event(m);
	walk_value(p, p->js->event);
	map_missing(m, p->js->fail_missing, ERRCODE_SQL_JSON_MEMBER_NOT_FOUND,
				"json", p->js->paths);
	map_stash_event(m);
	p->nevents++;
}

/* The events: an object, or an array of objects. */
static void
walk_events(JsonParser *p)
{
	p->js->found = true;
	if (p->lex.token_type != JSON_TOKEN_ARRAY_START)
	{
		walk_event(p);
		return;
	}
	check_stack_depth();
	json_next(p);
	if (p->lex.token_type == JSON_TOKEN_ARRAY_END)
	{
		json_next(p);
		return;
	}
	for (;;)
	{
		walk_event(p);
		if (p->lex.token_type == JSON_TOKEN_COMMA)
			json_next(p);
		else if (p->lex.token_type == JSON_TOKEN_ARRAY_END)
		{
			json_next(p);
			return;
		}
		else
			json_fail(p, JSON_EXPECTED_ARRAY_NEXT);
	}
}

/*
 * The value whose first token is current, under node (NULL: nothing of
 * interest, only checked); returns with the token after it current.
 */
static void
walk_value(JsonParser *p, PathNode *node)
{
	const char *start = p->lex.token_start;

	if (node && node->events)
	{
		walk_events(p);
		return;
	}
	switch (p->lex.token_type)
	{
		case JSON_TOKEN_OBJECT_START:
		case JSON_TOKEN_ARRAY_START:
		{
			bool object = p->lex.token_type == JSON_TOKEN_OBJECT_START;

			check_stack_depth();
			if (object)
				walk_object(p, node);
			else
				walk_array(p, node);
			if (node && node->natts)
				capture_raw(p, node, start, object);
			return;
		}
		case JSON_TOKEN_STRING:
		case JSON_TOKEN_NUMBER:
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
		case JSON_TOKEN_NULL:
			if (node && node->natts)
				capture_scalar(p, node);
			json_next(p);
			return;
		default:
			json_fail(p, JSON_EXPECTED_JSON);
	}
}

static void
parser_init(JsonParser *p, SiddhiMapper *m, const char *data, int len)
{
	memset(&p->lex, 0, sizeof(p->lex));
	p->lex.input = p->lex.token_terminator = p->lex.line_start = (char *) data;
	p->lex.line_number = 1;
	p->lex.input_length = len;
	p->lex.input_encoding = GetDatabaseEncoding();
	p->lex.strval = NULL;
	p->m = m;
	p->js = m->state;
	p->nevents = 0;
}

static int
json_decode(SiddhiMapper *m, const char *data, int len, SiddhiMapEmit emit,
			void *arg)
{
	JsonParser p;

	parser_init(&p, m, data, len);
	p.js->found = false;
	map_stash_reset(m);
	json_next(&p);
	walk_value(&p, p.js->outer);
	if (p.lex.token_type != JSON_TOKEN_END)
		json_fail(&p, JSON_EXPECTED_END);
	if (!p.js->found)
		ereport(ERROR, (errcode(ERRCODE_SQL_JSON_OBJECT_NOT_FOUND),
						errmsg("json record has no enclosing element '%s'",
							   p.js->enclosing)));
	return map_stash_emit(m, emit, arg);
}

/* Encode ------------------------------------------------------------- */

/*
 * s (len bytes) JSON-escaped, without quotes.  Runs of plain bytes are
 * copied at once.
 */
void
map_json_escape(StringInfo out, const char *s, int len)
{
	int run = 0;

	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		appendBinaryStringInfo(out, s + run, i - run);
		run = i + 1;
		switch (c)
		{
			case '"':
				appendStringInfoString(out, "\\\"");
				break;
			case '\\':
				appendStringInfoString(out, "\\\\");
				break;
			case '\n':
				appendStringInfoString(out, "\\n");
				break;
			case '\r':
				appendStringInfoString(out, "\\r");
				break;
			case '\t':
				appendStringInfoString(out, "\\t");
				break;
			case '\b':
				appendStringInfoString(out, "\\b");
				break;
			case '\f':
				appendStringInfoString(out, "\\f");
				break;
			default:
				appendStringInfo(out, "\\u%04x", c);
		}
	}
	appendBinaryStringInfo(out, s + run, len - run);
}

/* A value as JSON: numbers and booleans bare, json as is, others strings. */
void
map_json_value(SiddhiMapper *m, int att, Datum value, bool isnull,
			   StringInfo out)
{
	MapAttr *a = &m->atts[att];
	const char *s;
	int len;

	if (isnull || a->dropped)
	{
		appendStringInfoString(out, "null");
		return;
	}
	s = map_output(m, att, value, &len);
	if (a->is_json)
		appendBinaryStringInfo(out, s, len);
	else if (a->category == TYPCATEGORY_BOOLEAN)
		appendStringInfoString(out, (s[0] == 't') ? "true" : "false");
	else if (a->category == TYPCATEGORY_NUMERIC && IsValidJsonNumber(s, len))
		appendBinaryStringInfo(out, s, len);
	else
	{
		appendStringInfoChar(out, '"');
		map_json_escape(out, s, len);
		appendStringInfoChar(out, '"');
	}
}

/* {"a": .., "b": ..}: the event as a flat JSON object. */
void
map_json_object(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	bool first = true;

	appendStringInfoChar(out, '{');
	for (int i = 0; i < m->natts; i++)
	{
		if (m->atts[i].dropped)
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		appendStringInfoChar(out, '"');
		map_json_escape(out, m->atts[i].name, strlen(m->atts[i].name));
		appendStringInfoString(out, "\":");
		map_json_value(m, i, values[i], nulls[i], out);
	}
	appendStringInfoChar(out, '}');
}

/* Is text (len bytes) one JSON value?  For validate.json. */
static bool
json_valid(const char *s, int len)
{
	JsonLexContext *lex = makeJsonLexContextCstringLen(
		(char *) s, len, GetDatabaseEncoding(), false);

	return pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS;
}

static void
json_encode(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	JsonState *js = m->state;

	if (m->tpl)
	{
		int start = out->len;

		map_template_expand(m, m->tpl, values, nulls, out);
		if (js->validate && !json_valid(out->data + start, out->len - start))
			ereport(ERROR, (errcode(ERRCODE_INVALID_JSON_TEXT),
							errmsg("json sink payload is not valid JSON"),
							errdetail("@payload made: %s", out->data + start),
							errhint("Set validate.json = 'false' to send it "
									"anyway.")));
		return;
	}
	appendStringInfoString(out, js->open);
	appendStringInfoString(out, "{\"event\":");
	map_json_object(m, values, nulls, out);
	appendStringInfoChar(out, '}');
	appendStringInfoString(out, js->close);
}

const MapperOps siddhi_map_json_ops = { "json", json_create, json_decode,
										json_encode };
