/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evbuffer_floor: the work of bench/evbuffer.c done on one contiguous
 * growable buffer (head and tail offsets into one allocation, data moved
 * to the front only when the space runs out, 64 bytes of headroom kept in
 * front for prepends), with memchr, memmem, read and write called
 * directly.  It is the floor the evbuffer is measured against.  Same
 * options, same output lines.
 */
#include "evbuffer-common.h"

#define HEADROOM 64

/* The contiguous buffer. */
struct cbuf {
    unsigned char *d;
    size_t head, tail, cap;
};

static void
cb_init(struct cbuf *b)
{
    b->cap = 4096;
    b->d = bench_calloc(b->cap, 1);
    b->head = b->tail = HEADROOM;
}

static void
cb_free(struct cbuf *b)
{
    free(b->d);
}

static inline size_t
cb_len(const struct cbuf *b)
{
    return b->tail - b->head;
}

/* Makes room for n more bytes at the tail. */
static void
cb_room(struct cbuf *b, size_t n)
{
    size_t len = cb_len(b);

    if (b->tail + n <= b->cap)
        return;
    if (len + n + HEADROOM <= b->cap) {
        memmove(b->d + HEADROOM, b->d + b->head, len);
    } else {
        size_t cap = b->cap * 2;
        unsigned char *d;

        while (cap < len + n + HEADROOM)
            cap *= 2;
        d = malloc(cap);
        if (d == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        memcpy(d + HEADROOM, b->d + b->head, len);
        free(b->d);
        b->d = d;
        b->cap = cap;
    }
    b->head = HEADROOM;
    b->tail = HEADROOM + len;
}

static inline void
cb_add(struct cbuf *b, const void *p, size_t n)
{
    if (b->tail + n > b->cap)
        cb_room(b, n);
    memcpy(b->d + b->tail, p, n);
    b->tail += n;
}

static inline void
cb_drain(struct cbuf *b, size_t n)
{
    b->head += n;
    if (b->head >= b->tail)
        b->head = b->tail = HEADROOM;
}

static inline void
cb_prepend(struct cbuf *b, const void *p, size_t n)
{
    if (b->head < n) {
        size_t len = cb_len(b);

        cb_room(b, n);
        memmove(b->d + b->head + n, b->d + b->head, len);
        b->tail += n;
    } else {
        b->head -= n;
    }
    memcpy(b->d + b->head, p, n);
}

/* ------------------------------------------------------------------ */
/* The measured loops, as in bench/evbuffer.c.                         */

static BENCH_MEASURED void
timed_add_drain(struct cbuf *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        cb_add(b, data, size);
        cb_drain(b, size);
    }
}

static BENCH_MEASURED void
timed_fifo(struct cbuf *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        cb_add(b, data + (i & 1023), size);
        memcpy(sink, b->d + b->head, size);
        cb_drain(b, size);
    }
}

static BENCH_MEASURED void
timed_readln(struct cbuf *b, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        unsigned char *s = b->d + b->head;
        unsigned char *lf = memchr(s, '\n', cb_len(b));
        size_t n, eol = 1;
        char *line;

        if (lf == NULL) {
            opt.failures++;
            break;
        }
        n = (size_t)(lf - s);
        if (n > 0 && s[n - 1] == '\r') {
            n--;
            eol = 2;
        }
        line = malloc(n + 1);
        memcpy(line, s, n);
        line[n] = '\0';
        cb_drain(b, n + eol);
        free(line);
    }
}

static BENCH_MEASURED void
timed_search_far(struct cbuf *b, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        unsigned char *p =
            memmem(b->d + b->head, cb_len(b), needle, sizeof(needle) - 1);

        if (p == NULL ||
            p - (b->d + b->head) != TEXT_LEN - (ptrdiff_t)(sizeof(needle) - 1))
            opt.failures++;
    }
}

static BENCH_MEASURED long
timed_search_hits(struct cbuf *b, long iters)
{
    long i, hits = 0;

    for (i = 0; i < iters; i++) {
        unsigned char *s = b->d + b->head, *end = b->d + b->tail;
        unsigned char *p = memmem(s, (size_t)(end - s), "\r\n\r\n", 4);

        while (p != NULL) {
            hits++;
            p += 4;
            p = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        }
    }
    return hits;
}

static BENCH_MEASURED void
timed_add_buffer(struct cbuf *a, struct cbuf *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        cb_add(a, data, size);
        cb_add(b, a->d + a->head, cb_len(a));
        cb_drain(a, cb_len(a));
        cb_drain(b, size);
    }
}

static BENCH_MEASURED void
timed_remove_buffer(struct cbuf *a, struct cbuf *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        cb_add(b, a->d + a->head, size);
        cb_drain(a, size);
        cb_add(a, b->d + b->head, size);
        cb_drain(b, size);
    }
}

static BENCH_MEASURED void
timed_reserve_commit(struct cbuf *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        cb_room(b, size);
        memcpy(b->d + b->tail, data, size);
        b->tail += size;
        cb_drain(b, size);
    }
}

static BENCH_MEASURED void
timed_prepend_frame(struct cbuf *b, long iters)
{
    static const char hdr[8] = {'F', 'R', 'A', 'M', 0, 0, 2, 0};
    long i;

    for (i = 0; i < iters; i++) {
        cb_add(b, data, 512);
        cb_prepend(b, hdr, sizeof(hdr));
        memcpy(sink, b->d + b->head, 520);
        cb_drain(b, 520);
    }
}

static BENCH_MEASURED void
timed_printf(struct cbuf *b, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        int n;

        cb_room(b, 64);
        n = snprintf((char *)b->d + b->tail, b->cap - b->tail, "%s: %ld\r\n",
                     "Content-Length", i);
        if (n < 0 || (size_t)n >= b->cap - b->tail)
            opt.failures++;
        else
            b->tail += (size_t)n;
        if ((i & 63) == 63)
            cb_drain(b, cb_len(b));
    }
    cb_drain(b, cb_len(b));
}

static BENCH_MEASURED void
timed_sock_write(struct cbuf *b, int w, int r, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        size_t got = 0;

        cb_add(b, data, 65536);
        while (cb_len(b) > 0) {
            ssize_t n = write(w, b->d + b->head, cb_len(b));

            if (n < 0)
                opt.failures++;
            else
                cb_drain(b, (size_t)n);
            got += drain_socket(r);
        }
        got += drain_socket(r);
        if (got != 65536)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_sock_read(struct cbuf *b, int w, int r, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (write(w, data, 65536) != 65536)
            opt.failures++;
        while (cb_len(b) < 65536) {
            ssize_t n;

            cb_room(b, 65536);
            n = read(r, b->d + b->tail, b->cap - b->tail);
            if (n <= 0) {
                opt.failures++;
                break;
            }
            b->tail += (size_t)n;
        }
        cb_drain(b, 65536);
    }
}
/* Runs one round of op: returns the nanoseconds per operation. */
static double
one_round(enum op op, size_t size, long iters)
{
    struct cbuf a, b;
    int sv[2] = {-1, -1};
    int64_t t0 = 0, t1 = 0;
    long count = iters;

    cb_init(&a);
    cb_init(&b);
    switch (op) {
    case OP_ADD_DRAIN:
        t0 = bench_now_ns();
        timed_add_drain(&a, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_FIFO:
        cb_add(&a, data, 65536);
        t0 = bench_now_ns();
        timed_fifo(&a, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_READLN: {
        long done = 0;
        int64_t spent = 0;

        while (done < iters) {
            long batch =
                iters - done < LINES_PER_BATCH ? iters - done : LINES_PER_BATCH;

            cb_add(&a, lines, lines_len);
            t0 = bench_now_ns();
            timed_readln(&a, batch);
            spent += bench_now_ns() - t0;
            cb_drain(&a, cb_len(&a));
            done += batch;
        }
        t0 = 0;
        t1 = spent;
        break;
    }
    case OP_SEARCH_FAR: {
        size_t off;

        for (off = 0; off < TEXT_LEN; off += 4096)
            cb_add(&a, text_far + off, 4096);
        t0 = bench_now_ns();
        timed_search_far(&a, iters);
        t1 = bench_now_ns();
        break;
    }
    case OP_SEARCH_HITS: {
        size_t off;

        for (off = 0; off < TEXT_LEN; off += 4096)
            cb_add(&a, text_hits + off, 4096);
        t0 = bench_now_ns();
        count = timed_search_hits(&a, iters);
        t1 = bench_now_ns();
        if (count != iters * (TEXT_LEN / 128))
            opt.failures++;
        break;
    }
    case OP_ADD_BUFFER:
        t0 = bench_now_ns();
        timed_add_buffer(&a, &b, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_REMOVE_BUFFER:
        cb_add(&a, data, size * 4);
        t0 = bench_now_ns();
        timed_remove_buffer(&a, &b, size, iters);
        t1 = bench_now_ns();
        count = 2 * iters;
        break;
    case OP_RESERVE_COMMIT:
        t0 = bench_now_ns();
        timed_reserve_commit(&a, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_PREPEND_FRAME:
        t0 = bench_now_ns();
        timed_prepend_frame(&a, iters);
        t1 = bench_now_ns();
        break;
    case OP_PRINTF:
        t0 = bench_now_ns();
        timed_printf(&a, iters);
        t1 = bench_now_ns();
        break;
    case OP_SOCK_WRITE:
    case OP_SOCK_READ: {
        int sz = 1 << 20;

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
            perror("socketpair");
            exit(1);
        }
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        fcntl(sv[1], F_SETFL, O_NONBLOCK);
        t0 = bench_now_ns();
        if (op == OP_SOCK_WRITE)
            timed_sock_write(&a, sv[0], sv[1], iters);
        else
            timed_sock_read(&a, sv[0], sv[1], iters);
        t1 = bench_now_ns();
        close(sv[0]);
        close(sv[1]);
        break;
    }
    }
    cb_free(&a);
    cb_free(&b);
    return (double)(t1 - t0) / (double)(count > 0 ? count : 1);
}
