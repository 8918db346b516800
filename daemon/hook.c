/*
 * hook.c: runs the hook for every event.
 *
 * The hook is executed directly with posix_spawn, never through a shell,
 * so no text from the routine or a client (a title, a message) can become
 * a command: it only ever arrives as the value of an environment variable
 * (CALF_EVENT, CALF_SESSION, CALF_TITLE, CALF_MESSAGE, CALF_DUE_USEC).
 * Its stdin is /dev/null; its stdout and stderr come back through a pipe
 * read on the loop and go to the log, a bounded amount per run. Each run
 * is the leader of its own process group, so when it outlives
 * `hook-timeout` the whole group (a script's children too) gets SIGKILL.
 * At most HOOK_MAX run at once; an event that finds them all busy is not
 * passed on, and the log says so. Children are reaped on SIGCHLD (a
 * libevent signal event), so none is left a zombie.
 */
#include "daemon/hook.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/routine.h"
#include "common/timeutil.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/log.h"

#define HOOK_MAX		4	/* runs at once */
#define HOOK_OUT_MAX		4096	/* bytes of output logged per run */
#define HOOK_LINE		200	/* longest line logged as one */
#define HOOK_TIMEOUT_DEFAULT	10	/* seconds */

extern char	**environ;

struct hook_run {
	bool		 used;
	pid_t		 pid;		/* 0: reaped */
	pid_t		 pgid;		/* its process group, for the kill */
	int		 fd;		/* its output; -1: at end */
	struct event	*rd;
	struct event	*timeout;
	char		 line[HOOK_LINE + 1];
	size_t		 len;
	size_t		 logged;	/* bytes of output so far */
};

static struct {
	struct event_base *base;
	struct engine	*e;
	struct event	*sigchld;
	struct hook_run	 runs[HOOK_MAX];
} h;

/* A run is over when its process is reaped and its output has ended. */
static void
run_end_if_done(struct hook_run *r)
{
	if (!r->used || r->pid != 0 || r->fd != -1)
		return;
	if (r->timeout != NULL)
		event_free(r->timeout);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

static void
out_line(struct hook_run *r)
{
	if (r->len > 0)
		log_info("hook: %.*s", (int)r->len, r->line);
	r->len = 0;
}

/* Output, a line at a time, until HOOK_OUT_MAX bytes; the rest is read
 * and dropped so the hook never blocks on a full pipe. */
/* The hook's output is over (or abandoned): stop listening, and the run
 * ends once its process is reaped too. */
static void
output_close(struct hook_run *r)
{
	event_free(r->rd);
	r->rd = NULL;
	close(r->fd);
	r->fd = -1;
	run_end_if_done(r);
}

static void
on_output(evutil_socket_t fd, short what, void *arg)
{
	struct hook_run	*r = arg;
	char		 buf[1024];
	ssize_t		 got;

	(void)what;
	while ((got = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < got; i++) {
			if (r->logged >= HOOK_OUT_MAX)
				break;
			if (++r->logged == HOOK_OUT_MAX) {
				out_line(r);
				log_info("hook: more output than %d bytes; the "
				    "rest is not logged", HOOK_OUT_MAX);
				break;
			}
			if (buf[i] == '\n') {
				out_line(r);
				continue;
			}
			r->line[r->len++] = buf[i];
			if (r->len == HOOK_LINE)
				out_line(r);
		}
	}
	if (got == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	out_line(r);
	output_close(r);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct hook_run	*r = arg;

	(void)fd;
	(void)what;
	if (r->pid != 0) {
		log_warnx("hook (pid %d) still running after its timeout: "
		    "killed with its process group", (int)r->pid);
		kill(-r->pid, SIGKILL);
	} else if (r->fd != -1) {
		/* The hook is gone but something it started holds its
		 * output open: the group goes, and we stop listening. */
		log_warnx("hook: processes it left behind still hold its "
		    "output after the timeout: killed with its group");
		kill(-r->pgid, SIGKILL);
		output_close(r);
	}
}

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	int	st;

	(void)sig;
	(void)what;
	(void)arg;
	for (size_t i = 0; i < HOOK_MAX; i++) {
		struct hook_run	*r = &h.runs[i];

		if (!r->used || r->pid == 0 ||
		    waitpid(r->pid, &st, WNOHANG) != r->pid)
			continue;
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			log_info("hook (pid %d) exited with status %d",
			    (int)r->pid, WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			log_info("hook (pid %d) ended by signal %d",
			    (int)r->pid, WTERMSIG(st));
		r->pid = 0;
		run_end_if_done(r);
	}
}

/* "NAME=VALUE", malloc'd; a missing value is empty. */
static char *
env_var(const char *name, const char *value)
{
	char	*s;

	if (asprintf(&s, "%s=%s", name, value != NULL ? value : "") == -1)
		return NULL;
	return s;
}

/* calfd's environment without any CALF_ variables, plus the event's. */
static char **
hook_env(const struct calf_event *ev)
{
	size_t	 n = 0, k = 0;
	char	**env, due[24];

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 6, sizeof *env)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CALF_", 5) != 0)
			env[k++] = environ[i];
	/* Only these five are allocated: hook_env_free frees the last five. */
	env[k] = env_var("CALF_EVENT", event_kind_name(ev->kind));
	env[k + 1] = env_var("CALF_SESSION", ev->session);
	env[k + 2] = env_var("CALF_TITLE", ev->title);
	env[k + 3] = env_var("CALF_MESSAGE", ev->message);
	snprintf(due, sizeof due, "%" PRId64, ev->due_us);
	env[k + 4] = env_var("CALF_DUE_USEC", due);
	for (size_t i = k; i < k + 5; i++) {
		if (env[i] == NULL) {
			for (size_t j = k; j < k + 5; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	}
	return env;
}

static void
hook_env_free(char **env)
{
	size_t	n = 0;

	if (env == NULL)
		return;
	while (env[n] != NULL)
		n++;
	for (size_t i = n - 5; i < n; i++)
		free(env[i]);
	free(env);
}

/* posix_spawn with the hook's own process group, /dev/null in, the pipe
 * out, default signal dispositions, and no other descriptor of calfd. */
static int
spawn(const char *path, char **env, int out, pid_t *pid)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 none, dfl;
	char				*argv[] = { (char *)path, NULL };
	int				 rc;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out, 2)) == 0 &&
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&at, &dfl)) == 0)
		rc = posix_spawn(pid, path, &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

static void
hook_sink(const struct calf_event *ev, void *arg)
{
	const struct routine	*rt = engine_routine(h.e);
	struct hook_run		*r = NULL;
	struct timeval		 tv = { 0, 0 };
	char			**env;
	int			 p[2], rc;

	(void)arg;
	if (rt->hook == NULL)
		return;
	for (size_t i = 0; i < HOOK_MAX && r == NULL; i++)
		if (!h.runs[i].used)
			r = &h.runs[i];
	if (r == NULL) {
		log_warnx("hook: %d runs still going; not run for %s %s",
		    HOOK_MAX, event_kind_name(ev->kind),
		    ev->session != NULL ? ev->session : "");
		return;
	}
	if ((env = hook_env(ev)) == NULL) {
		log_warnx("hook: out of memory");
		return;
	}
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("hook: pipe");
		hook_env_free(env);
		return;
	}
	rc = spawn(rt->hook, env, p[1], &r->pid);
	hook_env_free(env);
	close(p[1]);
	if (rc != 0) {
		log_warnx("hook %s: %s", rt->hook, strerror(rc));
		close(p[0]);
		r->pid = 0;
		return;
	}
	r->used = true;
	r->pgid = r->pid;
	r->fd = p[0];
	r->len = r->logged = 0;
	r->rd = event_new(h.base, r->fd, EV_READ | EV_PERSIST, on_output, r);
	r->timeout = evtimer_new(h.base, on_timeout, r);
	tv.tv_sec = rt->hook_timeout > 0 ? rt->hook_timeout :
	    HOOK_TIMEOUT_DEFAULT;
	if (r->rd == NULL || r->timeout == NULL ||
	    event_add(r->rd, NULL) == -1 || evtimer_add(r->timeout, &tv) == -1)
		log_warnx("hook: cannot watch run %d", (int)r->pid);
	log_debug("hook: pid %d for %s", (int)r->pid,
	    event_kind_name(ev->kind));
}

void
hook_init(struct event_base *base, struct engine *e)
{
	h.base = base;
	h.e = e;
	for (size_t i = 0; i < HOOK_MAX; i++)
		h.runs[i].fd = -1;
	h.sigchld = evsignal_new(base, SIGCHLD, on_sigchld, NULL);
	if (h.sigchld == NULL || evsignal_add(h.sigchld, NULL) == -1) {
		log_warnx("hook: cannot follow child processes; hooks off");
		return;
	}
	events_add_sink("hook", hook_sink, NULL);
}

void
hook_shutdown(void)
{
	events_remove_sink(hook_sink, NULL);
	for (size_t i = 0; i < HOOK_MAX; i++) {
		struct hook_run	*r = &h.runs[i];

		if (!r->used)
			continue;
		if (r->pid != 0) {
			kill(-r->pid, SIGKILL);
			while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
				;
		}
		if (r->rd != NULL)
			event_free(r->rd);
		if (r->timeout != NULL)
			event_free(r->timeout);
		if (r->fd != -1)
			close(r->fd);
		memset(r, 0, sizeof *r);
		r->fd = -1;
	}
	if (h.sigchld != NULL)
		event_free(h.sigchld);
	h.sigchld = NULL;
}
