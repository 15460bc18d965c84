/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer.c: the evbuffer object: making and freeing it, locking, flags,
 * freezing, callbacks (run at once or deferred to a loop) and its length.
 *
 * The rest of the evbuffer is beside it, one file per kind of operation
 * (buffer-internal.h lists them): buffer_chunk.c, buffer_add.c,
 * buffer_reserve.c, buffer_remove.c, buffer_move.c, buffer_pullup.c,
 * buffer_search.c and buffer_io.c.
 */
#include "event-internal.h"

#include "buffer-internal.h"

#include "buffer-inline.h"
#include "mm-internal.h"

struct evbuffer *
evbuffer_new(void)
{
    static uint32_t serial;
    struct evbuffer *buf = vg_mm_calloc(1, sizeof(*buf));

    if (buf == NULL)
        return NULL;
    buf->refcnt = 1;
    /* Each buffer's positions carry a different tag (buffer_search.c). */
    buf->ptr_gen =
        __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED) * UINT32_C(0x9e3779b1);
    return buf;
}

/* Frees buf; the lock is held once, and released. */
static void
buffer_destroy(struct evbuffer *buf)
{
    struct vg_chunk *c = buf->first;
    struct evbuffer_cb_entry *e = buf->callbacks;

    while (c != NULL) {
        struct vg_chunk *next = c->next;

        vg_evbuffer_chunk_release(c);
        c = next;
    }
    if (buf->spare != NULL)
        vg_evbuffer_chunk_release(buf->spare);
    while (e != NULL) {
        struct evbuffer_cb_entry *next = e->next;

        vg_mm_free(e);
        e = next;
    }
    VG_BUF_UNLOCK(buf);
    if (buf->own_lock)
        vg_lock_free(buf->lock, EVTHREAD_LOCKTYPE_RECURSIVE);
    vg_mm_free(buf);
}

/* Drops a reference with the lock held, and unlocks; frees buf if it was
 * the last.  Returns 1 when freed. */
int
vg_evbuffer_decref_and_unlock(struct evbuffer *buf)
{
    VG_ASSERT(buf->refcnt > 0);
    if (--buf->refcnt > 0) {
        VG_BUF_UNLOCK(buf);
        return 0;
    }
    buffer_destroy(buf);
    return 1;
}

/* Frees the callback entries marked removed (no run in progress). */
static void
sweep_callbacks(struct evbuffer *buf)
{
    struct evbuffer_cb_entry **pp = &buf->callbacks;

    while (*pp != NULL) {
        struct evbuffer_cb_entry *e = *pp;

        if (e->flags & VG_CB_REMOVED) {
            *pp = e->next;
            vg_mm_free(e);
        } else {
            pp = &e->next;
        }
    }
    buf->cb_zombies = 0;
}

/* Removes one entry: at once, or marked for later while callbacks run (so
 * that a running walk over the list stays valid, whatever a callback
 * removes). */
static void
remove_entry(struct evbuffer *buf, struct evbuffer_cb_entry *ent)
{
    struct evbuffer_cb_entry **pp;

    if (buf->cb_depth > 0) {
        ent->flags |= VG_CB_REMOVED;
        buf->cb_zombies++;
        return;
    }
    for (pp = &buf->callbacks; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == ent) {
            *pp = ent->next;
            vg_mm_free(ent);
            return;
        }
    }
}

static void
remove_all_callbacks(struct evbuffer *buf)
{
    struct evbuffer_cb_entry *e;

    for (e = buf->callbacks; e != NULL; e = e->next) {
        if (!(e->flags & VG_CB_REMOVED)) {
            e->flags |= VG_CB_REMOVED;
            buf->cb_zombies++;
        }
    }
    if (buf->cb_depth == 0)
        sweep_callbacks(buf);
}

/* Calls every enabled callback with what changed since the last call.
 * The lock is held, and a reference. */
static void
call_callbacks(struct evbuffer *buf)
{
    struct evbuffer_cb_info info;
    struct evbuffer_cb_entry *e;

    if ((buf->n_add_for_cb | buf->n_del_for_cb) == 0)
        return;
    info.n_added = buf->n_add_for_cb;
    info.n_deleted = buf->n_del_for_cb;
    info.orig_size = buf->total_len - info.n_added + info.n_deleted;
    buf->n_add_for_cb = 0;
    buf->n_del_for_cb = 0;

    buf->cb_depth++;
    for (e = buf->callbacks; e != NULL; e = e->next) {
        if ((e->flags & (EVBUFFER_CB_ENABLED | VG_CB_REMOVED)) !=
            EVBUFFER_CB_ENABLED)
            continue;
        if (e->flags & VG_CB_OBSOLETE)
            e->cb.obsolete(buf, info.orig_size, buf->total_len, e->arg);
        else
            e->cb.fn(buf, &info, e->arg);
    }
    if (--buf->cb_depth == 0 && buf->cb_zombies > 0)
        sweep_callbacks(buf);
}

/* The deferred callback, run by the loop. */
static void
deferred_cb(struct event_callback *cb, void *arg)
{
    struct evbuffer *buf = arg;

    (void)cb;
    VG_BUF_LOCK(buf);
    call_callbacks(buf);
    /* The activation held a reference. */
    vg_evbuffer_decref_and_unlock(buf);
}

/* Schedules the deferred callback; an activation holds a reference. */
static void
schedule_deferred(struct evbuffer *buf)
{
    struct event_base *base = buf->cb_base;

    BASE_LOCK(base);
    if (vg_event_callback_activate(base, &buf->deferred)) {
        buf->refcnt++;
        vg_base_wake(base);
    }
    BASE_UNLOCK(base);
}

/* Tells the callbacks, now or through the loop (a reference held). */
void
vg_evbuffer_notify(struct evbuffer *buf)
{
    if (buf->cb_base != NULL)
        schedule_deferred(buf);
    else
        call_callbacks(buf);
}

void
vg_evbuffer_finish_slow(struct evbuffer *buf)
{
    buf->refcnt++;
    vg_evbuffer_notify(buf);
    vg_evbuffer_decref_and_unlock(buf);
}

void
evbuffer_free(struct evbuffer *buf)
{
    if (buf == NULL)
        return;
    VG_BUF_LOCK(buf);
    buf->freed = 1;
    remove_all_callbacks(buf);
    if (buf->cb_base != NULL) {
        struct event_base *base = buf->cb_base;

        BASE_LOCK(base);
        if (vg_event_callback_cancel(base, &buf->deferred))
            buf->refcnt--; /* the activation's reference */
        BASE_UNLOCK(base);
    }
    vg_evbuffer_decref_and_unlock(buf);
}

int
evbuffer_enable_locking(struct evbuffer *buf, void *lock)
{
    if (buf == NULL || buf->lock != NULL)
        return -1;
    if (lock == NULL) {
        lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
        if (lock == NULL)
            return -1;
        buf->own_lock = 1;
    }
    buf->lock = lock;
    return 0;
}

void
evbuffer_lock(struct evbuffer *buf)
{
    if (buf != NULL)
        VG_BUF_LOCK(buf);
}

void
evbuffer_unlock(struct evbuffer *buf)
{
    if (buf != NULL)
        VG_BUF_UNLOCK(buf);
}

int
evbuffer_set_flags(struct evbuffer *buf, ev_uint64_t flags)
{
    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    buf->flags |= (uint32_t)flags;
    VG_BUF_UNLOCK(buf);
    return 0;
}

int
evbuffer_clear_flags(struct evbuffer *buf, ev_uint64_t flags)
{
    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    buf->flags &= ~(uint32_t)flags;
    VG_BUF_UNLOCK(buf);
    return 0;
}

/* Freezes (on) or thaws one end of buf. */
static int
set_frozen(struct evbuffer *buf, int at_front, unsigned char on)
{
    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (at_front)
        buf->freeze_start = on;
    else
        buf->freeze_end = on;
    VG_BUF_UNLOCK(buf);
    return 0;
}

int
evbuffer_freeze(struct evbuffer *buf, int at_front)
{
    return set_frozen(buf, at_front, 1);
}

int
evbuffer_unfreeze(struct evbuffer *buf, int at_front)
{
    return set_frozen(buf, at_front, 0);
}

/* Puts a new entry at the head of the list (the lock held). */
static void
link_entry(struct evbuffer *buf, struct evbuffer_cb_entry *e)
{
    if (buf->callbacks == NULL) {
        /* Counts kept while nobody listened mean nothing. */
        buf->n_add_for_cb = 0;
        buf->n_del_for_cb = 0;
    }
    e->next = buf->callbacks;
    buf->callbacks = e;
}

struct evbuffer_cb_entry *
evbuffer_add_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg)
{
    struct evbuffer_cb_entry *e;

    /* A NULL function would be called on the next change. */
    if (buffer == NULL || cb == NULL)
        return NULL;
    e = vg_mm_malloc(sizeof(*e));
    if (e == NULL)
        return NULL;
    e->cb.fn = cb;
    e->arg = cbarg;
    e->flags = EVBUFFER_CB_ENABLED;
    VG_BUF_LOCK(buffer);
    link_entry(buffer, e);
    VG_BUF_UNLOCK(buffer);
    return e;
}

int
evbuffer_remove_cb_entry(struct evbuffer *buffer, struct evbuffer_cb_entry *ent)
{
    struct evbuffer_cb_entry *e;
    int rc = -1;

    if (buffer == NULL || ent == NULL)
        return -1;
    VG_BUF_LOCK(buffer);
    for (e = buffer->callbacks; e != NULL; e = e->next) {
        if (e == ent && !(e->flags & VG_CB_REMOVED)) {
            remove_entry(buffer, e);
            rc = 0;
            break;
        }
    }
    VG_BUF_UNLOCK(buffer);
    return rc;
}

int
evbuffer_remove_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg)
{
    struct evbuffer_cb_entry *e;
    int rc = -1;

    if (buffer == NULL)
        return -1;
    VG_BUF_LOCK(buffer);
    for (e = buffer->callbacks; e != NULL; e = e->next) {
        if (!(e->flags & (VG_CB_REMOVED | VG_CB_OBSOLETE)) && e->cb.fn == cb &&
            e->arg == cbarg) {
            remove_entry(buffer, e);
            rc = 0;
            break;
        }
    }
    VG_BUF_UNLOCK(buffer);
    return rc;
}

int
evbuffer_cb_set_flags(struct evbuffer *buffer, struct evbuffer_cb_entry *cb,
                      ev_uint32_t flags)
{
    if (buffer == NULL || cb == NULL)
        return -1;
    VG_BUF_LOCK(buffer);
    cb->flags |= flags & ~VG_CB_INTERNAL;
    VG_BUF_UNLOCK(buffer);
    return 0;
}

int
evbuffer_cb_clear_flags(struct evbuffer *buffer, struct evbuffer_cb_entry *cb,
                        ev_uint32_t flags)
{
    if (buffer == NULL || cb == NULL)
        return -1;
    VG_BUF_LOCK(buffer);
    cb->flags &= ~(flags & ~VG_CB_INTERNAL);
    VG_BUF_UNLOCK(buffer);
    return 0;
}

int
evbuffer_setcb(struct evbuffer *buffer, evbuffer_cb cb, void *cbarg)
{
    struct evbuffer_cb_entry *e = NULL;

    if (buffer == NULL)
        return -1;
    if (cb != NULL) {
        e = vg_mm_malloc(sizeof(*e));
        if (e == NULL)
            return -1;
        e->cb.obsolete = cb;
        e->arg = cbarg;
        e->flags = EVBUFFER_CB_ENABLED | VG_CB_OBSOLETE;
    }
    VG_BUF_LOCK(buffer);
    remove_all_callbacks(buffer);
    if (e != NULL)
        link_entry(buffer, e);
    VG_BUF_UNLOCK(buffer);
    return 0;
}

int
evbuffer_defer_callbacks(struct evbuffer *buffer, struct event_base *base)
{
    int npri;

    if (buffer == NULL || base == NULL)
        return -1;
    npri = event_base_get_npriorities(base);
    VG_BUF_LOCK(buffer);
    if (buffer->cb_base != NULL) {
        struct event_base *old = buffer->cb_base;

        /* Moving to another base: a pending activation moves with it. */
        BASE_LOCK(old);
        if (vg_event_callback_cancel(old, &buffer->deferred))
            buffer->refcnt--;
        BASE_UNLOCK(old);
    }
    BASE_LOCK(base);
    vg_event_callback_init(base, &buffer->deferred, deferred_cb, buffer,
                           npri / 2);
    BASE_UNLOCK(base);
    buffer->cb_base = base;
    if (vg_evbuffer_has_news(buffer))
        schedule_deferred(buffer);
    VG_BUF_UNLOCK(buffer);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Inspecting.                                                         */

size_t
evbuffer_get_length(const struct evbuffer *buf)
{
    size_t n;

    if (buf == NULL)
        return 0;
    VG_BUF_LOCK(buf);
    n = buf->total_len;
    VG_BUF_UNLOCK(buf);
    return n;
}

size_t
evbuffer_get_contiguous_space(const struct evbuffer *buf)
{
    size_t n;

    if (buf == NULL)
        return 0;
    VG_BUF_LOCK(buf);
    n = buf->last_data != NULL ? buf->first->off : 0;
    VG_BUF_UNLOCK(buf);
    return n;
}
