/*
 * routine_pool.c: a bump allocator over blocks from mmap(). Only touched
 * pages count in a process's memory, so a block larger than a small routine
 * needs costs nothing; munmap() returns a whole block to the kernel.
 */
#include <sys/mman.h>

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/routine_pool.h"

#define POOL_BLOCK	(256 * 1024)	/* a block's size, unless more is asked */

struct block {
	struct block	*next;
	size_t		 size;		/* of the mapping, this header included */
	size_t		 used;
};

struct pool {
	struct block	*head;		/* the block being filled */
};

struct pool *
pool_new(void)
{
	return (calloc(1, sizeof(struct pool)));
}

/* Maps a new block big enough for `need` bytes and makes it the head. */
static struct block *
pool_grow(struct pool *p, size_t need)
{
	struct block	*b;
	size_t		 size = POOL_BLOCK, hdr = sizeof *b;
	void		*m;

	hdr = (hdr + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (need > SIZE_MAX - hdr - 4096)
		return (NULL);
	if (need + hdr > size)
		size = (need + hdr + 4095) & ~(size_t)4095;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return (NULL);
	b = m;
	b->next = p->head;
	b->size = size;
	b->used = hdr;
	p->head = b;
	return (b);
}

/* Takes size bytes at an `al`-aligned offset (al a power of two). */
static void *
pool_take(struct pool *p, size_t size, size_t al)
{
	struct block	*b = p->head;
	size_t		 at;

	if (size > SIZE_MAX / 2)
		return (NULL);
	if (b != NULL) {
		at = (b->used + al - 1) & ~(al - 1);
		if (at <= b->size && b->size - at >= size) {
			b->used = at + size;
			return ((char *)b + at);
		}
	}
	if ((b = pool_grow(p, size)) == NULL)
		return (NULL);
	at = b->used;		/* the header keeps max_align_t alignment */
	b->used += size;
	return ((char *)b + at);
}

void *
pool_alloc(struct pool *p, size_t size)
{
	return (pool_take(p, size, alignof(max_align_t)));
}

char *
pool_strdup(struct pool *p, const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*t;

	if ((t = pool_take(p, n, 1)) != NULL)
		memcpy(t, s, n);
	return (t);
}

void
pool_free(struct pool *p)
{
	struct block	*b, *next;

	if (p == NULL)
		return;
	for (b = p->head; b != NULL; b = next) {
		next = b->next;
		munmap(b, b->size);
	}
	free(p);
}
