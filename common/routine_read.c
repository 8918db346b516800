/*
 * routine_read.c: the line reader that feeds inih. It numbers the lines,
 * skips a byte-order mark and '\r' before '\n', refuses lines inih would cut
 * or misread (too long, NUL bytes, control characters, invalid UTF-8, ':'
 * separators, no '=', broken headers), strips leading blanks so inih never
 * sees a continuation line, and follows the [section] headers itself.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/routine.h"
#include "common/routine_int.h"

/* Checks that a line is text: no NUL, no control bytes, valid UTF-8. */
static bool
check_text(struct parser *p, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char	 c = s[i];
		size_t		 more;
		uint32_t	 cp;

		if (c == '\0') {
			perr(p, p->line, "line contains a NUL byte; a routine "
			    "file is plain UTF-8 text");
			return (false);
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			perr(p, p->line, "line contains control character "
			    "0x%02x; only text and tabs are accepted", c);
			return (false);
		}
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
		} else
			goto bad;
		if (i + more >= n)
			goto bad;
		for (size_t j = 1; j <= more; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((more == 2 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (more == 3 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			goto bad;
		i += more;
	}
	return (true);
bad:
	perr(p, p->line, "line is not valid UTF-8; save the file as UTF-8");
	return (false);
}

/*
 * Checks a blank-stripped, comment-free line the way inih would read it and
 * reports what inih would accept wrongly or reject without saying why.
 * Returns true to hand the line to inih.
 */
static bool
check_line(struct parser *p, char *s)
{
	char	*end, *rest;
	size_t	 n;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			perr(p, p->line, "section header has no closing ']'; "
			    "write it like [foot-soak]");
			end_section(p);
			return (false);
		}
		*end = '\0';
		rest = end + 1;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest != '\0' && *rest != ';' && *rest != '#')
			perr(p, p->line, "unexpected `%s` after [%s]; only a "
			    "comment may follow a section header", rest, s + 1);
		begin_section(p, s + 1);
		return (false);
	}
	/* inih splits at the first '=' or ':' before an inline comment. */
	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] == '=' || s[n] == ':')
			break;
		if (s[n] == ';' && n > 0 && isspace((unsigned char)s[n - 1])) {
			n = strlen(s);
			break;
		}
	}
	if (s[n] == ':') {
		perr(p, p->line, "expected KEY = VALUE; use '=' (not ':') "
		    "between key and value");
		return (false);
	}
	if (s[n] != '=') {
		perr(p, p->line, "expected KEY = VALUE, a [section] header or "
		    "a comment starting with ';' or '#'");
		return (false);
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0) {
		perr(p, p->line, "no key before '='; expected KEY = VALUE");
		return (false);
	}
	return (true);
}

/*
 * inih's reader: hands out one line of the buffer per call. Lines with
 * errors, headers and comments go out empty, so inih only ever sees
 * KEY = VALUE lines that passed the checks.
 */
char *
routine_reader(char *str, int num, void *stream)
{
	struct parser	*p = stream;
	const char	*start, *nl;
	size_t		 n, max;
	char		 line[ROUTINE_MAX_LINE + 2], *s;

	/* A file that is not a routine at all (a log, a binary) is said to
	 * be so after a hundred errors, not after millions. */
	if (p->off >= p->len || num < 2 || p->nerrs >= ROUTINE_MAX_ERRORS)
		return (NULL);
	start = p->buf + p->off;
	nl = memchr(start, '\n', p->len - p->off);
	n = nl != NULL ? (size_t)(nl - start) : p->len - p->off;
	p->off += n + (nl != NULL);
	p->line++;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	if (p->line == 1 && n >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0) {
		start += 3;
		n -= 3;
	}
	str[0] = '\n';
	str[1] = '\0';

	max = ROUTINE_MAX_LINE;
	if (max > (size_t)num - 2)
		max = (size_t)num - 2;
	if (n > max || !check_text(p, (const unsigned char *)start, n)) {
		if (n > max)
			perr(p, p->line, "line is %zu bytes long; the longest "
			    "accepted is %zu", n, max);
		/* Keys after a refused header belong to no section. */
		for (s = (char *)start; s < start + n && isblank((unsigned char)*s); s++)
			;
		if (s < start + n && *s == '[')
			end_section(p);
		p->refused = true;
		return (str);
	}
	memcpy(line, start, n);
	line[n] = '\0';
	s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return (str);
	if (check_line(p, s)) {
		/* s is at most max <= num - 2 bytes: it fits with "\n\0". */
		n = strlen(s);
		memcpy(str, s, n);
		str[n] = '\n';
		str[n + 1] = '\0';
	}
	else if (*s != '[')
		p->refused = true;
	return (str);
}
