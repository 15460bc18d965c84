/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_chunk.c: the evbuffer's chunks: allocating them (sized for the
 * buffer that grows), releasing them (with the cleanup of a reference, a
 * file segment or a viewed chunk), keeping one emptied chunk as a buffer's
 * spare, and the per-thread cache of 16 KiB chunks.
 */
#include "buffer-internal.h"

#include <errno.h>
#include <pthread.h>

#include "buffer-inline.h"
#include "event-internal.h"
#include "mm-internal.h"

/* Inline chunk allocations: at least this much, doubling with each new
 * chunk of a growing buffer up to the auto limit; larger requests get
 * what they ask for, rounded to a page. */
#define CHUNK_MIN_ALLOC ((size_t)1024)
#define CHUNK_MAX_AUTO_ALLOC ((size_t)64 * 1024)
/* Chunk allocations above this (and up to the cached size) are served at
 * the cached size, from the thread's chunk cache when it has one. */
#define CHUNK_CACHE_FROM ((size_t)12 * 1024)
#define CHUNK_CACHE_ALLOC (VG_CHUNK_CACHED_CAP + CHUNK_HDR)
/* The most chunks a thread's cache holds of each size: about 1 MiB of
 * large ones, 256 KiB of the smallest. */
#define CHUNK_CACHE_MAX 64u
#define CHUNK_CACHE_SMALL_MAX 256u
/* The two cached sizes, by class. */
#define CLASS_LARGE 0
#define CLASS_SMALL 1

/* ------------------------------------------------------------------ */
/* The chunk cache.                                                    */

/*
 * A socket read of up to 16 KiB lands in a chunk of CHUNK_CACHE_ALLOC
 * bytes; a program that moves what it reads to an output buffer (a
 * proxy, an echo) frees that chunk once it is written, and the next read
 * needs another.  Freed chunks of that size, and of the smallest size
 * (a small message: a reply of a few hundred bytes, moved from the
 * buffer a program filled into the output and freed once written, by
 * the dozen per loop turn, more than glibc's per-thread cache holds),
 * wait in per-thread lists for the next allocation, so a steady stream of large
 * messages neither copies through a staging buffer nor makes glibc grow and
 * trim its heap.  The list is per thread, so it needs no lock; chunks move
 * freely between threads through it.  It is bounded (CHUNK_CACHE_MAX) and
 * emptied when the thread frees an event_base, at
 * libevent_global_shutdown(), and when the thread exits, so that a
 * program that counts its allocations through event_set_mem_functions()
 * sees every one come back.
 */
struct chunk_cache {
    struct vg_chunk *head[2]; /* by class */
    unsigned n[2];
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

    for (int k = 0; k < 2; k++) {
        while (cc->head[k] != NULL) {
            struct vg_chunk *c = cc->head[k];

            cc->head[k] = c->next;
            vg_mm_free(c);
        }
        cc->n[k] = 0;
    }
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
     * libevent_global_shutdown(), through a hook: it does not call up.
     * The hook table is sized for the library's own few registrants, so
     * a full one is a bug of ours, not a condition to live with. */
    VG_ASSERT(vg_core_hook_add(VG_CORE_HOOK_BASE_FREE | VG_CORE_HOOK_SHUTDOWN,
                               vg_evbuffer_cache_flush) == 0);
}

/* Keeps a freed chunk of the cached size; 0 if the cache is full or the
 * thread's exit could not be hooked (the caller frees it). */
static int
chunk_cache_put(struct vg_chunk *c, int k)
{
    struct chunk_cache *cc = &chunk_cache;

    if (cc->n[k] >=
        (k == CLASS_SMALL ? CHUNK_CACHE_SMALL_MAX : CHUNK_CACHE_MAX))
        return 0;
    if (__builtin_expect(!cc->registered, 0)) {
        pthread_once(&chunk_cache_once, chunk_cache_make_key);
        if (!chunk_cache_key_ok ||
            pthread_setspecific(chunk_cache_key, cc) != 0)
            return 0;
        cc->registered = 1;
    }
    c->next = cc->head[k];
    cc->head[k] = c;
    cc->n[k]++;
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
    if (total == CHUNK_CACHE_ALLOC && chunk_cache.head[CLASS_LARGE] != NULL) {
        c = chunk_cache.head[CLASS_LARGE];
        chunk_cache.head[CLASS_LARGE] = c->next;
        chunk_cache.n[CLASS_LARGE]--;
    } else if (total == CHUNK_MIN_ALLOC &&
               chunk_cache.head[CLASS_SMALL] != NULL) {
        c = chunk_cache.head[CLASS_SMALL];
        chunk_cache.head[CLASS_SMALL] = c->next;
        chunk_cache.n[CLASS_SMALL]--;
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
        if (c->cap == VG_CHUNK_CACHED_CAP && chunk_cache_put(c, CLASS_LARGE))
            return;
        if (c->cap == CHUNK_MIN_ALLOC - CHUNK_HDR &&
            chunk_cache_put(c, CLASS_SMALL))
            return;
        break;
    }
    vg_mm_free(c);
}

/* Takes a chunk of buf out of use: into the spare slot when it is worth
 * keeping, else released. */
void
vg_evbuffer_chunk_dispose(struct evbuffer *buf, struct vg_chunk *c)
{
    if ((c->flags & VG_CHUNK_KIND) == VG_CHUNK_FILE && c->buf == NULL)
        buf->n_unmapped--;
    if (buf->spare == NULL && vg_chunk_keepable(c)) {
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
void
vg_evbuffer_dispose_list(struct evbuffer *buf, struct vg_chunk *c)
{
    while (c != NULL) {
        struct vg_chunk *next = c->next;

        vg_evbuffer_chunk_dispose(buf, c);
        c = next;
    }
}

/* A new empty inline chunk for at least need bytes, sized for a buffer
 * whose last data chunk holds prev bytes of storage: the spare if it is
 * big enough, else a fresh one. */
struct vg_chunk *
vg_evbuffer_chunk_new_for(struct evbuffer *buf, size_t need, size_t prev)
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

void
vg_evbuffer_append_chunk(struct evbuffer *buf, struct vg_chunk *c)
{
    vg_evbuffer_splice_after_data(buf, c, c, c->off);
}
