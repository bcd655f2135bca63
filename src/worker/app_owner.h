/*-------------------------------------------------------------------------
 *
 * app_owner.h
 *	  Apps and the roles that own them: DROP ROLE, DROP OWNED BY and
 *	  REASSIGN OWNED BY (src/worker/app_owner.c), called from the
 *	  ProcessUtility hook (utility.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_APP_OWNER_H
#define SIDDHI_APP_OWNER_H

#include "nodes/parsenodes.h"

/* Before DROP ROLE: ERROR if a role of stmt owns an app of this database. */
extern void siddhi_app_owner_drop_role(DropRoleStmt *stmt);

/* After DROP OWNED BY: the apps of its roles go with their views. */
extern void siddhi_app_owner_dropped(DropOwnedStmt *stmt);

/* After REASSIGN OWNED BY: the apps of its roles go to the new owner. */
extern void siddhi_app_owner_reassigned(ReassignOwnedStmt *stmt);

#endif /* SIDDHI_APP_OWNER_H */
