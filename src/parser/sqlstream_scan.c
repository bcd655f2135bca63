/*-------------------------------------------------------------------------
 *
 * sqlstream_scan.c
 *	  The token scan of a query: our own clauses found, parsed and blanked.
 *
 * Before a query goes to raw_parser(), its tokens are scanned once for
 * the clauses that are not SQL: WINDOW specs, S[cond] bracket filters,
 * UNIDIRECTIONAL, EMIT CHANGES|FINAL, PARTITION BY, SINK (..), WITHIN and
 * PER (sqlstream_ondemand.c) and FROM
 * PATTERN|SEQUENCE ( .. ).  Each is parsed here into a QueryScan and blanked out of
 * the piece, so that what raw_parser() sees is plain SQL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

/* Clauses after which a FROM clause is over. */
static bool
ends_from_clause(SqlParser *p, int tok)
{
	static const char *const words[] = {
		"where", "group", "having", "order", "limit",	  "offset",
		"fetch", "for",	  "window", "union", "intersect", "except",
	};

	for (int i = 0; i < lengthof(words); i++)
		if (sqlstream_is_word(p, tok, words[i]))
			return true;
	return false;
}

/*
 * Find our own clauses in a query, tokens [pos, end), parse them, and
 * blank them out of the piece that raw_parser() will see.
 */
void
sqlstream_scan_query(SqlParser *p, int pos, int end, SqlPiece *pc,
					 QueryScan *qs)
{
	enum
	{
		BEFORE_FROM,
		IN_FROM,
		AFTER_FROM
	} region = BEFORE_FROM;
	int depth = 0;
	int side = 0;
	bool in_on = false;
	int item_start = -1;
	int filter_end = -1;

	memset(qs, 0, sizeof(QueryScan));
	qs->select_tok = qs->from_tok = qs->emit_tok = qs->setop_tok = -1;
	qs->partition_tok = -1;
	qs->sink_tok = -1;
	for (int i = 0; i < 3; i++)
		qs->item_tok[i] = qs->join_tok[i] = qs->unidir_tok[i] = -1;

	for (int i = pos; i < end; i++)
	{
		int code = p->tokens[i].code;

		if (depth == 0)
		{
			if (qs->select_tok < 0 && sqlstream_is_word(p, i, "select"))
				qs->select_tok = i;
			if (region == BEFORE_FROM && sqlstream_is_word(p, i, "from") &&
				!sqlstream_is_word(p, i - 1, "distinct"))
			{
				region = IN_FROM;
				qs->from_tok = i;
				item_start = qs->item_tok[0] = i + 1;
				if ((sqlstream_is_word(p, i + 1, "pattern") ||
					 sqlstream_is_word(p, i + 1, "sequence")) &&
					sqlstream_is_char(p, i + 2, '('))
				{
					/* ours entirely: raw_parser sees a placeholder name */
					int close = sqlstream_match_close(p, i + 2, end);

					qs->pattern = palloc0(sizeof(SiddhiInput));
					sqlstream_parse_pattern(
						p, i + 2, close,
						sqlstream_is_word(p, i + 1, "sequence"), qs->pattern);
					sqlstream_piece_kill(pc, i + 1, close + 1);
					sqlstream_piece_put(pc, p->tokens[i + 1].start, "pattern");
					i = close;
					region = AFTER_FROM;
				}
				continue;
			}
			if (sqlstream_is_word(p, i, "window") &&
				!(sqlstream_is_name(p, i + 1) &&
				  sqlstream_is_word(p, i + 2, "as")))
			{
				SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));
				int next;

				if (region == BEFORE_FROM)
					sqlstream_syntax_error(
						p, i,
						"WINDOW follows the stream it applies to: FROM s "
						"WINDOW TUMBLING(1 minute).");
				h->kind = SIDDHI_HANDLER_WINDOW;
				h->location = p->tokens[i].start;
				h->call = sqlstream_parse_window(p, i + 1, end, &next);
				sqlstream_piece_kill(pc, i, next);
				if (region == IN_FROM && !in_on)
				{
					if (qs->window[side] != NULL)
						sqlstream_syntax_error_at(
							p, h->location,
							"a stream can have only one window", NULL);
					qs->window[side] = h;
				}
				else
				{
					if (qs->late_window != NULL)
						sqlstream_syntax_error_at(
							p, h->location,
							"a stream can have only one window", NULL);
					qs->late_window = h;
				}
				i = next - 1;
				continue;
			}
			if (region != BEFORE_FROM &&
				sqlstream_is_word(p, i, "partition") &&
				sqlstream_is_word(p, i + 1, "by"))
			{
				/* PARTITION BY expr: up to the next clause */
				int last = i + 2;
				int d = 0;

				if (qs->partition_tok >= 0)
					sqlstream_syntax_error_at(p, p->tokens[i].start,
											  "PARTITION BY is given twice",
											  NULL);
				for (; last < end; last++)
				{
					int c = p->tokens[last].code;

					if (d == 0 && (ends_from_clause(p, last) ||
								   sqlstream_is_word(p, last, "emit") ||
								   sqlstream_is_word(p, last, "partition") ||
								   sqlstream_is_sink_clause(p, last, end)))
						break;
					if (c == '(' || c == '[')
						d++;
					else if (c == ')' || c == ']')
						d--;
				}
				if (last == i + 2)
					sqlstream_syntax_error(p, last,
										   "Write PARTITION BY <expression>.");
				qs->partition_tok = i;
				qs->partition_by = sqlstream_parse_expr(p, i + 2, last);
				sqlstream_piece_kill(pc, i, last);
				region = (region == IN_FROM) ? AFTER_FROM : region;
				i = last - 1;
				continue;
			}
			if (region != BEFORE_FROM && sqlstream_is_word(p, i, "emit") &&
				(sqlstream_is_word(p, i + 1, "changes") ||
				 sqlstream_is_word(p, i + 1, "final")))
			{
				if (qs->emit_tok >= 0)
					sqlstream_syntax_error_at(p, p->tokens[i].start,
											  "EMIT is given twice", NULL);
				qs->emit_tok = i;
				qs->emit = sqlstream_is_word(p, i + 1, "final")
							   ? SIDDHI_EMIT_FINAL
							   : SIDDHI_EMIT_CHANGES;
				sqlstream_piece_kill(pc, i, i + 2);
				region = (region == IN_FROM) ? AFTER_FROM : region;
				i++;
				continue;
			}
			if (region != BEFORE_FROM && sqlstream_is_sink_clause(p, i, end))
			{
				/* SINK (..) [MAP (..)]: the target stream's connector */
				int next;

				if (qs->sink_tok < 0)
					qs->sink_tok = i;
				qs->sinks = list_concat(
					qs->sinks, sqlstream_parse_sink_clause(p, i, end, &next));
				sqlstream_piece_kill(pc, i, next);
				region = (region == IN_FROM) ? AFTER_FROM : region;
				i = next - 1;
				continue;
			}
			if (region == IN_FROM)
			{
				/* WITHIN .. PER .. of a join with an aggregation */
				int next =
					sqlstream_scan_time_clause(p, i, end, pc, &qs->time);

				if (next != i)
				{
					i = next - 1;
					continue;
				}
			}
			if (region == IN_FROM)
			{
				if (sqlstream_is_word(p, i, "join") || (code == ',' && !in_on))
				{
					side = Min(side + 1, 2);
					qs->join_tok[side] = i;
					item_start = qs->item_tok[side] = i + 1;
					in_on = false;
				}
				else if (sqlstream_is_word(p, i, "on"))
					in_on = true;
				else if (sqlstream_is_word(p, i, "using") && side == 0 &&
						 !in_on)
				{
					/* DELETE FROM T USING S: S is the input */
					item_start = qs->item_tok[0] = i + 1;
					qs->window[0] = NULL;
				}
				else if (code == '[' && !in_on &&
						 (i == item_start + 1 || i == filter_end))
				{
					/* a SiddhiQL-style filter: FROM S[cond] */
					int close = sqlstream_match_close(p, i, end);
					SiddhiStreamHandler *h =
						palloc0(sizeof(SiddhiStreamHandler));

					h->kind = SIDDHI_HANDLER_FILTER;
					h->location = p->tokens[i].start;
					h->filter = sqlstream_parse_expr(p, i + 1, close);
					qs->filters[side] = lappend(qs->filters[side], h);
					sqlstream_piece_kill(pc, i, close + 1);
					filter_end = close + 1;
					i = close;
					continue;
				}
				else if (code == '(' && i == item_start && !in_on &&
						 sqlstream_is_word(p, i + 1, "select"))
				{
					/* FROM (SELECT ..) AS h: a query of its own */
					i = sqlstream_from_subquery(p, i, end, pc);
					continue;
				}
				else if (sqlstream_is_word(p, i, "for") && !in_on &&
						 sqlstream_is_word(p, i + 1, "system_time"))
				{
					i = sqlstream_scan_as_of(p, i, end, pc, &qs->as_of[side]) -
						1;
					continue;
				}
				else if (sqlstream_is_word(p, i, "unidirectional") && !in_on)
				{
					if (qs->unidir_tok[side] >= 0)
						sqlstream_syntax_error(p, i, NULL);
					qs->unidir_tok[side] = i;
					sqlstream_piece_kill(pc, i, i + 1);
					continue;
				}
				else if (ends_from_clause(p, i))
					region = AFTER_FROM;
			}
			if (qs->setop_tok < 0 && (sqlstream_is_word(p, i, "union") ||
									  sqlstream_is_word(p, i, "intersect") ||
									  sqlstream_is_word(p, i, "except")))
				qs->setop_tok = i;
		}
		if (code == '(' || code == '[')
			depth++;
		else if ((code == ')' || code == ']') && depth > 0)
			depth--;
	}
}
