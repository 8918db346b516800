/*
 * routine_parse.c: routine.ini text into a struct routine, or into a list of
 * every error found, each "FILE:LINE: what is wrong; what would be right".
 *
 * libinih does the INI splitting, but reads through our own line reader
 * (routine_read.c), and hands each KEY = VALUE to the handler that the key
 * table drives (routine_keys.c). This file holds what spans lines: the
 * entry point, the list of errors, and the sections, which the reader opens
 * and closes and which get their defaults and whole-section checks here.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "common/routine.h"
#include "common/routine_int.h"
#include "common/routine_pool.h"
#include "common/timeutil.h"

#define DEFAULT_REMIND	(5 * 60)
#define DEFAULT_WINDOW	(60 * 60)
#define DEFAULT_SNOOZE	(10 * 60)

/* Records one error; the list is sorted by line before the caller sees it. */
void
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list		 ap;
	char		*msg;
	struct perror	*e;
	size_t		 cap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		p->oom = true;
		return;
	}
	if (p->nerrs == p->caperrs) {
		cap = p->caperrs == 0 ? 8 : p->caperrs * 2;
		e = reallocarray(p->errs, cap, sizeof *e);
		if (e == NULL) {
			free(msg);
			p->oom = true;
			return;
		}
		p->errs = e;
		p->caperrs = cap;
	}
	e = &p->errs[p->nerrs];
	e->line = line;
	e->seq = p->nerrs;
	e->msg = msg;
	p->nerrs++;
}

/* Errors print in file order, whichever check found them first. */
static int
perror_cmp(const void *a, const void *b)
{
	const struct perror	*x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* strdup into the routine's pool that turns failure into an error. */
char *
pstrdup(struct parser *p, const char *s)
{
	char	*t;

	if ((t = pool_strdup(p->r->pool, s)) == NULL)
		p->oom = true;
	return (t);
}

/* pool_alloc that turns failure into an error. */
void *
palloc(struct parser *p, size_t size)
{
	void	*m;

	if ((m = pool_alloc(p->r->pool, size)) == NULL)
		p->oom = true;
	return (m);
}

/* Turns every/between into the day's firing times. */
static void
expand_every(struct parser *p, struct session *s)
{
	size_t	 n = 0;
	int	*t;

	for (int64_t x = s->between_start; x <= s->between_end; x += s->every)
		n++;
	if (n > ROUTINE_MAX_TIMES) {
		perr(p, p->keyline[K_EVERY], "`every` gives %zu times a day, "
		    "more than %d; use a longer step", n, ROUTINE_MAX_TIMES);
		return;
	}
	if ((t = palloc(p, n * sizeof *t)) == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		t[i] = (int)(s->between_start + (int64_t)i * s->every);
	s->times = t;
	s->ntimes = n;
	s->times_line = p->keyline[K_EVERY];
}

/* The checks that need the whole section: required and conflicting keys. */
static void
end_session(struct parser *p)
{
	struct session	*s = cur(p);
	char		 b1[32], b2[32];
	int		 la = p->keyline[K_AT], le = p->keyline[K_EVERY];

	if (p->nkeys == 0 && !p->refused) {
		perr(p, p->sline, "[%s] is empty; a session needs at least "
		    "`duration`, and `at` or `every` to be timed", p->sname);
		return;
	}
	if (p->nsession_keys == 0 && p->ncalfd_keys > 0) {
		perr(p, p->sline, "unknown section [%s]; global settings go "
		    "in [calfd]", p->sname);
		return;
	}
	/* A refused line may have held the duration; do not guess. */
	if (p->keyline[K_DURATION] == 0 && !p->refused)
		perr(p, p->sline, "[%s] has no `duration`; every session "
		    "needs one, like duration = 15m", p->sname);
	if (la != 0 && le != 0)
		perr(p, la > le ? la : le, "`at` and `every` cannot both be "
		    "set (`%s` is at line %d); use `at` for fixed times or "
		    "`every` for an interval", la > le ? "every" : "at",
		    la > le ? le : la);
	else if (p->keyline[K_BETWEEN] != 0 && le == 0)
		perr(p, p->keyline[K_BETWEEN], "`between` needs `every`; add "
		    "a step like every = 2h, or use `at` for fixed times");
	else if (le != 0 && p->keyok[K_EVERY] &&
	    (p->keyline[K_BETWEEN] == 0 || p->keyok[K_BETWEEN]))
		expand_every(p, s);
	if (p->keyok[K_DURATION]) {
		for (size_t i = 0; i < s->ncues; i++) {
			struct cue	*c = &s->cues[i];
			int64_t		 d = c->every ? c->every : c->at;

			if (d < s->dur_max)
				continue;
			perr(p, c->line, "cue %s %s is beyond the session's %s "
			    "duration; cues fall inside the session",
			    c->every ? "every" : "at",
			    dur_format(d, b1, sizeof b1),
			    dur_format(s->dur_max, b2, sizeof b2));
		}
	}
	if (s->title == NULL)
		s->title = s->name;	/* shared; routine_free knows */
}

/* Closes the section being read before the next header or at the end. */
void
end_section(struct parser *p)
{
	if (p->kind == SECT_SESSION)
		end_session(p);
	p->kind = SECT_SKIP;
}

/* A session name is safe in a socket message and a file name. */
bool
routine_name_valid(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > ROUTINE_MAX_NAME)
		return (false);
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return (false);
	for (size_t i = 0; i < n; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return (false);
	}
	return (true);
}

/* Opens a new section: [calfd] or a session, which gets its defaults here. */
void
begin_section(struct parser *p, const char *name)
{
	struct session	*s;
	size_t		 cap;

	end_section(p);
	memset(p->keyline, 0, sizeof p->keyline);
	memset(p->keyok, 0, sizeof p->keyok);
	p->nkeys = p->nsession_keys = p->ncalfd_keys = 0;
	p->refused = false;
	p->sline = p->line;

	p->sname = "";		/* set below once the name is kept */
	if (strcmp(name, "calfd") == 0) {
		if (p->calfd_line != 0)
			perr(p, p->line, "[calfd] already appears at line %d; "
			    "give each section once", p->calfd_line);
		else
			p->calfd_line = p->line;
		p->kind = SECT_CALFD;
		p->sname = "calfd";
		return;
	}
	if (!routine_name_valid(name))
		perr(p, p->line, "[%s] is not a valid session name; use 1 to "
		    "%d of a-z, 0-9, _ and -, starting with a letter or digit",
		    name, ROUTINE_MAX_NAME);
	if (p->r->nsessions == ROUTINE_MAX_SESSIONS) {
		if (!p->too_many)
			perr(p, p->line, "more than %d sessions; a routine "
			    "holds at most %d, so the rest of the file is not "
			    "checked", ROUTINE_MAX_SESSIONS,
			    ROUTINE_MAX_SESSIONS);
		p->too_many = true;
		return;
	}
	if (p->r->nsessions == p->capsessions) {
		cap = p->capsessions == 0 ? 16 : p->capsessions * 2;
		if (p->capsessions == 0 && p->nheaders > cap)
			cap = p->nheaders;	/* the usual case: one step */
		if ((s = reallocarray(p->r->sessions, cap, sizeof *s)) == NULL) {
			p->oom = true;
			return;
		}
		p->r->sessions = s;
		p->capsessions = cap;
	}
	p->sidx = p->r->nsessions++;
	s = cur(p);
	memset(s, 0, sizeof *s);
	s->line = p->line;
	s->between_end = SECS_PER_DAY - 1;
	s->days = DAYS_ALL;
	s->start = START_MANUAL;
	s->remind = DEFAULT_REMIND;
	s->window = DEFAULT_WINDOW;
	if ((s->name = pstrdup(p, name)) == NULL)
		return;
	p->sname = s->name;
	p->kind = SECT_SESSION;
}

/* Sections given twice would make session names ambiguous: with the name
 * index sorted by name, then line, each repeat follows its first. */
static void
check_duplicates(struct parser *p)
{
	struct session	**ix = p->r->byname;
	size_t		  first = 0;

	for (size_t i = 1; ix != NULL && i < p->r->nsessions; i++) {
		if (strcmp(ix[i]->name, ix[first]->name) != 0) {
			first = i;
			continue;
		}
		perr(p, ix[i]->line, "[%s] already appears at line %d; give "
		    "each section once", ix[i]->name, ix[first]->line);
	}
}

/* Counts the lines that start a section, to size the sessions at once. */
static size_t
count_headers(const char *buf, size_t len)
{
	const char	*s = buf, *end = buf + len, *nl;
	size_t		 n = 0;

	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s == '[')
			n++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			break;
		s = nl + 1;
	}
	return (n < ROUTINE_MAX_SESSIONS ? n : ROUTINE_MAX_SESSIONS);
}

/* The parser's entry point: bytes in, a routine or every error out. */
struct routine *
routine_parse(const char *buf, size_t len, const char *source,
    struct errlist *errs)
{
	struct parser	 p;
	struct routine	*r;
	int		 rc;

	memset(&p, 0, sizeof p);
	p.buf = buf;
	p.len = len;
	p.source = source;
	p.kind = SECT_NONE;
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->source = strdup(source)) == NULL ||
	    (r->pool = pool_new()) == NULL) {
		if (r != NULL)
			free(r->source);
		free(r);
		errlist_add(errs, "%s: out of memory", source);
		return (NULL);
	}
	r->snooze = DEFAULT_SNOOZE;
	p.r = r;
	p.nheaders = count_headers(buf, len);

	rc = ini_parse_stream(routine_reader, &p, routine_handler, &p);
	if (p.nerrs >= ROUTINE_MAX_ERRORS) {
		perr(&p, p.line, "%zu errors by this line; the rest of the file "
		    "was not checked. Is this a routine file?", p.nerrs);
	} else {
		end_section(&p);
		if (!p.oom && routine_index(r) == -1)
			p.oom = true;
		check_duplicates(&p);
	}
	if (rc != 0 && p.nerrs == 0)
		perr(&p, rc > 0 ? rc : 0, "the INI parser failed (%d)", rc);
	if (p.nerrs == 0 && !p.oom && r->nsessions == 0)
		perr(&p, p.line > 0 ? p.line : 1, "the routine has no sessions; "
		    "add one like [ankle-circles] with duration = 15m, or "
		    "remove the file to use the built-in routine");

	if (p.nerrs > 1)
		qsort(p.errs, p.nerrs, sizeof *p.errs, perror_cmp);
	for (size_t i = 0; i < p.nerrs; i++) {
		errlist_add(errs, "%s:%d: %s", source, p.errs[i].line,
		    p.errs[i].msg);
		free(p.errs[i].msg);
	}
	if (p.nerrs == 0 && !p.oom && r->nsessions < p.capsessions) {
		/* Give back the slack of the growth; the index moves along. */
		struct session	*s = reallocarray(r->sessions, r->nsessions,
				     sizeof *s);

		if (s != NULL && s != r->sessions) {
			r->sessions = s;
			if (routine_index(r) == -1)
				p.oom = true;
		}
	}
	if (p.oom)
		errlist_add(errs, "%s: out of memory", source);
	free(p.errs);
	if (p.nerrs != 0 || p.oom) {
		routine_free(r);
		return (NULL);
	}
	return (r);
}
