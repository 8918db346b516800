/*
 * escape.c: terminal-safe text for calfctl (escape.h).
 */
#include "ctl/escape.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 sequence at s; returns its length, or 0 when it is
 * malformed (then *cp is the first byte). */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t		 n;
	uint32_t	 c, min;

	*cp = s[0];
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool
utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n;

	while (*p != '\0') {
		if ((n = utf8_decode(p, &cp)) == 0)
			return false;
		p += n;
	}
	return true;
}

/* The characters a terminal acts on rather than shows, and the ones that
 * reorder or break the line around them. */
static bool
must_escape(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

char *
esc_str(const char *s, char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, n;
	uint32_t		 cp;
	char			 rep[16];

	if (len == 0)
		return buf;
	while (*p != '\0') {
		n = utf8_decode(p, &cp);
		if (n == 0) {
			snprintf(rep, sizeof rep, "\\x%02x", *p);
			n = 1;
		} else if (!must_escape(cp)) {
			if (o + n >= len)
				break;
			memcpy(buf + o, p, n);
			o += n;
			p += n;
			continue;
		} else if (cp == '\n')
			snprintf(rep, sizeof rep, "\\n");
		else if (cp == '\t')
			snprintf(rep, sizeof rep, "\\t");
		else if (cp < 0x80)
			snprintf(rep, sizeof rep, "\\x%02x", (unsigned)cp);
		else
			snprintf(rep, sizeof rep, "\\u%04x", (unsigned)cp);
		if (o + strlen(rep) >= len)
			break;
		memcpy(buf + o, rep, strlen(rep));
		o += strlen(rep);
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

/* Each string at most grows sixfold (a byte to "\u00XX" is the worst). */
static void
esc_string_value(json_object *v)
{
	const char	*s = json_object_get_string(v);
	size_t		 need = strlen(s) * 6 + 1;
	char		*buf;

	if (utf8_valid(s)) {
		const unsigned char	*p = (const unsigned char *)s;
		uint32_t		 cp;
		bool			 clean = true;

		for (size_t n; *p != '\0' && clean; p += n) {
			n = utf8_decode(p, &cp);
			clean = !must_escape(cp);
		}
		if (clean)
			return;
	}
	if ((buf = malloc(need)) == NULL) {
		json_object_set_string(v, "?");
		return;
	}
	json_object_set_string(v, esc_str(s, buf, need));
	free(buf);
}

void
esc_json(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		esc_string_value(o);
		break;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			esc_json(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			esc_json(val);
		}
		break;
	}
	default:
		break;
	}
}
