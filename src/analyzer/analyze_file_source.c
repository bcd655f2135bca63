/*-------------------------------------------------------------------------
 *
 * analyze_file_source.c
 *	  Deploy-time checks of @source(type = 'file') (src/connectors/
 *	  file_source.c): who may read (and move or delete) server files, the
 *	  paths, and siddhi-io-file's rules between the options.
 *
 * Reading needs the privileges of pg_read_server_files (the rule COPY
 * FROM a file follows); action.after.process 'delete' or 'move' changes
 * files, so it needs pg_write_server_files too.  Every path is under
 * siddhi.file_directory (siddhi_file_path, spec.c).  Checked at deploy and
 * at every load, as the app's owner.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "siddhi/connector.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "analyze_int.h"
#include "siddhi/file_regex.h"

static void
file_refuse(AnalyzeState *st, int location, const char *msg, const char *hint)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("%s", msg), hint ? errhint("%s", hint) : 0,
					siddhi_errposition(st->app->source, location)));
}

static void
file_check_path(AnalyzeState *st, SiddhiConnOption *o)
{
	char *why = NULL;

	if (o && siddhi_file_path(o->value, &why) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", why),
				 errhint("A superuser sets siddhi.file_directory in "
						 "postgresql.conf; %s names a path under it.",
						 o->key),
				 siddhi_errposition(st->app->source, o->location)));
}

static bool
file_bool(AnalyzeState *st, SiddhiConnOption *o, bool def)
{
	bool v;

	if (o == NULL)
		return def;
	if (!parse_bool(o->value, &v))
		file_refuse(st, o->location, "tailing must be 'true' or 'false'",
					NULL);
	return v;
}

void
siddhi_check_file_source(AnalyzeState *st, SiddhiSourcePlan *sp)
{
	SiddhiConnOption *file = siddhi_conn_option_find(sp->options, "file.uri");
	SiddhiConnOption *dir = siddhi_conn_option_find(sp->options, "dir.uri");
	SiddhiConnOption *mode = siddhi_conn_option_find(sp->options, "mode");
	SiddhiConnOption *action =
		siddhi_conn_option_find(sp->options, "action.after.process");
	SiddhiConnOption *move =
		siddhi_conn_option_find(sp->options, "move.after.process");
	SiddhiConnOption *o;
	bool full = mode && pg_strcasecmp(mode->value, "text.full") == 0;
	bool tailing =
		file_bool(st, siddhi_conn_option_find(sp->options, "tailing"), !full);
	const char *act = action ? action->value : (tailing ? "none" : "delete");
	bool writes = pg_strcasecmp(act, "none") != 0;

	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to deploy a file source"),
				 errdetail("A file source reads files on the database "
						   "server."),
				 errhint("Members of pg_read_server_files may, as for COPY "
						 "FROM a file."),
				 siddhi_errposition(st->app->source, sp->location)));
	if ((file == NULL) == (dir == NULL))
		file_refuse(st, sp->location,
					"a file source needs one of file.uri and dir.uri",
					"Write file.uri = 'file:///dir/f.csv' for one file, or "
					"dir.uri = 'file:///dir/in' for the files of a "
					"directory.");
	if (mode && pg_strcasecmp(mode->value, "line") != 0 && !full &&
		pg_strcasecmp(mode->value, "regex") != 0)
		file_refuse(
			st, mode->location,
			psprintf("file source mode \"%s\" is not supported", mode->value),
			pg_strcasecmp(mode->value, "binary.full") == 0
				? "'binary.full' is not built; 'text.full' reads a "
				  "whole file as text."
				: "A file source's mode is 'line' (the default), "
				  "'regex' or 'text.full'.");
	for (int i = 0; i < 2; i++)
	{
		SiddhiConnOption *re = siddhi_conn_option_find(
			sp->options, i ? "end.regex" : "begin.regex");
		char *why = NULL;

		if (re == NULL)
			continue;
		if (mode == NULL || pg_strcasecmp(mode->value, "regex") != 0)
			file_refuse(st, re->location,
						psprintf("%s needs mode = 'regex'", re->key),
						"Add mode = 'regex', or remove it.");
		if (siddhi_file_regex_create(i ? NULL : re->value,
									 i ? re->value : NULL, &why) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
					 errmsg("%s", why),
					 siddhi_errposition(st->app->source, re->location)));
	}
	if (full && tailing)
		file_refuse(st,
					siddhi_conn_option_find(sp->options, "tailing")->location,
					"a file source cannot tail in mode 'text.full'",
					"Remove tailing, or write tailing = 'false'.");
	if (pg_strcasecmp(act, "none") != 0 && pg_strcasecmp(act, "delete") != 0 &&
		pg_strcasecmp(act, "move") != 0)
		file_refuse(st, action->location,
					psprintf("unknown action.after.process \"%s\"", act),
					"action.after.process is 'delete', 'move' or 'none'.");
	if (tailing && writes)
		file_refuse(st, action->location,
					"a tailed file is never finished, so it is neither moved "
					"nor deleted",
					"Remove action.after.process, or write tailing = "
					"'false'.");
	if (pg_strcasecmp(act, "move") == 0 && move == NULL)
		file_refuse(st, action->location,
					"action.after.process 'move' needs move.after.process",
					"Write move.after.process = 'file:///dir/done'.");
	if (move && pg_strcasecmp(act, "move") != 0)
		file_refuse(st, move->location,
					"move.after.process needs action.after.process = 'move'",
					NULL);
	if (writes && !has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s files after reading them",
					pg_strcasecmp(act, "move") == 0 ? "move" : "delete"),
			 errdetail("action.after.process '%s' changes files on the "
					   "database server%s.",
					   act, action ? "" : " (the default without tailing)"),
			 errhint("Members of pg_write_server_files may; or write "
					 "action.after.process = 'none'."),
			 siddhi_errposition(st->app->source,
								action ? action->location : sp->location)));
	o = siddhi_conn_option_find(sp->options, "max.line.length");
	if (o)
	{
		char *end = NULL;
		long v;

		errno = 0;
		v = strtol(o->value, &end, 10);
		if (errno != 0 || end == o->value || *end != '\0' || v < 1 ||
			v > 256 * 1024 * 1024)
			file_refuse(st, o->location,
						"max.line.length must be an integer from 1 to "
						"268435456 (bytes)",
						NULL);
	}
	file_check_path(st, file);
	file_check_path(st, dir);
	file_check_path(st, move);
}
