/*-------------------------------------------------------------------------
 *
 * usercode.h
 *	  Running code on behalf of an app: as its owner, restricted, with the
 *	  settings it changes rolled back (src/runtime/usercode.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_USERCODE_H
#define SIDDHI_USERCODE_H

/*
 * Enter a step of user code as owner: returns a frame number for
 * siddhi_usercode_leave.  Every enter is paired with a leave, also on the
 * error path (leave before the subtransaction the error happened in is
 * rolled back), or unwound with siddhi_usercode_unwind.
 */
extern int siddhi_usercode_enter(Oid owner);

/*
 * Leave frame (and any left open inside it): settings and user back.  ok
 * is false on an error path: nothing more runs then.
 */
extern void siddhi_usercode_leave(int frame, bool ok);

/* The number of frames open now, to unwind to after an error. */
extern int siddhi_usercode_depth(void);

/* Leave every frame opened since siddhi_usercode_depth() gave mark. */
extern void siddhi_usercode_unwind(int mark);

/* Register the (sub)transaction hooks; once, from _PG_init. */
extern void siddhi_usercode_init(void);

#endif /* SIDDHI_USERCODE_H */
