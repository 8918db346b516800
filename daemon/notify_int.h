/*
 * notify_int.h: the insides of desktop notifications, shared by notify.c
 * (the model: one slot per session, bubbles, the flush once per loop turn,
 * the buttons' way into the engine) and notify_bus.c (the conversation
 * with the notification server, below it). The model calls down into the
 * bus side; the bus side reports up only through the notify_up hooks the
 * model hands it, so it knows nothing of slots, the engine or the routine.
 * Nothing else includes this.
 */
#ifndef CALF_NOTIFY_INT_H
#define CALF_NOTIFY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <systemd/sd-bus.h>

#include "daemon/notify_text.h"

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

/* What the server side tells the model (notify.c hands these in). */
struct notify_up {
	/* No server, or a new one: every bubble's id means nothing now. */
	void	(*forget_ids)(void);
	/* A server answered GetCapabilities: show what is still wanted. */
	void	(*appeared)(void);
	/* Notify came back for b: b->id is the server's id, or 0 when it
	 * failed; b->call is clear again. */
	void	(*answered)(struct bubble *b);
	/* A button pressed on the bubble the server calls id. */
	void	(*button)(uint32_t id, const char *key);
	/* The bubble the server calls id left the screen: not an answer. */
	void	(*closed)(uint32_t id);
};

/* notify_bus.c */
/* Follows the server on bus (the signal matches are added once, for the
 * bus's life) and asks it what it can do; -1 when it cannot watch. */
int			 notify_bus_start(sd_bus *, const struct notify_up *);
/* No more asking or showing (notify = none, or calfd stops). */
void			 notify_bus_stop(void);
enum server		 notify_server(void);
const struct nt_caps	*notify_caps(void);
void			 notify_ask_caps(void);
/* Sends b, with the k items it shows, in place of b->id (a Notify in
 * flight is followed by another once it answers). */
void			 notify_bubble_send(struct bubble *b,
			    const struct nt_item **items, size_t k);
void			 notify_send_close(uint32_t id);

#endif
