/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  The extension's catalog tables and deploy/undeploy (src/catalog/).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CATALOG_H
#define SIDDHI_CATALOG_H

#include "utils/relcache.h"

/* Register the transaction hook that tells the worker about changes. */
extern void siddhi_catalog_xact_init(void);

/*
 * app_acl.c: the owner of a deployed app (InvalidOid when there is none),
 * read as the caller; and ERROR unless the current user may manage the
 * app (a member of its owner role, or a superuser).
 */
extern Oid siddhi_app_owner_of(const char *name);
extern void siddhi_check_may_manage_app(const char *name);
/* The same, for an owner already read. */
extern void siddhi_check_may_manage_owner(const char *name, Oid owner);

/*
 * Named-window and aggregation tables are read-only to everyone but the
 * engine (readonly.c): deploy protects them, the engine brackets its own
 * writes with begin/end (reset on error).
 */
extern void siddhi_protect_relation(Oid relid);
extern void siddhi_engine_writes_begin(void);
extern void siddhi_engine_writes_end(void);
extern void siddhi_engine_writes_reset(void);

/*
 * The engine's own SQL (src/catalog/catalog_spi.c): search_path pinned to
 * pg_catalog, pg_temp in a GUC nest level of its own.
 */
extern int siddhi_pin_begin(void);
extern void siddhi_pin_end(int level, bool ok);

/*
 * Run one of the extension's own statements through SPI (the caller is
 * connected) with search_path pinned; as the bootstrap superuser when
 * as_superuser (restricted: it may run no code of anyone else), else as
 * the current user.  Returns the SPI result code; an error is raised for
 * a negative one.
 */
extern int siddhi_catalog_spi(const char *sql, int nargs, Oid *argtypes,
							  Datum *values, const char *nulls, bool read_only,
							  bool as_superuser);

/*
 * Rows of bytes into the extension's own tables through the heap and
 * index access methods, no SQL (src/catalog/catalog_rows.c).
 */
extern Relation siddhi_catalog_open_rows(const char *name);
extern void siddhi_catalog_insert_rows(Relation rel, Datum *values,
									   bool *nulls, int nrows);
extern Datum siddhi_catalog_next_piece(const char *data, Size len, Size *off,
									   Size max_piece);

#endif /* SIDDHI_CATALOG_H */
