/*
 * timer.h: timers owned by whatever they time, each with an absolute
 * deadline on one clock. Wall deadlines (calendar instants) run on
 * CLOCK_REALTIME with TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, so a
 * clock step is noticed at once; elapsed deadlines (a running soak, a
 * snooze, a reminder) run on CLOCK_BOOTTIME, which keeps counting while the
 * machine sleeps.
 *
 * However many timers there are, calfd uses two timerfds: each clock keeps
 * its armed timers in a min-heap and its timerfd set to the earliest
 * deadline, so ten thousand sessions cost no file descriptors. The wall
 * timerfd stays armed (at the end of time when nothing is due) so clock
 * steps are always seen; with nothing due, nothing wakes up. A timerfd is
 * set only when its earliest deadline moved, and once per dispatch: the
 * timers a firing runs, clears and arms cost at most one call per clock.
 *
 * The two kinds of instant are distinct types so they cannot be mixed.
 */
#ifndef CALF_TIMER_H
#define CALF_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

typedef struct { int64_t us; } wall_t;	/* CLOCK_REALTIME, since the epoch */
typedef struct { int64_t us; } boot_t;	/* CLOCK_BOOTTIME, since boot */

wall_t	wall_now(void);
boot_t	boot_now(void);

struct timer_clock;

struct timer {
	struct timer_clock *clk;
	size_t		 slot;		/* heap index, SIZE_MAX when not armed */
	int64_t		 deadline_us;
	void		(*cb)(void *);
	void		*arg;
};

/* Sets up the two clocks on the loop; reports clock steps to fn(arg). */
int	timers_init(struct event_base *, void (*fn)(void *), void *arg);
void	timers_shutdown(void);

void	timer_init_wall(struct timer *, void (*)(void *), void *);
void	timer_init_boot(struct timer *, void (*)(void *), void *);
void	timer_at_wall(struct timer *, wall_t);
void	timer_at_boot(struct timer *, boot_t);
bool	timer_armed(const struct timer *);
/* Disarms; safe on a timer never armed. */
void	timer_clear(struct timer *);

/*
 * A fake clock for tests: timers_fake(), called before timers_init(),
 * makes wall_now() and boot_now() return instants that move only when the
 * test moves them, and uses no timerfd. Nothing else changes, so the engine
 * runs a whole day in a few milliseconds exactly as it would in real time.
 */
void	timers_fake(wall_t, boot_t);
/* Both clocks forward by us (the machine awake), running every timer that
 * falls due on the way, each at its own instant, in deadline order. */
void	timers_advance(int64_t us);
/* The wall clock alone moves by us (either way), and the step is reported
 * to the function given to timers_init(). */
void	timers_step(int64_t us);

#endif
