/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * mm-internal.h: every allocation Vigil makes goes through these, so that
 * event_set_mem_functions() replaces them all.  Sizes are checked for
 * overflow here, once, rather than at every call site.
 *
 * What it holds: the allocation functions (mm.c) and the program's
 * replacement malloc pointer, read inline on the fast path.
 *
 * Who may include it: any layer (it is part of util, the bottom one).
 *
 * Locking and ownership: the replacements are set once, before any
 * allocation (as event_set_mem_functions() requires), and only read
 * afterwards, without a lock.  Memory from vg_mm_* goes back through
 * vg_mm_free(), never free(), and belongs to whoever allocated it.
 */
#ifndef VIGIL_MM_INTERNAL_H
#define VIGIL_MM_INTERNAL_H

#include <stddef.h>
#include <stdlib.h>

/* The program's malloc replacement (event_set_mem_functions), or NULL. */
extern void *(*vg_mm_malloc_fn)(size_t);

/* vg_mm_malloc() when a replacement is set or size is 0. */
void *vg_mm_malloc_slow(size_t size);

/* Allocates size bytes.  Returns NULL with errno ENOMEM on failure, and
 * NULL for size 0 (callers never ask for nothing).  Without a
 * replacement, straight to malloc(), which sets ENOMEM itself. */
static inline void *
vg_mm_malloc(size_t size)
{
    if (__builtin_expect(vg_mm_malloc_fn == NULL && size != 0, 1))
        return malloc(size);
    return vg_mm_malloc_slow(size);
}

/* Allocates a zeroed array of count elements of size bytes each.  Returns
 * NULL (errno ENOMEM) on failure or if count * size overflows. */
void *vg_mm_calloc(size_t count, size_t size);

/* Resizes ptr (which may be NULL) to size bytes.  On failure returns NULL
 * with errno ENOMEM and leaves ptr untouched. */
void *vg_mm_realloc(void *ptr, size_t size);

/* Resizes ptr to count * size bytes, failing cleanly on overflow. */
void *vg_mm_reallocarray(void *ptr, size_t count, size_t size);

/* Returns a copy of the NUL-terminated string s, or NULL. */
char *vg_mm_strdup(const char *s);

/* Returns a NUL-terminated copy of the first len bytes of s, or NULL. */
char *vg_mm_strndup(const char *s, size_t len);

/* Frees ptr; NULL is allowed. */
void vg_mm_free(void *ptr);

#endif
