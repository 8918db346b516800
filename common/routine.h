/*
 * routine.h: the routine model (what the user wrote in routine.ini) and its
 * parser. Parsing never reads the clock and never touches the daemon: it
 * turns bytes into a struct routine, or into a list of errors, each
 * "FILE:LINE: what is wrong and what would be right".
 *
 * The format is documented in config/routine.ini and doc/routine.md; the
 * keys are described once, in the table `keytab` in common/routine_keys.c;
 * the parser is split into routine_read.c (lines), routine_keys.c (keys and
 * their values) and routine_parse.c (sections), with routine.c holding the
 * model's lifetime and lookups; routine_file.h says where a routine comes
 * from (the file, the search order, the built-in routine).
 */
#ifndef CALF_ROUTINE_H
#define CALF_ROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errlist.h"

/* The longest line the reader accepts, without its newline. Longer lines are
 * refused with an error, never cut (Debian's libinih cuts at 200 bytes). */
#define ROUTINE_MAX_LINE	190
#define ROUTINE_MAX_NAME	64	/* session name, [a-z0-9_-] */
#define ROUTINE_MAX_SESSIONS	10000
#define ROUTINE_MAX_ERRORS	100	/* then the rest of the file is skipped */
#define ROUTINE_MAX_TIMES	1440	/* firing times per session and day */

enum start_mode {
	START_MANUAL,		/* the due prompt waits for the user */
	START_AUTO		/* the timer starts at the due instant */
};

/* Days of the week as a bitmask, bit n = tm_wday n (0 = Sunday). */
#define DAYS_ALL	0x7f
#define DAYS_WEEKDAYS	0x3e
#define DAYS_WEEKENDS	0x41

struct cue {
	int64_t	 at;		/* seconds after the start */
	int64_t	 every;		/* 0: once at `at`; else at every, 2*every... */
	char	*text;
	int	 line;
};

struct session {
	char		*name;		/* the section name */
	char		*title;		/* shown to the user; defaults to name */
	char		*prompt;	/* said when due; may be NULL */
	char		*finish;	/* said when it ends; may be NULL */
	int		 line;		/* line of the [section] header */

	/* When it is due. ntimes == 0: on demand only (calfctl start). */
	int		*times;		/* seconds after local midnight, sorted, unique */
	size_t		 ntimes;
	int		 times_line;	/* line of `at` or `every` */
	int64_t		 every;		/* interval sessions: the step, else 0 */
	int		 between_start;	/* interval sessions: first grid time */
	int		 between_end;	/* interval sessions: last grid time */
	uint8_t		 days;		/* DAYS_* bitmask */

	int64_t		 dur_min;	/* "you may finish" after this long */
	int64_t		 dur_max;	/* the session ends after this long */
	struct cue	*cues;
	size_t		 ncues;

	enum start_mode	 start;
	int64_t		 remind;	/* repeat the due prompt; 0: never */
	int64_t		 window;	/* missed this long after due */
	int		 temperature;	/* degrees Celsius, informational */
	bool		 has_temperature;
};

enum notify_mode {
	NOTIFY_DESKTOP,		/* desktop notifications where there is a bus */
	NOTIFY_NONE
};
struct pool;

struct routine {
	struct pool	*pool;		/* the parser's strings and times, freed
					   as one; NULL: each is malloc'd */
	char		*source;	/* file path, or "built-in" */
	bool		 builtin;	/* the copy compiled into calfd */
	struct session	*sessions;	/* in file order */
	size_t		 nsessions;
	struct session	**byname;	/* sorted by name, for routine_find;
					   NULL: search in file order */

	/* [calfd] */
	bool		 has_quiet;
	int		 quiet_start;	/* seconds after midnight */
	int		 quiet_end;
	int64_t		 snooze;	/* default snooze */
	enum notify_mode notify;
	char		*hook;		/* absolute path, or NULL; in the pool */
	int		 hook_line;
	int64_t		 hook_timeout;	/* seconds; 0: the default */
	char		*history;	/* history folder, absolute, or NULL; pool */
};

/* Parses a routine from memory; `source` names it in errors and in
 * routine->source. Returns NULL (and fills errs) on any error. */
struct routine	*routine_parse(const char *buf, size_t len, const char *source,
		     struct errlist *errs);
void		 routine_free(struct routine *);

/* Whether name may name a session (doc/routine.md): 1 to 64 of a-z 0-9 _ -,
 * starting with a letter or a digit. */
bool		 routine_name_valid(const char *name);

/* Adds "FILE:LINE: warning: ..." for what is valid but cannot be meant:
 * a time inside quiet hours whose window closes before they end. */
void		 routine_warnings(const struct routine *, struct errlist *warns);

/* (Re)builds r->byname after the sessions array is final; -1 on ENOMEM.
 * The parser calls it; a routine built by hand may skip it. */
int		 routine_index(struct routine *);

/* The session called name, or NULL: O(log n) once indexed. */
struct session	*routine_find(const struct routine *, const char *name);

/* Days as the user would write them: "daily", "weekdays", "mon,wed". */
void		 days_describe(uint8_t days, char *buf, size_t len);

/* One line describing a session, as `calfd --check-config` prints it:
 * "NAME  at 07:30 21:00  daily  15m". */
void		 session_describe(const struct session *, char *buf, size_t len);

#endif
