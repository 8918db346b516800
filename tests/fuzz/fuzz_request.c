/*
 * fuzz_request.c: any bytes as request lines to a live engine: each line
 * goes through request_parse and, when it is a request, through the real
 * command handlers (start, done, snooze, pause, agenda, reload...) of one
 * engine kept across inputs, with the built-in routine; the loop is
 * turned once per input so timers that fall due run too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/routine_file.h"
#include "daemon/commands.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base	*base;
static struct engine		*engine;

/* One engine for the whole run, as in calfd. */
static int
setup(void)
{
	struct errlist	 errs;
	struct routine	*r;

	log_init(0);
	if ((base = event_base_new()) == NULL)
		return -1;
	errlist_init(&errs);
	r = routine_builtin(&errs);
	errlist_free(&errs);
	if (r == NULL || (engine = engine_new(base, r, NULL)) == NULL)
		return -1;
	return 0;
}

static void
one_line(const char *line, size_t len)
{
	struct request	 req;
	struct cmd_ctx	 ctx = { .engine = engine };
	char		*cause = NULL;
	json_object	*reply;

	if (request_blank(line, len))
		return;
	if (request_parse(line, len, &req, &cause) != RES_SUCCESS) {
		free(cause);
		reply = reply_new(&req, RES_BAD_REQUEST, NULL, NULL);
		json_object_put(reply);
		return;
	}
	reply = commands_run(&ctx, &req);
	request_free(&req);
	if (reply != NULL)
		json_object_to_json_string(reply);
	json_object_put(reply);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;

	if (engine == NULL && setup() == -1)
		abort();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		one_line(p, (size_t)((nl != NULL ? nl : end) - p));
		p = nl != NULL ? nl + 1 : end;
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
