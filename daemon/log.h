/*
 * log.h: the one logging module, with syslog priorities. Sends entries to
 * the journal (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=calfd) when stderr is
 * the journal ($JOURNAL_STREAM matches), plain lines to stderr otherwise,
 * each with the local time when stderr is a terminal.
 */
#ifndef CALF_LOG_H
#define CALF_LOG_H

#include <stdarg.h>

/* Where a line goes instead of stderr (the journal), or NULL. */
typedef void	(*log_writer_fn)(int pri, const char *msg, const char *err);

void	log_init(int verbose);
void	log_set_writer(log_writer_fn);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* adds strerror(errno) */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));	/* adds strerror(errno) */
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
