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

static int		log_verbose;
static log_writer_fn	log_writer;	/* the journal, when stderr is it */
static int		log_tty;	/* stderr is a terminal: lines get a time */

/* A terminal needs the time on each line, which the journal keeps itself. */
void
log_init(int verbose)
{
	log_verbose = verbose;
	log_tty = log_writer == NULL && isatty(STDERR_FILENO);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

/* The journal's glue (daemon/systemd.c) hands its writer in, so this
 * module, which everything uses, depends on nothing of calfd's. */
void
log_set_writer(log_writer_fn fn)
{
	log_writer = fn;
	if (fn != NULL)
		log_tty = 0;
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

/* The length of the UTF-8 sequence at p and its code point, or 0 when it
 * is not one (a stray byte, an overlong form, a surrogate). */
static size_t
utf8_decode(const unsigned char *p, unsigned *cp)
{
	size_t		 n;
	unsigned	 lo = 0x80, hi = 0xbf;

	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
		*cp = *p & 0x1f;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		*cp = *p & 0x0f;
		lo = *p == 0xe0 ? 0xa0 : 0x80;
		hi = *p == 0xed ? 0x9f : 0xbf;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		*cp = *p & 0x07;
		lo = *p == 0xf0 ? 0x90 : 0x80;
		hi = *p == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* Code points a terminal or a log viewer acts on rather than shows: C1
 * controls (CSI, OSC...), bidi marks and overrides that reorder what
 * follows, and the Unicode line and paragraph separators. */
static int
unsafe_cp(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* One message, one line: a newline, an escape sequence or a bidi override
 * from a client (a command name, say) must not forge lines, colours or
 * the order of what the reader sees. Bytes that are not UTF-8 are shown
 * as \xNN, unsafe code points as \uNNNN. */
static void
put_escaped(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned		 cp;
	size_t			 n;

	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else
				fputc(*p, fp);
			p++;
		} else if ((n = utf8_decode(p, &cp)) == 0) {
			fprintf(fp, "\\x%02x", *p);
			p++;
		} else {
			if (unsafe_cp(cp))
				fprintf(fp, "\\u%04x", cp);
			else
				fwrite(p, 1, n, fp);
			p += n;
		}
	}
}

/* Warnings a client can cause over and over (a refused connection, an
 * overlong line) are said at most LOG_BURST times per LOG_WINDOW seconds
 * for each message text, then counted; the count is said with the first
 * such warning after the window. */
#define LOG_BURST	10
#define LOG_WINDOW	10
#define LOG_KINDS	16

static struct log_kind {
	const char	*fmt;
	time_t		 start;
	unsigned	 n;
	unsigned	 dropped;
} log_kinds[LOG_KINDS];

static int
log_allowed(const char *fmt, unsigned *dropped)
{
	struct timespec	 ts;
	struct log_kind	*k = NULL, *old = &log_kinds[0];
	time_t		 now;

	*dropped = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec;
	for (size_t i = 0; i < LOG_KINDS && k == NULL; i++) {
		if (log_kinds[i].fmt == fmt)
			k = &log_kinds[i];
		else if (log_kinds[i].start < old->start)
			old = &log_kinds[i];
	}
	if (k == NULL) {
		k = old;
		k->fmt = fmt;
		k->start = now;
		k->n = k->dropped = 0;
	}
	if (now - k->start >= LOG_WINDOW) {
		*dropped = k->dropped;
		k->start = now;
		k->n = k->dropped = 0;
	}
	if (k->n >= LOG_BURST) {
		k->dropped++;
		return 0;
	}
	k->n++;
	return 1;
}

/* One line out: to the journal with its fields, or to stderr. */
static void
log_line(int pri, const char *msg, const char *err)
{
	if (log_writer != NULL) {
		log_writer(pri, msg, err);
		return;
	}
	if (log_tty)
		log_stamp();
	fputs("calfd: ", stderr);
	fputs(msg, stderr);
	if (err != NULL)
		fprintf(stderr, ": %s", err);
	fputc('\n', stderr);
}

static void	vlog(int, const char *, va_list, const char *)
		    __attribute__((format(printf, 2, 0)));

static void
vlog(int pri, const char *fmt, va_list ap, const char *err)
{
	int		 saved = errno;
	char		*msg, *text = NULL, *note;
	size_t		 len;
	unsigned	 dropped = 0;
	FILE		*fp;

	if (pri == LOG_DEBUG && !log_verbose)
		return;
	if (pri == LOG_WARNING && !log_allowed(fmt, &dropped))
		return;
	if (dropped > 0 && asprintf(&note, "%u more warnings like the next "
	    "one were not logged in %d s", dropped, LOG_WINDOW) != -1) {
		log_line(LOG_WARNING, note, NULL);
		free(note);
	}
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	if ((fp = open_memstream(&text, &len)) != NULL) {
		put_escaped(fp, msg != NULL ? msg : "(out of memory)");
		if (fclose(fp) != 0) {
			free(text);
			text = NULL;
		}
	}
	log_line(pri, text != NULL ? text : "(out of memory)", err);
	free(text);
	free(msg);
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
