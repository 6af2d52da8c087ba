/*
 * arena.c - chunked bump allocator (nginx pools, for one netdoctor run).
 *
 * A large run (the 10,000-target benchmark) puts some 30 MB here, and
 * touching a fresh 4 KiB page costs a page fault: on a virtual machine
 * one fault is 10 to 30 us, so the faults cost more than the work.  Once
 * an arena holds ARENA_HUGE_AFTER bytes, its chunks are therefore
 * 2 MiB-aligned mappings the kernel may back with one transparent huge
 * page each (madvise mode, the default); where it does not, they are
 * ordinary pages and nothing is lost.  Small runs keep 64 KiB chunks
 * from malloc: one check's arenas stay under the switch.  It is low
 * because every arena that passes it paid a fault for each page before
 * (256 pages at 1 MiB: some 3 ms for each of the run's large arenas).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "arena.h"

#define ARENA_CHUNK	(64 * 1024)
#define ARENA_ALIGN	16
#define ARENA_HUGE	(2 * 1024 * 1024)	/* x86-64, arm64 4K-page THP */
#define ARENA_HUGE_AFTER (256 * 1024)
/* An array that grows past this many bytes grows in a chunk of its own. */
#define ARENA_GROW_OWN	(4 * 1024)

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size, used;
	bool			 mapped;	/* ARENA_HUGE bytes, mmap */
	bool			 grown;		/* malloc'd for one growing array */
	/* payload follows, aligned */
	max_align_t		 data[];
};

struct nd_arena {
	struct arena_chunk	*head;
	size_t			 total;
	bool			 trimmed;	/* no more huge chunks */
	bool			 large;		/* expected past the switch */
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
	a->trimmed = false;
	a->large = false;
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
		if (c->mapped)
			munmap(c, ARENA_HUGE);
		else
			free(c);
	}
	free(a);
}

/* A chunk of ARENA_HUGE bytes at an ARENA_HUGE boundary, or NULL. */
static struct arena_chunk *
arena_huge_chunk(void)
{
	char *m, *p;
	size_t lead;

	m = mmap(NULL, 2 * ARENA_HUGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	lead = (ARENA_HUGE - (uintptr_t)m % ARENA_HUGE) % ARENA_HUGE;
	p = m + lead;
	if (lead > 0)
		(void)munmap(m, lead);
	(void)munmap(p + ARENA_HUGE, ARENA_HUGE - lead);
	(void)madvise(p, ARENA_HUGE, MADV_HUGEPAGE);
	return (struct arena_chunk *)(void *)p;
}

/*
 * n bytes from the head chunk, at an offset rounded up to align (a power
 * of two up to ARENA_ALIGN), not zeroed.  Strings take align 1: a run of
 * 10,000 targets keeps some 100,000 short strings, and rounding each up
 * to 16 bytes cost a tenth of the arena.  *zero says whether the bytes
 * are zero already: a mapped chunk is never written past its use.
 */
static void *
arena_take(struct nd_arena *a, size_t n, size_t align, bool *zero)
{
	struct arena_chunk *c = a->head;
	size_t off;
	void *p;

	if (n > (size_t)-1 - ARENA_ALIGN)
		abort();	/* LCOV_EXCL_LINE: size overflow */
	off = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
	if (c == NULL || off > c->size || c->size - off < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		size_t left = c != NULL && off < c->size ? c->size - off : 0;
		bool big = n > ARENA_CHUNK;

		/*
		 * Past the switch, or for an object that is past it alone (a
		 * config file read whole), a huge chunk if it fits.
		 */
		c = NULL;
		if (!a->trimmed && n <= ARENA_HUGE - sizeof(*c) &&
		    (a->total >= ARENA_HUGE_AFTER || a->large ||
		    n >= ARENA_HUGE_AFTER))
			c = arena_huge_chunk();
		if (c != NULL) {
			size = ARENA_HUGE - sizeof(*c);
			c->mapped = true;
			big = size - n < left;
		} else {
			c = arena_xmalloc(sizeof(*c) + size);
			c->mapped = false;
		}
		c->grown = false;
		c->size = size;
		c->used = 0;
		off = 0;
		/*
		 * A chunk made for one big object goes behind the head so the
		 * head's free space is not wasted.
		 */
		if (big && a->head != NULL) {
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
	*zero = c->mapped;
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
	bool zero;
	void *p;

	if (align == 0 || align > ARENA_ALIGN)
		align = ARENA_ALIGN;
	p = arena_take(a, n, align, &zero);
	if (!zero)		/* a fresh mapping is zero: no early touch */
		memset(p, 0, n);
	return p;
}

void *
nd_arena_alloc_raw(struct nd_arena *a, size_t n)
{
	bool zero;

	return arena_take(a, n, ARENA_ALIGN, &zero);
}

void *
nd_arena_grow(struct nd_arena *a, const void *old, size_t n, size_t cap,
    size_t elemsz)
{
	struct arena_chunk **pc, *c;
	size_t size;
	void *p;

	if (elemsz != 0 && cap > (size_t)-1 / elemsz)
		abort();	/* LCOV_EXCL_LINE: size overflow */
	size = cap * elemsz;
	if (size <= ARENA_GROW_OWN) {
		p = nd_arena_alloc(a, size);
		if (old != NULL && n > 0)
			memcpy(p, old, n * elemsz);
		return p;
	}
	/*
	 * Doubling in the arena leaves every smaller copy behind, as much
	 * again as the array (the route probe's 10,000 dependents and
	 * served endpoints, the inventory's targets): a large array lives
	 * in a chunk of its own that realloc() moves.
	 */
	for (pc = &a->head; (c = *pc) != NULL; pc = &c->next)
		if (c->grown && (const void *)c->data == old)
			break;
	if (c != NULL) {
		*pc = c->next;
		a->total -= c->size;
		c = realloc(c, sizeof(*c) + size);
		if (c == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
	} else {
		c = arena_xmalloc(sizeof(*c) + size);
		if (old != NULL && n > 0)
			memcpy(c->data, old, n * elemsz);
	}
	c->mapped = false;
	c->grown = true;
	c->size = c->used = size;
	memset((char *)c->data + n * elemsz, 0, size - n * elemsz);
	/* Behind the head, so the head's free space is not wasted. */
	if (a->head != NULL) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = NULL;
		a->head = c;
	}
	a->total += size;
	return c->data;
}

char *
nd_arena_strndup(struct nd_arena *a, const char *s, size_t n)
{
	bool zero;
	char *p;

	if (s == NULL)
		return NULL;
	if (n == (size_t)-1)
		abort();	/* LCOV_EXCL_LINE: size overflow */
	p = arena_take(a, n + 1, 1, &zero);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
nd_arena_strdup(struct nd_arena *a, const char *s)
{
	return s == NULL ? NULL : nd_arena_strndup(a, s, strlen(s));
}

/*
 * The digits of v in base 10 or 16 (upper for 'X'), written backwards
 * ending at e; returns the start.
 */
static char *
fmt_utoa(char *e, unsigned long long v, int conv)
{
	const char *digits = conv == 'X' ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	unsigned base = conv == 'x' || conv == 'X' ? 16 : 10;

	do {
		*--e = digits[v % base];
		v /= base;
	} while (v != 0);
	return e;
}

/*
 * vsnprintf(3) for the conversions nearly every arena string uses: %s
 * (with a precision), %c, %d %i %u %x %X (with hh h l ll z j t), the
 * flags '-' and '0' and a field width.  A 10,000-target run formats some
 * 100,000 ids, labels, summaries and evidence values, and glibc's printf
 * cost a thousand instructions each.  Returns the length, or -1 when the
 * format holds anything else, a NULL string or does not fit in len
 * bytes: the caller then asks vsnprintf with its own copy of the
 * arguments, so the result is always what printf would write.
 */
static int
fmt_fast(char *buf, size_t len, const char *fmt, va_list ap)
{
	char *o = buf, *end = buf + len, num[24];
	const char *f = fmt;

	for (;;) {
		const char *lit = f, *s;
		unsigned long long u;
		size_t n, width = 0, prec = (size_t)-1, pad;
		bool left = false, zero = false, neg = false;
		int lmod = 0, conv;

		while (*f != '%' && *f != '\0')
			f++;
		if (f > lit) {
			if ((size_t)(end - o) <= (size_t)(f - lit))
				return -1;
			memcpy(o, lit, (size_t)(f - lit));
			o += f - lit;
		}
		if (*f == '\0')
			break;
		f++;
		for (;; f++) {
			if (*f == '-')
				left = true;
			else if (*f == '0')
				zero = true;
			else
				break;
		}
		while (*f >= '0' && *f <= '9' && width < 4096)
			width = width * 10 + (size_t)(*f++ - '0');
		if (*f == '.') {
			f++;
			if (*f == '*') {
				int p = va_arg(ap, int);

				f++;
				prec = p < 0 ? (size_t)-1 : (size_t)p;
			} else {
				prec = 0;
				while (*f >= '0' && *f <= '9' && prec < 4096)
					prec = prec * 10 + (size_t)(*f++ - '0');
			}
		}
		/* lmod: 1 h, 2 hh, 3 l, 4 ll, 5 z, 6 j, 7 t */
		if (*f == 'h')
			lmod = *++f == 'h' ? (f++, 2) : 1;
		else if (*f == 'l')
			lmod = *++f == 'l' ? (f++, 4) : 3;
		else if (*f == 'z' || *f == 'j' || *f == 't')
			lmod = *f++ == 'z' ? 5 : f[-1] == 'j' ? 6 : 7;
		conv = *f++;
		switch (conv) {
		case '%':
			if (lmod != 0 || width != 0 || left || zero ||
			    prec != (size_t)-1)
				return -1;
			s = "%";
			n = 1;
			break;
		case 's':
			if (lmod != 0 || zero || (s = va_arg(ap, const char *))
			    == NULL)
				return -1;
			n = prec == (size_t)-1 ? strlen(s) : strnlen(s, prec);
			break;
		case 'c':
			if (lmod != 0 || zero || prec != (size_t)-1)
				return -1;
			num[0] = (char)va_arg(ap, int);
			s = num;
			n = 1;
			break;
		case 'd':
		case 'i': {
			long long v;

			if (prec != (size_t)-1)
				return -1;
			switch (lmod) {
			case 0: v = va_arg(ap, int); break;
			case 1: v = (short)va_arg(ap, int); break;
			case 2: v = (signed char)va_arg(ap, int); break;
			case 3: v = va_arg(ap, long); break;
			case 4: v = va_arg(ap, long long); break;
			case 5: v = va_arg(ap, ssize_t); break;
			case 6: v = va_arg(ap, intmax_t); break;
			default: v = va_arg(ap, ptrdiff_t); break;
			}
			neg = v < 0;
			u = neg ? 0ull - (unsigned long long)v :
			    (unsigned long long)v;
			s = fmt_utoa(num + sizeof(num), u, conv);
			n = (size_t)(num + sizeof(num) - s);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			if (prec != (size_t)-1)
				return -1;
			switch (lmod) {
			case 0: u = va_arg(ap, unsigned); break;
			case 1: u = (unsigned short)va_arg(ap, unsigned); break;
			case 2: u = (unsigned char)va_arg(ap, unsigned); break;
			case 3: u = va_arg(ap, unsigned long); break;
			case 4: u = va_arg(ap, unsigned long long); break;
			case 5: u = va_arg(ap, size_t); break;
			case 6: u = va_arg(ap, uintmax_t); break;
			default: u = (size_t)va_arg(ap, ptrdiff_t); break;
			}
			s = fmt_utoa(num + sizeof(num), u, conv);
			n = (size_t)(num + sizeof(num) - s);
			break;
		default:
			return -1;	/* %f, %p, %n, '#', '+', ' ', '*' ... */
		}
		pad = width > n + neg ? width - n - neg : 0;
		if ((size_t)(end - o) <= n + neg + pad)
			return -1;
		if (pad > 0 && !left && !zero) {
			memset(o, ' ', pad);
			o += pad;
		}
		if (neg)
			*o++ = '-';
		if (pad > 0 && !left && zero) {
			memset(o, '0', pad);
			o += pad;
		}
		memcpy(o, s, n);
		o += n;
		if (pad > 0 && left) {
			memset(o, ' ', pad);
			o += pad;
		}
	}
	*o = '\0';
	return (int)(o - buf);
}

char *
nd_arena_vprintf(struct nd_arena *a, const char *fmt, va_list ap)
{
	char buf[256];
	va_list ap2;
	bool zero;
	int n;
	char *p;

	/* Most evidence is short: format once, on the stack. */
	va_copy(ap2, ap);
	n = fmt_fast(buf, sizeof(buf), fmt, ap2);
	va_end(ap2);
	if (n >= 0)
		return nd_arena_strndup(a, buf, (size_t)n);
	va_copy(ap2, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return nd_arena_strdup(a, "");
	if ((size_t)n < sizeof(buf))
		return nd_arena_strndup(a, buf, (size_t)n);
	p = arena_take(a, (size_t)n + 1, 1, &zero);
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

/*
 * An arena done growing (the inputs' before the probes run, the round's
 * before the report is built) maps no new huge chunk: what comes later
 * fills the head chunk's rest, then small chunks.  The last phase of a
 * 10,000-target run (the report model) would otherwise leave a new huge
 * chunk mostly unused.  The head's unused pages are not given back: a
 * huge page would have to be split for it, and on a virtual machine the
 * split made the next phase pay 3 ms (the diagnosis of 10,000 probes,
 * 0.4 ms otherwise: interleaved runs) for at most 2 MiB, which the model
 * then mostly fills.
 */
void
nd_arena_trim(struct nd_arena *a)
{
	a->trimmed = true;
}

size_t
nd_arena_bytes(const struct nd_arena *a)
{
	return a->total;
}

void
nd_arena_expect(struct nd_arena *a, size_t n)
{
	if (n >= ARENA_HUGE_AFTER)
		a->large = true;
}
