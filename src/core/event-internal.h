/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event-internal.h: the event core's shared state and internal API.
 *
 * What it holds: struct event_base and what hangs off it (the fd and
 * signal maps, the timer heap's entries, common timeouts, the active
 * queues), struct event_config, the backend interface (struct
 * vg_backend), the base lock macros, the functions the core's files share
 * (grouped by the file that defines them), the hooks through which a
 * higher layer hears about a base's end, and the activation path inlined
 * into the backends.  The timer heap's inline operations are in
 * event-timer-internal.h; the signal machinery's interface in
 * signal-internal.h.
 *
 * Who may include it: the core loop (event*.c, evmap.c, signal.c,
 * backend/) and the layers above it (evbuffer, bufferevent, listener),
 * which use the base lock, deferred callbacks and the cached clock.  Not
 * the util layer (evutil*, log, mm, thread), which sits below the core.
 *
 * Locking: every field of struct event_base is guarded by the base lock
 * (th_base_lock; NULL when the program set up no locking, or with
 * EVENT_BASE_FLAG_NOLOCK), taken by every public call.  The loop holds it
 * except while the backend waits (BASE_RELEASE_FOR_WAIT) and while a
 * callback runs.  Functions named *_nolock, and every vg_ function here
 * unless it says otherwise, expect the caller to hold it.  Process-wide
 * state (debug mode's table, which base receives signals) is guarded by
 * vg_global_lock instead; the hook tables by atomics.
 *
 * Ownership: the base owns its arrays (fds, heap, changes, activequeues,
 * common_timeouts and each vg_common_timeout), its event_base_once
 * records, its backend state (freed by the backend's dealloc) and its
 * signal state (signal.c's dealloc); event_base_free() releases them all.
 * The program owns every struct event and struct event_callback: the base
 * only links them while they are pending or active, and never frees one,
 * except an event given to event_free_finalize() (freed after its
 * finalizer) and its own internal events.
 */
#ifndef VIGIL_EVENT_INTERNAL_H
#define VIGIL_EVENT_INTERNAL_H

/* The C library's queue macros first, so the public headers use them. */
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include <signal.h>
#include <stdint.h>

#include "bridge-internal.h"
#include "log-internal.h"
#include "signal-internal.h"
#include "thread-internal.h"

/* For a variable shared between the library's files: read directly, not
 * through the global offset table. */
#define VG_HIDDEN __attribute__((visibility("hidden")))

/*
 * How a callback on an active queue is run (struct event_callback's
 * evcb_closure).
 */
enum vg_closure {
    VG_CLOSURE_EVENT = 0,        /* a plain event: callback(fd, res, arg) */
    VG_CLOSURE_SIGNAL = 1,       /* a signal event: callback ev_ncalls times */
    VG_CLOSURE_PERSIST = 2,      /* a persistent event: reschedule, call */
    VG_CLOSURE_CB_SELF = 3,      /* a bare event_callback: selfcb(cb, arg) */
    VG_CLOSURE_CB_FINALIZE = 4,  /* a bare event_callback being finalized */
    VG_CLOSURE_FINALIZE = 5,     /* an event being finalized */
    VG_CLOSURE_FINALIZE_FREE = 6 /* an event finalized, then freed */
};

/* ev_res bit for a finalizing event (libevent's EV_FINALIZE). */
#define VG_EV_IO_MASK (EV_READ | EV_WRITE | EV_CLOSED)

/* Microseconds on the monotonic clock. */
typedef int64_t vg_usec_t;

/*
 * The backend interface: one const table per backend.  The core keeps, per
 * fd, what the backend currently watches and what the events want, and
 * calls change() with both; the backend turns that into its own calls.
 */
struct vg_backend {
    const char *name;
    /* Makes the backend's state for base; NULL if it cannot run here. */
    void *(*init)(struct event_base *base);
    /* Makes the backend watch new (EV_READ|EV_WRITE|EV_CLOSED|EV_ET) on fd
     * instead of old.  *slot_data is one int of per-fd scratch the backend
     * owns (the poll backend keeps its array index there).  0 or -1. */
    int (*change)(struct event_base *base, int fd, short old_events,
                  short new_events, int *slot_data);
    /* Waits up to *tv (NULL: forever) and activates what became ready
     * through vg_evmap_io_active().  0, or -1 on failure. */
    int (*dispatch)(struct event_base *base, const struct timeval *tv);
    /* Frees the backend's state. */
    void (*dealloc)(struct event_base *base);
    /* Must be rebuilt in a forked child (event_reinit). */
    int need_reinit;
    /* EV_FEATURE_* the backend provides. */
    int features;
};

extern const struct vg_backend vg_backend_epoll;
extern const struct vg_backend vg_backend_poll;
extern const struct vg_backend vg_backend_select;

/* What the core knows of one fd. */
struct vg_fdslot {
    LIST_HEAD(vg_fd_events, event) events;
    uint16_t nread;   /* events wanting EV_READ */
    uint16_t nwrite;  /* events wanting EV_WRITE */
    uint16_t nclose;  /* events wanting EV_CLOSED */
    uint16_t net;     /* events asking for EV_ET */
    short registered; /* what the backend watches now */
    short emptied;    /* changelist: every event left since the last apply */
    int backend_data; /* the backend's per-fd scratch */
    int change_pos;   /* index in the changelist, or -1 */
};

/* What the core knows of one signal number. */
struct vg_sigslot {
    LIST_HEAD(vg_sig_events, event) events;
    int count;
};

/* A heap entry: the expiry is copied next to the event pointer so that
 * comparisons never touch the event. */
struct vg_heap_entry {
    vg_usec_t key;
    struct event *ev;
};

/* Events sharing one duration, kept in expiry order (O(1) add). */
struct vg_common_timeout {
    TAILQ_HEAD(vg_ct_events, event) events;
    struct timeval duration; /* the encoded handle given to the user */
    struct event timer;      /* internal: fires at the head's expiry */
    struct event_base *base;
};

/* event_base_once's bookkeeping. */
struct vg_once {
    LIST_ENTRY(vg_once) next;
    struct event ev;
    event_callback_fn cb;
    void *arg;
};

TAILQ_HEAD(vg_callback_queue, event_callback);

struct event_config_entry {
    TAILQ_ENTRY(event_config_entry) next;
    char *avoid_method;
};

struct event_config {
    /* Must stay first, as in struct event_base (bridge-internal.h). */
    const struct vg_core_bridge *bridge;
    TAILQ_HEAD(vg_cfg_avoid, event_config_entry) entries;
    int n_cpus_hint;
    struct timeval max_dispatch_interval; /* tv_sec -1: none */
    int max_dispatch_callbacks;
    int limit_callbacks_after_prio;
    enum event_method_feature require_features;
    enum event_base_config_flag flags;
};

struct event_base {
    /* Must stay first: the higher libraries read it (bridge-internal.h). */
    const struct vg_core_bridge *bridge;
    const struct vg_backend *backend;
    void *backend_state;
    int flags; /* enum event_base_config_flag */

    /* fd and signal maps. */
    struct vg_fdslot *fds;
    int nfds;
    struct vg_sigslot sigs[NSIG];
    /* The signal machinery's state (signal.c), reached through sigops. */
    const struct vg_signal_ops *sigops;
    struct vg_signal_state sig;

    /* Changelist: fds whose wanted events changed since the last
     * dispatch (used by epoll when EPOLL_USE_CHANGELIST is on). */
    int use_changelist;
    int freeing; /* base_free runs: the backend is not told of deletes */
    int *changes;
    int nchanges;
    int changes_cap;

    /* Timers. */
    struct vg_heap_entry *heap;
    unsigned heap_n;
    unsigned heap_cap;
    struct vg_common_timeout **common_timeouts;
    int n_common_timeouts;

    /* Active queues, one per priority, and the ones activated for the
     * next iteration. */
    struct vg_callback_queue *activequeues;
    int nactivequeues;
    struct vg_callback_queue active_later;
    int n_active; /* callbacks on any active queue */
    int n_active_later;
    /* Deferred callbacks (bufferevents) activated at once during this
     * iteration; past a bound they wait for the next one, so callbacks
     * that keep scheduling each other cannot starve the loop. */
    int n_deferreds_queued;

    /* Dispatch limits (event_config_set_max_dispatch_interval). */
    vg_usec_t max_dispatch_usec; /* < 0: none */
    int max_dispatch_callbacks;
    int limit_callbacks_after_prio;

    /* Counts for event_base_get_num_events / get_max_events. */
    int event_count;
    int event_count_max;
    int event_count_active;
    int event_count_active_max;
    int virtual_event_count;
    int virtual_event_count_max;

    /* Loop state. */
    int running_loop;
    int event_gotterm;
    int event_break;
    int event_continue;
    int event_running_priority;
    struct event_callback *current_event;

    /* Time: the monotonic clock in use, the cached "now" (0: no cache),
     * and wall-clock minus monotonic, refreshed now and then. */
    clockid_t clock;
    vg_usec_t tv_cache;
    struct timeval tv_clock_diff;
    vg_usec_t last_clock_diff_update;

    LIST_HEAD(vg_once_list, vg_once) once_events;

    /* Threads (event2/thread.h).  The base lock (NULL when the program
     * set up no locking, or for EVENT_BASE_FLAG_NOLOCK) guards everything
     * above; the loop releases it only while the backend waits and while
     * a callback runs.  event_del() from another thread waits on
     * current_event_cond for a running callback to return. */
    void *th_base_lock;
    void *current_event_cond;
    int current_event_waiters;
    unsigned long th_owner_id; /* the thread running the loop */
    int th_notify_fd;          /* eventfd that wakes the loop, or -1 */
    struct event th_notify;
    /* The loop sleeps in the backend (and nobody has woken it yet).  Only
     * then does a change from another thread need to wake it: otherwise the
     * loop sees the change, under the lock, before it next sleeps. */
    int th_sleeping;
};

#define BASE_LOCK(base) vg_lock((base)->th_base_lock)
#define BASE_UNLOCK(base) vg_unlock((base)->th_base_lock)

/* Whether a change made now must wake the loop. */
#define BASE_NEEDS_NOTIFY(base) ((base)->th_sleeping)

/* A backend brackets its wait with these: the lock is released only while
 * the loop sleeps. */
#define BASE_RELEASE_FOR_WAIT(base)                      \
    do {                                                 \
        (base)->th_sleeping = (base)->th_notify_fd >= 0; \
        BASE_UNLOCK(base);                               \
    } while (0)
#define BASE_REACQUIRE_AFTER_WAIT(base) \
    do {                                \
        BASE_LOCK(base);                \
        (base)->th_sleeping = 0;        \
    } while (0)

/* ------------------------------------------------------------------ */
/* Functions the core's files share, by the file that defines them.   */

/* event.c: adding, deleting and activating with the base lock held (the
 * public calls take the lock, check the event, then call these). */
int vg_event_add_nolock(struct event *ev, const struct timeval *tv,
                        int tv_is_absolute);
int vg_event_del_nolock(struct event *ev);
void vg_event_active_nolock(struct event *ev, int res, short ncalls);

/* event_base.c: the base event_init() made, used by the 1.x calls
 * (event_compat.h). */
extern struct event_base *vg_current_base;
/* The table every base points to (bridge.c). */
extern const struct vg_core_bridge vg_core_bridge;

/* evmap.c: the fd and signal maps and the changelist. */
int vg_evmap_io_add(struct event_base *base, struct event *ev);
void vg_evmap_io_del(struct event_base *base, struct event *ev);
int vg_evmap_signal_add(struct event_base *base, struct event *ev);
void vg_evmap_signal_del(struct event_base *base, struct event *ev);
/* Activates signo's events ncalls times (signal.c, active_by_signal). */
void vg_evmap_signal_active(struct event_base *base, int signo, int ncalls);
/* fd's slot, or NULL beyond the map (the poll backend). */
struct vg_fdslot *vg_evmap_slot(struct event_base *base, int fd);
/* Hands the merged changes to the backend before it waits. */
void vg_evmap_apply_changelist(struct event_base *base);
/* event_reinit: the backend was rebuilt and watches nothing; forget what
 * it watched, then register every fd's events with it again (0 or -1). */
void vg_evmap_forget_registrations(struct event_base *base);
int vg_evmap_reregister(struct event_base *base);

/* event_callback.c: deferred callbacks (struct event_callback without an
 * event), for evbuffers and bufferevents, and the later queue. */
void vg_event_callback_init(struct event_base *base, struct event_callback *cb,
                            void (*fn)(struct event_callback *, void *),
                            void *arg, int priority);
int vg_event_callback_activate(struct event_base *base,
                               struct event_callback *cb);
int vg_event_callback_activate_later(struct event_base *base,
                                     struct event_callback *cb);
int vg_event_callback_cancel(struct event_base *base,
                             struct event_callback *cb);
/* Schedules a deferred callback: at once, or for the next iteration when
 * many ran at once already.  1 if it was not scheduled before. */
int vg_event_deferred_schedule(struct event_base *base,
                               struct event_callback *cb);
/* Moves the callbacks activated for the next iteration to the active
 * queues (once per loop iteration, and when a base goes). */
void vg_make_later_events_active(struct event_base *base);

/* event_callback.c: waking a loop that sleeps in another thread. */
void vg_base_notify(struct event_base *base);
/* Gives the base its eventfd and internal wake-up event (0 or -1). */
int vg_base_make_notifiable(struct event_base *base);
void vg_base_close_notify(struct event_base *base);

/* event_time.c: the base's clock. */
/* Picks the base's clock and reads the wall-clock offset (a new base). */
void vg_base_init_clock(struct event_base *base);
/* Reads the clock, bypassing the cache (the lock held or not needed). */
vg_usec_t vg_base_now_slow(struct event_base *base);

/* event_debug.c: debug mode (event_enable_debug_mode).  The checks are
 * inline and cost one test of vg_debug_mode_on when it is off; the table
 * is guarded by vg_global_lock. */
extern int vg_debug_mode_on VG_HIDDEN;
extern int vg_debug_mode_too_late VG_HIDDEN;
void vg_debug_note_setup_(const struct event *ev);
void vg_debug_note_teardown_(const struct event *ev);
void vg_debug_note_added_(const struct event *ev, int added);
void vg_debug_assert_setup_(const struct event *ev, const char *what);
void vg_debug_assert_not_added_(const struct event *ev, const char *what);
/* libevent_global_shutdown: frees the table. */
void vg_debug_shutdown(void);

/* Debug mode must be on before the first event or base exists.  Many
 * threads may note that at once: a relaxed atomic suffices. */
static inline void
vg_debug_note_too_late(void)
{
    if (!__atomic_load_n(&vg_debug_mode_too_late, __ATOMIC_RELAXED))
        __atomic_store_n(&vg_debug_mode_too_late, 1, __ATOMIC_RELAXED);
}

/* Records that ev was assigned (and is not pending). */
static inline void
vg_debug_note_setup(const struct event *ev)
{
    if (vg_debug_mode_on)
        vg_debug_note_setup_(ev);
}

/* Forgets ev (freed or unassigned). */
static inline void
vg_debug_note_teardown(const struct event *ev)
{
    if (vg_debug_mode_on)
        vg_debug_note_teardown_(ev);
}

/* Records whether ev is pending. */
static inline void
vg_debug_note_added(const struct event *ev, int added)
{
    if (vg_debug_mode_on)
        vg_debug_note_added_(ev, added);
}

/* Dies unless ev was assigned. */
static inline void
vg_debug_assert_setup(const struct event *ev, const char *what)
{
    if (vg_debug_mode_on)
        vg_debug_assert_setup_(ev, what);
}

/* Dies if ev is assigned and pending. */
static inline void
vg_debug_assert_not_added(const struct event *ev, const char *what)
{
    if (vg_debug_mode_on)
        vg_debug_assert_not_added_(ev, what);
}

/* event_base.c: hooks through which a higher layer hears about the core's
 * events without the core knowing of it (the evbuffer layer empties its
 * chunk cache this way).  A hook runs in the thread where the event
 * happens, without any lock held:
 *  - VG_CORE_HOOK_BASE_FREE: after event_base_free() released a base;
 *  - VG_CORE_HOOK_SHUTDOWN: in libevent_global_shutdown().
 * Registering is lock-free (atomics) and idempotent; hooks stay
 * registered for the life of the process (a fixed table of
 * VG_CORE_HOOKS_MAX per kind).  0, or -1 when the table is full. */
#define VG_CORE_HOOK_BASE_FREE 0x1u
#define VG_CORE_HOOK_SHUTDOWN 0x2u
#define VG_CORE_HOOKS_MAX 4
typedef void (*vg_core_hook_fn)(void);
int vg_core_hook_add(unsigned kinds, vg_core_hook_fn fn);

/* Wakes the loop of base if it sleeps in another thread (the lock is
 * held): what every change from outside the loop calls. */
static inline void
vg_base_wake(struct event_base *base)
{
    if (BASE_NEEDS_NOTIFY(base))
        vg_base_notify(base);
}

static inline vg_usec_t
vg_tv_to_usec(const struct timeval *tv)
{
    return (vg_usec_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

static inline void
vg_usec_to_tv(vg_usec_t us, struct timeval *tv)
{
    tv->tv_sec = (time_t)(us / 1000000);
    tv->tv_usec = (suseconds_t)(us % 1000000);
}

/* Reads the base's clock: the cached value inside a loop iteration. */
static inline vg_usec_t
vg_base_now(struct event_base *base)
{
    if (base->tv_cache != 0)
        return base->tv_cache;
    return vg_base_now_slow(base);
}

/* Reads the clock into the cache (none with EVENT_BASE_FLAG_NO_CACHE_TIME),
 * once per loop iteration. */
static inline void
vg_update_time_cache(struct event_base *base)
{
    base->tv_cache = 0;
    if (!(base->flags & EVENT_BASE_FLAG_NO_CACHE_TIME))
        base->tv_cache = vg_base_now_slow(base);
}

/* ------------------------------------------------------------------ */
/* Activation and the active queues: the per-event hot path, inlined  */
/* into the backends and the core's files.                             */

/* Forced inline: these run once per event. */
#define VG_HOT static inline __attribute__((always_inline))

/* Counts cb joining (d = 1) or leaving (d = -1) one of the lists:
 * inserted, timeout or active.  Like libevent, "added" counts list
 * memberships; internal callbacks are not counted. */
VG_HOT void
vg_count_added(struct event_base *base, const struct event_callback *cb, int d)
{
    if (cb->evcb_flags & EVLIST_INTERNAL)
        return;
    base->event_count += d;
    if (base->event_count > base->event_count_max)
        base->event_count_max = base->event_count;
}

VG_HOT void
vg_count_active_up(struct event_base *base, const struct event_callback *cb)
{
    if (cb->evcb_flags & EVLIST_INTERNAL)
        return;
    if (++base->event_count_active > base->event_count_active_max)
        base->event_count_active_max = base->event_count_active;
    vg_count_added(base, cb, 1);
}

VG_HOT void
vg_queue_insert_active(struct event_base *base, struct event_callback *cb)
{
    /* An event assigned before event_base_priority_init() shrank the
     * queues keeps a priority that may no longer exist. */
    if (cb->evcb_pri >= base->nactivequeues)
        cb->evcb_pri = (ev_uint8_t)(base->nactivequeues - 1);
    cb->evcb_flags |= EVLIST_ACTIVE;
    base->n_active++;
    vg_count_active_up(base, cb);
    TAILQ_INSERT_TAIL(&base->activequeues[cb->evcb_pri], cb, evcb_active_next);
}

VG_HOT void
vg_event_active_inline(struct event *ev, int res, short ncalls)
{
    struct event_base *base = ev->ev_base;
    short flags = ev->ev_evcallback.evcb_flags;

    if (flags & EVLIST_FINALIZING)
        return;
    if (flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) {
        ev->ev_res |= (short)res;
        return;
    }
    ev->ev_res = (short)res;
    if (ev->ev_events & EV_SIGNAL)
        ev->ev_.ev_signal.ev_ncalls = ncalls;
    vg_queue_insert_active(base, &ev->ev_evcallback);
}

/* Makes the events on fd that want any of events active (the backends
 * call it for every ready fd). */
VG_HOT void
vg_evmap_io_active(struct event_base *base, int fd, short events)
{
    struct event *ev;

    if (fd < 0 || fd >= base->nfds)
        return;
    LIST_FOREACH(ev, &base->fds[fd].events, ev_.ev_io.ev_io_next)
    {
        if (ev->ev_events & events & VG_EV_IO_MASK)
            vg_event_active_inline(ev, ev->ev_events & events, 1);
    }
}

VG_HOT void
vg_count_active_down(struct event_base *base, const struct event_callback *cb)
{
    int d = !(cb->evcb_flags & EVLIST_INTERNAL);

    base->event_count_active -= d;
    base->event_count -= d;
}

VG_HOT void
vg_queue_remove_active(struct event_base *base, struct event_callback *cb)
{
    cb->evcb_flags &= ~EVLIST_ACTIVE;
    base->n_active--;
    vg_count_active_down(base, cb);
    TAILQ_REMOVE(&base->activequeues[cb->evcb_pri], cb, evcb_active_next);
}

static inline void
vg_queue_insert_active_later(struct event_base *base, struct event_callback *cb)
{
    cb->evcb_flags |= EVLIST_ACTIVE_LATER;
    base->n_active_later++;
    vg_count_active_up(base, cb);
    TAILQ_INSERT_TAIL(&base->active_later, cb, evcb_active_next);
}

static inline void
vg_queue_remove_active_later(struct event_base *base, struct event_callback *cb)
{
    cb->evcb_flags &= ~EVLIST_ACTIVE_LATER;
    base->n_active_later--;
    vg_count_active_down(base, cb);
    TAILQ_REMOVE(&base->active_later, cb, evcb_active_next);
}

#endif
