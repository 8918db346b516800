/*
 * run.h: carrying out calfctl's commands and telling how it went.
 */
#ifndef CALF_CTL_RUN_H
#define CALF_CTL_RUN_H

#include <stdarg.h>
#include <stdbool.h>
#include <sysexits.h>

#include "ctl/bar.h"
#include "ctl/client.h"
#include "ctl/human.h"

#define EXIT_REFUSED	1		/* calfd said no */
#define EXIT_USAGE	2		/* our caller got it wrong */
#define EXIT_NODAEMON	EX_UNAVAILABLE	/* 69: calfd not reachable */
#define EXIT_NOTSAVED	EX_TEMPFAIL	/* 75: done, but not on disk */

struct ctl_opts {
	const char	*socket;	/* -s, or NULL */
	bool		 json;		/* -j: data as one JSON line */
	enum bar_format	 format;	/* --format: for a status bar */
	bool		 reconnect;	/* watch --reconnect */
	int		 timeout_ms;	/* $CALFCTL_TIMEOUT */
	struct out	 out;		/* colour, UTF-8 */
};

/* "calfctl: ..." on stderr, stdout flushed first so the order holds. */
void	warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	vwarnmsg(const char *fmt, va_list) __attribute__((format(printf, 1, 0)));

/* The exit status after flushing stdout; a vanished reader is no error. */
int	finish(int status);

/* Says why calfd could not be reached; returns 69. */
int	run_unreachable(const struct client *);

/* Sends name with argv, prints the reply; returns the exit status. */
int	run_command(struct client *, const struct ctl_opts *,
	    const char *name, printer_fn, int argc, char **argv);

/* Whether a reply says success. */
bool	reply_ok(json_object *reply);
/* One JSON line on stdout. */
void	print_json(json_object *);
/* Tells a refusal (the whole reply with -j) and returns the exit status. */
int	refused(struct client *, const struct ctl_opts *, json_object *reply);

/* watch (ctl/watch.c): connects to path, subscribes and prints events,
 * or a bar's status on every change, until calfd goes away (69), or for
 * ever with --reconnect. */
int	run_watch(const char *path, const struct ctl_opts *);

/* calfctl's version, and calfd's at path (may be NULL) if it answers. */
int	run_version(const struct ctl_opts *, const char *path);

#endif
