/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_introspect.c: looking inside a base: the running event, the event
 * counts, event_base_foreach_event, event_base_dump_events (in libevent's
 * format, which tools parse), and activating events by fd or signal from
 * outside the loop.
 */
#include "event-timer-internal.h"

#include <stdio.h>

struct event *
event_base_get_running_event(struct event_base *base)
{
    struct event *ev = NULL;

    BASE_LOCK(base);
    /* Only the loop's own thread is running the callback it would see. */
    if (base->th_owner_id == vg_thread_id()) {
        struct event_callback *cb = base->current_event;

        if (cb != NULL && (cb->evcb_flags & EVLIST_INIT))
            ev = (struct event *)cb;
    }
    BASE_UNLOCK(base);
    return ev;
}

int
event_base_get_num_events(struct event_base *base, unsigned int type)
{
    int n = 0;

    BASE_LOCK(base);
    if (type & EVENT_BASE_COUNT_ACTIVE)
        n += base->event_count_active;
    if (type & EVENT_BASE_COUNT_VIRTUAL)
        n += base->virtual_event_count;
    if (type & EVENT_BASE_COUNT_ADDED)
        n += base->event_count;
    BASE_UNLOCK(base);
    return n;
}

int
event_base_get_max_events(struct event_base *base, unsigned int type, int clear)
{
    int n = 0;

    BASE_LOCK(base);
    if (type & EVENT_BASE_COUNT_ACTIVE) {
        n += base->event_count_active_max;
        if (clear)
            base->event_count_active_max = base->event_count_active;
    }
    if (type & EVENT_BASE_COUNT_VIRTUAL) {
        n += base->virtual_event_count_max;
        if (clear)
            base->virtual_event_count_max = base->virtual_event_count;
    }
    if (type & EVENT_BASE_COUNT_ADDED) {
        n += base->event_count_max;
        if (clear)
            base->event_count_max = base->event_count;
    }
    BASE_UNLOCK(base);
    return n;
}

/* Calls fn for each inserted, timed or active event once; internal events
 * (the base's own) only when with_internal is set. */
static int
foreach_event(struct event_base *base, event_base_foreach_event_cb fn,
              void *arg, short with_internal)
{
    short skip = with_internal ? 0 : EVLIST_INTERNAL;
    int fd, sig, i, r;
    unsigned h;

    /* Each event once: the maps hold inserted ones, the timers those that
     * are only waiting for a timeout, the queues those that are only
     * active. */
    for (fd = 0; fd < base->nfds; fd++) {
        struct event *ev;

        LIST_FOREACH(ev, &base->fds[fd].events, ev_.ev_io.ev_io_next)
        {
            if (ev->ev_evcallback.evcb_flags & skip)
                continue;
            if ((r = fn(base, ev, arg)) != 0)
                return r;
        }
    }
    for (sig = 1; sig < NSIG; sig++) {
        struct event *ev;

        LIST_FOREACH(ev, &base->sigs[sig].events, ev_.ev_signal.ev_signal_next)
        {
            if (ev->ev_evcallback.evcb_flags & skip)
                continue;
            if ((r = fn(base, ev, arg)) != 0)
                return r;
        }
    }
    for (h = 0; h < base->heap_n; h++) {
        struct event *ev = base->heap[h].ev;
        short f = ev->ev_evcallback.evcb_flags;

        if ((f & skip) || (f & EVLIST_INSERTED))
            continue;
        if ((r = fn(base, ev, arg)) != 0)
            return r;
    }
    for (i = 0; i < base->n_common_timeouts; i++) {
        struct event *ev;

        TAILQ_FOREACH(ev, &base->common_timeouts[i]->events,
                      ev_timeout_pos.ev_next_with_common_timeout)
        {
            short f = ev->ev_evcallback.evcb_flags;

            if ((f & skip) || (f & EVLIST_INSERTED))
                continue;
            if ((r = fn(base, ev, arg)) != 0)
                return r;
        }
    }
    for (i = 0; i < base->nactivequeues; i++) {
        struct event_callback *cb;

        TAILQ_FOREACH(cb, &base->activequeues[i], evcb_active_next)
        {
            short f = cb->evcb_flags;

            if (!(f & EVLIST_INIT) || (f & skip) ||
                (f & (EVLIST_INSERTED | EVLIST_TIMEOUT)))
                continue;
            if ((r = fn(base, (struct event *)cb, arg)) != 0)
                return r;
        }
    }
    return 0;
}

int
event_base_foreach_event(struct event_base *base,
                         event_base_foreach_event_cb fn, void *arg)
{
    int r;

    if (base == NULL || fn == NULL)
        return -1;
    /* fn runs with the lock held and must not add or delete events. */
    BASE_LOCK(base);
    r = foreach_event(base, fn, arg, 0);
    BASE_UNLOCK(base);
    return r;
}

/* event_base_dump_events prints libevent's two sections, "Inserted
 * events:" and "Active events:", line for line in libevent's format and
 * order (each section walks the events as event_base_foreach_event does,
 * internal ones included), since tools parse it. */
static int
dump_inserted(const struct event_base *base, const struct event *e, void *arg)
{
    FILE *out = arg;
    short f = e->ev_evcallback.evcb_flags;
    const char *kind = (e->ev_events & EV_SIGNAL) ? "sig" : "fd ";

    /* An event that is only active belongs to the second section. */
    if (!(f & (EVLIST_INSERTED | EVLIST_TIMEOUT)))
        return 0;
    fprintf(out, "  %p [%s %d]%s%s%s%s%s%s%s", (const void *)e, kind,
            (int)e->ev_fd, (e->ev_events & EV_READ) ? " Read" : "",
            (e->ev_events & EV_WRITE) ? " Write" : "",
            (e->ev_events & EV_CLOSED) ? " EOF" : "",
            (e->ev_events & EV_SIGNAL) ? " Signal" : "",
            (e->ev_events & EV_PERSIST) ? " Persist" : "",
            (e->ev_events & EV_ET) ? " ET" : "",
            (f & EVLIST_INTERNAL) ? " Internal" : "");
    if (f & EVLIST_TIMEOUT) {
        vg_usec_t at = vg_tv_plain_usec(&e->ev_timeout) +
                       vg_tv_to_usec(&base->tv_clock_diff);

        fprintf(out, " Timeout=%lld.%06d", (long long)(at / 1000000),
                (int)(at % 1000000));
    }
    fputc('\n', out);
    return 0;
}

static int
dump_active(const struct event_base *base, const struct event *e, void *arg)
{
    FILE *out = arg;
    short f = e->ev_evcallback.evcb_flags;

    (void)base;
    if (!(f & EVLIST_ACTIVE))
        return 0;
    fprintf(out, "  %p [%s %d, priority=%d]%s%s%s%s%s active\n",
            (const void *)e, (e->ev_events & EV_SIGNAL) ? "sig" : "fd ",
            (int)e->ev_fd, (int)e->ev_evcallback.evcb_pri,
            (e->ev_res & EV_READ) ? " Read" : "",
            (e->ev_res & EV_WRITE) ? " Write" : "",
            (e->ev_res & EV_CLOSED) ? " EOF" : "",
            (e->ev_res & EV_SIGNAL) ? " Signal" : "",
            (e->ev_res & EV_TIMEOUT) ? " Timeout" : "");
    return 0;
}

void
event_base_dump_events(struct event_base *base, FILE *output)
{
    if (base == NULL || output == NULL)
        return;
    BASE_LOCK(base);
    fputs("Inserted events:\n", output);
    foreach_event(base, dump_inserted, output, 1);
    fputs("Active events:\n", output);
    foreach_event(base, dump_active, output, 1);
    BASE_UNLOCK(base);
}

/* EV_TIMEOUT in event_base_active_by_fd: every event on that fd waiting
 * for a timeout runs as if it had timed out (it stays scheduled). */
static void
activate_timeouts_of_fd(struct event_base *base, evutil_socket_t fd)
{
    unsigned i;
    int c;

    for (i = 0; i < base->heap_n; i++) {
        struct event *ev = base->heap[i].ev;

        if (ev->ev_fd == fd && !(ev->ev_events & EV_SIGNAL))
            vg_event_active_nolock(ev, EV_TIMEOUT, 1);
    }
    for (c = 0; c < base->n_common_timeouts; c++) {
        struct event *ev;

        TAILQ_FOREACH(ev, &base->common_timeouts[c]->events,
                      ev_timeout_pos.ev_next_with_common_timeout)
        {
            if (ev->ev_fd == fd && !(ev->ev_events & EV_SIGNAL))
                vg_event_active_nolock(ev, EV_TIMEOUT, 1);
        }
    }
}

void
event_base_active_by_fd(struct event_base *base, evutil_socket_t fd,
                        short events)
{
    if (base == NULL || fd < 0)
        return;
    BASE_LOCK(base);
    if (events & EV_TIMEOUT)
        activate_timeouts_of_fd(base, fd);
    vg_evmap_io_active(base, fd, events & VG_EV_IO_MASK);
    vg_base_wake(base);
    BASE_UNLOCK(base);
}

void
event_base_active_by_signal(struct event_base *base, int sig)
{
    if (base == NULL || sig <= 0 || sig >= NSIG)
        return;
    BASE_LOCK(base);
    vg_evmap_signal_active(base, sig, 1);
    vg_base_wake(base);
    BASE_UNLOCK(base);
}
