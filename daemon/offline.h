/*
 * offline.h: the calfd commands that need no running daemon.
 */
#ifndef CALF_OFFLINE_H
#define CALF_OFFLINE_H

/* calfd --check-config [-c FILE]: prints which routine was used (stderr),
 * then one line per session on stdout; returns 0, or 78 (EX_CONFIG) with
 * every error on stderr. */
int	offline_check_config(const char *cli_path);

/* calfd --agenda N [--from INSTANT] [-c FILE]: the next N firings strictly
 * after INSTANT (NULL: now), one per line, "YYYY-MM-DDTHH:MM:SS+HH:MM NAME".
 * Returns 0, 64 (EX_USAGE) for a bad N or INSTANT, or 78 (EX_CONFIG). */
int	offline_agenda(const char *cli_path, const char *count, const char *from);

#endif
