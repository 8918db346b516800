/*
 * errlist.h: a growing list of error messages, so a parser can report every
 * error instead of the first. Messages are "FILE:LINE: what is wrong".
 */
#ifndef CALF_ERRLIST_H
#define CALF_ERRLIST_H

#include <stddef.h>
#include <stdio.h>

struct errlist {
	char	**msgs;
	size_t	  n;
	size_t	  cap;
};

void	errlist_init(struct errlist *);
void	errlist_free(struct errlist *);
/* Appends one formatted message; on allocation failure keeps a fixed one. */
void	errlist_add(struct errlist *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Writes each message on its own line. */
void	errlist_print(const struct errlist *, FILE *);

/* A malloc'd formatted message, the way causes travel to callers (NULL
 * when memory runs out; callers then fall back to a fixed message). */
char	*msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
