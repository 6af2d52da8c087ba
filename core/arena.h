/*
 * arena.h - per-run bump allocator.  Findings, evidence, target strings and
 * the report live here and are freed together when the run ends, so
 * diagnosis and reporters never free anything.  Allocation failure aborts:
 * an out-of-memory netdoctor cannot produce a truthful report anyway.
 */
#ifndef ND_ARENA_H
#define ND_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct nd_arena;

struct nd_arena	*nd_arena_new(void);
void		 nd_arena_free(struct nd_arena *);	/* accepts NULL */

/* Zeroed, aligned for any type. */
void		*nd_arena_alloc(struct nd_arena *, size_t);
/*
 * Not zeroed, aligned for any type: for a buffer the caller fills at
 * once (a file read whole), where zeroing would touch every page twice.
 */
void		*nd_arena_alloc_raw(struct nd_arena *, size_t);
/*
 * Growable array helper: old's n elements with room for cap, the new
 * part zeroed.  old is no longer valid afterwards (an array past 4 KiB
 * lives in a chunk of its own that is moved, not copied).
 */
void		*nd_arena_grow(struct nd_arena *, const void *old, size_t n,
		    size_t cap, size_t elemsz);
char		*nd_arena_strdup(struct nd_arena *, const char *);	/* NULL -> NULL */
char		*nd_arena_strndup(struct nd_arena *, const char *, size_t);
char		*nd_arena_printf(struct nd_arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*nd_arena_vprintf(struct nd_arena *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
/* Done growing (mostly): later chunks are small ones. */
void		 nd_arena_trim(struct nd_arena *);
size_t		 nd_arena_bytes(const struct nd_arena *);
/*
 * The arena will hold about this many bytes: past the switch to huge
 * chunks (arena.c), it takes them from the next chunk on instead of
 * first filling small ones page by page.
 */
void		 nd_arena_expect(struct nd_arena *, size_t);

#endif /* ND_ARENA_H */
