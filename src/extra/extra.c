/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * extra.c: what the parts of libevent_extra share (extra-internal.h): the
 * core's service table and the memory functions on it; and the library's
 * identification string.
 */
#include <event2/event-config.h>
#include <event2/event.h>

#include <string.h>

#include "extra-internal.h"

const char vigil_extra_ident_[] = "Vigil " VIGIL_VERSION " libevent_extra";

static const struct vg_core_bridge *core_bridge;

const struct vg_core_bridge *
vg_extra_core(void)
{
    const struct vg_core_bridge *c;
    struct event_config *cfg;

    c = __atomic_load_n(&core_bridge, __ATOMIC_ACQUIRE);
    if (c != NULL)
        return c;
    /* Any thread may get here first: each stores the same pointer. */
    cfg = event_config_new();
    if (cfg == NULL)
        return NULL;
    c = vg_core_bridge_of_config(cfg);
    event_config_free(cfg);
    __atomic_store_n(&core_bridge, c, __ATOMIC_RELEASE);
    return c;
}

void *
vg_extra_malloc(size_t n)
{
    const struct vg_core_bridge *c = vg_extra_core();

    return c != NULL ? c->malloc(n) : NULL;
}

void *
vg_extra_calloc(size_t n, size_t size)
{
    const struct vg_core_bridge *c = vg_extra_core();

    return c != NULL ? c->calloc(n, size) : NULL;
}

void *
vg_extra_realloc(void *p, size_t n)
{
    const struct vg_core_bridge *c = vg_extra_core();

    return c != NULL ? c->realloc(p, n) : NULL;
}

void
vg_extra_free(void *p)
{
    /* Memory exists only if an allocation found the table. */
    if (p != NULL)
        __atomic_load_n(&core_bridge, __ATOMIC_ACQUIRE)->free(p);
}

char *
vg_extra_strdup(const char *s)
{
    size_t n;
    char *p;

    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    p = vg_extra_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}
