/*
 * talos_pb.h - decode machine.VersionResponse (docs/talos.md 3) from the
 * bytes of one gRPC message.  Bounded and defensive: the input is whatever
 * a peer sent.
 */
#ifndef ND_TALOS_PB_H
#define ND_TALOS_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_talos_version {
	size_t	nmessages;		/* repeated Version messages = 1 */
	/* from the first message */
	char	hostname[64];		/* metadata.hostname (proxied only) */
	char	error[128];		/* metadata.error */
	char	tag[64], sha[64], built[64], go_version[32], os[16], arch[16];
	char	platform[32], mode[32];
	bool	has_version, has_platform;
	bool	has_features;		/* field 4: only on a configured node */
	bool	rbac;
};

/*
 * Decodes buf[0..len).  Returns 0, or -EBADMSG with a reason in *why
 * (static string): truncated varint, length past the end, a wire type
 * protobuf does not have, nesting too deep.  Unknown fields are skipped
 * as protobuf requires.  Strings are copied truncated, with bytes outside
 * printable ASCII replaced by '?', so that they are safe to print.
 */
int	nd_talos_version_decode(const uint8_t *buf, size_t len,
	    struct nd_talos_version *ret, const char **why);

/*
 * One gRPC length-prefixed message (gRPC over HTTP/2, PROTOCOL-HTTP2.md):
 * 1 byte compressed flag, 4 bytes big-endian length, the message.  Sets
 * msg and msglen on success.  Returns 0, or -EBADMSG (why set) for a
 * compressed message, a short buffer, or a length over max.
 */
int	nd_grpc_unframe(const uint8_t *buf, size_t len, size_t max,
	    const uint8_t **msg, size_t *msglen, uint32_t *announced,
	    const char **why);

#endif /* ND_TALOS_PB_H */
