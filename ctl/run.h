/*
 * run.h: carrying out calfctl's commands and telling how it went.
 */
#ifndef CALF_CTL_RUN_H
#define CALF_CTL_RUN_H

#include <stdbool.h>
#include <sysexits.h>

#include "ctl/client.h"
#include "ctl/human.h"

#define EXIT_REFUSED	1		/* calfd said no */
#define EXIT_USAGE	2		/* our caller got it wrong */
#define EXIT_NODAEMON	EX_UNAVAILABLE	/* 69: calfd not reachable */
#define EXIT_NOTSAVED	EX_TEMPFAIL	/* 75: done, but not on disk */

struct ctl_opts {
	const char	*socket;	/* -s, or NULL */
	bool		 json;		/* -j: data as one JSON line */
	int		 timeout_ms;	/* $CALFCTL_TIMEOUT */
	struct out	 out;		/* colour, UTF-8 */
};

/* "calfctl: ..." on stderr, stdout flushed first so the order holds. */
void	warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit status after flushing stdout; a vanished reader is no error. */
int	finish(int status);

/* Says why calfd could not be reached; returns 69. */
int	run_unreachable(const struct client *);

/* Sends name with argv, prints the reply; returns the exit status. */
int	run_command(struct client *, const struct ctl_opts *,
	    const char *name, printer_fn, int argc, char **argv);

/* Subscribes and prints events until calfd goes away (returns 69). */
int	run_watch(struct client *, const struct ctl_opts *);

/* calfctl's version, and calfd's at path (may be NULL) if it answers. */
int	run_version(const struct ctl_opts *, const char *path);

#endif
