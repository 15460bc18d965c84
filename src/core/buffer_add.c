/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_add.c: adding bytes at the end of an evbuffer (evbuffer_add,
 * evbuffer_add_iovec, evbuffer_add_printf), in front (evbuffer_prepend), and
 * memory the program lends (evbuffer_add_reference).
 *
 * Appends fill the free space of the last data chunk, then the empty chunk
 * after it, then a new chunk; bytes already in the buffer never move.
 */
#include "buffer-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buffer-inline.h"
#include "mm-internal.h"

/* Appends len > 0 bytes when the fast path could not: fills the free
 * space of c (the chunk appends go to, or NULL), then the empty chunk
 * after it or a new one. */
int
vg_evbuffer_add_slow(struct evbuffer *buf, struct vg_chunk *c,
                     const unsigned char *data, size_t len)
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
        struct vg_chunk *x =
            vg_evbuffer_chunk_new_for(buf, rest, vg_evbuffer_tail_cap(buf));

        if (x == NULL)
            return -1;
        vg_evbuffer_link_after(buf, c, x, x);
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

static __attribute__((noinline)) int
add_general(struct evbuffer *buf, const void *data, size_t datlen);

int
evbuffer_add(struct evbuffer *buf, const void *data, size_t datlen)
{
    struct vg_chunk *c;

    if (buf != NULL && vg_evbuffer_is_plain(buf) && !buf->freeze_end &&
        data != NULL && datlen <= VG_BUF_MAX - buf->total_len) {
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
    rc = vg_evbuffer_add_locked(buf, data, datlen);
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
    if (total > vg_evbuffer_append_room(buffer) &&
        vg_evbuffer_reserve_locked(buffer, total, v, 0) < 0)
        goto fail;
    for (i = 0; i < n_vec; i++)
        vg_evbuffer_add_locked(buffer, vec[i].iov_base, vec[i].iov_len);
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
    c = t != NULL && VG_CHUNK_SPACE(t) > 0 ? t : vg_evbuffer_empty_tail(buf);
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
         * and format again. */
        if (vg_evbuffer_reserve_contiguous(buf, (size_t)n + 1, v) != 1) {
            n = -1;
            goto unlock;
        }
        va_copy(aq, ap);
        if (vsnprintf(v[0].iov_base, (size_t)n + 1, fmt, aq) != n)
            n = -1;
        va_end(aq);
        if (n < 0)
            goto unlock;
        /* The reservation is the empty chunk after the data, or follows
         * the data when it moved into a new chunk with it. */
        c = buf->last_data != NULL &&
                    vg_chunk_is_space_of(buf->last_data, v[0].iov_base)
                ? buf->last_data
                : vg_evbuffer_empty_tail(buf);
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
        struct vg_chunk *x = vg_evbuffer_chunk_new_for(buf, size, 0);

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
