/*-------------------------------------------------------------------------
 *
 * map_keyvalue.c
 *	  The keyvalue mapper: key=value pairs into an event and back.
 *
 * Siddhi's keyvalue mapper maps Java Maps, which have no bytes; ours
 * defines a byte form for them (docs/connectors.md):
 *
 *	 symbol=IBM,price=12.5,volume=100
 *
 * one event per record; pairs separated by commas or line breaks; spaces
 * around keys and bare values are dropped; a value may be double-quoted
 * ("a, b", quotes inside doubled) to hold separators, quotes or edge
 * spaces.  A bare empty value (price=) is null, a quoted one ("") the
 * empty string.  Keys match attribute names without regard to case;
 * @attributes(a = 'key') maps other keys.  Unknown keys are ignored; a
 * missing one is an error, or null with fail.on.missing.attribute =
 * 'false'.  The sink writes the same form (or a @payload template).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "map_int.h"

typedef struct KvState
{
	bool fail;
	int nkeys;
	char **keys; /* per attribute: its key (NULL: none) */
} KvState;

static void
kv_create(SiddhiMapper *m, const SiddhiMapPlan *plan)
{
	KvState *ks = palloc0(sizeof(KvState));
	ListCell *lc;
	int k = 0;

	m->state = ks;
	ks->fail = map_option_bool(plan, "fail.on.missing.attribute", true);
	ks->keys = palloc0(sizeof(char *) * Max(m->natts, 1));
	for (int i = 0; i < m->natts && plan->attributes == NIL; i++)
		if (!m->atts[i].dropped)
			ks->keys[i] = (char *) m->atts[i].name;
	foreach(lc, plan->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);
		int att = o->key ? map_attnum(m, o->key) : k;

		k++;
		if (att >= 0 && att < m->natts)
			ks->keys[att] = o->value;
	}
}

static bool
kv_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
kv_decode(SiddhiMapper *m, const char *data, int len, SiddhiMapEmit emit,
		  void *arg)
{
	KvState *ks = m->state;
	const char *p = data;
	const char *end = data + len;

	map_stash_reset(m);
	map_begin_event(m);
	while (p < end)
	{
		const char *key;
		int keylen;
		bool quoted = false;
		int vpos;

		while (p < end &&
			   (kv_space(*p) || *p == '\n' || *p == '\r' || *p == ','))
			p++;
		if (p >= end)
			break;
		key = p;
		while (p < end && *p != '=' && *p != ',' && *p != '\n')
			p++;
		if (p >= end || *p != '=')
			ereport(
				ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("keyvalue record has no '=' in the pair at byte %d",
						(int) (key - data)),
				 errhint("Write key=value pairs separated by commas or "
						 "line breaks.")));
		keylen = p - key;
		while (keylen > 0 && kv_space(key[keylen - 1]))
			keylen--;
		p++;
		while (p < end && kv_space(*p))
			p++;
		vpos = p - data;
		resetStringInfo(&m->buf2);
		if (p < end && *p == '"')
		{
			quoted = true;
			p++;
			for (;;)
			{
				if (p >= end)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
							 errmsg("keyvalue record has a quoted value that "
									"is not closed at byte %d",
									vpos)));
				if (*p == '"')
				{
					if (p + 1 < end && p[1] == '"')
					{
						appendStringInfoChar(&m->buf2, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				appendStringInfoChar(&m->buf2, *p++);
			}
			while (p < end && (kv_space(*p) || *p == '\r'))
				p++;
			if (p < end && *p != ',' && *p != '\n')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("keyvalue record has text after a quoted "
								"value at byte %d",
								(int) (p - data))));
		}
		else
		{
			const char *v = p;
			int vlen;

			while (p < end && *p != ',' && *p != '\n')
				p++;
			vlen = p - v;
			while (vlen > 0 && (kv_space(v[vlen - 1]) || v[vlen - 1] == '\r'))
				vlen--;
			appendBinaryStringInfo(&m->buf2, v, vlen);
		}
		for (int i = 0; i < m->natts; i++)
		{
			const char *k = ks->keys[i];

			if (k == NULL || strlen(k) != (size_t) keylen ||
				pg_strncasecmp(k, key, keylen) != 0)
				continue;
			m->seen[i] = true;
			m->nulls[i] = !quoted && m->buf2.len == 0;
			if (!m->nulls[i])
				m->values[i] =
					map_input(m, i, m->buf2.data, m->buf2.len, vpos);
		}
	}
	map_missing(m, ks->fail, ERRCODE_INVALID_TEXT_REPRESENTATION, "keyvalue",
				ks->keys);
	map_stash_event(m);
	return map_stash_emit(m, emit, arg);
}

static void
kv_value(StringInfo out, const char *s, int len)
{
	bool quote =
		len == 0 || kv_space(s[0]) || kv_space(s[len - 1]) || s[0] == '"';

	for (int i = 0; i < len && !quote; i++)
		if (s[i] == ',' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	if (!quote)
	{
		appendBinaryStringInfo(out, s, len);
		return;
	}
	appendStringInfoChar(out, '"');
	for (int i = 0; i < len; i++)
	{
		if (s[i] == '"')
			appendStringInfoChar(out, '"');
		appendStringInfoChar(out, s[i]);
	}
	appendStringInfoChar(out, '"');
}

static void
kv_encode(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	bool first = true;

	if (m->tpl)
	{
		map_template_expand(m, m->tpl, values, nulls, out);
		return;
	}
	for (int i = 0; i < m->natts; i++)
	{
		const char *s;
		int len;

		if (m->atts[i].dropped)
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		appendStringInfo(out, "%s=", m->atts[i].name);
		if (nulls[i])
			continue;
		s = map_output(m, i, values[i], &len);
		kv_value(out, s, len);
	}
}

const MapperOps siddhi_map_keyvalue_ops = { "keyvalue", kv_create, kv_decode,
											kv_encode };
