/*
 * privs.h - give up privileges once the capture handles are open.
 */
#ifndef ND_PRIVS_H
#define ND_PRIVS_H

#include <stddef.h>

/*
 * Drops what netdoctor no longer needs before it reads any peer's data:
 * with user (--user, root only) the uid, gid and groups become that
 * user's; a setuid-root binary returns to the real uid; then every
 * capability is dropped (CAP_NET_RAW included) and no_new_privs is set.
 * Returns 0, or -errno with one line in err (the caller must not go on:
 * a half-dropped process is worse than none).
 */
int	nd_privs_drop(const char *user, char *err, size_t errlen);

#endif /* ND_PRIVS_H */
