/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bridge.c: the table of core services that libevent_extra and
 * libevent_openssl reach through any event_base (bridge-internal.h).
 */
#include <stddef.h>

#include "event-internal.h"
#include "mm-internal.h"

_Static_assert(offsetof(struct event_base, bridge) == 0,
               "the bridge pointer must start struct event_base");
_Static_assert(offsetof(struct event_config, bridge) == 0,
               "the bridge pointer must start struct event_config");

static void *
bridge_malloc(size_t size)
{
    return vg_mm_malloc(size);
}

static struct event_base *
bridge_current_base(void)
{
    return vg_current_base;
}

const struct vg_core_bridge vg_core_bridge = {
    .size = sizeof(struct vg_core_bridge),
    .malloc = bridge_malloc,
    .calloc = vg_mm_calloc,
    .realloc = vg_mm_realloc,
    .free = vg_mm_free,
    .log = vg_log_emit,
    .current_base = bridge_current_base,
};
