/*
 * privs.c - dropping privileges (capabilities(7), setuid(2)).
 *
 * The capability sets are cleared with the capset system call directly:
 * libcap is one more dependency for three lines, and lowering one's own
 * sets needs no privilege.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

static int
privs_user(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL) {
		snprintf(err, errlen, "--user %s: no such user", user);
		return -ENOENT;
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "--user %s: only root can switch users",
		    user);
		return -EPERM;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "--user %s: %s", user, strerror(errno));
		return -errno;
	}
	/* Must be irreversible, or it was not a drop. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "--user %s: could regain root", user);
		return -EPERM;
	}
	return 0;
}

int
nd_privs_drop(const char *user, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	int rc;

	if (user != NULL && (rc = privs_user(user, err, errlen)) < 0)
		return rc;
	if (user == NULL && getuid() != geteuid()) {
		/* A setuid-root binary: back to whoever ran it. */
		if (setgid(getgid()) < 0 || setuid(getuid()) < 0) {
			snprintf(err, errlen, "dropping setuid root: %s",
			    strerror(errno));
			return -errno;
		}
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(err, errlen, "dropping capabilities: %s",
		    strerror(errno));
		return -errno;
	}
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}
