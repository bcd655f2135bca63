/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  The extension's catalog tables and deploy/undeploy (src/catalog/).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CATALOG_H
#define SIDDHI_CATALOG_H

/* Register the transaction hook that tells the worker about changes. */
extern void siddhi_catalog_xact_init(void);

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

#endif /* SIDDHI_CATALOG_H */
