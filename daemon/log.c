/*
 * log.c: messages to the journal, with fields, when stderr is the journal;
 * plain lines on stderr otherwise, with a timestamp when it is a terminal.
 */
#include "daemon/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon/systemd.h"

static int	log_verbose;
static int	log_journal;	/* stderr is connected to journald */
static int	log_tty;	/* stderr is a terminal: lines get a time */

/* The journal is told apart by $JOURNAL_STREAM (daemon/systemd.c); a
 * terminal needs the time on each line that the journal keeps itself. */
void
log_init(int verbose)
{
	log_verbose = verbose;
	log_journal = systemd_journal_stderr();
	log_tty = !log_journal && isatty(STDERR_FILENO);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

/* "2026-12-01 20:00:05 ", local time, before the "calfd: " prefix. */
static void
log_stamp(void)
{
	struct timespec	ts;
	struct tm	tm;
	char		buf[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) != NULL &&
	    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S ", &tm) > 0)
		fputs(buf, stderr);
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *err)
{
	int	 saved = errno;
	char	*msg;

	if (pri == LOG_DEBUG && !log_verbose)
		return;
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	/* The journal keeps fields apart, so a newline cannot forge an
	 * entry there, and journalctl shows control bytes safely. */
	if (log_journal) {
		systemd_journal_log(pri, msg != NULL ? msg : "(out of memory)",
		    err);
		free(msg);
		errno = saved;
		return;
	}
	if (log_tty)
		log_stamp();
	fputs("calfd: ", stderr);
	/* One message, one line: a newline or an escape sequence from a
	 * client (a command name, say) must not forge lines or colours. */
	for (const char *p = msg != NULL ? msg : "(out of memory)"; *p; p++) {
		unsigned char	c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	free(msg);
	if (err != NULL)
		fprintf(stderr, ": %s", err);
	fputc('\n', stderr);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	char	*e = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	char	*e = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
