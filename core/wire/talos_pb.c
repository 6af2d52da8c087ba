/*
 * talos_pb.c - a minimal protobuf reader for one message type.
 *
 * Wire format (protobuf encoding docs): each field is a varint key
 * (field << 3 | wire type) followed by a varint (type 0), 8 bytes (1), a
 * varint length and that many bytes (2) or 4 bytes (5).  Types 3 and 4
 * (groups) are obsolete and rejected.
 */
#include <errno.h>
#include <string.h>

#include "talos_pb.h"

#define PB_MAX_DEPTH	4

struct pb {
	const uint8_t	*p, *end;
};

struct pb_field {
	uint32_t	 num;
	int		 type;
	uint64_t	 v;		/* type 0 */
	const uint8_t	*data;		/* type 2 */
	size_t		 len;
};

static int
pb_varint(struct pb *b, uint64_t *v)
{
	uint64_t r = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		if (b->p >= b->end)
			return -1;
		r |= (uint64_t)(*b->p & 0x7f) << shift;
		if ((*b->p++ & 0x80) == 0) {
			*v = r;
			return 0;
		}
	}
	return -1;		/* more than 10 bytes */
}

/* 1 = a field, 0 = end, -1 = malformed (why set). */
static int
pb_next(struct pb *b, struct pb_field *f, const char **why)
{
	uint64_t key, len;

	if (b->p >= b->end)
		return 0;
	if (pb_varint(b, &key) < 0) {
		*why = "truncated field key";
		return -1;
	}
	f->num = (uint32_t)(key >> 3);
	f->type = (int)(key & 7);
	if (f->num == 0 || key >> 3 > 536870911u) {
		*why = "invalid field number";
		return -1;
	}
	switch (f->type) {
	case 0:
		if (pb_varint(b, &f->v) < 0) {
			*why = "truncated varint";
			return -1;
		}
		return 1;
	case 1:
	case 5:
		len = f->type == 1 ? 8 : 4;
		if ((size_t)(b->end - b->p) < len) {
			*why = "truncated fixed-width field";
			return -1;
		}
		b->p += len;
		return 1;
	case 2:
		if (pb_varint(b, &len) < 0) {
			*why = "truncated length";
			return -1;
		}
		if (len > (uint64_t)(b->end - b->p)) {
			*why = "a length-delimited field runs past the end";
			return -1;
		}
		f->data = b->p;
		f->len = (size_t)len;
		b->p += len;
		return 1;
	default:
		*why = "a wire type protobuf does not have (or a group)";
		return -1;
	}
}

static void
pb_str(char *dst, size_t dlen, const struct pb_field *f)
{
	size_t i, n = f->len < dlen - 1 ? f->len : dlen - 1;

	for (i = 0; i < n; i++)
		dst[i] = f->data[i] >= 0x20 && f->data[i] < 0x7f ?
		    (char)f->data[i] : '?';
	dst[n] = '\0';
}

typedef int (*pb_visit)(const struct pb_field *, void *, int depth,
    const char **why);

static int
pb_walk(const uint8_t *p, size_t len, pb_visit fn, void *arg, int depth,
    const char **why)
{
	struct pb b = { p, p + len };
	struct pb_field f;
	int rc;

	if (depth > PB_MAX_DEPTH) {
		*why = "nesting too deep";
		return -1;
	}
	while ((rc = pb_next(&b, &f, why)) == 1)
		if (fn(&f, arg, depth, why) < 0)
			return -1;
	return rc;
}

static int
v_metadata(const struct pb_field *f, void *arg, int depth, const char **why)
{
	struct nd_talos_version *v = arg;

	(void)depth;
	(void)why;
	if (f->type == 2 && f->num == 1)
		pb_str(v->hostname, sizeof(v->hostname), f);
	else if (f->type == 2 && f->num == 2)
		pb_str(v->error, sizeof(v->error), f);
	return 0;
}

static int
v_info(const struct pb_field *f, void *arg, int depth, const char **why)
{
	struct nd_talos_version *v = arg;
	static const struct { size_t off, len; } slots[] = {
		[1] = { offsetof(struct nd_talos_version, tag), 64 },
		[2] = { offsetof(struct nd_talos_version, sha), 64 },
		[3] = { offsetof(struct nd_talos_version, built), 64 },
		[4] = { offsetof(struct nd_talos_version, go_version), 32 },
		[5] = { offsetof(struct nd_talos_version, os), 16 },
		[6] = { offsetof(struct nd_talos_version, arch), 16 },
	};

	(void)depth;
	(void)why;
	if (f->type == 2 && f->num >= 1 && f->num <= 6)
		pb_str((char *)v + slots[f->num].off, slots[f->num].len, f);
	return 0;
}

static int
v_platform(const struct pb_field *f, void *arg, int depth, const char **why)
{
	struct nd_talos_version *v = arg;

	(void)depth;
	(void)why;
	if (f->type == 2 && f->num == 1)
		pb_str(v->platform, sizeof(v->platform), f);
	else if (f->type == 2 && f->num == 2)
		pb_str(v->mode, sizeof(v->mode), f);
	return 0;
}

static int
v_features(const struct pb_field *f, void *arg, int depth, const char **why)
{
	struct nd_talos_version *v = arg;

	(void)depth;
	(void)why;
	if (f->type == 0 && f->num == 1)
		v->rbac = f->v != 0;
	return 0;
}

static int
v_version(const struct pb_field *f, void *arg, int depth, const char **why)
{
	struct nd_talos_version *v = arg;

	if (f->type != 2)
		return 0;
	switch (f->num) {
	case 1:
		return pb_walk(f->data, f->len, v_metadata, v, depth + 1, why);
	case 2:
		v->has_version = true;
		return pb_walk(f->data, f->len, v_info, v, depth + 1, why);
	case 3:
		v->has_platform = true;
		return pb_walk(f->data, f->len, v_platform, v, depth + 1, why);
	case 4:
		v->has_features = true;
		return pb_walk(f->data, f->len, v_features, v, depth + 1, why);
	}
	return 0;
}

static int
v_response(const struct pb_field *f, void *arg, int depth, const char **why)
{
	struct nd_talos_version *v = arg;

	if (f->type != 2 || f->num != 1)
		return 0;
	/* Only the first node's answer is read; a proxy may send several. */
	if (v->nmessages++ > 0)
		return 0;
	return pb_walk(f->data, f->len, v_version, v, depth + 1, why);
}

int
nd_talos_version_decode(const uint8_t *buf, size_t len,
    struct nd_talos_version *ret, const char **why)
{
	struct nd_talos_version v;

	memset(&v, 0, sizeof(v));
	*why = NULL;
	if (pb_walk(buf, len, v_response, &v, 0, why) < 0)
		return -EBADMSG;
	*ret = v;
	return 0;
}

int
nd_grpc_unframe(const uint8_t *buf, size_t len, size_t max,
    const uint8_t **msg, size_t *msglen, uint32_t *announced,
    const char **why)
{
	uint32_t n;

	if (len < 5) {
		*why = "the answer is shorter than a gRPC message header";
		return -EBADMSG;
	}
	n = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 |
	    (uint32_t)buf[3] << 8 | buf[4];
	*announced = n;
	if (buf[0] != 0) {
		*why = "a compressed gRPC message (none was asked for)";
		return -EBADMSG;
	}
	if (n > max) {
		*why = "the gRPC message header announces more bytes than "
		    "netdoctor accepts";
		return -EBADMSG;
	}
	if (len - 5 < n) {
		*why = "the gRPC message is shorter than its header says";
		return -EBADMSG;
	}
	*msg = buf + 5;
	*msglen = n;
	return 0;
}
