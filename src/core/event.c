/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event.c: event bases, events, timers, the active queues and the loop.
 *
 * Where things live:
 *  - an I/O event is on its fd's list in base->fds (O(1) add and delete);
 *  - a signal event is on its signal's list in base->sigs;
 *  - an event with a timeout is in the min-heap base->heap (O(log n)), or,
 *    when its duration came from event_base_init_common_timeout(), at the
 *    tail of that duration's queue (O(1));
 *  - an active event or callback is on base->activequeues[priority].
 * The struct event fields record which of these hold an event (ev_flags).
 */
#include "event-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buffer-internal.h"
#include "mm-internal.h"

/* The encoding of a common-timeout handle in a timeval's tv_usec: a magic
 * in the top bits, the queue index in the next eight, then microseconds. */
#define CT_MAGIC 0x50000000
#define CT_MAGIC_MASK 0xf0000000
#define CT_IDX_MASK 0x0ff00000
#define CT_IDX_SHIFT 20
#define CT_USEC_MASK 0x000fffff
#define CT_MAX 256

/* Bounds that keep time arithmetic from overflowing: about 290,000 years. */
#define VG_USEC_LIMIT ((vg_usec_t)1 << 53)

/* How often the wall-clock offset used by gettimeofday_cached and
 * event_pending is refreshed. */
#define CLOCK_DIFF_REFRESH_USEC ((vg_usec_t)5 * 1000000)

struct event_base *vg_current_base;

static int debug_mode_on;
static int debug_mode_too_late;

/* ------------------------------------------------------------------ */
/* Debug mode: a set of the events the program has assigned.          */

struct debug_entry {
    const struct event *ev; /* NULL: empty; DEBUG_TOMB: deleted */
    int added;
};

#define DEBUG_TOMB ((const struct event *)1)

static struct debug_entry *debug_table;
static size_t debug_cap;  /* a power of two */
static size_t debug_used; /* live entries plus tombstones */

static size_t
debug_hash(const struct event *ev)
{
    uintptr_t x = (uintptr_t)ev;

    x ^= x >> 17;
    x *= (uintptr_t)0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

static struct debug_entry *
debug_find(const struct event *ev)
{
    size_t i;

    if (debug_cap == 0)
        return NULL;
    for (i = debug_hash(ev) & (debug_cap - 1);; i = (i + 1) & (debug_cap - 1)) {
        if (debug_table[i].ev == ev)
            return &debug_table[i];
        if (debug_table[i].ev == NULL)
            return NULL;
    }
}

static int
debug_grow(void)
{
    size_t ncap = debug_cap ? debug_cap * 2 : 256;
    struct debug_entry *nt = vg_mm_calloc(ncap, sizeof(*nt));
    size_t i, j, live = 0;

    if (nt == NULL)
        return -1;
    for (i = 0; i < debug_cap; i++) {
        const struct event *ev = debug_table[i].ev;

        if (ev == NULL || ev == DEBUG_TOMB)
            continue;
        for (j = debug_hash(ev) & (ncap - 1); nt[j].ev != NULL;
             j = (j + 1) & (ncap - 1))
            ;
        nt[j] = debug_table[i];
        live++;
    }
    vg_mm_free(debug_table);
    debug_table = nt;
    debug_cap = ncap;
    debug_used = live;
    return 0;
}

/* Debug mode must be on before the first event or base exists.  Many
 * threads may note that at once: a relaxed atomic suffices. */
static void
note_too_late_for_debug_mode(void)
{
    if (!__atomic_load_n(&debug_mode_too_late, __ATOMIC_RELAXED))
        __atomic_store_n(&debug_mode_too_late, 1, __ATOMIC_RELAXED);
}

/* Records that ev was assigned (and is not pending). */
static void
debug_note_setup(const struct event *ev)
{
    struct debug_entry *e;
    size_t i;

    if (!debug_mode_on)
        return;
    vg_lock(vg_global_lock);
    e = debug_find(ev);
    if (e != NULL) {
        e->added = 0;
        goto done;
    }
    if ((debug_used + 1) * 4 >= debug_cap * 3 && debug_grow() < 0)
        vg_log_errx(VG_ERR_ABORT, "debug mode: out of memory");
    for (i = debug_hash(ev) & (debug_cap - 1);
         debug_table[i].ev != NULL && debug_table[i].ev != DEBUG_TOMB;
         i = (i + 1) & (debug_cap - 1))
        ;
    if (debug_table[i].ev == NULL)
        debug_used++;
    debug_table[i].ev = ev;
    debug_table[i].added = 0;
done:
    vg_unlock(vg_global_lock);
}

static void
debug_note_teardown(const struct event *ev)
{
    struct debug_entry *e;

    if (!debug_mode_on)
        return;
    vg_lock(vg_global_lock);
    e = debug_find(ev);
    if (e != NULL)
        e->ev = DEBUG_TOMB;
    vg_unlock(vg_global_lock);
}

static void
debug_note_added_slow(const struct event *ev, int added)
{
    struct debug_entry *e;

    vg_lock(vg_global_lock);
    e = debug_find(ev);
    if (e != NULL)
        e->added = added;
    vg_unlock(vg_global_lock);
}

static inline void
debug_note_added(const struct event *ev, int added)
{
    if (debug_mode_on)
        debug_note_added_slow(ev, added);
}

/* Dies unless ev was assigned. */
static void
debug_assert_setup(const struct event *ev, const char *what)
{
    int found;

    if (!debug_mode_on)
        return;
    vg_lock(vg_global_lock);
    found = debug_find(ev) != NULL;
    vg_unlock(vg_global_lock);
    if (!found)
        vg_log_errx(VG_ERR_ABORT,
                    "%s called on a non-initialized event %p"
                    " (events: 0x%x, fd: %d, flags: 0x%x)",
                    what, (const void *)ev, ev->ev_events, ev->ev_fd,
                    ev->ev_evcallback.evcb_flags);
}

/* Dies if ev is assigned and pending. */
static void
debug_assert_not_added(const struct event *ev, const char *what)
{
    struct debug_entry *e;
    int added;

    if (!debug_mode_on)
        return;
    vg_lock(vg_global_lock);
    e = debug_find(ev);
    added = e != NULL && e->added;
    vg_unlock(vg_global_lock);
    if (added)
        vg_log_errx(VG_ERR_ABORT,
                    "%s called on an already added event %p"
                    " (events: 0x%x, fd: %d, flags: 0x%x)",
                    what, (const void *)ev, ev->ev_events, ev->ev_fd,
                    ev->ev_evcallback.evcb_flags);
}

void
event_enable_debug_mode(void)
{
    if (debug_mode_on)
        vg_log_errx(VG_ERR_ABORT, "event_enable_debug_mode was called twice");
    if (__atomic_load_n(&debug_mode_too_late, __ATOMIC_RELAXED))
        vg_log_errx(VG_ERR_ABORT,
                    "event_enable_debug_mode must be called before any "
                    "event or event_base is created");
    debug_mode_on = 1;
}

void
event_debug_unassign(struct event *ev)
{
    debug_assert_not_added(ev, "event_debug_unassign");
    debug_note_teardown(ev);
    ev->ev_evcallback.evcb_flags &= ~EVLIST_INIT;
}

/* ------------------------------------------------------------------ */
/* Time.                                                               */

static vg_usec_t
clamp_usec(vg_usec_t us)
{
    if (us > VG_USEC_LIMIT)
        return VG_USEC_LIMIT;
    if (us < -VG_USEC_LIMIT)
        return -VG_USEC_LIMIT;
    return us;
}

/* A timeval as microseconds, saturating instead of overflowing. */
static vg_usec_t
tv_usec_saturating(const struct timeval *tv)
{
    if (tv->tv_sec > VG_USEC_LIMIT / 1000000)
        return VG_USEC_LIMIT;
    if (tv->tv_sec < -(VG_USEC_LIMIT / 1000000))
        return -VG_USEC_LIMIT;
    return clamp_usec(vg_tv_to_usec(tv));
}

static vg_usec_t
read_clock(struct event_base *base)
{
    struct timespec ts;

    if (clock_gettime(base->clock, &ts) != 0)
        vg_log_errx(VG_ERR_ABORT, "clock_gettime failed");
    return (vg_usec_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
refresh_clock_diff(struct event_base *base, vg_usec_t now)
{
    struct timeval wall;

    gettimeofday(&wall, NULL);
    vg_usec_to_tv(vg_tv_to_usec(&wall) - now, &base->tv_clock_diff);
    if (base->tv_clock_diff.tv_usec < 0) {
        base->tv_clock_diff.tv_usec += 1000000;
        base->tv_clock_diff.tv_sec -= 1;
    }
    base->last_clock_diff_update = now;
}

vg_usec_t
vg_base_now(struct event_base *base)
{
    vg_usec_t now;

    if (base->tv_cache != 0)
        return base->tv_cache;
    now = read_clock(base);
    if (now - base->last_clock_diff_update > CLOCK_DIFF_REFRESH_USEC)
        refresh_clock_diff(base, now);
    return now;
}

static void
update_time_cache(struct event_base *base)
{
    base->tv_cache = 0;
    if (!(base->flags & EVENT_BASE_FLAG_NO_CACHE_TIME))
        base->tv_cache = vg_base_now(base);
}

static void
choose_clock(struct event_base *base)
{
#ifdef CLOCK_MONOTONIC_COARSE
    struct timespec res;

    /* The coarse clock costs less to read; use it when it still ticks at
     * least every millisecond and the program did not ask for precision. */
    if (!(base->flags & EVENT_BASE_FLAG_PRECISE_TIMER) &&
        clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && res.tv_sec == 0 &&
        res.tv_nsec <= 1000000) {
        base->clock = CLOCK_MONOTONIC_COARSE;
        return;
    }
#endif
    base->clock = CLOCK_MONOTONIC;
}

/* ------------------------------------------------------------------ */
/* Counting.                                                           */

VG_HOT void
count_active_down(struct event_base *base, const struct event_callback *cb)
{
    int d = !(cb->evcb_flags & EVLIST_INTERNAL);

    base->event_count_active -= d;
    base->event_count -= d;
}

/* ------------------------------------------------------------------ */
/* The timer min-heap.                                                 */

static void
heap_place(struct event_base *base, unsigned i, struct vg_heap_entry e)
{
    base->heap[i] = e;
    e.ev->ev_timeout_pos.min_heap_idx = (int)i;
}

static void
heap_sift_up(struct event_base *base, unsigned i, struct vg_heap_entry e)
{
    while (i > 0) {
        unsigned parent = (i - 1) / 2;

        if (base->heap[parent].key <= e.key)
            break;
        heap_place(base, i, base->heap[parent]);
        i = parent;
    }
    heap_place(base, i, e);
}

static void
heap_sift_down(struct event_base *base, unsigned i, struct vg_heap_entry e)
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
        heap_place(base, i, base->heap[child]);
        i = child;
    }
    heap_place(base, i, e);
}

static int
heap_reserve(struct event_base *base, unsigned n)
{
    struct vg_heap_entry *nh;
    unsigned ncap;

    if (n <= base->heap_cap)
        return 0;
    if (base->heap_cap > UINT_MAX / 4)
        return -1;
    ncap = base->heap_cap ? base->heap_cap * 2 : 32;
    if (ncap < n)
        ncap = n;
    nh = vg_mm_reallocarray(base->heap, ncap, sizeof(*nh));
    if (nh == NULL)
        return -1;
    base->heap = nh;
    base->heap_cap = ncap;
    return 0;
}

static void
heap_push(struct event_base *base, struct event *ev, vg_usec_t key)
{
    struct vg_heap_entry e;

    e.key = key;
    e.ev = ev;
    heap_sift_up(base, base->heap_n++, e);
}

/* Gives a timer already in the heap a new expiry, moving it up or down. */
static void
heap_adjust(struct event_base *base, struct event *ev, vg_usec_t key)
{
    unsigned i = (unsigned)ev->ev_timeout_pos.min_heap_idx;
    struct vg_heap_entry e;

    /* The slot's owner is checked in debug mode, where a freed or
     * reassigned pending event is diagnosed anyway. */
    VG_ASSERT(i < base->heap_n && (!debug_mode_on || base->heap[i].ev == ev));
    e.key = key;
    e.ev = ev;
    if (i > 0 && key < base->heap[(i - 1) / 2].key)
        heap_sift_up(base, i, e);
    else
        heap_sift_down(base, i, e);
}

VG_HOT void
heap_erase(struct event_base *base, struct event *ev)
{
    unsigned i = (unsigned)ev->ev_timeout_pos.min_heap_idx;
    struct vg_heap_entry last;

    /* The slot's owner is checked in debug mode, where a freed or
     * reassigned pending event is diagnosed anyway. */
    VG_ASSERT(i < base->heap_n && (!debug_mode_on || base->heap[i].ev == ev));
    ev->ev_timeout_pos.min_heap_idx = -1;
    last = base->heap[--base->heap_n];
    if (i == base->heap_n)
        return;
    if (i > 0 && last.key < base->heap[(i - 1) / 2].key)
        heap_sift_up(base, i, last);
    else
        heap_sift_down(base, i, last);
}

/* ------------------------------------------------------------------ */
/* Common timeouts.                                                    */

static int
is_common_timeout(const struct timeval *tv, const struct event_base *base)
{
    int idx;

    if ((tv->tv_usec & CT_MAGIC_MASK) != CT_MAGIC)
        return 0;
    idx = (int)((tv->tv_usec & CT_IDX_MASK) >> CT_IDX_SHIFT);
    return idx < base->n_common_timeouts;
}

static struct vg_common_timeout *
common_timeout_of(struct event_base *base, const struct timeval *tv)
{
    return base->common_timeouts[(tv->tv_usec & CT_IDX_MASK) >> CT_IDX_SHIFT];
}

/* The plain microsecond value of a timeval that may carry a common-timeout
 * encoding. */
static vg_usec_t
tv_plain_usec(const struct timeval *tv)
{
    struct timeval t = *tv;

    if ((t.tv_usec & CT_MAGIC_MASK) == CT_MAGIC)
        t.tv_usec &= CT_USEC_MASK;
    return tv_usec_saturating(&t);
}

static int event_add_internal(struct event *ev, const struct timeval *tv,
                              int tv_is_absolute);
static int event_del_internal(struct event *ev);

static void
common_timeout_schedule(struct vg_common_timeout *ct)
{
    struct event *head = TAILQ_FIRST(&ct->events);
    struct timeval when;

    if (head == NULL)
        return;
    when.tv_sec = head->ev_timeout.tv_sec;
    when.tv_usec = head->ev_timeout.tv_usec & CT_USEC_MASK;
    event_add_internal(&ct->timer, &when, 1);
}

static void event_active_internal(struct event *ev, int res, short ncalls);

static void
common_timeout_fire(evutil_socket_t fd, short what, void *arg)
{
    struct vg_common_timeout *ct = arg;
    struct event_base *base = ct->base;
    vg_usec_t now;
    struct event *ev;

    (void)fd;
    (void)what;
    BASE_LOCK(base);
    now = vg_base_now(base);
    while ((ev = TAILQ_FIRST(&ct->events)) != NULL) {
        if (tv_plain_usec(&ev->ev_timeout) > now)
            break;
        event_del_internal(ev);
        event_active_internal(ev, EV_TIMEOUT, 1);
    }
    common_timeout_schedule(ct);
    BASE_UNLOCK(base);
}

static const struct timeval *
init_common_timeout(struct event_base *base, const struct timeval *duration);

const struct timeval *
event_base_init_common_timeout(struct event_base *base,
                               const struct timeval *duration)
{
    const struct timeval *result;

    if (base == NULL || duration == NULL)
        return NULL;
    BASE_LOCK(base);
    result = init_common_timeout(base, duration);
    BASE_UNLOCK(base);
    return result;
}

static const struct timeval *
init_common_timeout(struct event_base *base, const struct timeval *duration)
{
    struct vg_common_timeout *ct, **nt;
    struct timeval d;
    int i;

    d = *duration;
    if (d.tv_usec >= 1000000 || d.tv_usec < 0) {
        if (is_common_timeout(&d, base))
            return &common_timeout_of(base, &d)->duration;
        if (d.tv_usec < 0 || d.tv_usec / 1000000 > INT_MAX - d.tv_sec)
            return NULL;
        d.tv_sec += d.tv_usec / 1000000;
        d.tv_usec %= 1000000;
    }
    for (i = 0; i < base->n_common_timeouts; i++) {
        ct = base->common_timeouts[i];
        if (ct->duration.tv_sec == d.tv_sec &&
            (ct->duration.tv_usec & CT_USEC_MASK) == d.tv_usec)
            return &ct->duration;
    }
    if (base->n_common_timeouts == CT_MAX) {
        vg_log_warnx("%s: too many common timeouts already in use; at most "
                     "%d are allowed per base",
                     __func__, CT_MAX);
        return NULL;
    }
    nt = vg_mm_reallocarray(base->common_timeouts,
                            (size_t)base->n_common_timeouts + 1, sizeof(*nt));
    if (nt == NULL)
        return NULL;
    base->common_timeouts = nt;
    ct = vg_mm_calloc(1, sizeof(*ct));
    if (ct == NULL)
        return NULL;
    TAILQ_INIT(&ct->events);
    ct->base = base;
    ct->duration.tv_sec = d.tv_sec;
    ct->duration.tv_usec =
        (suseconds_t)(d.tv_usec | CT_MAGIC |
                      (base->n_common_timeouts << CT_IDX_SHIFT));
    event_assign(&ct->timer, base, -1, 0, common_timeout_fire, ct);
    ct->timer.ev_evcallback.evcb_flags |= EVLIST_INTERNAL;
    ct->timer.ev_evcallback.evcb_pri = 0;
    base->common_timeouts[base->n_common_timeouts++] = ct;
    return &ct->duration;
}

/* ------------------------------------------------------------------ */
/* Active queues.                                                      */

VG_HOT void
queue_remove_active(struct event_base *base, struct event_callback *cb)
{
    cb->evcb_flags &= ~EVLIST_ACTIVE;
    base->n_active--;
    count_active_down(base, cb);
    TAILQ_REMOVE(&base->activequeues[cb->evcb_pri], cb, evcb_active_next);
}

static void
queue_insert_active_later(struct event_base *base, struct event_callback *cb)
{
    cb->evcb_flags |= EVLIST_ACTIVE_LATER;
    base->n_active_later++;
    vg_count_active_up(base, cb);
    TAILQ_INSERT_TAIL(&base->active_later, cb, evcb_active_next);
}

static void
queue_remove_active_later(struct event_base *base, struct event_callback *cb)
{
    cb->evcb_flags &= ~EVLIST_ACTIVE_LATER;
    base->n_active_later--;
    count_active_down(base, cb);
    TAILQ_REMOVE(&base->active_later, cb, evcb_active_next);
}

static void
make_later_events_active(struct event_base *base)
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

static void
event_active_internal(struct event *ev, int res, short ncalls)
{
    vg_event_active_inline(ev, res, ncalls);
}

/* ------------------------------------------------------------------ */
/* The fd and signal maps.                                             */

struct vg_fdslot *
vg_evmap_slot(struct event_base *base, int fd)
{
    if (fd < 0 || fd >= base->nfds)
        return NULL;
    return &base->fds[fd];
}

static int
fdmap_reserve(struct event_base *base, int fd)
{
    struct vg_fdslot *nf;
    int ncap, i;

    if (fd < base->nfds)
        return 0;
    ncap = base->nfds ? base->nfds : 64;
    while (ncap <= fd) {
        if (ncap > INT_MAX / 2)
            return -1;
        ncap *= 2;
    }
    nf = vg_mm_reallocarray(base->fds, (size_t)ncap, sizeof(*nf));
    if (nf == NULL)
        return -1;
    /* The event lists' back-pointers point into the array: fix them. */
    for (i = 0; i < base->nfds; i++) {
        struct event *first = LIST_FIRST(&nf[i].events);

        if (first != NULL)
            first->ev_.ev_io.ev_io_next.le_prev = &LIST_FIRST(&nf[i].events);
    }
    for (i = base->nfds; i < ncap; i++) {
        memset(&nf[i], 0, sizeof(nf[i]));
        LIST_INIT(&nf[i].events);
        nf[i].change_pos = -1;
    }
    base->fds = nf;
    base->nfds = ncap;
    return 0;
}

static short
slot_wanted(const struct vg_fdslot *s)
{
    short w = 0;

    if (s->nread)
        w |= EV_READ;
    if (s->nwrite)
        w |= EV_WRITE;
    if (s->nclose)
        w |= EV_CLOSED;
    if (w && s->net)
        w |= EV_ET;
    return w;
}

/* Brings the backend in line with what fd's events want: at once, or at
 * the next dispatch when the changelist is on. */
static int
slot_sync(struct event_base *base, int fd, struct vg_fdslot *s)
{
    short want = slot_wanted(s);
    int rc;

    /* The backend goes with the base: telling it of each delete would
     * only reach fds the program may have closed, and whose numbers may
     * belong to other files by now. */
    if (base->freeing)
        return 0;
    if (base->use_changelist) {
        if (s->change_pos < 0) {
            if (base->nchanges == base->changes_cap) {
                int ncap = base->changes_cap ? base->changes_cap * 2 : 64;
                int *nc = vg_mm_reallocarray(base->changes, (size_t)ncap,
                                             sizeof(*nc));

                if (nc == NULL)
                    return -1;
                base->changes = nc;
                base->changes_cap = ncap;
            }
            s->change_pos = base->nchanges;
            base->changes[base->nchanges++] = fd;
        }
        if (want == 0)
            s->emptied = 1;
        return 0;
    }
    if (want == s->registered)
        return 0;
    rc = base->backend->change(base, fd, s->registered, want, &s->backend_data);
    if (rc == 0)
        s->registered = want;
    return rc;
}

/* Hands the merged changes to the backend before it waits. */
static void
apply_changelist(struct event_base *base)
{
    int i;

    for (i = 0; i < base->nchanges; i++) {
        int fd = base->changes[i];
        struct vg_fdslot *s = &base->fds[fd];
        short want = slot_wanted(s);

        s->change_pos = -1;
        /* When every event left the fd and some came back, the program
         * may have closed the fd and opened another under the same number
         * meanwhile; the kernel dropped the old registration at close, so
         * the registration is renewed (a MOD, or an ADD on ENOENT) rather
         * than assumed.  Only a plain re-add of what stayed costs nothing. */
        if (want == s->registered && !(s->emptied && want != 0)) {
            s->emptied = 0;
            continue;
        }
        s->emptied = 0;
        if (base->backend->change(base, fd, s->registered, want,
                                  &s->backend_data) == 0)
            s->registered = want;
    }
    base->nchanges = 0;
}

static int
evmap_io_add(struct event_base *base, struct event *ev)
{
    int fd = ev->ev_fd;
    struct vg_fdslot *s;
    short ev_events = ev->ev_events;

    /* libevent accepts an I/O event without an fd: it counts as added
     * and may time out, but no backend ever watches it, and it is on no
     * fd's list (so event_base_foreach_event does not see it either). */
    if (fd < 0)
        return 0;
    if (fdmap_reserve(base, fd) < 0)
        return -1;
    s = &base->fds[fd];
    if ((ev_events & EV_READ && s->nread == UINT16_MAX) ||
        (ev_events & EV_WRITE && s->nwrite == UINT16_MAX) ||
        (ev_events & EV_CLOSED && s->nclose == UINT16_MAX)) {
        vg_log_warnx("too many events on fd %d", fd);
        errno = EMFILE;
        return -1;
    }
    s->nread += !!(ev_events & EV_READ);
    s->nwrite += !!(ev_events & EV_WRITE);
    s->nclose += !!(ev_events & EV_CLOSED);
    s->net += !!(ev_events & EV_ET);
    if (slot_sync(base, fd, s) < 0) {
        s->nread -= !!(ev_events & EV_READ);
        s->nwrite -= !!(ev_events & EV_WRITE);
        s->nclose -= !!(ev_events & EV_CLOSED);
        s->net -= !!(ev_events & EV_ET);
        return -1;
    }
    LIST_INSERT_HEAD(&s->events, ev, ev_.ev_io.ev_io_next);
    return 0;
}

static void
evmap_io_del(struct event_base *base, struct event *ev)
{
    struct vg_fdslot *s;
    short ev_events = ev->ev_events;

    if (ev->ev_fd < 0)
        return;
    s = &base->fds[ev->ev_fd];
    s->nread -= !!(ev_events & EV_READ);
    s->nwrite -= !!(ev_events & EV_WRITE);
    s->nclose -= !!(ev_events & EV_CLOSED);
    s->net -= !!(ev_events & EV_ET);
    LIST_REMOVE(ev, ev_.ev_io.ev_io_next);
    /* A failure to stop watching (the fd was closed already) leaves
     * nothing to undo. */
    (void)slot_sync(base, ev->ev_fd, s);
}

static int
evmap_signal_add(struct event_base *base, struct event *ev)
{
    int sig = ev->ev_fd;
    struct vg_sigslot *s;

    if (sig <= 0 || sig >= NSIG) {
        vg_log_warnx("event_add: signal number %d is out of range (1 to %d)",
                     sig, NSIG - 1);
        errno = EINVAL;
        return -1;
    }
    s = &base->sigs[sig];
    if (s->count == 0 && vg_signal_add(base, sig) < 0)
        return -1;
    s->count++;
    LIST_INSERT_HEAD(&s->events, ev, ev_.ev_signal.ev_signal_next);
    return 0;
}

static void
evmap_signal_del(struct event_base *base, struct event *ev)
{
    struct vg_sigslot *s = &base->sigs[ev->ev_fd];

    LIST_REMOVE(ev, ev_.ev_signal.ev_signal_next);
    if (--s->count == 0)
        (void)vg_signal_del(base, ev->ev_fd);
}

void
vg_evmap_signal_active(struct event_base *base, int signo, int ncalls)
{
    struct event *ev;

    if (signo <= 0 || signo >= NSIG)
        return;
    if (ncalls > SHRT_MAX)
        ncalls = SHRT_MAX;
    LIST_FOREACH(ev, &base->sigs[signo].events, ev_.ev_signal.ev_signal_next)
    event_active_internal(ev, EV_SIGNAL, (short)ncalls);
}

/* ------------------------------------------------------------------ */
/* Adding and deleting.                                                */

VG_HOT void
timeout_remove(struct event_base *base, struct event *ev)
{
    ev->ev_evcallback.evcb_flags &= ~EVLIST_TIMEOUT;
    vg_count_added(base, &ev->ev_evcallback, -1);
    if (is_common_timeout(&ev->ev_timeout, base)) {
        struct vg_common_timeout *ct = common_timeout_of(base, &ev->ev_timeout);

        TAILQ_REMOVE(&ct->events, ev,
                     ev_timeout_pos.ev_next_with_common_timeout);
    } else {
        heap_erase(base, ev);
    }
}

static int
event_add_internal(struct event *ev, const struct timeval *tv,
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
        !is_common_timeout(tv, base) &&
        heap_reserve(base, base->heap_n + 1) < 0)
        return -1;

    if ((ev->ev_events & (VG_EV_IO_MASK | EV_SIGNAL)) &&
        !(cb->evcb_flags &
          (EVLIST_INSERTED | EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))) {
        if (ev->ev_events & EV_SIGNAL)
            rc = evmap_signal_add(base, ev);
        else
            rc = evmap_io_add(base, ev);
        if (rc < 0)
            return -1;
        vg_count_added(base, cb, 1);
        cb->evcb_flags |= EVLIST_INSERTED;
    }

    if (tv != NULL) {
        vg_usec_t now, when;
        int common = is_common_timeout(tv, base);
        /* A timer moving within the heap is adjusted in place. */
        int adjust = !common && (cb->evcb_flags & EVLIST_TIMEOUT) &&
                     !is_common_timeout(&ev->ev_timeout, base);

        if (cb->evcb_closure == VG_CLOSURE_PERSIST && !tv_is_absolute)
            ev->ev_.ev_io.ev_timeout = *tv;
        if ((cb->evcb_flags & EVLIST_TIMEOUT) && !adjust)
            timeout_remove(base, ev);
        /* An event that is active because it timed out, and gets a new
         * timeout, is no longer active for the old one. */
        if ((cb->evcb_flags & EVLIST_ACTIVE) && (ev->ev_res & EV_TIMEOUT)) {
            if (ev->ev_events & EV_SIGNAL)
                ev->ev_.ev_signal.ev_ncalls = 0;
            queue_remove_active(base, cb);
        }
        now = vg_base_now(base);
        if (tv_is_absolute)
            when = tv_plain_usec(tv);
        else
            when = clamp_usec(now + tv_plain_usec(tv));
        vg_usec_to_tv(when, &ev->ev_timeout);

        if (adjust)
            heap_adjust(base, ev, when);
        else
            vg_count_added(base, cb, 1);
        cb->evcb_flags |= EVLIST_TIMEOUT;
        if (adjust) {
            /* Moved in place above. */
        } else if (common) {
            struct vg_common_timeout *ct = common_timeout_of(base, tv);

            ev->ev_timeout.tv_usec |= tv->tv_usec & ~CT_USEC_MASK;
            TAILQ_INSERT_TAIL(&ct->events, ev,
                              ev_timeout_pos.ev_next_with_common_timeout);
            if (TAILQ_FIRST(&ct->events) == ev)
                common_timeout_schedule(ct);
        } else {
            heap_push(base, ev, when);
        }
    }
    if (!(cb->evcb_flags & EVLIST_INTERNAL))
        debug_note_added(ev, 1);
    return 0;
}

static int
event_del_internal(struct event *ev)
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
        timeout_remove(base, ev);
    if (cb->evcb_flags & EVLIST_ACTIVE)
        queue_remove_active(base, cb);
    else if (cb->evcb_flags & EVLIST_ACTIVE_LATER)
        queue_remove_active_later(base, cb);
    if (cb->evcb_flags & EVLIST_INSERTED) {
        cb->evcb_flags &= ~EVLIST_INSERTED;
        vg_count_added(base, cb, -1);
        if (ev->ev_events & EV_SIGNAL)
            evmap_signal_del(base, ev);
        else
            evmap_io_del(base, ev);
    }
    if (!(cb->evcb_flags & EVLIST_INTERNAL))
        debug_note_added(ev, 0);
    return 0;
}

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
    debug_assert_setup(ev, "event_add");
    vg_log_debugx(
        "event_add: event %p (fd %d), %s%s%s%s call %p", (void *)ev,
        (int)ev->ev_fd, (ev->ev_events & EV_READ) ? "EV_READ " : "",
        (ev->ev_events & EV_WRITE) ? "EV_WRITE " : "",
        (ev->ev_events & EV_CLOSED) ? "EV_CLOSED " : "",
        tv != NULL ? "EV_TIMEOUT " : "",
        (void *)(size_t)ev->ev_evcallback.evcb_cb_union.evcb_callback);
    rc = event_add_internal(ev, tv, 0);
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
    debug_assert_setup(ev, what);
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
    rc = event_del_internal(ev);
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
    debug_assert_setup(ev, "event_remove_timer");
    if (ev->ev_evcallback.evcb_flags & EVLIST_TIMEOUT) {
        timeout_remove(ev->ev_base, ev);
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
    debug_assert_setup(ev, "event_active");
    event_active_internal(ev, res, ncalls);
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
    debug_assert_setup(ev, "event_pending");
    evflags = ev->ev_evcallback.evcb_flags;
    if (evflags & EVLIST_INSERTED)
        flags |= ev->ev_events & (VG_EV_IO_MASK | EV_SIGNAL);
    if (evflags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))
        flags |= ev->ev_res;
    if (evflags & EVLIST_TIMEOUT)
        flags |= EV_TIMEOUT;
    events &= (EV_TIMEOUT | VG_EV_IO_MASK | EV_SIGNAL);
    if (tv != NULL && (flags & events & EV_TIMEOUT)) {
        vg_usec_t at = tv_plain_usec(&ev->ev_timeout);

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
/* Assigning and freeing events.                                       */

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
    note_too_late_for_debug_mode();
    debug_assert_not_added(ev, "event_assign");

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
    debug_note_setup(ev);
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
    debug_assert_setup(ev, "event_free");
    event_del(ev);
    debug_note_teardown(ev);
    vg_mm_free(ev);
}

static int
event_finalize_internal(unsigned flags, struct event *ev,
                        event_finalize_callback_fn cb, int free_after)
{
    (void)flags;
    if (ev == NULL || ev->ev_base == NULL)
        return -1;
    debug_assert_setup(ev,
                       free_after ? "event_free_finalize" : "event_finalize");
    BASE_LOCK(ev->ev_base);
    /* Finalizing twice is harmless: the first finalizer stays, and runs
     * once. */
    if (ev->ev_evcallback.evcb_flags & EVLIST_FINALIZING) {
        BASE_UNLOCK(ev->ev_base);
        return 0;
    }
    event_del_internal(ev);
    ev->ev_evcallback.evcb_closure =
        (ev_uint8_t)(free_after ? VG_CLOSURE_FINALIZE_FREE
                                : VG_CLOSURE_FINALIZE);
    ev->ev_evcallback.evcb_cb_union.evcb_evfinalize = cb;
    event_active_internal(ev, EV_FINALIZE, 1);
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

    debug_assert_setup(ev, "event_priority_set");
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
/* Getters.                                                            */

evutil_socket_t
event_get_fd(const struct event *ev)
{
    debug_assert_setup(ev, "event_get_fd");
    return ev->ev_fd;
}

struct event_base *
event_get_base(const struct event *ev)
{
    debug_assert_setup(ev, "event_get_base");
    return ev->ev_base;
}

short
event_get_events(const struct event *ev)
{
    debug_assert_setup(ev, "event_get_events");
    return ev->ev_events;
}

event_callback_fn
event_get_callback(const struct event *ev)
{
    debug_assert_setup(ev, "event_get_callback");
    return ev->ev_evcallback.evcb_cb_union.evcb_callback;
}

void *
event_get_callback_arg(const struct event *ev)
{
    debug_assert_setup(ev, "event_get_callback_arg");
    return ev->ev_evcallback.evcb_arg;
}

int
event_get_priority(const struct event *ev)
{
    debug_assert_setup(ev, "event_get_priority");
    return ev->ev_evcallback.evcb_pri;
}

void
event_get_assignment(const struct event *ev, struct event_base **base_out,
                     evutil_socket_t *fd_out, short *events_out,
                     event_callback_fn *callback_out, void **arg_out)
{
    debug_assert_setup(ev, "event_get_assignment");
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
/* event_base_once.                                                    */

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
    debug_note_teardown(&once->ev);
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
        event_active_internal(&once->ev, EV_TIMEOUT, 1);
    } else if (event_add_internal(&once->ev, tv, 0) < 0) {
        BASE_UNLOCK(base);
        debug_note_teardown(&once->ev);
        vg_mm_free(once);
        return -1;
    }
    LIST_INSERT_HEAD(&base->once_events, once, next);
    vg_base_wake(base);
    BASE_UNLOCK(base);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Deferred callbacks (struct event_callback without an event).        */

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
        queue_remove_active_later(base, cb);
    vg_queue_insert_active(base, cb);
    return 1;
}

int
vg_event_callback_activate_later(struct event_base *base,
                                 struct event_callback *cb)
{
    if (cb->evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))
        return 0;
    queue_insert_active_later(base, cb);
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
        queue_remove_active(base, cb);
        return 1;
    }
    if (cb->evcb_flags & EVLIST_ACTIVE_LATER) {
        queue_remove_active_later(base, cb);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Waking a loop that sleeps in another thread.                        */

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

static int
make_notifiable(struct event_base *base)
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
    if (event_add_internal(&base->th_notify, NULL, 0) < 0) {
        close(fd);
        return -1;
    }
    base->th_notify_fd = fd;
    return 0;
}

static void
close_notify(struct event_base *base)
{
    if (base->th_notify_fd < 0)
        return;
    event_del_internal(&base->th_notify);
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
    rc = make_notifiable(base);
    BASE_UNLOCK(base);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Configurations.                                                     */

struct event_config *
event_config_new(void)
{
    struct event_config *cfg = vg_mm_calloc(1, sizeof(*cfg));

    if (cfg == NULL)
        return NULL;
    TAILQ_INIT(&cfg->entries);
    cfg->max_dispatch_interval.tv_sec = -1;
    cfg->max_dispatch_callbacks = INT_MAX;
    cfg->limit_callbacks_after_prio = 1;
    return cfg;
}

void
event_config_free(struct event_config *cfg)
{
    struct event_config_entry *e;

    if (cfg == NULL)
        return;
    while ((e = TAILQ_FIRST(&cfg->entries)) != NULL) {
        TAILQ_REMOVE(&cfg->entries, e, next);
        vg_mm_free(e->avoid_method);
        vg_mm_free(e);
    }
    vg_mm_free(cfg);
}

int
event_config_avoid_method(struct event_config *cfg, const char *method)
{
    struct event_config_entry *e;

    if (cfg == NULL || method == NULL)
        return -1;
    e = vg_mm_malloc(sizeof(*e));
    if (e == NULL)
        return -1;
    e->avoid_method = vg_mm_strdup(method);
    if (e->avoid_method == NULL) {
        vg_mm_free(e);
        return -1;
    }
    TAILQ_INSERT_TAIL(&cfg->entries, e, next);
    return 0;
}

int
event_config_require_features(struct event_config *cfg, int features)
{
    if (cfg == NULL)
        return -1;
    cfg->require_features = (enum event_method_feature)features;
    return 0;
}

int
event_config_set_flag(struct event_config *cfg, int flag)
{
    if (cfg == NULL)
        return -1;
    cfg->flags = (enum event_base_config_flag)(cfg->flags | flag);
    return 0;
}

int
event_config_set_num_cpus_hint(struct event_config *cfg, int cpus)
{
    if (cfg == NULL)
        return -1;
    cfg->n_cpus_hint = cpus;
    return 0;
}

int
event_config_set_max_dispatch_interval(struct event_config *cfg,
                                       const struct timeval *max_interval,
                                       int max_callbacks, int min_priority)
{
    if (cfg == NULL)
        return -1;
    if (max_interval != NULL)
        cfg->max_dispatch_interval = *max_interval;
    else
        cfg->max_dispatch_interval.tv_sec = -1;
    cfg->max_dispatch_callbacks = max_callbacks >= 0 ? max_callbacks : INT_MAX;
    if (min_priority < 0)
        min_priority = 0;
    cfg->limit_callbacks_after_prio = min_priority;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Bases.                                                              */

static const struct vg_backend *const backends[] = {
    &vg_backend_epoll,
    &vg_backend_poll,
    &vg_backend_select,
};

static const char *const method_names[] = {"epoll", "poll", "select", NULL};

const char **
event_get_supported_methods(void)
{
    /* The array is constant; the API's type lacks the inner const. */
    return (const char **)(uintptr_t)method_names;
}

static int
env_says(const struct event_base *base, const char *name)
{
    if (base->flags & EVENT_BASE_FLAG_IGNORE_ENV)
        return 0;
    return getenv(name) != NULL;
}

/* EVENT_NO<METHOD> for a backend name. */
static int
env_disables(const struct event_base *base, const char *method)
{
    char name[32] = "EVENT_NO";
    size_t i, n = strlen(name);

    for (i = 0; method[i] != '\0' && n < sizeof(name) - 1; i++)
        name[n++] =
            (char)(method[i] >= 'a' && method[i] <= 'z' ? method[i] - 'a' + 'A'
                                                        : method[i]);
    name[n] = '\0';
    return env_says(base, name);
}

static int
cfg_avoids(const struct event_config *cfg, const char *method)
{
    const struct event_config_entry *e;

    if (cfg == NULL)
        return 0;
    TAILQ_FOREACH(e, &cfg->entries, next)
    {
        if (strcmp(e->avoid_method, method) == 0)
            return 1;
    }
    return 0;
}

static int
alloc_queues(struct event_base *base, int n)
{
    struct vg_callback_queue *q = vg_mm_calloc((size_t)n, sizeof(*q));
    int i;

    if (q == NULL)
        return -1;
    for (i = 0; i < n; i++)
        TAILQ_INIT(&q[i]);
    vg_mm_free(base->activequeues);
    base->activequeues = q;
    base->nactivequeues = n;
    return 0;
}

struct event_base *
event_base_new_with_config(const struct event_config *cfg)
{
    struct event_base *base;
    size_t i;
    int sig;

    note_too_late_for_debug_mode();
    base = vg_mm_calloc(1, sizeof(*base));
    if (base == NULL)
        return NULL;
    if (cfg != NULL)
        base->flags = cfg->flags;
    if (env_says(base, "EVENT_PRECISE_TIMER"))
        base->flags |= EVENT_BASE_FLAG_PRECISE_TIMER;
    if (env_says(base, "EVENT_EPOLL_USE_CHANGELIST"))
        base->flags |= EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST;
    choose_clock(base);
    refresh_clock_diff(base, read_clock(base));

    base->sig.pipe[0] = base->sig.pipe[1] = -1;
    base->th_notify_fd = -1;
    for (sig = 0; sig < NSIG; sig++)
        LIST_INIT(&base->sigs[sig].events);
    TAILQ_INIT(&base->active_later);
    LIST_INIT(&base->once_events);
    base->max_dispatch_usec = -1;
    base->max_dispatch_callbacks = INT_MAX;
    base->limit_callbacks_after_prio = 1;
    if (cfg != NULL) {
        if (cfg->max_dispatch_interval.tv_sec >= 0)
            base->max_dispatch_usec =
                tv_usec_saturating(&cfg->max_dispatch_interval);
        base->max_dispatch_callbacks = cfg->max_dispatch_callbacks;
        base->limit_callbacks_after_prio = cfg->limit_callbacks_after_prio;
    }
    if (alloc_queues(base, 1) < 0)
        goto fail;

    for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        const struct vg_backend *b = backends[i];

        if (cfg_avoids(cfg, b->name))
            continue;
        if (cfg != NULL && (b->features & (int)cfg->require_features) !=
                               (int)cfg->require_features)
            continue;
        if (env_disables(base, b->name))
            continue;
        base->backend = b;
        base->backend_state = b->init(base);
        if (base->backend_state != NULL)
            break;
        base->backend = NULL;
    }
    if (base->backend == NULL) {
        vg_log_warnx("%s: no event mechanism available", __func__);
        goto fail;
    }
    base->use_changelist =
        base->backend == &vg_backend_epoll &&
        (base->flags & EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0;
    if (env_says(base, "EVENT_SHOW_METHOD"))
        vg_log_msgx("libevent using: %s", event_base_get_method(base));

    /* With locking set up (before the base was made), the base is safe to
     * use from any thread and its loop can be woken from any thread. */
    if (vg_locking_enabled() && !(base->flags & EVENT_BASE_FLAG_NOLOCK)) {
        base->th_base_lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
        base->current_event_cond = vg_cond_alloc();
        if (base->th_base_lock == NULL || make_notifiable(base) < 0) {
            event_base_free_nofinalize(base);
            return NULL;
        }
    }
    return base;

fail:
    vg_mm_free(base->activequeues);
    vg_mm_free(base);
    return NULL;
}

struct event_base *
event_base_new(void)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    if (cfg == NULL)
        return NULL;
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

const char *
event_base_get_method(const struct event_base *base)
{
    /* libevent names the changelist variant apart; programs print it. */
    if (base->use_changelist)
        return "epoll (with changelist)";
    return base->backend->name;
}

int
event_base_get_features(const struct event_base *base)
{
    return base->backend->features;
}

int
event_base_priority_init(struct event_base *base, int npriorities)
{
    int rc;

    if (base == NULL)
        base = vg_current_base;
    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    if (base->n_active != 0 || npriorities < 1 ||
        npriorities >= EVENT_MAX_PRIORITIES)
        rc = -1;
    else if (npriorities == base->nactivequeues)
        rc = 0;
    else
        rc = alloc_queues(base, npriorities);
    BASE_UNLOCK(base);
    return rc;
}

int
event_base_get_npriorities(struct event_base *base)
{
    int n;

    if (base == NULL)
        base = vg_current_base;
    if (base == NULL)
        return 0;
    BASE_LOCK(base);
    n = base->nactivequeues;
    BASE_UNLOCK(base);
    return n;
}

/* Runs or drops everything left on the active queues when a base goes
 * away: finalizers run (unless told not to), others are unlinked. */
static int
drain_queues_at_free(struct event_base *base, int run_finalizers)
{
    int i, n = 0;

    make_later_events_active(base);
    for (i = 0; i < base->nactivequeues; i++) {
        struct event_callback *cb;

        while ((cb = TAILQ_FIRST(&base->activequeues[i])) != NULL) {
            queue_remove_active(base, cb);
            n++;
            if (!run_finalizers)
                continue;
            if (cb->evcb_closure == VG_CLOSURE_FINALIZE ||
                cb->evcb_closure == VG_CLOSURE_FINALIZE_FREE) {
                struct event *ev = (struct event *)cb;
                int do_free = cb->evcb_closure == VG_CLOSURE_FINALIZE_FREE;

                cb->evcb_cb_union.evcb_evfinalize(ev, cb->evcb_arg);
                if (do_free) {
                    debug_note_teardown(ev);
                    vg_mm_free(ev);
                }
            } else if (cb->evcb_closure == VG_CLOSURE_CB_FINALIZE) {
                cb->evcb_cb_union.evcb_cbfinalize(cb, cb->evcb_arg);
            }
        }
    }
    return n;
}

static void
base_free(struct event_base *base, int run_finalizers)
{
    int fd, sig, i;
    struct vg_once *once;

    if (base == NULL)
        base = vg_current_base;
    if (base == NULL) {
        vg_log_warnx("%s: no base to free", __func__);
        return;
    }
    if (base == vg_current_base)
        vg_current_base = NULL;

    /* Finalizers first: they may still look at the base. */
    drain_queues_at_free(base, run_finalizers);
    base->freeing = 1;
    close_notify(base);

    while ((once = LIST_FIRST(&base->once_events)) != NULL) {
        event_del_internal(&once->ev);
        LIST_REMOVE(once, next);
        debug_note_teardown(&once->ev);
        vg_mm_free(once);
    }
    for (fd = 0; fd < base->nfds; fd++) {
        struct event *ev;

        while ((ev = LIST_FIRST(&base->fds[fd].events)) != NULL)
            event_del_internal(ev);
    }
    for (sig = 1; sig < NSIG; sig++) {
        struct event *ev;

        while ((ev = LIST_FIRST(&base->sigs[sig].events)) != NULL)
            event_del_internal(ev);
    }
    while (base->heap_n > 0)
        event_del_internal(base->heap[0].ev);
    for (i = 0; i < base->n_common_timeouts; i++) {
        struct vg_common_timeout *ct = base->common_timeouts[i];
        struct event *ev;

        while ((ev = TAILQ_FIRST(&ct->events)) != NULL)
            event_del_internal(ev);
        event_del_internal(&ct->timer);
        vg_mm_free(ct);
    }
    drain_queues_at_free(base, 0);

    vg_signal_dealloc(base);
    if (base->backend != NULL)
        base->backend->dealloc(base);
    vg_mm_free(base->common_timeouts);
    vg_mm_free(base->heap);
    vg_mm_free(base->fds);
    vg_mm_free(base->changes);
    vg_mm_free(base->activequeues);
    vg_lock_free(base->th_base_lock, EVTHREAD_LOCKTYPE_RECURSIVE);
    vg_cond_free(base->current_event_cond);
    vg_mm_free(base);
    /* Buffers' cached chunks go back too (buffer.c), so that a program
     * that frees everything sees all its allocations come back. */
    vg_evbuffer_cache_flush();
}

void
event_base_free(struct event_base *base)
{
    base_free(base, 1);
}

void
event_base_free_nofinalize(struct event_base *base)
{
    base_free(base, 0);
}

static int reinit(struct event_base *base);

int
event_reinit(struct event_base *base)
{
    int rc;

    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    rc = reinit(base);
    BASE_UNLOCK(base);
    return rc;
}

static int
reinit(struct event_base *base)
{
    int fd, rc = 0;

    /* A forked child shares the parent's epoll instance: anything done to
     * it would change the parent's.  Make a new one first, with nothing
     * registered, before touching any event. */
    if (base->backend->need_reinit) {
        base->backend->dealloc(base);
        base->backend_state = base->backend->init(base);
        if (base->backend_state == NULL) {
            vg_log_warnx("%s: could not reinitialize %s", __func__,
                         base->backend->name);
            return -1;
        }
        base->nchanges = 0;
        for (fd = 0; fd < base->nfds; fd++) {
            base->fds[fd].change_pos = -1;
            base->fds[fd].emptied = 0;
            base->fds[fd].registered = 0;
            base->fds[fd].backend_data = 0;
        }
    }
    /* The child must not share the parent's wake-up and signal pipes. */
    if (base->th_notify_fd >= 0) {
        close_notify(base);
        if (make_notifiable(base) < 0)
            rc = -1;
    }
    if (vg_signal_reinit(base) < 0)
        rc = -1;
    if (!base->backend->need_reinit)
        return rc;
    for (fd = 0; fd < base->nfds; fd++) {
        struct vg_fdslot *s = &base->fds[fd];
        short want = slot_wanted(s);

        s->change_pos = -1;
        if (want == s->registered)
            continue;
        if (base->backend->change(base, fd, s->registered, want,
                                  &s->backend_data) == 0)
            s->registered = want;
        else
            rc = -1;
    }
    base->nchanges = 0;
    return rc;
}

/* ------------------------------------------------------------------ */
/* The loop.                                                           */

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
        event_del_internal(ev);
        event_active_internal(ev, EV_TIMEOUT, 1);
    }
}

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
    if ((delay->tv_usec & CT_MAGIC_MASK) == CT_MAGIC)
        ct_bits = delay->tv_usec & ~CT_USEC_MASK;
    /* After a timeout the next one counts from when this one was due, so
     * that a periodic timer does not drift; after I/O, from now. */
    relative_to =
        (ev->ev_res & EV_TIMEOUT) ? tv_plain_usec(&ev->ev_timeout) : now;
    run_at = clamp_usec(relative_to + tv_plain_usec(delay));
    if (run_at < now)
        run_at = clamp_usec(now + tv_plain_usec(delay));
    vg_usec_to_tv(run_at, &at);
    at.tv_usec |= ct_bits;
    event_add_internal(ev, &at, 1);
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

static int
process_active_queue(struct event_base *base, struct vg_callback_queue *q,
                     int max_to_process, vg_usec_t endtime)
{
    struct event_callback *cb;
    int count = 0;
    int limited = max_to_process != INT_MAX || endtime >= 0;

    while ((cb = TAILQ_FIRST(q)) != NULL) {
        struct event *ev = (struct event *)cb;
        short res;

        /* The callback runs without the base lock.  A plain event is
         * deleted first; a persistent one is rescheduled first. */
        count += !(cb->evcb_flags & EVLIST_INTERNAL);
        switch (cb->evcb_closure) {
        case VG_CLOSURE_PERSIST:
            queue_remove_active(base, cb);
            base->current_event = cb;
            run_persist_closure(base, ev);
            res = ev->ev_res;
            BASE_UNLOCK(base);
            cb->evcb_cb_union.evcb_callback(ev->ev_fd, res, cb->evcb_arg);
            break;
        case VG_CLOSURE_EVENT:
            event_del_internal(ev);
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
                event_del_internal(ev);
            else
                queue_remove_active(base, cb);
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
            base->event_continue | limited) {
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
                    update_time_cache(base);
                    if (vg_base_now(base) >= endtime)
                        return count;
                }
            }
            if (base->event_continue)
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
            debug_note_teardown(ev);
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
                update_time_cache(base);
                endtime = vg_base_now(base) + base->max_dispatch_usec;
            }
            c = process_active_queue(base, &base->activequeues[i],
                                     base->max_dispatch_callbacks, endtime);
        }
        if (c != 0)
            break;
    }
    base->event_running_priority = -1;
    return c;
}

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
    vg_signal_claim(base);

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
        make_later_events_active(base);
        if (base->use_changelist)
            apply_changelist(base);

        base->tv_cache = 0;
        vg_log_debugx("%s: dispatching on %s, %d active", __func__,
                      base->backend->name, base->n_active);
        if (base->backend->dispatch(base, tv_p) < 0) {
            retval = -1;
            break;
        }
        update_time_cache(base);
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

/* ------------------------------------------------------------------ */
/* Time as the loop sees it.                                           */

int
event_base_gettimeofday_cached(struct event_base *base, struct timeval *tv)
{
    vg_usec_t cache = 0, diff = 0;

    if (base == NULL)
        base = vg_current_base;
    if (tv == NULL)
        return -1;
    if (base != NULL) {
        BASE_LOCK(base);
        cache = base->tv_cache;
        diff = vg_tv_to_usec(&base->tv_clock_diff);
        BASE_UNLOCK(base);
    }
    if (cache == 0)
        return gettimeofday(tv, NULL);
    vg_usec_to_tv(cache + diff, tv);
    return 0;
}

int
event_base_update_cache_time(struct event_base *base)
{
    if (base == NULL)
        base = vg_current_base;
    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    if (base->running_loop)
        update_time_cache(base);
    BASE_UNLOCK(base);
    return 0;
}

int
event_gettime_monotonic(struct event_base *base, struct timeval *tp)
{
    if (base == NULL || tp == NULL)
        return -1;
    BASE_LOCK(base);
    vg_usec_to_tv(vg_base_now(base), tp);
    BASE_UNLOCK(base);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Looking inside a base.                                              */

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
        vg_usec_t at =
            tv_plain_usec(&e->ev_timeout) + vg_tv_to_usec(&base->tv_clock_diff);

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
            event_active_internal(ev, EV_TIMEOUT, 1);
    }
    for (c = 0; c < base->n_common_timeouts; c++) {
        struct event *ev;

        TAILQ_FOREACH(ev, &base->common_timeouts[c]->events,
                      ev_timeout_pos.ev_next_with_common_timeout)
        {
            if (ev->ev_fd == fd && !(ev->ev_events & EV_SIGNAL))
                event_active_internal(ev, EV_TIMEOUT, 1);
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

/* ------------------------------------------------------------------ */
/* Whole-library state.                                                */

void
libevent_global_shutdown(void)
{
    vg_signal_global_shutdown();
    vg_evbuffer_cache_flush();
    vg_mm_free(debug_table);
    debug_table = NULL;
    debug_cap = debug_used = 0;
}
