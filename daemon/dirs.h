/*
 * dirs.h: the private folders calfd keeps its files in (the state folder,
 * the history folder) are made the same way wherever they are needed.
 */
#ifndef CALF_DIRS_H
#define CALF_DIRS_H

/* Makes dir and its missing parents, each 0700, and checks that dir is a
 * folder in the end; -1 with errno set (ENOTDIR when something else holds
 * the name). An existing folder is left as it is. */
int	dirs_make(const char *dir);

#endif
