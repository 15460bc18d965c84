/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer-internal.h: the evbuffer's insides.  Never installed.
 *
 * What it holds: the layout of struct evbuffer and of its chunks, file
 * segments and callback entries; the functions the buffer*.c files share
 * (vg_evbuffer_*, vg_chunk_*); and, in the last section, the few hooks the
 * rest of the core may call.
 *
 * Who may include it: the evbuffer's own files (buffer.c: the object,
 * locking, callbacks; buffer_chunk.c: chunks and the chunk cache;
 * buffer_add.c, buffer_reserve.c, buffer_remove.c, buffer_move.c,
 * buffer_pullup.c, buffer_search.c, buffer_io.c), which may use all of
 * it; and the bufferevents (bufferevent*.c, one layer up), which may use
 * the reservation functions and the last section only.  The event loop
 * (one layer down) must not, and does not: the chunk cache registers
 * vg_evbuffer_cache_flush() as a core hook (vg_core_hook_add) for
 * event_base_free() and libevent_global_shutdown(); tools/check-layers
 * enforces the rule.  buffer-inline.h, the inline chain helpers of
 * the hot paths, is for the buffer*.c files alone.
 *
 * Locking: a buffer's lock (evbuffer_enable_locking(); NULL without one)
 * guards every field of struct evbuffer and of its chunks, its callback
 * list and its spare chunk.  Every function here that takes a struct
 * evbuffer expects that lock held (the *_locked ones say so; the others
 * are called from inside a public function that took it), except
 * vg_evbuffer_finish() and vg_evbuffer_finish_slow(), which release it.
 * Two buffers are locked in address order (vg_evbuffer_lock2).  Callbacks
 * run with the lock held and a reference taken.  A file segment has its
 * own lock (seg->lock) for its reference count and its materializing; a
 * shared chunk's reference count (VG_CHUNK_SHARED) is atomic, because
 * views in other buffers, under other locks, hold it.  The chunk cache is
 * per thread and takes no lock.
 *
 * Ownership: a buffer owns its chunks and its spare, and frees them when
 * its last reference goes (evbuffer_free() drops the program's; a
 * deferred callback activation and a running callback hold one each).  A
 * chunk is released with vg_evbuffer_chunk_release(), which runs a
 * reference's cleanup callback, drops a file segment's reference or a
 * viewed chunk's, and puts a plain chunk of the cached size into the
 * thread's cache instead of freeing it.  Chunks unlinked from a buffer are
 * released only once the buffer is consistent again (a cleanup callback
 * may call into it).  A file segment belongs to its references: the
 * program's and one per chunk that shows part of it.
 *
 * The chain: an evbuffer is a singly linked chain of chunks.  A chunk is a
 * header that describes bytes kept either inline, right after the header,
 * or elsewhere: memory the program lent with evbuffer_add_reference(),
 * part of a file segment, or a view of another buffer's chunk
 * (evbuffer_add_buffer_reference()).  The data of a chunk is
 * buf[misalign, misalign + off); the bytes after it, up to cap, are free
 * space that appends may use (cap is set to misalign + off for every chunk
 * that must not be written, so that its free space is zero).
 *
 * The chain holds, in order: chunks with data (never an empty one), the
 * last of them being last_data; then possibly empty chunks of reserved
 * space (evbuffer_reserve_space, evbuffer_expand, evbuffer_read).  Appends
 * go to last_data's free space, then to the empty chunks after it, then to
 * new chunks; so appending is O(1), and moving a buffer's data into
 * another (evbuffer_add_buffer) relinks whole chunks.
 */
#ifndef VIGIL_BUFFER_INTERNAL_H
#define VIGIL_BUFFER_INTERNAL_H

#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event_struct.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "thread-internal.h"

/* The largest number of bytes a buffer may hold: positions are
 * ev_ssize_t. */
#define VG_BUF_MAX ((size_t)EV_SSIZE_MAX)

/* The largest single allocation the buffer code asks for (1 TiB): a
 * bigger request fails at once, without reaching the allocator. */
#define VG_BUF_ALLOC_MAX ((size_t)1 << 40)

/* Chunk kinds (the low bits of vg_chunk.flags). */
#define VG_CHUNK_INLINE 0u /* data follows the header */
#define VG_CHUNK_REF 1u    /* memory lent by evbuffer_add_reference() */
#define VG_CHUNK_FILE 2u   /* part of an evbuffer_file_segment */
#define VG_CHUNK_VIEW 3u   /* a view of another chunk's bytes */
#define VG_CHUNK_KIND 3u
/* Views of this chunk exist: its reference count is shared with other
 * buffers (atomic), and its bytes are never written again. */
#define VG_CHUNK_SHARED 4u

struct vg_chunk {
    struct vg_chunk *next;
    /* The storage; NULL for a file chunk not yet mapped (sendfile). */
    unsigned char *buf;
    size_t cap;      /* bytes of storage a writer may use */
    size_t misalign; /* bytes before the data */
    size_t off;      /* bytes of data */
    uint32_t flags;
    uint32_t refcnt; /* 1, plus one per view when VG_CHUNK_SHARED */
};

/* The data of chunk c. */
#define VG_CHUNK_DATA(c) ((c)->buf + (c)->misalign)
/* The free space after the data of chunk c. */
#define VG_CHUNK_SPACE(c) ((c)->cap - (c)->misalign - (c)->off)

/* An evbuffer_add_reference() chunk. */
struct vg_ref_chunk {
    struct vg_chunk c;
    evbuffer_ref_cleanup_cb cleanup;
    void *arg;
    const void *data; /* what the program gave, for the cleanup */
    size_t len;
};

/* A part of a file segment: chunk byte k is byte seg_off + k of the
 * segment. */
struct vg_file_chunk {
    struct vg_chunk c;
    struct evbuffer_file_segment *seg;
    size_t seg_off;
};

/* A view of another buffer's chunk (evbuffer_add_buffer_reference). */
struct vg_view_chunk {
    struct vg_chunk c;
    struct vg_chunk *parent;
};

struct evbuffer_file_segment {
    void *lock; /* NULL with EVBUF_FS_DISABLE_LOCKING or without threads */
    int refcnt;
    int fd;
    unsigned flags;
    int can_sendfile;
    ev_off_t file_offset; /* where the segment starts in the file */
    size_t length;
    /* Once materialized: the segment's bytes, either inside a mapping
     * (mapping, map_len) or in memory read with pread (owned). */
    unsigned char *contents;
    void *mapping;
    size_t map_len;
    int materialized;
    evbuffer_file_segment_cleanup_cb cleanup;
    void *cleanup_arg;
};

/* Callback entry flags beyond the public EVBUFFER_CB_ENABLED. */
#define VG_CB_OBSOLETE 0x10000u /* an evbuffer_setcb() callback */
#define VG_CB_REMOVED 0x20000u  /* removed while callbacks were running */
#define VG_CB_INTERNAL (VG_CB_OBSOLETE | VG_CB_REMOVED)

struct evbuffer_cb_entry {
    struct evbuffer_cb_entry *next;
    union {
        evbuffer_cb_func fn;
        evbuffer_cb obsolete;
    } cb;
    void *arg;
    uint32_t flags;
};

struct evbuffer {
    struct vg_chunk *first;
    struct vg_chunk *last;      /* the last chunk of the chain */
    struct vg_chunk *last_data; /* the last chunk with data; NULL if empty */
    size_t total_len;
    /* One empty inline chunk kept for reuse (small chunks only). */
    struct vg_chunk *spare;

    /* Bytes added and removed since the callbacks last ran. */
    size_t n_add_for_cb;
    size_t n_del_for_cb;

    void *lock;
    int refcnt;     /* the program's reference, plus internal holders */
    uint32_t flags; /* EVBUFFER_FLAG_* */
    unsigned char own_lock;
    unsigned char freeze_start;
    unsigned char freeze_end;
    unsigned char freed; /* evbuffer_free() was called */

    /* File chunks whose bytes are not mapped yet (sendfile chunks). */
    size_t n_unmapped;

    /* Changes whenever data moves or leaves, so that a stale
     * evbuffer_ptr is noticed (see buffer_search.c). */
    uint32_t ptr_gen;

    /* Callbacks, newest first (as libevent runs them). */
    struct evbuffer_cb_entry *callbacks;
    unsigned cb_depth;   /* callback runs in progress */
    unsigned cb_zombies; /* entries removed while running */

    /* evbuffer_defer_callbacks(): the base, and the deferred callback
     * (each activation of it holds a reference on the buffer). */
    struct event_base *cb_base;
    struct event_callback deferred;
};

#define VG_BUF_LOCK(b) vg_lock((b)->lock)
#define VG_BUF_UNLOCK(b) vg_unlock((b)->lock)

/* ------------------------------------------------------------------ */
/* Shared between the buffer*.c files (the lock is held).              */

/* Marks every evbuffer_ptr into buf as stale. */
static inline void
vg_evbuffer_ptrs_stale(struct evbuffer *buf)
{
    buf->ptr_gen++;
}

/* Removes len bytes, fewer than the first chunk holds, from the front
 * (the callbacks' count is the caller's). */
static inline void
vg_evbuffer_trim_first(struct evbuffer *buf, size_t len)
{
    struct vg_chunk *c = buf->first;

    c->misalign += len;
    c->off -= len;
    buf->total_len -= len;
    vg_evbuffer_ptrs_stale(buf);
}

/* Sets up the header of a chunk of kind VG_CHUNK_REF, _FILE or _VIEW whose
 * len bytes are kept elsewhere, at data + misalign; it has no free
 * space. */
static inline void
vg_evbuffer_chunk_init_extern(struct vg_chunk *c, uint32_t kind,
                              unsigned char *data, size_t misalign, size_t len)
{
    c->next = NULL;
    c->buf = data;
    c->cap = misalign + len;
    c->misalign = misalign;
    c->off = len;
    c->flags = kind;
    c->refcnt = 1;
}

/* Copies n bytes between places that do not overlap; small copies, the
 * most common on the hot paths, without a call. */
static inline void
vg_copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (n > 16) {
        memcpy(d, s, n);
    } else if (n >= 8) {
        uint64_t a, b;

        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;

        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n > 0) {
        unsigned char a = s[0], b = s[n / 2], c = s[n - 1];

        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* Runs the callbacks (or schedules them) for what changed, with a
 * reference held, and unlocks buf. */
void vg_evbuffer_finish_slow(struct evbuffer *buf);

/* Tells buf's callbacks of what changed, now or through the loop (the
 * caller holds a reference). */
void vg_evbuffer_notify(struct evbuffer *buf);

/* Drops a reference with the lock held, and unlocks; frees buf if it was
 * the last.  Returns 1 when freed. */
int vg_evbuffer_decref_and_unlock(struct evbuffer *buf);

/* Whether buf has callbacks to tell of a change. */
static inline int
vg_evbuffer_has_news(const struct evbuffer *buf)
{
    return __builtin_expect(buf->callbacks != NULL, 0) &&
           (buf->n_add_for_cb | buf->n_del_for_cb) != 0;
}

/* Ends an operation that may have changed buf: tells the callbacks, if
 * any, and unlocks. */
static inline void
vg_evbuffer_finish(struct evbuffer *buf)
{
    if (vg_evbuffer_has_news(buf))
        vg_evbuffer_finish_slow(buf);
    else
        VG_BUF_UNLOCK(buf);
}

/* Removes len bytes (at most the buffer's length) from the front. */
void vg_evbuffer_drain_locked(struct evbuffer *buf, size_t len);

/* Empties buf, keeping one small chunk in place for the next bytes, and
 * possibly another as the spare (the callbacks' count is updated). */
void vg_evbuffer_drain_all(struct evbuffer *buf);

/* Appends len > 0 bytes when the free space of c (the chunk appends go
 * to, or NULL) is too small: fills it, then the empty chunk after it or a
 * new one.  0, or -1. */
int vg_evbuffer_add_slow(struct evbuffer *buf, struct vg_chunk *c,
                         const unsigned char *data, size_t len);

/* Copies len bytes (at most what is there) starting at chunk c, offset i,
 * into out; returns how many.  The chunks' bytes must be mapped. */
size_t vg_evbuffer_copy_from(const struct vg_chunk *c, size_t i, void *out,
                             size_t len);

/* Maps every unmapped file chunk of buf.  0, or -1. */
int vg_evbuffer_map_all(struct evbuffer *buf);

/* Appends a chunk made elsewhere after last_data. */
void vg_evbuffer_append_chunk(struct evbuffer *buf, struct vg_chunk *c);

/* Takes a chunk of buf out of use: into the spare slot when it is worth
 * keeping, else released. */
void vg_evbuffer_chunk_dispose(struct evbuffer *buf, struct vg_chunk *c);

/* Disposes of a list of chunks unlinked from buf (after buf is consistent
 * again: a reference's cleanup may call back into the buffer). */
void vg_evbuffer_dispose_list(struct evbuffer *buf, struct vg_chunk *c);

/* A new empty inline chunk for at least need bytes, sized for a buffer
 * whose last data chunk holds prev bytes of storage: the spare if it is
 * big enough, else a fresh one; NULL without memory. */
struct vg_chunk *vg_evbuffer_chunk_new_for(struct evbuffer *buf, size_t need,
                                           size_t prev);

/* Makes the free space after the data at least want bytes in at most two
 * extents (the free space of the last data chunk, then one chunk),
 * allocating if needed; fills vec (2 entries) and returns the number of
 * extents, or -1.  With contiguous set, one extent of want bytes. */
int vg_evbuffer_reserve_locked(struct evbuffer *buf, size_t want,
                               struct iovec *vec, int contiguous);

/* vg_evbuffer_reserve_locked(buf, want, vec, 1), except that when a new
 * chunk is needed and the buffer's data is one small plain chunk, the data
 * moves into the new chunk first, so that the extent follows it (as in
 * libevent: evbuffer_reserve_space with one vector, a long
 * evbuffer_add_printf).  1, or -1. */
int vg_evbuffer_reserve_contiguous(struct evbuffer *buf, size_t want,
                                   struct iovec *vec);

/* Trims the nv extents vg_evbuffer_reserve_locked returned, which may
 * offer more than asked, to limit bytes in all, dropping a second extent
 * left empty; returns how many extents remain and sets *total to their
 * bytes. */
static inline int
vg_evbuffer_clamp_extents(struct iovec *vec, int nv, size_t limit,
                          size_t *total)
{
    size_t left = limit;
    int i;

    for (i = 0; i < nv; i++) {
        if (vec[i].iov_len > left)
            vec[i].iov_len = left;
        left -= vec[i].iov_len;
    }
    if (nv == 2 && vec[1].iov_len == 0)
        nv = 1;
    *total = limit - left;
    return nv;
}

/* Commits n bytes into the extents vg_evbuffer_reserve_locked returned
 * (n at most their total). */
void vg_evbuffer_commit_locked(struct evbuffer *buf, const struct iovec *vec,
                               int nvec, size_t n);

/* Releases one owner's hold on a chunk (frees it, calling its cleanup,
 * when it was the last; a plain chunk of the cached size goes to the
 * thread's chunk cache). */
void vg_evbuffer_chunk_release(struct vg_chunk *c);

/* Gets or drops a file segment's reference. */
void vg_evbuffer_segment_incref(struct evbuffer_file_segment *seg);
void vg_evbuffer_segment_decref(struct evbuffer_file_segment *seg);
/* Maps or reads a segment's bytes.  0, or -1. */
int vg_evbuffer_segment_materialize(struct evbuffer_file_segment *seg);

/* ------------------------------------------------------------------ */
/* For the rest of the core (bufferevents).                            */

/* The storage of a chunk of the size the thread's chunk cache keeps
 * (16 KiB and a header, rounded to 512 bytes, less the header). */
#define VG_CHUNK_CACHED_CAP ((size_t)16896 - sizeof(struct vg_chunk))

/* A new empty inline chunk, not in any buffer, with room for at least
 * need bytes (from the chunk cache when need fits the cached size), or
 * NULL.  Into a buffer with vg_evbuffer_append_chunk(), or back with
 * vg_evbuffer_chunk_release(). */
struct vg_chunk *vg_evbuffer_chunk_new(size_t need);

/* Frees the chunks the calling thread's chunk cache holds. */
void vg_evbuffer_cache_flush(void);

#endif
