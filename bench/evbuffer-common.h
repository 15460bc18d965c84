/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evbuffer-common.h: what bench/evbuffer.c (through the evbuffer API) and
 * bench/evbuffer_floor.c (one contiguous buffer: the floor) share: the
 * options, the inputs, the operations, and the harness that measures and
 * reports them.  Each program defines one_round(), which runs one round of
 * an operation and returns the nanoseconds per operation.
 */
#ifndef VIGIL_BENCH_EVBUFFER_COMMON_H
#define VIGIL_BENCH_EVBUFFER_COMMON_H

#include "bench-common.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#define TEXT_LEN (1 << 20)
#define LINES_PER_BATCH 2000

static struct {
    int rounds;
    int warmup;
    const char *only_op;
    long only_size;
    int quick;
    long failures;
} opt = {11, 1, NULL, -1, 0, 0};

static unsigned char *data; /* 1 MiB of bytes to add */
static unsigned char *sink; /* where removed bytes go */
static char *lines;         /* LINES_PER_BATCH header lines */
static size_t lines_len;
static char *text_far;  /* 1 MiB of text, needle at the end */
static char *text_hits; /* 1 MiB of text, "\r\n\r\n" every 128 */
static const char needle[] = "X-Needle-Token:!";

/* Reads what is waiting on fd into the sink. */
static size_t
drain_socket(int fd)
{
    size_t got = 0;
    ssize_t n;

    while ((n = read(fd, sink, 1 << 20)) > 0)
        got += (size_t)n;
    return got;
}

/* ------------------------------------------------------------------ */
/* The harness.                                                        */

enum op {
    OP_ADD_DRAIN,
    OP_FIFO,
    OP_READLN,
    OP_SEARCH_FAR,
    OP_SEARCH_HITS,
    OP_ADD_BUFFER,
    OP_REMOVE_BUFFER,
    OP_RESERVE_COMMIT,
    OP_PREPEND_FRAME,
    OP_PRINTF,
    OP_SOCK_WRITE,
    OP_SOCK_READ
};

static const char *const op_names[] = {
    "add_drain",     "fifo",       "readln",        "search_far",
    "search_hits",   "add_buffer", "remove_buffer", "reserve_commit",
    "prepend_frame", "printf",     "sock_write",    "sock_read"};

/* Runs one round of op: returns the nanoseconds per operation. */
static double one_round(enum op op, size_t size, long iters);

static void
measure(enum op op, size_t size, long iters)
{
    double *samples;
    int r;

    if (opt.only_op != NULL && strcmp(opt.only_op, op_names[op]) != 0)
        return;
    if (opt.only_size >= 0 && (size_t)opt.only_size != size)
        return;
    if (opt.quick)
        iters = iters / 4 > 0 ? iters / 4 : 1;
    samples = bench_calloc((size_t)opt.rounds, sizeof(*samples));
    for (r = 0; r < opt.warmup; r++)
        one_round(op, size, iters / 4 > 0 ? iters / 4 : 1);
    for (r = 0; r < opt.rounds; r++)
        samples[r] = one_round(op, size, iters);
    printf("evbuffer op=%s size=%zu iters=%ld ns_per_op=%.2f\n", op_names[op],
           size, iters, bench_median(samples, (size_t)opt.rounds));
    fflush(stdout);
    free(samples);
}

static void
make_inputs(void)
{
    uint64_t s = 12345;
    size_t i, off;

    data = bench_calloc(TEXT_LEN, 1);
    sink = bench_calloc(1 << 20, 1);
    text_far = bench_calloc(TEXT_LEN, 1);
    text_hits = bench_calloc(TEXT_LEN, 1);
    lines = bench_calloc((size_t)LINES_PER_BATCH * 64, 1);
    for (i = 0; i < TEXT_LEN; i++) {
        data[i] = (unsigned char)bench_random(&s);
        /* Text: letters, spaces and single line ends. */
        text_far[i] = "abcdefghijklmnopqrstuvwxyz: -,.X"[bench_random(&s) % 32];
        if (i % 61 == 60)
            text_far[i] = '\n';
    }
    memcpy(text_far + TEXT_LEN - (sizeof(needle) - 1), needle,
           sizeof(needle) - 1);
    for (i = 0; i < TEXT_LEN; i++)
        text_hits[i] = text_far[i] == '\n' ? ' ' : text_far[i];
    for (i = 0; i < TEXT_LEN; i += 128)
        memcpy(text_hits + i + 124, "\r\n\r\n", 4);
    memcpy(text_far + TEXT_LEN - (sizeof(needle) - 1), needle,
           sizeof(needle) - 1);
    off = 0;
    for (i = 0; i < LINES_PER_BATCH; i++)
        off +=
            (size_t)sprintf(lines + off, "X-Header-%zu: value-%zu; q=0.%zu\r\n",
                            i, i * 7919 % 100000, i % 10);
    lines_len = off;
}

int
main(int argc, char **argv)
{
    static const size_t small[] = {16, 64, 256, 1024, 4096};
    static const size_t moves[] = {16, 256, 4096, 65536};
    size_t k;
    int c;

    while ((c = getopt(argc, argv, "r:w:o:s:q")) != -1) {
        switch (c) {
        case 'r':
            opt.rounds = (int)bench_parse_long(optarg, "-r", 1, 1000);
            break;
        case 'w':
            opt.warmup = (int)bench_parse_long(optarg, "-w", 0, 100);
            break;
        case 'o':
            opt.only_op = optarg;
            break;
        case 's':
            opt.only_size = bench_parse_long(optarg, "-s", 0, 1 << 30);
            break;
        case 'q':
            opt.quick = 1;
            break;
        default:
            fprintf(stderr,
                    "usage: %s [-r ROUNDS] [-w WARMUP] [-o OP] "
                    "[-s SIZE] [-q]\n",
                    argv[0]);
            return 2;
        }
    }
    make_inputs();

    for (k = 0; k < sizeof(small) / sizeof(small[0]); k++)
        measure(OP_ADD_DRAIN, small[k], small[k] >= 1024 ? 200000 : 1000000);
    for (k = 0; k < sizeof(small) / sizeof(small[0]); k += 2)
        measure(OP_FIFO, small[k], small[k] >= 1024 ? 200000 : 1000000);
    measure(OP_READLN, 40, 200000);
    measure(OP_SEARCH_FAR, TEXT_LEN, 40);
    measure(OP_SEARCH_HITS, TEXT_LEN, 20);
    for (k = 0; k < sizeof(moves) / sizeof(moves[0]); k++)
        measure(OP_ADD_BUFFER, moves[k], moves[k] >= 4096 ? 100000 : 500000);
    for (k = 1; k < sizeof(moves) / sizeof(moves[0]); k++)
        measure(OP_REMOVE_BUFFER, moves[k], moves[k] >= 65536 ? 20000 : 200000);
    for (k = 1; k < sizeof(moves) / sizeof(moves[0]); k++)
        measure(OP_RESERVE_COMMIT, moves[k],
                moves[k] >= 65536 ? 20000 : 200000);
    measure(OP_PREPEND_FRAME, 512, 500000);
    measure(OP_PRINTF, 20, 500000);
    measure(OP_SOCK_WRITE, 65536, 5000);
    measure(OP_SOCK_READ, 65536, 5000);

    if (opt.failures != 0) {
        fprintf(stderr, "%ld failed operations\n", opt.failures);
        return 1;
    }
    return 0;
}

#endif
