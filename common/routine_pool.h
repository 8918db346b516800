/*
 * routine_pool.h: where a parsed routine keeps its strings and time lists.
 * They live in a few large blocks owned by the routine, mapped straight from
 * the kernel, so freeing a routine (the old one after a reload) gives all of
 * that memory back at once instead of leaving thousands of small holes in
 * the heap, and each string costs its length rather than a malloc chunk.
 */
#ifndef CALF_ROUTINE_POOL_H
#define CALF_ROUTINE_POOL_H

#include <stddef.h>

struct pool;

struct pool	*pool_new(void);
/* size bytes aligned for any scalar, or NULL when out of memory. Strings
 * from pool_strdup are packed without alignment. */
void		*pool_alloc(struct pool *, size_t size);
char		*pool_strdup(struct pool *, const char *);
/* Gives back every block; NULL is fine. */
void		 pool_free(struct pool *);

#endif
