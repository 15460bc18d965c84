/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_pullup.c: making the first bytes of an evbuffer contiguous
 * (evbuffer_pullup): in the first chunk when it has room, else in a new
 * chunk that replaces the chunks it drained.
 */
#include "buffer-internal.h"

#include <string.h>

#include "buffer-inline.h"

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
        x = vg_evbuffer_chunk_new_for(buf, want, 0);
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
    vg_evbuffer_dispose_list(buf, dead);
    result = VG_CHUNK_DATA(x);
done:
    VG_BUF_UNLOCK(buf);
    return result;
}
