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

#endif /* SIDDHI_CATALOG_H */
