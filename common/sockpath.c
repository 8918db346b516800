/*
 * sockpath.c: where the control socket lives, chosen the same way by calfd
 * and calfctl so that both agree without being told.
 */
#include "common/sockpath.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOCKPATH_ROOT	"/run/calf/calfd.sock"
#define SOCKPATH_USER	"calf/calfd.sock"	/* under $XDG_RUNTIME_DIR */

/* An environment variable counts only when set to something. */
static const char *
env_nonempty(const char *name)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0') ? v : NULL;
}

/* The explicit choice wins, then the environment, then the root default;
 * a path too long for sockaddr_un is refused here rather than at bind. */
char *
sockpath_default(const char *cli_path, const char **cause)
{
	struct sockaddr_un	 sun;
	const char		*env;
	char			*path = NULL;

	if (cli_path != NULL) {
		if (*cli_path == '\0') {
			*cause = "empty socket path";
			return NULL;
		}
		path = strdup(cli_path);
	} else if ((env = env_nonempty("CALFD_SOCKET")) != NULL)
		path = strdup(env);
	else if ((env = env_nonempty("XDG_RUNTIME_DIR")) != NULL &&
	    *env == '/') {
		/* The XDG spec says to ignore a relative $XDG_RUNTIME_DIR. */
		if (asprintf(&path, "%s/%s", env, SOCKPATH_USER) == -1)
			path = NULL;
	} else if (geteuid() == 0)
		path = strdup(SOCKPATH_ROOT);
	else {
		*cause = "$XDG_RUNTIME_DIR is not set (or not absolute); "
		    "give the socket with -s PATH or $CALFD_SOCKET";
		return NULL;
	}
	if (path == NULL) {
		*cause = "out of memory";
		return NULL;
	}
	if (strlen(path) >= sizeof sun.sun_path) {
		static char	 msg[128];

		/* The path may be anything long; its start says which. */
		snprintf(msg, sizeof msg, "socket path %.40s%s is %zu bytes, "
		    "longer than the %zu a Unix socket allows", path,
		    strlen(path) > 40 ? "..." : "", strlen(path),
		    sizeof sun.sun_path - 1);
		free(path);
		*cause = msg;
		return NULL;
	}
	return path;
}
