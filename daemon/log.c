/*
 * log.c: messages to stderr, prefixed for the journal when we run under it.
 */
#include "daemon/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

static int	log_verbose;
static int	log_journal;	/* stderr is connected to journald */

/* journald reads "<N>" prefixes as priorities only when stderr is its own
 * stream, which $JOURNAL_STREAM ("DEV:INODE") lets us verify. */
void
log_init(int verbose)
{
	const char	*js = getenv("JOURNAL_STREAM");
	struct stat	 st;
	unsigned long	 dev, ino;

	log_verbose = verbose;
	log_journal = 0;
	if (js != NULL && sscanf(js, "%lu:%lu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
		log_journal = 1;
	setvbuf(stderr, NULL, _IOLBF, 0);
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
	if (log_journal)
		fprintf(stderr, "<%d>", pri);
	else
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
