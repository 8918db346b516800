/*
 * stamp.c: prefixes each line read from stdin with the CLOCK_REALTIME
 * instant (epoch microseconds) it was read at, so `make bench` knows when an
 * external reader of `calfctl watch --json` received each event.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	char		 buf[65536];
	size_t		 have = 0;
	ssize_t		 n;
	struct timespec	 ts;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((n = read(0, buf + have, sizeof buf - 1 - have)) > 0) {
		char	*p = buf, *nl;
		int64_t	 t;

		clock_gettime(CLOCK_REALTIME, &ts);
		t = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		have += (size_t)n;
		while ((nl = memchr(p, '\n', have - (size_t)(p - buf))) != NULL) {
			printf("%" PRId64 "\t%.*s\n", t, (int)(nl - p), p);
			p = nl + 1;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
		if (have == sizeof buf - 1)
			have = 0;	/* a line too long to matter: dropped */
	}
	return (0);
}
