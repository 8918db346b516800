/*
 * routine_file.h: where a routine comes from (routine_file.c): a file,
 * found by the search order of doc/routine.md, or the built-in routine.
 */
#ifndef CALF_ROUTINE_FILE_H
#define CALF_ROUTINE_FILE_H

#include "common/routine.h"

/* Reads and parses a file. */
struct routine	*routine_load(const char *path, struct errlist *errs);
/* The routine compiled into calfd (config/routine.ini). */
struct routine	*routine_builtin(struct errlist *errs);

/* Which routine file to use: -c FILE, $CALFD_CONFIG,
 * $XDG_CONFIG_HOME/calf/routine.ini (~/.config/calf/routine.ini),
 * /etc/calf/routine.ini, else NULL for the built-in routine. The result is
 * malloc'd. `why` is set to a short phrase saying where it came from. */
char		*routine_locate(const char *cli_path, const char **why);

/* Loads what routine_locate chose (or the built-in routine). */
struct routine	*routine_open(const char *cli_path, struct errlist *errs);
/* Reads again what `cur` was read from: the same file (never another one
 * found by searching, never the built-in routine in its place). Only a
 * routine that is the built-in one searches again, so a file written since
 * is taken. NULL (and errs) when the file cannot be read or has errors. */
struct routine	*routine_reread(const struct routine *cur,
		     struct errlist *errs);

/* config/routine.ini's bytes, compiled in by scripts/embed.sh. */
extern const char	default_routine_ini[];
extern const size_t	default_routine_ini_len;

#endif
