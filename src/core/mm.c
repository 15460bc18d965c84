/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * mm.c: the replaceable allocator behind every allocation in Vigil.
 */
#include <event2/event.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm-internal.h"

void *(*vg_mm_malloc_fn)(size_t);
static void *(*mm_realloc_fn)(void *, size_t);
static void (*mm_free_fn)(void *);

void
event_set_mem_functions(void *(*malloc_fn)(size_t sz),
                        void *(*realloc_fn)(void *ptr, size_t sz),
                        void (*free_fn)(void *ptr))
{
    vg_mm_malloc_fn = malloc_fn;
    mm_realloc_fn = realloc_fn;
    mm_free_fn = free_fn;
}

void *
vg_mm_malloc_slow(size_t size)
{
    void *p;

    /* vg_mm_malloc() comes here for size 0 or with a replacement set. */
    if (size == 0)
        return NULL;
    p = vg_mm_malloc_fn(size);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *
vg_mm_calloc(size_t count, size_t size)
{
    void *p;

    if (count == 0 || size == 0)
        return NULL;
    if (count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    if (vg_mm_malloc_fn == NULL && count * size <= 1024) {
        /* glibc's calloc() never takes from its per-thread cache; a
         * small block is cheaper from malloc() and cleared here. */
        p = malloc(count * size);
        /* Hide where p came from, or the compiler folds malloc() and
         * memset() back into calloc(). */
        __asm__("" : "+r"(p));
        if (p == NULL)
            errno = ENOMEM;
        else
            memset(p, 0, count * size);
        return p;
    }
    if (vg_mm_malloc_fn == NULL) {
        p = calloc(count, size);
        if (p == NULL)
            errno = ENOMEM;
        return p;
    }
    p = vg_mm_malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *
vg_mm_realloc(void *ptr, size_t size)
{
    void *p;

    if (size == 0) {
        /* Never shrink to nothing: keep ptr and report no memory. */
        errno = ENOMEM;
        return NULL;
    }
    p = mm_realloc_fn ? mm_realloc_fn(ptr, size) : realloc(ptr, size);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *
vg_mm_reallocarray(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return vg_mm_realloc(ptr, count * size);
}

char *
vg_mm_strndup(const char *s, size_t len)
{
    char *copy;

    if (len == SIZE_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    copy = vg_mm_malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *
vg_mm_strdup(const char *s)
{
    return vg_mm_strndup(s, strlen(s));
}

void
vg_mm_free(void *ptr)
{
    if (ptr == NULL)
        return;
    if (mm_free_fn)
        mm_free_fn(ptr);
    else
        free(ptr);
}
