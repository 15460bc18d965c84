/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_base.c: configurations, bases (choosing a backend, priorities,
 * freeing, event_reinit after fork), the hooks through which higher
 * layers hear about a base's end, and whole-library state
 * (libevent_global_shutdown).
 */
#include "event-timer-internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mm-internal.h"

struct event_base *vg_current_base;

/* ------------------------------------------------------------------ */
/* Hooks: how a higher layer hears about a base's end.                */

enum {
    VG_HOOK_IDX_BASE_FREE,
    VG_HOOK_IDX_SHUTDOWN,
    VG_HOOK_NKINDS
};

/* Registered hooks, filled from the front and never emptied: a reader
 * stops at the first empty slot. */
static vg_core_hook_fn hooks[VG_HOOK_NKINDS][VG_CORE_HOOKS_MAX];

static int
hook_add_one(vg_core_hook_fn *table, vg_core_hook_fn fn)
{
    int i;

    for (i = 0; i < VG_CORE_HOOKS_MAX; i++) {
        vg_core_hook_fn cur = NULL;

        if (__atomic_compare_exchange_n(&table[i], &cur, fn, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
            cur == fn)
            return 0;
    }
    return -1;
}

int
vg_core_hook_add(unsigned kinds, vg_core_hook_fn fn)
{
    int rc = 0;

    if (fn == NULL)
        return -1;
    if ((kinds & VG_CORE_HOOK_BASE_FREE) &&
        hook_add_one(hooks[VG_HOOK_IDX_BASE_FREE], fn) < 0)
        rc = -1;
    if ((kinds & VG_CORE_HOOK_SHUTDOWN) &&
        hook_add_one(hooks[VG_HOOK_IDX_SHUTDOWN], fn) < 0)
        rc = -1;
    return rc;
}

static void
run_hooks(int kind)
{
    int i;

    for (i = 0; i < VG_CORE_HOOKS_MAX; i++) {
        vg_core_hook_fn fn = __atomic_load_n(&hooks[kind][i], __ATOMIC_ACQUIRE);

        if (fn == NULL)
            break;
        fn();
    }
}

/* ------------------------------------------------------------------ */
/* Configurations.                                                    */

struct event_config *
event_config_new(void)
{
    struct event_config *cfg = vg_mm_calloc(1, sizeof(*cfg));

    if (cfg == NULL)
        return NULL;
    cfg->bridge = &vg_core_bridge;
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
/* Bases.                                                             */

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

    vg_debug_note_too_late();
    base = vg_mm_calloc(1, sizeof(*base));
    if (base == NULL)
        return NULL;
    base->bridge = &vg_core_bridge;
    if (cfg != NULL)
        base->flags = cfg->flags;
    if (env_says(base, "EVENT_PRECISE_TIMER"))
        base->flags |= EVENT_BASE_FLAG_PRECISE_TIMER;
    if (env_says(base, "EVENT_EPOLL_USE_CHANGELIST"))
        base->flags |= EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST;
    vg_base_init_clock(base);

    base->sigops = &vg_signal_ops;
    base->sigops->init(base);
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
                vg_tv_usec_saturating(&cfg->max_dispatch_interval);
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
        if (base->th_base_lock == NULL || vg_base_make_notifiable(base) < 0) {
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

    vg_make_later_events_active(base);
    for (i = 0; i < base->nactivequeues; i++) {
        struct event_callback *cb;

        while ((cb = TAILQ_FIRST(&base->activequeues[i])) != NULL) {
            vg_queue_remove_active(base, cb);
            n++;
            if (!run_finalizers)
                continue;
            if (cb->evcb_closure == VG_CLOSURE_FINALIZE ||
                cb->evcb_closure == VG_CLOSURE_FINALIZE_FREE) {
                struct event *ev = (struct event *)cb;
                int do_free = cb->evcb_closure == VG_CLOSURE_FINALIZE_FREE;

                cb->evcb_cb_union.evcb_evfinalize(ev, cb->evcb_arg);
                if (do_free) {
                    vg_debug_note_teardown(ev);
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
    vg_base_close_notify(base);

    while ((once = LIST_FIRST(&base->once_events)) != NULL) {
        vg_event_del_nolock(&once->ev);
        LIST_REMOVE(once, next);
        vg_debug_note_teardown(&once->ev);
        vg_mm_free(once);
    }
    for (fd = 0; fd < base->nfds; fd++) {
        struct event *ev;

        while ((ev = LIST_FIRST(&base->fds[fd].events)) != NULL)
            vg_event_del_nolock(ev);
    }
    for (sig = 1; sig < NSIG; sig++) {
        struct event *ev;

        while ((ev = LIST_FIRST(&base->sigs[sig].events)) != NULL)
            vg_event_del_nolock(ev);
    }
    while (base->heap_n > 0)
        vg_event_del_nolock(base->heap[0].ev);
    for (i = 0; i < base->n_common_timeouts; i++) {
        struct vg_common_timeout *ct = base->common_timeouts[i];
        struct event *ev;

        while ((ev = TAILQ_FIRST(&ct->events)) != NULL)
            vg_event_del_nolock(ev);
        vg_event_del_nolock(&ct->timer);
        vg_mm_free(ct);
    }
    drain_queues_at_free(base, 0);

    base->sigops->dealloc(base);
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
    /* Higher layers release what they keep for this thread (the
     * evbuffer layer its cached chunks), so that a program that frees
     * everything sees all its allocations come back. */
    run_hooks(VG_HOOK_IDX_BASE_FREE);
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
    int rc = 0;

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
        vg_evmap_forget_registrations(base);
    }
    /* The child must not share the parent's wake-up and signal pipes. */
    if (base->th_notify_fd >= 0) {
        vg_base_close_notify(base);
        if (vg_base_make_notifiable(base) < 0)
            rc = -1;
    }
    if (base->sigops->reinit(base) < 0)
        rc = -1;
    if (base->backend->need_reinit && vg_evmap_reregister(base) < 0)
        rc = -1;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Whole-library state.                                               */

void
libevent_global_shutdown(void)
{
    vg_signal_ops.global_shutdown();
    run_hooks(VG_HOOK_IDX_SHUTDOWN);
    vg_debug_shutdown();
}
