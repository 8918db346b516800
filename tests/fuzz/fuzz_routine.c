/*
 * fuzz_routine.c: any bytes as a routine file; when they parse, the
 * scheduler runs over them (a heap of every session for two weeks of
 * firings, an agenda, and sched_next from odd instants), so a routine the
 * parser accepts can never crash or hang the scheduler either.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/sched.h"

#define START	((time_t)1764000000)	/* 2025-11-24, a fixed instant */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist		 errs;
	struct routine		*r;
	struct sched		*s;
	struct firing		 f, out[64];
	const struct firing	*p;
	time_t			 last = 0;

	errlist_init(&errs);
	r = routine_parse((const char *)data, size, "fuzz.ini", &errs);
	errlist_free(&errs);
	if (r == NULL)
		return 0;
	if ((s = sched_new(r, START)) != NULL) {
		for (int i = 0; i < 2000 && (p = sched_peek(s)) != NULL; i++) {
			if (p->at < last || p->at <= START)
				abort();	/* out of order, or in the past */
			last = p->at;
			if (p->at > START + 14 * 86400)
				break;
			sched_advance(s);
		}
		sched_rebase(s, START + 86400 * 3 + 1);
		sched_free(s);
	}
	if (sched_agenda(r, START, out, 64) < 0)
		abort();
	for (size_t i = 0; i < r->nsessions; i++) {
		sched_next(&r->sessions[i], i, START, SIZE_MAX, &f);
		sched_next(&r->sessions[i], i, (time_t)-86400 * 400, 0, &f);
		sched_next(&r->sessions[i], i, (time_t)253402300000LL,
		    SIZE_MAX, &f);
	}
	routine_free(r);
	return 0;
}
