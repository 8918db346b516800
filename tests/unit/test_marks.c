/*
 * test_marks.c: the marks of a running session (cues, minimum, end), which
 * run.c computes lazily instead of expanding every repeating cue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/engine_int.h"

/* The marks of a run of s that was never extended. */
static int64_t
next_of(struct session *s, int64_t after)
{
	struct run	r = { .s = s };

	return run_next_mark(&r, after);
}

static void
test_plain_duration(void **state)
{
	struct session	s = { .dur_min = 900, .dur_max = 900 };

	(void)state;
	assert_int_equal(next_of(&s, 0), 900);
	assert_int_equal(next_of(&s, 899), 900);
	/* Past the end the end is still the answer: the tick finishes it. */
	assert_int_equal(next_of(&s, 950), 900);
}

static void
test_range_and_cues(void **state)
{
	struct cue	cues[] = {
		{ .at = 0, .every = 60, .text = "switch" },
		{ .at = 840, .every = 0, .text = "one more minute" },
	};
	struct session	s = { .dur_min = 1500, .dur_max = 1800, .cues = cues,
	    .ncues = 2 };
	int64_t		m = 0, n = 0;

	(void)state;
	assert_int_equal(next_of(&s, 0), 60);
	assert_int_equal(next_of(&s, 59), 60);
	assert_int_equal(next_of(&s, 60), 120);
	assert_int_equal(next_of(&s, 839), 840);
	assert_int_equal(next_of(&s, 1499), 1500);
	assert_int_equal(next_of(&s, 1500), 1560);
	assert_int_equal(next_of(&s, 1740), 1800);
	/* Walking the marks visits every minute, 840 once, and the ends. */
	while ((m = next_of(&s, m)) < s.dur_max)
		n++;
	assert_int_equal(m, 1800);
	assert_int_equal(n, 29);	/* 60..1740 step 60 = 29 marks; 840 and
					   1500 coincide with the minute grid */
}

static void
test_every_not_dividing(void **state)
{
	struct cue	cues[] = { { .every = 7, .text = "x" } };
	struct session	s = { .dur_min = 20, .dur_max = 20, .cues = cues,
	    .ncues = 1 };

	(void)state;
	assert_int_equal(next_of(&s, 0), 7);
	assert_int_equal(next_of(&s, 7), 14);
	assert_int_equal(next_of(&s, 14), 20);
}

/* An extension moves the end, and the minimum when it was moved too; the
 * cues keep their offsets, so one past the old end becomes a mark. */
static void
test_extended(void **state)
{
	struct cue	c = { .every = 60 };
	struct session	s = { .dur_min = 600, .dur_max = 900, .cues = &c,
	    .ncues = 1 };
	struct run	r = { .s = &s, .extra_s = 300, .extra_min_s = 300 };

	(void)state;
	assert_int_equal(run_dur_max(&r), 1200);
	assert_int_equal(run_dur_min(&r), 900);
	assert_int_equal(run_next_mark(&r, 880), 900);
	assert_int_equal(run_next_mark(&r, 900), 960);
	assert_int_equal(run_next_mark(&r, 1140), 1200);
	r.extra_min_s = 0;	/* extended after the minimum was said */
	assert_int_equal(run_dur_min(&r), 600);
	assert_int_equal(run_next_mark(&r, 1190), 1200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_duration),
		cmocka_unit_test(test_range_and_cues),
		cmocka_unit_test(test_every_not_dividing),
		cmocka_unit_test(test_extended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
