/*-------------------------------------------------------------------------
 *
 * engine_wait.c
 *	  How long an idle engine worker sleeps, and on what: its latch (ring
 *	  markers, SIGHUP, SIGTERM), its sources' descriptors, the sinks'
 *	  delivery pipe, the next deadline of its timers, the poll of prepared
 *	  transactions, and the table statistics its last batches left pending.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "siddhi/clock.h"
#include "siddhi/runtime.h"
#include "siddhi/shmem.h"
#include "siddhi/sink.h"
#include "siddhi/source_runtime.h"
#include "engine_int.h"
#include "pending.h"
#include "storage/latch.h"
#include "utils/timestamp.h"


/*
 * Table statistics a batch left pending, sent while the engine is idle;
 * returns how long it may wait before it must look again (ms).
 * pgstat_report_stat(false) sends at most once a second and, outside a
 * transaction, measures that second from the last commit, so an idle
 * process never gets past it: a backend forces the send from an idle
 * timeout, and so does this, a second after it first found them
 * pending.  Without it the rows of an engine's last batch stayed out of
 * pg_stat_user_tables, and so out of autovacuum's view of the sink and
 * aggregation tables, until the next batch.
 */
static long
idle_stats(TimestampTz now)
{
	static TimestampTz force_at = 0;

	if (force_at == 0)
	{
		if (pgstat_report_stat(false) == 0)
			return LONG_MAX;
		force_at = TimestampTzPlusMilliseconds(now, 1000);
	}
	if (now >= force_at)
	{
		pgstat_report_stat(true);
		force_at = 0;
		return LONG_MAX;
	}
	return (long) ((force_at - now) / 1000) + 1;
}

/* Wait for the latch or a source's descriptor, up to timeout ms. */
static void
wait_with_sources(int *fds, int nfds, long timeout)
{
	WaitEventSet *set = CreateWaitEventSet(CurrentMemoryContext, nfds + 2);
	WaitEvent event;

	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < nfds; i++)
		AddWaitEventToSet(set, WL_SOCKET_READABLE, fds[i], NULL, NULL);
	(void) WaitEventSetWait(set, timeout, &event, 1, PG_WAIT_EXTENSION);
	FreeWaitEventSet(set);
}

/*
 * Sleep until something may be due: at most siddhi.naptime (100 ms while
 * a prepared transaction is polled), the timers' next deadline (unless
 * blocked: an older transaction holds the ring back), the sinks' own
 * timeout, the pending statistics' send.  *idle is set while it waits:
 * SIGTERM then saves the state and exits at once (engine.c).
 */
void
engine_wait(TimestampTz now, bool blocked, long sink_timeout,
			volatile sig_atomic_t *idle)
{
	/* markers wake us; prepared transactions are polled */
	long timeout = siddhi_pending_wants_poll() ? Min(100, siddhi_naptime_ms)
											   : siddhi_naptime_ms;
	int fds[65];
	int nfds;
	int sink_fd = siddhi_sinks_wait_fd();
	int64 deadline = siddhi_runtime_next_deadline();

	if (deadline >= 0 && !blocked)
		timeout = Max(0, Min(timeout, deadline - siddhi_now_ms()));
	timeout = Min(timeout, sink_timeout);
	timeout = Min(timeout, idle_stats(now));
	/* sources: their descriptors, or a short poll timeout */
	nfds = siddhi_sources_wait(fds, lengthof(fds) - 1, &timeout);
	/* a delivery report wakes us through the sinks' pipe */
	if (sink_fd >= 0)
		fds[nfds++] = sink_fd;
	*idle = true;
	if (nfds == 0)
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 timeout, PG_WAIT_EXTENSION);
	else
		wait_with_sources(fds, nfds, timeout);
	*idle = false;
}
