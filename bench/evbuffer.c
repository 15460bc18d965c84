/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evbuffer: the cost of evbuffer operations through libevent's public API
 * only, so that the same source builds against Vigil and against Debian's
 * libevent.  evbuffer_floor.c does the same work on one contiguous
 * growable buffer: the floor.  Each measurement prints one line,
 *
 *   evbuffer op=NAME size=BYTES iters=N ns_per_op=X
 *
 * with the median over the rounds of the nanoseconds per operation
 * (bench/run runs both side by side and compares).
 *
 *   usage: evbuffer [-r ROUNDS] [-w WARMUP] [-o OP] [-s SIZE] [-q]
 *
 * -o and -s pick one operation or size; -q does a quarter of the work.
 * The operations:
 *   add_drain       add SIZE bytes, drain them (the buffer empties)
 *   fifo            add SIZE bytes, remove SIZE bytes, 64 KiB kept queued
 *   readln          read one header-like line (~40 bytes, CRLF)
 *   search_far      search 1 MiB for a 16-byte needle at its very end
 *   search_hits     find every "\r\n\r\n" in 1 MiB, one every 128 bytes
 *   add_buffer      add SIZE bytes to a, move a into b, drain b
 *   remove_buffer   move SIZE bytes from a to b (and back: two moves)
 *   reserve_commit  reserve SIZE bytes, fill them, commit, drain
 *   prepend_frame   add a 512-byte payload, prepend an 8-byte header,
 *                   remove the frame
 *   printf          add "Content-Length: N\r\n" (drained every 64)
 *   sock_write      add 64 KiB, write it to a socket pair (read raw)
 *   sock_read       64 KiB written raw, read into the buffer, drained
 */
#include <event2/buffer.h>

#include "evbuffer-common.h"

/* ------------------------------------------------------------------ */
/* The measured loops.  Each returns nothing; the harness times it.    */

static BENCH_MEASURED void
timed_add_drain(struct evbuffer *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (evbuffer_add(b, data, size) != 0 || evbuffer_drain(b, size) != 0)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_fifo(struct evbuffer *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (evbuffer_add(b, data + (i & 1023), size) != 0 ||
            evbuffer_remove(b, sink, size) != (int)size)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_readln(struct evbuffer *b, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        size_t n;
        char *line = evbuffer_readln(b, &n, EVBUFFER_EOL_CRLF);

        if (line == NULL)
            opt.failures++;
        free(line);
    }
}

static BENCH_MEASURED void
timed_search_far(struct evbuffer *b, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        struct evbuffer_ptr p =
            evbuffer_search(b, needle, sizeof(needle) - 1, NULL);

        if (p.pos != TEXT_LEN - (ev_ssize_t)(sizeof(needle) - 1))
            opt.failures++;
    }
}

static BENCH_MEASURED long
timed_search_hits(struct evbuffer *b, long iters)
{
    long i, hits = 0;

    for (i = 0; i < iters; i++) {
        struct evbuffer_ptr p = evbuffer_search(b, "\r\n\r\n", 4, NULL);

        while (p.pos >= 0) {
            hits++;
            if (evbuffer_ptr_set(b, &p, 4, EVBUFFER_PTR_ADD) < 0)
                break;
            p = evbuffer_search(b, "\r\n\r\n", 4, &p);
        }
    }
    return hits;
}

static BENCH_MEASURED void
timed_add_buffer(struct evbuffer *a, struct evbuffer *b, size_t size,
                 long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (evbuffer_add(a, data, size) != 0 ||
            evbuffer_add_buffer(b, a) != 0 || evbuffer_drain(b, size) != 0)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_remove_buffer(struct evbuffer *a, struct evbuffer *b, size_t size,
                    long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (evbuffer_remove_buffer(a, b, size) != (int)size ||
            evbuffer_remove_buffer(b, a, size) != (int)size)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_reserve_commit(struct evbuffer *b, size_t size, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        struct evbuffer_iovec v[2];
        size_t done = 0;
        int n = evbuffer_reserve_space(b, (ev_ssize_t)size, v, 2);
        int k;

        if (n < 1) {
            opt.failures++;
            continue;
        }
        for (k = 0; k < n; k++) {
            size_t c = v[k].iov_len < size - done ? v[k].iov_len : size - done;

            memcpy(v[k].iov_base, data + done, c);
            v[k].iov_len = c;
            done += c;
        }
        if (evbuffer_commit_space(b, v, n) != 0 || evbuffer_drain(b, size) != 0)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_prepend_frame(struct evbuffer *b, long iters)
{
    static const char hdr[8] = {'F', 'R', 'A', 'M', 0, 0, 2, 0};
    long i;

    for (i = 0; i < iters; i++) {
        if (evbuffer_add(b, data, 512) != 0 ||
            evbuffer_prepend(b, hdr, sizeof(hdr)) != 0 ||
            evbuffer_remove(b, sink, 520) != 520)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_printf(struct evbuffer *b, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (evbuffer_add_printf(b, "%s: %ld\r\n", "Content-Length", i) < 0)
            opt.failures++;
        if ((i & 63) == 63)
            evbuffer_drain(b, evbuffer_get_length(b));
    }
    evbuffer_drain(b, evbuffer_get_length(b));
}

static BENCH_MEASURED void
timed_sock_write(struct evbuffer *b, int w, int r, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        size_t got = 0;

        if (evbuffer_add(b, data, 65536) != 0)
            opt.failures++;
        while (evbuffer_get_length(b) > 0) {
            if (evbuffer_write(b, w) < 0)
                opt.failures++;
            got += drain_socket(r);
        }
        got += drain_socket(r);
        if (got != 65536)
            opt.failures++;
    }
}

static BENCH_MEASURED void
timed_sock_read(struct evbuffer *b, int w, int r, long iters)
{
    long i;

    for (i = 0; i < iters; i++) {
        if (write(w, data, 65536) != 65536)
            opt.failures++;
        while (evbuffer_get_length(b) < 65536) {
            if (evbuffer_read(b, r, -1) <= 0) {
                opt.failures++;
                break;
            }
        }
        evbuffer_drain(b, 65536);
    }
}

/* Runs one round of op: returns the nanoseconds per operation. */
static double
one_round(enum op op, size_t size, long iters)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
    int sv[2] = {-1, -1};
    int64_t t0 = 0, t1 = 0;
    long count = iters;

    if (a == NULL || b == NULL) {
        fprintf(stderr, "evbuffer_new failed\n");
        exit(1);
    }
    switch (op) {
    case OP_ADD_DRAIN:
        t0 = bench_now_ns();
        timed_add_drain(a, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_FIFO:
        evbuffer_add(a, data, 65536);
        t0 = bench_now_ns();
        timed_fifo(a, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_READLN: {
        long done = 0;
        int64_t spent = 0;

        while (done < iters) {
            long batch =
                iters - done < LINES_PER_BATCH ? iters - done : LINES_PER_BATCH;

            evbuffer_add(a, lines, lines_len);
            t0 = bench_now_ns();
            timed_readln(a, batch);
            spent += bench_now_ns() - t0;
            evbuffer_drain(a, evbuffer_get_length(a));
            done += batch;
        }
        t0 = 0;
        t1 = spent;
        break;
    }
    case OP_SEARCH_FAR: {
        size_t off;

        for (off = 0; off < TEXT_LEN; off += 4096)
            evbuffer_add(a, text_far + off, 4096);
        t0 = bench_now_ns();
        timed_search_far(a, iters);
        t1 = bench_now_ns();
        break;
    }
    case OP_SEARCH_HITS: {
        size_t off;

        for (off = 0; off < TEXT_LEN; off += 4096)
            evbuffer_add(a, text_hits + off, 4096);
        t0 = bench_now_ns();
        count = timed_search_hits(a, iters);
        t1 = bench_now_ns();
        if (count != iters * (TEXT_LEN / 128))
            opt.failures++;
        break;
    }
    case OP_ADD_BUFFER:
        t0 = bench_now_ns();
        timed_add_buffer(a, b, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_REMOVE_BUFFER:
        evbuffer_add(a, data, size * 4);
        t0 = bench_now_ns();
        timed_remove_buffer(a, b, size, iters);
        t1 = bench_now_ns();
        count = 2 * iters;
        break;
    case OP_RESERVE_COMMIT:
        t0 = bench_now_ns();
        timed_reserve_commit(a, size, iters);
        t1 = bench_now_ns();
        break;
    case OP_PREPEND_FRAME:
        t0 = bench_now_ns();
        timed_prepend_frame(a, iters);
        t1 = bench_now_ns();
        break;
    case OP_PRINTF:
        t0 = bench_now_ns();
        timed_printf(a, iters);
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
            timed_sock_write(a, sv[0], sv[1], iters);
        else
            timed_sock_read(a, sv[0], sv[1], iters);
        t1 = bench_now_ns();
        close(sv[0]);
        close(sv[1]);
        break;
    }
    }
    evbuffer_free(a);
    evbuffer_free(b);
    return (double)(t1 - t0) / (double)(count > 0 ? count : 1);
}
