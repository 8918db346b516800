/*
 * hook.h: `hook = /absolute/path` in [calfd]: an executable run for every
 * event, for whatever calfd does not do itself (a sound, a phone push, a
 * smart plug). It is an event sink; the hook runs in the background.
 */
#ifndef CALF_HOOK_H
#define CALF_HOOK_H

#include <event2/event.h>

struct engine;

void	hook_init(struct event_base *, struct engine *);
/* Kills the hooks still running (their process groups) and reaps them. */
void	hook_shutdown(void);

#endif
