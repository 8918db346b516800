/*
 * cmdtab.h: every control command, one row each, shared by calfd and
 * calfctl: its name, the grammar of its arguments, its usage and one line
 * of help. The arguments are parsed here once, into a typed struct
 * cmd_args, so both programs read durations, counts, "until HH:MM" and
 * session names the same way.
 *
 * Adding a command: a name in common/proto.h, a row in common/cmdtab.c, a
 * handler in daemon/commands.c and a printer in ctl/calfctl.c.
 */
#ifndef CALF_CMDTAB_H
#define CALF_CMDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/proto.h"

enum cmd_id {
	CMD_ID_STATUS,
	CMD_ID_AGENDA,
	CMD_ID_LIST,
	CMD_ID_SHOW,
	CMD_ID_START,
	CMD_ID_DONE,
	CMD_ID_STOP,
	CMD_ID_SKIP,
	CMD_ID_SNOOZE,
	CMD_ID_EXTEND,
	CMD_ID_PAUSE,
	CMD_ID_RESUME,
	CMD_ID_RELOAD,
	CMD_ID_VERSION,
	CMD_ID_WATCH,
	CMD_ID_HISTORY,
	CMD_ID_STATS,
	CMD_ID_CRAMP,
	CMD_ID_HELP,		/* calfctl only */
	CMD_ID__COUNT
};

/* The shapes arguments come in; each has one parser in cmdtab.c. */
enum cmd_grammar {
	GRAM_NONE,		/* no arguments */
	GRAM_COUNT,		/* [N] */
	GRAM_NAME,		/* NAME */
	GRAM_OPT_NAME,		/* [NAME] */
	GRAM_SNOOZE,		/* [NAME] [DURATION] */
	GRAM_EXTEND,		/* [NAME] DURATION */
	GRAM_PAUSE,		/* [DURATION | until HH:MM] */
	GRAM_COMMAND,		/* [COMMAND] */
	GRAM_HISTORY,		/* [--days N] [--session NAME] */
	GRAM_STATS,		/* [--days N] */
	GRAM_CRAMP,		/* [--at TIME] [--leg LEG] [--note TEXT] |
				 * test | result relieved|not-relieved */
};

#define CMDF_LOCAL	0x1	/* calfctl answers it; never sent to calfd */
#define CMDF_STREAM	0x2	/* the connection then receives events */

struct cmd_def {
	enum cmd_id	 id;
	const char	*name;		/* a CMD_* of proto.h */
	enum cmd_grammar grammar;
	const char	*about;		/* one line of help */
	unsigned	 flags;		/* CMDF_* */
};

#define CMD_COUNT_DEFAULT	10	/* agenda without N */
#define CMD_COUNT_MAX		1000
#define CMD_HISTORY_DAYS	7	/* history without --days */
#define CMD_HISTORY_DAYS_MAX	3660
#define CMD_STATS_DAYS		30	/* stats without --days */
#define CMD_STATS_DAYS_MAX	366	/* the scheduler walks every firing */
#define CMD_NOTE_MAX		200	/* bytes of a cramp's --note */

/* What a cramp command asks for. */
enum cmd_cramp {
	CRAMP_LOG,		/* cramp [--at TIME] [--leg LEG] [--note TEXT] */
	CRAMP_TEST,		/* cramp test */
	CRAMP_RESULT,		/* cramp result relieved|not-relieved */
};

/* The arguments of one command, parsed. Strings point into argv. */
struct cmd_args {
	const char	*name;		/* the session (or, for help, the
					 * command) named; NULL: none given */
	int64_t		 dur_s;		/* a DURATION given, > 0; 0: none */
	bool		 until;		/* "until HH:MM" given ... */
	int		 until_sod;	/* ... as seconds after midnight */
	size_t		 count;		/* N, or CMD_COUNT_DEFAULT */
	int		 days;		/* --days N, or the command's default */
	enum cmd_cramp	 cramp;
	bool		 relieved;	/* cramp result relieved */
	bool		 has_at;	/* cramp --at given: ... */
	int		 at_sod;	/* ... HH:MM as seconds after midnight,
					 * or -1: ... */
	int64_t		 at_s;		/* ... an instant, epoch seconds */
	const char	*leg;		/* LEG_*, or NULL */
	const char	*note;		/* one printable line, or NULL */
};

/* Whether a session called name exists; calfd asks its routine, calfctl
 * (which does not know the routine) says whether it could be one. */
typedef bool	(*cmd_is_session_fn)(const char *name, void *arg);

/* The row called name, or NULL. */
const struct cmd_def *cmdtab_find(const char *name);
/* The row of id (every id has one). */
const struct cmd_def *cmdtab_get(enum cmd_id);
/* The fewest and most arguments, and their usage ("[NAME] [DURATION]"). */
int		 cmdtab_min_args(const struct cmd_def *);
int		 cmdtab_max_args(const struct cmd_def *);
const char	*cmdtab_args(const struct cmd_def *);
/* "status, agenda, ..." (without local commands when sent is true). */
void		 cmdtab_names(bool sent, char *buf, size_t len);

/* Parses argv (the arguments after the command name) into *out. On error
 * returns RES_USAGE with a malloc'd *cause that says what is wrong (or
 * NULL when memory ran out). is_session may be NULL: then any well-formed
 * name counts as a session. */
enum result	 cmdtab_parse(const struct cmd_def *, int argc,
		     const char *const *argv, cmd_is_session_fn is_session,
		     void *arg, struct cmd_args *out, char **cause);

/* Whether word is one of the --word VALUE options of this row's grammar,
 * so calfctl passes it and its value on instead of reading it itself. */
bool		 cmdtab_has_option(const struct cmd_def *, const char *word);

/* Whether s reads as an attempt at a duration (digits and unit letters)
 * even if it is not a valid one, like "99999999h". */
bool		 cmd_looks_like_duration(const char *);
/* The parsers behind the grammars; each returns 0, or -1 and a malloc'd
 * *cause. */
int		 cmd_parse_count(const char *, size_t max, size_t *n,
		     char **cause);
int		 cmd_parse_duration(const char *, int64_t *secs, char **cause);
int		 cmd_parse_tod(const char *, int *sod, char **cause);

#endif
