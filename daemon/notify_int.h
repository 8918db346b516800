/*
 * notify_int.h: the insides of desktop notifications, shared by notify.c
 * (the model: one slot per session, bubbles, the flush once per loop turn,
 * the buttons' way into the engine) and notify_bus.c (the conversation
 * with the notification server). Nothing else includes this.
 */
#ifndef CALF_NOTIFY_INT_H
#define CALF_NOTIFY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "daemon/notify_text.h"

#define N_NAME		"org.freedesktop.Notifications"
#define N_PATH		"/org/freedesktop/Notifications"
#define N_IFACE		"org.freedesktop.Notifications"

struct engine;

struct bubble {
	TAILQ_ENTRY(bubble) entry;
	uint32_t	 id;		/* the server's id; 0: not shown */
	sd_bus_slot	*call;		/* Notify in flight */
	bool		 again;		/* changed while in flight */
	bool		 dirty;		/* to send (or close) at the flush */
	int		 refs;		/* slots showing here */
};

struct slot {
	TAILQ_ENTRY(slot) entry;
	struct nt_item	 it;		/* what it says (notify_text.h) */
	struct bubble	*b;
	bool		 fresh;		/* a new prompt this turn */
	bool		 gone;		/* handled: goes at the flush */
};

enum server {
	SRV_NONE,	/* no bus, or notify = none */
	SRV_ASKING,	/* GetCapabilities in flight */
	SRV_ABSENT,
	SRV_PRESENT
};

struct notify_state {
	struct engine	*e;
	struct event	*flush;
	bool		 enabled;	/* notify = desktop and a session bus */
	bool		 watching;	/* the signal matches are added */
	enum server	 srv;
	bool		 told_absent;	/* said once per absence */
	struct nt_caps	 caps;
	TAILQ_HEAD(, bubble) bubbles;
	TAILQ_HEAD(, slot) slots;
};

extern struct notify_state ns;

/* notify.c */
void	notify_act(const char *key, const char *name);
void	notify_bubble_free(struct bubble *);
void	notify_schedule_flush(void);

/* notify_bus.c */
int	notify_bus_watch(sd_bus *);
void	notify_ask_caps(void);
void	notify_bubble_send(struct bubble *);
void	notify_send_close(uint32_t id);

#endif
