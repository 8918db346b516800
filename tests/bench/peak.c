/*
 * peak.c: runs a command and prints "WALL_MS CPU_MS MAXRSS_KB" for it alone,
 * for `make bench`'s scale part. A C parent keeps the child's peak RSS its
 * own (a child forked from Python starts with Python's pages counted), and
 * CPU time (user + system) is steadier than wall time on a busy machine.
 * The command's output goes to /dev/null. Usage: peak COMMAND [ARG...]
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double
ms(struct timeval tv)
{
	return (tv.tv_sec * 1e3 + tv.tv_usec / 1e3);
}

int
main(int argc, char **argv)
{
	struct timespec	 a, b;
	struct rusage	 ru;
	pid_t		 pid;
	int		 status, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: peak COMMAND [ARG...]\n");
		return (2);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == -1) {
		perror("fork");
		return (1);
	}
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("wait4");
		return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f %.3f %ld\n", (b.tv_sec - a.tv_sec) * 1e3 +
	    (b.tv_nsec - a.tv_nsec) / 1e6, ms(ru.ru_utime) + ms(ru.ru_stime),
	    ru.ru_maxrss);
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
}
