/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_callback.c: callbacks run from the active queues without an
 * event (struct event_callback: evbuffers' and bufferevents' deferred
 * callbacks), the queue of callbacks activated for the next iteration,
 * and waking a loop that sleeps in another thread (an eventfd read by an
 * internal event).
 */
#include "event-internal.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* The queue of callbacks activated for the next iteration.           */

void
vg_make_later_events_active(struct event_base *base)
{
    struct event_callback *cb;

    base->n_deferreds_queued = 0;
    while ((cb = TAILQ_FIRST(&base->active_later)) != NULL) {
        TAILQ_REMOVE(&base->active_later, cb, evcb_active_next);
        cb->evcb_flags &= ~EVLIST_ACTIVE_LATER;
        base->n_active_later--;
        if (cb->evcb_pri >= base->nactivequeues)
            cb->evcb_pri = (ev_uint8_t)(base->nactivequeues - 1);
        cb->evcb_flags |= EVLIST_ACTIVE;
        base->n_active++;
        TAILQ_INSERT_TAIL(&base->activequeues[cb->evcb_pri], cb,
                          evcb_active_next);
    }
}

/* ------------------------------------------------------------------ */
/* Deferred callbacks (struct event_callback without an event).       */

void
vg_event_callback_init(struct event_base *base, struct event_callback *cb,
                       void (*fn)(struct event_callback *, void *), void *arg,
                       int priority)
{
    memset(cb, 0, sizeof(*cb));
    cb->evcb_cb_union.evcb_selfcb = fn;
    cb->evcb_arg = arg;
    cb->evcb_pri =
        (ev_uint8_t)(priority < 0 ? base->nactivequeues - 1 : priority);
    cb->evcb_closure = VG_CLOSURE_CB_SELF;
}

int
vg_event_callback_activate(struct event_base *base, struct event_callback *cb)
{
    if (cb->evcb_flags & EVLIST_FINALIZING)
        return 0;
    if (cb->evcb_flags & EVLIST_ACTIVE)
        return 0;
    if (cb->evcb_flags & EVLIST_ACTIVE_LATER)
        vg_queue_remove_active_later(base, cb);
    vg_queue_insert_active(base, cb);
    return 1;
}

int
vg_event_callback_activate_later(struct event_base *base,
                                 struct event_callback *cb)
{
    if (cb->evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))
        return 0;
    vg_queue_insert_active_later(base, cb);
    return 1;
}

/* How many deferred callbacks may run in the iteration that scheduled
 * them. */
#define MAX_DEFERREDS_AT_ONCE 32

int
vg_event_deferred_schedule(struct event_base *base, struct event_callback *cb)
{
    int r;

    if (base->n_deferreds_queued >= MAX_DEFERREDS_AT_ONCE)
        return vg_event_callback_activate_later(base, cb);
    r = vg_event_callback_activate(base, cb);
    if (r)
        base->n_deferreds_queued++;
    return r;
}

int
vg_event_callback_cancel(struct event_base *base, struct event_callback *cb)
{
    if (cb->evcb_flags & EVLIST_ACTIVE) {
        vg_queue_remove_active(base, cb);
        return 1;
    }
    if (cb->evcb_flags & EVLIST_ACTIVE_LATER) {
        vg_queue_remove_active_later(base, cb);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Waking a loop that sleeps in another thread.                       */

static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
    uint64_t count;

    (void)what;
    (void)arg;
    /* One read takes the eventfd's whole count. */
    if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
        vg_log_warn("%s: read", __func__);
}

void
vg_base_notify(struct event_base *base)
{
    uint64_t one = 1;
    ssize_t n;

    if (base->th_notify_fd < 0)
        return;
    /* One wake-up is enough until the loop sleeps again. */
    base->th_sleeping = 0;
    n = write(base->th_notify_fd, &one, sizeof(one));
    (void)n;
}

int
vg_base_make_notifiable(struct event_base *base)
{
    int fd;

    if (base->th_notify_fd >= 0)
        return 0;
    fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) {
        vg_log_warn("%s: eventfd", __func__);
        return -1;
    }
    event_assign(&base->th_notify, base, fd, EV_READ | EV_PERSIST, notify_cb,
                 base);
    base->th_notify.ev_evcallback.evcb_flags |= EVLIST_INTERNAL;
    base->th_notify.ev_evcallback.evcb_pri = 0;
    if (vg_event_add_nolock(&base->th_notify, NULL, 0) < 0) {
        close(fd);
        return -1;
    }
    base->th_notify_fd = fd;
    return 0;
}

void
vg_base_close_notify(struct event_base *base)
{
    if (base->th_notify_fd < 0)
        return;
    vg_event_del_nolock(&base->th_notify);
    close(base->th_notify_fd);
    base->th_notify_fd = -1;
}

int
evthread_make_base_notifiable(struct event_base *base)
{
    int rc;

    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    rc = vg_base_make_notifiable(base);
    BASE_UNLOCK(base);
    return rc;
}
