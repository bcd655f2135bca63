/*-------------------------------------------------------------------------
 *
 * map_json_scan.c
 *	  The json mapper's scanner for the common tokens of records.
 *
 * PostgreSQL's JSON lexer (common/jsonapi.h json_lex) checks each byte of
 * each token on its own; its per-token work was the largest part of
 * decoding a record.  map_json_scan() reads the tokens ordinary records
 * are made of with tighter loops (strings eight bytes at a time) and
 * leaves the lexer's state as json_lex() would; for anything else it
 * declines and json_lex() reads the token from the same state, so errors,
 * their details and byte positions stay PostgreSQL's (regress json_scan).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"

#include "map_int.h"

/* What PostgreSQL's lexer reads as part of a word or number. */
#define JSON_WORD_CHAR(c)                                        \
	(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || \
	 ((c) >= '0' && (c) <= '9') || (c) == '_' || IS_HIGHBIT_SET(c))

/*
 * The end of the JSON number starting at s (before end), or NULL when it
 * is not one by PostgreSQL's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)? not followed by a word character.
 */
static inline const char *
json_scan_number(const char *s, const char *end)
{
	if (*s == '-')
		s++;
	if (s < end && *s == '0')
		s++;
	else if (s < end && *s >= '1' && *s <= '9')
		do
			s++;
		while (s < end && *s >= '0' && *s <= '9');
	else
		return NULL;
	if (s < end && *s == '.')
	{
		s++;
		if (s == end || *s < '0' || *s > '9')
			return NULL;
		do
			s++;
		while (s < end && *s >= '0' && *s <= '9');
	}
	if (s < end && (*s == 'e' || *s == 'E'))
	{
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (s == end || *s < '0' || *s > '9')
			return NULL;
		do
			s++;
		while (s < end && *s >= '0' && *s <= '9');
	}
	if (s < end && JSON_WORD_CHAR(*s))
		return NULL;
	return s;
}

/*
 * Does any of the eight bytes in x end a plain string: a quote, a
 * backslash or a byte under 0x20?  (The classic "has a zero byte" test on
 * x xor the byte, and "has a byte less than n".)
 */
static inline bool
json_special_byte(uint64 x)
{
	const uint64 ones = UINT64CONST(0x0101010101010101);
	const uint64 highs = UINT64CONST(0x8080808080808080);
	uint64 q = x ^ (ones * '"');
	uint64 b = x ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x)) &
		   highs;
}

/* Is the word w (n bytes) at s, not followed by a word character? */
static inline bool
json_word_at(const char *s, const char *end, const char *w, int n)
{
	return end - s >= n && memcmp(s, w, n) == 0 &&
		   (end - s == n || !JSON_WORD_CHAR(s[n]));
}

/*
 * The next token of lex, if it is one of those of ordinary records:
 * punctuation, a string without a backslash or control character, a
 * number, true, false or null, after blanks other than newlines.  Then
 * the lexer's state is left exactly as json_lex() would leave it, and the
 * result is true.  false: nothing was changed; the caller hands the token
 * (the end, escapes, newlines, anything malformed) to json_lex() itself,
 * from the same state, so errors and their positions are PostgreSQL's.
 */
bool
map_json_scan(JsonLexContext *lex)
{
	const char *s = lex->token_terminator;
	const char *end = lex->input + lex->input_length;
	const char *q;
	JsonTokenType t;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s == end)
		return false;
	switch (*s)
	{
		case '{':
			t = JSON_TOKEN_OBJECT_START;
			q = s + 1;
			break;
		case '}':
			t = JSON_TOKEN_OBJECT_END;
			q = s + 1;
			break;
		case '[':
			t = JSON_TOKEN_ARRAY_START;
			q = s + 1;
			break;
		case ']':
			t = JSON_TOKEN_ARRAY_END;
			q = s + 1;
			break;
		case ',':
			t = JSON_TOKEN_COMMA;
			q = s + 1;
			break;
		case ':':
			t = JSON_TOKEN_COLON;
			q = s + 1;
			break;
		case '"':
			q = s + 1;
			/* eight bytes at a time while none is special */
			while (end - q >= 8)
			{
				uint64 x;

				memcpy(&x, q, 8);
				if (json_special_byte(x))
					break;
				q += 8;
			}
			while (q < end && (unsigned char) *q >= 0x20 && *q != '"' &&
				   *q != '\\')
				q++;
			if (q == end || *q != '"')
				return false;
			q++;
			t = JSON_TOKEN_STRING;
			break;
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			q = json_scan_number(s, end);
			if (q == NULL)
				return false;
			t = JSON_TOKEN_NUMBER;
			break;
		case 't':
			if (!json_word_at(s, end, "true", 4))
				return false;
			q = s + 4;
			t = JSON_TOKEN_TRUE;
			break;
		case 'f':
			if (!json_word_at(s, end, "false", 5))
				return false;
			q = s + 5;
			t = JSON_TOKEN_FALSE;
			break;
		case 'n':
			if (!json_word_at(s, end, "null", 4))
				return false;
			q = s + 4;
			t = JSON_TOKEN_NULL;
			break;
		default:
			return false;
	}
	lex->token_start = (char *) s;
	lex->prev_token_terminator = lex->token_terminator;
	lex->token_terminator = (char *) q;
	lex->token_type = t;
	return true;
}
