/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmpkram selftests.
 */
#ifndef _VMPKRAM_TEST_H
#define _VMPKRAM_TEST_H

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY_UID	65534
#define NOBODY_GID	65534

/*
 * Run @fn in a child that has dropped to uid/gid nobody with no
 * capabilities (setuid from root to non-root clears them all), and return
 * what it returned: an errno value, 0 for success.  -1 if the child could
 * not be set up or died.
 */
static inline int run_unprivileged(int (*fn)(void))
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY_GID, NOBODY_GID,
						    NOBODY_GID) ||
		    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
			_exit(255);
		/* A credential change makes /proc/self root's; undo that. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(255);
		_exit(fn() & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/* The number in a sysfs/procfs file, or -1. */
static inline long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

#endif /* _VMPKRAM_TEST_H */
