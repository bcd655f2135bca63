/* Streaming SQL front end: being written (see src/parser/README.md). */
#include "postgres.h"

#include "siddhi/errors.h"
#include "siddhi/parser.h"

SiddhiApp *
sqlstream_parse(const char *source)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("the streaming SQL parser is not built yet")));
	return NULL;
}
