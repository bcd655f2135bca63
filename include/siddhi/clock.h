/*-------------------------------------------------------------------------
 *
 * clock.h
 *	  The wall clock every subsystem reads (src/common/clock.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CLOCK_H
#define SIDDHI_CLOCK_H

/* Wall clock, ms since the Unix epoch. */
extern int64 siddhi_now_ms(void);

#endif /* SIDDHI_CLOCK_H */
