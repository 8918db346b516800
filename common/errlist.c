/*
 * errlist.c: collect every error a parser finds, then print them together.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/errlist.h"

/* Stands in for a message, or for the whole list, when memory runs out. */
static char	 oom_msg[] = "out of memory while recording errors";
static char	*oom_list[] = { oom_msg };

/* Starts empty so a list on the stack needs no allocation until an error. */
void
errlist_init(struct errlist *el)
{
	el->msgs = NULL;
	el->n = 0;
	el->cap = 0;
}

/* Frees every message but the static stand-ins for lost ones. */
void
errlist_free(struct errlist *el)
{
	if (el->msgs != oom_list) {
		for (size_t i = 0; i < el->n; i++) {
			if (el->msgs[i] != oom_msg)
				free(el->msgs[i]);
		}
		free(el->msgs);
	}
	errlist_init(el);
}

/* Never fails: when memory runs out the user still learns there were errors. */
void
errlist_add(struct errlist *el, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	char   **p;
	size_t	 cap;

	if (el->msgs == oom_list)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = oom_msg;
	va_end(ap);

	if (el->n == el->cap) {
		cap = el->cap == 0 ? 8 : el->cap * 2;
		p = reallocarray(el->msgs, cap, sizeof *el->msgs);
		if (p == NULL) {
			if (msg != oom_msg)
				free(msg);
			if (el->n == 0) {
				el->msgs = oom_list;
				el->n = el->cap = 1;
			} else {
				if (el->msgs[el->n - 1] != oom_msg)
					free(el->msgs[el->n - 1]);
				el->msgs[el->n - 1] = oom_msg;
			}
			return;
		}
		el->msgs = p;
		el->cap = cap;
	}
	el->msgs[el->n++] = msg;
}

/* One error a line, the shape editors and grep understand. */
void
errlist_print(const struct errlist *el, FILE *fp)
{
	for (size_t i = 0; i < el->n; i++)
		fprintf(fp, "%s\n", el->msgs[i]);
}

/* The one place a formatted cause is allocated. */
char *
msgf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	return s;
}
