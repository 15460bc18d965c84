/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event-timer-internal.h: the timer min-heap and the common-timeout
 * encoding, as inline functions, plus the saturating time arithmetic they
 * use.
 *
 * What it holds: the heap's operations on base->heap (push, adjust, erase:
 * an event's expiry is copied next to its pointer, so sifting compares keys
 * in the array and touches an event only to store its new index), the
 * encoding of a common-timeout handle in a timeval's tv_usec, and
 * vg_timeout_remove().  They are inline because event_add, event_del and
 * the loop run them once per timer; the rest of the timer code (common
 * timeouts' queues and their internal timers, the heap's growth) is in
 * event_timer.c.
 *
 * Who may include it: the event core's files only (event*.c).  Higher
 * layers read the clock through vg_base_now() in event-internal.h.
 *
 * Locking and ownership: everything here runs with the base lock held.
 * The heap array and each struct vg_common_timeout belong to the base and
 * are freed with it; the events in them belong to the program.
 */
#ifndef VIGIL_EVENT_TIMER_INTERNAL_H
#define VIGIL_EVENT_TIMER_INTERNAL_H

#include "event-internal.h"

/* The encoding of a common-timeout handle in a timeval's tv_usec: a magic
 * in the top bits, the queue index in the next eight, then microseconds. */
#define VG_CT_MAGIC 0x50000000
#define VG_CT_MAGIC_MASK 0xf0000000
#define VG_CT_IDX_MASK 0x0ff00000
#define VG_CT_IDX_SHIFT 20
#define VG_CT_USEC_MASK 0x000fffff
#define VG_CT_MAX 256

/* Bounds that keep time arithmetic from overflowing: about 290,000 years. */
#define VG_USEC_LIMIT ((vg_usec_t)1 << 53)

static inline vg_usec_t
vg_clamp_usec(vg_usec_t us)
{
    if (us > VG_USEC_LIMIT)
        return VG_USEC_LIMIT;
    if (us < -VG_USEC_LIMIT)
        return -VG_USEC_LIMIT;
    return us;
}

/* A timeval as microseconds, saturating instead of overflowing. */
static inline vg_usec_t
vg_tv_usec_saturating(const struct timeval *tv)
{
    if (tv->tv_sec > VG_USEC_LIMIT / 1000000)
        return VG_USEC_LIMIT;
    if (tv->tv_sec < -(VG_USEC_LIMIT / 1000000))
        return -VG_USEC_LIMIT;
    return vg_clamp_usec(vg_tv_to_usec(tv));
}

/* The plain microsecond value of a timeval that may carry a common-timeout
 * encoding. */
static inline vg_usec_t
vg_tv_plain_usec(const struct timeval *tv)
{
    struct timeval t = *tv;

    if ((t.tv_usec & VG_CT_MAGIC_MASK) == VG_CT_MAGIC)
        t.tv_usec &= VG_CT_USEC_MASK;
    return vg_tv_usec_saturating(&t);
}

/* ------------------------------------------------------------------ */
/* Common timeouts' handles.                                          */

static inline int
vg_is_common_timeout(const struct timeval *tv, const struct event_base *base)
{
    int idx;

    if ((tv->tv_usec & VG_CT_MAGIC_MASK) != VG_CT_MAGIC)
        return 0;
    idx = (int)((tv->tv_usec & VG_CT_IDX_MASK) >> VG_CT_IDX_SHIFT);
    return idx < base->n_common_timeouts;
}

static inline struct vg_common_timeout *
vg_common_timeout_of(struct event_base *base, const struct timeval *tv)
{
    return base
        ->common_timeouts[(tv->tv_usec & VG_CT_IDX_MASK) >> VG_CT_IDX_SHIFT];
}

/* Arms the queue's internal timer at its head's expiry (event_timer.c). */
void vg_common_timeout_schedule(struct vg_common_timeout *ct);

/* ------------------------------------------------------------------ */
/* The min-heap.                                                      */

/* Grows the heap to hold n entries (event_timer.c).  0 or -1. */
int vg_heap_grow(struct event_base *base, unsigned n);

static inline int
vg_heap_reserve(struct event_base *base, unsigned n)
{
    if (n <= base->heap_cap)
        return 0;
    return vg_heap_grow(base, n);
}

static inline void
vg_heap_place(struct event_base *base, unsigned i, struct vg_heap_entry e)
{
    base->heap[i] = e;
    e.ev->ev_timeout_pos.min_heap_idx = (int)i;
}

static inline void
vg_heap_sift_up(struct event_base *base, unsigned i, struct vg_heap_entry e)
{
    while (i > 0) {
        unsigned parent = (i - 1) / 2;

        if (base->heap[parent].key <= e.key)
            break;
        vg_heap_place(base, i, base->heap[parent]);
        i = parent;
    }
    vg_heap_place(base, i, e);
}

static inline void
vg_heap_sift_down(struct event_base *base, unsigned i, struct vg_heap_entry e)
{
    unsigned n = base->heap_n;

    for (;;) {
        unsigned child = 2 * i + 1;

        if (child >= n)
            break;
        if (child + 1 < n && base->heap[child + 1].key < base->heap[child].key)
            child++;
        if (e.key <= base->heap[child].key)
            break;
        vg_heap_place(base, i, base->heap[child]);
        i = child;
    }
    vg_heap_place(base, i, e);
}

/* Adds ev, expiring at key (room was reserved). */
static inline void
vg_heap_push(struct event_base *base, struct event *ev, vg_usec_t key)
{
    struct vg_heap_entry e;

    e.key = key;
    e.ev = ev;
    vg_heap_sift_up(base, base->heap_n++, e);
}

/* Gives a timer already in the heap a new expiry, moving it up or down. */
static inline void
vg_heap_adjust(struct event_base *base, struct event *ev, vg_usec_t key)
{
    unsigned i = (unsigned)ev->ev_timeout_pos.min_heap_idx;
    struct vg_heap_entry e;

    /* The slot's owner is checked in debug mode, where a freed or
     * reassigned pending event is diagnosed anyway. */
    VG_ASSERT(i < base->heap_n &&
              (!vg_debug_mode_on || base->heap[i].ev == ev));
    e.key = key;
    e.ev = ev;
    if (i > 0 && key < base->heap[(i - 1) / 2].key)
        vg_heap_sift_up(base, i, e);
    else
        vg_heap_sift_down(base, i, e);
}

VG_HOT void
vg_heap_erase(struct event_base *base, struct event *ev)
{
    unsigned i = (unsigned)ev->ev_timeout_pos.min_heap_idx;
    struct vg_heap_entry last;

    /* The slot's owner is checked in debug mode, where a freed or
     * reassigned pending event is diagnosed anyway. */
    VG_ASSERT(i < base->heap_n &&
              (!vg_debug_mode_on || base->heap[i].ev == ev));
    ev->ev_timeout_pos.min_heap_idx = -1;
    last = base->heap[--base->heap_n];
    if (i == base->heap_n)
        return;
    if (i > 0 && last.key < base->heap[(i - 1) / 2].key)
        vg_heap_sift_up(base, i, last);
    else
        vg_heap_sift_down(base, i, last);
}

/* Takes ev's timeout away: from the heap, or from its common timeout's
 * queue. */
VG_HOT void
vg_timeout_remove(struct event_base *base, struct event *ev)
{
    ev->ev_evcallback.evcb_flags &= ~EVLIST_TIMEOUT;
    vg_count_added(base, &ev->ev_evcallback, -1);
    if (vg_is_common_timeout(&ev->ev_timeout, base)) {
        struct vg_common_timeout *ct =
            vg_common_timeout_of(base, &ev->ev_timeout);

        TAILQ_REMOVE(&ct->events, ev,
                     ev_timeout_pos.ev_next_with_common_timeout);
    } else {
        vg_heap_erase(base, ev);
    }
}

#endif
