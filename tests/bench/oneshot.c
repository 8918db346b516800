/*
 * oneshot.c: the least a client of calfd can do, for `make bench` to put
 * beside `calfctl status`: connect, send one request line, read one reply
 * line, exit. Usage: oneshot SOCKET [REQUEST]
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
	const char		*req = "{\"command\":[\"status\"]}\n";
	char			 buf[65536];
	ssize_t			 n;
	int			 fd;

	if (argc < 2 || strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "usage: oneshot SOCKET [REQUEST]\n");
		return (2);
	}
	if (argc > 2)
		req = argv[2];
	strcpy(sun.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		perror(argv[1]);
		return (1);
	}
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return (1);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (memchr(buf, '\n', (size_t)n) != NULL)
			return (0);
	return (1);
}
