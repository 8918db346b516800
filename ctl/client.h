/*
 * client.h: one connection to calfd: connect, send a request, read lines
 * with a deadline, and pick our reply out from among events.
 */
#ifndef CALF_CTL_CLIENT_H
#define CALF_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Why an exchange failed; each maps to a message and exit status 69. */
enum client_fail {
	CLIENT_OK,
	CLIENT_CONNECT,		/* connect failed; errno in err */
	CLIENT_TIMEOUT,		/* no (complete) answer before the deadline */
	CLIENT_EOF,		/* calfd closed the connection */
	CLIENT_IO,		/* read or write failed; errno in err */
	CLIENT_GARBAGE,		/* calfd sent something that is not a reply */
	CLIENT_PEER,		/* the socket's owner is neither us nor root */
};

struct client {
	int		 fd;
	const char	*path;
	int		 timeout_ms;	/* for connect, send and each reply */
	int64_t		 next_id;
	char		*buf;		/* bytes read, not yet a whole line */
	size_t		 len;
	size_t		 cap;
	size_t		 used;		/* the line last handed out */
	enum client_fail fail;
	int		 err;		/* errno for CLIENT_CONNECT, CLIENT_IO */
	bool		 answered;	/* calfd has sent at least one line */
	long		 peer_uid;	/* for CLIENT_PEER */
	char		 what[128];	/* detail for CLIENT_GARBAGE */
};

/* Called for each event that arrives while waiting for a reply; line is
 * the event exactly as received. */
typedef void	(*client_event_fn)(json_object *event, const char *line,
		    void *arg);

/* Connects within timeout_ms and checks that the process listening runs
 * as our user or as root; -1 with c->fail and c->err set. */
int		 client_open(struct client *c, const char *path,
		    int timeout_ms);
void		 client_close(struct client *c);

/* Sends argv as a command (with "protocol" unless bare) and returns its
 * reply, or NULL with c->fail set. Events seen meanwhile go to fn (may be
 * NULL). */
json_object	*client_request(struct client *c, const char *const *argv,
		    int argc, bool bare, client_event_fn fn, void *arg);

/* Reads one line with a deadline (timeout_ms < 0: none). Returns the line
 * (valid until the next read, NUL-terminated, without its newline), or
 * NULL with c->fail set. */
const char	*client_read_line(struct client *c, int timeout_ms);

/* The line as a JSON object, or NULL when it is not one. */
json_object	*client_parse(const char *line);

/* A sentence about the failure, for "calfctl: ..." messages. */
const char	*client_strfail(const struct client *c, char *buf, size_t len);

#endif
