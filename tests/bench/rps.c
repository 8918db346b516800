/*
 * rps.c: requests per second over one connection, for `make bench`. Sends
 * one request line, waits for its reply line, again, for SECONDS (or until
 * killed, with 0), and prints "REQUESTS SECONDS". Against calfd's socket it
 * measures status requests; against echo_server the same bytes echoed back,
 * the floor of one Unix-socket round trip.
 * Usage: rps SOCKET SECONDS [REQUEST]
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Reads until one whole reply line is in; keeps nothing past it (one
 * request is outstanding at a time, so nothing follows it). */
static int
reply(int fd, char *buf, size_t len)
{
	ssize_t	 n;

	for (;;) {
		if ((n = read(fd, buf, len)) <= 0)
			return (-1);
		if (buf[n - 1] == '\n')
			return (0);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	const char		*req = "{\"command\":[\"status\"]}\n";
	static char		 buf[1 << 20];
	double			 secs, t0, t;
	uint64_t		 n = 0;
	size_t			 len;
	int			 fd;

	if (argc < 3 || strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "usage: rps SOCKET SECONDS [REQUEST]\n");
		return (2);
	}
	secs = atof(argv[2]);
	if (argc > 3)
		req = argv[3];
	len = strlen(req);
	strcpy(sun.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		perror(argv[1]);
		return (1);
	}
	t0 = t = now_s();
	while (secs == 0 || (t = now_s()) - t0 < secs) {
		if (write(fd, req, len) != (ssize_t)len ||
		    reply(fd, buf, sizeof buf) == -1) {
			perror("request");
			return (1);
		}
		n++;
	}
	printf("%llu %.6f\n", (unsigned long long)n, t - t0);
	return (0);
}
