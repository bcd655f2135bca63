/*-------------------------------------------------------------------------
 *
 * convert_funcs.c
 *	  The parts of Siddhi's convert(x, type) that a PostgreSQL cast does
 *	  differently: Siddhi parses strings the way Java does (an unparsable
 *	  number is null, not an error; only "true", in any case, is true),
 *	  a null converted to bool is false, and a double or float becomes a
 *	  string as Java's Double.toString / Float.toString writes it ("1.0",
 *	  "1.0E10"), where PostgreSQL writes "1" and "1e+10".
 *
 *	  siddhi.to_int(text), siddhi.to_long(text), siddhi.to_double(text),
 *	  siddhi.to_float(text), siddhi.to_bool(text), siddhi.to_text(float8)
 *	  and siddhi.to_text(float4); the parser (src/parser/siddhiql_expr.c,
 *	  make_call) turns convert() into them and their SQL overloads.  Also
 *	  siddhi.mod(float8|float4, ...), SiddhiQL's % of doubles and floats,
 *	  which PostgreSQL's % does not take.  And Java's narrowing of
 *	  numbers, where a PostgreSQL cast fails out of range: a long to int
 *	  keeps its low 32 bits, a double or float to int or long truncates
 *	  and saturates at the type's bounds, NaN is 0 (siddhi.to_int(int8),
 *	  siddhi.to_int(float8), siddhi.to_long(float8)).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(siddhi_to_int_text);
PG_FUNCTION_INFO_V1(siddhi_to_long_text);
PG_FUNCTION_INFO_V1(siddhi_to_double_text);
PG_FUNCTION_INFO_V1(siddhi_to_float_text);
PG_FUNCTION_INFO_V1(siddhi_to_bool_text);
PG_FUNCTION_INFO_V1(siddhi_to_text_float8);
PG_FUNCTION_INFO_V1(siddhi_to_text_float4);
PG_FUNCTION_INFO_V1(siddhi_to_int_int8);
PG_FUNCTION_INFO_V1(siddhi_to_int_float8);
PG_FUNCTION_INFO_V1(siddhi_to_long_float8);

/* Java's (int) of a long: the low 32 bits, so 2^32 + 1 is 1 */
Datum
siddhi_to_int_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) (uint32) (uint64) PG_GETARG_INT64(0));
}

/* Java's (int) of a double: toward zero, NaN 0, saturating at the bounds */
Datum
siddhi_to_int_float8(PG_FUNCTION_ARGS)
{
	double d = PG_GETARG_FLOAT8(0);

	if (isnan(d))
		PG_RETURN_INT32(0);
	if (d >= (double) PG_INT32_MAX)
		PG_RETURN_INT32(PG_INT32_MAX);
	if (d <= (double) PG_INT32_MIN)
		PG_RETURN_INT32(PG_INT32_MIN);
	PG_RETURN_INT32((int32) d);
}

/* Java's (long) of a double: as (int), within a long's bounds */
Datum
siddhi_to_long_float8(PG_FUNCTION_ARGS)
{
	double d = PG_GETARG_FLOAT8(0);

	if (isnan(d))
		PG_RETURN_INT64(0);
	/* 2^63 is the first double past PG_INT64_MAX */
	if (d >= 9223372036854775808.0)
		PG_RETURN_INT64(PG_INT64_MAX);
	if (d <= (double) PG_INT64_MIN)
		PG_RETURN_INT64(PG_INT64_MIN);
	PG_RETURN_INT64((int64) d);
}

/*
 * Java's Long.parseLong: an optional sign and decimal digits, nothing else
 * (no blanks); false when s is not one or is outside [min, max].
 */
static bool
java_parse_integer(const char *s, int64 min, int64 max, int64 *out)
{
	bool neg = false;
	uint64 v = 0, limit;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return false;
	limit = neg ? (uint64) (-(min + 1)) + 1 : (uint64) max;
	for (; *s; s++)
	{
		if (*s < '0' || *s > '9')
			return false;
		if (v > (limit - (uint64) (*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64) (*s - '0');
	}
	if (neg)
		*out = v == (uint64) PG_INT64_MAX + 1 ? PG_INT64_MIN : -(int64) v;
	else
		*out = (int64) v;
	return true;
}

Datum
siddhi_to_int_text(PG_FUNCTION_ARGS)
{
	char *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64 v;

	if (!java_parse_integer(s, PG_INT32_MIN, PG_INT32_MAX, &v))
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) v);
}

Datum
siddhi_to_long_text(PG_FUNCTION_ARGS)
{
	char *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64 v;

	if (!java_parse_integer(s, PG_INT64_MIN, PG_INT64_MAX, &v))
		PG_RETURN_NULL();
	PG_RETURN_INT64(v);
}

/*
 * Java's Double.parseDouble on decimal text: leading and trailing control
 * characters and blanks are dropped; then an optional sign and "NaN",
 * "Infinity" or digits with an optional point and exponent, and an
 * optional f/F/d/D suffix.  Fills buf with what strtod reads; false when
 * s is not such a number (hexadecimal forms included).
 */
static bool
java_float_text(const char *s, char *buf, size_t bufsize)
{
	size_t len, i = 0, n = 0;
	bool digits = false;

	while (*s && (unsigned char) *s <= ' ')
		s++;
	len = strlen(s);
	while (len > 0 && (unsigned char) s[len - 1] <= ' ')
		len--;
	if (len == 0 || len >= bufsize)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[i] == '+' || buf[i] == '-')
		i++;
	if (strcmp(buf + i, "NaN") == 0 || strcmp(buf + i, "Infinity") == 0)
		return true;
	for (; buf[i] >= '0' && buf[i] <= '9'; i++)
		digits = true;
	if (buf[i] == '.')
		for (i++; buf[i] >= '0' && buf[i] <= '9'; i++)
			digits = true;
	if (!digits)
		return false;
	if (buf[i] == 'e' || buf[i] == 'E')
	{
		i++;
		if (buf[i] == '+' || buf[i] == '-')
			i++;
		for (; buf[i] >= '0' && buf[i] <= '9'; i++)
			n++;
		if (n == 0)
			return false;
	}
	if (buf[i] && strchr("fFdD", buf[i]) && buf[i + 1] == '\0')
		buf[i] = '\0';
	return buf[i] == '\0';
}

Datum
siddhi_to_double_text(PG_FUNCTION_ARGS)
{
	char *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char *buf = palloc(strlen(s) + 1);

	if (!java_float_text(s, buf, strlen(s) + 1))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(strtod(buf, NULL));
}

Datum
siddhi_to_float_text(PG_FUNCTION_ARGS)
{
	char *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char *buf = palloc(strlen(s) + 1);

	if (!java_float_text(s, buf, strlen(s) + 1))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT4(strtof(buf, NULL));
}

/* Java's Boolean.parseBoolean; Siddhi's convert makes a null false. */
Datum
siddhi_to_bool_text(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(
		pg_strcasecmp(text_to_cstring(PG_GETARG_TEXT_PP(0)), "true") == 0);
}

/*
 * Java's Double.toString / Float.toString from the shortest digits that
 * read back as the same value (PostgreSQL's own shortest text): plain
 * notation with at least one fraction digit when 10^-3 <= |x| < 10^7,
 * otherwise d.dddE<exp>.
 */
static text *
java_float_string(const char *pgtext, bool neg, bool zero)
{
	char digits[64];
	int nd = 0, exp10 = 0, point = -1;
	const char *p = pgtext;
	StringInfoData out;

	initStringInfo(&out);
	if (neg)
		appendStringInfoChar(&out, '-');
	if (zero)
	{
		appendStringInfoString(&out, "0.0");
		return cstring_to_text(out.data);
	}
	if (*p == '-')
		p++;
	/* every digit, and how many came before the point */
	for (; *p && *p != 'e' && *p != 'E' && nd < (int) sizeof(digits); p++)
	{
		if (*p == '.')
			point = nd;
		else
			digits[nd++] = *p;
	}
	if (point < 0)
		point = nd;
	if (*p == 'e' || *p == 'E')
		exp10 = atoi(p + 1);
	/* leading zeros dropped: value = 0.d1d2... * 10^(point + exp10) */
	while (nd > 1 && digits[0] == '0')
	{
		memmove(digits, digits + 1, --nd);
		point--;
	}
	/* value = 0.d1d2... * 10^(point + exp10) */
	exp10 += point;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp10 >= -2 && exp10 <= 7)
	{
		/* 10^-3 <= |x| < 10^7: plain notation */
		if (exp10 <= 0)
		{
			appendStringInfoString(&out, "0.");
			for (int i = exp10; i < 0; i++)
				appendStringInfoChar(&out, '0');
			appendBinaryStringInfo(&out, digits, nd);
		}
		else
		{
			for (int i = 0; i < exp10; i++)
				appendStringInfoChar(&out, i < nd ? digits[i] : '0');
			appendStringInfoChar(&out, '.');
			if (nd > exp10)
				appendBinaryStringInfo(&out, digits + exp10, nd - exp10);
			else
				appendStringInfoChar(&out, '0');
		}
	}
	else
	{
		appendStringInfoChar(&out, digits[0]);
		appendStringInfoChar(&out, '.');
		if (nd > 1)
			appendBinaryStringInfo(&out, digits + 1, nd - 1);
		else
			appendStringInfoChar(&out, '0');
		appendStringInfo(&out, "E%d", exp10 - 1);
	}
	return cstring_to_text(out.data);
}

static text *
java_special(double v)
{
	if (isnan(v))
		return cstring_to_text("NaN");
	if (isinf(v))
		return cstring_to_text(v > 0 ? "Infinity" : "-Infinity");
	return NULL;
}

Datum
siddhi_to_text_float8(PG_FUNCTION_ARGS)
{
	float8 v = PG_GETARG_FLOAT8(0);
	char buf[DOUBLE_SHORTEST_DECIMAL_LEN];
	text *t = java_special(v);

	if (t)
		PG_RETURN_TEXT_P(t);
	double_to_shortest_decimal_buf(v, buf);
	PG_RETURN_TEXT_P(java_float_string(buf, signbit(v), v == 0));
}

Datum
siddhi_to_text_float4(PG_FUNCTION_ARGS)
{
	float4 v = PG_GETARG_FLOAT4(0);
	char buf[FLOAT_SHORTEST_DECIMAL_LEN];
	text *t = java_special(v);

	if (t)
		PG_RETURN_TEXT_P(t);
	float_to_shortest_decimal_buf(v, buf);
	PG_RETURN_TEXT_P(java_float_string(buf, signbit(v), v == 0));
}
