/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_compat.c: the libevent 1.x calls, which act on one process-wide
 * "current" base made by event_init(), and event_base_set().
 */
#include "event-internal.h"

#include <event2/event_compat.h>

struct event_base *
event_init(void)
{
    struct event_base *base = event_base_new_with_config(NULL);

    if (base == NULL)
        vg_log_errx(1, "%s: unable to construct event_base", __func__);
    vg_current_base = base;
    return base;
}

int
event_dispatch(void)
{
    return event_loop(0);
}

int
event_loop(int flags)
{
    return event_base_loop(vg_current_base, flags);
}

int
event_loopexit(const struct timeval *tv)
{
    return event_base_loopexit(vg_current_base, tv);
}

int
event_loopbreak(void)
{
    return event_base_loopbreak(vg_current_base);
}

int
event_once(evutil_socket_t fd, short events,
           void (*callback)(evutil_socket_t, short, void *), void *arg,
           const struct timeval *tv)
{
    return event_base_once(vg_current_base, fd, events, callback, arg, tv);
}

const char *
event_get_method(void)
{
    return vg_current_base ? event_base_get_method(vg_current_base) : NULL;
}

int
event_priority_init(int npriorities)
{
    return event_base_priority_init(vg_current_base, npriorities);
}

void
event_set(struct event *ev, evutil_socket_t fd, short events,
          void (*callback)(evutil_socket_t, short, void *), void *arg)
{
    event_assign(ev, vg_current_base, fd, events, callback, arg);
}

int
event_base_set(struct event_base *base, struct event *ev)
{
    /* Only an event that is not pending may move to another base. */
    if (base == NULL || ev == NULL ||
        (ev->ev_evcallback.evcb_flags &
         (EVLIST_INSERTED | EVLIST_ACTIVE | EVLIST_TIMEOUT)))
        return -1;
    ev->ev_base = base;
    ev->ev_evcallback.evcb_pri = (ev_uint8_t)(base->nactivequeues / 2);
    return 0;
}
