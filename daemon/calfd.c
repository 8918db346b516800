/*
 * calfd.c: the daemon's entry point: options, the offline commands, and the
 * event loop that runs the routine. calfd never forks; systemd (or a
 * terminal) supervises it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/routine_file.h"
#include "common/sockpath.h"
#include "daemon/bus.h"
#include "daemon/control.h"
#include "daemon/dirs.h"
#include "daemon/engine.h"
#include "daemon/events.h"
#include "daemon/history.h"
#include "daemon/hook.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/notify.h"
#include "daemon/offline.h"
#include "daemon/presence.h"
#include "daemon/state.h"
#include "daemon/systemd.h"

static const char usage_text[] =
"usage: calfd [-v] [-c FILE] [-s SOCKET] [--state-dir DIR]\n"
"       calfd --check-config [-c FILE]\n"
"       calfd --agenda N [--from INSTANT] [-c FILE]\n"
"\n"
"Keeps a daily calf-care routine: prompts when a session is due, cues\n"
"during it and its end. Runs in the foreground; control it with calfctl.\n"
"Prompts also go to desktop notifications with buttons (notify = desktop)\n"
"and to the routine's hook; they wait while the screen is locked.\n"
"\n"
"  -c, --config FILE     the routine (default: $CALFD_CONFIG, then\n"
"                        $XDG_CONFIG_HOME/calf/routine.ini, then\n"
"                        /etc/calf/routine.ini, then the built-in routine)\n"
"  -s, --socket PATH     the control socket (default: $CALFD_SOCKET, then\n"
"                        $XDG_RUNTIME_DIR/calf/calfd.sock, or\n"
"                        /run/calf/calfd.sock for root)\n"
"      --state-dir DIR   where calfd keeps what a restart must not lose:\n"
"                        pause, due and running sessions, skips, the\n"
"                        device id and, unless [calfd] history = DIR says\n"
"                        otherwise, the history log in history/ (created\n"
"                        0700; default $STATE_DIRECTORY (systemd's\n"
"                        StateDirectory=), then $XDG_STATE_HOME/calf,\n"
"                        else ~/.local/state/calf, or /var/lib/calf for\n"
"                        root)\n"
"  -v, --verbose         log debugging detail\n"
"      --check-config    check the routine, print one line per session,\n"
"                        exit 0 (warnings on stderr), or 78 with every error\n"
"      --agenda N        print the next N firings and exit\n"
"      --from INSTANT    with --agenda: start after INSTANT (ISO 8601 with\n"
"                        an offset or Z, or @EPOCH), not now\n"
"  -h, --help            this help\n"
"  -V, --version         print the version\n"
"\n"
"Signals: SIGTERM and SIGINT stop calfd, SIGHUP reloads the routine.\n"
"Under systemd: takes the socket it passes (socket activation), reports\n"
"READY, STATUS, RELOADING and STOPPING, pings the watchdog when asked,\n"
"and logs events to the journal with CALF_* fields.\n"
"Exit status: 0 stopped cleanly or the check passed, 64 usage error, 69\n"
"socket or state folder in use or unusable, 73 state folder cannot be\n"
"created, 78 the routine has errors.\n";

/* After a usage error: one line said what was wrong, this says where to
 * look, and the whole help stays out of the way. */
static const char usage_hint[] = "calfd: see 'calfd --help'\n";

enum {
	OPT_CHECK = 0x100,
	OPT_AGENDA,
	OPT_FROM,
	OPT_STATE_DIR
};

static const struct option longopts[] = {
	{ "config",		required_argument,	NULL, 'c' },
	{ "socket",		required_argument,	NULL, 's' },
	{ "state-dir",		required_argument,	NULL, OPT_STATE_DIR },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "check-config",	no_argument,		NULL, OPT_CHECK },
	{ "agenda",		required_argument,	NULL, OPT_AGENDA },
	{ "from",		required_argument,	NULL, OPT_FROM },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static struct engine	*engine;

/* Every event also goes to stderr: the terminal, or the journal. */
static void
stderr_sink(const struct calf_event *ev, void *arg)
{
	(void)arg;
	if (ev->session != NULL)
		log_info("%s %s: %s", event_kind_name(ev->kind), ev->session,
		    ev->message);
	else
		log_info("%s: %s", event_kind_name(ev->kind), ev->message);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(arg);
}

/* SIGHUP reloads exactly as `calfctl reload` does, through the same
 * function, which tells systemd before and after. */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct errlist	errs;

	(void)sig;
	(void)what;
	(void)arg;
	errlist_init(&errs);
	systemd_reload(engine, ORIGIN_SIGNAL, &errs);	/* which logs a refusal */
	errlist_free(&errs);
	listen_check();			/* a socket file deleted meanwhile */
}

static char *
default_state_dir(void)
{
	const char	*x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	const char	*sdir = getenv("STATE_DIRECTORY");
	char		*p = NULL;

	/* systemd's StateDirectory= (a list: the first is ours). */
	if (sdir != NULL && sdir[0] == '/')
		return strndup(sdir, strcspn(sdir, ":"));
	if (geteuid() == 0 && x == NULL)
		return strdup("/var/lib/calf");
	if (x != NULL && x[0] == '/') {
		if (asprintf(&p, "%s/calf", x) == -1)
			p = NULL;
	} else if (home != NULL) {
		if (asprintf(&p, "%s/.local/state/calf", home) == -1)
			p = NULL;
	}
	return p;
}

/* Everything run_daemon may hold: one cleanup path releases what was
 * taken, in reverse order, whichever step failed. */
struct daemon_res {
	struct event_base	*base;
	struct event		*sigs[3];
	struct routine		*r;		/* until the engine owns it */
	struct state		*state;
	char			*sd;		/* default state folder */
	char			*path;		/* the socket; NULL: systemd's */
	bool			 control;
	bool			 systemd;	/* systemd_init() was called */
};

static void
daemon_cleanup(struct daemon_res *d)
{
	if (d->systemd)
		systemd_stopping();
	for (int i = 0; i < 3; i++)
		if (d->sigs[i] != NULL)
			event_free(d->sigs[i]);
	state_close(d->state);
	if (d->control)
		control_shutdown();
	history_shutdown();
	if (engine != NULL) {
		events_remove_sink(stderr_sink, NULL);
		hook_shutdown();
		presence_shutdown();
		notify_shutdown();
		bus_shutdown();
		engine_free(engine);
		engine = NULL;
	}
	routine_free(d->r);
	if (d->base != NULL)
		event_base_free(d->base);
	free(d->path);
	free(d->sd);
}

static int
run_daemon(const char *cli_config, const char *cli_socket,
    const char *state_dir)
{
	struct daemon_res	 d;
	struct errlist		 errs;
	const char		*why, *pcause;
	char			*cause = NULL, *src;
	int			 rc = 0, lfd;

	memset(&d, 0, sizeof d);
	signal(SIGPIPE, SIG_IGN);
	errlist_init(&errs);
	src = routine_locate(cli_config, &why);
	d.r = routine_open(cli_config, &errs);
	if (d.r == NULL) {
		errlist_print(&errs, stderr);
		fprintf(stderr, "calfd: the routine has errors; not starting\n");
		errlist_free(&errs);
		free(src);
		return EX_CONFIG;
	}
	errlist_free(&errs);
	log_info("routine %s (%s): %zu session%s", d.r->source, why,
	    d.r->nsessions, d.r->nsessions == 1 ? "" : "s");
	free(src);

	if (state_dir == NULL && (state_dir = d.sd = default_state_dir()) ==
	    NULL) {
		fprintf(stderr, "calfd: no state folder: set $HOME, "
		    "$XDG_STATE_HOME or --state-dir\n");
		rc = EX_USAGE;
		goto out;
	}
	if (dirs_make(state_dir) == -1) {
		log_warn("state folder %s", state_dir);
		rc = EX_CANTCREAT;
		goto out;
	}
	if ((d.state = state_open(state_dir, &cause)) == NULL) {
		fprintf(stderr, "calfd: %s\n", cause != NULL ? cause :
		    "out of memory");
		free(cause);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (history_init(state_dir, d.r->history, &cause) == -1)
		fatalx("%s", cause);

	/* A socket passed by systemd needs no path: calfd did not make it
	 * and will not remove it. */
	if ((lfd = systemd_listen_fd(&cause)) == -2) {
		fprintf(stderr, "calfd: %s\n", cause);
		free(cause);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (lfd < 0 &&
	    (d.path = sockpath_default(cli_socket, &pcause)) == NULL) {
		fprintf(stderr, "calfd: %s\n", pcause);
		rc = EX_USAGE;
		goto out;
	}
	if ((d.base = loop_new()) == NULL)
		fatalx("event_base_new failed");
	if ((engine = engine_new(d.base, d.r, cli_config)) == NULL)
		fatalx("cannot start the engine");
	d.r = NULL;	/* the engine's now */
	/* Under the journal, its sink records each event once, with fields. */
	d.systemd = true;
	if (!systemd_init(d.base, engine))
		events_add_sink("stderr", stderr_sink, NULL);
	if (history_start(d.base, &cause) == -1)
		fatalx("%s", cause);
	if (control_init(d.base, engine, d.path, lfd, &cause) == -1) {
		fprintf(stderr, "calfd: %s: %s\n", d.path != NULL ? d.path :
		    "the socket systemd passed", cause != NULL ? cause :
		    "cannot listen");
		free(cause);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	d.control = true;
	if (d.path != NULL)
		log_info("listening on %s", d.path);
	else
		log_info("listening on the socket systemd passed");
	/* The other channels, before the restore so they hear of it. */
	bus_init(d.base);
	notify_init(d.base, engine);
	hook_init(d.base, engine);
	presence_init(engine);
	/* After the socket is ours (so a second calfd cannot get this far)
	 * and before the loop runs, so no timer fires on a half-restored
	 * engine. */
	state_restore(d.state, engine);
	control_use_state(d.state);
	control_started();

	d.sigs[0] = evsignal_new(d.base, SIGTERM, on_stop, d.base);
	d.sigs[1] = evsignal_new(d.base, SIGINT, on_stop, d.base);
	d.sigs[2] = evsignal_new(d.base, SIGHUP, on_hup, NULL);
	for (int i = 0; i < 3; i++) {
		if (d.sigs[i] == NULL)
			fatalx("cannot handle signals");
		/* A stop or a reload is served before client work, however
		 * many clients are busy. */
		loop_prio(d.sigs[i], PRIO_TIMER);
		if (evsignal_add(d.sigs[i], NULL) == -1)
			fatalx("cannot handle signals");
	}

	systemd_ready();
	if (event_base_dispatch(d.base) == -1)
		rc = 1;
out:
	daemon_cleanup(&d);
	return rc;
}

int
main(int argc, char **argv)
{
	const char	*config = NULL, *sock = NULL, *state_dir = NULL;
	const char	*agenda = NULL, *from = NULL;
	int		 ch, check = 0, verbose = 0;

	while ((ch = getopt_long(argc, argv, "c:s:vhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case OPT_STATE_DIR:
			state_dir = optarg;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case OPT_AGENDA:
			agenda = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("calfd %s (protocol %d)\n", CALF_VERSION,
			    PROTO_VERSION);
			return 0;
		default:	/* getopt said what was wrong */
			fputs(usage_hint, stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "calfd: unexpected argument \"%s\"\n",
		    argv[optind]);
		fputs(usage_hint, stderr);
		return EX_USAGE;
	}
	if (state_dir != NULL && *state_dir == '\0') {
		fprintf(stderr, "calfd: --state-dir needs a folder\n");
		return EX_USAGE;
	}
	if (from != NULL && agenda == NULL) {
		fprintf(stderr, "calfd: --from goes with --agenda\n");
		return EX_USAGE;
	}
	if (check && agenda != NULL) {
		fprintf(stderr, "calfd: --check-config and --agenda "
		    "exclude each other\n");
		return EX_USAGE;
	}
	if (systemd_journal_stderr())
		log_set_writer(systemd_journal_log);
	log_init(verbose);
	if (check)
		return offline_check_config(config);
	if (agenda != NULL)
		return offline_agenda(config, agenda, from);
	return run_daemon(config, sock, state_dir);
}
