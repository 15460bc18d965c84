/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer-inline.h: small inline helpers on an evbuffer's chain of chunks,
 * shared by the buffer*.c files and private to them (no other file includes
 * it).  They sit on the hot paths (evbuffer_add, evbuffer_drain,
 * evbuffer_add_buffer...), so they are inline here rather than calls
 * between files.  Every function expects the buffer's lock held (or a
 * buffer without a lock); buffer-internal.h states the rules.
 */
#ifndef VIGIL_BUFFER_INLINE_H
#define VIGIL_BUFFER_INLINE_H

#include "buffer-internal.h"

#define CHUNK_HDR sizeof(struct vg_chunk)
/* An emptied chunk is kept for reuse only if its allocation is at most
 * this large (room for a 4 KiB write and the header). */
#define CHUNK_KEEP_MAX_ALLOC ((size_t)4608)
/* An emptied chunk kept for the next bytes starts them this far in, so
 * that a small header prepended to them needs no chunk of its own. */
#define CHUNK_HEADROOM ((size_t)64)

/* Whether an emptied chunk is worth keeping for reuse. */
static inline int
vg_chunk_keepable(const struct vg_chunk *c)
{
    return c->flags == VG_CHUNK_INLINE &&
           c->cap + CHUNK_HDR <= CHUNK_KEEP_MAX_ALLOC;
}

/* The storage of the last data chunk, as a hint for sizing the next. */
static inline size_t
vg_evbuffer_tail_cap(const struct evbuffer *buf)
{
    const struct vg_chunk *t = buf->last_data;

    if (t == NULL || (t->flags & VG_CHUNK_KIND) != VG_CHUNK_INLINE)
        return 0;
    return t->cap;
}

/* The empty chunk after the data, if any. */
static inline struct vg_chunk *
vg_evbuffer_empty_tail(const struct evbuffer *buf)
{
    return buf->last_data != NULL ? buf->last_data->next : buf->first;
}

/* Bytes that can be appended without allocating. */
static inline size_t
vg_evbuffer_append_room(const struct evbuffer *buf)
{
    const struct vg_chunk *e = vg_evbuffer_empty_tail(buf);
    size_t room = buf->last_data != NULL ? VG_CHUNK_SPACE(buf->last_data) : 0;

    if (e != NULL)
        room += VG_CHUNK_SPACE(e);
    return room;
}

/* Links the chunks first..last into buf's chain after prev (NULL: at the
 * front). */
static inline void
vg_evbuffer_link_after(struct evbuffer *buf, struct vg_chunk *prev,
                       struct vg_chunk *first, struct vg_chunk *last)
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
static inline void
vg_evbuffer_splice_after_data(struct evbuffer *dst, struct vg_chunk *first,
                              struct vg_chunk *last, size_t n)
{
    vg_evbuffer_link_after(dst, dst->last_data, first, last);
    dst->last_data = last;
    dst->total_len += n;
    dst->n_add_for_cb += n;
}

/* Locks two buffers in a fixed order. */
static inline void
vg_evbuffer_lock2(struct evbuffer *a, struct evbuffer *b)
{
    if (a < b) {
        VG_BUF_LOCK(a);
        VG_BUF_LOCK(b);
    } else {
        VG_BUF_LOCK(b);
        VG_BUF_LOCK(a);
    }
}

/* vg_evbuffer_finish for two buffers locked with vg_evbuffer_lock2: both stay
 * locked and allocated while either's callbacks run. */
static inline void
vg_evbuffer_finish2(struct evbuffer *a, struct evbuffer *b)
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
        vg_evbuffer_notify(b);
    if (news_a)
        vg_evbuffer_notify(a);
    vg_evbuffer_decref_and_unlock(b);
    vg_evbuffer_decref_and_unlock(a);
}

/* Empties buf, whose data is all in c, its only chunk (keepable), which
 * stays for the next bytes (the callbacks' count is the caller's). */
static inline void
vg_evbuffer_empty_in_place(struct evbuffer *buf, struct vg_chunk *c)
{
    buf->total_len = 0;
    buf->last_data = NULL;
    c->misalign = CHUNK_HEADROOM;
    c->off = 0;
    vg_evbuffer_ptrs_stale(buf);
}

/* Whether buf needs neither locking nor telling anyone of a change: the
 * hot paths then do their work inline and return. */
static inline int
vg_evbuffer_is_plain(const struct evbuffer *buf)
{
    return buf->lock == NULL && buf->callbacks == NULL;
}

/* Appends len bytes (lock held, back not frozen). */
static inline int
vg_evbuffer_add_locked(struct evbuffer *buf, const void *data, size_t len)
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
    return vg_evbuffer_add_slow(buf, c, data, len);
}

/* Whether p is where chunk c's free space starts (a reserved extent).  A
 * chunk without free space is never one, nor is a file chunk whose bytes
 * are not mapped (its buf is NULL). */
static inline int
vg_chunk_is_space_of(const struct vg_chunk *c, const void *p)
{
    return c != NULL && VG_CHUNK_SPACE(c) > 0 && p == VG_CHUNK_DATA(c) + c->off;
}

#endif
