/*
 * calfctl: control calfd over its Unix socket. Each command is one row of
 * the table below; main() parses options, checks arguments locally where it
 * can, sends one request and prints the reply for people or as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/sockpath.h"
#include "common/timeutil.h"
#include "ctl/client.h"
#include "ctl/history_out.h"
#include "ctl/human.h"
#include "ctl/run.h"

#define DEFAULT_TIMEOUT	5.0		/* seconds, $CALFCTL_TIMEOUT */
#define AGENDA_MAX	1000

#define CMD_HELP	"help"		/* local only, never sent */

struct ctl_cmd;
typedef int	(*check_fn)(const struct ctl_cmd *, int, char **);

struct ctl_cmd {
	const char	*name;
	int		 min_args;
	int		 max_args;
	const char	*args;		/* usage after the name */
	const char	*about;		/* one line for help */
	check_fn	 check;		/* local argument check, or NULL */
	printer_fn	 print;		/* human output, or NULL */
};

static int	check_agenda(const struct ctl_cmd *, int, char **);
static int	check_snooze(const struct ctl_cmd *, int, char **);
static int	check_pause(const struct ctl_cmd *, int, char **);

static const struct ctl_cmd cmds[] = {
	{ CMD_STATUS, 0, 0, "",
	  "what runs, what is due, what is next (default)",
	  NULL, human_status },
	{ CMD_AGENDA, 0, 1, "[N]",
	  "the next N firings (default 10, at most 1000)",
	  check_agenda, human_agenda },
	{ CMD_START, 1, 1, "NAME",
	  "start a session now",
	  NULL, human_start },
	{ CMD_DONE, 0, 1, "[NAME]",
	  "mark a running (or due) session done",
	  NULL, human_done },
	{ CMD_STOP, 0, 1, "[NAME]",
	  "abandon a running session",
	  NULL, human_stop },
	{ CMD_SKIP, 0, 1, "[NAME]",
	  "skip a due session, or its next firing",
	  NULL, human_skip },
	{ CMD_SNOOZE, 0, 2, "[NAME] [DURATION]",
	  "prompt again after DURATION (or the default)",
	  check_snooze, human_snooze },
	{ CMD_PAUSE, 0, 2, "[DURATION | until HH:MM]",
	  "hold prompts (until resume if no argument)",
	  check_pause, human_pause },
	{ CMD_RESUME, 0, 0, "",
	  "end a pause",
	  NULL, human_resume },
	{ CMD_RELOAD, 0, 0, "",
	  "re-read the routine; keep the old on errors",
	  NULL, human_reload },
	{ CMD_VERSION, 0, 0, "",
	  "print calfd's version, protocol and pid",
	  NULL, human_version },
	{ CMD_WATCH, 0, 0, "",
	  "print events as they happen, until ^C",
	  NULL, NULL },
	{ CMD_HISTORY, 0, 4, "[--days N] [--session NAME] [--csv]",
	  "what happened, day by day, from every machine (default 7 days)",
	  NULL, human_history },
	{ CMD_STATS, 0, 2, "[--days N]",
	  "adherence, streaks, a calendar and cramps (default 30 days)",
	  NULL, human_stats },
	{ CMD_CRAMP, 0, 6, "[--at TIME] [--leg left|right|both] [--note TEXT]"
	  " | test | result relieved|not-relieved",
	  "log a cramp; run the warm-water check and record its result",
	  NULL, human_cramp },
	{ CMD_HELP, 0, 1, "[COMMAND]",
	  "help on all commands, or on one",
	  NULL, NULL },
};
#define NCMDS	(sizeof cmds / sizeof cmds[0])

static const struct option longopts[] = {
	{ "socket",	required_argument,	NULL,	's' },
	{ "json",	no_argument,		NULL,	'j' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 },
};

static struct ctl_opts opt;
static bool csv;		/* history --csv */


static void
cmd_usage(FILE *f, const struct ctl_cmd *c)
{
	fprintf(f, "usage: calfctl %s%s%s\n", c->name, *c->args ? " " : "",
	    c->args);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: calfctl [-hjV] [-s SOCKET] [COMMAND [ARGS]]\n"
	    "\n"
	    "Control calfd, the calf-care timer daemon.\n"
	    "\n"
	    "Options:\n"
	    "  -s, --socket SOCKET  talk to calfd at SOCKET (default $CALFD_SOCKET,\n"
	    "                       else $XDG_RUNTIME_DIR/calf/calfd.sock)\n"
	    "  -j, --json           print the reply's data as one JSON line\n"
	    "  -h, --help           show this help; COMMAND --help shows one command's\n"
	    "  -V, --version        print calfctl's version, and calfd's if reachable\n"
	    "\n"
	    "Commands:\n");
	for (size_t i = 0; i < NCMDS; i++) {
		char	 left[64];

		snprintf(left, sizeof left, "%s%s%s", cmds[i].name,
		    *cmds[i].args ? " " : "", cmds[i].args);
		fprintf(f, "  %-30s %s\n", left, cmds[i].about);
	}
	fprintf(f,
	    "\n"
	    "Durations are written like 90s, 10m or 1h30m. Replies wait at most\n"
	    "$CALFCTL_TIMEOUT seconds (default 5); watch waits for ever.\n"
	    "Exit status: 0 done, 1 calfd refused, 2 usage error, 69 calfd not\n"
	    "reachable (or it went away during watch).\n");
}

static const struct ctl_cmd *
cmd_find(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return (&cmds[i]);
	return (NULL);
}

/* One command's usage and description, for help COMMAND and COMMAND -h. */
static void
cmd_help(const struct ctl_cmd *c)
{
	cmd_usage(stdout, c);
	printf("%s\n", c->about);
}

/* A usage error says what is wrong, then how the command is used. */
static int __attribute__((format(printf, 2, 3)))
bad_usage(const struct ctl_cmd *c, const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("calfctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c != NULL)
		cmd_usage(stderr, c);
	else
		fputs("usage: calfctl [-hjV] [-s SOCKET] [COMMAND [ARGS]]\n"
		    "`calfctl help` lists the commands\n", stderr);
	return (EXIT_USAGE);
}

static int
check_agenda(const struct ctl_cmd *c, int argc, char **argv)
{
	char	*end;
	long	 n;

	if (argc == 0)
		return (0);
	errno = 0;
	n = strtol(argv[0], &end, 10);
	if (argv[0][0] < '0' || argv[0][0] > '9' || *end != '\0' ||
	    errno != 0 || n < 1 || n > AGENDA_MAX)
		return (bad_usage(c, "bad count \"%s\": expected a number "
		    "from 1 to %d", argv[0], AGENDA_MAX));
	return (0);
}

/* With one argument we cannot tell a name from a duration; calfd can. */
static int
check_snooze(const struct ctl_cmd *c, int argc, char **argv)
{
	const char	*why;
	int64_t		 secs;

	if (argc == 2 && dur_parse(argv[1], &secs, &why) == -1)
		return (bad_usage(c, "bad duration \"%s\": %s", argv[1], why));
	if (argc == 2 && secs == 0)
		return (bad_usage(c, "duration \"%s\" must be more than 0",
		    argv[1]));
	return (0);
}

static int
check_pause(const struct ctl_cmd *c, int argc, char **argv)
{
	const char	*why;
	int64_t		 secs;
	int		 sod;

	if (argc == 1 && strcmp(argv[0], "until") == 0)
		return (bad_usage(c, "until needs a time of day, like 21:30"));
	if (argc == 1 && dur_parse(argv[0], &secs, &why) == -1)
		return (bad_usage(c, "bad duration \"%s\": %s", argv[0], why));
	if (argc == 1 && secs == 0)
		return (bad_usage(c, "duration \"%s\" must be more than 0",
		    argv[0]));
	if (argc == 2 && strcmp(argv[0], "until") != 0)
		return (bad_usage(c, "expected a duration or until HH:MM"));
	if (argc == 2 && tod_parse(argv[1], &sod, &why) == -1)
		return (bad_usage(c, "bad time \"%s\": %s", argv[1], why));
	return (0);
}

/* $CALFCTL_TIMEOUT in seconds (fractions allowed), else the default. */
static int
read_timeout(int *ms)
{
	const char	*s = getenv("CALFCTL_TIMEOUT");
	char		*end;
	double		 v;

	*ms = (int)(DEFAULT_TIMEOUT * 1000);
	if (s == NULL || *s == '\0')
		return (0);
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v <= 0 ||
	    v > 86400) {
		warnmsg("CALFCTL_TIMEOUT=\"%s\": expected seconds, like 5 or "
		    "0.5", s);
		return (-1);
	}
	*ms = (int)ceil(v * 1000);
	return (0);
}


/* history, stats and cramp take --word options that calfd reads. */
static bool
own_options(const struct ctl_cmd *c)
{
	return strcmp(c->name, CMD_HISTORY) == 0 ||
	    strcmp(c->name, CMD_STATS) == 0 || strcmp(c->name, CMD_CRAMP) == 0;
}

/* Options may also follow the command (calfctl status --json); "--" ends
 * them. Leaves the plain arguments at the front of argv. */
static int
command_options(const struct ctl_cmd *c, int *argcp, char **argv,
    bool *help)
{
	int	 n = 0;
	bool	 dashdash = false;

	for (int i = 0; i < *argcp; i++) {
		const char	*a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0')
			argv[n++] = argv[i];
		else if (strcmp(a, "--") == 0)
			dashdash = true;
		else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0)
			opt.json = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			*help = true;
		else if (strcmp(a, "--csv") == 0 &&
		    strcmp(c->name, CMD_HISTORY) == 0)
			csv = true;
		else if (own_options(c) && a[1] == '-')
			argv[n++] = argv[i];
		else
			return (bad_usage(c, "unknown option %s", a));
	}
	*argcp = n;
	return (0);
}

/* The locale decides only whether we may print ▶ and –, nothing else. */
static void
setup_output(void)
{
	const char	*nc = getenv("NO_COLOR"), *term = getenv("TERM");

	setlocale(LC_CTYPE, "");
	opt.out.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	opt.out.colour = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	struct client		 c;
	const char		*cause = NULL;
	char			*path;
	bool			 help = false, version = false;
	size_t			 total = 0;
	int			 ch, rc;

	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	setup_output();

	while ((ch = getopt_long(argc, argv, "+:s:jhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			opt.socket = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		case ':':
			return (bad_usage(NULL, "option -s needs a SOCKET "
			    "path"));
		default:
			if (optopt != 0 && optopt != '?')
				return (bad_usage(NULL, "unknown option -%c",
				    optopt));
			return (bad_usage(NULL, "unknown option %s",
			    argv[optind - 1]));
		}
	}
	argc -= optind;
	argv += optind;
	if (help) {
		usage(stdout);
		return (finish(0));
	}
	if (read_timeout(&opt.timeout_ms) == -1)
		return (EXIT_USAGE);
	if (version) {
		path = sockpath_default(opt.socket, &cause);
		rc = run_version(&opt, path);
		free(path);
		return (finish(rc));
	}

	cmd = cmd_find(argc > 0 ? argv[0] : CMD_STATUS);
	if (cmd == NULL)
		return (bad_usage(NULL, "unknown command \"%s\"", argv[0]));
	if (argc > 0) {
		argc--;
		argv++;
	}
	if ((rc = command_options(cmd, &argc, argv, &help)) != 0)
		return (rc);
	if (csv && opt.json)
		return (bad_usage(cmd, "--csv and --json exclude each other"));
	if (help) {
		cmd_help(cmd);
		return (finish(0));
	}
	if (argc < cmd->min_args || argc > cmd->max_args)
		return (bad_usage(cmd, "%s: %s", cmd->name, argc <
		    cmd->min_args ? "too few arguments" : "too many arguments"));
	if (cmd->check != NULL && (rc = cmd->check(cmd, argc, argv)) != 0)
		return (rc);
	for (int i = 0; i < argc; i++)
		total += strlen(argv[i]) * 6 + 4;
	if (total + 64 > PROTO_MAX_LINE)
		return (bad_usage(cmd, "arguments too long"));

	if (strcmp(cmd->name, CMD_HELP) == 0) {
		const struct ctl_cmd	*hc;

		if (argc == 0)
			usage(stdout);
		else if ((hc = cmd_find(argv[0])) == NULL)
			return (bad_usage(NULL, "unknown command \"%s\"",
			    argv[0]));
		else
			cmd_help(hc);
		return (finish(0));
	}

	if ((path = sockpath_default(opt.socket, &cause)) == NULL) {
		if (opt.socket == NULL)
			warnmsg("%s; use -s SOCKET or set CALFD_SOCKET",
			    cause != NULL ? cause : "no socket path");
		else
			warnmsg("%s: %s", opt.socket, cause != NULL ? cause :
			    "bad socket path");
		return (EXIT_NODAEMON);
	}
	if (client_open(&c, path, opt.timeout_ms) == -1) {
		rc = run_unreachable(&c);
		free(path);
		return (rc);
	}
	if (strcmp(cmd->name, CMD_WATCH) == 0)
		rc = run_watch(&c, &opt);
	else
		rc = run_command(&c, &opt, cmd->name, csv ? csv_history :
		    cmd->print, argc, argv);
	client_close(&c);
	free(path);
	return (finish(rc));
}
