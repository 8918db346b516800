/*
 * bar.h: calfctl's status for status bars, from a status reply: one Waybar
 * JSON object (text, alt, tooltip, class, percentage) or i3blocks lines.
 */
#ifndef CALF_CTL_BAR_H
#define CALF_CTL_BAR_H

#include <stdbool.h>

#include <json-c/json.h>

enum bar_format {
	BAR_NONE,		/* not a bar: human or JSON output */
	BAR_WAYBAR,
	BAR_I3BLOCKS,
};

/* "waybar" or "i3blocks" into *f; -1 for anything else. */
int	 bar_format_parse(const char *s, enum bar_format *f);

/* Prints status data for a bar; lines is how many i3blocks lines
 * (3: full text, short text, colour; 1: the full text, for watch). */
void	 bar_print(enum bar_format, json_object *status, bool utf8, int lines);

/* Prints what a bar shows while calfd is not running. */
void	 bar_print_down(enum bar_format, int lines);

/* Whether a session is running (the bar then refreshes every minute). */
bool	 bar_running(json_object *status);

#endif
