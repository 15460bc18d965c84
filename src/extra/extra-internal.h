/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * extra-internal.h: what every part of libevent_extra (evdns, evhttp,
 * evtag, evrpc) shares: the core's service table (bridge-internal.h) and
 * memory that honours event_set_mem_functions().  Included by the files
 * of src/extra/ and by white-box tests; never installed.
 */
#ifndef VIGIL_EXTRA_INTERNAL_H
#define VIGIL_EXTRA_INTERNAL_H

#include <stddef.h>

#include "bridge-internal.h"

/* The core's table.  libevent_extra holds no base of its own, so it is
 * read once off a throwaway event_config (which has no side effect) and
 * kept.  NULL only when memory for that runs out.  Safe from any
 * thread. */
const struct vg_core_bridge *vg_extra_core(void);

/* Memory from the core's functions, so whatever libevent_extra hands out
 * or takes back matches event_set_mem_functions().  Without the table an
 * allocation fails: plain malloc() could later meet the user's free(). */
void *vg_extra_malloc(size_t n);
void *vg_extra_calloc(size_t n, size_t size);
void *vg_extra_realloc(void *p, size_t n);
void vg_extra_free(void *p);
/* A copy of s (NULL when s is NULL or memory runs out). */
char *vg_extra_strdup(const char *s);

#endif
