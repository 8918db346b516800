/*
 * bench_sched.c: what choosing the next due session costs as a routine
 * grows, measured against two baselines taken in the same run (these
 * machines are shared and noisy, so only ratios mean anything):
 *   - localtime_r(): the floor; the rule cannot cost less than one zone
 *     look-up per firing;
 *   - a linear scan over every session's next firing: what the heap saves.
 *
 * Usage: bench_sched [ZONE]  (default Europe/Berlin)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/routine.h"
#include "common/sched.h"
#include "common/timeutil.h"

#define START	1774735200	/* 2026-03-28T22:00:00Z, before a DST gap */

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* n sessions, each with two times spread over the day, all daily. */
static struct routine *
make_routine(size_t n)
{
	struct routine	*r = calloc(1, sizeof *r);

	r->sessions = calloc(n, sizeof *r->sessions);
	r->nsessions = n;
	for (size_t i = 0; i < n; i++) {
		struct session	*s = &r->sessions[i];

		s->name = strdup("s");
		s->times = calloc(2, sizeof *s->times);
		s->times[0] = (int)((i * 7919) % 43200);
		s->times[1] = s->times[0] + 43200;
		s->ntimes = 2;
		s->days = DAYS_ALL;
		s->dur_min = s->dur_max = 60;
	}
	return r;
}

static void
free_routine(struct routine *r)
{
	for (size_t i = 0; i < r->nsessions; i++) {
		free(r->sessions[i].name);
		free(r->sessions[i].times);
	}
	free(r->sessions);
	free(r);
}

/* ns per localtime_r over instants a minute apart. */
static double
bench_localtime(size_t iters)
{
	struct tm	tm;
	volatile int	sink = 0;
	double		t0 = now_s();

	for (size_t i = 0; i < iters; i++) {
		time_t	t = START + (time_t)i * 60;
		localtime_r(&t, &tm);
		sink += tm.tm_min;
	}
	(void)sink;
	return (now_s() - t0) * 1e9 / iters;
}

/* ns per firing taken from the heap (pop + that session's next). */
static double
bench_heap(const struct routine *r, size_t firings)
{
	struct sched	*s = sched_new(r, START);
	double		 t0 = now_s();

	for (size_t i = 0; i < firings && sched_peek(s) != NULL; i++)
		sched_advance(s);
	t0 = now_s() - t0;
	sched_free(s);
	return t0 * 1e9 / firings;
}

/* ns per firing found by scanning every session's next firing. */
static double
bench_scan(const struct routine *r, size_t firings)
{
	struct firing	*next = calloc(r->nsessions, sizeof *next);
	double		 t0;

	for (size_t i = 0; i < r->nsessions; i++)
		sched_next(&r->sessions[i], i, START, SIZE_MAX, &next[i]);
	t0 = now_s();
	for (size_t k = 0; k < firings; k++) {
		size_t	best = 0;

		for (size_t i = 1; i < r->nsessions; i++)
			if (next[i].at < next[best].at)
				best = i;
		sched_next(&r->sessions[best], best, next[best].at,
		    next[best].slot, &next[best]);
	}
	t0 = now_s() - t0;
	free(next);
	return t0 * 1e9 / firings;
}

int
main(int argc, char **argv)
{
	const size_t	sizes[] = { 10, 100, 1000, 10000 };
	const size_t	firings = 20000;
	double		floor_ns;

	setenv("TZ", argc > 1 ? argv[1] : "Europe/Berlin", 1);
	tzset();
	sched_zone_changed();
	floor_ns = bench_localtime(200000);
	printf("zone %s; localtime_r floor: %.0f ns\n", getenv("TZ"), floor_ns);
	printf("%9s %14s %14s %12s %12s\n", "sessions", "heap ns/fire",
	    "scan ns/fire", "heap/floor", "scan/heap");
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct routine	*r = make_routine(sizes[k]);
		double		 h, s;

		sched_zone_changed();
		h = bench_heap(r, firings);
		sched_zone_changed();
		s = bench_scan(r, firings);
		printf("%9zu %14.0f %14.0f %12.1f %12.1f\n", sizes[k], h, s,
		    h / floor_ns, s / h);
		free_routine(r);
	}
	return 0;
}
