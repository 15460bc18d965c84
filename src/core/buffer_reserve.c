/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_reserve.c: space reserved at the end of an evbuffer and filled in
 * place: evbuffer_reserve_space, evbuffer_commit_space, evbuffer_expand, and
 * the locked forms the socket reads use (vg_evbuffer_reserve_locked,
 * vg_evbuffer_commit_locked).
 */
#include "buffer-internal.h"

#include <errno.h>

#include "buffer-inline.h"

/* A contiguous reservation (evbuffer_reserve_space with one vector, a long
 * evbuffer_add_printf) that needs a new chunk takes along the data of a
 * buffer whose data is one plain chunk of at most this many bytes, so the
 * reserved space follows the data in one chunk, as in libevent. */
#define RESERVE_MOVE_MAX ((size_t)4096)

int
vg_evbuffer_reserve_locked(struct evbuffer *buf, size_t want, struct iovec *vec,
                           int contiguous)
{
    struct vg_chunk *t = buf->last_data;
    struct vg_chunk *e = vg_evbuffer_empty_tail(buf);
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
        struct vg_chunk *x =
            vg_evbuffer_chunk_new_for(buf, need, vg_evbuffer_tail_cap(buf));

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
            vg_evbuffer_chunk_dispose(buf, e);
        } else if (t != NULL) {
            /* Linked here rather than with vg_evbuffer_link_after(), which
             * makes every call 5 instructions dearer (callgrind). */
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

int
vg_evbuffer_reserve_contiguous(struct evbuffer *buf, size_t want,
                               struct iovec *vec)
{
    struct vg_chunk *t = buf->last_data;
    struct vg_chunk *e, *x;

    /* Apart from vg_evbuffer_reserve_locked, whose other callers (the
     * socket reads) would pay for the test (callgrind). */
    if (t == NULL || t != buf->first || t->flags != VG_CHUNK_INLINE ||
        t->off > RESERVE_MOVE_MAX || buf->freeze_start ||
        VG_CHUNK_SPACE(t) >= want || want > VG_BUF_MAX - buf->total_len)
        return vg_evbuffer_reserve_locked(buf, want, vec, 1);
    e = t->next;
    if (e != NULL && e->cap >= want)
        return vg_evbuffer_reserve_locked(buf, want, vec, 1);
    /* A new chunk is needed: the data (all of it, small) moves into it,
     * and it replaces the data's chunk and the empty one after it. */
    x = vg_evbuffer_chunk_new_for(buf, want + t->off,
                                  vg_evbuffer_tail_cap(buf));
    if (x == NULL)
        return -1;
    vg_copy(x->buf, VG_CHUNK_DATA(t), t->off);
    x->off = t->off;
    x->next = e != NULL ? e->next : NULL;
    buf->first = x;
    buf->last_data = x;
    if (buf->last == t || buf->last == e)
        buf->last = x;
    vg_evbuffer_ptrs_stale(buf);
    t->next = NULL;
    vg_evbuffer_chunk_dispose(buf, t);
    if (e != NULL) {
        e->next = NULL;
        vg_evbuffer_chunk_dispose(buf, e);
    }
    vec[0].iov_base = x->buf + x->off;
    vec[0].iov_len = x->cap - x->off;
    return 1;
}

void
vg_evbuffer_commit_locked(struct evbuffer *buf, const struct iovec *vec,
                          int nvec, size_t n)
{
    struct vg_chunk *t = buf->last_data;
    struct vg_chunk *e = vg_evbuffer_empty_tail(buf);
    size_t total = n;
    int i;

    for (i = 0; i < nvec && n > 0; i++) {
        size_t k = vec[i].iov_len < n ? vec[i].iov_len : n;

        if (vg_chunk_is_space_of(t, vec[i].iov_base)) {
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
    if (datlen > vg_evbuffer_append_room(buf) &&
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

    if (buf != NULL && vg_evbuffer_is_plain(buf) && !buf->freeze_end &&
        size > 0 && n_vec >= 1 && vec != NULL &&
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
    if (n_vec == 1)
        n = vg_evbuffer_reserve_contiguous(buf, (size_t)size, v);
    else
        n = vg_evbuffer_reserve_locked(buf, (size_t)size, v, 0);
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

    if (buf != NULL && vg_evbuffer_is_plain(buf) && !buf->freeze_end &&
        n_vecs == 1 && vec != NULL) {
        /* One extent: the free space after the data, or the empty chunk
         * after it, as reserved. */
        size_t len = vec[0].iov_len;

        t = buf->last_data;
        if (!vg_chunk_is_space_of(t, vec[0].iov_base))
            t = vg_evbuffer_empty_tail(buf);
        if (vg_chunk_is_space_of(t, vec[0].iov_base) &&
            len <= VG_CHUNK_SPACE(t) && len <= VG_BUF_MAX - buf->total_len) {
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

        if (!vg_chunk_is_space_of(t, vec[0].iov_base)) {
            t = vg_evbuffer_empty_tail(buf);
            if (!vg_chunk_is_space_of(t, vec[0].iov_base))
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
    e = vg_evbuffer_empty_tail(buf);
    if (vg_chunk_is_space_of(t, vec[0].iov_base)) {
        into[0] = t;
        into[1] = e;
    } else if (vg_chunk_is_space_of(e, vec[0].iov_base)) {
        into[0] = e;
        into[1] = NULL;
    } else {
        goto unlock;
    }
    if (n_vecs == 2 && !vg_chunk_is_space_of(into[1], vec[1].iov_base))
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
