/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_remove.c: taking bytes from the front of an evbuffer
 * (evbuffer_drain, evbuffer_remove) and copying them out without removing
 * them (evbuffer_copyout).  A buffer that empties keeps one small chunk for
 * its next bytes.
 */
#include "buffer-internal.h"

#include <limits.h>
#include <string.h>

#include "buffer-inline.h"

/* Empties buf, keeping one small chunk (the last suitable one) in place
 * for the next bytes, and possibly another as the spare. */
void
vg_evbuffer_drain_all(struct evbuffer *buf)
{
    struct vg_chunk *c = buf->first;
    struct vg_chunk *keep = NULL;
    struct vg_chunk *dead = NULL;

    if (c != NULL && c->next == NULL && vg_chunk_keepable(c)) {
        /* One small chunk: it stays, emptied (the common case). */
        buf->n_del_for_cb += buf->total_len;
        vg_evbuffer_empty_in_place(buf, c);
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

        if (vg_chunk_keepable(c)) {
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
    vg_evbuffer_dispose_list(buf, dead);
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
        vg_evbuffer_drain_all(buf);
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
    vg_evbuffer_dispose_list(buf, dead);
}

static __attribute__((noinline)) int drain_general(struct evbuffer *buf,
                                                   size_t len);

int
evbuffer_drain(struct evbuffer *buf, size_t len)
{
    struct vg_chunk *c;

    if (buf != NULL && vg_evbuffer_is_plain(buf) && !buf->freeze_start &&
        (c = buf->first) != NULL) {
        if (len < c->off) {
            vg_evbuffer_trim_first(buf, len);
            return 0;
        }
        if (c->next == NULL && len >= buf->total_len && vg_chunk_keepable(c)) {
            vg_evbuffer_empty_in_place(buf, c);
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
               vg_chunk_keepable(c)) {
        /* Everything, in one small chunk that stays for the next bytes:
         * the other common case. */
        buf->n_del_for_cb += buf->total_len;
        vg_evbuffer_empty_in_place(buf, c);
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

    if (buf != NULL && vg_evbuffer_is_plain(buf) && !buf->freeze_start &&
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
