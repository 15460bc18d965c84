/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evbuffer_ops.c: fuzz target for the evbuffer.  The input is a program:
 * each operation is a byte choosing the operation and buffer, followed by
 * its arguments.  It runs on two evbuffers and, side by side, on two plain
 * flat arrays (the model), and every result is checked against the model:
 * return values, bytes copied or pulled up, search and end-of-line
 * positions, lines read, peeked extents, what the callbacks report,
 * frozen ends, and that every reference's cleanup runs exactly once.
 * File segments (mapped, read, or left to sendfile) and writing to and
 * reading from a pipe are operations too; every segment's cleanup must run
 * exactly once, and no descriptor may leak.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <event2/buffer.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-check.h"

/* The most a model may hold; adds beyond it are skipped. */
#define MODEL_MAX (1u << 18)
#define POOL_SIZE 65536
#define MAX_REFS 512

struct model {
    unsigned char *d;
    size_t len;
    size_t cap;
    int frozen_front;
    int frozen_back;
    /* What the callback reported: the running length. */
    size_t cb_len;
    int cb_bad;
};

static unsigned char pool[POOL_SIZE];
static unsigned char scratch[MODEL_MAX + 16];
static int ref_cleanups[MAX_REFS];

/* A file holding the pool, and a non-blocking pipe (made once). */
static int pool_fd = -1;
static int pipe_fd[2] = {-1, -1};
#define NSEGS 4
/* Each segment starts this far into the file. */
#define SEG_START(i) ((size_t)(i)*1000)
static const unsigned seg_flags[NSEGS] = {
    0, EVBUF_FS_DISABLE_MMAP, EVBUF_FS_DISABLE_SENDFILE,
    EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_SENDFILE |
        EVBUF_FS_DISABLE_LOCKING};
static int seg_cleanups[NSEGS];

/* The input, read as a stream of arguments (zeros once exhausted). */
struct input {
    const uint8_t *p;
    size_t left;
};

static unsigned
get8(struct input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static unsigned
get16(struct input *in)
{
    unsigned v = get8(in);

    return v | (get8(in) << 8);
}

/* A length: mostly small, sometimes large. */
static size_t
get_len(struct input *in)
{
    unsigned sel = get8(in);

    switch (sel & 3) {
    case 0:
        return sel >> 2; /* 0..63 */
    case 1:
        return get8(in) + ((size_t)(sel >> 2) << 8); /* < 16 KiB */
    case 2:
        return get16(in) % 8192; /* < 8 KiB */
    default:
        return get16(in); /* < 64 KiB */
    }
}

/* len bytes of source data: from the input when it has them, else from
 * the pool (repeated as needed, into scratch). */
static const unsigned char *
get_bytes(struct input *in, size_t len, int from_input)
{
    size_t off, i;

    if (from_input && len <= in->left && len <= 64) {
        const unsigned char *p = in->p;

        in->p += len;
        in->left -= len;
        return p;
    }
    off = get16(in) % POOL_SIZE;
    if (off + len <= POOL_SIZE)
        return pool + off;
    for (i = 0; i < len;) {
        size_t k = POOL_SIZE - off < len - i ? POOL_SIZE - off : len - i;

        memcpy(scratch + i, pool + off, k);
        i += k;
        off = 0;
    }
    return scratch;
}

static void
model_insert(struct model *m, size_t at, const void *src, size_t len)
{
    if (m->len + len > m->cap) {
        size_t cap = m->cap * 2;

        while (cap < m->len + len)
            cap *= 2;
        m->d = realloc(m->d, cap);
        CHECK(m->d != NULL);
        m->cap = cap;
    }
    memmove(m->d + at + len, m->d + at, m->len - at);
    memcpy(m->d + at, src, len);
    m->len += len;
}

static void
model_cut(struct model *m, size_t len)
{
    if (len > m->len)
        len = m->len;
    memmove(m->d, m->d + len, m->len - len);
    m->len -= len;
}

static void
check_same(struct evbuffer *b, const struct model *m)
{
    CHECK(evbuffer_get_length(b) == m->len);
    if (m->frozen_front) {
        /* copyout refuses; peek instead. */
        struct evbuffer_iovec v[64];
        int n = evbuffer_peek(b, -1, NULL, v, 64);
        size_t off = 0;
        int i;

        CHECK(n >= 0);
        for (i = 0; i < n && i < 64; i++) {
            CHECK(off + v[i].iov_len <= m->len);
            CHECK(memcmp(v[i].iov_base, m->d + off, v[i].iov_len) == 0);
            off += v[i].iov_len;
        }
        return;
    }
    CHECK(evbuffer_copyout(b, scratch, m->len + 1) == (ev_ssize_t)m->len);
    CHECK(m->len == 0 || memcmp(scratch, m->d, m->len) == 0);
}

static void
length_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
    struct model *m = arg;

    if (info->orig_size != m->cb_len)
        m->cb_bad = 1;
    m->cb_len = info->orig_size + info->n_added - info->n_deleted;
    if (m->cb_len != evbuffer_get_length(b))
        m->cb_bad = 1;
}

static void
ref_cleanup(const void *data, size_t len, void *arg)
{
    int *count = arg;

    (void)data;
    (void)len;
    (*count)++;
}

/* The reference search, on the flat model: first occurrence in
 * [from, end), or -1.  (libc's memmem and memchr, uninstrumented, keep
 * the model cheap next to the code under test.) */
static ev_ssize_t
naive_find(const struct model *m, size_t from, size_t end,
           const unsigned char *n, size_t nl)
{
    const unsigned char *p;

    if (end > m->len)
        end = m->len;
    if (nl == 0)
        return from <= end ? (ev_ssize_t)from : -1;
    if (from > end)
        return -1;
    p = memmem(m->d + from, end - from, n, nl);
    return p != NULL ? (ev_ssize_t)(p - m->d) : -1;
}

/* The first end of line of a style at or after from (its length in
 * *el), or -1. */
static ev_ssize_t
naive_eol(const struct model *m, size_t from, int style, size_t *el)
{
    const unsigned char *t = m->d + from;
    size_t len = m->len - from;
    const unsigned char *lf = memchr(t, '\n', len);
    const unsigned char *crlf = memmem(t, len, "\r\n", 2);
    const unsigned char *p = NULL;

    *el = 1;
    switch (style) {
    case EVBUFFER_EOL_ANY: {
        const unsigned char *cr = memchr(t, '\r', len);
        const unsigned char *e;

        p = cr != NULL && (lf == NULL || cr < lf) ? cr : lf;
        if (p == NULL)
            break;
        for (e = p; e < t + len && (*e == '\r' || *e == '\n'); e++)
            ;
        *el = (size_t)(e - p);
        break;
    }
    case EVBUFFER_EOL_CRLF:
        /* The earlier of an LF and a CR LF. */
        p = lf;
        if (crlf != NULL && crlf + 1 == lf) {
            p = crlf;
            *el = 2;
        }
        break;
    case EVBUFFER_EOL_CRLF_STRICT:
        p = crlf;
        *el = 2;
        break;
    case EVBUFFER_EOL_LF:
        p = lf;
        break;
    default:
        p = memchr(t, '\0', len);
        break;
    }
    if (p == NULL) {
        *el = 0;
        return -1;
    }
    return (ev_ssize_t)(from + (size_t)(p - t));
}

/* A needle: a piece of the model (so that it is found), or bytes from the
 * input. */
static const unsigned char *
get_needle(struct input *in, const struct model *m, size_t *nl)
{
    unsigned sel = get8(in);
    size_t len = sel % 24;

    if ((sel & 0x80) && m->len > 0) {
        size_t at = get16(in) % m->len;

        if (len > m->len - at)
            len = m->len - at;
        *nl = len;
        return m->d + at;
    }
    *nl = len;
    return get_bytes(in, len, 1);
}

static void
seg_cleanup(struct evbuffer_file_segment const *seg, int flags, void *arg)
{
    int *count = arg;

    (void)seg;
    (void)flags;
    (*count)++;
}

/* The descriptors open now (to tell a leak). */
static int
count_open_fds(void)
{
    int fd, n = 0;

    for (fd = 0; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            n++;
    }
    return n;
}

/* Reads everything the pipe holds into out (at most cap bytes; the rest
 * is read and dropped); returns how many bytes it held. */
static size_t
pipe_take(unsigned char *out, size_t cap)
{
    size_t got = 0;
    unsigned char junk[4096];

    for (;;) {
        ssize_t r;

        if (got < cap)
            r = read(pipe_fd[0], out + got, cap - got);
        else
            r = read(pipe_fd[0], junk, sizeof(junk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static void
setup_files(void)
{
    size_t done = 0;

    if (pool_fd >= 0)
        return;
    pool_fd = memfd_create("evbuffer_ops", MFD_CLOEXEC);
    CHECK(pool_fd >= 0);
    while (done < POOL_SIZE) {
        ssize_t w = write(pool_fd, pool + done, POOL_SIZE - done);

        CHECK(w > 0);
        done += (size_t)w;
    }
    CHECK(pipe2(pipe_fd, O_NONBLOCK | O_CLOEXEC) == 0);
}

/* The I/O operations (op numbers 240 to 255). */
static void
io_op(unsigned which, struct input *in, struct evbuffer *b, struct model *m,
      struct evbuffer_file_segment **segs, int *fds_used)
{
    switch (which) {
    case 0: { /* the buffer drains to a descriptor, or not */
        if (get8(in) & 1)
            CHECK(evbuffer_set_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD) == 0);
        else
            CHECK(evbuffer_clear_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD) == 0);
        break;
    }
    case 1:
    case 2: { /* add_file_segment */
        unsigned k = get8(in) % NSEGS;
        size_t seg_len = POOL_SIZE - SEG_START(k);
        size_t off = get16(in) % (seg_len + 1);
        size_t len = get_len(in);
        int whole = (get8(in) & 3) == 0;
        int rc;

        if (whole)
            len = seg_len - off;
        if (m->len + (len < seg_len ? len : seg_len) > MODEL_MAX)
            break;
        rc = evbuffer_add_file_segment(b, segs[k], (ev_off_t)off,
                                       whole ? -1 : (ev_off_t)len);
        if (len > seg_len - off || m->frozen_back) {
            CHECK(rc == -1);
            break;
        }
        CHECK(rc == 0);
        model_insert(m, m->len, pool + SEG_START(k) + off, len);
        break;
    }
    case 3:
    case 4: { /* write_atmost to the pipe, read back */
        size_t len = get_len(in);
        ev_ssize_t howmuch = (get8(in) & 1) ? -1 : (ev_ssize_t)len;
        size_t want = howmuch < 0 || (size_t)howmuch > m->len ? m->len : len;
        int n = evbuffer_write_atmost(b, pipe_fd[1], howmuch);
        size_t got;

        if (m->frozen_front) {
            CHECK(n == -1);
            break;
        }
        if (want == 0) {
            CHECK(n <= 0);
            break;
        }
        CHECK(n > 0 && (size_t)n <= want);
        got = pipe_take(scratch, sizeof(scratch));
        CHECK(got == (size_t)n);
        CHECK(memcmp(scratch, m->d, got) == 0);
        model_cut(m, got);
        break;
    }
    case 5:
    case 6: { /* bytes into the pipe, evbuffer_read */
        size_t k = get_len(in) % 65536;
        size_t start = get16(in) % POOL_SIZE;
        size_t put = 0;
        int howmuch = (int)get_len(in);
        int n;

        if (get8(in) & 1)
            howmuch = -1;
        if (start + k > POOL_SIZE)
            k = POOL_SIZE - start;
        if (m->len + k > MODEL_MAX)
            break;
        while (put < k) {
            ssize_t w = write(pipe_fd[1], pool + start + put, k - put);

            if (w <= 0)
                break;
            put += (size_t)w;
        }
        n = evbuffer_read(b, pipe_fd[0], howmuch);
        if (m->frozen_back) {
            CHECK(n == -1);
        } else if (howmuch == 0) {
            CHECK(n == 0);
        } else if (put == 0) {
            CHECK(n == -1); /* EAGAIN */
        } else {
            CHECK(n > 0 && (size_t)n <= put);
            CHECK(howmuch < 0 || n <= howmuch);
            model_insert(m, m->len, pool + start, (size_t)n);
        }
        pipe_take(scratch, 0);
        break;
    }
    default: { /* evbuffer_add_file on a descriptor of its own */
        size_t off = get16(in) % (POOL_SIZE + 1);
        size_t len = get_len(in);
        int whole = (get8(in) & 3) == 0;
        int fd, rc;

        if (whole)
            len = POOL_SIZE - off;
        if (m->len + (len < POOL_SIZE ? len : POOL_SIZE) > MODEL_MAX)
            break;
        fd = dup(pool_fd);
        CHECK(fd >= 0);
        *fds_used = 1;
        rc =
            evbuffer_add_file(b, fd, (ev_off_t)off, whole ? -1 : (ev_off_t)len);
        if (len > POOL_SIZE - off || m->frozen_back) {
            CHECK(rc == -1);
            close(fd); /* still ours */
            break;
        }
        CHECK(rc == 0);
        model_insert(m, m->len, pool + off, len);
        break;
    }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct evbuffer *buf[2];
    struct evbuffer_file_segment *segs[NSEGS];
    struct model mod[2];
    int fds_used = 0;
    int fds_before;
    struct input in = {data, size};
    int nrefs = 0;
    int steps = 0;
    int i;

    if (pool[1] == 0) {
        for (i = 0; i < POOL_SIZE; i++) {
            /* Text-like bytes with line ends now and then. */
            uint32_t x = (uint32_t)i * 2654435761u;

            pool[i] = (unsigned char)("abcdefgh\r\n\0xyzAB"[(x >> 24) % 17]);
        }
    }
    memset(ref_cleanups, 0, sizeof(ref_cleanups));
    setup_files();
    fds_before = count_open_fds();
    for (i = 0; i < NSEGS; i++) {
        segs[i] = evbuffer_file_segment_new(
            pool_fd, (ev_off_t)SEG_START(i),
            (ev_off_t)(POOL_SIZE - SEG_START(i)), seg_flags[i]);
        CHECK(segs[i] != NULL);
        seg_cleanups[i] = 0;
        evbuffer_file_segment_add_cleanup_cb(segs[i], seg_cleanup,
                                             &seg_cleanups[i]);
    }
    for (i = 0; i < 2; i++) {
        buf[i] = evbuffer_new();
        CHECK(buf[i] != NULL);
        memset(&mod[i], 0, sizeof(mod[i]));
        mod[i].cap = 4096;
        mod[i].d = malloc(mod[i].cap);
        CHECK(mod[i].d != NULL);
        CHECK(evbuffer_add_cb(buf[i], length_cb, &mod[i]) != NULL);
    }

    while (in.left > 0 && steps++ < 400) {
        unsigned op = get8(&in);
        int w = op & 1; /* which buffer */
        struct evbuffer *b = buf[w], *o = buf[!w];
        struct model *m = &mod[w], *mo = &mod[!w];

        if (op >= 240) {
            io_op((op >> 1) - 120, &in, b, m, segs, &fds_used);
            goto after;
        }
        switch ((op >> 1) % 24) {
        case 0:
        case 1: { /* add */
            size_t len = get_len(&in);
            const unsigned char *src = get_bytes(&in, len, 1);
            int rc;

            if (m->len + len > MODEL_MAX)
                break;
            rc = evbuffer_add(b, src, len);
            CHECK(rc == (m->frozen_back ? -1 : 0));
            if (rc == 0)
                model_insert(m, m->len, src, len);
            break;
        }
        case 2: { /* prepend */
            size_t len = get_len(&in);
            const unsigned char *src = get_bytes(&in, len, 1);
            int rc;

            if (m->len + len > MODEL_MAX)
                break;
            rc = evbuffer_prepend(b, src, len);
            CHECK(rc == (m->frozen_front ? -1 : 0));
            if (rc == 0)
                model_insert(m, 0, src, len);
            break;
        }
        case 3: { /* drain */
            size_t len = get_len(&in);
            int rc = evbuffer_drain(b, len);

            CHECK(rc == (m->frozen_front ? -1 : 0));
            if (rc == 0)
                model_cut(m, len);
            break;
        }
        case 4: { /* remove */
            size_t len = get_len(&in);
            size_t want = len < m->len ? len : m->len;
            int rc = evbuffer_remove(b, scratch, len);

            if (m->frozen_front) {
                CHECK(rc == -1);
                break;
            }
            CHECK(rc == (int)want);
            CHECK(want == 0 || memcmp(scratch, m->d, want) == 0);
            model_cut(m, want);
            break;
        }
        case 5: { /* copyout_from */
            size_t at = m->len ? get16(&in) % (m->len + 1) : 0;
            size_t len = get_len(&in);
            struct evbuffer_ptr p;
            ev_ssize_t n;

            CHECK(evbuffer_ptr_set(b, &p, at, EVBUFFER_PTR_SET) == 0);
            n = evbuffer_copyout_from(b, &p, scratch, len);
            if (m->frozen_front) {
                CHECK(n == -1);
                break;
            }
            if (len > m->len - at)
                len = m->len - at;
            CHECK(n == (ev_ssize_t)len);
            CHECK(len == 0 || memcmp(scratch, m->d + at, len) == 0);
            break;
        }
        case 6: { /* add_buffer(b, o) */
            int rc;
            int fails = mo->len > 0 && (mo->frozen_front || m->frozen_back);

            if (m->len + mo->len > MODEL_MAX)
                break;
            rc = evbuffer_add_buffer(b, o);
            CHECK(rc == (fails ? -1 : 0));
            if (rc == 0) {
                model_insert(m, m->len, mo->d, mo->len);
                mo->len = 0;
            }
            break;
        }
        case 7: { /* remove_buffer(b, o, len) */
            size_t len = get_len(&in);
            size_t want = len < m->len ? len : m->len;
            int rc;

            if (mo->len + want > MODEL_MAX)
                break;
            rc = evbuffer_remove_buffer(b, o, len);
            if (m->frozen_front || mo->frozen_back) {
                CHECK(rc == -1);
                break;
            }
            CHECK(rc == (int)want);
            model_insert(mo, mo->len, m->d, want);
            model_cut(m, want);
            break;
        }
        case 8: { /* prepend_buffer(b, o) */
            int rc;
            int fails = mo->len > 0 && (mo->frozen_front || m->frozen_front);

            if (m->len + mo->len > MODEL_MAX)
                break;
            rc = evbuffer_prepend_buffer(b, o);
            CHECK(rc == (fails ? -1 : 0));
            if (rc == 0) {
                model_insert(m, 0, mo->d, mo->len);
                mo->len = 0;
            }
            break;
        }
        case 9: { /* pullup */
            size_t len = get_len(&in);
            unsigned char *p;

            if (get8(&in) & 1)
                len = (size_t)-1;
            p = evbuffer_pullup(b, (ev_ssize_t)len);
            if (len == (size_t)-1)
                len = m->len;
            if (len == 0 || len > m->len) {
                CHECK(p == NULL);
            } else {
                CHECK(p != NULL);
                CHECK(memcmp(p, m->d, len) == 0);
                CHECK(evbuffer_get_contiguous_space(b) >= len);
            }
            break;
        }
        case 10: { /* reserve and commit */
            size_t len = get_len(&in);
            unsigned sel = get8(&in);
            int nvec = (sel & 1) + 1;
            struct evbuffer_iovec v[2];
            size_t commit = sel & 2 ? len : len / 2, done = 0;
            const unsigned char *src;
            int n, k;

            if (m->len + len > MODEL_MAX)
                break;
            n = evbuffer_reserve_space(b, (ev_ssize_t)len, v, nvec);
            if (m->frozen_back) {
                CHECK(n == -1);
                break;
            }
            if (len == 0) {
                CHECK(n == 0);
                break;
            }
            CHECK(n >= 1 && n <= nvec);
            src = get_bytes(&in, commit, 0);
            for (k = 0; k < n; k++) {
                size_t c =
                    v[k].iov_len < commit - done ? v[k].iov_len : commit - done;

                memcpy(v[k].iov_base, src + done, c);
                v[k].iov_len = c;
                done += c;
            }
            CHECK(done == commit);
            CHECK(evbuffer_commit_space(b, v, n) == 0);
            model_insert(m, m->len, src, commit);
            /* The same extents cannot be committed again. */
            if (commit > 0)
                CHECK(evbuffer_commit_space(b, v, n) == -1);
            break;
        }
        case 11: { /* add_reference */
            size_t len = get_len(&in);
            const unsigned char *src;
            int rc;

            if (m->len + len > MODEL_MAX || nrefs >= MAX_REFS)
                break;
            src = get_bytes(&in, len > 64 ? len : 65, 0);
            if (src == scratch)
                break; /* must stay valid: only the pool */
            rc = evbuffer_add_reference(b, src, len, ref_cleanup,
                                        &ref_cleanups[nrefs]);
            if (m->frozen_back) {
                CHECK(rc == -1);
                break;
            }
            CHECK(rc == 0);
            nrefs++;
            model_insert(m, m->len, src, len);
            break;
        }
        case 12: { /* add_buffer_reference(b, o) */
            int rc;

            if (m->len + mo->len > MODEL_MAX)
                break;
            rc = evbuffer_add_buffer_reference(b, o);
            /* Refused for sources holding views; otherwise a copy. */
            if (m->frozen_back && mo->len > 0)
                CHECK(rc == -1);
            if (rc == 0)
                model_insert(m, m->len, mo->d, mo->len);
            break;
        }
        case 13:
        case 14: { /* search, search_range */
            size_t nl, from, end;
            const unsigned char *n = get_needle(&in, m, &nl);
            struct evbuffer_ptr s, e, r;
            ev_ssize_t want;

            from = m->len ? get16(&in) % (m->len + 1) : 0;
            end = m->len ? get16(&in) % (m->len + 1) : 0;
            CHECK(evbuffer_ptr_set(b, &s, from, EVBUFFER_PTR_SET) == 0);
            if (((op >> 1) % 24) == 13) {
                r = evbuffer_search(b, (const char *)n, nl, &s);
                want = naive_find(m, from, m->len, n, nl);
            } else {
                CHECK(evbuffer_ptr_set(b, &e, end, EVBUFFER_PTR_SET) == 0);
                r = evbuffer_search_range(b, (const char *)n, nl, &s, &e);
                want = end < from ? -1 : naive_find(m, from, end, n, nl);
            }
            CHECK(r.pos == want);
            if (r.pos >= 0 && !m->frozen_front && nl > 0) {
                /* The result is a usable position. */
                CHECK(evbuffer_copyout_from(b, &r, scratch, nl) ==
                      (ev_ssize_t)nl);
                CHECK(memcmp(scratch, n, nl) == 0);
                if (evbuffer_ptr_set(b, &r, 1, EVBUFFER_PTR_ADD) == 0) {
                    r = evbuffer_search(b, (const char *)n, nl, &r);
                    CHECK(r.pos ==
                          naive_find(m, (size_t)want + 1, m->len, n, nl));
                }
            }
            break;
        }
        case 15: { /* search_eol */
            int style = (int)(get8(&in) % 5);
            size_t from = m->len ? get16(&in) % (m->len + 1) : 0;
            size_t el = 99, want_el;
            struct evbuffer_ptr s, r;
            ev_ssize_t want = naive_eol(m, from, style, &want_el);

            CHECK(evbuffer_ptr_set(b, &s, from, EVBUFFER_PTR_SET) == 0);
            r = evbuffer_search_eol(b, &s, &el, (enum evbuffer_eol_style)style);
            CHECK(r.pos == want);
            CHECK(el == want_el);
            break;
        }
        case 16: { /* readln */
            int style = (int)(get8(&in) % 5);
            size_t el, n = 99;
            ev_ssize_t want = naive_eol(m, 0, style, &el);
            char *line = evbuffer_readln(b, &n, (enum evbuffer_eol_style)style);

            if (m->frozen_front || want < 0) {
                CHECK(line == NULL);
                CHECK(n == 0);
                break;
            }
            CHECK(line != NULL);
            CHECK(n == (size_t)want);
            CHECK(memcmp(line, m->d, n) == 0);
            CHECK(line[n] == '\0');
            free(line);
            model_cut(m, n + el);
            break;
        }
        case 17: { /* peek */
            struct evbuffer_iovec v[8];
            size_t from = m->len ? get16(&in) % (m->len + 1) : 0;
            ev_ssize_t len = (get8(&in) & 1) ? -1 : (ev_ssize_t)get_len(&in);
            struct evbuffer_ptr s;
            size_t off = from;
            int n, k;

            CHECK(evbuffer_ptr_set(b, &s, from, EVBUFFER_PTR_SET) == 0);
            n = evbuffer_peek(b, len, &s, v, 8);
            CHECK(n >= 0);
            for (k = 0; k < n && k < 8; k++) {
                CHECK(v[k].iov_len > 0);
                CHECK(off + v[k].iov_len <= m->len);
                CHECK(memcmp(v[k].iov_base, m->d + off, v[k].iov_len) == 0);
                off += v[k].iov_len;
            }
            if (n <= 8) {
                if (len < 0)
                    CHECK(n == 8 || off == m->len);
                else
                    CHECK(off >= from + (size_t)len || off == m->len);
            }
            break;
        }
        case 18: { /* positions walked */
            size_t at = m->len ? get16(&in) % (m->len + 1) : 0;
            size_t step = get_len(&in);
            struct evbuffer_ptr p;
            int rc;

            CHECK(evbuffer_ptr_set(b, &p, at, EVBUFFER_PTR_SET) == 0);
            rc = evbuffer_ptr_set(b, &p, step, EVBUFFER_PTR_ADD);
            if (at + step > m->len) {
                CHECK(rc == -1 && p.pos == -1);
            } else {
                CHECK(rc == 0 && p.pos == (ev_ssize_t)(at + step));
                if (!m->frozen_front && at + step < m->len) {
                    CHECK(evbuffer_copyout_from(b, &p, scratch, 1) == 1);
                    CHECK(scratch[0] == m->d[at + step]);
                }
            }
            CHECK(evbuffer_ptr_set(b, &p, m->len + 1, EVBUFFER_PTR_SET) == -1);
            break;
        }
        case 19: { /* printf */
            size_t len = get_len(&in) % 5000;
            const unsigned char *src = get_bytes(&in, len, 1);
            char fmtd[16];
            int rc, k, nonul = 1;

            for (k = 0; (size_t)k < len; k++) {
                if (src[k] == 0) {
                    nonul = 0;
                    break;
                }
            }
            if (!nonul || m->len + len > MODEL_MAX)
                break;
            rc = evbuffer_add_printf(b, "%.*s", (int)len, (const char *)src);
            CHECK(rc == (m->frozen_back ? -1 : (int)len));
            if (rc >= 0)
                model_insert(m, m->len, src, len);
            (void)fmtd;
            break;
        }
        case 20: /* expand */
            CHECK(evbuffer_expand(b, get_len(&in)) == 0);
            break;
        case 21: { /* add_iovec */
            struct evbuffer_iovec v[3];
            size_t total = 0;
            int k;

            for (k = 0; k < 3; k++) {
                v[k].iov_len = get_len(&in) % 2000;
                v[k].iov_base =
                    (void *)(uintptr_t)get_bytes(&in, v[k].iov_len, 0);
                if (v[k].iov_base == scratch)
                    v[k].iov_base = pool, v[k].iov_len = 10;
                total += v[k].iov_len;
            }
            if (m->len + total > MODEL_MAX)
                break;
            CHECK(evbuffer_add_iovec(b, v, 3) == (m->frozen_back ? 0 : total));
            if (!m->frozen_back) {
                for (k = 0; k < 3; k++)
                    model_insert(m, m->len, v[k].iov_base, v[k].iov_len);
            }
            break;
        }
        case 22: { /* freeze or unfreeze an end */
            unsigned sel = get8(&in);
            int front = sel & 1;

            if (sel & 2)
                CHECK(evbuffer_freeze(b, front) == 0);
            else
                CHECK(evbuffer_unfreeze(b, front) == 0);
            if (front)
                m->frozen_front = (sel & 2) != 0;
            else
                m->frozen_back = (sel & 2) != 0;
            break;
        }
        default: /* full comparison */
            check_same(b, m);
            check_same(o, mo);
            break;
        }
    after:
        CHECK(evbuffer_get_length(buf[0]) == mod[0].len);
        CHECK(evbuffer_get_length(buf[1]) == mod[1].len);
        CHECK(!mod[0].cb_bad && !mod[1].cb_bad);
        CHECK(mod[0].cb_len == mod[0].len && mod[1].cb_len == mod[1].len);
    }

    for (i = 0; i < 2; i++) {
        check_same(buf[i], &mod[i]);
        evbuffer_free(buf[i]);
        free(mod[i].d);
    }
    /* Every segment released exactly once, when its last user went. */
    for (i = 0; i < NSEGS; i++) {
        CHECK(seg_cleanups[i] == 0);
        evbuffer_file_segment_free(segs[i]);
        CHECK(seg_cleanups[i] == 1);
    }
    if (fds_used)
        CHECK(count_open_fds() == fds_before);
    /* Every reference released exactly once. */
    for (i = 0; i < nrefs; i++)
        CHECK(ref_cleanups[i] == 1);
    return 0;
}
