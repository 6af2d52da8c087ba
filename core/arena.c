/*
 * arena.c - chunked bump allocator (nginx pools, for one netdoctor run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK	(64 * 1024)
#define ARENA_ALIGN	16

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size, used;
	/* payload follows, aligned */
	max_align_t		 data[];
};

struct nd_arena {
	struct arena_chunk	*head;
	size_t			 total;
};

static void *
arena_xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		/* LCOV_EXCL_START: OutOfMemory */
		fputs("netdoctor: out of memory\n", stderr);
		abort();
		/* LCOV_EXCL_STOP */
	}
	return p;
}

struct nd_arena *
nd_arena_new(void)
{
	struct nd_arena *a = arena_xmalloc(sizeof(*a));

	a->head = NULL;
	a->total = 0;
	return a;
}

void
nd_arena_free(struct nd_arena *a)
{
	struct arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/*
 * n bytes from the head chunk, at an offset rounded up to align (a power
 * of two up to ARENA_ALIGN), not zeroed.  Strings take align 1: a run of
 * 10,000 targets keeps some 100,000 short strings, and rounding each up
 * to 16 bytes cost a tenth of the arena.
 */
static void *
arena_take(struct nd_arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;
	size_t off;
	void *p;

	if (n > (size_t)-1 - ARENA_ALIGN)
		abort();	/* LCOV_EXCL_LINE: size overflow */
	off = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
	if (c == NULL || off > c->size || c->size - off < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = arena_xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		off = 0;
		/*
		 * A chunk made for one big object goes behind the head so the
		 * head's free space is not wasted.
		 */
		if (size > ARENA_CHUNK && a->head != NULL) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->total += size;
	}
	p = (char *)c->data + off;
	c->used = off + n;
	return p;
}

void *
nd_arena_alloc(struct nd_arena *a, size_t n)
{
	/*
	 * A type's alignment divides its size, so the lowest set bit of n
	 * is enough for any object or array of n bytes: an array of one
	 * pointer takes 8 bytes, not 16.
	 */
	size_t align = n & -n;
	void *p;

	if (align == 0 || align > ARENA_ALIGN)
		align = ARENA_ALIGN;
	p = arena_take(a, n, align);
	memset(p, 0, n);
	return p;
}

void *
nd_arena_grow(struct nd_arena *a, const void *old, size_t n, size_t cap,
    size_t elemsz)
{
	void *p;

	if (elemsz != 0 && cap > (size_t)-1 / elemsz)
		abort();	/* LCOV_EXCL_LINE: size overflow */
	p = nd_arena_alloc(a, cap * elemsz);
	if (old != NULL && n > 0)
		memcpy(p, old, n * elemsz);
	return p;
}

char *
nd_arena_strndup(struct nd_arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	if (n == (size_t)-1)
		abort();	/* LCOV_EXCL_LINE: size overflow */
	p = arena_take(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
nd_arena_strdup(struct nd_arena *a, const char *s)
{
	return s == NULL ? NULL : nd_arena_strndup(a, s, strlen(s));
}

char *
nd_arena_vprintf(struct nd_arena *a, const char *fmt, va_list ap)
{
	char buf[256];
	va_list ap2;
	int n;
	char *p;

	/* Most evidence is short: format once, on the stack. */
	va_copy(ap2, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return nd_arena_strdup(a, "");
	if ((size_t)n < sizeof(buf))
		return nd_arena_strndup(a, buf, (size_t)n);
	p = arena_take(a, (size_t)n + 1, 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
nd_arena_printf(struct nd_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = nd_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t
nd_arena_bytes(const struct nd_arena *a)
{
	return a->total;
}
