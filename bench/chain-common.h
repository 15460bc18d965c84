/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * chain-common.h: what pipe_chain.c (through libevent's API) and
 * pipe_chain_epoll.c (its floor, on raw epoll) share: the options, the
 * descriptor pairs, the start of a round and the report line.
 *
 * The workload: N pairs (socketpairs, or pipes with -p), each watched for
 * reading.  A round writes one byte into A pairs spaced evenly along the
 * chain; every read callback reads its byte and, while the round's W
 * writes last, writes one byte into the next pair (the last pair feeds the
 * first).  A round is over when all A + W bytes have been read: A + W
 * events.  Variants: -d deletes and re-adds every event before each round
 * (between two dispatches); -t gives every event a timeout (never reached)
 * and makes it one-shot, re-added by its callback each time it runs.
 */
#ifndef VIGIL_BENCH_CHAIN_COMMON_H
#define VIGIL_BENCH_CHAIN_COMMON_H

#include "bench-common.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The timeout every event carries with -t: far beyond any round. */
#define CHAIN_TIMEOUT_SECONDS 60

struct chain_opts {
    int n;         /* pairs */
    int a;         /* pairs written at the start of a round */
    int w;         /* chained writes per round */
    int rounds;    /* measured rounds (one more warms up) */
    int del_readd; /* -d */
    int timeouts;  /* -t */
    int pipes;     /* -p */
    int idle;      /* -T: timers pending far away, never due */
};

static inline void
chain_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [-n PAIRS] [-a ACTIVE] [-w WRITES] [-r ROUNDS] "
            "[-d] [-t] [-p] [-T TIMERS]\n"
            "  -n PAIRS   descriptor pairs in the chain (default 1000)\n"
            "  -a ACTIVE  pairs written at the start of a round "
            "(default 200)\n"
            "  -w WRITES  chained writes per round (default 100)\n"
            "  -r ROUNDS  measured rounds; the median is reported "
            "(default 200)\n"
            "  -d         delete and re-add every event before each round\n"
            "  -t         every event has a timeout and is re-added by its "
            "callback\n"
            "  -p         pipes instead of socketpairs\n"
            "  -T TIMERS  that many more timers pending, never due (the\n"
            "             libevent-API program only: the scale check)\n",
            prog);
}

static inline void
chain_parse(int argc, char **argv, struct chain_opts *o)
{
    int c;

    o->n = 1000;
    o->a = 100;
    o->w = 100;
    o->rounds = 200;
    o->del_readd = 0;
    o->timeouts = 0;
    o->pipes = 0;
    o->idle = 0;
    while ((c = getopt(argc, argv, "n:a:w:r:dtpT:h")) != -1) {
        switch (c) {
        case 'n':
            o->n = (int)bench_parse_long(optarg, "-n", 1, 1000000);
            break;
        case 'a':
            o->a = (int)bench_parse_long(optarg, "-a", 1, 1000000);
            break;
        case 'w':
            o->w = (int)bench_parse_long(optarg, "-w", 0, 100000000);
            break;
        case 'r':
            o->rounds = (int)bench_parse_long(optarg, "-r", 1, 10000000);
            break;
        case 'd':
            o->del_readd = 1;
            break;
        case 't':
            o->timeouts = 1;
            break;
        case 'p':
            o->pipes = 1;
            break;
        case 'T':
            o->idle = (int)bench_parse_long(optarg, "-T", 0, 10000000);
            break;
        case 'h':
            chain_usage(argv[0]);
            exit(0);
        default:
            chain_usage(argv[0]);
            exit(2);
        }
    }
    if (optind != argc) {
        chain_usage(argv[0]);
        exit(2);
    }
    if (o->a > o->n) {
        fprintf(stderr, "-a %d is more than -n %d\n", o->a, o->n);
        exit(2);
    }
}

/* The variant's name in the report: plain, del, timeout, del+timeout... */
static inline void
chain_variant(const struct chain_opts *o, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s%s", o->del_readd ? "del" : "",
             o->del_readd && o->timeouts ? "+" : "",
             o->timeouts ? "timeout" : "",
             (o->del_readd || o->timeouts) && o->pipes ? "+" : "",
             o->pipes ? "pipe" : "");
    if (buf[0] == '\0')
        snprintf(buf, size, "plain");
}

/*
 * Opens the n pairs, non-blocking, after raising the descriptor limit:
 * rfd[i] is read, wfd[i] written.  Returns 0, or -1 with a message.
 */
static inline int
chain_open(const struct chain_opts *o, int *rfd, int *wfd)
{
    int i;

    if (bench_raise_nofile((rlim_t)o->n * 2 + 64) != 0)
        return -1;
    for (i = 0; i < o->n; i++) {
        int fds[2];
        int rc;

        if (o->pipes)
            rc = pipe2(fds, O_NONBLOCK | O_CLOEXEC);
        else
            rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            0, fds);
        if (rc != 0) {
            fprintf(stderr, "%s number %d: %s\n",
                    o->pipes ? "pipe" : "socketpair", i, strerror(errno));
            while (i-- > 0) {
                close(rfd[i]);
                close(wfd[i]);
            }
            return -1;
        }
        rfd[i] = fds[0];
        wfd[i] = fds[1];
    }
    return 0;
}

static inline void
chain_close(const struct chain_opts *o, const int *rfd, const int *wfd)
{
    int i;

    for (i = 0; i < o->n; i++) {
        close(rfd[i]);
        close(wfd[i]);
    }
}

/* A round's progress, which every port's read callback advances. */
struct chain_round {
    long count;       /* bytes read this round */
    long writes_left; /* chained writes left this round */
    long failures;    /* failed calls, over all rounds */
};

/*
 * Starts a round: one byte into each of the A active pairs, spaced n / a
 * apart, with the round's W chained writes still to come.
 */
static inline void
chain_start(const struct chain_opts *o, const int *wfd, struct chain_round *r)
{
    int space = o->n / o->a;
    int i;

    r->count = 0;
    r->writes_left = o->w;
    for (i = 0; i < o->a; i++) {
        if (write(wfd[i * space], "e", 1) != 1)
            r->failures++;
    }
}

/* Whether the round still has bytes to read. */
static inline int
chain_running(const struct chain_opts *o, const struct chain_round *r)
{
    return r->count < (long)o->a + o->w;
}

/*
 * What every read callback does for pair i, readable on rfd: reads its
 * byte and, while the round's writes last, writes one into the next pair
 * (the last pair feeds the first).
 */
static inline void
chain_relay(const struct chain_opts *o, int rfd, const int *wfd, int i,
            struct chain_round *r)
{
    char ch;

    if (read(rfd, &ch, 1) != 1)
        r->failures++;
    r->count++;
    if (r->writes_left > 0) {
        int next = i + 1 == o->n ? 0 : i + 1;

        r->writes_left--;
        if (write(wfd[next], "e", 1) != 1)
            r->failures++;
    }
}

/* Prints the report line from the per-round samples (sorts them). */
static inline void
chain_report(const struct chain_opts *o, double *us_per_event)
{
    char variant[64];

    chain_variant(o, variant, sizeof(variant));
    if (o->idle > 0)
        printf("pipe_chain n=%d a=%d w=%d variant=%s idle_timers=%d "
               "us_per_event=%.4f\n",
               o->n, o->a, o->w, variant, o->idle,
               bench_median(us_per_event, (size_t)o->rounds));
    else
        printf("pipe_chain n=%d a=%d w=%d variant=%s us_per_event=%.4f\n", o->n,
               o->a, o->w, variant,
               bench_median(us_per_event, (size_t)o->rounds));
    fflush(stdout);
}

/*
 * Runs one round to warm up, then the measured ones, each timed, and
 * prints the report line.  Stops at the first failure.  Returns 0, or -1
 * after a message.
 */
static inline int
chain_measure(const struct chain_opts *o, void (*round)(void),
              const struct chain_round *r)
{
    double *samples = bench_calloc((size_t)o->rounds, sizeof(*samples));
    int ret = -1;
    int i;

    round(); /* Warms up. */
    for (i = 0; i < o->rounds && r->failures == 0; i++) {
        int64_t t0 = bench_now_ns();

        round();
        samples[i] = (double)(bench_now_ns() - t0) / 1000.0 /
                     (double)((long)o->a + o->w);
    }
    if (r->failures != 0) {
        fprintf(stderr, "%ld failed operations\n", r->failures);
    } else {
        chain_report(o, samples);
        ret = 0;
    }
    free(samples);
    return ret;
}

#endif /* VIGIL_BENCH_CHAIN_COMMON_H */
