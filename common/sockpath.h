/*
 * sockpath.h: where the control socket lives, the same for calfd and calfctl.
 */
#ifndef CALF_SOCKPATH_H
#define CALF_SOCKPATH_H

/* cli_path if not NULL, else $CALFD_SOCKET, else
 * $XDG_RUNTIME_DIR/calf/calfd.sock, else /run/calf/calfd.sock when running
 * as root. Returns a malloc'd path, or NULL with *cause set (static text)
 * when a non-root user has no $XDG_RUNTIME_DIR. */
char	*sockpath_default(const char *cli_path, const char **cause);

#endif
