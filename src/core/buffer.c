/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer.c: the evbuffer's chain of chunks (buffer-internal.h describes
 * it), adding, removing, moving and copying bytes, reserved space,
 * references, callbacks (immediate or deferred to a loop) and locking.
 * Searching lives in buffer_search.c, sockets and files in buffer_io.c.
 *
 * Bytes are copied only when they enter or leave the buffer, or when
 * evbuffer_pullup() is asked to make them contiguous; moving data between
 * buffers relinks whole chunks, except for small amounts, which are
 * cheaper to copy into the destination's free space than a chunk is to
 * allocate and free.  A buffer that empties keeps one small chunk for its
 * next bytes, and one more small chunk (the spare) for reuse, so that a
 * steady stream of small adds and drains allocates nothing.
 */
#include "event-internal.h"

#include "buffer-internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mm-internal.h"

#define CHUNK_HDR sizeof(struct vg_chunk)
/* Inline chunk allocations: at least this much, doubling with each new
 * chunk of a growing buffer up to the auto limit; larger requests get
 * what they ask for, rounded to a page. */
#define CHUNK_MIN_ALLOC ((size_t)1024)
#define CHUNK_MAX_AUTO_ALLOC ((size_t)64 * 1024)
/* An emptied chunk is kept for reuse only if its allocation is at most
 * this large (room for a 4 KiB write and the header). */
#define CHUNK_KEEP_MAX_ALLOC ((size_t)4608)
/* An emptied chunk kept for the next bytes starts them this far in, so
 * that a small header prepended to them needs no chunk of its own. */
#define CHUNK_HEADROOM ((size_t)64)
/* Moving at most this many bytes between buffers copies them when they fit
 * the destination's free space. */
#define MOVE_COPY_MAX ((size_t)1024)
/* Chunk allocations above this (and up to the cached size) are served at
 * the cached size, from the thread's chunk cache when it has one. */
#define CHUNK_CACHE_FROM ((size_t)12 * 1024)
#define CHUNK_CACHE_ALLOC (VG_CHUNK_CACHED_CAP + CHUNK_HDR)
/* The most chunks a thread's cache holds (about 1 MiB). */
#define CHUNK_CACHE_MAX 64u

/* ------------------------------------------------------------------ */
/* The chunk cache.                                                    */

/*
 * A socket read of up to 16 KiB lands in a chunk of CHUNK_CACHE_ALLOC
 * bytes; a program that moves what it reads to an output buffer (a
 * proxy, an echo) frees that chunk once it is written, and the next read
 * needs another.  Freed chunks of that one size wait in a per-thread
 * list for the next allocation, so a steady stream of large messages
 * neither copies through a staging buffer nor makes glibc grow and trim
 * its heap.  The list is per thread, so it needs no lock; chunks move
 * freely between threads through it.  It is bounded (CHUNK_CACHE_MAX) and
 * emptied when the thread frees an event_base, at
 * libevent_global_shutdown(), and when the thread exits, so that a
 * program that counts its allocations through event_set_mem_functions()
 * sees every one come back.
 */
struct chunk_cache {
    struct vg_chunk *head;
    unsigned n;
    unsigned registered; /* the exit destructor knows this thread */
};

static __thread struct chunk_cache chunk_cache
    __attribute__((tls_model("initial-exec")));
static pthread_key_t chunk_cache_key;
static pthread_once_t chunk_cache_once = PTHREAD_ONCE_INIT;
static int chunk_cache_key_ok;

void
vg_evbuffer_cache_flush(void)
{
    struct chunk_cache *cc = &chunk_cache;

    while (cc->head != NULL) {
        struct vg_chunk *c = cc->head;

        cc->head = c->next;
        vg_mm_free(c);
    }
    cc->n = 0;
}

static void
chunk_cache_thread_exit(void *unused)
{
    (void)unused;
    vg_evbuffer_cache_flush();
    /* The key's value is now NULL: a chunk freed by a later destructor
     * of this thread must register again (the destructor then runs
     * once more), not stay in a cache nobody empties. */
    chunk_cache.registered = 0;
}

static void
chunk_cache_make_key(void)
{
    chunk_cache_key_ok =
        pthread_key_create(&chunk_cache_key, chunk_cache_thread_exit) == 0;
    /* The core empties the cache when a base is freed and at
     * libevent_global_shutdown(), through a hook: it does not call up. */
    (void)vg_core_hook_add(VG_CORE_HOOK_BASE_FREE | VG_CORE_HOOK_SHUTDOWN,
                           vg_evbuffer_cache_flush);
}

/* Keeps a freed chunk of the cached size; 0 if the cache is full or the
 * thread's exit could not be hooked (the caller frees it). */
static int
chunk_cache_put(struct vg_chunk *c)
{
    struct chunk_cache *cc = &chunk_cache;

    if (cc->n >= CHUNK_CACHE_MAX)
        return 0;
    if (__builtin_expect(!cc->registered, 0)) {
        pthread_once(&chunk_cache_once, chunk_cache_make_key);
        if (!chunk_cache_key_ok ||
            pthread_setspecific(chunk_cache_key, cc) != 0)
            return 0;
        cc->registered = 1;
    }
    c->next = cc->head;
    cc->head = c;
    cc->n++;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Chunks.                                                             */

struct vg_chunk *
vg_evbuffer_chunk_new(size_t want)
{
    struct vg_chunk *c;
    size_t total;

    if (want > VG_BUF_ALLOC_MAX - CHUNK_HDR - 4096) {
        errno = ENOMEM;
        return NULL;
    }
    total = want + CHUNK_HDR;
    if (total <= CHUNK_MIN_ALLOC)
        total = CHUNK_MIN_ALLOC;
    else if (total > CHUNK_CACHE_FROM && total <= CHUNK_CACHE_ALLOC)
        total = CHUNK_CACHE_ALLOC;
    else if (total <= CHUNK_MAX_AUTO_ALLOC)
        total = (total + 511) & ~(size_t)511;
    else
        total = (total + 4095) & ~(size_t)4095;
    if (total == CHUNK_CACHE_ALLOC && chunk_cache.head != NULL) {
        c = chunk_cache.head;
        chunk_cache.head = c->next;
        chunk_cache.n--;
    } else {
        c = vg_mm_malloc(total);
        if (c == NULL)
            return NULL;
    }
    c->next = NULL;
    c->buf = (unsigned char *)(c + 1);
    c->cap = total - CHUNK_HDR;
    c->misalign = 0;
    c->off = 0;
    c->flags = VG_CHUNK_INLINE;
    c->refcnt = 1;
    return c;
}

/* Whether an emptied chunk is worth keeping for reuse. */
static inline int
chunk_keepable(const struct vg_chunk *c)
{
    return c->flags == VG_CHUNK_INLINE &&
           c->cap + CHUNK_HDR <= CHUNK_KEEP_MAX_ALLOC;
}

void
vg_evbuffer_chunk_release(struct vg_chunk *c)
{
    if ((c->flags & VG_CHUNK_SHARED) &&
        __atomic_sub_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    switch (c->flags & VG_CHUNK_KIND) {
    case VG_CHUNK_REF: {
        struct vg_ref_chunk *r = (struct vg_ref_chunk *)c;

        if (r->cleanup != NULL)
            r->cleanup(r->data, r->len, r->arg);
        break;
    }
    case VG_CHUNK_FILE:
        vg_evbuffer_segment_decref(((struct vg_file_chunk *)c)->seg);
        break;
    case VG_CHUNK_VIEW:
        vg_evbuffer_chunk_release(((struct vg_view_chunk *)c)->parent);
        break;
    default:
        if (c->cap == VG_CHUNK_CACHED_CAP && chunk_cache_put(c))
            return;
        break;
    }
    vg_mm_free(c);
}

/* Takes a chunk of buf out of use: into the spare slot when it is worth
 * keeping, else released. */
static void
chunk_dispose(struct evbuffer *buf, struct vg_chunk *c)
{
    if ((c->flags & VG_CHUNK_KIND) == VG_CHUNK_FILE && c->buf == NULL)
        buf->n_unmapped--;
    if (buf->spare == NULL && chunk_keepable(c)) {
        c->next = NULL;
        c->misalign = 0;
        c->off = 0;
        buf->spare = c;
        return;
    }
    vg_evbuffer_chunk_release(c);
}

/* Disposes of a list of chunks unlinked from buf (after buf is consistent
 * again: a reference's cleanup may call back into the buffer). */
static void
dispose_list(struct evbuffer *buf, struct vg_chunk *c)
{
    while (c != NULL) {
        struct vg_chunk *next = c->next;

        chunk_dispose(buf, c);
        c = next;
    }
}

/* A new empty inline chunk for at least need bytes, sized for a buffer
 * whose last data chunk holds prev bytes of storage: the spare if it is
 * big enough, else a fresh one. */
static struct vg_chunk *
chunk_new_for(struct evbuffer *buf, size_t need, size_t prev)
{
    struct vg_chunk *c = buf->spare;
    size_t want = need;

    if (c != NULL && c->cap >= need) {
        buf->spare = NULL;
        return c;
    }
    if (prev > 0 && prev < CHUNK_MAX_AUTO_ALLOC / 2) {
        size_t grow = 2 * (prev + CHUNK_HDR) - CHUNK_HDR;

        if (grow > want)
            want = grow;
    } else if (prev >= CHUNK_MAX_AUTO_ALLOC / 2 &&
               want < CHUNK_MAX_AUTO_ALLOC - CHUNK_HDR) {
        want = CHUNK_MAX_AUTO_ALLOC - CHUNK_HDR;
    }
    return vg_evbuffer_chunk_new(want);
}

/* The storage of the last data chunk, as a hint for sizing the next. */
static inline size_t
tail_cap(const struct evbuffer *buf)
{
    const struct vg_chunk *t = buf->last_data;

    if (t == NULL || (t->flags & VG_CHUNK_KIND) != VG_CHUNK_INLINE)
        return 0;
    return t->cap;
}

/* The empty chunk after the data, if any. */
static inline struct vg_chunk *
empty_tail(const struct evbuffer *buf)
{
    return buf->last_data != NULL ? buf->last_data->next : buf->first;
}

/* Bytes that can be appended without allocating. */
static inline size_t
append_room(const struct evbuffer *buf)
{
    const struct vg_chunk *e = empty_tail(buf);
    size_t room = buf->last_data != NULL ? VG_CHUNK_SPACE(buf->last_data) : 0;

    if (e != NULL)
        room += VG_CHUNK_SPACE(e);
    return room;
}

/* Links the chunks first..last into buf's chain after prev (NULL: at the
 * front). */
static void
link_after(struct evbuffer *buf, struct vg_chunk *prev, struct vg_chunk *first,
           struct vg_chunk *last)
{
    if (prev != NULL) {
        last->next = prev->next;
        prev->next = first;
        if (buf->last == prev)
            buf->last = last;
    } else {
        last->next = buf->first;
        buf->first = first;
        if (buf->last == NULL)
            buf->last = last;
    }
}

/* Links the chunks first..last (with n bytes of data) after the data of
 * dst. */
static void
splice_after_data(struct evbuffer *dst, struct vg_chunk *first,
                  struct vg_chunk *last, size_t n)
{
    link_after(dst, dst->last_data, first, last);
    dst->last_data = last;
    dst->total_len += n;
    dst->n_add_for_cb += n;
}

void
vg_evbuffer_append_chunk(struct evbuffer *buf, struct vg_chunk *c)
{
    splice_after_data(buf, c, c, c->off);
}

/* ------------------------------------------------------------------ */
/* Lifecycle, locking, callbacks.                                      */

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
static int
decref_and_unlock(struct evbuffer *buf)
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
    decref_and_unlock(buf);
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
static void
notify(struct evbuffer *buf)
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
    notify(buf);
    decref_and_unlock(buf);
}

/* Locks two buffers in a fixed order. */
static inline void
lock2(struct evbuffer *a, struct evbuffer *b)
{
    if (a < b) {
        VG_BUF_LOCK(a);
        VG_BUF_LOCK(b);
    } else {
        VG_BUF_LOCK(b);
        VG_BUF_LOCK(a);
    }
}

/* vg_evbuffer_finish for two buffers locked with lock2: both stay locked
 * and allocated while either's callbacks run. */
static inline void
finish2(struct evbuffer *a, struct evbuffer *b)
{
    int news_a = vg_evbuffer_has_news(a);
    int news_b = vg_evbuffer_has_news(b);

    if (!news_a && !news_b) {
        VG_BUF_UNLOCK(b);
        VG_BUF_UNLOCK(a);
        return;
    }
    a->refcnt++;
    b->refcnt++;
    if (news_b)
        notify(b);
    if (news_a)
        notify(a);
    decref_and_unlock(b);
    decref_and_unlock(a);
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
    decref_and_unlock(buf);
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

/* ------------------------------------------------------------------ */
/* Removing.                                                           */

/* Empties buf, whose data is all in c, its only chunk (keepable), which
 * stays for the next bytes (the callbacks' count is the caller's). */
static inline void
empty_in_place(struct evbuffer *buf, struct vg_chunk *c)
{
    buf->total_len = 0;
    buf->last_data = NULL;
    c->misalign = CHUNK_HEADROOM;
    c->off = 0;
    vg_evbuffer_ptrs_stale(buf);
}

/* Empties buf, keeping one small chunk (the last suitable one) in place
 * for the next bytes, and possibly another as the spare. */
static void
drain_all(struct evbuffer *buf)
{
    struct vg_chunk *c = buf->first;
    struct vg_chunk *keep = NULL;
    struct vg_chunk *dead = NULL;

    if (c != NULL && c->next == NULL && chunk_keepable(c)) {
        /* One small chunk: it stays, emptied (the common case). */
        buf->n_del_for_cb += buf->total_len;
        empty_in_place(buf, c);
        return;
    }
    buf->n_del_for_cb += buf->total_len;
    buf->total_len = 0;
    buf->first = NULL;
    buf->last = NULL;
    buf->last_data = NULL;
    vg_evbuffer_ptrs_stale(buf);
    while (c != NULL) {
        struct vg_chunk *next = c->next;

        if (chunk_keepable(c)) {
            if (keep != NULL) {
                keep->next = dead;
                dead = keep;
            }
            keep = c;
        } else {
            c->next = dead;
            dead = c;
        }
        c = next;
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->misalign = CHUNK_HEADROOM;
        keep->off = 0;
        buf->first = keep;
        buf->last = keep;
    }
    dispose_list(buf, dead);
}

void
vg_evbuffer_drain_locked(struct evbuffer *buf, size_t len)
{
    struct vg_chunk *c = buf->first;
    struct vg_chunk *dead = NULL;
    struct vg_chunk **tail = &dead;

    if (len == 0)
        return;
    if (len >= buf->total_len) {
        drain_all(buf);
        return;
    }
    buf->total_len -= len;
    buf->n_del_for_cb += len;
    vg_evbuffer_ptrs_stale(buf);
    /* Whole chunks first; the data goes on past them (len < total). */
    while (len >= c->off) {
        len -= c->off;
        *tail = c;
        tail = &c->next;
        c = c->next;
    }
    *tail = NULL;
    buf->first = c;
    c->misalign += len;
    c->off -= len;
    dispose_list(buf, dead);
}

/* Whether buf needs neither locking nor telling anyone of a change: the
 * hot paths below then do their work inline and return. */
static inline int
is_plain(const struct evbuffer *buf)
{
    return buf->lock == NULL && buf->callbacks == NULL;
}

static __attribute__((noinline)) int drain_general(struct evbuffer *buf,
                                                   size_t len);

int
evbuffer_drain(struct evbuffer *buf, size_t len)
{
    struct vg_chunk *c;

    if (buf != NULL && is_plain(buf) && !buf->freeze_start &&
        (c = buf->first) != NULL) {
        if (len < c->off) {
            vg_evbuffer_trim_first(buf, len);
            return 0;
        }
        if (c->next == NULL && len >= buf->total_len && chunk_keepable(c)) {
            empty_in_place(buf, c);
            return 0;
        }
    }
    return drain_general(buf, len);
}

static int
drain_general(struct evbuffer *buf, size_t len)
{
    struct vg_chunk *c;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_start) {
        VG_BUF_UNLOCK(buf);
        return -1;
    }
    c = buf->first;
    if (c != NULL && len < c->off) {
        /* Within the first chunk: the common case. */
        if (len > 0) {
            vg_evbuffer_trim_first(buf, len);
            buf->n_del_for_cb += len;
        }
    } else if (c != NULL && c->next == NULL && len >= buf->total_len &&
               chunk_keepable(c)) {
        /* Everything, in one small chunk that stays for the next bytes:
         * the other common case. */
        buf->n_del_for_cb += buf->total_len;
        empty_in_place(buf, c);
    } else {
        vg_evbuffer_drain_locked(buf, len);
    }
    vg_evbuffer_finish(buf);
    return 0;
}

size_t
vg_evbuffer_copy_from(const struct vg_chunk *c, size_t i, void *out, size_t len)
{
    unsigned char *dst = out;
    size_t done = 0;

    while (c != NULL && done < len) {
        size_t n = c->off > i ? c->off - i : 0;

        if (n > len - done)
            n = len - done;
        if (n > 0)
            memcpy(dst + done, VG_CHUNK_DATA(c) + i, n);
        done += n;
        i = 0;
        c = c->next;
    }
    return done;
}

ev_ssize_t
evbuffer_copyout(struct evbuffer *buf, void *data_out, size_t datlen)
{
    ev_ssize_t n = -1;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_start)
        goto done;
    if (datlen > buf->total_len)
        datlen = buf->total_len;
    if (datlen > 0 && data_out == NULL)
        goto done;
    if (datlen > 0 && buf->n_unmapped > 0 && vg_evbuffer_map_all(buf) < 0)
        goto done;
    n = (ev_ssize_t)vg_evbuffer_copy_from(buf->first, 0, data_out, datlen);
done:
    VG_BUF_UNLOCK(buf);
    return n;
}

static __attribute__((noinline)) int remove_general(struct evbuffer *buf,
                                                    void *data, size_t datlen);

int
evbuffer_remove(struct evbuffer *buf, void *data, size_t datlen)
{
    struct vg_chunk *c;

    if (buf != NULL && is_plain(buf) && !buf->freeze_start &&
        buf->n_unmapped == 0 && data != NULL && (c = buf->first) != NULL &&
        datlen != 0 && datlen < c->off && datlen <= INT_MAX) {
        /* Part of the first chunk (0 < datlen < its length). */
        vg_copy(data, VG_CHUNK_DATA(c), datlen);
        vg_evbuffer_trim_first(buf, datlen);
        return (int)datlen;
    }
    return remove_general(buf, data, datlen);
}

static int
remove_general(struct evbuffer *buf, void *data, size_t datlen)
{
    struct vg_chunk *c;
    int n = -1;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_start)
        goto unlock;
    if (datlen > buf->total_len)
        datlen = buf->total_len;
    if (datlen > INT_MAX)
        datlen = INT_MAX;
    if (datlen == 0) {
        n = 0;
        goto unlock;
    }
    if (data == NULL)
        goto unlock;
    if (buf->n_unmapped > 0 && vg_evbuffer_map_all(buf) < 0)
        goto unlock;
    c = buf->first;
    if (datlen < c->off) {
        vg_copy(data, VG_CHUNK_DATA(c), datlen);
        vg_evbuffer_trim_first(buf, datlen);
        buf->n_del_for_cb += datlen;
    } else {
        vg_evbuffer_copy_from(c, 0, data, datlen);
        vg_evbuffer_drain_locked(buf, datlen);
    }
    n = (int)datlen;
    vg_evbuffer_finish(buf);
    return n;
unlock:
    VG_BUF_UNLOCK(buf);
    return n;
}

/* ------------------------------------------------------------------ */
/* Adding.                                                             */

/* Appends len > 0 bytes when the fast path could not: fills the free
 * space of c (the chunk appends go to, or NULL), then the empty chunk
 * after it or a new one. */
static int
add_slow(struct evbuffer *buf, struct vg_chunk *c, const unsigned char *data,
         size_t len)
{
    size_t space;

    if (c != NULL && c->off == 0 && c->misalign > 0) {
        /* An empty chunk's headroom goes when the bytes need it. */
        c->misalign = 0;
        if (c->cap >= len) {
            memcpy(c->buf, data, len);
            c->off = len;
            buf->last_data = c;
            buf->total_len += len;
            buf->n_add_for_cb += len;
            return 0;
        }
    }
    space = c != NULL ? VG_CHUNK_SPACE(c) : 0;
    size_t rest = len - space;
    struct vg_chunk *n = c != NULL ? c->next : NULL;

    if (n == NULL || VG_CHUNK_SPACE(n) < rest) {
        struct vg_chunk *x = chunk_new_for(buf, rest, tail_cap(buf));

        if (x == NULL)
            return -1;
        link_after(buf, c, x, x);
        n = x;
    }
    if (space > 0) {
        memcpy(VG_CHUNK_DATA(c) + c->off, data, space);
        c->off += space;
    }
    memcpy(VG_CHUNK_DATA(n) + n->off, data + space, rest);
    n->off += rest;
    buf->last_data = n;
    buf->total_len += len;
    buf->n_add_for_cb += len;
    return 0;
}

/* Appends len bytes (lock held, back not frozen). */
static inline int
add_locked(struct evbuffer *buf, const void *data, size_t len)
{
    struct vg_chunk *c = buf->last_data != NULL ? buf->last_data : buf->first;

    if (len > VG_BUF_MAX - buf->total_len) {
        errno = EOVERFLOW;
        return -1;
    }
    if (len == 0)
        return 0;
    if (c != NULL && VG_CHUNK_SPACE(c) >= len) {
        vg_copy(VG_CHUNK_DATA(c) + c->off, data, len);
        c->off += len;
        buf->last_data = c;
        buf->total_len += len;
        buf->n_add_for_cb += len;
        return 0;
    }
    return add_slow(buf, c, data, len);
}

static __attribute__((noinline)) int
add_general(struct evbuffer *buf, const void *data, size_t datlen);

int
evbuffer_add(struct evbuffer *buf, const void *data, size_t datlen)
{
    struct vg_chunk *c;

    if (buf != NULL && is_plain(buf) && !buf->freeze_end && data != NULL &&
        datlen <= VG_BUF_MAX - buf->total_len) {
        c = buf->last_data != NULL ? buf->last_data : buf->first;
        if (c != NULL && datlen - 1 < VG_CHUNK_SPACE(c)) {
            /* Into the free space after the data (0 < datlen). */
            unsigned char *dst = VG_CHUNK_DATA(c) + c->off;

            c->off += datlen;
            buf->last_data = c;
            buf->total_len += datlen;
            vg_copy(dst, data, datlen);
            return 0;
        }
    }
    return add_general(buf, data, datlen);
}

static int
add_general(struct evbuffer *buf, const void *data, size_t datlen)
{
    int rc = -1;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_end || (data == NULL && datlen > 0))
        goto unlock;
    rc = add_locked(buf, data, datlen);
    vg_evbuffer_finish(buf);
    return rc;
unlock:
    VG_BUF_UNLOCK(buf);
    return rc;
}

int
vg_evbuffer_reserve_locked(struct evbuffer *buf, size_t want, struct iovec *vec,
                           int contiguous)
{
    struct vg_chunk *t = buf->last_data;
    struct vg_chunk *e = empty_tail(buf);
    size_t tspace = t != NULL ? VG_CHUNK_SPACE(t) : 0;
    size_t need = want;
    int n = 0;

    if (want > VG_BUF_MAX - buf->total_len) {
        errno = EOVERFLOW;
        return -1;
    }
    if (tspace >= want || (!contiguous && tspace > 0)) {
        vec[0].iov_base = VG_CHUNK_DATA(t) + t->off;
        vec[0].iov_len = tspace;
        if (tspace >= want)
            return 1;
        need = want - tspace;
        n = 1;
    }
    if (e != NULL && e->cap >= need) {
        /* The empty chunk after the data serves; all of it. */
        e->misalign = 0;
    } else {
        struct vg_chunk *x = chunk_new_for(buf, need, tail_cap(buf));

        if (x == NULL)
            return -1;
        if (e != NULL) {
            /* It replaces the empty chunk, too small (the only one). */
            x->next = e->next;
            if (t != NULL)
                t->next = x;
            else
                buf->first = x;
            if (buf->last == e)
                buf->last = x;
            e->next = NULL;
            chunk_dispose(buf, e);
        } else if (t != NULL) {
            /* Linked here rather than with link_after(), which makes
             * every call 5 instructions dearer (callgrind). */
            x->next = t->next;
            t->next = x;
            if (buf->last == t)
                buf->last = x;
        } else {
            buf->first = x;
            buf->last = x;
        }
        e = x;
    }
    vec[n].iov_base = e->buf;
    vec[n].iov_len = e->cap;
    return n + 1;
}

/* Whether p is where chunk c's free space starts (a reserved extent).  A
 * chunk without free space is never one, nor is a file chunk whose bytes
 * are not mapped (its buf is NULL). */
static inline int
is_space_of(const struct vg_chunk *c, const void *p)
{
    return c != NULL && VG_CHUNK_SPACE(c) > 0 && p == VG_CHUNK_DATA(c) + c->off;
}

void
vg_evbuffer_commit_locked(struct evbuffer *buf, const struct iovec *vec,
                          int nvec, size_t n)
{
    struct vg_chunk *t = buf->last_data;
    struct vg_chunk *e = empty_tail(buf);
    size_t total = n;
    int i;

    for (i = 0; i < nvec && n > 0; i++) {
        size_t k = vec[i].iov_len < n ? vec[i].iov_len : n;

        if (is_space_of(t, vec[i].iov_base)) {
            t->off += k;
        } else {
            e->off += k;
            if (k > 0)
                buf->last_data = e;
        }
        n -= k;
    }
    buf->total_len += total;
    buf->n_add_for_cb += total;
}

int
evbuffer_expand(struct evbuffer *buf, size_t datlen)
{
    struct iovec vec[2];
    int rc = 0;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (datlen > append_room(buf) &&
        vg_evbuffer_reserve_locked(buf, datlen, vec, 0) < 0)
        rc = -1;
    VG_BUF_UNLOCK(buf);
    return rc;
}

static __attribute__((noinline)) int reserve_general(struct evbuffer *buf,
                                                     ev_ssize_t size,
                                                     struct evbuffer_iovec *vec,
                                                     int n_vec);

int
evbuffer_reserve_space(struct evbuffer *buf, ev_ssize_t size,
                       struct evbuffer_iovec *vec, int n_vec)
{
    struct vg_chunk *t;

    if (buf != NULL && is_plain(buf) && !buf->freeze_end && size > 0 &&
        n_vec >= 1 && vec != NULL &&
        (size_t)size <= VG_BUF_MAX - buf->total_len) {
        t = buf->last_data;
        if (t != NULL && VG_CHUNK_SPACE(t) >= (size_t)size) {
            vec[0].iov_base = VG_CHUNK_DATA(t) + t->off;
            vec[0].iov_len = VG_CHUNK_SPACE(t);
            return 1;
        }
        t = buf->first;
        if (buf->last_data == NULL && t != NULL && t->cap >= (size_t)size) {
            t->misalign = 0;
            vec[0].iov_base = t->buf;
            vec[0].iov_len = t->cap;
            return 1;
        }
    }
    return reserve_general(buf, size, vec, n_vec);
}

static int
reserve_general(struct evbuffer *buf, ev_ssize_t size,
                struct evbuffer_iovec *vec, int n_vec)
{
    struct vg_chunk *t;
    struct iovec v[2];
    int n = -1;
    int i;

    if (buf == NULL || size < 0 || n_vec < 1 || vec == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_end)
        goto done;
    if (size == 0) {
        n = 0;
        goto done;
    }
    t = buf->last_data;
    if (t != NULL && VG_CHUNK_SPACE(t) >= (size_t)size) {
        /* The common cases first: room after the data... */
        vec[0].iov_base = VG_CHUNK_DATA(t) + t->off;
        vec[0].iov_len = VG_CHUNK_SPACE(t);
        n = 1;
        goto done;
    }
    if (t == NULL && buf->first != NULL && buf->first->cap >= (size_t)size &&
        (size_t)size <= VG_BUF_MAX) {
        /* ...or an empty buffer's chunk, all of it. */
        t = buf->first;
        t->misalign = 0;
        vec[0].iov_base = t->buf;
        vec[0].iov_len = t->cap;
        n = 1;
        goto done;
    }
    n = vg_evbuffer_reserve_locked(buf, (size_t)size, v, n_vec == 1);
    for (i = 0; i < n; i++)
        vec[i] = v[i];
done:
    VG_BUF_UNLOCK(buf);
    return n;
}

static __attribute__((noinline)) int
commit_general(struct evbuffer *buf, struct evbuffer_iovec *vec, int n_vecs);

int
evbuffer_commit_space(struct evbuffer *buf, struct evbuffer_iovec *vec,
                      int n_vecs)
{
    struct vg_chunk *t;

    if (buf != NULL && is_plain(buf) && !buf->freeze_end && n_vecs == 1 &&
        vec != NULL) {
        /* One extent: the free space after the data, or the empty chunk
         * after it, as reserved. */
        size_t len = vec[0].iov_len;

        t = buf->last_data;
        if (!is_space_of(t, vec[0].iov_base))
            t = empty_tail(buf);
        if (is_space_of(t, vec[0].iov_base) && len <= VG_CHUNK_SPACE(t) &&
            len <= VG_BUF_MAX - buf->total_len) {
            if (len > 0) {
                t->off += len;
                buf->last_data = t;
                buf->total_len += len;
            }
            return 0;
        }
    }
    return commit_general(buf, vec, n_vecs);
}

static int
commit_general(struct evbuffer *buf, struct evbuffer_iovec *vec, int n_vecs)
{
    struct vg_chunk *t, *e;
    struct vg_chunk *into[2];
    size_t total = 0;
    int rc = -1;
    int i;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_end)
        goto unlock;
    if (n_vecs <= 0) {
        rc = 0;
        goto unlock;
    }
    if (vec == NULL || n_vecs > 2)
        goto unlock;
    t = buf->last_data;
    if (n_vecs == 1) {
        /* One extent (the common case): the free space after the data, or
         * the empty chunk after it. */
        size_t len = vec[0].iov_len;

        if (!is_space_of(t, vec[0].iov_base)) {
            t = empty_tail(buf);
            if (!is_space_of(t, vec[0].iov_base))
                goto unlock;
        }
        if (len > VG_CHUNK_SPACE(t) || len > VG_BUF_MAX - buf->total_len)
            goto unlock;
        if (len > 0) {
            t->off += len;
            buf->last_data = t;
            buf->total_len += len;
            buf->n_add_for_cb += len;
        }
        rc = 0;
        vg_evbuffer_finish(buf);
        return rc;
    }
    /* The extents must be, in order, the free space after the last data
     * chunk (which the first may skip) and that of the empty chunk after
     * it, as reserved. */
    e = empty_tail(buf);
    if (is_space_of(t, vec[0].iov_base)) {
        into[0] = t;
        into[1] = e;
    } else if (is_space_of(e, vec[0].iov_base)) {
        into[0] = e;
        into[1] = NULL;
    } else {
        goto unlock;
    }
    if (n_vecs == 2 && !is_space_of(into[1], vec[1].iov_base))
        goto unlock;
    for (i = 0; i < n_vecs; i++) {
        if (vec[i].iov_len > VG_CHUNK_SPACE(into[i]))
            goto unlock;
        total += vec[i].iov_len;
    }
    if (total > VG_BUF_MAX - buf->total_len)
        goto unlock;
    for (i = 0; i < n_vecs; i++) {
        into[i]->off += vec[i].iov_len;
        if (vec[i].iov_len > 0)
            buf->last_data = into[i];
    }
    buf->total_len += total;
    buf->n_add_for_cb += total;
    rc = 0;
    vg_evbuffer_finish(buf);
    return rc;
unlock:
    VG_BUF_UNLOCK(buf);
    return rc;
}

size_t
evbuffer_add_iovec(struct evbuffer *buffer, struct evbuffer_iovec *vec,
                   int n_vec)
{
    size_t total = 0;
    struct iovec v[2];
    int i;

    if (buffer == NULL || n_vec <= 0 || vec == NULL)
        return 0;
    for (i = 0; i < n_vec; i++) {
        if (vec[i].iov_len > VG_BUF_MAX - total ||
            (vec[i].iov_base == NULL && vec[i].iov_len > 0))
            return 0;
        total += vec[i].iov_len;
    }
    VG_BUF_LOCK(buffer);
    if (buffer->freeze_end || total > VG_BUF_MAX - buffer->total_len)
        goto fail;
    /* Room for everything first, so that it all goes in or nothing. */
    if (total > append_room(buffer) &&
        vg_evbuffer_reserve_locked(buffer, total, v, 0) < 0)
        goto fail;
    for (i = 0; i < n_vec; i++)
        add_locked(buffer, vec[i].iov_base, vec[i].iov_len);
    vg_evbuffer_finish(buffer);
    return total;
fail:
    VG_BUF_UNLOCK(buffer);
    return 0;
}

int
evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)
{
    struct vg_chunk *t, *c;
    struct iovec v[2];
    size_t space;
    va_list aq;
    int n = -1;

    if (buf == NULL || fmt == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_end)
        goto unlock;
    /* First try the free space appends would use. */
    t = buf->last_data;
    c = t != NULL && VG_CHUNK_SPACE(t) > 0 ? t : empty_tail(buf);
    space = c != NULL ? VG_CHUNK_SPACE(c) : 0;
    va_copy(aq, ap);
    if (space > 0) {
        n = vsnprintf((char *)VG_CHUNK_DATA(c) + c->off, space, fmt, aq);
    } else {
        char one;

        n = vsnprintf(&one, 1, fmt, aq);
    }
    va_end(aq);
    if (n < 0)
        goto unlock;
    if ((size_t)n > VG_BUF_MAX - buf->total_len) {
        n = -1;
        goto unlock;
    }
    if ((size_t)n >= space) {
        /* Too long: make n + 1 contiguous bytes (vsnprintf writes a NUL)
         * and format again.  They cannot be in the last data chunk, too
         * small already: they are the empty chunk after it. */
        if (vg_evbuffer_reserve_locked(buf, (size_t)n + 1, v, 1) != 1) {
            n = -1;
            goto unlock;
        }
        va_copy(aq, ap);
        if (vsnprintf(v[0].iov_base, (size_t)n + 1, fmt, aq) != n)
            n = -1;
        va_end(aq);
        if (n < 0)
            goto unlock;
        c = empty_tail(buf);
    }
    if (n > 0) {
        c->off += (size_t)n;
        buf->last_data = c;
        buf->total_len += (size_t)n;
        buf->n_add_for_cb += (size_t)n;
    }
    vg_evbuffer_finish(buf);
    return n;
unlock:
    VG_BUF_UNLOCK(buf);
    return n;
}

int
evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = evbuffer_add_vprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}

int
evbuffer_prepend(struct evbuffer *buf, const void *data, size_t size)
{
    struct vg_chunk *c;
    int rc = -1;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_start || (data == NULL && size > 0))
        goto unlock;
    if (size == 0) {
        rc = 0;
        goto unlock;
    }
    if (size > VG_BUF_MAX - buf->total_len)
        goto unlock;
    c = buf->first;
    if (c != NULL && c->flags == VG_CHUNK_INLINE && c->off == 0 &&
        c->cap >= size) {
        /* An empty buffer's chunk: the data goes at its end, leaving room
         * for more in front. */
        c->misalign = c->cap - size;
        memcpy(c->buf + c->misalign, data, size);
        c->off = size;
        buf->last_data = c;
    } else if (c != NULL && c->flags == VG_CHUNK_INLINE && c->off > 0 &&
               c->misalign >= size) {
        c->misalign -= size;
        memcpy(c->buf + c->misalign, data, size);
        c->off += size;
    } else {
        struct vg_chunk *x = chunk_new_for(buf, size, 0);

        if (x == NULL)
            goto unlock;
        x->misalign = x->cap - size;
        memcpy(x->buf + x->misalign, data, size);
        x->off = size;
        x->next = buf->first;
        buf->first = x;
        if (buf->last == NULL)
            buf->last = x;
        if (buf->last_data == NULL)
            buf->last_data = x;
    }
    buf->total_len += size;
    buf->n_add_for_cb += size;
    vg_evbuffer_ptrs_stale(buf);
    rc = 0;
    vg_evbuffer_finish(buf);
    return rc;
unlock:
    VG_BUF_UNLOCK(buf);
    return rc;
}

int
evbuffer_add_reference(struct evbuffer *outbuf, const void *data, size_t datlen,
                       evbuffer_ref_cleanup_cb cleanupfn, void *cleanupfn_arg)
{
    struct vg_ref_chunk *r;
    int rc = -1;

    if (outbuf == NULL)
        return -1;
    VG_BUF_LOCK(outbuf);
    if (outbuf->freeze_end || (data == NULL && datlen > 0))
        goto unlock;
    if (datlen > VG_BUF_MAX - outbuf->total_len) {
        errno = EOVERFLOW;
        goto unlock;
    }
    if (datlen == 0) {
        /* Nothing to hold: the memory is given back at once. */
        VG_BUF_UNLOCK(outbuf);
        if (cleanupfn != NULL)
            cleanupfn(data, datlen, cleanupfn_arg);
        return 0;
    }
    r = vg_mm_malloc(sizeof(*r));
    if (r == NULL)
        goto unlock;
    vg_evbuffer_chunk_init_extern(&r->c, VG_CHUNK_REF,
                                  (unsigned char *)(uintptr_t)data, 0, datlen);
    r->cleanup = cleanupfn;
    r->arg = cleanupfn_arg;
    r->data = data;
    r->len = datlen;
    vg_evbuffer_append_chunk(outbuf, &r->c);
    rc = 0;
    vg_evbuffer_finish(outbuf);
    return rc;
unlock:
    VG_BUF_UNLOCK(outbuf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Moving data between buffers.                                        */

/* After src lost all its chunks to dst: src gets an empty chunk dst can
 * spare, so that its next bytes need no allocation. */
static void
give_chunk(struct evbuffer *dst, struct evbuffer *src)
{
    struct vg_chunk *e;

    if (src->first != NULL)
        return;
    e = empty_tail(dst);
    if (e != NULL && e->next == NULL && chunk_keepable(e)) {
        dst->last_data->next = NULL;
        dst->last = dst->last_data;
        e->misalign = 0;
        src->first = e;
        src->last = e;
        return;
    }
    if (dst->spare != NULL) {
        src->first = dst->spare;
        src->last = dst->spare;
        dst->spare = NULL;
    }
}

/* Unlinks all of src's data chunks, returning the first (and the last in
 * *lastp). */
static struct vg_chunk *
take_all(struct evbuffer *src, struct vg_chunk **lastp, size_t *unmapped)
{
    struct vg_chunk *first = src->first;
    struct vg_chunk *last = src->last_data;

    src->first = last->next;
    if (src->first == NULL)
        src->last = NULL;
    src->last_data = NULL;
    src->n_del_for_cb += src->total_len;
    src->total_len = 0;
    *unmapped = src->n_unmapped;
    src->n_unmapped = 0;
    vg_evbuffer_ptrs_stale(src);
    *lastp = last;
    return first;
}

/* Moves all of src's data chunks to the end of dst's data. */
static void
move_all(struct evbuffer *dst, struct evbuffer *src)
{
    struct vg_chunk *first, *last;
    size_t n = src->total_len;
    size_t unmapped;

    first = take_all(src, &last, &unmapped);
    dst->n_unmapped += unmapped;
    splice_after_data(dst, first, last, n);
    give_chunk(dst, src);
}

/* Whether src's data is one small plain chunk that fits dst's free space,
 * so that copying beats relinking. */
static int
copy_is_cheaper(const struct evbuffer *dst, const struct evbuffer *src)
{
    const struct vg_chunk *c = src->first;

    return src->total_len <= MOVE_COPY_MAX && c == src->last_data &&
           (c->flags & VG_CHUNK_KIND) == VG_CHUNK_INLINE &&
           append_room(dst) >= src->total_len;
}

static __attribute__((noinline)) int add_buffer_general(struct evbuffer *outbuf,
                                                        struct evbuffer *inbuf);

int
evbuffer_add_buffer(struct evbuffer *outbuf, struct evbuffer *inbuf)
{
    struct vg_chunk *c, *d;
    size_t n;

    /* The hot case without locks or callbacks: a little data, in one small
     * chunk that stays with inbuf, copied into outbuf's free space. */
    if (outbuf != NULL && inbuf != NULL && outbuf != inbuf &&
        is_plain(outbuf) && is_plain(inbuf) && !inbuf->freeze_start &&
        !outbuf->freeze_end && (c = inbuf->first) != NULL && c->next == NULL &&
        (n = c->off) > 0 && n <= MOVE_COPY_MAX && chunk_keepable(c) &&
        n <= VG_BUF_MAX - outbuf->total_len) {
        d = outbuf->last_data != NULL ? outbuf->last_data : outbuf->first;
        if (d != NULL && VG_CHUNK_SPACE(d) >= n) {
            vg_copy(VG_CHUNK_DATA(d) + d->off, VG_CHUNK_DATA(c), n);
            d->off += n;
            outbuf->last_data = d;
            outbuf->total_len += n;
            empty_in_place(inbuf, c);
            return 0;
        }
    }
    return add_buffer_general(outbuf, inbuf);
}

static int
add_buffer_general(struct evbuffer *outbuf, struct evbuffer *inbuf)
{
    int rc = -1;

    if (outbuf == NULL || inbuf == NULL)
        return -1;
    if (outbuf == inbuf)
        return 0;
    lock2(outbuf, inbuf);
    if (inbuf->total_len == 0) {
        rc = 0;
        goto unlock;
    }
    if (inbuf->freeze_start || outbuf->freeze_end)
        goto unlock;
    if (inbuf->total_len > VG_BUF_MAX - outbuf->total_len)
        goto unlock;
    if (copy_is_cheaper(outbuf, inbuf)) {
        add_locked(outbuf, VG_CHUNK_DATA(inbuf->first), inbuf->total_len);
        drain_all(inbuf);
    } else {
        move_all(outbuf, inbuf);
    }
    rc = 0;
    finish2(outbuf, inbuf);
    return rc;
unlock:
    VG_BUF_UNLOCK(inbuf);
    VG_BUF_UNLOCK(outbuf);
    return rc;
}

/* Copies len bytes (less than src's length, all mapped) from the front of
 * src to the end of dst, then drains them from src.  Returns how many
 * were copied (fewer only when memory runs out). */
static size_t
copy_front(struct evbuffer *dst, struct evbuffer *src, size_t len)
{
    struct vg_chunk *c = src->first;
    size_t done = 0;

    while (done < len) {
        size_t k = c->off < len - done ? c->off : len - done;

        if (add_locked(dst, VG_CHUNK_DATA(c), k) < 0)
            break;
        done += k;
        c = c->next;
    }
    vg_evbuffer_drain_locked(src, done);
    return done;
}

int
evbuffer_remove_buffer(struct evbuffer *src, struct evbuffer *dst,
                       size_t datlen)
{
    struct vg_chunk *c, *last, *first;
    size_t moved = 0;
    int rc = -1;

    if (src == NULL || dst == NULL)
        return -1;
    if (src == dst)
        return 0;
    lock2(src, dst);
    if (src->freeze_start || dst->freeze_end)
        goto unlock;
    if (datlen > INT_MAX)
        datlen = INT_MAX;
    if (datlen > src->total_len)
        datlen = src->total_len;
    if (datlen == 0) {
        rc = 0;
        goto unlock;
    }
    if (datlen > VG_BUF_MAX - dst->total_len)
        goto unlock;
    if (datlen == src->total_len) {
        if (copy_is_cheaper(dst, src)) {
            add_locked(dst, VG_CHUNK_DATA(src->first), datlen);
            drain_all(src);
        } else {
            move_all(dst, src);
        }
        rc = (int)datlen;
        goto done;
    }
    if (src->n_unmapped > 0 && vg_evbuffer_map_all(src) < 0)
        goto unlock;
    c = src->first;
    if (c->off > datlen) {
        /* Part of the first chunk: copied. */
        if (add_locked(dst, VG_CHUNK_DATA(c), datlen) < 0)
            goto unlock;
        vg_evbuffer_trim_first(src, datlen);
        src->n_del_for_cb += datlen;
        rc = (int)datlen;
        goto done;
    }
    if (datlen <= MOVE_COPY_MAX) {
        moved = copy_front(dst, src, datlen);
        if (moved == 0)
            goto unlock;
        rc = (int)moved;
        goto done;
    }
    /* Relink the whole chunks, then copy the part of the next one. */
    first = src->first;
    last = NULL;
    for (c = first; c->off <= datlen - moved; c = c->next) {
        moved += c->off;
        last = c;
    }
    src->first = c;
    src->total_len -= moved;
    src->n_del_for_cb += moved;
    vg_evbuffer_ptrs_stale(src);
    splice_after_data(dst, first, last, moved);
    if (moved < datlen)
        moved += copy_front(dst, src, datlen - moved);
    rc = (int)moved;
done:
    finish2(src, dst);
    return rc;
unlock:
    VG_BUF_UNLOCK(dst);
    VG_BUF_UNLOCK(src);
    return rc;
}

int
evbuffer_prepend_buffer(struct evbuffer *dst, struct evbuffer *src)
{
    struct vg_chunk *first, *last, *c;
    size_t n, unmapped;
    int rc = -1;

    if (dst == NULL || src == NULL)
        return -1;
    if (dst == src)
        return 0;
    lock2(dst, src);
    n = src->total_len;
    if (n == 0) {
        rc = 0;
        goto unlock;
    }
    if (src->freeze_start || dst->freeze_start)
        goto unlock;
    if (n > VG_BUF_MAX - dst->total_len)
        goto unlock;
    c = dst->first;
    if (n <= MOVE_COPY_MAX && src->first == src->last_data &&
        (src->first->flags & VG_CHUNK_KIND) == VG_CHUNK_INLINE && c != NULL &&
        c->off > 0 && c->flags == VG_CHUNK_INLINE && c->misalign >= n) {
        /* Small: into the room in front of dst's first chunk. */
        c->misalign -= n;
        memcpy(c->buf + c->misalign, VG_CHUNK_DATA(src->first), n);
        c->off += n;
        dst->total_len += n;
        dst->n_add_for_cb += n;
        drain_all(src);
    } else {
        first = take_all(src, &last, &unmapped);
        dst->n_unmapped += unmapped;
        last->next = dst->first;
        dst->first = first;
        if (dst->last == NULL)
            dst->last = last;
        if (dst->last_data == NULL)
            dst->last_data = last;
        dst->total_len += n;
        dst->n_add_for_cb += n;
        if (src->first == NULL && dst->spare != NULL) {
            src->first = dst->spare;
            src->last = dst->spare;
            dst->spare = NULL;
        }
    }
    vg_evbuffer_ptrs_stale(dst);
    rc = 0;
    finish2(dst, src);
    return rc;
unlock:
    VG_BUF_UNLOCK(src);
    VG_BUF_UNLOCK(dst);
    return rc;
}

int
evbuffer_add_buffer_reference(struct evbuffer *outbuf, struct evbuffer *inbuf)
{
    struct vg_chunk *c;
    struct vg_chunk *views = NULL, *last_view = NULL;
    int rc = -1;

    if (outbuf == NULL || inbuf == NULL || outbuf == inbuf)
        return -1;
    lock2(outbuf, inbuf);
    if (inbuf->total_len == 0) {
        rc = 0;
        goto unlock;
    }
    if (outbuf->freeze_end || inbuf->total_len > VG_BUF_MAX - outbuf->total_len)
        goto unlock;
    /* Views of views and of file segments are not made (as libevent). */
    for (c = inbuf->first; c != NULL && c->off > 0; c = c->next) {
        uint32_t kind = c->flags & VG_CHUNK_KIND;

        if (kind == VG_CHUNK_VIEW || kind == VG_CHUNK_FILE)
            goto unlock;
    }
    /* Every view allocated before anything changes. */
    for (c = inbuf->first; c != NULL && c->off > 0; c = c->next) {
        struct vg_view_chunk *v = vg_mm_malloc(sizeof(*v));

        if (v == NULL) {
            while (views != NULL) {
                struct vg_chunk *next = views->next;

                vg_mm_free(views);
                views = next;
            }
            goto unlock;
        }
        vg_evbuffer_chunk_init_extern(&v->c, VG_CHUNK_VIEW, c->buf, c->misalign,
                                      c->off);
        v->parent = c;
        if (last_view != NULL)
            last_view->next = &v->c;
        else
            views = &v->c;
        last_view = &v->c;
    }
    for (c = inbuf->first; c != NULL && c->off > 0; c = c->next) {
        if (!(c->flags & VG_CHUNK_SHARED)) {
            /* From now on the chunk's bytes are read-only: no appends
             * into its free space, no prepends into its front. */
            c->flags |= VG_CHUNK_SHARED;
            c->cap = c->misalign + c->off;
        }
        __atomic_add_fetch(&c->refcnt, 1, __ATOMIC_RELAXED);
    }
    splice_after_data(outbuf, views, last_view, inbuf->total_len);
    rc = 0;
    finish2(outbuf, inbuf);
    return rc;
unlock:
    VG_BUF_UNLOCK(inbuf);
    VG_BUF_UNLOCK(outbuf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Making bytes contiguous.                                            */

unsigned char *
evbuffer_pullup(struct evbuffer *buf, ev_ssize_t size)
{
    struct vg_chunk *c, *x;
    struct vg_chunk *dead = NULL;
    struct vg_chunk **tail = &dead;
    unsigned char *result = NULL;
    size_t want, have;

    if (buf == NULL)
        return NULL;
    VG_BUF_LOCK(buf);
    want = size < 0 ? buf->total_len : (size_t)size;
    if (want == 0 || want > buf->total_len)
        goto done;
    if (buf->n_unmapped > 0 && vg_evbuffer_map_all(buf) < 0)
        goto done;
    c = buf->first;
    if (c->off >= want) {
        result = VG_CHUNK_DATA(c);
        goto done;
    }
    if (c->flags == VG_CHUNK_INLINE && c->cap >= want) {
        /* The first chunk can hold it all: its data moves to the front if
         * need be, and the rest is copied after it. */
        if (c->cap - c->misalign < want) {
            memmove(c->buf, VG_CHUNK_DATA(c), c->off);
            c->misalign = 0;
        }
        x = c;
        c = c->next;
    } else {
        x = chunk_new_for(buf, want, 0);
        if (x == NULL)
            goto done;
    }
    vg_evbuffer_ptrs_stale(buf);
    have = x->off;
    while (have < want) {
        size_t k = want - have < c->off ? want - have : c->off;

        memcpy(VG_CHUNK_DATA(x) + have, VG_CHUNK_DATA(c), k);
        have += k;
        if (k == c->off) {
            struct vg_chunk *next = c->next;

            if (buf->last_data == c)
                buf->last_data = x;
            if (buf->last == c)
                buf->last = x;
            *tail = c;
            tail = &c->next;
            c = next;
        } else {
            c->misalign += k;
            c->off -= k;
        }
    }
    *tail = NULL;
    x->off = want;
    x->next = c;
    buf->first = x;
    dispose_list(buf, dead);
    result = VG_CHUNK_DATA(x);
done:
    VG_BUF_UNLOCK(buf);
    return result;
}
