/*-------------------------------------------------------------------------
 *
 * epochs.c
 *	  When the engine saves the state of its queries (epochs, issue 15):
 *	  in every batch that consumed a durable stream's events or a source's
 *	  records, else by siddhi.state_interval, siddhi.state_interval_events
 *	  and siddhi.state_budget; and once more before a clean stop.  The
 *	  saving itself is state.c's; the engine's loop is engine.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "engine_int.h"
#include "executor/spi.h"
#include "portability/instr_time.h"
#include "siddhi/errors.h"
#include "siddhi/runtime.h"
#include "siddhi/state.h"
#include "state.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

static bool states_may_exist = true; /* rows in siddhi.query_state */

static bool states_pending =
	false;						  /* siddhi_epoch_save wrote, not committed */
static int64 last_state_save = 0; /* when a batch that saved committed */
static uint64 events_since_save = 0; /* events fed since then */
static double last_save_cost_ms = 0; /* how long its siddhi_epoch_save took */

static double busy_since_save_ms = 0; /* batches' time since then */
static double batch_save_ms = 0;	  /* of it, this batch's save */

/*
 * Whether a save that no input needs may come now: siddhi.state_interval
 * after the last one (or siddhi.state_interval_events events); under load,
 * later, so that such saves take at most siddhi.state_budget percent of
 * the engine's busy time (a window whose events outlive the interval
 * writes each event once; a longer epoch lets more of them leave before
 * they are written).  Not for cheap saves (under 5 ms), and never more
 * than a minute (or the interval, if longer) after the last.
 */
static bool
state_save_due(void)
{
	int64 elapsed = siddhi_now_ms() - last_state_save;

	if (siddhi_state_interval_events > 0 &&
		events_since_save >= (uint64) siddhi_state_interval_events)
		return true;
	if (elapsed < siddhi_state_interval_ms)
		return false;
	if (siddhi_state_budget > 0 && last_save_cost_ms >= 5 &&
		elapsed < Max(60 * 1000, siddhi_state_interval_ms) &&
		busy_since_save_ms < last_save_cost_ms * (100 - siddhi_state_budget) /
								 siddhi_state_budget)
		return false;
	return true;
}

/*
 * Run body(arg) in a subtransaction of its own, SPI connected: a failure
 * (a bug) rolls back what it wrote and is a WARNING saying what could not
 * be done ("could not <what>"), and the caller's transaction goes on.
 * Returns whether it succeeded.
 */
static bool
in_subxact(void (*body)(void *arg), void *arg, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool ok = true;

	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		SPI_connect();
		body(arg);
		SPI_finish();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ereport(WARNING,
				(errcode(ERRCODE_SIDDHI_ERROR),
				 errmsg("siddhi: could not %s: %s", what, edata->message)));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* siddhi_epoch_save's body: every loaded app's changed state */
static void
save_all(void *arg)
{
	List *loaded = arg;
	ListCell *lc;

	foreach(lc, loaded)
	{
		LoadedApp *la = lfirst(lc);

		if (!siddhi_save_state)
		{
			siddhi_state_forget_app(la->name);
			if (la->runtime)
				siddhi_runtime_state_forgotten(la->runtime);
		}
		else if (la->runtime)
			siddhi_state_save_app(la->name, la->deployed_at, la->runtime);
	}
}

/*
 * Epochs (state.c): the state of the queries that changed since they were
 * last saved, written in this batch's transaction.  Always when must (the
 * batch consumed a durable stream's events or a source's records, whose
 * inputs resume from this commit after a crash: exactly once needs the
 * state of this very batch); else at most every siddhi.state_interval, or
 * once siddhi.state_interval_events events went by (a commit that writes
 * only state costs a WAL flush, and the events of ordinary streams in
 * flight are lost in a crash anyway).  In a
 * subtransaction of its own: a failure (a bug) is a WARNING and leaves
 * the queries marked changed, so the next batch tries again; the batch's
 * results commit.
 */
void
siddhi_epoch_save(List *loaded, bool must)
{
	instr_time start;
	instr_time took;

	if (loaded == NIL)
		return;
	/* turned off: the states saved so far go, once (they go stale) */
	if (!siddhi_save_state && !states_may_exist)
		return;
	if (!must && siddhi_save_state && siddhi_state_interval_ms > 0 &&
		!state_save_due())
		return;
	INSTR_TIME_SET_CURRENT(start);
	if (in_subxact(save_all, loaded, "save the state of the queries"))
	{
		states_may_exist = siddhi_save_state;
		states_pending = siddhi_save_state;
	}
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, start);
	last_save_cost_ms = INSTR_TIME_GET_MILLISEC(took);
	batch_save_ms += last_save_cost_ms;
}

typedef struct HandOver
{
	LoadedApp *la;
	TimestampTz to;
} HandOver;

/* siddhi_epoch_hand_over's body */
static void
hand_over(void *arg)
{
	HandOver *h = arg;

	if (h->to == h->la->deployed_at || siddhi_state_kept(h->la->name, h->to))
	{
		siddhi_state_forget_app(h->la->name);
		siddhi_runtime_state_forgotten(h->la->runtime);
		siddhi_state_save_app(h->la->name, h->to, h->la->runtime);
	}
}

/*
 * An app was replaced (siddhi.deploy(.., replace => true) committed), or
 * is reloaded or stopped because something it uses changed, and its
 * runtime is about to go: the state it holds now, as of its last event,
 * goes to the deployment in siddhi.app now (to), not that of its last
 * save.
 * Without this, the new app restored the last save (a second old, or a
 * minute under siddhi.state_budget), and a durable stream's batches fed
 * after the replace committed were consumed with their effect on the
 * state lost (their saves were refused: the rows had moved on).
 *
 * To a new deployment only when the replace kept the state (its rows
 * moved to the new deployed_at; keep_state => false deleted them: nothing
 * is handed over).
 * The old runtime's saves since the replace were refused while it took
 * them as done, so its incremental tracking cannot be trusted: the app's
 * rows and parts go, and everything is written whole, as at a first save.
 * Each query of the new app takes its own back only if its fingerprint is
 * the same, as always.  In a subtransaction: a failure is a WARNING, and
 * the new app restores what was there before (the last save).
 */
void
siddhi_epoch_hand_over(LoadedApp *la, TimestampTz to)
{
	HandOver h = { la, to };
	char *what;

	if (!siddhi_save_state || la->runtime == NULL)
		return;
	what = psprintf("hand the state of app \"%s\" over to its new "
					"deployment",
					la->name);
	(void) in_subxact(hand_over, &h, what);
	pfree(what);

	/*
	 * The new app is restored next, in this transaction, by read-only
	 * statements that use the active snapshot as it is: it must see what
	 * was just written (else it restored the last save, and its next part
	 * collided with the one written here).
	 */
	CommandCounterIncrement();
	if (ActiveSnapshotSet())
		UpdateActiveSnapshotCommandId();
}

/* The batch committed: what it saved is the queries' state now. */
void
siddhi_epoch_committed(List *loaded)
{
	ListCell *lc;

	if (!states_pending)
		return;
	states_pending = false;
	last_state_save = siddhi_now_ms();
	events_since_save = 0;
	busy_since_save_ms = 0;
	foreach(lc, loaded)
	{
		LoadedApp *la = lfirst(lc);

		if (la->runtime)
			siddhi_runtime_state_saved(la->runtime);
	}
}

/* A batch fed this many events. */
void
siddhi_epoch_fed(uint64 events)
{
	events_since_save += events;
}

/*
 * A batch took this long, its save (if any) included.  A timers' batch
 * reports nothing: its save, if any, is taken off the next batch's time,
 * never below nothing.
 */
void
siddhi_epoch_busy(double ms)
{
	busy_since_save_ms += Max(ms - batch_save_ms, 0);
	batch_save_ms = 0;
}
