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

static void
test_plain_duration(void **state)
{
	struct session	s = { .dur_min = 900, .dur_max = 900 };

	(void)state;
	assert_int_equal(run_next_mark(&s, 0), 900);
	assert_int_equal(run_next_mark(&s, 899), 900);
	/* Past the end the end is still the answer: the tick finishes it. */
	assert_int_equal(run_next_mark(&s, 950), 900);
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
	assert_int_equal(run_next_mark(&s, 0), 60);
	assert_int_equal(run_next_mark(&s, 59), 60);
	assert_int_equal(run_next_mark(&s, 60), 120);
	assert_int_equal(run_next_mark(&s, 839), 840);
	assert_int_equal(run_next_mark(&s, 1499), 1500);
	assert_int_equal(run_next_mark(&s, 1500), 1560);
	assert_int_equal(run_next_mark(&s, 1740), 1800);
	/* Walking the marks visits every minute, 840 once, and the ends. */
	while ((m = run_next_mark(&s, m)) < s.dur_max)
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
	assert_int_equal(run_next_mark(&s, 0), 7);
	assert_int_equal(run_next_mark(&s, 7), 14);
	assert_int_equal(run_next_mark(&s, 14), 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_duration),
		cmocka_unit_test(test_range_and_cues),
		cmocka_unit_test(test_every_not_dividing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
