/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event.c: events: assigning, adding, deleting, activating, finalizing
 * and freeing them, their getters, and event_base_once.
 *
 * Where an event lives (the struct event fields record which of these
 * hold it, in ev_evcallback.evcb_flags):
 *  - an I/O event is on its fd's list in base->fds, a signal event on its
 *    signal's list in base->sigs (evmap.c);
 *  - an event with a timeout is in the min-heap base->heap, or, when its
 *    duration came from event_base_init_common_timeout(), at the tail of
 *    that duration's queue (event-timer-internal.h, event_timer.c);
 *  - an active event or callback is on base->activequeues[priority]
 *    (event-internal.h), run by the loop (event_loop.c).
 */
#include "event-timer-internal.h"

#include <errno.h>
#include <string.h>

#include "mm-internal.h"

/* ------------------------------------------------------------------ */
/* Adding and deleting, with the base lock held.                      */

int
vg_event_add_nolock(struct event *ev, const struct timeval *tv,
                    int tv_is_absolute)
{
    struct event_base *base = ev->ev_base;
    struct event_callback *cb = &ev->ev_evcallback;
    int rc = 0;

    if (cb->evcb_flags & EVLIST_FINALIZING) {
        errno = EINVAL;
        return -1;
    }
    /* Reserve the heap slot first, so that nothing can fail after the
     * event joined a map. */
    if (tv != NULL && !(cb->evcb_flags & EVLIST_TIMEOUT) &&
        !vg_is_common_timeout(tv, base) &&
        vg_heap_reserve(base, base->heap_n + 1) < 0)
        return -1;

    if ((ev->ev_events & (VG_EV_IO_MASK | EV_SIGNAL)) &&
        !(cb->evcb_flags &
          (EVLIST_INSERTED | EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))) {
        if (ev->ev_events & EV_SIGNAL)
            rc = vg_evmap_signal_add(base, ev);
        else
            rc = vg_evmap_io_add(base, ev);
        if (rc < 0)
            return -1;
        vg_count_added(base, cb, 1);
        cb->evcb_flags |= EVLIST_INSERTED;
    }

    if (tv != NULL) {
        vg_usec_t now, when;
        int common = vg_is_common_timeout(tv, base);
        /* A timer moving within the heap is adjusted in place. */
        int adjust = !common && (cb->evcb_flags & EVLIST_TIMEOUT) &&
                     !vg_is_common_timeout(&ev->ev_timeout, base);

        if (cb->evcb_closure == VG_CLOSURE_PERSIST && !tv_is_absolute)
            ev->ev_.ev_io.ev_timeout = *tv;
        if ((cb->evcb_flags & EVLIST_TIMEOUT) && !adjust)
            vg_timeout_remove(base, ev);
        /* An event that is active because it timed out, and gets a new
         * timeout, is no longer active for the old one. */
        if ((cb->evcb_flags & EVLIST_ACTIVE) && (ev->ev_res & EV_TIMEOUT)) {
            if (ev->ev_events & EV_SIGNAL)
                ev->ev_.ev_signal.ev_ncalls = 0;
            vg_queue_remove_active(base, cb);
        }
        now = vg_base_now(base);
        if (tv_is_absolute)
            when = vg_tv_plain_usec(tv);
        else
            when = vg_clamp_usec(now + vg_tv_plain_usec(tv));
        vg_usec_to_tv(when, &ev->ev_timeout);

        if (adjust)
            vg_heap_adjust(base, ev, when);
        else
            vg_count_added(base, cb, 1);
        cb->evcb_flags |= EVLIST_TIMEOUT;
        if (adjust) {
            /* Moved in place above. */
        } else if (common) {
            struct vg_common_timeout *ct = vg_common_timeout_of(base, tv);

            ev->ev_timeout.tv_usec |= tv->tv_usec & ~VG_CT_USEC_MASK;
            TAILQ_INSERT_TAIL(&ct->events, ev,
                              ev_timeout_pos.ev_next_with_common_timeout);
            if (TAILQ_FIRST(&ct->events) == ev)
                vg_common_timeout_schedule(ct);
        } else {
            vg_heap_push(base, ev, when);
        }
    }
    if (!(cb->evcb_flags & EVLIST_INTERNAL))
        vg_debug_note_added(ev, 1);
    return 0;
}

int
vg_event_del_nolock(struct event *ev)
{
    struct event_base *base = ev->ev_base;
    struct event_callback *cb = &ev->ev_evcallback;

    if (base == NULL) {
        vg_log_warnx("event_del: event has no event_base set");
        return -1;
    }
    /* Deleting a signal event whose callback is running stops the
     * remaining calls of this delivery. */
    if ((ev->ev_events & EV_SIGNAL) && base->current_event == cb)
        ev->ev_.ev_signal.ev_ncalls = 0;
    if (cb->evcb_flags & EVLIST_TIMEOUT)
        vg_timeout_remove(base, ev);
    if (cb->evcb_flags & EVLIST_ACTIVE)
        vg_queue_remove_active(base, cb);
    else if (cb->evcb_flags & EVLIST_ACTIVE_LATER)
        vg_queue_remove_active_later(base, cb);
    if (cb->evcb_flags & EVLIST_INSERTED) {
        cb->evcb_flags &= ~EVLIST_INSERTED;
        vg_count_added(base, cb, -1);
        if (ev->ev_events & EV_SIGNAL)
            vg_evmap_signal_del(base, ev);
        else
            vg_evmap_io_del(base, ev);
    }
    if (!(cb->evcb_flags & EVLIST_INTERNAL))
        vg_debug_note_added(ev, 0);
    return 0;
}

void
vg_event_active_nolock(struct event *ev, int res, short ncalls)
{
    vg_event_active_inline(ev, res, ncalls);
}

/* ------------------------------------------------------------------ */
/* Adding, deleting and activating: the public calls.                 */

int
event_add(struct event *ev, const struct timeval *tv)
{
    struct event_base *base;
    int rc;

    if (ev == NULL || ev->ev_base == NULL) {
        vg_log_warnx("%s: event has no event_base set.", __func__);
        return -1;
    }
    base = ev->ev_base;
    BASE_LOCK(base);
    vg_debug_assert_setup(ev, "event_add");
    vg_log_debugx(
        "event_add: event %p (fd %d), %s%s%s%s call %p", (void *)ev,
        (int)ev->ev_fd, (ev->ev_events & EV_READ) ? "EV_READ " : "",
        (ev->ev_events & EV_WRITE) ? "EV_WRITE " : "",
        (ev->ev_events & EV_CLOSED) ? "EV_CLOSED " : "",
        tv != NULL ? "EV_TIMEOUT " : "",
        (void *)(size_t)ev->ev_evcallback.evcb_cb_union.evcb_callback);
    rc = vg_event_add_nolock(ev, tv, 0);
    if (rc == 0)
        vg_base_wake(base);
    BASE_UNLOCK(base);
    return rc;
}

enum del_mode {
    DEL_AUTO,
    DEL_BLOCK,
    DEL_NOBLOCK
};

/* Inlined into its three callers, so that the mode folds away. */
VG_HOT int
event_del_public(struct event *ev, enum del_mode mode, const char *what)
{
    struct event_base *base;
    int rc;

    if (ev == NULL)
        return -1;
    base = ev->ev_base;
    if (base == NULL) {
        vg_log_warnx("%s: event has no event_base set.", what);
        return -1;
    }
    BASE_LOCK(base);
    vg_debug_assert_setup(ev, what);
    /* An event whose callback runs in the loop's thread right now is
     * waited for, so that the caller may free what the callback uses;
     * events made with EV_FINALIZE opt out (they use event_finalize). */
    if (mode == DEL_BLOCK ||
        (mode == DEL_AUTO && !(ev->ev_events & EV_FINALIZE))) {
        while (base->current_event == &ev->ev_evcallback &&
               base->current_event_cond != NULL &&
               base->th_owner_id != vg_thread_id()) {
            base->current_event_waiters++;
            vg_cond_wait(base->current_event_cond, base->th_base_lock, NULL);
        }
    }
    /* A finalizing event belongs to its finalizer now: deleting it does
     * nothing, and succeeds. */
    if (ev->ev_evcallback.evcb_flags & EVLIST_FINALIZING) {
        BASE_UNLOCK(base);
        return 0;
    }
    vg_log_debugx(
        "event_del: %p (fd %d), callback %p", (void *)ev, (int)ev->ev_fd,
        (void *)(size_t)ev->ev_evcallback.evcb_cb_union.evcb_callback);
    rc = vg_event_del_nolock(ev);
    if (rc == 0)
        vg_base_wake(base);
    BASE_UNLOCK(base);
    return rc;
}

int
event_del(struct event *ev)
{
    return event_del_public(ev, DEL_AUTO, "event_del");
}

int
event_del_block(struct event *ev)
{
    return event_del_public(ev, DEL_BLOCK, "event_del_block");
}

int
event_del_noblock(struct event *ev)
{
    return event_del_public(ev, DEL_NOBLOCK, "event_del_noblock");
}

int
event_remove_timer(struct event *ev)
{
    if (ev == NULL || ev->ev_base == NULL) {
        vg_log_warnx("%s: event has no event_base set.", __func__);
        return -1;
    }
    BASE_LOCK(ev->ev_base);
    vg_debug_assert_setup(ev, "event_remove_timer");
    if (ev->ev_evcallback.evcb_flags & EVLIST_TIMEOUT) {
        vg_timeout_remove(ev->ev_base, ev);
        evutil_timerclear(&ev->ev_.ev_io.ev_timeout);
    }
    BASE_UNLOCK(ev->ev_base);
    return 0;
}

void
event_active(struct event *ev, int res, short ncalls)
{
    if (ev == NULL || ev->ev_base == NULL) {
        vg_log_warnx("%s: event has no event_base set.", __func__);
        return;
    }
    BASE_LOCK(ev->ev_base);
    vg_debug_assert_setup(ev, "event_active");
    vg_event_active_nolock(ev, res, ncalls);
    vg_base_wake(ev->ev_base);
    BASE_UNLOCK(ev->ev_base);
}

int
event_pending(const struct event *ev, short events, struct timeval *tv)
{
    int flags = 0;
    short evflags;

    if (ev == NULL)
        return 0;
    if (ev->ev_base == NULL) {
        vg_log_warnx("%s: event has no event_base set.", __func__);
        return 0;
    }
    BASE_LOCK(ev->ev_base);
    vg_debug_assert_setup(ev, "event_pending");
    evflags = ev->ev_evcallback.evcb_flags;
    if (evflags & EVLIST_INSERTED)
        flags |= ev->ev_events & (VG_EV_IO_MASK | EV_SIGNAL);
    if (evflags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))
        flags |= ev->ev_res;
    if (evflags & EVLIST_TIMEOUT)
        flags |= EV_TIMEOUT;
    events &= (EV_TIMEOUT | VG_EV_IO_MASK | EV_SIGNAL);
    if (tv != NULL && (flags & events & EV_TIMEOUT)) {
        vg_usec_t at = vg_tv_plain_usec(&ev->ev_timeout);

        vg_usec_to_tv(at + vg_tv_to_usec(&ev->ev_base->tv_clock_diff), tv);
    }
    BASE_UNLOCK(ev->ev_base);
    return flags & events;
}

int
event_initialized(const struct event *ev)
{
    return (ev->ev_evcallback.evcb_flags & EVLIST_INIT) ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Assigning and freeing events.                                      */

static char self_cbarg_marker;

void *
event_self_cbarg(void)
{
    return &self_cbarg_marker;
}

int
event_assign(struct event *ev, struct event_base *base, evutil_socket_t fd,
             short events, event_callback_fn callback, void *arg)
{
    if (base == NULL)
        base = vg_current_base;
    if (ev == NULL)
        return -1;
    if (arg == &self_cbarg_marker)
        arg = ev;
    if ((events & EV_SIGNAL) && (events & VG_EV_IO_MASK)) {
        vg_log_warnx("%s: EV_SIGNAL is not compatible with EV_READ, EV_WRITE "
                     "or EV_CLOSED",
                     __func__);
        return -1;
    }
    vg_debug_note_too_late();
    vg_debug_assert_not_added(ev, "event_assign");

    memset(ev, 0, sizeof(*ev));
    ev->ev_base = base;
    ev->ev_fd = fd;
    ev->ev_events = events;
    ev->ev_res = 0;
    ev->ev_evcallback.evcb_cb_union.evcb_callback = callback;
    ev->ev_evcallback.evcb_arg = arg;
    ev->ev_evcallback.evcb_flags = EVLIST_INIT;
    if (events & EV_SIGNAL)
        ev->ev_evcallback.evcb_closure = VG_CLOSURE_SIGNAL;
    else if (events & EV_PERSIST)
        ev->ev_evcallback.evcb_closure = VG_CLOSURE_PERSIST;
    else
        ev->ev_evcallback.evcb_closure = VG_CLOSURE_EVENT;
    ev->ev_timeout_pos.min_heap_idx = -1;
    if (base != NULL)
        ev->ev_evcallback.evcb_pri = (ev_uint8_t)(base->nactivequeues / 2);
    vg_debug_note_setup(ev);
    return 0;
}

struct event *
event_new(struct event_base *base, evutil_socket_t fd, short events,
          event_callback_fn callback, void *arg)
{
    struct event *ev = vg_mm_malloc(sizeof(*ev));

    if (ev == NULL)
        return NULL;
    if (event_assign(ev, base, fd, events, callback, arg) < 0) {
        vg_mm_free(ev);
        return NULL;
    }
    return ev;
}

void
event_free(struct event *ev)
{
    if (ev == NULL)
        return;
    vg_debug_assert_setup(ev, "event_free");
    event_del(ev);
    vg_debug_note_teardown(ev);
    vg_mm_free(ev);
}

static int
event_finalize_internal(unsigned flags, struct event *ev,
                        event_finalize_callback_fn cb, int free_after)
{
    (void)flags;
    if (ev == NULL || ev->ev_base == NULL)
        return -1;
    vg_debug_assert_setup(ev, free_after ? "event_free_finalize"
                                         : "event_finalize");
    BASE_LOCK(ev->ev_base);
    /* Finalizing twice is harmless: the first finalizer stays, and runs
     * once. */
    if (ev->ev_evcallback.evcb_flags & EVLIST_FINALIZING) {
        BASE_UNLOCK(ev->ev_base);
        return 0;
    }
    vg_event_del_nolock(ev);
    ev->ev_evcallback.evcb_closure =
        (ev_uint8_t)(free_after ? VG_CLOSURE_FINALIZE_FREE
                                : VG_CLOSURE_FINALIZE);
    ev->ev_evcallback.evcb_cb_union.evcb_evfinalize = cb;
    vg_event_active_nolock(ev, EV_FINALIZE, 1);
    ev->ev_evcallback.evcb_flags |= EVLIST_FINALIZING;
    vg_base_wake(ev->ev_base);
    BASE_UNLOCK(ev->ev_base);
    return 0;
}

int
event_finalize(unsigned flags, struct event *ev, event_finalize_callback_fn cb)
{
    return event_finalize_internal(flags, ev, cb, 0);
}

int
event_free_finalize(unsigned flags, struct event *ev,
                    event_finalize_callback_fn cb)
{
    return event_finalize_internal(flags, ev, cb, 1);
}

int
event_priority_set(struct event *ev, int priority)
{
    int rc = -1;

    vg_debug_assert_setup(ev, "event_priority_set");
    if (ev->ev_base == NULL)
        return -1;
    BASE_LOCK(ev->ev_base);
    if (!(ev->ev_evcallback.evcb_flags & EVLIST_ACTIVE) && priority >= 0 &&
        priority < ev->ev_base->nactivequeues) {
        ev->ev_evcallback.evcb_pri = (ev_uint8_t)priority;
        rc = 0;
    }
    BASE_UNLOCK(ev->ev_base);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Getters.                                                           */

evutil_socket_t
event_get_fd(const struct event *ev)
{
    vg_debug_assert_setup(ev, "event_get_fd");
    return ev->ev_fd;
}

struct event_base *
event_get_base(const struct event *ev)
{
    vg_debug_assert_setup(ev, "event_get_base");
    return ev->ev_base;
}

short
event_get_events(const struct event *ev)
{
    vg_debug_assert_setup(ev, "event_get_events");
    return ev->ev_events;
}

event_callback_fn
event_get_callback(const struct event *ev)
{
    vg_debug_assert_setup(ev, "event_get_callback");
    return ev->ev_evcallback.evcb_cb_union.evcb_callback;
}

void *
event_get_callback_arg(const struct event *ev)
{
    vg_debug_assert_setup(ev, "event_get_callback_arg");
    return ev->ev_evcallback.evcb_arg;
}

int
event_get_priority(const struct event *ev)
{
    vg_debug_assert_setup(ev, "event_get_priority");
    return ev->ev_evcallback.evcb_pri;
}

void
event_get_assignment(const struct event *ev, struct event_base **base_out,
                     evutil_socket_t *fd_out, short *events_out,
                     event_callback_fn *callback_out, void **arg_out)
{
    vg_debug_assert_setup(ev, "event_get_assignment");
    if (base_out)
        *base_out = ev->ev_base;
    if (fd_out)
        *fd_out = ev->ev_fd;
    if (events_out)
        *events_out = ev->ev_events;
    if (callback_out)
        *callback_out = ev->ev_evcallback.evcb_cb_union.evcb_callback;
    if (arg_out)
        *arg_out = ev->ev_evcallback.evcb_arg;
}

size_t
event_get_struct_event_size(void)
{
    return sizeof(struct event);
}

/* ------------------------------------------------------------------ */
/* event_base_once.                                                   */

static void
once_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_once *once = arg;
    struct event_base *base = once->ev.ev_base;
    event_callback_fn cb = once->cb;
    void *cbarg = once->arg;

    BASE_LOCK(base);
    LIST_REMOVE(once, next);
    BASE_UNLOCK(base);
    vg_debug_note_teardown(&once->ev);
    vg_mm_free(once);
    cb(fd, what, cbarg);
}

int
event_base_once(struct event_base *base, evutil_socket_t fd, short events,
                event_callback_fn callback, void *arg, const struct timeval *tv)
{
    struct vg_once *once;
    int activate = 0;

    if (base == NULL || callback == NULL)
        return -1;
    /* A one-shot callback needs a timeout or I/O to wait for, and runs
     * once: signals and EV_PERSIST make no sense here. */
    if (events & (EV_SIGNAL | EV_PERSIST))
        return -1;
    if ((events & (EV_TIMEOUT | EV_READ | EV_WRITE)) == 0)
        return -1;
    once = vg_mm_calloc(1, sizeof(*once));
    if (once == NULL)
        return -1;
    once->cb = callback;
    once->arg = arg;
    if ((events & (EV_TIMEOUT | EV_READ | EV_WRITE | EV_CLOSED)) ==
        EV_TIMEOUT) {
        event_assign(&once->ev, base, -1, 0, once_cb, once);
        if (tv == NULL || !evutil_timerisset(tv))
            activate = 1;
    } else {
        event_assign(&once->ev, base, fd, events & VG_EV_IO_MASK, once_cb,
                     once);
    }
    BASE_LOCK(base);
    if (activate) {
        vg_event_active_nolock(&once->ev, EV_TIMEOUT, 1);
    } else if (vg_event_add_nolock(&once->ev, tv, 0) < 0) {
        BASE_UNLOCK(base);
        vg_debug_note_teardown(&once->ev);
        vg_mm_free(once);
        return -1;
    }
    LIST_INSERT_HEAD(&base->once_events, once, next);
    vg_base_wake(base);
    BASE_UNLOCK(base);
    return 0;
}
