/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_move.c: moving bytes between evbuffers (evbuffer_add_buffer,
 * evbuffer_remove_buffer, evbuffer_prepend_buffer) and sharing them
 * (evbuffer_add_buffer_reference).
 *
 * Whole chunks are relinked, not copied, except small amounts, which are
 * cheaper to copy into the destination's free space than a chunk is to
 * allocate and free.
 */
#include "buffer-internal.h"

#include <limits.h>
#include <string.h>

#include "buffer-inline.h"
#include "mm-internal.h"

/* Moving at most this many bytes between buffers copies them when they fit
 * the destination's free space. */
#define MOVE_COPY_MAX ((size_t)1024)

/* After src lost all its chunks to dst: src gets an empty chunk dst can
 * spare, so that its next bytes need no allocation. */
static void
give_chunk(struct evbuffer *dst, struct evbuffer *src)
{
    struct vg_chunk *e;

    if (src->first != NULL)
        return;
    e = vg_evbuffer_empty_tail(dst);
    if (e != NULL && e->next == NULL && vg_chunk_keepable(e)) {
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
    vg_evbuffer_splice_after_data(dst, first, last, n);
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
           vg_evbuffer_append_room(dst) >= src->total_len;
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
        vg_evbuffer_is_plain(outbuf) && vg_evbuffer_is_plain(inbuf) &&
        !inbuf->freeze_start && !outbuf->freeze_end &&
        (c = inbuf->first) != NULL && c->next == NULL && (n = c->off) > 0 &&
        n <= MOVE_COPY_MAX && vg_chunk_keepable(c) &&
        n <= VG_BUF_MAX - outbuf->total_len) {
        d = outbuf->last_data != NULL ? outbuf->last_data : outbuf->first;
        if (d != NULL && VG_CHUNK_SPACE(d) >= n) {
            vg_copy(VG_CHUNK_DATA(d) + d->off, VG_CHUNK_DATA(c), n);
            d->off += n;
            outbuf->last_data = d;
            outbuf->total_len += n;
            vg_evbuffer_empty_in_place(inbuf, c);
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
    vg_evbuffer_lock2(outbuf, inbuf);
    if (inbuf->total_len == 0) {
        rc = 0;
        goto unlock;
    }
    if (inbuf->freeze_start || outbuf->freeze_end)
        goto unlock;
    if (inbuf->total_len > VG_BUF_MAX - outbuf->total_len)
        goto unlock;
    if (copy_is_cheaper(outbuf, inbuf)) {
        vg_evbuffer_add_locked(outbuf, VG_CHUNK_DATA(inbuf->first),
                               inbuf->total_len);
        vg_evbuffer_drain_all(inbuf);
    } else {
        move_all(outbuf, inbuf);
    }
    rc = 0;
    vg_evbuffer_finish2(outbuf, inbuf);
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

        if (vg_evbuffer_add_locked(dst, VG_CHUNK_DATA(c), k) < 0)
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
    vg_evbuffer_lock2(src, dst);
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
            vg_evbuffer_add_locked(dst, VG_CHUNK_DATA(src->first), datlen);
            vg_evbuffer_drain_all(src);
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
        if (vg_evbuffer_add_locked(dst, VG_CHUNK_DATA(c), datlen) < 0)
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
    vg_evbuffer_splice_after_data(dst, first, last, moved);
    if (moved < datlen)
        moved += copy_front(dst, src, datlen - moved);
    rc = (int)moved;
done:
    vg_evbuffer_finish2(src, dst);
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
    vg_evbuffer_lock2(dst, src);
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
        vg_evbuffer_drain_all(src);
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
    vg_evbuffer_finish2(dst, src);
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
    vg_evbuffer_lock2(outbuf, inbuf);
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
    vg_evbuffer_splice_after_data(outbuf, views, last_view, inbuf->total_len);
    rc = 0;
    vg_evbuffer_finish2(outbuf, inbuf);
    return rc;
unlock:
    VG_BUF_UNLOCK(inbuf);
    VG_BUF_UNLOCK(outbuf);
    return rc;
}
