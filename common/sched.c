/*
 * sched.c: when each session is next due, from the zone data alone.
 *
 * The local offset off(t) (tm_gmtoff of localtime_r) is piecewise constant.
 * For a local date D we find every offset change in a window wide enough to
 * hold every instant whose local date is D, which splits the window into
 * intervals [a_i, b_i) of constant offset o_i. In interval i the instants of
 * date D at or after local time T are
 *
 *	[max(a_i, naive(D, T) - o_i), min(b_i, naive(D + 1, 0) - o_i))
 *
 * where naive(D, s) = D * 86400 + s, and the firing is the lower bound of
 * the first non-empty one. Gaps, repeated hours, skipped dates and gaps over
 * midnight all fall out of this without special cases.
 *
 * Changes are found by sampling off() every hour and bisecting to the second
 * wherever two samples differ. Limitation: two changes within one hour that
 * return to the same offset are not seen; tzdata has none.
 *
 * The interval lists are kept in a small direct-mapped cache keyed by date,
 * so agendas of thousands of firings cost a few localtime_r calls each. The
 * cache is process-wide and not thread-safe, like the daemon.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/routine.h"
#include "common/sched.h"
#include "common/timeutil.h"

/* How far an offset may stray from UTC, with room to spare (real: -12..+14h). */
#define ZONE_MARGIN	(27 * 3600)
#define ZONE_STEP	3600		/* sampling step; see the limitation above */
#define ZDAY_MAXIV	32		/* intervals per window; real zones use <= 4 */
#define ZCACHE_SIZE	128		/* dates cached, a power of two */
#define NEXT_MAXDAYS	800		/* sched_next looks this many dates ahead */
/* Dates beyond this are refused so naive() and the margins cannot overflow. */
#define DAY_LIMIT	((int64_t)1 << 40)

/* The offset intervals covering every instant of one local date. */
struct zday {
	int64_t	 day;
	bool	 valid;
	int	 n;			/* intervals; 0 when the zone failed */
	time_t	 a[ZDAY_MAXIV + 1];	/* interval i is [a[i], a[i + 1]) */
	long	 off[ZDAY_MAXIV];
};

static struct zday	 zcache[ZCACHE_SIZE];

struct sched {
	const struct routine	*r;
	struct firing		*h;	/* binary min-heap */
	size_t			 n;
	size_t			 cap;
};

/* Local seconds of a date and time, the scale the offsets shift instants to. */
static int64_t
naive(int64_t day, int64_t sod)
{
	return (day * SECS_PER_DAY + sod);
}

/* One offset lookup; failure (a year past struct tm's range) is reported. */
static int
zone_off(time_t t, long *off)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return (-1);
	*off = tm.tm_gmtoff;
	return (0);
}

/* Narrows (lo, hi] to the second where the offset first leaves offlo. */
static int
zone_bisect(time_t lo, long offlo, time_t hi, time_t *x)
{
	long	 o;

	while (hi - lo > 1) {
		time_t	 mid = lo + (hi - lo) / 2;

		if (zone_off(mid, &o) == -1)
			return (-1);
		if (o == offlo)
			lo = mid;
		else
			hi = mid;
	}
	*x = hi;
	return (0);
}

/* Splits the window of date `day` into intervals of constant offset. */
static void
zday_fill(struct zday *z, int64_t day)
{
	time_t	 w0, w1, a, b, x;
	long	 oa, ob, ox;

	z->day = day;
	z->valid = true;
	z->n = 0;
	w0 = (time_t)(naive(day, 0) - ZONE_MARGIN);
	w1 = (time_t)(naive(day + 1, 0) + ZONE_MARGIN);
	if (zone_off(w0, &oa) == -1)
		return;
	z->a[0] = w0;
	z->off[0] = oa;
	z->n = 1;
	for (a = w0; a < w1; a = b, oa = ob) {
		b = a + ZONE_STEP < w1 ? a + ZONE_STEP : w1;
		if (zone_off(b, &ob) == -1)
			goto fail;
		/* Several changes may share one step: peel them off in order. */
		while (oa != ob) {
			if (zone_bisect(a, oa, b, &x) == -1 ||
			    zone_off(x, &ox) == -1)
				goto fail;
			if (z->n == ZDAY_MAXIV)
				goto fail;
			z->a[z->n] = x;
			z->off[z->n] = ox;
			z->n++;
			a = x;
			oa = ox;
		}
	}
	z->a[z->n] = w1;
	return;

fail:
	/* Better no firing than one computed from half the zone's story. */
	z->n = 0;
}

/* The cached intervals of a date, computed on first use. */
static const struct zday *
zday_get(int64_t day)
{
	struct zday	*z = &zcache[(uint64_t)day & (ZCACHE_SIZE - 1)];

	if (!z->valid || z->day != day)
		zday_fill(z, day);
	return (z);
}

/* The rule of sched.h, straight from the intervals. */
int
sched_local_instant(int64_t day, int sod, time_t *t)
{
	const struct zday	*z;
	int64_t			 want, end, lo, hi;

	if (day < -DAY_LIMIT || day > DAY_LIMIT || sod < 0 ||
	    sod >= SECS_PER_DAY)
		return (-1);
	z = zday_get(day);
	want = naive(day, sod);
	end = naive(day + 1, 0);
	for (int i = 0; i < z->n; i++) {
		lo = want - z->off[i];
		if (lo < z->a[i])
			lo = z->a[i];
		hi = end - z->off[i];
		if (hi > z->a[i + 1])
			hi = z->a[i + 1];
		if (lo < hi) {
			*t = (time_t)lo;
			return (0);
		}
	}
	return (-1);
}

/* The local time of day at t, for quiet hours. */
int
sched_local_sod(time_t t)
{
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		return (0);
	return (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
}

/* The next instant after now when the local time of day is sod, by the
 * rule above (a day the zone skipped is passed over). */
time_t
sched_next_tod(time_t now, int sod)
{
	int64_t	day = sched_local_day(now);
	time_t	t;

	for (int i = 0; i < 4; i++, day++)
		if (sched_local_instant(day, sod, &t) == 0 && t > now)
			return (t);
	return (now + SECS_PER_DAY);
}

/* Quiet hours may cross midnight: 23:30-06:30 holds 23:45 and 05:00. */
bool
sched_in_quiet(const struct routine *r, time_t now)
{
	int	sod;

	if (!r->has_quiet)
		return (false);
	sod = sched_local_sod(now);
	if (r->quiet_start <= r->quiet_end)
		return (sod >= r->quiet_start && sod < r->quiet_end);
	return (sod >= r->quiet_start || sod < r->quiet_end);
}

/* Dates are counted from the epoch so weekdays and the cache need no zone. */
int64_t
sched_local_day(time_t t)
{
	struct tm	 tm;
	int64_t		 d;

	if (localtime_r(&t, &tm) == NULL) {
		/* Out of struct tm's range: any date that sorts right will do. */
		d = t / SECS_PER_DAY;
		if (t < 0 && t % SECS_PER_DAY != 0)
			d--;
		return (d);
	}
	return (civil_to_days((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday));
}

/* Called when TZ or /etc/localtime may have changed under the cache. */
void
sched_zone_changed(void)
{
	memset(zcache, 0, sizeof(zcache));
}

/* Heap and agenda order: instant, then file order, then slot. */
static bool
firing_before(const struct firing *x, const struct firing *y)
{
	if (x->at != y->at)
		return (x->at < y->at);
	if (x->session != y->session)
		return (x->session < y->session);
	return (x->slot < y->slot);
}

/* Whether firing (at, k) of one session comes after (t, slot). */
static bool
after(time_t at, size_t k, time_t t, size_t slot)
{
	return (at > t || (at == t && k > slot));
}

/*
 * Within one date the instants grow with the slot (a later time of day can
 * only fire later), so the first slot after (t, slot) is found by bisection
 * and is that date's best; across dates local time can run backwards, so
 * the caller takes the minimum.
 */
static int
day_first(const struct session *s, int64_t day, time_t t, size_t slot,
    time_t *at, size_t *k)
{
	size_t	 lo = 0, hi = s->ntimes;
	time_t	 x;

	/* Invariant: slots below lo are not after (t, slot); hi is. */
	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;

		if (sched_local_instant(day, s->times[mid], &x) == -1 ||
		    !after(x, mid, t, slot))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->ntimes || sched_local_instant(day, s->times[lo], at) == -1)
		return (-1);
	*k = lo;
	return (0);
}

/* Scans dates from just before t, since a date's firings need not be in order. */
int
sched_next(const struct session *s, size_t idx, time_t t, size_t slot,
    struct firing *f)
{
	int64_t	 d0, day;
	time_t	 at;
	size_t	 k;
	bool	 found = false;

	if (s->ntimes == 0 || s->times == NULL)
		return (-1);
	d0 = sched_local_day(t) - 2;
	if (d0 < -DAY_LIMIT || d0 > DAY_LIMIT)
		return (-1);
	for (day = d0; day < d0 + NEXT_MAXDAYS; day++) {
		if (found && naive(day, 0) - ZONE_MARGIN > f->at)
			break;
		if ((s->days & (1U << days_weekday(day))) == 0)
			continue;
		if (day_first(s, day, t, slot, &at, &k) == -1)
			continue;
		if (!found || at < f->at || (at == f->at && k < f->slot)) {
			f->at = at;
			f->day = day;
			f->session = idx;
			f->slot = k;
			found = true;
		}
	}
	return (found ? 0 : -1);
}

/* Restores the heap after the entry at i got larger. */
static void
heap_down(struct sched *sc, size_t i)
{
	struct firing	 tmp;

	for (;;) {
		size_t	 l = 2 * i + 1, r = l + 1, m = i;

		if (l < sc->n && firing_before(&sc->h[l], &sc->h[m]))
			m = l;
		if (r < sc->n && firing_before(&sc->h[r], &sc->h[m]))
			m = r;
		if (m == i)
			break;
		tmp = sc->h[i];
		sc->h[i] = sc->h[m];
		sc->h[m] = tmp;
		i = m;
	}
}

/* Fills the heap from scratch, so a rebase cannot leave stale entries. */
static void
sched_fill(struct sched *sc, time_t now)
{
	struct firing	 f;

	sc->n = 0;
	for (size_t i = 0; i < sc->r->nsessions; i++) {
		if (sched_next(&sc->r->sessions[i], i, now, SIZE_MAX, &f) == -1)
			continue;
		sc->h[sc->n++] = f;
	}
	/* Floyd's construction: O(n) rather than n pushes. */
	for (size_t i = sc->n / 2; i-- > 0;)
		heap_down(sc, i);
}

/* One slot per session is enough: each has at most one pending firing. */
struct sched *
sched_new(const struct routine *r, time_t now)
{
	struct sched	*sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return (NULL);
	sc->r = r;
	sc->cap = r->nsessions;
	if (sc->cap > 0 && (sc->h = calloc(sc->cap, sizeof(*sc->h))) == NULL) {
		free(sc);
		return (NULL);
	}
	sched_fill(sc, now);
	return (sc);
}

/* Frees the heap only; the routine belongs to the caller. */
void
sched_free(struct sched *sc)
{
	if (sc == NULL)
		return;
	free(sc->h);
	free(sc);
}

/* The top of the heap is always the next thing due. */
const struct firing *
sched_peek(const struct sched *sc)
{
	if (sc->n == 0)
		return (NULL);
	return (&sc->h[0]);
}

/* Replaces the top by that session's following firing, or drops it. */
void
sched_advance(struct sched *sc)
{
	struct firing	 f, *top;

	if (sc->n == 0)
		return;
	top = &sc->h[0];
	if (sched_next(&sc->r->sessions[top->session], top->session, top->at,
	    top->slot, &f) == 0)
		*top = f;
	else
		sc->h[0] = sc->h[--sc->n];
	if (sc->n > 0)
		heap_down(sc, 0);
}

/* After a clock step every pending firing may be wrong, so start over. */
void
sched_rebase(struct sched *sc, time_t now)
{
	sched_fill(sc, now);
}

/* The agenda is the heap drained n times, so it matches what calfd does. */
ssize_t
sched_agenda(const struct routine *r, time_t from, struct firing *out,
    size_t n)
{
	struct sched		*sc;
	const struct firing	*f;
	size_t			 i;

	if ((sc = sched_new(r, from)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	for (i = 0; i < n && (f = sched_peek(sc)) != NULL; i++) {
		out[i] = *f;
		sched_advance(sc);
	}
	sched_free(sc);
	return ((ssize_t)i);
}
