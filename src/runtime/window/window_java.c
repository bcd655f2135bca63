/*-------------------------------------------------------------------------
 *
 * window_java.c
 *	  The keyed windows' hash tables, and the iteration order of Java's
 *	  hash maps that some of Siddhi's windows emit events in.
 *
 * See window_int.h for what is mirrored and what is not.  Java's hash of
 * a value: Integer and Long as Java computes them (a Siddhi int is int4,
 * a long int8), Double and Float from their bits, Boolean 1231/1237, a
 * String over its UTF-16 code units; a null key hashes to 0.  The String
 * Siddhi makes of a value (StringBuilder.append) is Java's toString:
 * doubles in Java's form ("1.0", "1.0E7"), from the shortest digits that
 * read back to the same value (JDK 17 prints a few values with more).
 * Types Siddhi has no equivalent for hash as the String of their text.
 *
 * Memory: a JavaTable holds one JavaNode per key and Java's bucket array
 * (at most twice the keys it ever held, and at least 16).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "window_int.h"

#define JAVA_INITIAL_CAPACITY 16
#define JAVA_TREEIFY_THRESHOLD 8
#define JAVA_MIN_TREEIFY_CAPACITY 64
#define JAVA_MAX_CAPACITY (1U << 30)

static uint32
keymap_hash(const void *key, Size keysize)
{
	const WindowKey *k = key;

	return hash_bytes((const unsigned char *) k->data, k->len);
}

static int
keymap_match(const void *a, const void *b, Size keysize)
{
	const WindowKey *x = a;
	const WindowKey *y = b;

	if (x->len != y->len)
		return 1;
	return memcmp(x->data, y->data, x->len);
}

WindowKeyMap *
window_keymap_create(MemoryContext cxt, Size entrysize, const char *name)
{
	WindowKeyMap *map = MemoryContextAlloc(cxt, sizeof(WindowKeyMap));
	HASHCTL ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(WindowKey);
	ctl.entrysize = entrysize;
	ctl.hash = keymap_hash;
	ctl.match = keymap_match;
	ctl.hcxt = cxt;
	map->htab =
		hash_create(name, 64, &ctl,
					HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	map->entrysize = entrysize;
	map->cxt = cxt;
	return map;
}

void *
window_keymap_find(WindowKeyMap *map, const SiddhiWindowEvent *ev, bool enter,
				   bool *found)
{
	WindowKey key;
	WindowKey *entry;
	bool f;

	key.data = ev->key ? ev->key : "";
	key.len = ev->key ? ev->keylen : 0;
	entry = hash_search(map->htab, &key, enter ? HASH_ENTER : HASH_FIND, &f);
	if (found)
		*found = f;
	if (enter && !f)
	{
		Size size = map->entrysize;
		char *copy = MemoryContextAlloc(map->cxt, key.len + 1);

		memcpy(copy, key.data, key.len);
		copy[key.len] = '\0';
		memset((char *) entry + sizeof(WindowKey), 0,
			   size - sizeof(WindowKey));
		entry->data = copy;
		entry->len = key.len;
	}
	return entry;
}

void
window_keymap_remove(WindowKeyMap *map, void *entry)
{
	WindowKey key = *(WindowKey *) entry;

	hash_search(map->htab, &key, HASH_REMOVE, NULL);
	pfree((char *) key.data);
}

JavaTable *
java_table_create(bool concurrent, MemoryContext cxt)
{
	JavaTable *t = MemoryContextAllocZero(cxt, sizeof(JavaTable));

	t->concurrent = concurrent;
	t->cxt = cxt;
	return t;
}

/* HashMap.resize: each bucket splits in two, keeping its order. */
static void
hashmap_resize(JavaTable *t)
{
	uint32 old = t->capacity;
	uint32 cap = old * 2;
	JavaNode **bins = MemoryContextAllocZero(t->cxt, sizeof(JavaNode *) * cap);

	for (uint32 i = 0; i < old; i++)
	{
		JavaNode *lo = NULL, *lotail = NULL, *hi = NULL, *hitail = NULL;
		JavaNode *next;

		for (JavaNode *p = t->bins[i]; p; p = next)
		{
			next = p->next;
			p->next = NULL;
			if ((p->hash & old) == 0)
			{
				if (lotail)
					lotail->next = p;
				else
					lo = p;
				lotail = p;
			}
			else
			{
				if (hitail)
					hitail->next = p;
				else
					hi = p;
				hitail = p;
			}
		}
		bins[i] = lo;
		bins[i + old] = hi;
	}
	pfree(t->bins);
	t->bins = bins;
	t->capacity = cap;
	t->threshold = (int64) cap * 3 / 4;
}

/*
 * ConcurrentHashMap.transfer: the run of nodes ending a bucket that all go
 * the same way moves as it is; the nodes before it are pushed one by one
 * onto the front of their new bucket, so their order reverses.
 */
static void
chm_transfer(JavaTable *t)
{
	uint32 n = t->capacity;
	uint32 cap = n * 2;
	JavaNode **bins = MemoryContextAllocZero(t->cxt, sizeof(JavaNode *) * cap);

	for (uint32 i = 0; i < n; i++)
	{
		JavaNode *f = t->bins[i];
		JavaNode *lastrun;
		JavaNode *ln, *hn, *next;
		uint32 runbit;

		if (f == NULL)
			continue;
		runbit = f->hash & n;
		lastrun = f;
		for (JavaNode *p = f->next; p; p = p->next)
			if ((p->hash & n) != runbit)
			{
				runbit = p->hash & n;
				lastrun = p;
			}
		ln = runbit == 0 ? lastrun : NULL;
		hn = runbit == 0 ? NULL : lastrun;
		for (JavaNode *p = f; p != lastrun; p = next)
		{
			next = p->next;
			if ((p->hash & n) == 0)
			{
				p->next = ln;
				ln = p;
			}
			else
			{
				p->next = hn;
				hn = p;
			}
		}
		bins[i] = ln;
		bins[i + n] = hn;
	}
	pfree(t->bins);
	t->bins = bins;
	t->capacity = cap;
	t->threshold = (int64) cap - (cap >> 2);
}

/* ConcurrentHashMap.tableSizeFor */
static uint32
chm_size_for(uint32 c)
{
	uint32 n = 1;

	while (n < c && n < JAVA_MAX_CAPACITY)
		n <<= 1;
	return n;
}

JavaNode *
java_table_insert(JavaTable *t, int32 h, void *item)
{
	uint32 hash = (uint32) h ^ ((uint32) h >> 16);
	JavaNode *node = MemoryContextAlloc(t->cxt, sizeof(JavaNode));
	JavaNode **slot;
	int existing = 0;

	node->next = NULL;
	node->hash = hash;
	node->item = item;
	if (t->capacity == 0)
	{
		t->capacity = JAVA_INITIAL_CAPACITY;
		t->threshold = JAVA_INITIAL_CAPACITY * 3 / 4;
		t->bins = MemoryContextAllocZero(t->cxt, sizeof(JavaNode *) *
													 JAVA_INITIAL_CAPACITY);
	}
	slot = &t->bins[hash & (t->capacity - 1)];
	while (*slot)
	{
		slot = &(*slot)->next;
		existing++;
	}
	*slot = node;
	t->size++;
	if (existing >= JAVA_TREEIFY_THRESHOLD &&
		t->capacity < JAVA_MIN_TREEIFY_CAPACITY)
	{
		/* treeifyBin on a small table grows it instead */
		if (!t->concurrent)
			hashmap_resize(t);
		else
		{
			uint32 want = t->capacity << 1;
			uint32 c = chm_size_for(want + (want >> 1) + 1);

			while (c > t->threshold && t->capacity < JAVA_MAX_CAPACITY)
				chm_transfer(t);
		}
	}
	if (!t->concurrent)
	{
		if (t->size > t->threshold && t->capacity < JAVA_MAX_CAPACITY)
			hashmap_resize(t);
	}
	else
	{
		while (t->size >= t->threshold && t->capacity < JAVA_MAX_CAPACITY)
			chm_transfer(t);
	}
	return node;
}

void
java_table_remove(JavaTable *t, JavaNode *node)
{
	JavaNode **slot = &t->bins[node->hash & (t->capacity - 1)];

	while (*slot && *slot != node)
		slot = &(*slot)->next;
	Assert(*slot == node);
	if (*slot)
		*slot = node->next;
	t->size--;
	pfree(node);
}

void
java_table_clear(JavaTable *t)
{
	for (uint32 i = 0; i < t->capacity; i++)
	{
		JavaNode *next;

		for (JavaNode *p = t->bins[i]; p; p = next)
		{
			next = p->next;
			pfree(p);
		}
		t->bins[i] = NULL;
	}
	t->size = 0;
}

void
java_table_items(JavaTable *t, void **out)
{
	int64 k = 0;

	for (uint32 i = 0; i < t->capacity; i++)
		for (JavaNode *p = t->bins[i]; p; p = p->next)
			out[k++] = p->item;
	Assert(k == t->size);
}

void
java_table_put_shape(StringInfo buf, JavaTable *t)
{
	siddhi_state_put_int64(buf, t->capacity);
	siddhi_state_put_int64(buf, t->threshold);
}

void
java_table_get_shape(JavaTable *t, SiddhiStateReader *r)
{
	int64 cap = siddhi_state_get_int64(r);
	int64 threshold = siddhi_state_get_int64(r);

	Assert(t->capacity == 0 && t->size == 0);
	if (cap == 0 && threshold == 0)
		return;
	if (cap < JAVA_INITIAL_CAPACITY || cap > JAVA_MAX_CAPACITY ||
		(cap & (cap - 1)) != 0 || threshold < 0 || threshold > cap)
		siddhi_state_corrupt(r, "A hash table's size is out of range");
	t->capacity = (uint32) cap;
	t->threshold = threshold;
	t->bins = MemoryContextAllocExtended(t->cxt, sizeof(JavaNode *) * cap,
										 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

JavaNode *
java_table_append(JavaTable *t, uint32 hash, void *item, SiddhiStateReader *r)
{
	JavaNode *node;
	JavaNode **slot;

	if (t->capacity == 0)
		siddhi_state_corrupt(r, "A hash table holds keys but has no buckets");
	node = MemoryContextAlloc(t->cxt, sizeof(JavaNode));
	node->next = NULL;
	node->hash = hash;
	node->item = item;
	slot = &t->bins[hash & (t->capacity - 1)];
	while (*slot)
		slot = &(*slot)->next;
	*slot = node;
	t->size++;
	return node;
}

/* String.hashCode of UTF-8 text, over its UTF-16 code units. */
static int32
java_string_hash_step(uint32 h, const char *s, int len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	bool utf8 = GetDatabaseEncoding() == PG_UTF8;

	while (p < end)
	{
		pg_wchar c;
		int l = utf8 ? pg_utf_mblen(p) : 1;

		if (l > end - p)
			l = end - p;
		c = utf8 && l > 1 ? utf8_to_unicode(p) : *p;
		if (c > 0xFFFF)
		{
			c -= 0x10000;
			h = h * 31 + (0xD800 + (c >> 10));
			h = h * 31 + (0xDC00 + (c & 0x3FF));
		}
		else
			h = h * 31 + c;
		p += l;
	}
	return (int32) h;
}

/*
 * Java's Double.toString / Float.toString: the shortest digits that read
 * back to the value, as "ddd.ddd" for 1e-3 <= |v| < 1e7, else "d.dddE[-]n".
 */
static void
java_append_float(StringInfo buf, double v, bool single)
{
	char digits[32];
	int exp10;
	int ndig;
	char *e;

	if (isnan(v))
	{
		appendStringInfoString(buf, "NaN");
		return;
	}
	if (isinf(v))
	{
		appendStringInfoString(buf, v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (v == 0)
	{
		appendStringInfoString(buf, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	for (int p = 1; p <= 17; p++)
	{
		snprintf(digits, sizeof(digits), "%.*e", p - 1, v);
		if (single ? (strtof(digits, NULL) == (float) v)
				   : (strtod(digits, NULL) == v))
			break;
	}
	if (v < 0)
	{
		appendStringInfoChar(buf, '-');
		memmove(digits, digits + 1, strlen(digits));
	}
	e = strchr(digits, 'e');
	exp10 = atoi(e + 1);
	*e = '\0';
	/* digits: "d" or "d.ddd"; make it the bare digit string */
	if (digits[1] == '.')
		memmove(digits + 1, digits + 2, strlen(digits + 1));
	ndig = strlen(digits);
	while (ndig > 1 && digits[ndig - 1] == '0')
		digits[--ndig] = '\0';
	if (fabs(v) >= 1e-3 && fabs(v) < 1e7)
	{
		if (exp10 < 0)
		{
			appendStringInfoString(buf, "0.");
			for (int i = 0; i < -exp10 - 1; i++)
				appendStringInfoChar(buf, '0');
			appendStringInfoString(buf, digits);
		}
		else
		{
			for (int i = 0; i <= exp10; i++)
				appendStringInfoChar(buf, i < ndig ? digits[i] : '0');
			appendStringInfoChar(buf, '.');
			if (ndig > exp10 + 1)
				appendStringInfoString(buf, digits + exp10 + 1);
			else
				appendStringInfoChar(buf, '0');
		}
		return;
	}
	appendStringInfoChar(buf, digits[0]);
	appendStringInfoChar(buf, '.');
	appendStringInfoString(buf, ndig > 1 ? digits + 1 : "0");
	appendStringInfo(buf, "E%d", exp10);
}

/* What StringBuilder.append(value) adds in Siddhi. */
static void
java_append_value(StringInfo buf, Datum v, bool isnull, Oid type)
{
	Oid out;
	bool varlena;

	if (isnull)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	switch (type)
	{
		case BOOLOID:
			appendStringInfoString(buf, DatumGetBool(v) ? "true" : "false");
			return;
		case INT2OID:
			appendStringInfo(buf, "%d", (int) DatumGetInt16(v));
			return;
		case INT4OID:
			appendStringInfo(buf, "%d", DatumGetInt32(v));
			return;
		case INT8OID:
			appendStringInfo(buf, INT64_FORMAT, DatumGetInt64(v));
			return;
		case FLOAT8OID:
			java_append_float(buf, DatumGetFloat8(v), false);
			return;
		case FLOAT4OID:
			java_append_float(buf, DatumGetFloat4(v), true);
			return;
		default:
			getTypeOutputInfo(type, &out, &varlena);
			appendStringInfoString(buf, OidOutputFunctionCall(out, v));
	}
}

int32
java_concat_hash(const Datum *values, const bool *isnull, const Oid *types,
				 int n)
{
	StringInfoData buf;
	int32 h;

	initStringInfo(&buf);
	for (int k = 0; k < n; k++)
		java_append_value(&buf, values[k], isnull[k], types[k]);
	h = java_string_hash_step(0, buf.data, buf.len);
	pfree(buf.data);
	return h;
}

int32
java_value_hash(Datum v, bool isnull, Oid type)
{
	if (isnull)
		return 0;
	switch (type)
	{
		case BOOLOID:
			return DatumGetBool(v) ? 1231 : 1237;
		case INT2OID:
			return DatumGetInt16(v);
		case INT4OID:
			return DatumGetInt32(v);
		case INT8OID:
		{
			uint64 l = (uint64) DatumGetInt64(v);

			return (int32) (l ^ (l >> 32));
		}
		case FLOAT8OID:
		{
			double d = DatumGetFloat8(v);
			uint64 bits;

			if (isnan(d))
				bits = UINT64CONST(0x7ff8000000000000);
			else
				memcpy(&bits, &d, sizeof(bits));
			return (int32) (bits ^ (bits >> 32));
		}
		case FLOAT4OID:
		{
			float f = DatumGetFloat4(v);
			uint32 bits;

			if (isnan(f))
				bits = 0x7fc00000;
			else
				memcpy(&bits, &f, sizeof(bits));
			return (int32) bits;
		}
		default:
			return java_concat_hash(&v, &isnull, &type, 1);
	}
}
