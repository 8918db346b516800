/*
 * sched.h: the pure scheduler. Given a routine and an instant it says when
 * each session is next due. It never reads the clock: callers pass "now",
 * so tests drive it with any instant in any zone (the process's TZ).
 *
 * The rule for a local time T on a local date D, used everywhere: the
 * session fires at the first instant whose local date is D and whose local
 * wall-clock time is T or later. A time inside a spring-forward gap fires
 * at the end of the gap; a time in a repeated fall-back hour fires once, the
 * first time; a date the zone skipped has no firing. Computed from the zone
 * data through localtime_r over real instants, never from mktime's guess.
 */
#ifndef CALF_SCHED_H
#define CALF_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "common/routine.h"

/* One firing: slot `slot` of session `session` due at `at`. */
struct firing {
	time_t	 at;		/* the instant */
	int64_t	 day;		/* the local date it belongs to, days since epoch */
	size_t	 session;	/* index into routine->sessions (file order) */
	size_t	 slot;		/* index into session->times */
};

/* The rule above: sets *t and returns 0, or returns -1 when local date
 * `day` (days since 1970-01-01) has no instant at or after `sod`. */
int	sched_local_instant(int64_t day, int sod, time_t *t);

/* The local date (days since the epoch) of instant t. */
int64_t	sched_local_day(time_t t);

/* Seconds since local midnight at instant t (0 when out of range). */
int	sched_local_sod(time_t t);

/* The first instant after now whose local time of day is sod (seconds
 * after midnight), by the rule above. */
time_t	sched_next_tod(time_t now, int sod);

/* Whether instant now lies inside the routine's quiet hours. */
bool	sched_in_quiet(const struct routine *, time_t now);

/* Forget cached zone data; call after TZ or /etc/localtime changes. */
void	sched_zone_changed(void);

/* The first firing of session s (index idx) ordered after (t, slot): a
 * firing (at, k) comes after when at > t, or at == t and k > slot. Pass
 * slot = SIZE_MAX for "strictly after t". Returns 0, or -1 when the session
 * has no firing (on demand only, or none within the next 2 years). */
int	sched_next(const struct session *s, size_t idx, time_t t, size_t slot,
	    struct firing *f);

/* A min-heap of the next firing of every timed session, ordered by
 * (instant, session index, slot): choosing the next due session costs
 * O(log n) with thousands of sessions. The heap refers to the routine; free
 * it before the routine. */
struct sched;

struct sched	*sched_new(const struct routine *, time_t now);
void		 sched_free(struct sched *);
/* The next firing, or NULL when nothing is scheduled. */
const struct firing *sched_peek(const struct sched *);
/* Removes the next firing and schedules that session's following one. */
void		 sched_advance(struct sched *);
/* Recomputes every session's next firing strictly after now (after a clock
 * step, a zone change or a resume). */
void		 sched_rebase(struct sched *, time_t now);

/* Fills out[] with the first n firings strictly after `from`, in order;
 * returns how many (fewer when the routine has fewer), or -1 on ENOMEM. */
ssize_t		 sched_agenda(const struct routine *, time_t from,
		     struct firing *out, size_t n);

#endif
