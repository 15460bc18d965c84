/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_loop.c: event_base_loop and the requests that stop it.
 *
 * One iteration: stop if asked to; compute the wait (zero when anything is
 * active, else the time to the heap's root, or forever); move the
 * callbacks activated for the next iteration to the active queues and hand
 * the changelist to the backend; wait in the backend (the base lock is
 * released only for the wait); read the clock once into the cache; fire
 * expired timers; run the active queues, most urgent priority first.
 * Callbacks run without the base lock.
 */
#include "event-timer-internal.h"

#include <limits.h>

#include "mm-internal.h"

/* ------------------------------------------------------------------ */
/* What the loop waits for.                                           */

static int
base_has_events(const struct event_base *base)
{
    return base->virtual_event_count > 0 || base->event_count > 0;
}

/* How long dispatch may wait: NULL (forever) when no timer is pending. */
static const struct timeval *
next_timeout(struct event_base *base, struct timeval *tv)
{
    vg_usec_t now, wait;

    if (base->heap_n == 0)
        return NULL;
    now = vg_base_now(base);
    wait = base->heap[0].key - now;
    if (wait < 0)
        wait = 0;
    vg_usec_to_tv(wait, tv);
    return tv;
}

static void
process_timeouts(struct event_base *base)
{
    vg_usec_t now;

    if (base->heap_n == 0)
        return;
    now = vg_base_now(base);
    while (base->heap_n > 0 && base->heap[0].key <= now) {
        struct event *ev = base->heap[0].ev;

        /* Timing out deletes the event, I/O part included. */
        vg_event_del_nolock(ev);
        vg_event_active_inline(ev, EV_TIMEOUT, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Running callbacks.                                                 */

static void
run_persist_closure(struct event_base *base, struct event *ev)
{
    const struct timeval *delay = &ev->ev_.ev_io.ev_timeout;
    vg_usec_t now, relative_to, run_at;
    suseconds_t ct_bits = 0;
    struct timeval at;

    if (delay->tv_sec == 0 && delay->tv_usec == 0)
        return;
    now = vg_base_now(base);
    if ((delay->tv_usec & VG_CT_MAGIC_MASK) == VG_CT_MAGIC)
        ct_bits = delay->tv_usec & ~VG_CT_USEC_MASK;
    /* After a timeout the next one counts from when this one was due, so
     * that a periodic timer does not drift; after I/O, from now. */
    relative_to =
        (ev->ev_res & EV_TIMEOUT) ? vg_tv_plain_usec(&ev->ev_timeout) : now;
    run_at = vg_clamp_usec(relative_to + vg_tv_plain_usec(delay));
    if (run_at < now)
        run_at = vg_clamp_usec(now + vg_tv_plain_usec(delay));
    vg_usec_to_tv(run_at, &at);
    at.tv_usec |= ct_bits;
    vg_event_add_nolock(ev, &at, 1);
}

static void run_other_closure(struct event_base *base,
                              struct event_callback *cb, struct event *ev);

/* Calls a signal event's callback once per delivery, stopping early when
 * the event is deleted or the loop is told to break.  Called unlocked. */
static void
run_signal_closure(struct event_base *base, struct event *ev)
{
    struct event_callback *cb = &ev->ev_evcallback;
    short ncalls, res;

    BASE_LOCK(base);
    ncalls = ev->ev_.ev_signal.ev_ncalls;
    res = ev->ev_res;
    BASE_UNLOCK(base);
    while (ncalls-- > 0) {
        int stop;

        BASE_LOCK(base);
        ev->ev_.ev_signal.ev_ncalls = ncalls;
        BASE_UNLOCK(base);
        cb->evcb_cb_union.evcb_callback(ev->ev_fd, res, cb->evcb_arg);
        BASE_LOCK(base);
        stop = base->event_break || ev->ev_.ev_signal.ev_ncalls != ncalls;
        BASE_UNLOCK(base);
        if (stop)
            break;
    }
}

/* Whether a queue more urgent than the running one has callbacks.  They
 * were all empty when the running one started, so any such callback was
 * activated by a callback since; as in libevent, it runs before the rest
 * of the running queue. */
static int
more_urgent_active(const struct event_base *base)
{
    int i;

    for (i = 0; i < base->event_running_priority; i++)
        if (TAILQ_FIRST(&base->activequeues[i]) != NULL)
            return 1;
    return 0;
}

static int
process_active_queue(struct event_base *base, struct vg_callback_queue *q,
                     int max_to_process, vg_usec_t endtime)
{
    struct event_callback *cb;
    int count = 0;
    int limited = max_to_process != INT_MAX || endtime >= 0;
    /* Only below the most urgent priority can a callback be overtaken;
     * the common case, one priority, pays nothing per activation. */
    int overtakable = base->event_running_priority > 0;

    while ((cb = TAILQ_FIRST(q)) != NULL) {
        struct event *ev = (struct event *)cb;
        short res;

        /* The callback runs without the base lock.  A plain event is
         * deleted first; a persistent one is rescheduled first. */
        count += !(cb->evcb_flags & EVLIST_INTERNAL);
        switch (cb->evcb_closure) {
        case VG_CLOSURE_PERSIST:
            vg_queue_remove_active(base, cb);
            base->current_event = cb;
            run_persist_closure(base, ev);
            res = ev->ev_res;
            BASE_UNLOCK(base);
            cb->evcb_cb_union.evcb_callback(ev->ev_fd, res, cb->evcb_arg);
            break;
        case VG_CLOSURE_EVENT:
            vg_event_del_nolock(ev);
            base->current_event = cb;
            res = ev->ev_res;
            BASE_UNLOCK(base);
            cb->evcb_cb_union.evcb_callback(ev->ev_fd, res, cb->evcb_arg);
            break;
        default: {
            /* Signals, bare callbacks and finalizers.  Whether cb is an
             * event is read under the lock: once it is released another
             * thread may activate a bare callback again. */
            struct event *as_event = (cb->evcb_flags & EVLIST_INIT) ? ev : NULL;

            if (as_event != NULL && !(ev->ev_events & EV_PERSIST) &&
                !(cb->evcb_flags & EVLIST_FINALIZING))
                vg_event_del_nolock(ev);
            else
                vg_queue_remove_active(base, cb);
            /* Set after the delete: deleting the running signal event
             * is what stops its remaining calls. */
            base->current_event = cb;
            BASE_UNLOCK(base);
            run_other_closure(base, cb, as_event);
            break;
        }
        }
        BASE_LOCK(base);
        base->current_event = NULL;

        /* One test for everything rare after a callback. */
        if (base->current_event_waiters | base->event_break |
            base->event_continue | limited | overtakable) {
            if (base->current_event_waiters) {
                base->current_event_waiters = 0;
                vg_cond_signal(base->current_event_cond, 1);
            }
            if (base->event_break)
                return -1;
            if (limited) {
                if (count >= max_to_process)
                    return count;
                if (count > 0 && endtime >= 0) {
                    vg_update_time_cache(base);
                    if (vg_base_now(base) >= endtime)
                        return count;
                }
            }
            if (base->event_continue)
                break;
            if (overtakable && more_urgent_active(base))
                break;
        }
    }
    return count;
}

/* Runs the callbacks that are not plain or persistent events: signals,
 * bare callbacks and finalizers.  Called without the lock. */
static void
run_other_closure(struct event_base *base, struct event_callback *cb,
                  struct event *ev)
{
    switch (cb->evcb_closure) {
    case VG_CLOSURE_SIGNAL:
        run_signal_closure(base, ev);
        break;
    case VG_CLOSURE_CB_SELF:
        cb->evcb_cb_union.evcb_selfcb(cb, cb->evcb_arg);
        break;
    case VG_CLOSURE_FINALIZE:
    case VG_CLOSURE_FINALIZE_FREE: {
        int do_free = cb->evcb_closure == VG_CLOSURE_FINALIZE_FREE;

        cb->evcb_cb_union.evcb_evfinalize(ev, cb->evcb_arg);
        if (do_free) {
            vg_debug_note_teardown(ev);
            vg_mm_free(ev);
        }
        break;
    }
    case VG_CLOSURE_CB_FINALIZE:
        cb->evcb_cb_union.evcb_cbfinalize(cb, cb->evcb_arg);
        break;
    default:
        VG_ASSERT(0);
    }
}

static int
process_active(struct event_base *base)
{
    int i, c = 0;

    for (i = 0; i < base->nactivequeues; i++) {
        if (TAILQ_FIRST(&base->activequeues[i]) == NULL)
            continue;
        base->event_running_priority = i;
        if (i < base->limit_callbacks_after_prio) {
            c = process_active_queue(base, &base->activequeues[i], INT_MAX, -1);
        } else {
            vg_usec_t endtime = -1;

            if (base->max_dispatch_usec >= 0) {
                vg_update_time_cache(base);
                endtime = vg_base_now(base) + base->max_dispatch_usec;
            }
            c = process_active_queue(base, &base->activequeues[i],
                                     base->max_dispatch_callbacks, endtime);
        }
        /* Stop after the first queue that ran a callback of the
         * program's, or when its (internal) callbacks made a more urgent
         * one: the loop starts again from the top. */
        if (c != 0 || (i > 0 && more_urgent_active(base)))
            break;
    }
    base->event_running_priority = -1;
    return c;
}

/* ------------------------------------------------------------------ */
/* The loop and the requests that stop it.                            */

int
event_base_loop(struct event_base *base, int flags)
{
    int retval = 0, done = 0;

    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    if (base->running_loop) {
        BASE_UNLOCK(base);
        vg_log_warnx("%s: reentrant invocation.  Only one event_base_loop can "
                     "run on each event_base at once.",
                     __func__);
        return -1;
    }
    base->running_loop = 1;
    base->th_owner_id = vg_thread_id();
    base->tv_cache = 0;
    base->event_gotterm = base->event_break = 0;
    /* The base that runs its loop receives the signals it watches. */
    base->sigops->claim(base);

    while (!done) {
        struct timeval tv;
        const struct timeval *tv_p = &tv;

        base->event_continue = 0;
        if (base->event_gotterm || base->event_break)
            break;

        if (base->n_active == 0 && base->n_active_later == 0 &&
            !(flags & EVLOOP_NONBLOCK))
            tv_p = next_timeout(base, &tv);
        else
            evutil_timerclear(&tv);

        if (!(flags & EVLOOP_NO_EXIT_ON_EMPTY) && !base_has_events(base) &&
            base->n_active == 0 && base->n_active_later == 0) {
            retval = 1;
            break;
        }
        vg_make_later_events_active(base);
        if (base->use_changelist)
            vg_evmap_apply_changelist(base);

        base->tv_cache = 0;
        vg_log_debugx("%s: dispatching on %s, %d active", __func__,
                      base->backend->name, base->n_active);
        if (base->backend->dispatch(base, tv_p) < 0) {
            retval = -1;
            break;
        }
        vg_update_time_cache(base);
        process_timeouts(base);

        if (base->n_active > 0) {
            int n = process_active(base);

            if ((flags & EVLOOP_ONCE) && base->n_active == 0 && n != 0)
                done = 1;
        } else if (flags & EVLOOP_NONBLOCK) {
            done = 1;
        }
    }
    base->tv_cache = 0;
    base->running_loop = 0;
    BASE_UNLOCK(base);
    return retval;
}

int
event_base_dispatch(struct event_base *base)
{
    return event_base_loop(base, 0);
}

static void
loopexit_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event_base *base = arg;

    (void)fd;
    (void)what;
    base->event_gotterm = 1;
}

int
event_base_loopexit(struct event_base *base, const struct timeval *tv)
{
    if (base == NULL)
        return -1;
    return event_base_once(base, -1, EV_TIMEOUT, loopexit_cb, base, tv);
}

/* Sets one of the loop's request flags, waking the loop to see it. */
static int
request_loop(struct event_base *base, int *flag)
{
    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    *flag = 1;
    vg_base_wake(base);
    BASE_UNLOCK(base);
    return 0;
}

int
event_base_loopbreak(struct event_base *base)
{
    return base != NULL ? request_loop(base, &base->event_break) : -1;
}

int
event_base_loopcontinue(struct event_base *base)
{
    return base != NULL ? request_loop(base, &base->event_continue) : -1;
}

int
event_base_got_exit(struct event_base *base)
{
    int r;

    BASE_LOCK(base);
    r = base->event_gotterm;
    BASE_UNLOCK(base);
    return r;
}

int
event_base_got_break(struct event_base *base)
{
    int r;

    BASE_LOCK(base);
    r = base->event_break;
    BASE_UNLOCK(base);
    return r;
}
