/*
 * history.h: the history log's record format and what is computed from it.
 * Pure, like sched.c: nothing here reads the clock or touches a file
 * descriptor; callers pass bytes, records and "now".
 *
 * A history folder holds one file per device, DEVICE.jsonl, one JSON object
 * a line (doc/history.md):
 *   {"v":1,"id":"DEVICE-RANDOM","event":"done","session":"foot-soak",
 *    "title":"Foot soak","due_us":...,"at_us":...,"duration_s":900}
 * Each file has one writer, so a synced folder never conflicts. A reader
 * skips a line cut short by a crash (one warning), keeps lines of a newer
 * version out of every result without refusing the file, and merges files
 * by record id, so a record read twice counts once.
 */
#ifndef CALF_HISTORY_H
#define CALF_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "common/routine.h"

#define HIST_VERSION	1		/* bump on an incompatible change */
#define HIST_MAX_LINE	4096		/* a longer line is refused */
#define HIST_ID_LEN	33		/* 16 hex device, '-', 16 hex random */
#define HIST_DEVICE_LEN	16
#define HIST_MONTH_DAYS	30		/* "a month of steady practice" */
#define HIST_CRAMP_SESSION "cramp-check"

/* Outcomes and the cramp log; the wire names are in history.c. */
enum hist_event {
	HE_STARTED,
	HE_FINISHED,		/* ran its full duration */
	HE_DONE,		/* marked done: early (duration) or untimed */
	HE_STOPPED,
	HE_SKIPPED,
	HE_SNOOZED,
	HE_MISSED,
	HE_CRAMP,		/* a cramp: leg, note */
	HE_CRAMP_TEST,		/* a warm-water test's result */
	HE__COUNT
};

struct hist_rec {
	char		 id[HIST_ID_LEN + 1];
	enum hist_event	 event;
	char		*session;	/* NULL for a cramp */
	char		*title;
	int64_t		 due_us;	/* the firing it belongs to; 0: none */
	int64_t		 at_us;		/* when it happened */
	int64_t		 duration_s;	/* -1: none */
	char		*leg;		/* cramp: "left", "right", "both" or NULL */
	char		*note;		/* cramp: free text or NULL */
	bool		 relieved;	/* cramp test */
};

struct hist_list {
	struct hist_rec	*v;
	size_t		 n, cap;
};

/* What a load met besides good records. */
struct hist_load {
	size_t	 records;	/* kept */
	size_t	 bad;		/* unreadable lines (a torn tail among them) */
	size_t	 newer;		/* lines of a newer version, kept out */
	bool	 torn_tail;	/* the last line had no newline and was unusable */
	bool	 needs_newline;	/* an append must write '\n' first */
};

const char	*hist_event_name(enum hist_event);
/* 0 and *e, or -1 for an unknown name. */
int		 hist_event_parse(const char *, enum hist_event *);

void		 hist_list_init(struct hist_list *);
void		 hist_list_free(struct hist_list *);
void		 hist_rec_free(struct hist_rec *);
/* Appends a deep copy; -1 on ENOMEM. */
int		 hist_list_add(struct hist_list *, const struct hist_rec *);

/* The record as a JSON object (the wire and the file form), and back:
 * 0 on success, 1 for a record of a newer version, -1 with a static
 * message for anything else. */
json_object	*hist_rec_to_json(const struct hist_rec *);
int		 hist_rec_from_json(json_object *, struct hist_rec *,
		     const char **err);
/* One line with its '\n', malloc'd; NULL on ENOMEM. */
char		*hist_rec_line(const struct hist_rec *);

/* Adds every good record of a file's bytes to list; counts the rest in
 * *info. -1 only on ENOMEM. */
int		 hist_parse(const char *buf, size_t len, struct hist_list *,
		     struct hist_load *info);

/* Sorts by (at_us, id) and drops every record whose id came before. */
void		 hist_merge(struct hist_list *);

/* Keeps the records with at_us in [from_us, to_us) and, when session is
 * not NULL, of that session. */
void		 hist_filter(struct hist_list *, int64_t from_us, int64_t to_us,
		     const char *session);

/* Statistics over `days` local days ending with the day of `now`. A firing
 * is one the scheduler gives for the routine as it is now; it is kept when a
 * finished or done record of its session has a due_us from the firing to
 * the end of its window (stats_kept_window), each record keeping at most
 * one firing. A firing whose window is still open and not yet kept is
 * pending: neither kept nor counted. */
struct hist_session_stats {
	const char	*name;		/* the routine's strings */
	const char	*title;
	unsigned	 scheduled;	/* firings due in the period, closed */
	unsigned	 kept;
	int64_t		 practised_s;	/* durations of finished and done */
	unsigned	 streak;	/* days, ending today or yesterday */
	unsigned	 longest;
};

struct hist_day {
	int64_t		 day;		/* days since the epoch, local */
	unsigned	 scheduled;
	unsigned	 kept;
	unsigned	 cramps;
};

struct hist_week {
	int64_t		 first_day;	/* seven days from here */
	unsigned	 scheduled;
	unsigned	 kept;
	unsigned	 cramps;
};

/* The doctor's threshold: HIST_CRAMPS_A_WEEK or more cramps in each of
 * HIST_CRAMP_WEEKS weeks in a row, or any warm-water test not relieved. */
#define HIST_CRAMPS_A_WEEK	3
#define HIST_CRAMP_WEEKS	2

struct hist_stats {
	int64_t			 first_day, last_day;
	struct hist_session_stats *sessions;	/* timed sessions, file order */
	size_t			 nsessions;
	struct hist_day		*days;		/* first_day .. last_day */
	size_t			 ndays;
	struct hist_week	*weeks;		/* ending with last_day */
	size_t			 nweeks;
	unsigned		 scheduled, kept;
	unsigned		 streak;	/* whole routine kept, days */
	unsigned		 longest;
	unsigned		 cramps;
	unsigned		 tests, tests_not_relieved;
	bool			 see_doctor;
	bool			 frequent_cramps;
};

/* -1 on ENOMEM or days < 1. records must be merged (hist_merge). */
int		 hist_stats(const struct routine *, const struct hist_list *,
		     time_t now, int days, struct hist_stats *);
void		 hist_stats_free(struct hist_stats *);
json_object	*hist_stats_to_json(const struct hist_stats *);

/* How long after a firing a done or finished record still keeps it: the
 * session's window, or the whole day's rest when it has none. */
int64_t		 hist_kept_window(const struct session *);

#endif
