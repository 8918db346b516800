/*
 * calfctl: control calfd over its Unix socket. Each command is one row of
 * common/cmdtab.c, shared with calfd, plus its printer below; main() parses
 * options, checks arguments with the table's parser, sends one request and
 * prints the reply for people, as JSON, or for a status bar.
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

#include "common/cmdtab.h"
#include "common/proto.h"
#include "common/sockpath.h"
#include "common/timeutil.h"
#include "ctl/client.h"
#include "ctl/escape.h"
#include "ctl/history_out.h"
#include "ctl/human.h"
#include "ctl/run.h"

#define DEFAULT_TIMEOUT	5.0		/* seconds, $CALFCTL_TIMEOUT */

/* The rows are common/cmdtab.c, shared with calfd; this is what calfctl
 * adds to a row: how a successful reply is shown to people (NULL: nothing
 * to show, or a command with its own way, like watch). */
static const printer_fn printers[CMD_ID__COUNT] = {
	[CMD_ID_STATUS] = human_status,
	[CMD_ID_AGENDA] = human_agenda,
	[CMD_ID_LIST] = human_list,
	[CMD_ID_SHOW] = human_show,
	[CMD_ID_START] = human_start,
	[CMD_ID_DONE] = human_done,
	[CMD_ID_STOP] = human_stop,
	[CMD_ID_SKIP] = human_skip,
	[CMD_ID_SNOOZE] = human_snooze,
	[CMD_ID_EXTEND] = human_extend,
	[CMD_ID_PAUSE] = human_pause,
	[CMD_ID_RESUME] = human_resume,
	[CMD_ID_RELOAD] = human_reload,
	[CMD_ID_VERSION] = human_version,
	[CMD_ID_HISTORY] = human_history,
	[CMD_ID_STATS] = human_stats,
	[CMD_ID_CRAMP] = human_cramp,
};

static const struct option longopts[] = {
	{ "socket",	required_argument,	NULL,	's' },
	{ "json",	no_argument,		NULL,	'j' },
	{ "format",	required_argument,	NULL,	'f' },
	{ "reconnect",	no_argument,		NULL,	'r' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 },
};

static struct ctl_opts opt;
static bool csv;		/* history --csv */


static void
cmd_usage(FILE *f, const struct cmd_def *c)
{
	fprintf(f, "usage: calfctl %s%s%s\n", c->name, *cmdtab_args(c) ?
	    " " : "", cmdtab_args(c));
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: calfctl [-hjV] [-s SOCKET] [--format FORMAT] [--reconnect]\n"
	    "               [--csv] [COMMAND [ARGS]]\n"
	    "\n"
	    "Control calfd, the calf-care timer daemon.\n"
	    "\n"
	    "Options:\n"
	    "  -s, --socket SOCKET  talk to calfd at SOCKET (default $CALFD_SOCKET,\n"
	    "                       else $XDG_RUNTIME_DIR/calf/calfd.sock)\n"
	    "  -j, --json           print the reply's data as one JSON line\n"
	    "  --format FORMAT      status and watch for a status bar: waybar (one\n"
	    "                       JSON object) or i3blocks (text lines)\n"
	    "  --reconnect          watch: wait for calfd to come back, never exit\n"
	    "  --csv                history: a header, then one CSV line a record\n"
	    "  -h, --help           show this help; COMMAND --help shows one command's\n"
	    "  -V, --version        print calfctl's version, and calfd's if reachable\n"
	    "\n"
	    "Commands:\n");
	for (int i = 0; i < CMD_ID__COUNT; i++) {
		const struct cmd_def	*c = cmdtab_get(i);
		char			 left[160];

		snprintf(left, sizeof left, "%s%s%s", c->name,
		    *cmdtab_args(c) ? " " : "", cmdtab_args(c));
		/* A long usage gets its line; the help goes under it. */
		if (strlen(left) >= 30)
			fprintf(f, "  %s\n  %-30s %s\n", left, "", c->about);
		else
			fprintf(f, "  %-30s %s\n", left, c->about);
	}
	fprintf(f,
	    "\n"
	    "Durations are written like 90s, 10m or 1h30m. Replies wait at most\n"
	    "$CALFCTL_TIMEOUT seconds (default 5); watch waits for ever.\n"
	    "Exit status: 0 done, 1 calfd refused, 2 usage error, 69 calfd not\n"
	    "reachable (or it went away during watch), 75 done but not yet on\n"
	    "disk (a warning says which part).\n");
}

/* One command's usage and description, for help COMMAND and COMMAND -h. */
static void
cmd_help(const struct cmd_def *c)
{
	cmd_usage(stdout, c);
	printf("%s\n", c->about);
	if (c->id == CMD_ID_HELP)
		return;
	/* The general options that change what this command prints. */
	printf("\n  -j, --json       its data as JSON%s\n",
	    (c->flags & CMDF_STREAM) ? ", one object a line" : "");
	if (c->id == CMD_ID_STATUS || c->id == CMD_ID_WATCH)
		printf("  --format FORMAT  for a status bar: waybar or "
		    "i3blocks\n");
	if (c->id == CMD_ID_WATCH)
		printf("  --reconnect      wait for calfd to come back, never "
		    "exit\n");
	if (c->id == CMD_ID_HISTORY)
		printf("  --csv            a header, then one CSV line a "
		    "record\n");
}

/* A usage error says what is wrong, then how the command is used. */
static int __attribute__((format(printf, 2, 3)))
bad_usage(const struct cmd_def *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vwarnmsg(fmt, ap);
	va_end(ap);
	if (c != NULL)
		cmd_usage(stderr, c);
	else
		fputs("usage: calfctl [-hjV] [-s SOCKET] [COMMAND [ARGS]]\n"
		    "`calfctl help` lists the commands\n", stderr);
	return (EXIT_USAGE);
}

/* The table's own parser, so calfctl refuses what calfd would; a word
 * that may be a session is left for calfd, which knows the routine. */
static int
check_args(const struct cmd_def *c, int argc, char **argv)
{
	struct cmd_args	 args;
	char		*cause = NULL;
	int		 rc = 0;

	for (int i = 0; i < argc; i++)
		if (!utf8_valid(argv[i]))
			return (bad_usage(c, "argument \"%s\" is not UTF-8 "
			    "text", argv[i]));
	if (cmdtab_parse(c, argc, (const char *const *)argv, NULL, NULL,
	    &args, &cause) != RES_SUCCESS)
		rc = bad_usage(c, "%s", cause != NULL ? cause :
		    "wrong arguments");
	free(cause);
	return (rc);
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


/* --format is for a status bar: waybar or i3blocks. */
static int
set_format(const struct cmd_def *c, const char *s)
{
	if (bar_format_parse(s, &opt.format) != 0) {
		bad_usage(c, "unknown format \"%s\": expected waybar or "
		    "i3blocks", s);
		return (-1);
	}
	return (0);
}

/* --format goes with status and watch, --reconnect with watch only. */
static int
check_options(const struct cmd_def *c)
{
	if (opt.format != BAR_NONE && c->id != CMD_ID_STATUS &&
	    c->id != CMD_ID_WATCH)
		return (bad_usage(c, "--format goes with status and watch"));
	if (opt.format != BAR_NONE && opt.json)
		return (bad_usage(c, "--format and --json do not go together"));
	if (opt.reconnect && c->id != CMD_ID_WATCH)
		return (bad_usage(c, "--reconnect goes with watch"));
	return (0);
}

/* Options may also follow the command (calfctl status --json); "--" ends
 * them. Leaves the plain arguments at the front of argv. */
static int
command_options(const struct cmd_def *c, int *argcp, char **argv,
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
		else if (strcmp(a, "--reconnect") == 0)
			opt.reconnect = true;
		else if (strncmp(a, "--format=", 9) == 0) {
			if (set_format(c, a + 9) != 0)
				return (EXIT_USAGE);
		} else if (strcmp(a, "--format") == 0) {
			if (i + 1 >= *argcp)
				return (bad_usage(c, "--format needs waybar "
				    "or i3blocks"));
			if (set_format(c, argv[++i]) != 0)
				return (EXIT_USAGE);
		}
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			*help = true;
		else if (strcmp(a, "--csv") == 0 && c->id == CMD_ID_HISTORY)
			csv = true;
		else if (cmdtab_has_option(c, a)) {
			/* The table's --word VALUE: calfd reads both, and
			 * the value may itself start with a dash. */
			argv[n++] = argv[i];
			if (i + 1 < *argcp)
				argv[n++] = argv[++i];
		}
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
	const struct cmd_def	*cmd;
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
		case 'f':
			if (set_format(NULL, optarg) != 0)
				return (EXIT_USAGE);
			break;
		case 'r':
			opt.reconnect = true;
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
			if (optopt == 'f')
				return (bad_usage(NULL, "--format needs waybar "
				    "or i3blocks"));
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

	cmd = cmdtab_find(argc > 0 ? argv[0] : CMD_STATUS);
	if (cmd == NULL)
		return (bad_usage(NULL, "unknown command \"%s\"", argv[0]));
	if (argc > 0) {
		argc--;
		argv++;
	}
	if ((rc = command_options(cmd, &argc, argv, &help)) != 0)
		return (rc);
	if (csv && opt.json)
		return (bad_usage(cmd, "--csv and --json do not go together"));
	if (!help && (rc = check_options(cmd)) != 0)
		return (rc);
	if (help) {
		cmd_help(cmd);
		return (finish(0));
	}
	if (argc < cmdtab_min_args(cmd) || argc > cmdtab_max_args(cmd))
		return (bad_usage(cmd, "%s: %s", cmd->name, argc <
		    cmdtab_min_args(cmd) ? "too few arguments" :
		    "too many arguments"));
	if ((rc = check_args(cmd, argc, argv)) != 0)
		return (rc);
	for (int i = 0; i < argc; i++)
		total += strlen(argv[i]) * 6 + 4;
	if (total + 64 > PROTO_MAX_LINE)
		return (bad_usage(cmd, "arguments too long"));

	if (cmd->id == CMD_ID_HELP) {
		const struct cmd_def	*hc;

		if (argc == 0)
			usage(stdout);
		else if ((hc = cmdtab_find(argv[0])) == NULL)
			return (bad_usage(NULL, "unknown command \"%s\"",
			    argv[0]));
		else
			cmd_help(hc);
		return (finish(0));
	}

	if ((path = sockpath_default(opt.socket, &cause)) == NULL) {
		warnmsg("%s", cause != NULL ? cause : "no socket path");
		return (EXIT_NODAEMON);
	}
	if (cmd->flags & CMDF_STREAM) {
		rc = run_watch(path, &opt);
		free(path);
		return (finish(rc));
	}
	if (client_open(&c, path, opt.timeout_ms) == -1) {
		if (opt.format != BAR_NONE)	/* the bar still shows why */
			bar_print_down(opt.format, 3);
		rc = run_unreachable(&c);
		free(path);
		return (rc);
	}
	rc = run_command(&c, &opt, cmd->name, csv ? csv_history :
	    printers[cmd->id], argc, argv);
	client_close(&c);
	free(path);
	return (finish(rc));
}
