/*
 * dirs.c: making calfd's private folders and their parents.
 */
#include "daemon/dirs.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Each parent in turn ("/a/b/c" makes /a, then /a/b), then the folder, so
 * a bad path fails where it is made, at start, not at the first save. */
int
dirs_make(const char *dir)
{
	struct stat	 st;
	char		*p;

	if (dir == NULL || *dir == '\0') {
		errno = ENOENT;
		return -1;
	}
	if ((p = strdup(dir)) == NULL)
		return -1;
	for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (stat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}
