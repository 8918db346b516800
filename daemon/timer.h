/*
 * timer.h: a timer owned by whatever it times, with an absolute deadline on
 * one clock. Wall deadlines (calendar instants) run on CLOCK_REALTIME with
 * TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, so a clock step is noticed at
 * once; elapsed deadlines (a running soak, a snooze, a reminder) run on
 * CLOCK_BOOTTIME, which keeps counting while the machine sleeps.
 *
 * The two kinds of instant are distinct types so they cannot be mixed.
 */
#ifndef CALF_TIMER_H
#define CALF_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

typedef struct { int64_t us; } wall_t;	/* CLOCK_REALTIME, since the epoch */
typedef struct { int64_t us; } boot_t;	/* CLOCK_BOOTTIME, since boot */

wall_t	wall_now(void);
boot_t	boot_now(void);

struct timer {
	int		 fd;
	struct event	*ev;
	bool		 wall;		/* CLOCK_REALTIME, else CLOCK_BOOTTIME */
	bool		 armed;
	int64_t		 deadline_us;
	void		(*cb)(void *);
	void		*arg;
};

/* Called when any wall timer sees the clock stepped (ECANCELED). */
void	timer_set_step_handler(void (*)(void *), void *);

int	timer_init_wall(struct timer *, struct event_base *, void (*)(void *),
	    void *);
int	timer_init_boot(struct timer *, struct event_base *, void (*)(void *),
	    void *);
void	timer_at_wall(struct timer *, wall_t);
void	timer_at_boot(struct timer *, boot_t);
void	timer_clear(struct timer *);
void	timer_free(struct timer *);

/* A wall timer armed at the end of time, which only ever reports clock
 * steps: it keeps them noticed when no calendar deadline is armed. */
int	timer_init_step_watch(struct timer *, struct event_base *);

#endif
