/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_debug.c: debug mode (event_enable_debug_mode).  A hash set of the
 * events the program has assigned (open addressing, keyed by address,
 * with tombstones), so that using an unassigned event, or assigning or
 * unassigning a pending one, goes through the fatal path instead of
 * corrupting the base.  The table is process-wide and guarded by
 * vg_global_lock; the inline checks in event-internal.h cost one test of
 * vg_debug_mode_on when debug mode is off.
 */
#include "event-internal.h"

#include "mm-internal.h"

int vg_debug_mode_on;
int vg_debug_mode_too_late;

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

void
vg_debug_note_setup_(const struct event *ev)
{
    struct debug_entry *e;
    size_t i;

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

void
vg_debug_note_teardown_(const struct event *ev)
{
    struct debug_entry *e;

    vg_lock(vg_global_lock);
    e = debug_find(ev);
    if (e != NULL)
        e->ev = DEBUG_TOMB;
    vg_unlock(vg_global_lock);
}

void
vg_debug_note_added_(const struct event *ev, int added)
{
    struct debug_entry *e;

    vg_lock(vg_global_lock);
    e = debug_find(ev);
    if (e != NULL)
        e->added = added;
    vg_unlock(vg_global_lock);
}

void
vg_debug_assert_setup_(const struct event *ev, const char *what)
{
    int found;

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

void
vg_debug_assert_not_added_(const struct event *ev, const char *what)
{
    struct debug_entry *e;
    int added;

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
    if (vg_debug_mode_on)
        vg_log_errx(VG_ERR_ABORT, "event_enable_debug_mode was called twice");
    if (__atomic_load_n(&vg_debug_mode_too_late, __ATOMIC_RELAXED))
        vg_log_errx(VG_ERR_ABORT,
                    "event_enable_debug_mode must be called before any "
                    "event or event_base is created");
    vg_debug_mode_on = 1;
}

void
event_debug_unassign(struct event *ev)
{
    vg_debug_assert_not_added(ev, "event_debug_unassign");
    vg_debug_note_teardown(ev);
    ev->ev_evcallback.evcb_flags &= ~EVLIST_INIT;
}

void
vg_debug_shutdown(void)
{
    vg_lock(vg_global_lock);
    vg_mm_free(debug_table);
    debug_table = NULL;
    debug_cap = debug_used = 0;
    vg_unlock(vg_global_lock);
}
