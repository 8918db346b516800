/*
 * client.c: calfctl's side of the control socket. Every wait has a deadline
 * unless the caller asks for none (watch), so calfctl never hangs.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/proto.h"
#include "ctl/client.h"

#define CLIENT_MAX_LINE	(16 * 1024 * 1024)	/* a sane bound on a reply */

/* Milliseconds on a clock that does not step, for deadlines. */
static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Records why we gave up, so the caller can say it once. */
static void
fail(struct client *c, enum client_fail f, int err, const char *what)
{
	c->fail = f;
	c->err = err;
	snprintf(c->what, sizeof c->what, "%s", what != NULL ? what : "");
}

/* Whoever listens on the socket sees our requests and is believed in what
 * it answers: only our own user or root may (a socket in a shared folder,
 * or a stale path, could be anyone's). */
static int
check_peer(struct client *c)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		fail(c, CLIENT_CONNECT, errno, NULL);
	} else if (cred.uid != geteuid() && cred.uid != 0) {
		c->peer_uid = (long)cred.uid;
		fail(c, CLIENT_PEER, 0, NULL);
	} else
		return (0);
	close(c->fd);
	c->fd = -1;
	return (-1);
}

/* A blocking connect bounded by SO_SNDTIMEO: Unix sockets honour it when the
 * listen backlog is full, and it also bounds our writes later. */
int
client_open(struct client *c, const char *path, int timeout_ms)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->path = path;
	c->timeout_ms = timeout_ms;
	c->next_id = 1;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fail(c, CLIENT_CONNECT, ENAMETOOLONG, NULL);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fail(c, CLIENT_CONNECT, errno, NULL);
		return (-1);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		int	 e = errno;

		close(c->fd);
		c->fd = -1;
		if (e == EAGAIN || e == EINPROGRESS || e == ETIMEDOUT)
			fail(c, CLIENT_TIMEOUT, ETIMEDOUT, NULL);
		else
			fail(c, CLIENT_CONNECT, e, NULL);
		return (-1);
	}
	return (check_peer(c));
}

void
client_close(struct client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

/* Writes all of a line; the send timeout set at connect bounds each write,
 * and MSG_NOSIGNAL turns a dead peer into EPIPE rather than a signal. */
static int
send_all(struct client *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t	 w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				fail(c, CLIENT_TIMEOUT, ETIMEDOUT, NULL);
			else
				fail(c, CLIENT_IO, errno, NULL);
			return (-1);
		}
		p += w;
		n -= (size_t)w;
	}
	return (0);
}

/* Lines are handed out from the front of the buffer; the consumed part is
 * removed at the next read so the pointer stays valid until then. */
const char *
client_read_line(struct client *c, int timeout_ms)
{
	int64_t		 deadline = timeout_ms < 0 ? 0 : mono_ms() + timeout_ms;
	char		*nl;

	if (c->used > 0) {
		memmove(c->buf, c->buf + c->used, c->len - c->used);
		c->len -= c->used;
		c->used = 0;
	}
	for (;;) {
		struct pollfd	 pfd = { .fd = c->fd, .events = POLLIN };
		ssize_t		 r;
		int		 wait = -1, n;

		if (c->len > 0 &&
		    (nl = memchr(c->buf, '\n', c->len)) != NULL) {
			if (memchr(c->buf, '\0', (size_t)(nl - c->buf)) != NULL) {
				fail(c, CLIENT_GARBAGE, 0,
				    "a line with a NUL byte");
				return (NULL);
			}
			*nl = '\0';
			c->used = (size_t)(nl - c->buf) + 1;
			if (nl > c->buf && nl[-1] == '\r')
				nl[-1] = '\0';
			return (c->buf);
		}
		if (c->len >= CLIENT_MAX_LINE) {
			fail(c, CLIENT_GARBAGE, 0, "a line over 16 MiB");
			return (NULL);
		}
		if (timeout_ms >= 0) {
			int64_t	 left = deadline - mono_ms();

			if (left <= 0) {
				fail(c, CLIENT_TIMEOUT, ETIMEDOUT, NULL);
				return (NULL);
			}
			wait = left > 1000000 ? 1000000 : (int)left;
		}
		n = poll(&pfd, 1, wait);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fail(c, CLIENT_IO, errno, NULL);
			return (NULL);
		}
		if (n == 0)
			continue;	/* the deadline check above decides */
		if (c->cap - c->len < 4096) {
			size_t	 ncap = c->cap == 0 ? 8192 : c->cap * 2;
			char	*nb = realloc(c->buf, ncap + 1);

			if (nb == NULL) {
				fail(c, CLIENT_IO, ENOMEM, NULL);
				return (NULL);
			}
			c->buf = nb;
			c->cap = ncap;
		}
		r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(c, CLIENT_IO, errno, NULL);
			return (NULL);
		}
		if (r == 0) {
			fail(c, CLIENT_EOF, 0, NULL);
			return (NULL);
		}
		c->len += (size_t)r;
	}
}

/* Only a whole JSON object counts; trailing bytes make it garbage. */
json_object *
client_parse(const char *line)
{
	json_tokener	*tok;
	json_object	*o;
	size_t		 n = strlen(line), end;

	if ((tok = json_tokener_new()) == NULL)
		return (NULL);
	o = json_tokener_parse_ex(tok, line, (int)n);
	end = json_tokener_get_parse_end(tok);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success)
		while (end < n && (line[end] == ' ' || line[end] == '\t'))
			end++;
	if (o == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success || end != n ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return (o);
}

/* Sends one request and waits for the reply that carries its request_id;
 * events and stale replies met on the way are passed on or dropped. */
json_object *
client_request(struct client *c, const char *const *argv, int argc,
    bool bare, client_event_fn fn, void *arg)
{
	json_object	*req, *cmd, *reply, *v;
	const char	*s, *line;
	char		*out;
	int64_t		 id = c->next_id++;
	int64_t		 deadline = mono_ms() + c->timeout_ms;
	size_t		 n;
	int		 rc;

	req = json_object_new_object();
	cmd = json_object_new_array();
	for (int i = 0; i < argc; i++)
		json_object_array_add(cmd, json_object_new_string(argv[i]));
	json_object_object_add(req, "command", cmd);
	json_object_object_add(req, "request_id", json_object_new_int64(id));
	if (!bare)
		json_object_object_add(req, "protocol",
		    json_object_new_int(PROTO_VERSION));
	s = json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(s);
	if ((out = malloc(n + 2)) == NULL) {
		json_object_put(req);
		fail(c, CLIENT_IO, ENOMEM, NULL);
		return (NULL);
	}
	memcpy(out, s, n);
	out[n++] = '\n';
	out[n] = '\0';
	json_object_put(req);
	rc = send_all(c, out, n);
	free(out);
	if (rc == -1)
		return (NULL);

	for (;;) {
		int64_t	 left = deadline - mono_ms();

		if (left <= 0) {
			fail(c, CLIENT_TIMEOUT, ETIMEDOUT, NULL);
			return (NULL);
		}
		if ((line = client_read_line(c, (int)left)) == NULL)
			return (NULL);
		c->answered = true;
		if ((reply = client_parse(line)) == NULL) {
			fail(c, CLIENT_GARBAGE, 0, "a line that is not a "
			    "JSON object");
			return (NULL);
		}
		if (json_object_object_get_ex(reply, "event", NULL)) {
			if (fn != NULL)
				fn(reply, line, arg);
			json_object_put(reply);
			continue;
		}
		/* A reply without an id can only be about our one request. */
		if (json_object_object_get_ex(reply, "request_id", &v) &&
		    v != NULL && (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) != id)) {
			json_object_put(reply);
			continue;
		}
		if (!json_object_object_get_ex(reply, "error", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			json_object_put(reply);
			fail(c, CLIENT_GARBAGE, 0, "a reply without \"error\"");
			return (NULL);
		}
		return (reply);
	}
}

/* One sentence per failure; the caller adds the path and a hint. */
const char *
client_strfail(const struct client *c, char *buf, size_t len)
{
	switch (c->fail) {
	case CLIENT_OK:
		snprintf(buf, len, "no error");
		break;
	case CLIENT_CONNECT:
	case CLIENT_IO:
		snprintf(buf, len, "%s", strerror(c->err));
		break;
	case CLIENT_TIMEOUT:
		if (c->timeout_ms % 1000 == 0)
			snprintf(buf, len, "no answer within %d s",
			    c->timeout_ms / 1000);
		else
			snprintf(buf, len, "no answer within %.3g s",
			    c->timeout_ms / 1000.0);
		break;
	case CLIENT_EOF:
		snprintf(buf, len, "closed the connection without a reply");
		break;
	case CLIENT_GARBAGE:
		snprintf(buf, len, "sent %s", c->what);
		break;
	case CLIENT_PEER:
		snprintf(buf, len, "the socket belongs to a process of uid %ld, "
		    "not to you (uid %ld) nor to root", c->peer_uid,
		    (long)geteuid());
		break;
	}
	return (buf);
}
