/*
 * escape.h: what calfctl prints is safe for a terminal. Arguments and
 * every string from calfd may hold control characters (an escape sequence
 * can clear the screen or set the title); these turn them into visible
 * text, and check that arguments are UTF-8 before they are sent.
 */
#ifndef CALF_CTL_ESCAPE_H
#define CALF_CTL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Whether s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool	 utf8_valid(const char *s);

/* s with C0 and C1 controls, DEL, line and paragraph separators and bidi
 * controls written as \n, \t, \xNN or \uNNNN, and each byte of a malformed
 * sequence as \xNN; a backslash stays as it is. Cut to fit len. Returns
 * buf. */
char	*esc_str(const char *s, char *buf, size_t len);

/* Escapes every string value inside o, in place, before human output. */
void	 esc_json(json_object *o);

#endif
