/*
 * human.h: calfctl's output for people, one printer per command that has
 * something to show, plus the watch line for an event.
 */
#ifndef CALF_CTL_HUMAN_H
#define CALF_CTL_HUMAN_H

#include <stdbool.h>

#include <json-c/json.h>

struct out {
	bool	 colour;	/* stdout is a terminal and NO_COLOR unset */
	bool	 utf8;		/* the locale's charset is UTF-8 */
};

typedef void	(*printer_fn)(const struct out *, json_object *data);

void	human_status(const struct out *, json_object *);
void	human_agenda(const struct out *, json_object *);
void	human_list(const struct out *, json_object *);
void	human_show(const struct out *, json_object *);
void	human_start(const struct out *, json_object *);
void	human_done(const struct out *, json_object *);
void	human_stop(const struct out *, json_object *);
void	human_skip(const struct out *, json_object *);
void	human_snooze(const struct out *, json_object *);
void	human_extend(const struct out *, json_object *);
void	human_pause(const struct out *, json_object *);
void	human_resume(const struct out *, json_object *);
void	human_reload(const struct out *, json_object *);
void	human_version(const struct out *, json_object *);

/* "21:00:00 due       ankle-circles  Time for ankle circles..." */
void	human_event(const struct out *, json_object *event);

#endif
