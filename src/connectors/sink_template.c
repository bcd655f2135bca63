/*-------------------------------------------------------------------------
 *
 * sink_template.c
 *	  Dynamic sink options: '{{attr}}' in an option's value.
 *
 * Siddhi lets a sink's options take an event's values: key = '{{symbol}}',
 * topic = 'alerts-{{region}}', partition.no = '{{p}}'.  A template is
 * literal text and {{name}} parts, each the text form of the event's
 * attribute name (its type's output function; a null is "null", as
 * Siddhi writes it).  Parsing is pure (the analyzer checks the names at
 * deploy); rendering runs type output functions, so it runs in a frame of
 * the app owner's user code.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "siddhi/sink.h"
#include "utils/lsyscache.h"

struct SiddhiTemplate
{
	int nparts;
	char **lits; /* literal parts, or NULL where an attribute goes */
	int *attnos; /* 0-based attribute numbers (-1 for literals) */
	FmgrInfo *out;
	bool dynamic;
};

SiddhiTemplate *
siddhi_template_parse(const char *s, TupleDesc desc, char **bad)
{
	SiddhiTemplate *t = palloc0(sizeof(SiddhiTemplate));
	int cap = 8;
	const char *p = s;

	*bad = NULL;
	t->lits = palloc(sizeof(char *) * cap);
	t->attnos = palloc(sizeof(int) * cap);
	while (*p)
	{
		const char *open = strstr(p, "{{");
		const char *close;
		char *name;
		int attno = -1;

		if (t->nparts + 2 > cap)
		{
			cap *= 2;
			t->lits = repalloc(t->lits, sizeof(char *) * cap);
			t->attnos = repalloc(t->attnos, sizeof(int) * cap);
		}
		if (open == NULL || (close = strstr(open + 2, "}}")) == NULL)
		{
			t->lits[t->nparts] = pstrdup(p);
			t->attnos[t->nparts++] = -1;
			break;
		}
		if (open > p)
		{
			t->lits[t->nparts] = pnstrdup(p, open - p);
			t->attnos[t->nparts++] = -1;
		}
		name = pnstrdup(open + 2, close - open - 2);
		while (*name == ' ')
			name++;
		for (int k = strlen(name) - 1; k >= 0 && name[k] == ' '; k--)
			name[k] = '\0';
		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
				attno = i;
		if (attno < 0)
		{
			*bad = name;
			return NULL;
		}
		t->lits[t->nparts] = NULL;
		t->attnos[t->nparts++] = attno;
		t->dynamic = true;
		p = close + 2;
	}
	return t;
}

bool
siddhi_template_dynamic(const SiddhiTemplate *t)
{
	return t->dynamic;
}

/* Look up the output functions (in the current memory context). */
void
siddhi_template_prepare(SiddhiTemplate *t, TupleDesc desc)
{
	t->out = palloc0(sizeof(FmgrInfo) * Max(t->nparts, 1));
	for (int i = 0; i < t->nparts; i++)
	{
		Oid fn;
		bool varlena;

		if (t->attnos[i] < 0)
			continue;
		getTypeOutputInfo(TupleDescAttr(desc, t->attnos[i])->atttypid, &fn,
						  &varlena);
		fmgr_info(fn, &t->out[i]);
	}
}

void
siddhi_template_render(SiddhiTemplate *t, Datum *values, bool *nulls,
					   StringInfo out)
{
	for (int i = 0; i < t->nparts; i++)
	{
		int a = t->attnos[i];

		if (a < 0)
			appendStringInfoString(out, t->lits[i]);
		else if (nulls[a])
			appendStringInfoString(out, "null");
		else
			appendStringInfoString(out,
								   OutputFunctionCall(&t->out[i], values[a]));
	}
}
