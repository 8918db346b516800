/*
 * echo_server.c: a raw Unix-socket echo, the floor `make bench` puts beside
 * calfd's requests per second over one connection. Serves one connection at
 * a time, writing back every byte it reads. Usage: echo_server SOCKET
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	char			 buf[65536];
	ssize_t			 n;
	int			 lfd, fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "usage: echo_server SOCKET\n");
		return (2);
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(lfd, 16) == -1) {
		perror(argv[1]);
		return (1);
	}
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		while ((n = read(fd, buf, sizeof buf)) > 0)
			if (write(fd, buf, (size_t)n) != n)
				break;
		close(fd);
	}
}
