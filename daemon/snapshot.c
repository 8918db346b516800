/*
 * snapshot.c: the engine's state as plain snapshots (engine.h), and a
 * saved snapshot applied to a fresh engine at start. daemon/state.c turns
 * snapshots into JSON and back; the runs themselves are restored by run.c.
 */
#include "daemon/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

int
engine_snapshot(struct engine *e, struct engine_snapshot *snap)
{
	size_t	n = 0;

	memset(snap, 0, sizeof *snap);
	snap->saved_us = wall_now().us;
	snap->paused = e->paused;
	snap->pause_until_us = e->pause_until_us;
	/* Its size grows with what is pending, not with the routine, so a
	 * routine of thousands of idle sessions costs nothing. */
	for (size_t i = 0; i < e->r->nsessions; i++) {
		const struct run *run = e->runs[i];

		if (run->last_fired > snap->handled)
			snap->handled = run->last_fired;
		if (run->state != RUN_IDLE || run->skip_next)
			n++;
	}
	if ((snap->runs = calloc(n + 1, sizeof *snap->runs)) == NULL)
		return -1;
	for (size_t i = 0; i < e->r->nsessions; i++) {
		const struct run *run = e->runs[i];

		if (run->state != RUN_IDLE || run->skip_next)
			run_snapshot(run, &snap->runs[snap->nruns++]);
	}
	return 0;
}

void
engine_snapshot_free(struct engine_snapshot *snap)
{
	free(snap->runs);
	snap->runs = NULL;
	snap->nruns = 0;
}

/* Through the routine's name index: a restore of n sessions is not n². */
static struct run *
find_run(struct engine *e, const char *name)
{
	struct session	*s = routine_find(e->r, name);

	return s != NULL ? e->runs[s - e->r->sessions] : NULL;
}

/* The pause first, so prompts restored or caught up are held by it. */
static void
restore_pause(struct engine *e, const struct engine_snapshot *snap)
{
	if (!snap->paused)
		return;
	e->paused = true;
	e->pause_until_us = snap->pause_until_us;
	if (snap->pause_until_us != 0 &&
	    snap->pause_until_us <= wall_now().us) {
		engine_pause_end(e, ORIGIN_RESTORE, REASON_OFFLINE);
		return;
	}
	if (snap->pause_until_us != 0)
		timer_at_wall(&e->pause_timer, (wall_t){ snap->pause_until_us });
	log_info("prompts still paused");
}

static void
restore_runs(struct engine *e, const struct engine_snapshot *snap)
{
	time_t	now = (time_t)(wall_now().us / US), handled = snap->handled;

	/* Firings up to `handled` were dealt with before; later ones came
	 * while calfd was down and are caught up below. Ahead of now only
	 * after a backward clock step, by little; far ahead, it would silence
	 * the routine, so it is not believed. */
	if (handled > now + CATCH_UP_S)
		handled = now;
	for (size_t i = 0; i < e->r->nsessions; i++)
		e->runs[i]->last_fired = handled;
	restore_pause(e, snap);
	for (size_t i = 0; i < snap->nruns; i++) {
		const struct run_snapshot	*sr = &snap->runs[i];
		struct run			*run = find_run(e, sr->name);

		if (run == NULL) {
			if (sr->state != RUN_IDLE || sr->skip_at != 0)
				log_info("%s: saved, but no longer in the "
				    "routine; forgotten", sr->name);
			continue;
		}
		if (sr->seq > e->seq)
			e->seq = sr->seq;
		run_restore(run, sr, snap->same_boot, snap->saved_us);
	}
}

void
engine_restore(struct engine *e, const struct engine_snapshot *snap)
{
	if (snap != NULL) {
		restore_runs(e, snap);
		/* What came due while calfd was down, then held prompts no
		 * longer held. */
		engine_catch_up(e, "state restored", ORIGIN_RESTORE);
		engine_release_held(e, ORIGIN_RESTORE);
	}
	/* Saved once at the start, whatever was read: a file set aside is
	 * replaced by the state in use. */
	engine_changed(e);
}
