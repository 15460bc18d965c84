/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_search.c: positions in an evbuffer (struct evbuffer_ptr), and
 * everything that looks at bytes in place: searching for a string or an
 * end of line, reading lines, peeking and copying from a position.
 *
 * A position keeps its chunk and its offset in the chunk, so that a search
 * resumed from the last hit starts where it left off.  The offset field
 * also carries a tag of the buffer's layout: anything that moves or
 * removes data changes the tag, and a position whose tag no longer matches
 * is found again from its absolute offset (libevent leaves such a
 * position dangling).
 *
 * Searches scan each chunk with memchr for the needle's first byte and
 * memcmp for the rest, switching to memmem when first-byte hits turn out
 * to be mostly false; a match that straddles chunks is checked at each
 * chunk's end.  End-of-line searches are memchr scans.
 */
#include "buffer-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm-internal.h"

/* evbuffer_ptr.internal_.pos_in_chain: the offset in the chunk in the low
 * bits, the layout tag above them. */
#define PTR_OFF_BITS 40
#define PTR_OFF_MASK ((((size_t)1) << PTR_OFF_BITS) - 1)
#define PTR_TAG_MASK ((size_t)0xffffff)

static inline size_t
layout_tag(const struct evbuffer *buf)
{
    size_t t = buf->ptr_gen & PTR_TAG_MASK;

    return t != 0 ? t : 1;
}

static void
ptr_store(const struct evbuffer *buf, struct evbuffer_ptr *p, size_t pos,
          struct vg_chunk *c, size_t i)
{
    p->pos = (ev_ssize_t)pos;
    if (c != NULL && i <= PTR_OFF_MASK) {
        p->internal_.chain = c;
        p->internal_.pos_in_chain = (layout_tag(buf) << PTR_OFF_BITS) | i;
    } else {
        p->internal_.chain = NULL;
        p->internal_.pos_in_chain = 0;
    }
}

static void
ptr_not_found(struct evbuffer_ptr *p)
{
    p->pos = -1;
    p->internal_.chain = NULL;
    p->internal_.pos_in_chain = 0;
}

/* The chunk and offset of position pos (at most the length).  At the very
 * end: the last data chunk and its length, or NULL in an empty buffer. */
static void
locate(const struct evbuffer *buf, size_t pos, struct vg_chunk **cp, size_t *ip)
{
    struct vg_chunk *c = buf->last_data;

    if (c != NULL && pos >= buf->total_len - c->off) {
        *cp = c;
        *ip = pos - (buf->total_len - c->off);
        return;
    }
    c = buf->first;
    while (c != NULL && pos >= c->off) {
        pos -= c->off;
        c = c->next;
    }
    *cp = c;
    *ip = pos;
}

/* Where a position given by the program points: its own chunk when it is
 * still current, else found again from its offset.  -1 when it lies
 * outside the buffer. */
static inline int
ptr_load(const struct evbuffer *buf, const struct evbuffer_ptr *p,
         struct vg_chunk **cp, size_t *ip)
{
    size_t v = p->internal_.pos_in_chain;

    if (p->pos < 0 || (size_t)p->pos > buf->total_len)
        return -1;
    if (p->internal_.chain != NULL && (v >> PTR_OFF_BITS) == layout_tag(buf)) {
        struct vg_chunk *c = p->internal_.chain;

        if ((v & PTR_OFF_MASK) <= c->off) {
            *cp = c;
            *ip = v & PTR_OFF_MASK;
            return 0;
        }
    }
    locate(buf, (size_t)p->pos, cp, ip);
    return 0;
}

/* Moves (c, i) on by n bytes, n within the data. */
static void
advance(struct vg_chunk **cp, size_t *ip, size_t n)
{
    struct vg_chunk *c = *cp;
    size_t i = *ip;

    while (c != NULL) {
        size_t avail = c->off - i;

        if (n < avail) {
            i += n;
            break;
        }
        if (c->next == NULL || c->next->off == 0) {
            i = c->off;
            break;
        }
        n -= avail;
        c = c->next;
        i = 0;
    }
    *cp = c;
    *ip = i;
}

int
evbuffer_ptr_set(struct evbuffer *buffer, struct evbuffer_ptr *ptr,
                 size_t position, enum evbuffer_ptr_how how)
{
    struct vg_chunk *c;
    size_t i;
    int rc = -1;

    if (buffer == NULL || ptr == NULL)
        return -1;
    VG_BUF_LOCK(buffer);
    switch (how) {
    case EVBUFFER_PTR_SET:
        if (position > buffer->total_len) {
            ptr_not_found(ptr);
            break;
        }
        locate(buffer, position, &c, &i);
        ptr_store(buffer, ptr, position, c, i);
        rc = 0;
        break;
    case EVBUFFER_PTR_ADD:
        /* An addition that overflows leaves the position as it was. */
        if (ptr->pos < 0 || position > (size_t)(EV_SSIZE_MAX - ptr->pos))
            break;
        if ((size_t)ptr->pos + position > buffer->total_len ||
            ptr_load(buffer, ptr, &c, &i) < 0) {
            ptr_not_found(ptr);
            break;
        }
        if (c == NULL)
            locate(buffer, (size_t)ptr->pos + position, &c, &i);
        else
            advance(&c, &i, position);
        ptr_store(buffer, ptr, (size_t)ptr->pos + position, c, i);
        rc = 0;
        break;
    default:
        ptr_not_found(ptr);
        break;
    }
    VG_BUF_UNLOCK(buffer);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Searching for a string.                                             */

/* How common a byte tends to be in the data programs buffer (text,
 * protocol headers): the lower, the rarer.  A search scans for the needle's
 * rarest byte, so that memchr stops as seldom as possible. */
static const unsigned char commonness[256] = {
    [0x00] = 5,          [0x01 ... 0x08] = 1, ['\t'] = 5,
    ['\n'] = 5,          [0x0b ... 0x0c] = 1, ['\r'] = 5,
    [0x0e ... 0x1f] = 1, [' '] = 9,           ['!' ... '+'] = 3,
    [',' ... '/'] = 5,   ['0' ... '9'] = 7,   [':' ... ';'] = 5,
    ['<'] = 3,           ['='] = 5,           ['>' ... '@'] = 3,
    ['A' ... 'Z'] = 5,   ['[' ... '^'] = 3,   ['_'] = 5,
    ['`'] = 3,           ['a'] = 9,           ['b' ... 'd'] = 8,
    ['e'] = 9,           ['f' ... 'g'] = 8,   ['h' ... 'i'] = 9,
    ['j' ... 'k'] = 8,   ['l'] = 9,           ['m'] = 8,
    ['n' ... 'o'] = 9,   ['p' ... 'q'] = 8,   ['r' ... 't'] = 9,
    ['u' ... 'z'] = 8,   ['{' ... '~'] = 3,   [0x7f] = 1,
    [0x80 ... 0xff] = 2,
};

/* The index of the needle byte a search scans for: the rarest, the
 * earliest of equals. */
static size_t
rare_index(const unsigned char *n, size_t nl)
{
    size_t best = 0;
    unsigned best_rank = commonness[n[0]];
    size_t k;

    /* The first 32 bytes are enough to find a rare one. */
    if (nl > 32)
        nl = 32;
    for (k = 1; k < nl; k++) {
        unsigned r = commonness[n[k]];

        best = r < best_rank ? k : best;
        best_rank = r < best_rank ? r : best_rank;
    }
    return best;
}

/* The first place the needle (nl >= 2 bytes) occurs wholly inside
 * h[0, hl), or NULL.  memchr finds candidates for needle byte r (its
 * rarest); when they keep failing (the byte is common after all), memmem
 * takes over. */
static const unsigned char *
mem_find(const unsigned char *h, size_t hl, const unsigned char *n, size_t nl,
         size_t r)
{
    const unsigned char *p;    /* where byte r of a candidate is */
    const unsigned char *stop; /* one past the last possible byte r */
    unsigned misses = 0;

    if (hl < nl)
        return NULL;
    p = h + r;
    stop = h + (hl - nl) + r + 1;
    while (p < stop) {
        const unsigned char *s;

        p = memchr(p, n[r], (size_t)(stop - p));
        if (p == NULL)
            return NULL;
        s = p - r;
        if (nl <= 8) {
            /* Both ends, as two words that overlap when nl < 8. */
            if (nl >= 4) {
                uint32_t a, b, c, d;

                memcpy(&a, s, 4);
                memcpy(&b, n, 4);
                memcpy(&c, s + nl - 4, 4);
                memcpy(&d, n + nl - 4, 4);
                if (a == b && c == d)
                    return s;
            } else if (s[0] == n[0] && s[1] == n[1] && s[nl - 1] == n[nl - 1]) {
                return s; /* nl is 2 or 3 */
            }
        } else if (memcmp(s, n, nl) == 0) {
            return s;
        }
        p++;
        if (++misses >= 16) {
            s = p - r;
            return memmem(s, (size_t)(h + hl - s), n, nl);
        }
    }
    return NULL;
}

/* Whether the nl bytes of n match the data from chunk c's start on. */
static int
match_from(const struct vg_chunk *c, const unsigned char *n, size_t nl)
{
    while (nl > 0) {
        size_t k;

        if (c == NULL || c->off == 0)
            return 0;
        k = c->off < nl ? c->off : nl;
        if (memcmp(VG_CHUNK_DATA(c), n, k) != 0)
            return 0;
        n += k;
        nl -= k;
        c = c->next;
    }
    return 1;
}

/* Finds the needle (nl >= 1 bytes) starting at or after (c, i), which is
 * at absolute position pos, and ending at or before end.  Returns the
 * position and sets (*fc, *fi), or returns -1. */
static ev_ssize_t
find_bytes(struct vg_chunk *c, size_t i, size_t pos, size_t end,
           const unsigned char *n, size_t nl, struct vg_chunk **fc, size_t *fi)
{
    size_t last_start;
    size_t r = nl > 1 ? rare_index(n, nl) : 0;

    if (end < nl || pos > end - nl)
        return -1;
    last_start = end - nl;
    while (c != NULL && c->off > 0 && pos <= last_start) {
        const unsigned char *d = VG_CHUNK_DATA(c) + i;
        size_t avail = c->off - i;
        /* Starts still allowed, from d on. */
        size_t starts = last_start - pos + 1;
        /* The bytes that can hold whole matches. */
        size_t hl = avail < starts + nl - 1 ? avail : starts + nl - 1;
        const unsigned char *p;

        if (nl == 1)
            p = memchr(d, n[0], hl);
        else
            p = mem_find(d, hl, n, nl, r);
        if (p != NULL) {
            *fc = c;
            *fi = i + (size_t)(p - d);
            return (ev_ssize_t)(pos + (size_t)(p - d));
        }
        if (nl > 1) {
            /* Matches that begin in the chunk's last nl - 1 bytes and go
             * on into the next chunks. */
            size_t k = avail >= nl ? avail - nl + 1 : 0;
            size_t k1 = avail < starts ? avail : starts;

            while (k < k1) {
                p = memchr(d + k, n[0], k1 - k);
                if (p == NULL)
                    break;
                k = (size_t)(p - d);
                if (memcmp(p, n, avail - k) == 0 &&
                    match_from(c->next, n + (avail - k), nl - (avail - k))) {
                    *fc = c;
                    *fi = i + k;
                    return (ev_ssize_t)(pos + k);
                }
                k++;
            }
        }
        pos += avail;
        i = 0;
        c = c->next;
    }
    return -1;
}

struct evbuffer_ptr
evbuffer_search_range(struct evbuffer *buffer, const char *what, size_t len,
                      const struct evbuffer_ptr *start,
                      const struct evbuffer_ptr *end)
{
    struct evbuffer_ptr result;
    struct vg_chunk *c, *fc;
    size_t i, fi, pos, stop;
    ev_ssize_t at;

    ptr_not_found(&result);
    if (buffer == NULL || (what == NULL && len > 0))
        return result;
    VG_BUF_LOCK(buffer);
    if (start != NULL) {
        if (ptr_load(buffer, start, &c, &i) < 0)
            goto done;
        pos = (size_t)start->pos;
    } else {
        c = buffer->first;
        i = 0;
        pos = 0;
    }
    stop = buffer->total_len;
    if (end != NULL) {
        if (end->pos < 0)
            goto done;
        if ((size_t)end->pos < stop)
            stop = (size_t)end->pos;
    }
    if (pos > stop)
        goto done;
    if (len == 0) {
        /* The empty string is wherever the search starts. */
        ptr_store(buffer, &result, pos, c, i);
        goto done;
    }
    if (buffer->n_unmapped > 0 && vg_evbuffer_map_all(buffer) < 0)
        goto done;
    if (c != NULL && i == c->off && i > 0) {
        c = c->next;
        i = 0;
    }
    at =
        find_bytes(c, i, pos, stop, (const unsigned char *)what, len, &fc, &fi);
    if (at >= 0)
        ptr_store(buffer, &result, (size_t)at, fc, fi);
done:
    VG_BUF_UNLOCK(buffer);
    return result;
}

struct evbuffer_ptr
evbuffer_search(struct evbuffer *buffer, const char *what, size_t len,
                const struct evbuffer_ptr *start)
{
    return evbuffer_search_range(buffer, what, len, start, NULL);
}

unsigned char *
evbuffer_find(struct evbuffer *buffer, const unsigned char *what, size_t len)
{
    struct evbuffer_ptr p;
    unsigned char *data = NULL;

    if (buffer == NULL)
        return NULL;
    VG_BUF_LOCK(buffer);
    p = evbuffer_search(buffer, (const char *)what, len, NULL);
    if (p.pos >= 0) {
        data = evbuffer_pullup(buffer, p.pos + (ev_ssize_t)len);
        if (data != NULL)
            data += p.pos;
    }
    VG_BUF_UNLOCK(buffer);
    return data;
}

/* ------------------------------------------------------------------ */
/* Ends of lines.                                                      */

/* A place in the buffer while scanning. */
struct spot {
    struct vg_chunk *c;
    size_t i;
    size_t pos;
};

/* Counts the CR and LF bytes from s on (for EVBUFFER_EOL_ANY). */
static size_t
crlf_run(struct vg_chunk *c, size_t i)
{
    size_t n = 0;

    while (c != NULL && c->off > 0) {
        const unsigned char *d = VG_CHUNK_DATA(c);

        while (i < c->off && (d[i] == '\r' || d[i] == '\n')) {
            i++;
            n++;
        }
        if (i < c->off)
            break;
        c = c->next;
        i = 0;
    }
    return n;
}

/* Finds the first end of line of the given style at or after s.  Returns
 * its position (and sets *at and *eol_len) or -1. */
static ev_ssize_t
find_eol(struct spot s, enum evbuffer_eol_style style, struct spot *at,
         size_t *eol_len)
{
    /* The byte before the chunk being scanned, when within the search
     * (for a CR ending the previous chunk), and where it is. */
    struct vg_chunk *prev_c = NULL;
    int prev_cr = 0;
    int target;

    switch (style) {
    case EVBUFFER_EOL_LF:
    case EVBUFFER_EOL_CRLF:
    case EVBUFFER_EOL_CRLF_STRICT:
        target = '\n';
        break;
    case EVBUFFER_EOL_NUL:
        target = '\0';
        break;
    case EVBUFFER_EOL_ANY:
        target = -1;
        break;
    default:
        return -1;
    }
    while (s.c != NULL && s.c->off > 0) {
        const unsigned char *d = VG_CHUNK_DATA(s.c);
        size_t i = s.i;

        while (i < s.c->off) {
            const unsigned char *p;
            size_t k;

            if (target >= 0) {
                p = memchr(d + i, target, s.c->off - i);
            } else {
                const unsigned char *q;

                p = memchr(d + i, '\n', s.c->off - i);
                q = memchr(d + i, '\r',
                           p != NULL ? (size_t)(p - (d + i)) : s.c->off - i);
                if (q != NULL)
                    p = q;
            }
            if (p == NULL)
                break;
            k = (size_t)(p - d);
            if (style == EVBUFFER_EOL_CRLF ||
                style == EVBUFFER_EOL_CRLF_STRICT) {
                /* Is there a CR just before, within the search? */
                int cr = k > s.i ? d[k - 1] == '\r' : (k == 0 && prev_cr);

                if (cr) {
                    if (k > 0) {
                        at->c = s.c;
                        at->i = k - 1;
                    } else {
                        at->c = prev_c;
                        at->i = prev_c->off - 1;
                    }
                    at->pos = s.pos + (k - s.i) - 1;
                    *eol_len = 2;
                    return (ev_ssize_t)at->pos;
                }
                if (style == EVBUFFER_EOL_CRLF_STRICT) {
                    i = k + 1;
                    continue;
                }
            }
            at->c = s.c;
            at->i = k;
            at->pos = s.pos + (k - s.i);
            *eol_len = style == EVBUFFER_EOL_ANY ? crlf_run(s.c, k) : 1;
            return (ev_ssize_t)at->pos;
        }
        prev_cr = d[s.c->off - 1] == '\r' && s.c->off > s.i;
        prev_c = s.c;
        s.pos += s.c->off - s.i;
        s.c = s.c->next;
        s.i = 0;
    }
    return -1;
}

struct evbuffer_ptr
evbuffer_search_eol(struct evbuffer *buffer, struct evbuffer_ptr *start,
                    size_t *eol_len_out, enum evbuffer_eol_style eol_style)
{
    struct evbuffer_ptr result;
    struct spot s, at;
    size_t eol_len = 0;

    ptr_not_found(&result);
    if (eol_len_out != NULL)
        *eol_len_out = 0;
    if (buffer == NULL)
        return result;
    VG_BUF_LOCK(buffer);
    if (start != NULL) {
        if (ptr_load(buffer, start, &s.c, &s.i) < 0)
            goto done;
        s.pos = (size_t)start->pos;
    } else {
        s.c = buffer->first;
        s.i = 0;
        s.pos = 0;
    }
    if (buffer->n_unmapped > 0 && vg_evbuffer_map_all(buffer) < 0)
        goto done;
    if (s.c != NULL && s.i == s.c->off) {
        s.c = s.c->next;
        s.i = 0;
    }
    if (find_eol(s, eol_style, &at, &eol_len) >= 0) {
        ptr_store(buffer, &result, at.pos, at.c, at.i);
        if (eol_len_out != NULL)
            *eol_len_out = eol_len;
    }
done:
    VG_BUF_UNLOCK(buffer);
    return result;
}

/* evbuffer_readln() past its fast path: the line may span chunks, or the
 * style needs find_eol().  The lock is held, and released here. */
static __attribute__((noinline)) char *
readln_general(struct evbuffer *buffer, size_t *n_read_out,
               enum evbuffer_eol_style eol_style)
{
    struct spot s, at;
    size_t eol_len = 0;
    char *line = NULL;
    ev_ssize_t n;

    s.c = buffer->first;
    s.i = 0;
    s.pos = 0;
    n = find_eol(s, eol_style, &at, &eol_len);
    if (n < 0 || (size_t)n >= VG_BUF_ALLOC_MAX)
        goto unlock;
    line = vg_mm_malloc((size_t)n + 1);
    if (line == NULL)
        goto unlock;
    vg_evbuffer_copy_from(buffer->first, 0, line, (size_t)n);
    line[n] = '\0';
    vg_evbuffer_drain_locked(buffer, (size_t)n + eol_len);
    if (n_read_out != NULL)
        *n_read_out = (size_t)n;
    vg_evbuffer_finish(buffer);
    return line;
unlock:
    VG_BUF_UNLOCK(buffer);
    return NULL;
}

char *
evbuffer_readln(struct evbuffer *buffer, size_t *n_read_out,
                enum evbuffer_eol_style eol_style)
{
    const struct vg_chunk *c;
    const unsigned char *d, *p;
    size_t k, eol_len;
    char *line;

    if (n_read_out != NULL)
        *n_read_out = 0;
    if (buffer == NULL)
        return NULL;
    VG_BUF_LOCK(buffer);
    if (buffer->freeze_start || buffer->total_len == 0 ||
        (buffer->n_unmapped > 0 && vg_evbuffer_map_all(buffer) < 0)) {
        VG_BUF_UNLOCK(buffer);
        return NULL;
    }
    if (eol_style != EVBUFFER_EOL_CRLF && eol_style != EVBUFFER_EOL_LF &&
        eol_style != EVBUFFER_EOL_NUL)
        return readln_general(buffer, n_read_out, eol_style);
    /* The common case: the line ends in the first chunk. */
    c = buffer->first;
    d = VG_CHUNK_DATA(c);
    p = memchr(d, eol_style == EVBUFFER_EOL_NUL ? '\0' : '\n', c->off);
    if (p == NULL)
        return readln_general(buffer, n_read_out, eol_style);
    k = (size_t)(p - d);
    eol_len = 1;
    if (eol_style == EVBUFFER_EOL_CRLF && k > 0 && d[k - 1] == '\r') {
        k--;
        eol_len = 2;
    }
    line = vg_mm_malloc(k + 1);
    if (line == NULL) {
        VG_BUF_UNLOCK(buffer);
        return NULL;
    }
    memcpy(line, d, k);
    line[k] = '\0';
    if (k + eol_len < c->off) {
        vg_evbuffer_trim_first(buffer, k + eol_len);
        buffer->n_del_for_cb += k + eol_len;
    } else {
        vg_evbuffer_drain_locked(buffer, k + eol_len);
    }
    if (n_read_out != NULL)
        *n_read_out = k;
    vg_evbuffer_finish(buffer);
    return line;
}

char *
evbuffer_readline(struct evbuffer *buffer)
{
    return evbuffer_readln(buffer, NULL, EVBUFFER_EOL_ANY);
}

/* ------------------------------------------------------------------ */
/* Looking at bytes in place.                                          */

int
evbuffer_peek(struct evbuffer *buffer, ev_ssize_t len,
              struct evbuffer_ptr *start_at, struct evbuffer_iovec *vec_out,
              int n_vec)
{
    struct vg_chunk *c;
    size_t i, got = 0;
    int count = 0;

    if (buffer == NULL)
        return -1;
    if (vec_out == NULL || n_vec < 0)
        n_vec = 0;
    VG_BUF_LOCK(buffer);
    if (start_at != NULL) {
        if (ptr_load(buffer, start_at, &c, &i) < 0)
            goto done;
    } else {
        c = buffer->first;
        i = 0;
    }
    if (n_vec > 0 && buffer->n_unmapped > 0 &&
        vg_evbuffer_map_all(buffer) < 0) {
        count = -1;
        goto done;
    }
    if (c != NULL && i == c->off) {
        c = c->next;
        i = 0;
    }
    while (c != NULL && c->off > 0) {
        if (len >= 0 && got >= (size_t)len)
            break;
        if (len < 0 && n_vec > 0 && count == n_vec)
            break;
        if (count < n_vec) {
            vec_out[count].iov_base = VG_CHUNK_DATA(c) + i;
            vec_out[count].iov_len = c->off - i;
        }
        count++;
        got += c->off - i;
        i = 0;
        c = c->next;
    }
done:
    VG_BUF_UNLOCK(buffer);
    return count;
}

ev_ssize_t
evbuffer_copyout_from(struct evbuffer *buf, const struct evbuffer_ptr *pos,
                      void *data_out, size_t datlen)
{
    struct vg_chunk *c;
    size_t i, from = 0;
    ev_ssize_t n = -1;

    if (buf == NULL)
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_start)
        goto done;
    if (pos != NULL) {
        if (ptr_load(buf, pos, &c, &i) < 0)
            goto done;
        from = (size_t)pos->pos;
    } else {
        c = buf->first;
        i = 0;
    }
    if (datlen > buf->total_len - from)
        datlen = buf->total_len - from;
    if (datlen > 0 && data_out == NULL)
        goto done;
    if (datlen > 0 && buf->n_unmapped > 0 && vg_evbuffer_map_all(buf) < 0)
        goto done;
    n = (ev_ssize_t)vg_evbuffer_copy_from(c, i, data_out, datlen);
done:
    VG_BUF_UNLOCK(buf);
    return n;
}
