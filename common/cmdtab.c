/*
 * cmdtab.c: the command table and the parsing of arguments (cmdtab.h).
 */
#include "common/cmdtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errlist.h"
#include "common/routine.h"
#include "common/timeutil.h"

#define ROW(id, name, gram, about, flags) \
	[id] = { id, name, gram, about, flags }

static const struct cmd_def table[CMD_ID__COUNT] = {
	ROW(CMD_ID_STATUS, CMD_STATUS, GRAM_NONE,
	    "what runs, what is due, what is next (default)", 0),
	ROW(CMD_ID_AGENDA, CMD_AGENDA, GRAM_COUNT,
	    "the next N firings (default 10, at most 1000)", 0),
	ROW(CMD_ID_LIST, CMD_LIST, GRAM_NONE,
	    "every session, timed and on demand, and its next firing", 0),
	ROW(CMD_ID_SHOW, CMD_SHOW, GRAM_NAME,
	    "one session's whole definition and its state now", 0),
	ROW(CMD_ID_START, CMD_START, GRAM_OPT_NAME,
	    "start a session now (without NAME: the one due)", 0),
	ROW(CMD_ID_DONE, CMD_DONE, GRAM_OPT_NAME,
	    "mark a running (or due) session done", 0),
	ROW(CMD_ID_STOP, CMD_STOP, GRAM_OPT_NAME,
	    "abandon a running session", 0),
	ROW(CMD_ID_SKIP, CMD_SKIP, GRAM_OPT_NAME,
	    "skip a due session, or its next firing", 0),
	ROW(CMD_ID_SNOOZE, CMD_SNOOZE, GRAM_SNOOZE,
	    "prompt again after DURATION (or the default)", 0),
	ROW(CMD_ID_EXTEND, CMD_EXTEND, GRAM_EXTEND,
	    "end a running session DURATION later (without NAME: the one "
	    "running)", 0),
	ROW(CMD_ID_PAUSE, CMD_PAUSE, GRAM_PAUSE,
	    "hold prompts (until resume if no argument); NAME: pause that "
	    "running session's clock", 0),
	ROW(CMD_ID_RESUME, CMD_RESUME, GRAM_OPT_NAME,
	    "end a pause of prompts; NAME: resume that paused session", 0),
	ROW(CMD_ID_RELOAD, CMD_RELOAD, GRAM_NONE,
	    "re-read the routine; keep the old on errors", 0),
	ROW(CMD_ID_VERSION, CMD_VERSION, GRAM_NONE,
	    "print calfd's version, protocol and pid", 0),
	ROW(CMD_ID_WATCH, CMD_WATCH, GRAM_NONE,
	    "print events as they happen, until ^C", CMDF_STREAM),
	ROW(CMD_ID_HISTORY, CMD_HISTORY, GRAM_HISTORY,
	    "what happened, day by day, from every machine (default 7 days)",
	    0),
	ROW(CMD_ID_STATS, CMD_STATS, GRAM_STATS,
	    "adherence, streaks, a calendar and cramps (default 30 days)", 0),
	ROW(CMD_ID_CRAMP, CMD_CRAMP, GRAM_CRAMP,
	    "log a cramp; run the warm-water check and record its result", 0),
	ROW(CMD_ID_HELP, CMD_HELP, GRAM_COMMAND,
	    "help on all commands, or on one", CMDF_LOCAL),
};

/* What each grammar allows, so a row names its shape and nothing more. */
static const struct {
	int		 min, max;
	const char	*args;
} grammars[] = {
	[GRAM_NONE] = { 0, 0, "" },
	[GRAM_COUNT] = { 0, 1, "[N]" },
	[GRAM_NAME] = { 1, 1, "NAME" },
	[GRAM_OPT_NAME] = { 0, 1, "[NAME]" },
	[GRAM_SNOOZE] = { 0, 2, "[NAME] [DURATION]" },
	[GRAM_EXTEND] = { 1, 2, "[NAME] DURATION" },
	[GRAM_PAUSE] = { 0, 2, "[NAME | DURATION | " ARG_UNTIL " HH:MM]" },
	[GRAM_COMMAND] = { 0, 1, "[COMMAND]" },
	[GRAM_HISTORY] = { 0, 4, "[" OPT_DAYS " N] [" OPT_SESSION " NAME]" },
	[GRAM_STATS] = { 0, 2, "[" OPT_DAYS " N]" },
	[GRAM_CRAMP] = { 0, 6, "[" OPT_AT " TIME] [" OPT_LEG " " LEG_LEFT "|"
	    LEG_RIGHT "|" LEG_BOTH "] [" OPT_NOTE " TEXT] | " ARG_TEST " | "
	    ARG_RESULT " " ARG_RELIEVED "|" ARG_NOT_RELIEVED },
};

/* The --word VALUE options, and the grammars that take each. */
enum cmd_opt { OPT_ID_DAYS, OPT_ID_SESSION, OPT_ID_AT, OPT_ID_LEG,
    OPT_ID_NOTE, OPT_ID__COUNT };
static const struct {
	const char	*word;
	unsigned	 grammars;	/* 1 << GRAM_* */
} options[OPT_ID__COUNT] = {
	[OPT_ID_DAYS] = { OPT_DAYS, 1u << GRAM_HISTORY | 1u << GRAM_STATS },
	[OPT_ID_SESSION] = { OPT_SESSION, 1u << GRAM_HISTORY },
	[OPT_ID_AT] = { OPT_AT, 1u << GRAM_CRAMP },
	[OPT_ID_LEG] = { OPT_LEG, 1u << GRAM_CRAMP },
	[OPT_ID_NOTE] = { OPT_NOTE, 1u << GRAM_CRAMP },
};

/* Commands are few, so a scan is the whole index. */
const struct cmd_def *
cmdtab_find(const char *name)
{
	for (int i = 0; i < CMD_ID__COUNT; i++)
		if (name != NULL && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct cmd_def *
cmdtab_get(enum cmd_id id)
{
	if ((unsigned)id >= CMD_ID__COUNT)
		return NULL;
	return &table[id];
}

int
cmdtab_min_args(const struct cmd_def *d)
{
	return grammars[d->grammar].min;
}

int
cmdtab_max_args(const struct cmd_def *d)
{
	return grammars[d->grammar].max;
}

const char *
cmdtab_args(const struct cmd_def *d)
{
	return grammars[d->grammar].args;
}

/* "unknown command" answers teach the right ones from the same rows. */
void
cmdtab_names(bool sent, char *buf, size_t len)
{
	size_t	 off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < CMD_ID__COUNT && off < len; i++) {
		if (sent && (table[i].flags & CMDF_LOCAL))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off > 0 ? ", " : "", table[i].name);
	}
}

static int
find_option(const struct cmd_def *d, const char *word)
{
	for (int i = 0; i < OPT_ID__COUNT; i++)
		if ((options[i].grammars & 1u << d->grammar) &&
		    strcmp(options[i].word, word) == 0)
			return i;
	return -1;
}

bool
cmdtab_has_option(const struct cmd_def *d, const char *word)
{
	return find_option(d, word) != -1;
}

/* A digit first and nothing but digits and units: someone meant a
 * duration, so its error is the one to give. */
bool
cmd_looks_like_duration(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' &&
	    strspn(s, "0123456789dhms") == strlen(s);
}

/* Plain decimal, so "1e3" or "+5" are refused rather than guessed. */
int
cmd_parse_count(const char *s, size_t max, size_t *n, char **cause)
{
	size_t	 len = strlen(s);

	if (len == 0 || len > 9 || strspn(s, "0123456789") != len ||
	    (*n = strtoul(s, NULL, 10)) < 1 || *n > max) {
		*cause = msgf("count \"%s\" must be a number from 1 to %zu", s,
		    max);
		return -1;
	}
	return 0;
}

/* A duration given on purpose is strictly positive. */
int
cmd_parse_duration(const char *s, int64_t *secs, char **cause)
{
	const char	*err;

	if (dur_parse(s, secs, &err) != 0) {
		*cause = msgf("bad duration \"%s\": %s", s, err);
		return -1;
	}
	if (*secs <= 0) {
		*cause = msgf("duration \"%s\" must be more than 0", s);
		return -1;
	}
	return 0;
}

int
cmd_parse_tod(const char *s, int *sod, char **cause)
{
	const char	*err;

	if (tod_parse(s, sod, &err) != 0) {
		*cause = msgf("bad time \"%s\": %s", s, err);
		return -1;
	}
	return 0;
}

/* --days N: 1 to max, plain decimal. */
static int
parse_days(const char *s, int max, int *days, char **cause)
{
	size_t	 len = strlen(s);

	if (len == 0 || len > 4 || strspn(s, "0123456789") != len ||
	    (*days = atoi(s)) < 1 || *days > max) {
		*cause = msgf(OPT_DAYS " \"%s\" must be a number from 1 to %d",
		    s, max);
		return -1;
	}
	return 0;
}

/* --at: HH:MM (the handler takes the last such local time) or an
 * instant (ISO 8601, @EPOCH). */
static int
parse_at(const char *s, struct cmd_args *out, char **cause)
{
	const char	*err;
	time_t		 t;

	out->has_at = true;
	out->at_sod = -1;
	if (tod_parse(s, &out->at_sod, &err) == 0)
		return 0;
	out->at_sod = -1;
	if (instant_parse(s, &t, &err) == 0) {
		out->at_s = (int64_t)t;
		return 0;
	}
	*cause = msgf(OPT_AT " \"%s\": expected HH:MM or an instant like "
	    "2026-03-29T03:10+02:00", s);
	return -1;
}

/* A note is one line of at most CMD_NOTE_MAX bytes. */
static int
parse_note(const char *s, struct cmd_args *out, char **cause)
{
	const char	*p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	if (*p != '\0' || p - s > CMD_NOTE_MAX) {
		*cause = msgf(OPT_NOTE ": at most %d characters on one line",
		    CMD_NOTE_MAX);
		return -1;
	}
	out->note = s;
	return 0;
}

static int
parse_leg(const char *s, struct cmd_args *out, char **cause)
{
	if (strcmp(s, LEG_LEFT) != 0 && strcmp(s, LEG_RIGHT) != 0 &&
	    strcmp(s, LEG_BOTH) != 0) {
		*cause = msgf(OPT_LEG " \"%s\": expected " LEG_LEFT ", "
		    LEG_RIGHT " or " LEG_BOTH, s);
		return -1;
	}
	out->leg = s;
	return 0;
}

/* Words as --word VALUE pairs, each option of the grammar at most once. */
static int
option_args(const struct cmd_def *d, int argc, const char *const *argv,
    struct cmd_args *out, char **cause)
{
	bool	 seen[OPT_ID__COUNT] = { false };
	int	 o, rc = 0;

	for (int i = 0; i < argc && rc == 0; i += 2) {
		if ((o = find_option(d, argv[i])) == -1) {
			*cause = msgf("unknown option \"%s\"", argv[i]);
			return -1;
		}
		if (i + 1 == argc) {
			*cause = msgf("%s needs a value", argv[i]);
			return -1;
		}
		if (seen[o]) {
			*cause = msgf("%s given twice", argv[i]);
			return -1;
		}
		seen[o] = true;
		switch (o) {
		case OPT_ID_DAYS:
			rc = parse_days(argv[i + 1], d->grammar == GRAM_STATS ?
			    CMD_STATS_DAYS_MAX : CMD_HISTORY_DAYS_MAX,
			    &out->days, cause);
			break;
		case OPT_ID_SESSION:
			if (!routine_name_valid(argv[i + 1])) {
				*cause = msgf("\"%s\" cannot be a session "
				    "name", argv[i + 1]);
				rc = -1;
			}
			out->name = argv[i + 1];
			break;
		case OPT_ID_AT:
			rc = parse_at(argv[i + 1], out, cause);
			break;
		case OPT_ID_LEG:
			rc = parse_leg(argv[i + 1], out, cause);
			break;
		case OPT_ID_NOTE:
			rc = parse_note(argv[i + 1], out, cause);
			break;
		}
	}
	return rc;
}

/* cramp test, cramp result WORD, or options logging a cramp. */
static int
cramp_args(const struct cmd_def *d, int argc, const char *const *argv,
    struct cmd_args *out, char **cause)
{
	if (argc >= 1 && strcmp(argv[0], ARG_TEST) == 0) {
		out->cramp = CRAMP_TEST;
		if (argc != 1) {
			*cause = msgf("usage: " CMD_CRAMP " " ARG_TEST);
			return -1;
		}
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], ARG_RESULT) == 0) {
		out->cramp = CRAMP_RESULT;
		if (argc != 2) {
			*cause = msgf("usage: " CMD_CRAMP " " ARG_RESULT " "
			    ARG_RELIEVED "|" ARG_NOT_RELIEVED);
			return -1;
		}
		if (strcmp(argv[1], ARG_RELIEVED) == 0)
			out->relieved = true;
		else if (strcmp(argv[1], ARG_NOT_RELIEVED) != 0) {
			*cause = msgf(CMD_CRAMP " " ARG_RESULT " \"%s\": "
			    "expected " ARG_RELIEVED " or " ARG_NOT_RELIEVED,
			    argv[1]);
			return -1;
		}
		return 0;
	}
	out->cramp = CRAMP_LOG;
	return option_args(d, argc, argv, out, cause);
}

/* Any well-formed name might be a session when nobody can ask the routine. */
static bool
maybe_session(const char *name, void *arg)
{
	(void)arg;
	return routine_name_valid(name);
}

/* One word may be a name or a duration. A session of that name wins, so
 * one called "10m" can still be snoozed by name; then a duration; then a
 * word that cannot be a name, or that reads as a duration gone wrong
 * ("1.5h", "10M", "99999999h"), gets the duration's error. */
static int
snooze_word(const char *w, cmd_is_session_fn is_session, void *arg,
    struct cmd_args *out, char **cause)
{
	const char	*err;
	int64_t		 secs;

	if (is_session(w, arg))
		out->name = w;
	else if (dur_parse(w, &secs, &err) == 0 || !routine_name_valid(w) ||
	    cmd_looks_like_duration(w))
		return cmd_parse_duration(w, &out->dur_s, cause);
	else
		out->name = w;
	return 0;
}

/* "until HH:MM" or a duration; "until" alone is half of the first. */
static int
pause_args(int argc, const char *const *argv, cmd_is_session_fn is_session,
    void *arg, struct cmd_args *out, char **cause)
{
	const char	*err;
	int64_t		 secs;

	if (argc == 2) {
		if (strcmp(argv[0], ARG_UNTIL) != 0) {
			*cause = msgf("expected a duration or "
			    ARG_UNTIL " HH:MM, not \"%s\"", argv[0]);
			return -1;
		}
		out->until = true;
		return cmd_parse_tod(argv[1], &out->until_sod, cause);
	}
	if (argc == 1 && strcmp(argv[0], ARG_UNTIL) == 0) {
		*cause = msgf(ARG_UNTIL " needs a time of day: "
		    "pause " ARG_UNTIL " HH:MM");
		return -1;
	}
	/* One word: a duration if it reads as one, else a session's name
	 * (calfd tells whether it is one, and whether it runs). */
	(void)is_session;
	(void)arg;
	if (argc == 1 && dur_parse(argv[0], &secs, &err) != 0 &&
	    !cmd_looks_like_duration(argv[0]) &&
	    routine_name_valid(argv[0])) {
		out->name = argv[0];
		return 0;
	}
	if (argc == 1)
		return cmd_parse_duration(argv[0], &out->dur_s, cause);
	return 0;
}

enum result
cmdtab_parse(const struct cmd_def *d, int argc, const char *const *argv,
    cmd_is_session_fn is_session, void *arg, struct cmd_args *out,
    char **cause)
{
	int	 rc = 0;

	memset(out, 0, sizeof *out);
	out->count = CMD_COUNT_DEFAULT;
	*cause = NULL;
	if (is_session == NULL)
		is_session = maybe_session;
	if (argc < cmdtab_min_args(d) || argc > cmdtab_max_args(d)) {
		*cause = msgf("usage: %s%s%s", d->name, *cmdtab_args(d) ?
		    " " : "", cmdtab_args(d));
		return RES_USAGE;
	}
	switch (d->grammar) {
	case GRAM_NONE:
		break;
	case GRAM_COUNT:
		if (argc == 1)
			rc = cmd_parse_count(argv[0], CMD_COUNT_MAX,
			    &out->count, cause);
		break;
	case GRAM_NAME:
	case GRAM_OPT_NAME:
	case GRAM_COMMAND:
		out->name = argc > 0 ? argv[0] : NULL;
		break;
	case GRAM_SNOOZE:
		if (argc == 2) {
			out->name = argv[0];
			rc = cmd_parse_duration(argv[1], &out->dur_s, cause);
		} else if (argc == 1)
			rc = snooze_word(argv[0], is_session, arg, out, cause);
		break;
	case GRAM_EXTEND:
		if (argc == 2)
			out->name = argv[0];
		rc = cmd_parse_duration(argv[argc - 1], &out->dur_s, cause);
		break;
	case GRAM_PAUSE:
		rc = pause_args(argc, argv, is_session, arg, out, cause);
		break;
	case GRAM_HISTORY:
	case GRAM_STATS:
		out->days = d->grammar == GRAM_STATS ? CMD_STATS_DAYS :
		    CMD_HISTORY_DAYS;
		rc = option_args(d, argc, argv, out, cause);
		break;
	case GRAM_CRAMP:
		rc = cramp_args(d, argc, argv, out, cause);
		break;
	}
	return rc == 0 ? RES_SUCCESS : RES_USAGE;
}
