/*
 * tfd_floor.c: the lateness floor for `make bench`. Sleeps on an absolute
 * CLOCK_REALTIME timerfd to each deadline given (epoch microseconds, one per
 * argument or one per line on stdin) and prints how late it woke, in
 * microseconds, one line per deadline: what the kernel gives a program that
 * does nothing else, to compare calfd's fired_us - due_us with.
 */
#include <sys/timerfd.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* Sleeps until the deadline and says how late the wake-up was. */
static int
one(int fd, int64_t due)
{
	struct itimerspec	 its = { 0 };
	uint64_t		 n;

	its.it_value.tv_sec = due / 1000000;
	its.it_value.tv_nsec = (long)(due % 1000000) * 1000;
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		return (-1);
	while (read(fd, &n, sizeof n) == -1)
		if (errno != EINTR)
			return (-1);
	printf("%" PRId64 "\n", now_us() - due);
	return (0);
}

int
main(int argc, char **argv)
{
	char	 line[64];
	int	 fd;

	if ((fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC)) == -1) {
		perror("timerfd_create");
		return (1);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (one(fd, strtoll(argv[i], NULL, 10)) == -1)
				return (1);
		return (0);
	}
	while (fgets(line, sizeof line, stdin) != NULL)
		if (one(fd, strtoll(line, NULL, 10)) == -1)
			return (1);
	return (0);
}
