/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The launcher and the per-database engine workers (src/worker/).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WORKER_H
#define SIDDHI_WORKER_H

#include "fmgr.h"

extern void siddhi_register_launcher(void);

/* utility.c: stop a database's engine before DROP/ALTER DATABASE */
extern void siddhi_utility_init(void);

extern PGDLLEXPORT void siddhi_launcher_main(Datum arg);
extern PGDLLEXPORT void siddhi_engine_main(Datum arg);

#endif /* SIDDHI_WORKER_H */
