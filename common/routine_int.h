/*
 * routine_int.h: the routine parser's insides, shared by routine_parse.c
 * (the entry point, the error list and the sections), routine_read.c (the
 * line reader that feeds inih) and routine_keys.c (the key table and its
 * value parsers). Nothing else includes this but the unit test, which checks
 * the key table against the docs.
 */
#ifndef CALF_ROUTINE_INT_H
#define CALF_ROUTINE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/routine.h"

enum sect_kind {
	SECT_NONE,		/* before the first header */
	SECT_CALFD,		/* [calfd], the global settings */
	SECT_SESSION,		/* any other name */
	SECT_SKIP		/* a broken header or too many sessions */
};

struct parser;

/* One key of the format: where it goes, what it takes, who checks it. */
struct keydef {
	enum sect_kind	 sect;
	const char	*name;
	const char	*form;		/* what a right value looks like */
	bool		 multi;		/* may be given more than once */
	int		(*set)(struct parser *, const struct keydef *,
			    const char *);
};

/* An error waiting to be sorted into line order. */
struct perror {
	int		 line;
	size_t		 seq;
	char		*msg;
};

#define NKEYS	19

/* Indexes into keytab[], and into keyline[] and keyok[] below. */
enum {
	K_QUIET, K_SNOOZE, K_TITLE, K_PROMPT, K_FINISH, K_AT, K_EVERY,
	K_BETWEEN, K_DAYS, K_DURATION, K_CUE, K_START, K_REMIND, K_WINDOW,
	K_TEMPERATURE, K_NOTIFY, K_HOOK, K_HOOK_TIMEOUT,
	K_HISTORY
};

struct parser {
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 line;		/* lines handed to inih so far */
	const char	*source;
	struct routine	*r;

	struct perror	*errs;
	size_t		 nerrs, caperrs;
	bool		 oom;

	int		 calfd_line;	/* the [calfd] header, 0: none yet */
	size_t		 nheaders;	/* lines starting with '[' */
	size_t		 capsessions;

	/* The section being read. */
	enum sect_kind	 kind;
	const char	*sname;
	int		 sline;
	size_t		 sidx;		/* index into r->sessions */
	int		 keyline[NKEYS];
	bool		 keyok[NKEYS];
	int		 nkeys;		/* key lines of any sort */
	int		 nsession_keys;
	int		 ncalfd_keys;
	bool		 refused;	/* a line here was refused */
	bool		 too_many;	/* already said so */
};

/* Every key there is (routine_keys.c). */
extern const struct keydef keytab[NKEYS];

/* The session the current section fills. */
static inline struct session *
cur(struct parser *p)
{
	return (&p->r->sessions[p->sidx]);
}

/* routine_parse.c */
void	perr(struct parser *, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
char	*pstrdup(struct parser *, const char *);
void	*palloc(struct parser *, size_t);
void	begin_section(struct parser *, const char *name);
void	end_section(struct parser *);

/* routine_read.c: inih's reader, an ini_reader. */
char	*routine_reader(char *str, int num, void *stream);

/* routine_keys.c: inih's handler, an ini_handler. */
int	 routine_handler(void *user, const char *section, const char *name,
	    const char *value);

#endif
