/*-------------------------------------------------------------------------
 *
 * parse.c
 *	  siddhi.parse(app text): the syntax tree of an app, as text.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(siddhi_parse);

Datum
siddhi_parse(PG_FUNCTION_ARGS)
{
	char *source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SiddhiSourceContext ctx;
	SiddhiApp *app;

	siddhi_source_context_push(&ctx, source, NULL);
	app = siddhi_parse_app(source);
	siddhi_source_context_pop(&ctx);

	PG_RETURN_TEXT_P(cstring_to_text(siddhi_ast_to_string(app)));
}
